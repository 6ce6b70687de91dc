"""Preparing a registry extract once for fast discovery: checked rows in the fast layout, and a summary cube.

``smecluster discover prepare RAW --output DIR`` reads an enterprise-year extract (Parquet, or CSV in UTF-8
or GB18030, plain or gzip/bzip2/xz-compressed; codes as text or numbers; rows in any order; any Parquet
compression) and writes into DIR:

``enterprise_year/year=YYYY/part-0.parquet``
    the accepted rows with typed columns (county code int32, division int8, the int32 ``county_division``
    key of :mod:`.source`, figures as the extract types them or exact decimals from text), one Hive-style
    directory per year (the year is in the path, not in the files), each file sorted by
    ``county_division``, LZ4-compressed: the generator's fast layout, which
    :func:`.source.open_enterprise_years` reads as a directory (the year as int16).
``cube.parquet``
    one row per county × division × size class × year (the class of the 2011 standard as
    :func:`.queries.size_class_code` computes it, 1 large … 4 micro, NULL undecided) with the firm count and
    the sums of every figure, and the firms holding each title: what LQ (employees per cell), SME shares
    (firms and output per class) and the panel's sums need, at 10⁵–10⁶ rows instead of 10⁸.
``rejected_sample.csv``
    rejected rows (up to ``sample_size``) with their reason and their values as read. From a Parquet file:
    the first ones, with their row number. From a CSV: no row number (DuckDB's CSV reader gives none, and
    numbering with a window doubled the pass), and in file order only within each chunk DuckDB reads in
    parallel (measured: 20 planted rows in 1 M came out as 1800-1805, 1809, 1810, 1806, …).
``rejected_lines.csv`` (CSV only)
    the first lines that are not rows at all (too few or too many fields), with their line number.
``preparation.json``
    the report: rows read, accepted, rejected per reason, the years, the time taken.

**Checks** (a row is rejected for the first that fails, in this order; the reason keys are stable):

=========================== =================================================================================
``line_malformed``          (CSV) a line with too few or too many fields: in ``rejected_lines.csv``
``county_code_unknown``     not a GB/T 2260 county-level division (or a 不设区的地级市) in the reference table
``industry_code_invalid``   not ``[section letter]`` + 2–4 digits, the division not a GB/T 4754-2017 division,
                            or the section letter not the division's
``year_implausible``        missing, not a whole number, or outside ``[min_year, max_year]``
``<figure>_not_a_number``   employees, output, revenue, assets, rnd or patents present but not a number
``<figure>_negative``       one of those below zero (a missing figure is kept: the size class treats it)
``credit_code_malformed``   present and not the GB 32100 shape (18 characters: 2 of the code alphabet,
                            6 digits, 10 of the code alphabet; the alphabet has no I, O, Z, S, V)
=========================== =================================================================================

Numeric codes: a county code as a number is its six digits; an industry code as a number of one or two
digits is a division (``7`` → ``07``), of three or four digits a class (``610`` → ``0610``).

Everything runs as DuckDB SQL in one pass over the extract (into a typed staging file holding each row's
reason), then one sorted write per year, so memory stays within DuckDB's limit whatever the extract's size.
The bounds of :mod:`.dataset_limits` are checked before DuckDB parses anything.
"""

from __future__ import annotations

import codecs
import io
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from smecluster.analytics.discovery import cube as summary_cube
from smecluster.analytics.discovery.dataset_limits import (
    DEFAULT_LIMITS,
    CsvShape,
    DatasetLimits,
    check_dataset,
)
from smecluster.analytics.discovery.file_columns import FIGURES, REQUIRED_COLUMNS
from smecluster.analytics.discovery.size_standard import STANDARD_2011
from smecluster.errors import UnusableInput
from smecluster.i18n import Text as _
from smecluster.reference import divisions, industries

