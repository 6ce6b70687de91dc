"""The same Ibis queries on DuckDB and on PostgreSQL give identical results on a small generated file.

PostgreSQL is the second backend (docs/decisions/0011-candidate-discovery.md). The test runs under
``scripts/with-postgres`` (as ``make test`` does), which sets DATABASE_URL; the file is loaded into a
table of its own and dropped afterwards.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from smecluster.analytics.discovery import queries, screens, source
from smecluster.cli import main
from smecluster.policy.ruleset import rule_set

QUERIES = ["location_quotients", "sme_shares", "indicator_panel", "output_growth"]


@pytest.fixture(scope="module")
def postgres_table(generated_file: Path) -> Iterator[ibis.expr.types.Table]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL: run under scripts/with-postgres (DATABASE_URL), as `make test` does")
    connection = ibis.connect(url.replace("postgresql://", "postgres://", 1))
    arrow = pq.read_table(generated_file)
    # PostgreSQL has no dictionary type: the text columns go in as plain text.
    plain = pa.schema(
        [
            pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
            for f in arrow.schema
        ]
    )
    name = f"discovery_test_{uuid.uuid4().hex[:12]}"
    connection.create_table(name, arrow.cast(plain))
    try:
        yield source.checked(connection.table(name), "postgres")
    finally:
        connection.drop_table(name)
        connection.disconnect()


@pytest.fixture(scope="module")
def duckdb_table(generated_file: Path) -> ibis.expr.types.Table:
    return source.open_enterprise_years(source.connect_duckdb(threads=1), generated_file)


def _sorted_rows(table: ibis.expr.types.Table) -> list[dict[str, object]]:
    rows = table.to_pyarrow().to_pylist()
    return sorted(rows, key=lambda row: (row["county_code"], row["division"], row["year"]))


@pytest.mark.parametrize("query", QUERIES)
def test_duckdb_and_postgres_agree(query: str, duckdb_table, postgres_table) -> None:  # type: ignore[no-untyped-def]
    on_duckdb = _sorted_rows(getattr(queries, query)(duckdb_table))
    on_postgres = _sorted_rows(getattr(queries, query)(postgres_table))
    assert len(on_duckdb) == len(on_postgres) > 100
    assert on_duckdb[0].keys() == on_postgres[0].keys()
    for left, right in zip(on_duckdb, on_postgres, strict=True):
        for column, value in left.items():
            other = right[column]
            if isinstance(value, float) and isinstance(other, float):
                # IEEE division is correctly rounded on both: the quotients are the same double. Powers
                # (CAGR) come from each engine's pow(), allowed to differ in the last bit.
                assert math.isclose(value, other, rel_tol=1e-15) if column == "cagr" else value == other, (
                    column
                )
            else:
                assert value == other, (column, left, right)


def test_the_ranked_candidates_are_the_same(duckdb_table, postgres_table) -> None:  # type: ignore[no-untyped-def]
    national = rule_set("national-2022")
    on_duckdb = screens.discover(duckdb_table, 2024, national, top=30)
    on_postgres = screens.discover(postgres_table, 2024, national, top=30)
    assert on_duckdb.pairs == on_postgres.pairs
    assert [c.reasons for c in on_duckdb.candidates] == [c.reasons for c in on_postgres.candidates]
    assert [(c.county_code, c.division) for c in on_duckdb.candidates] == [
        (c.county_code, c.division) for c in on_postgres.candidates
    ]


def test_the_command_gives_the_same_candidates_on_postgres(generated_file: Path) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL: run under scripts/with-postgres (DATABASE_URL), as `make test` does")
    name = f"discovery_cli_{uuid.uuid4().hex[:12]}"
    common = ["discover", "--year", "2024", "--top", "15", "--json"]
    on_duckdb = CliRunner().invoke(main, [*common, str(generated_file)])
    try:
        copied = CliRunner().invoke(main, [*common, str(generated_file), "--postgres-table", name])
        again = CliRunner().invoke(main, [*common, "--postgres-table", name])  # the table as it is
        # The engine named (--engine/--backend, issue 18) with the general --table option: the same.
        named = CliRunner().invoke(main, [*common, "--engine", "postgres", "--table", name])
        by_url = CliRunner().invoke(main, [*common, "--backend", url, "--table", name])
    finally:
        connection = ibis.connect(url.replace("postgresql://", "postgres://", 1))
        connection.drop_table(name, force=True)
        connection.disconnect()
    assert on_duckdb.exit_code == copied.exit_code == again.exit_code == 0, copied.output
    assert json.loads(on_duckdb.output) == json.loads(copied.output) == json.loads(again.output)
    assert named.exit_code == by_url.exit_code == 0, named.output
    assert json.loads(named.output) == json.loads(by_url.output) == json.loads(on_duckdb.output)
    missing = CliRunner().invoke(main, [*common, "--postgres-table", name])
    assert missing.exit_code == 2
    assert f"no table '{name}'" in missing.output
