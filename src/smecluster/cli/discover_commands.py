"""``smecluster discover FILE --year YYYY``: rank the county × industry pairs of an enterprise-year file
as candidate clusters, with the reasons (location quotient and strong-cluster flags, the rule set's
quantitative screens). ``smecluster discover prepare RAW --output DIR``: check a registry extract once and
write it in the fast layout with a summary cube (:mod:`smecluster.analytics.discovery.prepare`). See
``smecluster.analytics.discovery``.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from smecluster.errors import UnusableInput
from smecluster.policy.ruleset import rule_set as load_rule_set

if TYPE_CHECKING:
    from smecluster.analytics.discovery.cube import Cube
    from smecluster.analytics.discovery.screens import Discovery

DEFAULT_RULE_SET = "national-2022"


class _DiscoverGroup(click.Group):
    """``discover`` with subcommands (``prepare``), where anything else is the ranking command's arguments:
    ``smecluster discover FILE --year 2024`` stays what it always was."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = ["rank", *args]
        return super().parse_args(ctx, args)


@click.group("discover", cls=_DiscoverGroup)
def discover() -> None:
    """Rank candidate clusters from an enterprise-year file; ``prepare`` a registry extract for it."""


@discover.command("rank")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--year", type=int, required=True, help="The latest of the three years screened (YYYY).")
@click.option("--rule-set", "rule_set_id", default=DEFAULT_RULE_SET, show_default=True, help="Rule set id.")
@click.option("--province", default=None, help="Only counties of this province (GB/T 2260: 33 or 330000).")
@click.option("--top", type=click.IntRange(min=1), default=50, show_default=True, help="How many to list.")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write the candidates to FILE.csv, FILE.xlsx or FILE.json.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the candidates as JSON.")
@click.option(
    "--threads", type=click.IntRange(min=1), default=None, help="DuckDB threads (default: all cores)."
)
@click.option(
    "--postgres-table",
    default=None,
    help="Run on PostgreSQL (DATABASE_URL) instead of DuckDB: on table NAME, after copying FILE into it "
    "(replacing it) when FILE is given.",
)
@click.option(
    "--engine",
    "--backend",
    "engine_name",
    default=None,
    metavar="ENGINE",
    help="Where the queries run: duckdb (default), postgres (DATABASE_URL), a postgres:// URL, spark "
    "(local, every core), spark://local[N], spark://HOST:7077 (a standalone cluster) or spark://yarn.",
)
@click.option(
    "--table",
    "table_name",
    default=None,
    help="Run on the engine's table NAME (Spark: a catalog table, db.name) instead of FILE; on "
    "PostgreSQL the same as --postgres-table.",
)
@click.option(
    "--firm-years",
    is_flag=True,
    help="On a prepared directory: rank from its firm-years instead of its summary cube (the same "
    "answer, slower; a check).",
)
def rank(
    file: Path | None,
    year: int,
    rule_set_id: str,
    province: str | None,
    top: int,
    output: Path | None,
    as_json: bool,
    threads: int | None,
    postgres_table: str | None,
    engine_name: str | None,
    table_name: str | None,
    firm_years: bool,
) -> None:
    """Rank the county × industry pairs of FILE (Parquet or CSV, or a directory `discover prepare`
    wrote, answered from its summary cube) as candidate clusters."""
    # Imported here: Ibis, DuckDB and pandas take a second to import, which no other command should pay.
    from smecluster.analytics.discovery import cube as summary_cube
    from smecluster.analytics.discovery import engines, export, screens, source

    rule_set = load_rule_set(rule_set_id)
    if output is not None and output.suffix.lower() not in {".csv", ".xlsx", ".json"}:
        raise UnusableInput.single("--output", "", f"{output}: expected a .csv, .xlsx or .json file name")
    if province is not None:
        screens.province_prefix(province)
    engine = engines.parse_engine(engine_name or ("postgres" if postgres_table else None))
    data: Cube | None = None
    years: list[int] = []
    name = postgres_table or table_name
    if engine.kind == "postgres":
        if name is None:
            raise UnusableInput.single("smecluster discover", "--table", "give the table to run on")
        table = source.open_postgres_table(engine.location, name, load=file)
        where = f"--postgres-table {name}" if postgres_table else f"--table {name}"
    elif engine.kind == "spark":
        if (file is None) == (name is None):
            raise UnusableInput.single("smecluster discover", "FILE", "give either FILE or --table on Spark")
        connection = engines.connect_spark(engine.location)
        if name is not None:
            table = source.open_table(connection, name)
            where = f"--table {name}"
        else:
            assert file is not None
            table = source.open_enterprise_years(connection, file)
            where = str(file)
    else:
        if file is None:
            raise UnusableInput.single(
                "smecluster discover", "FILE", "give an enterprise-year file (or --postgres-table)"
            )
        if name is not None:
            raise UnusableInput.single("--table", "", "DuckDB reads FILE; --table is for postgres or spark")
        connection = source.connect_duckdb(threads)
        if summary_cube.is_prepared(file) and not firm_years:
            data = summary_cube.open_cube(connection, file)
            years = summary_cube.years_in(data)
        else:
            if summary_cube.is_prepared(file):
                file = file / summary_cube.LAYOUT_DIRECTORY
            table = source.open_enterprise_years(connection, file)
        where = str(file)
    if data is None:
        data = table
        years = source.years_in(table)
    if year not in years:
        shown = ", ".join(str(each) for each in years) or "none"
        raise UnusableInput.single(where, "year", f"{year} is not in the data (years present: {shown})")
    discovery = screens.discover(data, year, rule_set, province=province, top=top)
    if output is not None:
        suffix = output.suffix.lower()
        if suffix == ".json":
            output.write_text(export.to_json(discovery), encoding="utf-8")
        else:
            output.write_bytes(export.WRITERS[suffix](discovery))
    if as_json:
        click.echo(export.to_json(discovery))
        return
    _print(discovery)
    if output is not None:
        click.echo(f"written: {output}")


