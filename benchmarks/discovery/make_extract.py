"""The generator's file as a registry extract would come: codes as text, no pre-computed ``division`` or
``county_division``, rows in no useful order, ZSTD-compressed. The input ``smecluster discover prepare``
is measured on (issue 18).

    .venv/bin/python benchmarks/discovery/make_extract.py \
        /work/bench-data/discovery-1m/enterprise_year.parquet /work/bench-data/discovery-1m/extract.parquet

With ``--plant-every N``, one row in N (chosen by a hash of firm and year, so the same rows every run) is
spoiled for one of the reasons below, each row failing only that check, and the expected count per reason
is written beside the extract (``<target>.planted.json``): ``benchmarks/discovery/answers.py --planted``
(or anyone) compares it with the ``preparation.json`` that ``smecluster discover prepare`` writes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb

# Each reason's spoiled value (the reason keys of smecluster.analytics.discovery.prepare): 330199 is not
# assigned in GB/T 2260, division 01 is in section A not C, 2190 is no reporting year, and "O" is not in
# GB 32100's alphabet.
PLANTED = {
    "county_code_unknown": "'330199' AS county_code",
    "industry_code_invalid": "'C0111' AS industry_code",
    "year_implausible": "2190 AS year",
    "employees_negative": "-1 AS employees",
    "credit_code_malformed": "'91330102MA27B5Q9OK' AS credit_code",
}


def make_extract(generated: Path, target: Path, plant_every: int | None = None) -> int:
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    source = str(generated).replace("'", "''")
    columns = [
        row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM read_parquet('{source}')").fetchall()
    ]
    plain = {
        "county_code": "lpad(CAST(county_code AS VARCHAR), 6, '0') AS county_code",
        "year": "CAST(year AS INTEGER) AS year",
    }
    reasons = list(PLANTED)
    selected = []
    for name in columns:
        if name in ("division", "county_division"):
            continue
        value = plain.get(name, name)
        if plant_every:
            for index, reason in enumerate(reasons):
                spoiled = PLANTED[reason]
                if spoiled.endswith(f" AS {name}"):
                    value = (
                        f"CASE WHEN hash(credit_code, year) % {plant_every} = {index} "
                        f"THEN {spoiled.rsplit(' AS ', 1)[0]} ELSE {value.rsplit(' AS ', 1)[0]} END AS {name}"
                    )
        selected.append(value if " AS " in value else name)
    # A hash of the firm and year: a fixed, scattered order (the same file every run).
    connection.execute(
        f"""COPY (
            SELECT {", ".join(selected)}
            FROM read_parquet('{source}')
            ORDER BY hash(credit_code, year)
        ) TO '{str(target).replace("'", "''")}' (FORMAT parquet, COMPRESSION zstd)"""
    )
    if plant_every:
        counts = dict(
            connection.execute(
                f"SELECT hash(credit_code, year) % {plant_every} AS reason, count(*) "
                f"FROM read_parquet('{source}') WHERE reason < {len(reasons)} GROUP BY reason"
            ).fetchall()
        )
        expected = {reason: int(counts.get(index, 0)) for index, reason in enumerate(reasons)}
        planted = target.with_name(target.name + ".planted.json")
        planted.write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")
    (rows,) = connection.execute(f"SELECT count(*) FROM read_parquet('{source}')").fetchone() or (0,)
    return int(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("generated", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--plant-every", type=int, default=None, help="spoil one row in N (see above)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = make_extract(args.generated, args.target, args.plant_every)
    print(f"{args.target}: {rows:,} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
