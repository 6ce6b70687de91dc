"""A small enterprise-year file built with pyarrow for the discovery pages' tests (a uniquely named module:
``conftest`` is a name every test folder has)."""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

YEARS = (2022, 2023, 2024)
# (county, industry class, firms, output per firm in 万元 in the first year): Guangdong's furniture in
# 顺德 and 南海 (佛山市) and electronics in 天河 (广州市) stand out against the other counties.
CELLS = (
    ("440606", "C2110", 12, 60_000),
    ("440606", "C1711", 3, 2_000),
    ("440605", "C2110", 8, 30_000),
    ("440605", "C3911", 2, 1_500),
    ("440106", "C3911", 10, 50_000),
    ("440106", "C2110", 2, 1_000),
    ("440104", "C1711", 4, 3_000),
    ("330102", "C1711", 15, 20_000),
    ("330102", "C3911", 4, 4_000),
    ("330203", "C2110", 3, 2_000),
    ("320102", "C1711", 6, 5_000),
    ("320102", "C3911", 6, 5_000),
)

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


def enterprise_rows() -> list[dict[str, Any]]:
    rows = []
    for county, industry, firms, output in CELLS:
        for serial in range(firms):
            for step, year in enumerate(YEARS):
                grown = int(output * (1.08**step)) + serial * 100
                rows.append(
                    {
                        # GB 32100's shape (18 characters), as a prepared dataset checks it.
                        "credit_code": f"91{county}{industry[1:]}{serial:06d}",
                        "county_code": county,
                        "industry_code": industry,
                        "year": year,
                        "employees": max(20, grown // 150),
                        "output": grown,
                        "revenue": grown,
                        "assets": grown * 2,
                        "rnd": grown // 40,
                        "patents": serial % 4,
                        "titles": "specialized" if serial % 3 == 0 else None,
                    }
                )
    return rows


def parquet_bytes(rows: list[dict[str, Any]] | None = None, drop: str | None = None) -> bytes:
    table = pa.Table.from_pylist(rows or enterprise_rows(), schema=SCHEMA)
    if drop:
        table = table.drop_columns([drop])
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()