MONEY: Final = ("output", "revenue", "assets", "rnd")
COUNTS: Final = ("employees", "patents")
# What a figure becomes when the extract holds it as text: exact decimals for money, integers for counts.
_TEXT_TYPES: Final = {**dict.fromkeys(MONEY, "DECIMAL(18,4)"), **dict.fromkeys(COUNTS, "BIGINT")}
# GB 32100's code alphabet: digits and capital letters without I, O, Z, S, V.
CREDIT_CODE_PATTERN: Final = r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}"
# A section letter (optional) and 2-4 digits: a division, a group or a class of GB/T 4754-2017.
_INDUSTRY_PATTERN: Final = "[A-T]?[0-9]{2,4}"
MIN_YEAR: Final = 1949
SAMPLE_SIZE: Final = 1000
ENCODINGS: Final = ("utf-8", "gb18030")
_DETECT_BYTES = 4 * 1024 * 1024
_ROW_GROUP_SIZE = 1_000_000
Progress = Callable[[int, str], None]
"""``report(percent, stage)``: how far a preparation is (0-100) and what it is doing, in words with the
counts so far (a :class:`~smecluster.i18n.Text`, translated by the web's job page)."""


def _unwatched(percent: int, stage: str) -> None:
    """Progress nobody watches (the command line)."""


def reasons() -> tuple[str, ...]:
    """Every reason key, in the order the checks run."""
    figures = [f"{name}_{what}" for name in FIGURES for what in ("not_a_number", "negative")]
    return (
        "line_malformed",
        "county_code_unknown",
        "industry_code_invalid",
        "year_implausible",
        *figures,
        "credit_code_malformed",
    )


