"""Time the discovery queries on DuckDB (through Ibis) and in pandas (or on Spark in local mode, through the
same Ibis queries: ``--engines duckdb,spark``), and check they agree.

    nice -n 10 .venv/bin/python benchmarks/discovery/run.py \
        /work/bench-data/discovery-1m/enterprise_year.parquet

Each query runs in a fresh child process per engine, so that its peak RSS (``ru_maxrss``) is its own
and a pandas run that exhausts memory fails alone: the pandas child runs under
``RLIMIT_AS = --pandas-memory-limit-gib`` (default 20 GiB of the 24) and reports a MemoryError instead of
taking the machine down. DuckDB runs with ``threads = --threads`` (default 2) and its own memory limit.
Each run reports wall-clock and CPU seconds (all threads of the child: on a machine shared with other
work the CPU figure is the steadier one) and the load average when the child started. Times are wall-clock
seconds from the query's start to its result in memory (a pyarrow table for Ibis,
a DataFrame for pandas), reading the Parquet file each time; the DuckDB figure is the best of
``--repeat`` runs (default 3; the first includes the OS page cache warming), reported with the median,
pandas runs once per query unless ``--pandas-repeat`` says otherwise. The 1-minute load average as each
run starts is recorded beside it (other people's jobs on a shared machine stretch wall times).

With ``--compare`` (the default) both results are written to a temporary Parquet file and compared: the
same rows, equal integers and booleans, floats equal within 1e-12 relative.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = ("location_quotients", "sme_shares", "indicator_panel", "output_growth")
TARGETS_AT_100M = {
    "location_quotients": 2.0,
    "sme_shares": 12.0,
    "indicator_panel": 10.0,
    "output_growth": 3.0,
}
HERE = Path(__file__).resolve().parent


def versions() -> dict[str, str]:
    import duckdb
    import ibis
    import pandas
    import pyarrow

    return {
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "ibis-framework": ibis.__version__,
        "pyarrow": pyarrow.__version__,
        "pandas": pandas.__version__,
        "cpus": str(os.cpu_count()),
    }


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


class PlainSql:
    """The query as one hand-written DuckDB statement (plain_sql.py): the anchor the Ibis path is held to
    (issue 18: within 1.2x). Its own DuckDB connection, with the Ibis path's settings."""

    def __init__(self, args: argparse.Namespace) -> None:
        import duckdb

        sys.path.insert(0, str(HERE))
        import plain_sql

        self.connection = duckdb.connect()
        self.connection.execute(f"SET threads = {int(args.threads)}")
        self.connection.execute(f"SET memory_limit = '{args.duckdb_memory_limit_gib}GiB'")
        self.connection.execute("SET enable_progress_bar = false")
        self.connection.execute("SET preserve_insertion_order = false")
        self.statement = plain_sql.QUERIES[args.query](plain_sql.relation(Path(args.file)))
        self.timings: list[float] = []
        self.cpu: list[float] = []
        self.loads: list[tuple[float, float, float]] = []
        self.result = None

    def run(self) -> None:
        self.loads.append(os.getloadavg())
        started, cpu_started = time.perf_counter(), time.process_time()
        self.result = self.connection.execute(self.statement).to_arrow_table()
        self.timings.append(time.perf_counter() - started)
        self.cpu.append(time.process_time() - cpu_started)

    def report(self) -> dict[str, object]:
        return {"seconds": self.timings, "cpu_seconds": self.cpu, "load_averages": self.loads}


