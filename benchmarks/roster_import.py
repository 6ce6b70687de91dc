"""How fast a large enterprise roster is read, checked and summed: the 100,000-firm import.

Run: .venv/bin/python benchmarks/roster_import.py [--firms 100000] [--keep DIR]

Generates a seeded, valid roster of N firms (real check characters, real county codes, a realistic mix
of industries and sizes), writes it as XLSX (openpyxl, write-only) and as UTF-8 CSV, then times
``read_roster`` and ``compute_indicators`` on each, three runs, and prints the best and the median.
The database write is the web layer's and is measured there (apps/rosters). Figures go in
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from stdnum.cn import uscc

from smecluster.analytics.roster.indicators import compute_indicators
from smecluster.analytics.roster.reading import ROSTER_COLUMNS, ROSTER_SHEET, read_roster
from smecluster.reference.divisions import divisions

# (industry code prefix, share of firms, needs assets): manufacturing first, as in a cluster's roster.
_INDUSTRIES: tuple[tuple[str, float, bool], ...] = (
    *((f"C{division}", 0.8 / 31, False) for division in range(13, 44)),
    ("E47", 0.03, True),
    ("F51", 0.05, False),
    ("F52", 0.03, False),
    ("G5910", 0.01, False),
    ("G5920", 0.01, False),
    ("I65", 0.04, False),
    ("L72", 0.02, True),
    ("M73", 0.01, False),
)
_TITLES = ("单项冠军", '专精特新"小巨人"', "专精特新中小企业", "创新型中小企业", "高新技术企业")
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def synthetic_roster(firms: int, seed: int = 20261122) -> list[list[Any]]:
    """The header row and ``firms`` valid rows, the same for the same seed."""
    rng = random.Random(seed)
    counties = [d.code for d in divisions("county") if d.code.startswith("44")]
    codes, weights = zip(*((code, weight) for code, weight, _ in _INDUSTRIES), strict=True)
    needs_assets = {code for code, _, assets in _INDUSTRIES if assets}
    rows: list[list[Any]] = [[column.header_zh for column in ROSTER_COLUMNS]]
    for number in range(firms):
        county = rng.choice(counties)
        # 9 = 工商, 1 = 企业; then the county; then a 9-character organisation code unique per firm.
        body = f"91{county}{number:08d}{rng.choice(_ALPHABET)}"
        credit_code = body + uscc.calc_check_digit(body)
        industry = rng.choices(codes, weights)[0]
        if len(industry) == 3 and industry.startswith("C"):
            industry += f"{rng.randint(1, 9)}{rng.randint(1, 9)}"
        employees = int(rng.lognormvariate(3.8, 1.2))
        revenue = round(employees * rng.uniform(20, 150), 2)
        output = round(revenue * rng.uniform(0.8, 1.1), 2)
        assets = (
            round(revenue * rng.uniform(0.5, 2), 2)
            if industry in needs_assets or rng.random() < 0.5
            else None
        )
        titles = "、".join(title for title in _TITLES if rng.random() < 0.04)
        rows.append(
            [
                credit_code,
                f"广东测试企业{number:06d}有限公司",
                county,
                industry,
                employees,
                revenue,
                assets,
                output,
                round(revenue * rng.uniform(0, 0.06), 2),
                rng.choice((0, 0, 0, 1, 2, 5, 12)),
                titles,
                "是" if rng.random() < 0.75 else "否",
            ]
        )
    return rows


def as_xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(ROSTER_SHEET)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        ["" if cell is None else cell for cell in row] for row in rows
    )
    return buffer.getvalue().encode("utf-8-sig")


def _timed(step: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall-clock and CPU seconds of ``step`` and its result. On a shared machine the CPU time is the
    steadier figure: wall time also counts the other processes' turns."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = step()
    return time.perf_counter() - start, time.process_time() - start_cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="also write the generated files into this directory")
    arguments = parser.parse_args()

    generation, _, rows = _timed(lambda: synthetic_roster(arguments.firms))
    xlsx_time, _, xlsx = _timed(lambda: as_xlsx(rows))
    data = {"xlsx": xlsx, "csv": as_csv(rows)}
    print(f"generated {arguments.firms:,} firms in {generation:.2f} s; XLSX written in {xlsx_time:.2f} s")
    if arguments.keep:
        arguments.keep.mkdir(parents=True, exist_ok=True)
        for kind, content in data.items():
            (arguments.keep / f"roster-{arguments.firms}.{kind}").write_bytes(content)
    for kind, content in data.items():
        walls, cpus = [], []
        for _ in range(arguments.runs):
            read_wall, read_cpu, read = _timed(
                lambda content=content, kind=kind: read_roster(content, f"roster.{kind}")
            )
            assert read.ok, read.errors[:5]
            compute_wall, compute_cpu, indicators = _timed(
                lambda read=read: compute_indicators(read.rows, on=date(2025, 12, 31))
            )
            walls.append((read_wall, compute_wall))
            cpus.append((read_cpu, compute_cpu))
        total_wall = [r + c for r, c in walls]
        total_cpu = statistics.median(r + c for r, c in cpus)
        read_cpu = statistics.median(r for r, _ in cpus)
        compute_cpu = statistics.median(c for _, c in cpus)
        print(
            f"{kind:4}  {len(content) / 1e6:5.1f} MB  read+check+compute: wall best {min(total_wall):.2f} s, "
            f"median {statistics.median(total_wall):.2f} s; CPU median {total_cpu:.2f} s "
            f"(read+check {read_cpu:.2f} s, compute {compute_cpu:.2f} s)"
        )
    print(
        f"{indicators.firms:,} firms, {indicators.sme_firms:,} SMEs, "
        f"SME output share {float(indicators.sme_output_share or 0):.1f} %, sizes {indicators.sizes}"
    )


if __name__ == "__main__":
    main()
