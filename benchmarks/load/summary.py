"""Read locust's statistics and print the table benchmarks/README.md records, against the targets of issue 16.

Targets: p95 ≤ 200 ms for a page (GET), ≤ 500 ms for a save (POST), and no failed request. Exits 1 when a
target is missed, so a run says plainly whether it passed.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

PAGE_P95_MS = 200
SAVE_P95_MS = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stats", type=Path, help="locust's …_stats.csv")
    parser.add_argument("--load-before", default="?")
    parser.add_argument("--load-after", default="?")
    parser.add_argument("--users", default="?")
    parser.add_argument("--workers", default="?")
    parser.add_argument("--wait", default="?", help="each person's pause between steps, LEAST,MOST seconds")
    args = parser.parse_args()
    rows = list(csv.DictReader(args.stats.open(encoding="utf-8")))
    missed = []
    print("| request | kind | requests | failures | median | p95 | p99 | max | target |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    total = None
    for row in sorted(rows, key=lambda row: -float(row["95%"] or 0)):
        if row["Name"] == "Aggregated":
            total = row
            continue
        saves = row["Type"] == "POST"
        target = SAVE_P95_MS if saves else PAGE_P95_MS
        p95 = float(row["95%"])
        failures = int(row["Failure Count"])
        ok = p95 <= target and failures == 0
        if not ok:
            missed.append(row["Name"])
        print(
            f"| `{row['Name']}` | {'save' if saves else 'page'} | {int(row['Request Count']):,} | {failures} "
            f"| {float(row['50%']):.0f} ms | {p95:.0f} ms | {float(row['99%']):.0f} ms "
            f"| {float(row['Max Response Time']):.0f} ms | ≤ {target} ms {'✓' if ok else '✗'} |"
        )
    if total is not None:
        print(
            f"\nAll {int(total['Request Count']):,} requests ({float(total['Requests/s']):.1f}/s), "
            f"{int(total['Failure Count'])} failed: median {float(total['50%']):.0f} ms, "
            f"p95 {float(total['95%']):.0f} ms, p99 {float(total['99%']):.0f} ms. "
            f"{args.users} users pausing {args.wait.replace(',', '–')} s between steps, "
            f"{args.workers} gunicorn workers; load average before {args.load_before}, "
            f"after {args.load_after}."
        )
    if missed:
        print(f"\nMissed: {', '.join(missed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
