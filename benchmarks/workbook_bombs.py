"""What refusing a workbook bomb costs: peak memory above the idle process, and time (issue 12).

Run: .venv/bin/python benchmarks/workbook_bombs.py [--roster 200000]

Each bomb (tests/security/bomb_workbooks.py) is written to a file, then refused in a fresh child process
through ``read_roster`` (the check runs before calamine): the child reads the file, records its peak RSS
(``VmHWM`` of /proc/self/status, the high-water mark of this process's own memory, so each bomb needs its
own process; ``getrusage``'s ru_maxrss can carry the parent's peak over a fork), is refused,
and records the peak again. Target: under 100 MB above the idle process, within 2 s. With ``--roster N``
it also times the check on an ordinary roster of N firms, which must pass. Figures go in
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "security"))

from bomb_workbooks import far_cell_bomb, million_rows_bomb, shared_string_bomb

BOMBS = {
    "1 cell declaring A1:XFD1048576": lambda: far_cell_bomb(),
    "1 cell at XFD1048576, no dimension": lambda: far_cell_bomb(declared=False),
    "shared string of 200 MB": lambda: shared_string_bomb(200),
    "shared string of 20 MB (ratio)": lambda: shared_string_bomb(20),
    "1,000,000 rows": lambda: million_rows_bomb(),
}


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def refuse(path: str) -> None:
    """In the child: read the file as an upload is read, then let read_roster refuse it."""
    from smecluster.analytics.roster.reading import read_roster
    from smecluster.errors import UnusableInput

    data = Path(path).read_bytes()
    idle = _peak_mb()
    started = time.perf_counter()
    try:
        read_roster(data, Path(path).name, max_bytes=1 << 40)
        message = "accepted"
    except UnusableInput as refused:
        message = refused.problems[0].message
    seconds = time.perf_counter() - started
    print(json.dumps({"idle_mb": idle, "peak_mb": _peak_mb(), "seconds": seconds, "message": message}))


def roster(firms: int) -> None:
    from openpyxl import Workbook
    from stdnum.cn import uscc

    from smecluster.analytics.roster.reading import ROSTER_COLUMNS
    from smecluster.documents.workbook_limits import DEFAULT_LIMITS, check_workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("企业名录")
    sheet.append([column.header_zh for column in ROSTER_COLUMNS])
    for index in range(1, firms + 1):
        body = f"91440606{index:09d}"
        code = body + uscc.calc_check_digit(body + "0")
        sheet.append(
            [code, f"测试企业{index}有限公司", "440606", "C3857", 100, 5000, None, 4000, 100, 2, None, "是"]
        )
    out = io.BytesIO()
    workbook.save(out)
    data = out.getvalue()
    started = time.perf_counter()
    check_workbook(data, DEFAULT_LIMITS)
    print(f"roster of {firms:,} firms ({len(data) / 1e6:.1f} MB): passes the check in "
          f"{time.perf_counter() - started:.2f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--refuse", help=argparse.SUPPRESS)
    parser.add_argument("--roster", type=int, default=0, help="also time the check on a roster of N firms")
    arguments = parser.parse_args()
    if arguments.refuse:
        refuse(arguments.refuse)
        return
    print("| bomb | file | refused in | peak RSS above idle | message |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as directory:
        for name, build in BOMBS.items():
            path = Path(directory) / "bomb.xlsx"
            path.write_bytes(build())
            child = subprocess.run(
                [sys.executable, __file__, "--refuse", str(path)], capture_output=True, text=True, check=True
            )
            figures = json.loads(child.stdout)
            print(
                f"| {name} | {path.stat().st_size / 1024:.0f} KB | {figures['seconds']:.2f} s | "
                f"{figures['peak_mb'] - figures['idle_mb']:.1f} MB (idle {figures['idle_mb']:.0f} MB) | "
                f"{figures['message']} |"
            )
    if arguments.roster:
        roster(arguments.roster)


if __name__ == "__main__":
    main()
