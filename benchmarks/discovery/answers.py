"""Time the answers from a prepared dataset's summary cube (issue 18): each discovery query from the cube,
and a whole discovery question (screen and rank every county × division of a year, explain the first 50)
as the discovery page and ``smecluster discover DIR`` ask it.

    .venv/bin/smecluster discover prepare EXTRACT --output /work/bench-data/discovery-100m/prepared
    .venv/bin/python benchmarks/discovery/answers.py /work/bench-data/discovery-100m/prepared \
        --output benchmarks/discovery/results/answers-100m.json

One process, one DuckDB connection (``threads = --threads``, default 2), as one web worker serves its
questions. Each timing runs from the question to the Python result (a pyarrow table for a query, the ranked
candidates with their reasons for a discovery). A discovery is timed twice: the **first** time a rule set is
asked in the process (Ibis builds and compiles its ranking, once per rule set and process) and **again**
(another year or province: the compiled statement is reused), best and median of ``--repeat``. The
1-minute load average is recorded beside every figure. The target: 100 ms per question after preparation.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

QUERIES = ("location_quotients", "sme_shares", "indicator_panel", "output_growth")
PROVINCES = (None, "44", "33")


def _timed(run: Any, repeat: int) -> dict[str, Any]:
    seconds, loads = [], []
    for _ in range(repeat):
        loads.append(os.getloadavg()[0])
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return {
        "best_ms": round(min(seconds) * 1000, 1),
        "median_ms": round(statistics.median(seconds) * 1000, 1),
        "runs_ms": [round(s * 1000, 1) for s in seconds],
        "load_1min": loads,
    }


def measure(directory: Path, year: int, threads: int, repeat: int) -> dict[str, Any]:
    import duckdb
    import ibis

    from smecluster.analytics.discovery import cube, screens, source
    from smecluster.policy.ruleset import rule_sets

    connection = source.connect_duckdb(threads)
    prepared = cube.open_cube(connection, directory)
    report = json.loads((directory / cube.REPORT_FILE).read_text(encoding="utf-8"))
    results: dict[str, Any] = {
        "directory": str(directory),
        "rows_accepted": report["rows_accepted"],
        "cube_rows": report["cube_rows"],
        "panel_rows": int(prepared.panel.count().to_pyarrow().as_py()),
        "year": year,
        "threads": threads,
        "versions": {
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
            "ibis": ibis.__version__,
        },
        "queries_from_cube": {},
        "discovery_from_cube": {},
    }
    for name in QUERIES:
        query = getattr(cube, name)
        results["queries_from_cube"][name] = _timed(lambda q=query: q(prepared).to_pyarrow(), repeat)
        print(name, results["queries_from_cube"][name]["best_ms"], "ms", file=sys.stderr)
    for rule_set_id, rules in sorted(rule_sets().items()):
        for province in PROVINCES:
            label = f"{rule_set_id} {province or 'national'}"
            started = time.perf_counter()
            first = screens.discover(prepared, year, rules, province=province, top=50)
            first_ms = round((time.perf_counter() - started) * 1000, 1)
            again = _timed(
                lambda r=rules, p=province: screens.discover(prepared, year, r, province=p, top=50), repeat
            )
            results["discovery_from_cube"][label] = {
                "first_ms": first_ms,
                **again,
                "pairs": first.pairs,
                "listed": len(first.candidates),
            }
            print(label, first_ms, again["best_ms"], again["median_ms"], "ms", file=sys.stderr)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="a directory `smecluster discover prepare` wrote")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--output", type=Path, default=None, help="write the figures as JSON here")
    parser.add_argument(
        "--planted",
        type=Path,
        default=None,
        help="the counts make_extract.py --plant-every expected: compared with the preparation's report",
    )
    args = parser.parse_args(argv)
    results = measure(args.directory, args.year, args.threads, args.repeat)
    if args.planted is not None:
        expected = json.loads(args.planted.read_text(encoding="utf-8"))
        rejected = json.loads((args.directory / "preparation.json").read_text(encoding="utf-8"))["rejected"]
        results["planted_rows"] = {"expected": expected, "reported": rejected, "exact": expected == rejected}
        print("planted rows reported exactly:", expected == rejected, file=sys.stderr)
    text = json.dumps(results, ensure_ascii=False, indent=2)
    if args.output is not None:
        args.output.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
