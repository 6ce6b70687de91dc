"""Answers from a prepared dataset's summary cube (issue 18) are the firm-level answers.

Every query of ``cube`` is compared row by row with its firm-level twin in ``queries`` over the same rows
(the prepared layout), on the generator's file and on a hand-made extract holding what makes partial sums
tricky: missing figures (undecided size classes), a cell whose every output is missing, firms without
titles, with an empty title, with only an unknown title, and CSV money as exact decimals. The ranking the
engine computes is compared with the ranking screened pair by pair in Python (``screens.screen``), for every
pair and every rule set, and at the thresholds themselves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from conftest import SCHEMA, firm
from smecluster.analytics.discovery import cube, queries, screens, source
from smecluster.analytics.discovery.prepare import prepare
from smecluster.cli import main
from smecluster.errors import UnusableInput
from smecluster.policy.ruleset import RuleSet, rule_set, rule_sets

QUERIES = ["location_quotients", "sme_shares", "indicator_panel", "output_growth"]
SCREENING_RULE_SETS = sorted(
    name for name, rules in rule_sets().items() if any(screens.screenable(c) for c in rules.criteria)
)
"""The rule sets with criteria a registry file can answer (Guizhou's 2023 measures have none)."""


def _prepared(raw: Path, out: Path) -> Path:
    prepare(raw, out, max_year=2027, threads=1)
    assert cube.is_prepared(out)
    return out


@pytest.fixture(scope="module")
def generated_prepared(generated_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _prepared(generated_file, tmp_path_factory.mktemp("cube") / "prepared")


def _edge_firms() -> list[dict[str, Any]]:
    firms = []
    for year in (2022, 2023, 2024):
        firms += [
            firm("330106", "C1711", 120, year=year, output=5000, titles="specialized;innovative"),
            firm("330106", "C1711", 90, year=year, output=3000, titles=""),
            firm("330106", "C1712", 30, year=year, output=3000, titles="little_giant"),
            # An undecided size class: revenue missing where the standard needs it.
            firm("330106", "C1711", 400, year=year, output=100, revenue=None, titles="champion"),
            firm("330106", "C1711", 10, year=year, output=1, titles="unknown_title"),
            firm("330108", "C1711", 50, year=year, output=2000),
            firm("330108", "C2711", 5000, year=year, output=900000, revenue=900000, titles="high_tech"),
            firm("440606", "C2110", 200, year=year, output=40000, titles="specialized"),
            firm("440606", "C2110", 100, year=year, output=30000, titles="innovative;high_tech"),
        ]
    # A cell whose every output is missing: no leading class, no panel row, at either level.
    firms.append(firm("440606", "C3811", 10, year=2024, output=None))  # type: ignore[arg-type]
    # Credit codes of GB 32100's shape (the preparation checks them): 91, the county, a serial number.
    for index, each in enumerate(firms):
        each["credit_code"] = f"91{each['county_code']}{index:010d}"
    return firms


@pytest.fixture(scope="module")
def edge_prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("edge")
    raw = base / "extract.csv"
    pa_csv.write_csv(pa.Table.from_pylist(_edge_firms(), schema=SCHEMA), raw)
    return _prepared(raw, base / "prepared")


def _rows(table: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.to_pyarrow().to_pylist()
    return sorted(rows, key=lambda row: (row["county_code"], row["division"], row["year"]))


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("dataset", ["generated_prepared", "edge_prepared"])
def test_each_query_from_the_cube_is_the_firm_level_query(
    query: str, dataset: str, request: pytest.FixtureRequest
) -> None:
    directory: Path = request.getfixturevalue(dataset)
    connection = source.connect_duckdb(threads=1)
    firm_years = source.open_enterprise_years(connection, directory / cube.LAYOUT_DIRECTORY)
    from_firms = getattr(queries, query)(firm_years)
    from_cube = getattr(cube, query)(cube.open_cube(connection, directory))
    assert from_cube.schema() == from_firms.schema()
    expected = _rows(from_firms)
    assert expected, "the comparison must have rows to compare"
    assert _rows(from_cube) == expected


def test_the_cube_is_far_smaller_than_the_firm_years(generated_prepared: Path) -> None:
    report = json.loads((generated_prepared / cube.REPORT_FILE).read_text(encoding="utf-8"))
    assert report["size_standard"] == "miit-2011-300"
    assert 0 < report["cube_rows"] < report["rows_accepted"]


def test_edge_cases_are_in_the_cube_as_the_firm_level_panel_has_them(edge_prepared: Path) -> None:
    connection = source.connect_duckdb(threads=1)
    panel = {
        (row["county_code"], row["division"], row["year"]): row
        for row in cube.indicator_panel(cube.open_cube(connection, edge_prepared)).to_pyarrow().to_pylist()
    }
    xihu = panel[("330106", "17", 2024)]
    # Five firms of division 17 in 西湖区, one of them undecided (no revenue).
    assert xihu["firms"] == 5
    assert xihu["titled_firms"] == 4  # the empty title is no title; the unknown one is one
    assert xihu["specialized_firms"] == 1
    assert xihu["champion_firms"] == 1
    assert xihu["leading_class"] == "C1711"
    assert ("440606", "38", 2024) not in panel  # every output missing: no leading class, no row
    shares = {
        (row["county_code"], row["division"], row["year"]): row
        for row in cube.sme_shares(cube.open_cube(connection, edge_prepared)).to_pyarrow().to_pylist()
    }
    assert shares[("330106", "17", 2024)]["unclassified"] == 1


@pytest.mark.parametrize("rule_set_id", sorted(rule_sets()))
@pytest.mark.parametrize("province", [None, "33"])
def test_discovery_from_the_cube_is_discovery_from_the_firm_years(
    generated_prepared: Path, rule_set_id: str, province: str | None
) -> None:
    connection = source.connect_duckdb(threads=1)
    firm_years = source.open_enterprise_years(connection, generated_prepared / cube.LAYOUT_DIRECTORY)
    rules = rule_set(rule_set_id)
    from_firms = screens.discover(firm_years, 2024, rules, province=province, top=40)
    from_cube = screens.discover(
        cube.open_cube(connection, generated_prepared), 2024, rules, province=province, top=40
    )
    assert from_firms.candidates, "the comparison must have candidates"
    assert from_cube == from_firms


def _screened_here(data: Any, year: int, rules: RuleSet) -> screens.Discovery:
    """Every pair screened one by one in Python (the engine's ranking is bypassed: money as doubles)."""
    as_doubles = data.mutate(**{name: data[name].cast("float64") for name in ("output", "rnd")})
    return screens.discover(as_doubles, year, rules)


@pytest.mark.parametrize("rule_set_id", SCREENING_RULE_SETS)
def test_the_engine_ranks_every_pair_as_screening_them_one_by_one_does(
    generated_file: Path, rule_set_id: str
) -> None:
    connection = source.connect_duckdb(threads=1)
    firm_years = source.open_enterprise_years(connection, generated_file)
    rules = rule_set(rule_set_id)
    in_engine = screens.discover(firm_years, 2024, rules)
    here = _screened_here(firm_years, 2024, rules)
    assert in_engine.pairs == here.pairs > 100
    assert [(c.county_code, c.division, c.screens) for c in in_engine.candidates] == [
        (c.county_code, c.division, c.screens) for c in here.candidates
    ]
    assert any(s.passed is not None for c in in_engine.candidates for s in c.screens)


def _at_threshold_firms() -> list[dict[str, Any]]:
    """Counties whose figures sit exactly at the national rule set's thresholds, and one unit away."""
    firms = []
    # 近三年产值均在 40 亿元以上 (≥ 400,000 万元): exactly 400,000 in each year, and 399,999 in one year.
    for year in (2022, 2023, 2024):
        firms.append(firm("330106", "C1711", 300, year=year, output=400_000, revenue=1_000))
        firms.append(
            firm(
                "330108", "C1711", 300, year=year, output=399_999 if year == 2023 else 400_000, revenue=1_000
            )
        )
    return firms


def test_thresholds_are_compared_exactly_in_the_engine(table_of: Any) -> None:
    firm_years = table_of(_at_threshold_firms())
    rules = rule_set("national-2022")
    output_criterion = next(
        c
        for c in rules.criteria
        if screens.screenable(c)
        and getattr(c.measure, "field", "") == "output"
        and c.measure.formula == "each_year"  # type: ignore[union-attr]
    )
    found = {
        c.county_code: {s.criterion_id: s.passed for s in c.screens}
        for c in screens.discover(firm_years, 2024, rules).candidates
    }
    assert found["330106"][output_criterion.id] is True  # 以上: at the threshold is met
    assert found["330108"][output_criterion.id] is False  # one 万元 under in one year is not


def test_the_command_answers_from_the_cube_and_from_the_firm_years_alike(generated_prepared: Path) -> None:
    runner = CliRunner()
    arguments = ["discover", str(generated_prepared), "--year", "2024", "--top", "15", "--json"]
    from_cube = runner.invoke(main, arguments)
    from_firms = runner.invoke(main, [*arguments, "--firm-years"])
    assert from_cube.exit_code == 0, from_cube.output
    assert from_firms.exit_code == 0, from_firms.output
    assert json.loads(from_cube.output) == json.loads(from_firms.output)
    assert len(json.loads(from_cube.output)["candidates"]) == 15


def test_the_command_names_a_year_the_prepared_data_lacks(generated_prepared: Path) -> None:
    result = CliRunner().invoke(main, ["discover", str(generated_prepared), "--year", "2019"])
    assert result.exit_code == 2
    assert "2019" in result.output
    assert "2024" in result.output


def test_an_incomplete_preparation_is_refused_with_a_message(
    generated_prepared: Path, tmp_path: Path
) -> None:
    incomplete = tmp_path / "incomplete"
    incomplete.mkdir()
    (incomplete / cube.CUBE_FILE).write_bytes((generated_prepared / cube.CUBE_FILE).read_bytes())
    assert not cube.is_prepared(incomplete)
    with pytest.raises(UnusableInput, match="汇总立方体"):
        cube.open_cube(source.connect_duckdb(threads=1), incomplete)


def test_money_as_doubles_is_screened_exactly_from_the_cube_too(generated_file: Path, tmp_path: Path) -> None:
    # An extract with money as floating point: the engine cannot compare it exactly, so the cube's
    # panel is screened pair by pair in Python, as the firm-years are.
    table = pq.read_table(generated_file)
    for name in ("output", "revenue", "rnd"):
        table = table.set_column(
            table.schema.get_field_index(name), name, table.column(name).cast(pa.float64())
        )
    raw = tmp_path / "doubles.parquet"
    pq.write_table(table, raw)
    prepared = _prepared(raw, tmp_path / "prepared")
    connection = source.connect_duckdb(threads=1)
    rules = rule_set("national-2022")
    from_cube = screens.discover(cube.open_cube(connection, prepared), 2024, rules, top=20)
    firm_years = source.open_enterprise_years(connection, prepared / cube.LAYOUT_DIRECTORY)
    from_firms = screens.discover(firm_years, 2024, rules, top=20)
    assert from_cube.candidates
    assert from_cube == from_firms


def test_a_question_uses_the_ranking_compiled_when_prepared(
    generated_prepared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = sorted((generated_prepared / cube.COMPILED_DIRECTORY).glob("*.sql"))
    assert len(kept) == len(rule_sets())
    connection = source.connect_duckdb(threads=1)
    rules = rule_set("national-2022")
    expected = screens.discover(cube.open_cube(connection, generated_prepared), 2024, rules, top=7)

    # A fresh process has compiled nothing: the kept statement must answer without Ibis compiling.
    def no_compiling(*arguments: object) -> str:
        raise AssertionError("compiled at question time")

    monkeypatch.setattr(screens, "_compiled_ranking", no_compiling)
    answered = screens.discover(cube.open_cube(connection, generated_prepared), 2024, rules, top=7)
    assert answered == expected
    assert len(answered.candidates) == 7
    # A rule set revised after the preparation (another threshold) is not kept: it is compiled then.
    revised = rules.model_copy(update={"id": "national-2022-revised"})
    with pytest.raises(AssertionError, match="compiled at question time"):
        screens.discover(cube.open_cube(connection, generated_prepared), 2024, revised, top=7)


def test_a_candidates_firms_are_the_layouts_rows_of_its_county_division_and_year(
    generated_prepared: Path,
) -> None:
    from smecluster.analytics.discovery import firms

    connection = source.connect_duckdb(threads=1)
    panel = cube.indicator_panel(cube.open_cube(connection, generated_prepared)).to_pyarrow().to_pylist()
    cell = max((row for row in panel if row["year"] == 2024), key=lambda row: row["firms"])
    listed = firms.firms_of(connection, generated_prepared, cell["county_code"], cell["division"], 2024)
    assert listed.total == len(listed.firms) == cell["firms"]
    # The same firms as the layout holds (read with pyarrow), the largest output first.
    layout = pq.read_table(generated_prepared / cube.LAYOUT_DIRECTORY / "year=2024").to_pylist()
    key = int(cell["county_code"]) * 100 + int(cell["division"])
    assert sorted(f["credit_code"] for f in listed.firms) == sorted(
        row["credit_code"] for row in layout if row["county_division"] == key
    )
    assert [f["output"] for f in listed.firms] == sorted((f["output"] for f in listed.firms), reverse=True)
    # Their size classes are the cube's: as many SMEs as the panel counts.
    assert sum(f["size_class"] in ("medium", "small", "micro") for f in listed.firms) == cell["smes"]
    page = firms.firms_of(
        connection, generated_prepared, cell["county_code"], cell["division"], 2024, offset=2, limit=3
    )
    assert page.firms == listed.firms[2:5]
    assert page.total == listed.total
    assert (
        firms.firms_of(connection, generated_prepared, cell["county_code"], cell["division"], 1999).total == 0
    )


def test_the_firms_command_lists_a_candidates_firms(generated_prepared: Path) -> None:
    connection = source.connect_duckdb(threads=1)
    panel = cube.indicator_panel(cube.open_cube(connection, generated_prepared)).to_pyarrow().to_pylist()
    cell = max((row for row in panel if row["year"] == 2024), key=lambda row: row["firms"])
    arguments = [
        "discover", "firms", str(generated_prepared), "--county", cell["county_code"],
        "--division", f"C{cell['division']}", "--year", "2024",
    ]  # fmt: skip
    result = CliRunner().invoke(main, [*arguments, "--top", "3", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["total"] == cell["firms"]
    assert len(document["firms"]) == 3
    assert "家企业" in CliRunner().invoke(main, arguments).output
    refused = CliRunner().invoke(main, [*arguments[:4], "44", *arguments[5:]])
    assert refused.exit_code == 2
    assert "--county" in refused.output
