"""Fixtures for candidate discovery: small enterprise-year tables built by hand, and a small file made by
the benchmark generator (``benchmarks/discovery/generate.py``, imported by path: benchmarks are scripts,
not a package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import ibis
import pyarrow as pa
import pytest

from smecluster.analytics.discovery import source

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks" / "discovery"


def load_benchmark_module(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def firm(
    county: str,
    industry: str,
    employees: int | None,
    *,
    year: int = 2024,
    output: int = 100,
    revenue: int | None = 100,
    assets: int | None = 100,
    rnd: int = 0,
    patents: int = 0,
    titles: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    return {
        "credit_code": code or f"91{county}X{industry}{employees}",
        "county_code": county,
        "industry_code": industry,
        "year": year,
        "employees": employees,
        "output": output,
        "revenue": revenue,
        "assets": assets,
        "rnd": rnd,
        "patents": patents,
        "titles": titles,
    }


SCHEMA = pa.schema(
    [
        ("credit_code", pa.string()),
        ("county_code", pa.string()),
        ("industry_code", pa.string()),
        ("year", pa.int32()),
        ("employees", pa.int64()),
        ("output", pa.int64()),
        ("revenue", pa.int64()),
        ("assets", pa.int64()),
        ("rnd", pa.int64()),
        ("patents", pa.int64()),
        ("titles", pa.string()),
    ]
)


@pytest.fixture(scope="session")
def duckdb_connection() -> ibis.BaseBackend:
    return source.connect_duckdb(threads=1)


@pytest.fixture
def table_of(duckdb_connection: ibis.BaseBackend):  # type: ignore[no-untyped-def]
    """Firms (dicts from :func:`firm`) as a checked enterprise-year table on DuckDB."""
    counter = iter(range(10**6))

    def make(firms: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
        arrow = pa.Table.from_pylist(firms, schema=SCHEMA)
        name = f"firms_{next(counter)}"
        duckdb_connection.create_table(name, arrow, overwrite=True)
        return source.checked(duckdb_connection.table(name), "test")

    return make


@pytest.fixture(scope="session")
def generated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small file from the benchmark generator: 9,000 firm-years, 2022-2024."""
    generate = load_benchmark_module("generate")
    out = tmp_path_factory.mktemp("generated")
    return generate.generate(9_000, [2022, 2023, 2024], 11, out, 1_000)