def _print(discovery: Discovery) -> None:
    from smecluster.analytics.discovery import screens

    scope = f"，省份 {discovery.province}" if discovery.province else ""
    click.echo(
        f"{discovery.year} 年候选集群（规则 {discovery.rule_set_id}{scope}）："
        f"共 {discovery.pairs} 个县×行业，"
        f"列出前 {len(discovery.candidates)} 个"
    )
    for candidate in discovery.candidates:
        record = screens.candidate_record(candidate)
        click.echo(
            f"{record['rank']:>3}. {record['province']}{record['city']}{record['county']}"
            f"（{record['county_code']}） "
            f"{record['industry']}：产值 {record['output_yi_yuan']:,.2f} 亿元，LQ {record['lq']:.2f}，"
            f"满足 {record['screens_met']}/{record['screens']} 项量化条件"
        )
        for reason in record["reasons"]:
            click.echo(f"       {reason}")


@discover.command("prepare")
@click.argument("raw", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="An empty (or new) directory for the prepared layout, the cube and the rejected-row report.",
)
@click.option("--encoding", default=None, help="The CSV's encoding: utf-8 or gb18030 (default: detected).")
@click.option(
    "--threads", type=click.IntRange(min=1), default=None, help="DuckDB threads (default: all cores)."
)
@click.option("--memory-limit", default=None, help="DuckDB memory limit, e.g. 4GB (default: DuckDB's).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def prepare(
    raw: Path,
    output: Path,
    encoding: str | None,
    threads: int | None,
    memory_limit: str | None,
    as_json: bool,
) -> None:
    """Check the extract RAW (Parquet or CSV) and write its accepted rows in the fast layout, with a
    summary cube and a report of the rejected rows, into DIR."""
    from smecluster.analytics.discovery import prepare as preparation

    # Next year is still plausible (an extract dated ahead of the calendar year); later is a typo.
    report = preparation.prepare(
        raw,
        output,
        max_year=datetime.date.today().year + 1,
        encoding=encoding,
        threads=threads,
        memory_limit=memory_limit,
    )
    if as_json:
        click.echo(report.as_json())
        return
    phases = "，".join(f"{name} {seconds:.1f}" for name, seconds in report.phases.items())
    click.echo(
        f"读取 {report.rows_read:,} 行，接受 {report.rows_accepted:,} 行，拒绝 {report.rows_rejected:,} 行"
        f"（{report.seconds:.1f} 秒：{phases}）"
    )
    for reason, count in report.rejected.items():
        click.echo(f"  {reason}: {count:,}")
    click.echo(
        f"年份：{', '.join(str(year) for year in report.years) or '无'}；汇总立方体 {report.cube_rows:,} 行"
    )
    for name, path in report.outputs.items():
        click.echo(f"{name}: {output / path}")


@discover.command("firms")
@click.argument("prepared", type=click.Path(path_type=Path, file_okay=False))
@click.option("--county", "county_code", required=True, help="GB/T 2260 county code (6 digits).")
@click.option("--division", required=True, help="GB/T 4754 division (2 digits, e.g. 17 or C17).")
@click.option("--year", type=int, required=True, help="The year (YYYY).")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Only the N largest by output.")
@click.option("--json", "as_json", is_flag=True, help="Print the firms as JSON.")
def firms(prepared: Path, county_code: str, division: str, year: int, top: int | None, as_json: bool) -> None:
    """List the firms of one county × division in one year of a PREPARED directory (the drill-down from a
    candidate): credit code, class, size class, employees (人), output, revenue, assets, R&D (万元),
    patents (件) and titles, the largest output first."""
    from smecluster.analytics.discovery import cube, source
    from smecluster.analytics.discovery import firms as firm_list
    from smecluster.analytics.sme_size import SIZE_NAMES_ZH

    if not cube.is_prepared(prepared):
        raise UnusableInput.single(str(prepared), "", "not a directory `smecluster discover prepare` wrote")
    if not (county_code.isdigit() and len(county_code) == 6):
        raise UnusableInput.single("--county", "county", f"{county_code!r} is not a 6-digit county code")
    digits = division[1:] if division[:1].isalpha() else division
    if not (digits.isdigit() and len(digits) == 2):
        raise UnusableInput.single("--division", "division", f"{division!r} is not a division (17 or C17)")
    listed = firm_list.firms_of(source.connect_duckdb(), prepared, county_code, digits, year, limit=top)
    if as_json:
        click.echo(json.dumps({"total": listed.total, "firms": listed.firms}, ensure_ascii=False, indent=2))
        return
    click.echo(f"{county_code} × {digits}，{year} 年：{listed.total:,} 家企业")
    for firm in listed.firms:
        size = SIZE_NAMES_ZH.get(firm["size_class"], "未定")
        click.echo(
            f"{firm['credit_code']}  {firm['industry_code']}  {size}  "
            f"从业人员 {firm['employees']} 人  产值 {firm['output']} 万元  {firm['titles'] or ''}".rstrip()
        )
