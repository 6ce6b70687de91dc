"""The benchmark's pandas implementation and the Ibis queries on DuckDB give the same results on a
1 M-row generated file (the harness checks the same at 20 M and 100 M)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import load_benchmark_module
from smecluster.analytics.discovery import queries, source


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    generate = load_benchmark_module("generate")
    return generate.generate(1_000_000, [2022, 2023, 2024], 7, tmp_path_factory.mktemp("million"), 250_000)


@pytest.mark.parametrize("query", ["location_quotients", "sme_shares", "indicator_panel", "output_growth"])
def test_pandas_and_ibis_agree_on_a_million_rows(query: str, million_rows: Path) -> None:
    pandas_queries = load_benchmark_module("pandas_queries")
    run = load_benchmark_module("run")
    table = source.open_enterprise_years(source.connect_duckdb(threads=2), million_rows)
    on_duckdb = getattr(queries, query)(table).to_pandas()
    on_pandas = pandas_queries.QUERIES[query](million_rows)
    assert len(on_duckdb) > 40_000
    assert run.compare_frames(on_duckdb, on_pandas) == []
    # and the comparison does see a difference of one unit in one row
    broken = on_pandas.copy()
    broken.loc[broken.index[0], "output"] = broken["output"].iloc[0] + 1
    assert run.compare_frames(on_duckdb, broken)
