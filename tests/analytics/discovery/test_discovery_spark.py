"""The same Ibis queries on DuckDB and on Spark (local mode) find the same candidates (issue 18: "a parity
test on 1 M rows in `make test` runs Spark in local mode and finds the same candidates").

Spark runs in this process's JVM (PySpark 4.0, Java 17) as ``local[2]``, the mode a cluster's driver uses
too: the queries, the plan and the shuffles are Spark's; only the executors are threads here.

What is compared, and how exactly:

* integers (employment, firms, output, counts, ranks behind the flags) and booleans (the flags): equal;
* the LQ, the shares (%), R&D intensity and patents per 10,000 employees: **equal as doubles**. Each is one
  IEEE division (or a product by 100.0 or 10,000.0, then a division) of int64 sums below 2⁵³, converted to
  double exactly; IEEE arithmetic is correctly rounded, so DuckDB and the JVM give the same bits;
* the growth rate (CAGR) goes through ``pow``: C's and Java's ``Math.pow`` may differ in the last bit, so
  within a relative 1e-15 (a few units in the last place of a double).
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import ibis
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from conftest import load_benchmark_module
from smecluster.analytics.discovery import engines, queries, screens, source
from smecluster.cli import main
from smecluster.errors import UnusableInput
from smecluster.policy.ruleset import rule_set

# One JVM under `make test`'s pytest-xdist (--dist loadgroup): the Spark tests all run on one worker.
pytestmark = pytest.mark.xdist_group("spark")

SPARK_MASTER = "local[2]"
POW_TOLERANCE = 1e-15  # relative; only for cagr (see the module docstring)


@pytest.fixture(scope="module")
def spark() -> Iterator[ibis.BaseBackend]:
    if shutil.which("java") is None:
        pytest.fail("Spark needs a Java 17 runtime: `make test` installs openjdk-17-jre-headless")
    connection = engines.connect_spark(SPARK_MASTER)
    yield connection
    connection.disconnect()


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1 M firm-years (333,333 firms × 2022-2024) from the benchmark generator, seed 7."""
    generate = load_benchmark_module("generate")
    return generate.generate(1_000_000, [2022, 2023, 2024], 7, tmp_path_factory.mktemp("million"), 250_000)


def _rows(table: ibis.expr.types.Table) -> list[dict[str, object]]:
    rows = table.to_pyarrow().to_pylist()
    return sorted(rows, key=lambda row: (row["county_code"], row["division"], row["year"]))


def _assert_same_rows(on_duckdb: list[dict[str, object]], on_spark: list[dict[str, object]]) -> None:
    assert len(on_duckdb) == len(on_spark) > 100
    assert list(on_duckdb[0]) == list(on_spark[0])
    for left, right in zip(on_duckdb, on_spark, strict=True):
        for column, value in left.items():
            other = right[column]
            if column == "cagr" and isinstance(value, float) and isinstance(other, float):
                assert math.isclose(value, other, rel_tol=POW_TOLERANCE), (column, left, right)
            else:
                assert value == other, (column, left, right)
                assert type(value) is type(other), (column, value, other)


@pytest.mark.parametrize("query", ["location_quotients", "indicator_panel"])
def test_a_million_rows_give_identical_rows_on_spark(query: str, million_rows: Path, spark) -> None:  # type: ignore[no-untyped-def]
    run = getattr(queries, query)
    on_duckdb = _rows(run(source.open_enterprise_years(source.connect_duckdb(), million_rows)))
    on_spark = _rows(run(source.open_enterprise_years(spark, million_rows)))
    _assert_same_rows(on_duckdb, on_spark)
    if query == "location_quotients":  # the strong flags are what discovery ranks on: some must be set
        assert 0 < sum(bool(row["strong"]) for row in on_spark) < len(on_spark)


def test_a_million_rows_give_the_same_candidates_on_spark(million_rows: Path, spark) -> None:  # type: ignore[no-untyped-def]
    national = rule_set("national-2022")
    on_duckdb = screens.discover(
        source.open_enterprise_years(source.connect_duckdb(), million_rows), 2024, national, top=50
    )
    on_spark = screens.discover(source.open_enterprise_years(spark, million_rows), 2024, national, top=50)
    assert on_duckdb.pairs == on_spark.pairs > 10_000
    assert len(on_duckdb.candidates) == len(on_spark.candidates) == 50
    assert on_duckdb.candidates == on_spark.candidates