def child(args: argparse.Namespace) -> int:
    """Run one query on one engine; print a JSON line with the timings."""
    timings: list[float] = []
    cpu: list[float] = []  # CPU seconds of the process (all threads) per run: less sensitive to other load
    loads: list[tuple[float, float, float]] = []  # the load average as each run started
    report: dict[str, object] = {"engine": args.engine, "query": args.query, "load_average": os.getloadavg()}
    try:
        if args.engine == "duckdb":
            from smecluster.analytics.discovery import queries, source

            connection = source.connect_duckdb(threads=args.threads)
            connection.raw_sql(f"SET memory_limit = '{args.duckdb_memory_limit_gib}GiB'")
            query = getattr(queries, args.query)
            plain = PlainSql(args) if args.interleave_sql else None
            for _ in range(args.repeat):
                loads.append(os.getloadavg())
                started, cpu_started = time.perf_counter(), time.process_time()
                table = source.open_enterprise_years(connection, Path(args.file))
                result = query(table).to_pyarrow()
                timings.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
                if plain is not None:  # right after, so both see the same load
                    plain.run()
            report["threads"] = int(connection.raw_sql("SELECT current_setting('threads')").fetchone()[0])
            frame = result.to_pandas()
            if plain is not None:
                report["plain_sql"] = plain.report()
                if args.sql_result_out:
                    plain.result.to_pandas().to_parquet(args.sql_result_out)
        elif args.engine == "sql":
            plain = PlainSql(args)
            for _ in range(args.repeat):
                plain.run()
            timings, cpu, loads = plain.timings, plain.cpu, plain.loads
            report["threads"] = args.threads
            frame = plain.result.to_pandas()
        elif args.engine == "spark":
            # Spark in local mode on --threads cores (the parity test's engine; issue 18). The session starts
            # once, outside the timed runs; the timings, CPU seconds and peak RSS are this Python process's:
            # the JVM doing the work is a child process, so its CPU and memory are not in them.
            from smecluster.analytics.discovery import engines, queries, source

            connection = engines.connect_spark(f"local[{args.threads}]")
            query = getattr(queries, args.query)
            for _ in range(args.repeat):
                loads.append(os.getloadavg())
                started, cpu_started = time.perf_counter(), time.process_time()
                table = source.open_enterprise_years(connection, Path(args.file))
                result = query(table).to_pyarrow()
                timings.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
            report["threads"] = args.threads
            frame = result.to_pandas()
        else:
            limit = args.pandas_memory_limit_gib * 1024**3
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            sys.path.insert(0, str(HERE))
            import pandas_queries

            for _ in range(args.pandas_repeat):
                loads.append(os.getloadavg())
                started, cpu_started = time.perf_counter(), time.process_time()
                frame = pandas_queries.QUERIES[args.query](Path(args.file))
                timings.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
        report["rows"] = len(frame)
        if args.result_out:
            frame.to_parquet(args.result_out)
    except MemoryError:
        report["error"] = f"MemoryError under a {args.pandas_memory_limit_gib} GiB address-space limit"
    report["seconds"] = timings
    report["cpu_seconds"] = cpu
    report["load_averages"] = loads
    report["peak_rss_bytes"] = peak_rss_bytes()
    print(json.dumps(report))
    return 0


def compare_frames(left, right) -> list[str]:  # type: ignore[no-untyped-def]
    """Differences between two query results (pandas DataFrames), empty when they agree."""
    import numpy as np

    key = ["county_code", "division", "year"]
    problems = []
    if set(left.columns) != set(right.columns):
        problems.append(f"columns differ: {sorted(set(left.columns) ^ set(right.columns))}")
        return problems
    if len(left) != len(right):
        return [f"{len(left)} rows against {len(right)}"]
    left = left.sort_values(key).reset_index(drop=True)
    right = right.sort_values(key).reset_index(drop=True)[left.columns]
    for name in left.columns:
        a, b = left[name], right[name]
        if a.dtype.kind == "f" or b.dtype.kind == "f" or "double" in str(a.dtype) or "double" in str(b.dtype):
            x, y = a.to_numpy(dtype="float64", na_value=np.nan), b.to_numpy(dtype="float64", na_value=np.nan)
            bad = ~(np.isclose(x, y, rtol=1e-12, atol=0.0) | (np.isnan(x) & np.isnan(y)))
        else:
            bad = a.astype(str).to_numpy() != b.astype(str).to_numpy()
        if bad.any():
            index = int(np.flatnonzero(bad)[0])
            problems.append(
                f"{name}: {int(bad.sum())} rows differ, e.g. {left.loc[index, key].to_dict()}: "
                f"{a.iloc[index]!r} against {b.iloc[index]!r}"
            )
    return problems


