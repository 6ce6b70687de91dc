"""The enterprise-year table: what columns discovery reads, and opening a Parquet or CSV file as one.

One row per firm and year. Columns and units:

============== ============================ ==========================================================
column         type                         meaning
============== ============================ ==========================================================
credit_code    text                         统一社会信用代码 (only checked for presence; a firm = a row)
county_code    text (6 digits) or integer   GB/T 2260 county-level division where the firm is
industry_code  text                         GB/T 4754-2017 class (``1711``) or with its section letter
                                            (``C1711``); a division (``17``/``C17``) also works
year           integer                      the reporting year
employees      integer                      从业人员, persons (year average)
output         number                       工业总产值, 万元
revenue        number                       营业收入, 万元
assets         number                       资产总额, 万元
rnd            number                       研发经费, 万元
patents        integer                      有效发明专利, 件
titles         text                         titles held, ``;``-separated keys: champion, little_giant,
                                            specialized, innovative, high_tech (empty: none)
division       optional text                pre-computed GB/T 4754 division (two digits, ``17``); derived
                                            from ``industry_code`` when absent
============== ============================ ==========================================================

The **division** of an industry code is its first two digits after an optional section letter: ``C1711``,
``1711``, ``C17`` and ``17`` are all division ``17``. Derived divisions are two-character text, so that ranges
compare as text (``"06" <= d <= "46"``) on every backend. Large files should carry the division
pre-computed (the benchmark generator writes it, as an integer) so that scans do not re-derive it row by
row. ``county_code`` and ``division`` may be integers.

The queries group firm-years on **one integer key** per county × division, the optional column
``county_division`` = county code × 100 + division (``330102`` and ``17`` → ``33010217``; both are
fixed-width digit codes, so the key is one-to-one and fits int32:
the largest county code, 659xxx, gives 659xxx99 < 2³¹), and the year: hashing and comparing one int32
costs a fraction of hashing a text code and a division. The county code and the division are recovered
from the key after aggregating (``key // 100``, ``key % 100``) and printed as zero-padded text
(:func:`as_text_code`), so results look the same whichever way the file codes them. A file may carry the
key pre-computed (the benchmark generator writes it); otherwise it is derived here, row by row.
"""

from __future__ import annotations

import csv
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow 26 ships no type information

from smecluster.analytics.discovery.dataset_limits import DEFAULT_LIMITS, DatasetLimits, check_dataset
from smecluster.analytics.discovery.file_columns import CSV_TYPES, NUMERIC_COLUMNS, REQUIRED_COLUMNS
from smecluster.errors import Problem, UnusableInput
from smecluster.i18n import Text as _


def connect_duckdb(threads: int | None = None) -> ibis.BaseBackend:
    """An in-process DuckDB connection (``threads`` caps its worker threads; default: all cores)."""
    connection = ibis.duckdb.connect()
    if threads is not None:
        connection.raw_sql(f"SET threads = {int(threads)}")
    connection.raw_sql("SET enable_progress_bar = false")
    # Results are keyed rows, never relied on for their order: let DuckDB skip keeping the input order.
    connection.raw_sql("SET preserve_insertion_order = false")
    return connection


def open_enterprise_years(
    connection: ibis.BaseBackend, path: Path, limits: DatasetLimits | None = None
) -> ir.Table:
    """``path`` (``.parquet``, ``.csv``, or a directory of Parquet files, or a prepared layout's
    ``year=YYYY`` directories) as a checked table, once its declared and counted sizes are within
    ``limits`` (see :mod:`.dataset_limits`; the CLI's: the defaults)."""
    limits = limits or DEFAULT_LIMITS
    source = str(path)
    if not path.exists():
        raise UnusableInput.single(source, "", _("没有这个文件或目录"))
    suffix = path.suffix.lower()
    if not path.is_dir() and suffix not in (".parquet", ".csv"):
        raise UnusableInput.single(source, "", _("应为 .parquet 或 .csv 文件"))
    check_dataset(path, limits, source=source)
    try:
        if path.is_dir():
            table = _read_parquet_directory(connection, path)
        elif suffix == ".parquet":
            table = connection.read_parquet(source)
        elif suffix == ".csv":
            # One line only (an unclosed quote would make the reader run on through the file).
            with path.open(encoding="utf-8-sig", newline="") as handle:
                header = next(csv.reader([handle.readline(limits.max_line_bytes + 1)]), [])
            if connection.name == "pyspark":
                table = connection.read_csv(source, header=True, **spark_csv_options(header))
            else:
                names = [name.strip() for name in header]
                types = {name: CSV_TYPES[name] for name in names if name in CSV_TYPES}
                table = connection.read_csv(source, header=True, **({"types": types} if types else {}))
        else:
            raise UnusableInput.single(source, "", _("应为 .parquet 或 .csv 文件"))
    except UnusableInput:
        raise
    except Exception as error:  # the engine's own message says what is wrong with the file
        raise UnusableInput.single(source, "", _("无法读取：%(reason)s", reason=error)) from error
    return checked(table, source)


def spark_csv_options(header: list[str]) -> dict[str, object]:
    """Spark's CSV reader options for a file with ``header``: the columns typed as DuckDB types them
    (:data:`CSV_TYPES`; any other column as text), not inferred, so that codes stay text on both engines
    (an inferred ``1711`` would become a number). Spark applies the schema by position, in header order."""
    spark_types = {"VARCHAR": "STRING"}
    columns = []
    for raw in header:
        name = raw.strip()
        kind = CSV_TYPES.get(name, "VARCHAR")
        columns.append(f"`{name}` {spark_types.get(kind, kind)}")
    return {"schema": ", ".join(columns), "inferSchema": False, "encoding": "UTF-8"}