@dataclass(frozen=True, slots=True)
class Preparation:
    """What ``prepare`` did: counts, the years written, where the outputs are, and how long it took."""

    source: str
    encoding: str | None
    rows_read: int
    rows_accepted: int
    rejected: dict[str, int]
    years: list[int]
    cube_rows: int
    size_standard: str
    """The size standard of the cube's classes (``standard_id`` of the reference data)."""
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds per step: ``bounds`` (decompressing and checking the limits), ``staging`` (the pass over
    the extract), ``report`` (counts and sample), ``layout``, ``cube``."""
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        return sum(self.rejected.values())

    def as_json(self) -> str:
        return json.dumps({**asdict(self), "rows_rejected": self.rows_rejected}, ensure_ascii=False, indent=2)


def prepare(
    raw: Path,
    output: Path,
    *,
    max_year: int,
    encoding: str | None = None,
    limits: DatasetLimits | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    sample_size: int = SAMPLE_SIZE,
    report: Progress = _unwatched,
) -> Preparation:
    """Check ``raw`` and write the layout, the cube, the rejected sample and the report into ``output``,
    telling ``report`` each step with its counts. Raises :class:`UnusableInput` for a file that cannot be
    used at all (over a limit, unreadable, a required column missing, an unknown encoding)."""
    stopwatch = _Stopwatch()
    source = str(raw)
    if not raw.is_file():
        raise UnusableInput.single(source, "", "没有这个文件")
    if encoding is not None and encoding.lower().replace("_", "-") not in ENCODINGS:
        raise UnusableInput.single("--encoding", "", f"应为 {' 或 '.join(ENCODINGS)}，而不是 {encoding}")
    limits = limits or DEFAULT_LIMITS
    if output.exists() and any(output.iterdir()):
        raise UnusableInput.single(str(output), "", "输出目录已存在且不为空")
    output.mkdir(parents=True, exist_ok=True)
    staging = output / "staging.parquet"
    transcoded = output / "transcoded.csv"
    decompressed = output / "decompressed.csv"
    try:
        if (kind := _compression(raw)) is not None:
            # Decompressed first, its CSV bounds checked chunk by chunk as it comes out (a bomb stops at
            # the limit it breaks, not after it is written out whole), before DuckDB parses a byte of it.
            _decompress_bounded(raw, kind, decompressed, limits, source)
            raw = decompressed
        else:
            check_dataset(raw, limits, source=source)
        stopwatch.lap("bounds")
        report(5, _("逐行检查文件（%(size)s MB）", size=f"{raw.stat().st_size / 1_048_576:,.0f}"))
        return _prepare_checked(
            raw,
            output,
            source,
            staging,
            transcoded,
            max_year,
            encoding,
            threads,
            memory_limit,
            sample_size,
            stopwatch,
            report,
        )
    finally:
        decompressed.unlink(missing_ok=True)


def _prepare_checked(
    raw: Path,
    output: Path,
    source: str,
    staging: Path,
    transcoded: Path,
    max_year: int,
    encoding: str | None,
    threads: int | None,
    memory_limit: str | None,
    sample_size: int,
    stopwatch: _Stopwatch,
    progress: Progress,
) -> Preparation:
    import duckdb

    connection = duckdb.connect()
    try:
        connection.execute("SET enable_progress_bar = false")
        if threads is not None:
            connection.execute(f"SET threads = {int(threads)}")
        if memory_limit is not None:
            connection.execute("SET memory_limit = ?", [memory_limit])
        connection.execute("SET temp_directory = ?", [str(output / ".tmp")])
        is_parquet = _is_parquet(raw)
        used_encoding: str | None = None
        if is_parquet:
            reader = f"read_parquet({_quote(str(raw))}, file_row_number = true)"
        else:
            used_encoding = (encoding or _detect_encoding(raw)).lower().replace("_", "-")
            readable = raw
            if used_encoding != "utf-8":
                _transcode(raw, used_encoding, transcoded)
                readable = transcoded
            # A line with too few or too many fields is set aside (DuckDB's reject tables), not fatal.
            reader = (
                f"read_csv({_quote(str(readable))}, header = true, all_varchar = true, store_rejects = true)"
            )
        try:
            connection.execute(f"CREATE VIEW raw AS SELECT * FROM {reader}")
            columns = {
                name: kind
                for name, kind, *_ in connection.execute("DESCRIBE raw").fetchall()
                if name != "file_row_number"
            }
        except duckdb.Error as error:
            raise UnusableInput.single(source, "", f"无法读取：{error}") from error
        missing = [name for name in REQUIRED_COLUMNS if name != "credit_code" and name not in columns]
        if missing:
            raise UnusableInput.single(source, ", ".join(missing), "缺少该列")
        _load_references(connection)
        connection.execute(_checked_sql(columns, max_year, row_numbers=is_parquet))
        try:
            connection.execute(f"COPY checked TO {_quote(str(staging))} (FORMAT parquet, COMPRESSION lz4)")
        except duckdb.Error as error:
            raise UnusableInput.single(source, "", f"无法读取：{error}") from error
        stopwatch.lap("staging")
        staged = f"read_parquet({_quote(str(staging))})"
        counts = dict(connection.execute(f"SELECT reason, count(*) FROM {staged} GROUP BY reason").fetchall())
        accepted = int(counts.pop(None, 0))
        lines = output / "rejected_lines.csv"
        if not is_parquet:
            (malformed,) = connection.execute(
                "SELECT count(DISTINCT (scan_id, line)) FROM reject_errors"
            ).fetchone() or (0,)
            if malformed:
                counts["line_malformed"] = int(malformed)
            connection.execute(
                "COPY (SELECT line, any_value(error_type) AS error_type, any_value(csv_line) AS csv_line "
                f"FROM reject_errors GROUP BY scan_id, line ORDER BY line LIMIT {int(sample_size)}) "
                f"TO {_quote(str(lines))} (HEADER, DELIMITER ',')"
            )
        rejected = {reason: int(counts[reason]) for reason in reasons() if reason in counts}
        checked = _(
            "已检查 %(rows)s 行，拒收 %(rejected)s 行",
            rows=f"{accepted + sum(rejected.values()):,}",
            rejected=f"{sum(rejected.values()):,}",
        )
        progress(55, checked)
        sample = output / "rejected_sample.csv"
        raw_columns = ", ".join(f"{_ident('raw_' + name)} AS {_ident(name)}" for name in columns)
        connection.execute(
            # Parquet rows sort by their row number; a CSV's come in the staging file's order, which is the
            # extract's within each chunk read in parallel.
            f"COPY (SELECT source_row, reason, {raw_columns} FROM {staged} WHERE reason IS NOT NULL "
            f"{'ORDER BY source_row ' if is_parquet else ''}LIMIT {int(sample_size)}) "
            f"TO {_quote(str(sample))} (HEADER, DELIMITER ',')"
        )
        years = [
            int(year)
            for (year,) in connection.execute(
                f"SELECT DISTINCT year FROM {staged} WHERE reason IS NULL ORDER BY year"
            ).fetchall()
        ]
        stopwatch.lap("report")
        layout = output / summary_cube.LAYOUT_DIRECTORY
        # The year is the directory's name (Hive style, as Spark and pyarrow expect), not a file column.
        kept = ", ".join(name for name in _LAYOUT_COLUMNS if name != "year")
        for done, year in enumerate(years):
            progress(
                60 + 25 * done // len(years),
                _(
                    "%(checked)s；按年度写入 %(year)s 年（%(done)s/%(all)s）",
                    checked=checked,
                    year=year,
                    done=done + 1,
                    all=len(years),
                ),
            )
            part = layout / f"year={year}"
            part.mkdir(parents=True)
            connection.execute(
                f"COPY (SELECT {kept} FROM {staged} WHERE reason IS NULL AND year = {year} "
                f"ORDER BY county_division) TO {_quote(str(part / 'part-0.parquet'))} "
                f"(FORMAT parquet, COMPRESSION lz4, ROW_GROUP_SIZE {_ROW_GROUP_SIZE})"
            )
    finally:
        connection.close()
        staging.unlink(missing_ok=True)
        transcoded.unlink(missing_ok=True)
        shutil.rmtree(output / ".tmp", ignore_errors=True)  # DuckDB's spill files, if it spilled
    stopwatch.lap("layout")
    progress(85, _("%(checked)s；汇总各县×行业×规模×年度", checked=checked))
    cube_rows = summary_cube.write_cube(layout, output, threads=threads) if years else 0
    if years:
        # The rankings of the rule sets loaded now, compiled once here rather than at each first question.
        from smecluster.analytics.discovery import screens
        from smecluster.policy.ruleset import rule_sets

        screens.keep_compiled_rankings(output, rule_sets().values())
    stopwatch.lap("cube")
    report = Preparation(
        source=source,
        encoding=used_encoding,
        rows_read=accepted + sum(rejected.values()),
        rows_accepted=accepted,
        rejected=rejected,
        years=years,
        cube_rows=cube_rows,
        size_standard=STANDARD_2011,
        seconds=round(sum(stopwatch.phases.values()), 3),
        phases=stopwatch.phases,
        outputs={
            "layout": summary_cube.LAYOUT_DIRECTORY,
            "cube": summary_cube.CUBE_FILE,
            "cube_leading": summary_cube.LEADING_FILE,
            "rejected_sample": sample.name,
            **({"rejected_lines": lines.name} if lines.exists() else {}),
        },
    )
    # Written last: its presence marks a complete preparation (cube.is_prepared).
    (output / summary_cube.REPORT_FILE).write_text(report.as_json(), encoding="utf-8")
    progress(100, _("%(checked)s；汇总为 %(cells)s 个单元", checked=checked, cells=f"{cube_rows:,}"))
    return report


class _Stopwatch:
    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round(now - self._last, 3)
        self._last = now


_LAYOUT_COLUMNS: Final = (
    "credit_code",
    "county_code",
    "industry_code",
    "division",
    "county_division",
    "year",
    *FIGURES,
    "titles",
)


def _checked_sql(columns: dict[str, str], max_year: int, *, row_numbers: bool) -> str:
    """The view ``checked``: each row's typed values, its reason (NULL when accepted) and, for rejected
    rows only, its values as read. ``source_row`` is the row's number in a Parquet file (``row_numbers``:
    read with ``file_row_number``); a CSV reader has none to give, and numbering rows with a window
    (``row_number() OVER ()``) made the pass 1.8 times slower at 20 M rows, so a CSV's is NULL."""

    def text(name: str) -> str:
        return f"NULLIF(trim(CAST({_ident(name)} AS VARCHAR)), '')"

    def is_text(name: str) -> bool:
        return columns[name] == "VARCHAR"

    # Casts to text, trims and patterns cost most of the pass: a column the file already types as a
    # number is cast directly and never tested for "not a number".
    county_text = text("county_code")
    county_key = (
        f"CASE WHEN length({county_text}) = 6 THEN TRY_CAST({county_text} AS INTEGER) END"
        if is_text("county_code")
        else 'TRY_CAST("county_code" AS INTEGER)'
    )  # a sign or a space inside gives a number that is no known county: the lookup refuses it
    year = f"TRY_CAST({text('year')} AS SMALLINT)" if is_text("year") else 'TRY_CAST("year" AS SMALLINT)'
    industry = f"upper({text('industry_code')})"
    if not is_text("industry_code"):
        industry = f"lpad({industry}, CASE WHEN length({industry}) <= 2 THEN 2 ELSE 4 END, '0')"
    figure_values = {
        name: (f"TRY_CAST({text(name)} AS {_TEXT_TYPES[name]})" if is_text(name) else _ident(name))
        for name in FIGURES
    }
    credit = f"upper({text('credit_code')})" if "credit_code" in columns else "NULL::VARCHAR"
    titles = text("titles")
    checks = [
        ("county_code_unknown", "county_key IS NULL OR county_key NOT IN (SELECT code FROM known_counties)"),
        ("industry_code_invalid", "division IS NULL OR (section <> '' AND section <> division_section)"),
        ("year_implausible", f"v_year IS NULL OR v_year NOT BETWEEN {MIN_YEAR} AND {int(max_year)}"),
    ]
    for name in FIGURES:
        if is_text(name):
            checks.append((f"{name}_not_a_number", f"{text(name)} IS NOT NULL AND v_{name} IS NULL"))
        checks.append((f"{name}_negative", f"v_{name} < 0"))
    checks.append(
        (
            "credit_code_malformed",
            f"v_credit_code IS NOT NULL AND NOT regexp_full_match(v_credit_code, '{CREDIT_CODE_PATTERN}')",
        )
    )
    reason = "CASE " + " ".join(f"WHEN {test} THEN '{key}'" for key, test in checks) + " END"
    raw_values = ", ".join(
        f"CASE WHEN reason IS NOT NULL THEN CAST({_ident(name)} AS VARCHAR) END AS {_ident('raw_' + name)}"
        for name in columns
    )
    return f"""
CREATE VIEW checked AS
WITH parsed AS (
    SELECT
        *,
        {"file_row_number + 1" if row_numbers else "NULL::BIGINT"} AS source_row,
        {county_key} AS county_key,
        {industry} AS v_industry_code,
        -- Digits sort before letters: a first character at or after "A" is a section letter.
        CASE WHEN v_industry_code >= 'A' THEN v_industry_code[1] ELSE '' END AS section,
        CASE WHEN regexp_full_match(v_industry_code, '{_INDUSTRY_PATTERN}')
            THEN TRY_CAST(v_industry_code[length(section) + 1:length(section) + 2] AS TINYINT) END
            AS code_division,
        {year} AS v_year,
        {", ".join(f"{value} AS v_{name}" for name, value in figure_values.items())},
        {credit} AS v_credit_code,
        {titles} AS v_titles
    FROM raw
), joined AS (
    -- A list indexed by the division (01-97) gives its section: a lookup within the row, not a join,
    -- so the rows keep the extract's order (the rejected sample's "first" rows) and no hash table is built.
    SELECT
        *,
        {_division_sections()}[code_division] AS division_section,
        CASE WHEN division_section IS NOT NULL THEN code_division END AS division
    FROM parsed
), reasoned AS (
    SELECT *, {reason} AS reason
    FROM joined
)
SELECT
    source_row,
    reason,
    v_credit_code AS credit_code,
    county_key AS county_code,
    v_industry_code AS industry_code,
    division,
    CAST(county_key * 100 + division AS INTEGER) AS county_division,
    v_year AS year,
    {", ".join(f"v_{name} AS {name}" for name in FIGURES)},
    v_titles AS titles,
    {raw_values}
FROM reasoned
"""