def run_child(
    args: argparse.Namespace, query: str, engine: str, out: Path, sql_out: Path | None
) -> dict[str, object]:
    """One query on one engine in a child process (with ``sql_out``: the plain SQL interleaved with the
    Ibis path, its result written there); its JSON report, or an error report."""
    command = [sys.executable, __file__, args.file, "--child",
               "--engine", engine, "--query", query,
               "--threads", str(args.threads), "--repeat", str(args.repeat),
               "--pandas-repeat", str(args.pandas_repeat),
               "--pandas-memory-limit-gib", str(args.pandas_memory_limit_gib),
               "--duckdb-memory-limit-gib", str(args.duckdb_memory_limit_gib)]  # fmt: skip
    if args.compare:
        command += ["--result-out", str(out)]
    if sql_out is not None:
        command += ["--interleave-sql"] + (["--sql-result-out", str(sql_out)] if args.compare else [])
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        tail = (completed.stderr.strip().splitlines() or ["(no output)"])[-1]
        error = f"exit {completed.returncode}: {tail}"
        return {"engine": engine, "query": query, "error": error, "seconds": []}
    report: dict[str, object] = json.loads(lines[-1])
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "file", help="the enterprise-year Parquet file (generate.py), or a prepared layout's directory"
    )
    parser.add_argument("--queries", default=",".join(QUERIES))
    parser.add_argument(
        "--engines",
        default="duckdb,sql,pandas",
        help="duckdb (the Ibis queries), sql (plain_sql.py), pandas, spark; each is compared with the first",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pandas-repeat", type=int, default=1)
    parser.add_argument("--pandas-memory-limit-gib", type=int, default=20)
    parser.add_argument("--duckdb-memory-limit-gib", type=int, default=12)
    parser.add_argument("--no-compare", dest="compare", action="store_false")
    parser.add_argument("--json-out", type=Path, help="also write the figures here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--query", help=argparse.SUPPRESS)
    parser.add_argument("--result-out", help=argparse.SUPPRESS)
    parser.add_argument("--interleave-sql", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sql-result-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)

    import pandas as pd
    import pyarrow.parquet as pq

    path = Path(args.file)
    # A prepared layout (smecluster discover prepare) is a directory of year=YYYY/*.parquet files.
    parts = sorted(path.glob("year=*/*.parquet")) if path.is_dir() else [path]
    rows = sum(pq.ParquetFile(part).metadata.num_rows for part in parts)
    summary: dict[str, object] = {"file": args.file, "rows": rows, "versions": versions(), "results": []}
    print(f"{args.file}: {rows:,} rows; {summary['versions']}", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        for query in args.queries.split(","):
            outputs = {}
            best_of: dict[str, float] = {}
            best_cpu: dict[str, float] = {}
            engines = args.engines.split(",")
            plain_sql_report: dict[str, object] | None = None
            for engine in engines:
                out = Path(scratch) / f"{query}-{engine}.parquet"
                if engine == "sql" and plain_sql_report is not None:
                    # Already run, interleaved with the Ibis path in the duckdb child.
                    report = plain_sql_report
                else:
                    # The plain SQL runs in the same child, each run right after the Ibis one, so that
                    # both see the same load (on a shared machine the load swings between children).
                    interleave = engine == "duckdb" and "sql" in engines[engines.index("duckdb") + 1 :]
                    sql_out = Path(scratch) / f"{query}-sql.parquet"
                    report = run_child(args, query, engine, out, sql_out if interleave else None)
                    if "plain_sql" in report:
                        plain_sql_report = {
                            "engine": "sql",
                            "query": query,
                            "interleaved_with": "duckdb",
                            "load_average": report["load_average"],
                            **report.pop("plain_sql"),  # type: ignore[dict-item]
                        }
                if report.get("seconds") and out.exists():
                    outputs[engine] = out
                best = min(report["seconds"]) if report["seconds"] else None
                if best is not None:
                    best_of[engine] = best
                    best_cpu[engine] = min(report["cpu_seconds"])
                report["best_seconds"] = best
                report["median_seconds"] = statistics.median(report["seconds"]) if report["seconds"] else None
                report["best_cpu_seconds"] = min(report["cpu_seconds"]) if report.get("cpu_seconds") else None
                summary["results"].append(report)  # type: ignore[union-attr]
                shown = (
                    f"best {best:.2f} s, median {report['median_seconds']:.2f} s"
                    if best is not None
                    else report.get("error")
                )
                rss = report.get("peak_rss_bytes")
                memory = f"peak RSS {rss / 2**30:.2f} GiB  " if rss else "(in the duckdb child)  "
                print(
                    f"  {query:20s} {engine:7s} {shown}  runs {[round(s, 2) for s in report['seconds']]}  "
                    f"cpu {[round(s, 2) for s in report.get('cpu_seconds', [])]}  {memory}"
                    "load (1 min) per run "
                    f"{[round(load[0], 2) for load in report.get('load_averages', [])]}"
                    if best is not None
                    else f"  {query:20s} {engine:7s} {shown}",
                    flush=True,
                )
            if args.compare and len(outputs) >= 2:
                # Every engine's result against the first engine's (the Ibis path on DuckDB by default).
                (first, first_path), *others = outputs.items()
                reference = pd.read_parquet(first_path)
                for engine, other_path in others:
                    problems = compare_frames(reference, pd.read_parquet(other_path))
                    agreement = {"query": query, "engines": [first, engine], "same_result": not problems}
                    summary["results"].append({**agreement, "problems": problems})  # type: ignore[union-attr]
                    verdict = "agree" if not problems else "DIFFER: " + "; ".join(problems)
                    print(f"  {query:20s} {first} and {engine}: results {verdict}", flush=True)
            if "duckdb" in best_of and "sql" in best_of:
                # Wall-clock and CPU seconds (all threads), best of --repeat each: on a machine shared with
                # other work the CPU ratio is the steadier of the two.
                ratio = best_of["duckdb"] / best_of["sql"]
                cpu_ratio = best_cpu["duckdb"] / best_cpu["sql"]
                summary["results"].append(  # type: ignore[union-attr]
                    {
                        "query": query,
                        "ibis_over_plain_sql": ratio,
                        "ibis_over_plain_sql_cpu": cpu_ratio,
                        "ibis_seconds": best_of["duckdb"],
                        "plain_sql_seconds": best_of["sql"],
                        "ibis_cpu_seconds": best_cpu["duckdb"],
                        "plain_sql_cpu_seconds": best_cpu["sql"],
                    }
                )
                print(
                    f"  {query:20s} Ibis {best_of['duckdb']:.2f} s, plain SQL {best_of['sql']:.2f} s: "
                    f"ratio {ratio:.2f}; CPU {best_cpu['duckdb']:.2f} s against {best_cpu['sql']:.2f} s: "
                    f"ratio {cpu_ratio:.2f} (best of {args.repeat} each)",
                    flush=True,
                )
    if args.json_out:
        args.json_out.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
