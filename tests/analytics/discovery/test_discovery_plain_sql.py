"""The benchmark's hand-written DuckDB SQL (``benchmarks/discovery/plain_sql.py``, the anchor the Ibis path
is timed against, issue 18) gives the Ibis queries' results, and on DuckDB the Ibis queries run as one
statement (no temporary table: ADR 0011, "Performance choices")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import ibis
import pytest

from conftest import firm, load_benchmark_module
from smecluster.analytics.discovery import queries, source

QUERIES = ["location_quotients", "sme_shares", "indicator_panel", "output_growth"]


def _plain(query: str, path: Path) -> Any:
    plain_sql = load_benchmark_module("plain_sql")
    connection = duckdb.connect()
    return connection.execute(plain_sql.QUERIES[query](plain_sql.relation(path))).to_arrow_table().to_pandas()


@pytest.fixture(scope="module")
def prepared_layout(generated_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated file as a prepared layout's ``year=YYYY`` directories (the year in the path only)."""
    layout = tmp_path_factory.mktemp("layout") / "enterprise_year"
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_parquet('{generated_file}')) TO '{layout}' "
        "(FORMAT parquet, PARTITION_BY (year))"
    )
    return layout


@pytest.mark.parametrize("query", QUERIES)
def test_plain_sql_and_ibis_agree_on_the_generated_file(query: str, generated_file: Path) -> None:
    run = load_benchmark_module("run")
    table = source.open_enterprise_years(source.connect_duckdb(threads=1), generated_file)
    on_ibis = getattr(queries, query)(table).to_pandas()
    on_sql = _plain(query, generated_file)
    assert len(on_ibis) > 1_000
    assert run.compare_frames(on_ibis, on_sql) == []


@pytest.mark.parametrize("query", QUERIES)
def test_plain_sql_and_ibis_agree_on_a_prepared_layout(query: str, prepared_layout: Path) -> None:
    run = load_benchmark_module("run")
    table = source.open_enterprise_years(source.connect_duckdb(threads=1), prepared_layout)
    on_ibis = getattr(queries, query)(table).to_pandas()
    assert run.compare_frames(on_ibis, _plain(query, prepared_layout)) == []


def test_the_plain_size_class_leaves_the_same_firms_undecided(tmp_path: Path, table_of: Any) -> None:
    """Missing figures: the generated files have none, so the CASE's three-valued logic is checked here
    (工业: SME under 1000 persons or 40000 万元 revenue; medium from 300 persons and 2000 万元)."""
    firms = [
        firm("110101", "C1711", 500, revenue=None, code="1"),  # medium or small: undecided
        firm("110101", "C1711", 1500, revenue=None, code="2"),  # large or not: undecided
        firm("110101", "C1711", 10, revenue=None, code="3"),  # below every floor: micro
        firm("110101", "C1711", 2000, revenue=50000, code="4"),  # large
        firm("110101", "C1711", None, revenue=100, code="5"),  # under a ceiling, below the small floor
        firm("110101", "C1711", 400, revenue=3000, assets=None, code="6"),  # medium
        firm("110102", "5910", 50, revenue=100, code="7"),  # 装卸搬运 (group 591 of division 59)
        firm("110102", "5920", 50, revenue=100, code="8"),  # 仓储业
    ]
    checked = table_of(firms)
    path = tmp_path / "firms.parquet"
    # As a prepared layout holds them: an integer division beside the county × division key.
    checked.mutate(division=checked.division.cast("int8")).to_parquet(path)
    table = source.open_enterprise_years(source.connect_duckdb(threads=1), path)
    on_ibis = queries.sme_shares(table).to_pandas()
    on_sql = _plain("sme_shares", path)
    assert load_benchmark_module("run").compare_frames(on_ibis, on_sql) == []
    assert sorted(on_ibis.unclassified) == [0, 2]


def test_on_duckdb_a_query_is_one_statement_without_temporary_tables(generated_file: Path) -> None:
    connection = source.connect_duckdb(threads=1)
    table = source.open_enterprise_years(connection, generated_file)
    before = set(connection.list_tables())
    expression = queries.indicator_panel(table)
    assert set(connection.list_tables()) == before  # nothing computed or cached when the query is built
    assert "ibis_cached" not in str(ibis.to_sql(expression))
    assert expression.count().to_pyarrow().as_py() > 1_000