def open_table(connection: ibis.BaseBackend, name: str) -> ir.Table:
    """The enterprise-year table ``name`` already in the engine (a Spark catalog table, ``db.table``; a
    PostgreSQL table), checked."""
    database, _dot, table_name = name.rpartition(".")
    try:
        table = connection.table(table_name, database=database or None)
    except Exception as error:  # the engine says whether the table or the database is missing
        raise UnusableInput.single("--table", "", f"no table {name!r}: {error}") from error
    return checked(table, f"--table {name}")


def _read_parquet_directory(connection: ibis.BaseBackend, path: Path) -> ir.Table:
    """Every Parquet file under ``path``; a prepared layout (:mod:`.prepare`) has Hive-style ``year=YYYY``
    directories, whose name gives the year column (as int16, the generator's type)."""
    if any(part.is_dir() for part in path.glob("year=*")):
        # (Ibis passes a dict as a MAP, which DuckDB's hive_types refuses: the cast is done here instead,
        # once per file since the value is the directory's.)
        table = connection.read_parquet(str(path / "year=*" / "*.parquet"), hive_partitioning=True)
        return table.mutate(year=table.year.cast(dt.int16))
    return connection.read_parquet(str(path / "*.parquet"))


def open_postgres_table(url: str, name: str, *, load: Path | None = None) -> ir.Table:
    """The enterprise-year table ``name`` of the PostgreSQL database at ``url`` (the second backend),
    after copying the file ``load`` into it (replacing the table) when given."""
    if not url.startswith(("postgres://", "postgresql://")):
        raise UnusableInput.single("DATABASE_URL", "", "set it to a postgres:// URL to use --postgres-table")
    try:
        connection = ibis.connect(url.replace("postgresql://", "postgres://", 1))
    except Exception as error:  # the driver's message names the host or the credentials at fault
        raise UnusableInput.single("DATABASE_URL", "", f"cannot connect: {error}") from error
    if load is not None:
        local = open_enterprise_years(connect_duckdb(), load)
        arrow = local.to_pyarrow()
        # PostgreSQL has no dictionary type: dictionary-encoded text goes in as plain text.
        plain = pa.schema(
            [
                pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                for f in arrow.schema
            ]
        )
        connection.create_table(name, arrow.cast(plain), overwrite=True)
    if name not in connection.list_tables():
        raise UnusableInput.single("--postgres-table", "", f"no table {name!r} in the database")
    return checked(connection.table(name), f"--postgres-table {name}")


def checked(table: ir.Table, source: str) -> ir.Table:
    """The table with its columns checked and normalised (county codes as text, a division column)."""
    schema = table.schema()
    problems = [Problem(name, _("缺少该列")) for name in REQUIRED_COLUMNS if name not in schema]
    for name in NUMERIC_COLUMNS:
        if name in schema and not schema[name].is_numeric():
            problems.append(Problem(name, _("应为数值，文件中为 %(type)s", type=schema[name])))
    for name in ("industry_code", "titles", "credit_code"):
        if name in schema and not schema[name].is_string():
            problems.append(Problem(name, _("应为文本，文件中为 %(type)s", type=schema[name])))
    if problems:
        raise UnusableInput(source, problems)
    columns: dict[str, ir.Value] = {}
    for name in ("county_code", "division"):
        if name in schema and not (schema[name].is_string() or schema[name].is_integer()):
            raise UnusableInput.single(source, name, f"must be text or integer, the file has {schema[name]}")
    if "county_division" in schema and not schema["county_division"].is_integer():
        raise UnusableInput.single(
            source, "county_division", f"must be integer, the file has {schema['county_division']}"
        )
    division = table.division if "division" in schema else division_of(table.industry_code)
    if "division" not in schema:
        columns["division"] = division
    if "county_division" not in schema:
        columns["county_division"] = county_division_key(table.county_code, division)
    return table.mutate(**columns) if columns else table


def county_division_key(county_code: ir.Value, division: ir.Value) -> ir.IntegerValue:
    """County code × 100 + division as one int32 (``"330102"``, ``"17"`` → ``33010217``)."""
    key: ir.IntegerValue = county_code.cast(dt.int32) * 100 + division.cast(dt.int32)
    return key.cast(dt.int32)


def as_text_code(code: ir.Value, width: int) -> ir.StringValue:
    """A code column as zero-padded text (``110101`` → ``"110101"``, ``7`` → ``"07"``). Applied after
    aggregating, so that integer-coded files group on integers and print like text-coded ones."""
    if code.type().is_string():
        return code
    return code.cast(dt.string).lpad(width, "0")


def class_digits(industry_code: ir.StringValue) -> ir.StringValue:
    """The code without its section letter: ``C1711`` → ``1711``, ``1711`` → ``1711``."""
    # Digits sort before letters: a code at or after "A" starts with a section letter (comparing the whole
    # code orders it by its first character first, so no substring is taken). A plain comparison, not a
    # regular expression: this runs once per firm-year.
    return ibis.ifelse(industry_code >= "A", industry_code.substr(1), industry_code)


def division_of(industry_code: ir.StringValue) -> ir.StringValue:
    return class_digits(industry_code).substr(0, 2)


def years_in(table: ir.Table) -> list[int]:
    result = table.select("year").distinct().order_by("year").to_pyarrow()
    return [int(year) for year in result.column("year").to_pylist()]