@pytest.mark.parametrize("query", ["sme_shares", "output_growth"])
def test_the_other_queries_agree_on_a_small_file(query: str, generated_file: Path, spark) -> None:  # type: ignore[no-untyped-def]
    run = getattr(queries, query)
    on_duckdb = _rows(run(source.open_enterprise_years(source.connect_duckdb(threads=1), generated_file)))
    on_spark = _rows(run(source.open_enterprise_years(spark, generated_file)))
    _assert_same_rows(on_duckdb, on_spark)


def test_a_csv_with_text_codes_reads_the_same_on_spark(generated_file: Path, tmp_path: Path, spark) -> None:  # type: ignore[no-untyped-def]
    """Spark would infer ``1711`` as a number; the file's columns are typed as DuckDB types them."""
    arrow = pq.read_table(generated_file).drop_columns(["division", "county_division"])
    csv = tmp_path / "enterprise_year.csv"
    pacsv.write_csv(arrow, csv)
    national = rule_set("national-2022")
    on_duckdb = screens.discover(source.open_enterprise_years(source.connect_duckdb(), csv), 2024, national)
    on_spark_table = source.open_enterprise_years(spark, csv)
    assert on_spark_table.schema()["industry_code"].is_string()
    assert on_spark_table.schema()["output"].is_decimal()
    assert screens.discover(on_spark_table, 2024, national) == on_duckdb


def test_the_command_runs_on_spark(generated_file: Path, spark) -> None:  # type: ignore[no-untyped-def]
    common = ["discover", "--year", "2024", "--top", "15", "--json", str(generated_file)]
    on_duckdb = CliRunner().invoke(main, common)
    on_spark = CliRunner().invoke(main, [*common, "--engine", f"spark://{SPARK_MASTER}"])
    also = CliRunner().invoke(main, [*common, "--backend", "spark"])  # the session already running
    assert on_duckdb.exit_code == on_spark.exit_code == also.exit_code == 0, on_spark.output
    assert json.loads(on_duckdb.output) == json.loads(on_spark.output) == json.loads(also.output)
    assert len(json.loads(on_spark.output)["candidates"]) == 15


def test_a_spark_catalog_table_is_read_by_name(generated_file: Path, spark) -> None:  # type: ignore[no-untyped-def]
    spark._session.read.parquet(str(generated_file)).createOrReplaceTempView("enterprise_year_test")
    table = source.open_table(spark, "enterprise_year_test")
    assert source.years_in(table) == [2022, 2023, 2024]
    with pytest.raises(UnusableInput, match="no table 'nowhere'"):
        source.open_table(spark, "nowhere")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (None, engines.Engine("duckdb")),
        ("duckdb", engines.Engine("duckdb")),
        ("postgres://u@db/x", engines.Engine("postgres", "postgres://u@db/x")),
        ("spark", engines.Engine("spark", "local[*]")),
        ("spark://local[2]", engines.Engine("spark", "local[2]")),
        ("spark://yarn", engines.Engine("spark", "yarn")),
        ("spark://k8s://https://api.example:443", engines.Engine("spark", "k8s://https://api.example:443")),
        ("spark://master.example:7077", engines.Engine("spark", "spark://master.example:7077")),
    ],
)
def test_engine_names(name: str | None, expected: engines.Engine) -> None:
    assert engines.parse_engine(name) == expected


@pytest.mark.parametrize(
    "arguments",
    [
        ["--engine", "sqlite"],
        ["--table", "firms"],  # DuckDB reads a file, not a table
        ["--engine", "spark", "--table", "firms"],  # a file or a table on Spark, not both
    ],
)
def test_the_command_refuses_arguments_that_do_not_fit(arguments: list[str], generated_file: Path) -> None:
    result = CliRunner().invoke(main, ["discover", "--year", "2024", str(generated_file), *arguments])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", ["sqlite", "spark://", "mysql://x"])
def test_unknown_engines_are_refused(name: str) -> None:
    with pytest.raises(UnusableInput):
        engines.parse_engine(name)
