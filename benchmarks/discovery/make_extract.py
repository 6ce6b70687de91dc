"""The generator's file as a registry extract would come: codes as text, no pre-computed ``division`` or
``county_division``, rows in no useful order, ZSTD-compressed. The input ``smecluster discover prepare``
is measured on (issue 18).

    .venv/bin/python benchmarks/discovery/make_extract.py \
        /work/bench-data/discovery-1m/enterprise_year.parquet /work/bench-data/discovery-1m/extract.parquet
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb


def make_extract(generated: Path, target: Path) -> int:
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    source = str(generated).replace("'", "''")
    # A hash of the firm and year: a fixed, scattered order (the same file every run).
    connection.execute(
        f"""COPY (
            SELECT * EXCLUDE (division, county_division) REPLACE (
                lpad(CAST(county_code AS VARCHAR), 6, '0') AS county_code, CAST(year AS INTEGER) AS year
            )
            FROM read_parquet('{source}')
            ORDER BY hash(credit_code, year)
        ) TO '{str(target).replace("'", "''")}' (FORMAT parquet, COMPRESSION zstd)"""
    )
    (rows,) = connection.execute(f"SELECT count(*) FROM read_parquet('{source}')").fetchone() or (0,)
    return int(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("generated", type=Path)
    parser.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = make_extract(args.generated, args.target)
    print(f"{args.target}: {rows:,} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
