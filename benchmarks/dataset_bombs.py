"""What refusing a hostile enterprise-year file costs: peak memory above the idle process, and time
(issue 12).

Run: .venv/bin/python benchmarks/dataset_bombs.py [--ordinary PATH ...]

Each bomb (tests/security/bomb_datasets.py) is written to a file, then refused in a fresh child process
through ``open_enterprise_years`` (the check runs before DuckDB reads anything): the child records its peak
RSS (``VmHWM`` of /proc/self/status, the high-water mark of this process's own memory, so each bomb needs
its own process; ``getrusage``'s ru_maxrss would carry the parent's peak over the fork), is refused, and
records the peak again. The CSV row cap is the default (200 M lines), so the "too many rows" bomb is a
real file of 200 M short lines built on disk. Target: under 100 MB above the idle process, within 2 s.
``--ordinary`` also times the check on real files, which must pass. Figures go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "security"))

from bomb_datasets import (
    HEADER,
    csv_enormous_line,
    csv_gzip_bomb,
    csv_wide,
    parquet_lying_footer_length,
    parquet_lying_rows,
    parquet_lying_size,
)


def _write_many_rows(path: Path) -> None:
    """200,000,001 lines of two bytes after the header: just over the default row cap (400 MB)."""
    block = b"1\n" * (1024 * 1024)
    with path.open("wb") as handle:
        handle.write((HEADER + "\n").encode())
        for _ in range(200_000_001 // (1024 * 1024) + 1):
            handle.write(block)


BOMBS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "Parquet footer claiming 10^12 rows": ("b.parquet", lambda p: p.write_bytes(parquet_lying_rows())),
    "Parquet footer claiming 1 PB uncompressed": ("b.parquet", lambda p: p.write_bytes(parquet_lying_size())),
    "Parquet footer length of 2 GB": ("b.parquet", lambda p: p.write_bytes(parquet_lying_footer_length())),
    "CSV header of 2,011 columns": ("b.csv", lambda p: p.write_bytes(csv_wide())),
    "CSV line of 64 MB": ("b.csv", lambda p: p.write_bytes(csv_enormous_line())),
    "gzip bomb (1 GB of CSV) named .csv": ("b.csv", lambda p: p.write_bytes(csv_gzip_bomb())),
    "CSV of 200 M + 1 lines": ("b.csv", _write_many_rows),
}


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def refuse(path: str) -> None:
    """In the child: open the file as discovery does, and let the check refuse it."""
    from smecluster.analytics.discovery import source
    from smecluster.errors import UnusableInput

    connection = source.connect_duckdb(threads=2)
    idle = _peak_mb()
    started = time.perf_counter()
    try:
        source.open_enterprise_years(connection, Path(path))
        message = "accepted"
    except UnusableInput as refused:
        message = refused.problems[0].message
    seconds = time.perf_counter() - started
    print(json.dumps({"idle_mb": idle, "peak_mb": _peak_mb(), "seconds": seconds, "message": message}))


def ordinary(path: Path) -> None:
    from smecluster.analytics.discovery.dataset_limits import DEFAULT_LIMITS, check_dataset

    started = time.perf_counter()
    check_dataset(path, DEFAULT_LIMITS)
    print(f"{path.name} ({path.stat().st_size / 1e6:.0f} MB): passes the check in "
          f"{time.perf_counter() - started:.2f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--refuse", help=argparse.SUPPRESS)
    parser.add_argument("--ordinary", type=Path, nargs="*", default=[], help="real files that must pass")
    arguments = parser.parse_args()
    if arguments.refuse:
        refuse(arguments.refuse)
        return
    print("| bomb | file | refused in | peak RSS above idle | message |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as directory:
        for name, (filename, build) in BOMBS.items():
            path = Path(directory) / filename
            build(path)
            child = subprocess.run(
                [sys.executable, __file__, "--refuse", str(path)], capture_output=True, text=True, check=True
            )
            figures = json.loads(child.stdout)
            size = path.stat().st_size
            shown = f"{size / 1024:.0f} KB" if size < 10 * 1024 * 1024 else f"{size / 1024 / 1024:.0f} MB"
            print(
                f"| {name} | {shown} | {figures['seconds']:.2f} s | "
                f"{figures['peak_mb'] - figures['idle_mb']:.1f} MB (idle {figures['idle_mb']:.0f} MB) | "
                f"{figures['message']} |"
            )
            path.unlink()
    for path in arguments.ordinary:
        ordinary(path)


if __name__ == "__main__":
    main()