def _division_sections() -> str:
    """A SQL list of 99 entries: at position d, the section letter of GB/T 4754-2017 division d, or NULL."""
    sections = {int(entry.code): entry.section for entry in industries.entries("division")}
    return "[" + ", ".join(f"'{sections[d]}'" if d in sections else "NULL" for d in range(1, 100)) + "]"


def _load_references(connection: Any) -> None:
    counties = sorted(
        {int(d.code) for d in divisions.divisions("county")}
        | {int(c) for c in divisions.county_level_cities()}
    )
    connection.execute("CREATE TEMP TABLE known_counties (code INTEGER)")
    connection.executemany("INSERT INTO known_counties VALUES (?)", [(code,) for code in counties])


def _compression(path: Path) -> str | None:
    """``gzip``, ``bzip2`` or ``xz`` when the file is compressed that way (by its first bytes); None for a
    plain file. zstd is refused with a message (no zstd decoder in the standard library before 3.14)."""
    with path.open("rb") as handle:
        head = handle.read(6)
    for magic, kind in {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ": "xz"}.items():
        if head.startswith(magic):
            return kind
    if head.startswith(b"(\xb5/\xfd"):
        raise UnusableInput.single(
            str(path), "", "zstd 压缩的 CSV 暂不支持：请解压，或提供 gzip 压缩的 CSV 或 Parquet 文件"
        )
    return None


def _open_decompressed(path: Path, kind: str) -> io.BufferedIOBase:
    """The file's bytes decompressed; the caller closes it (a ``with`` block)."""
    import bz2
    import gzip
    import lzma

    if kind == "gzip":
        return gzip.open(path, "rb")
    if kind == "bzip2":
        return bz2.open(path, "rb")
    return lzma.open(path, "rb")


def _decompress_bounded(path: Path, kind: str, target: Path, limits: DatasetLimits, source: str) -> None:
    """Decompress ``path`` into ``target``, each chunk checked against the CSV limits (:class:`CsvShape`:
    lines, line length, the header's columns) and the size limit before it is written."""
    import lzma

    shape = CsvShape(limits, source)
    written = 0
    try:
        with _open_decompressed(path, kind) as reader, target.open("wb") as out:
            while chunk := reader.read(1 << 20):
                written += len(chunk)
                if written > limits.max_bytes:
                    raise UnusableInput.single(
                        source, "", f"解压后超过文件大小上限 {limits.max_bytes // (1024 * 1024)} MB"
                    )
                shape.feed(chunk)
                out.write(chunk)
        shape.finish()
    except (OSError, EOFError, ValueError, lzma.LZMAError) as error:  # a damaged or truncated archive
        raise UnusableInput.single(source, "", f"无法解压：{error}") from error


def _is_parquet(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PAR1"


def _detect_encoding(path: Path) -> str:
    """UTF-8 when the file's first megabytes decode as UTF-8 (a GB18030 text of any length almost never
    does), GB18030 otherwise."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            decoder.decode(handle.read(_DETECT_BYTES), final=False)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _transcode(path: Path, encoding: str, target: Path) -> None:
    """The CSV re-encoded as UTF-8 (DuckDB reads UTF-8 only without an extension), streamed in chunks."""
    try:
        with (
            path.open(encoding=encoding, newline="") as reader,
            target.open("w", encoding="utf-8", newline="") as out,
        ):
            while chunk := reader.read(1 << 20):
                out.write(chunk)
    except UnicodeDecodeError as error:
        raise UnusableInput.single(str(path), "", f"不是 {encoding} 编码的文本：{error}") from error


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
