"""Refusing a hostile XLSX before any parser sees it: the zip's sizes and the sheets' declared extent.

An XLSX is a zip of XML parts. Parsers trust what a file declares: python-calamine builds a dense grid
as large as the sheet's ``<dimension ref="A1:XFD1048576">`` (17 billion cells for one real cell, and Rust
aborts the process, which Python cannot catch); openpyxl and calamine both inflate every shared string.
So :func:`check_workbook` reads only the zip's central directory and the first bytes of each sheet,
never extracting a member whole, and refuses (:class:`UnusableInput`, naming the limit) when:

- a member's declared uncompressed size, or the sum over all members, is over ``max_uncompressed_bytes``;
- a member's compression ratio (uncompressed / compressed) is over ``max_ratio`` (a zip bomb);
- a worksheet declares more rows or more columns than allowed (so rows × columns is bounded too);
- a worksheet without a ``<dimension>`` holds more rows than allowed, counted while streaming it.

The declared sizes are what the zip's directory says; :mod:`zipfile` stops reading a member at its
declared size and checks its CRC, so a member cannot inflate past what was checked here.
Memory stays bounded by the chunk size: nothing here allocates in proportion to a number the file declares.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from smecluster.errors import UnusableInput

_MB = 1024 * 1024
_CHUNK = 64 * 1024
# The <dimension> element comes right after <sheetPr>; a few kilobytes always reach it when it is there.
_HEAD_BYTES = 16 * 1024
_SHEET_MEMBER = re.compile(r"xl/(worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml", re.IGNORECASE)
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")
_ROW_OPEN = re.compile(rb"<(?:\w+:)?row[\s>/]")
_ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br\s*=\s*[\"']([0-9]{1,9})[\"']")
_WIDE_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br\s*=\s*[\"']\$?([A-Za-z]{2,3})\$?[0-9]")
_TAIL_BYTES = 64
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


@dataclass(frozen=True, slots=True)
class WorkbookLimits:
    """How much an uploaded workbook may hold. The defaults admit a county roster of 200,000 firms."""

    max_rows: int = 250_000
    max_columns: int = 200
    max_uncompressed_bytes: int = 200 * _MB
    max_ratio: int = 100


DEFAULT_LIMITS = WorkbookLimits()
"""What the CLI uses, and the web layer unless its settings say otherwise."""


def check_workbook(
    data_or_path: bytes | Path, limits: WorkbookLimits, *, source: str = "", count_rows: bool = True
) -> None:
    """Raise :class:`UnusableInput` when the workbook is over a limit; return when it may be parsed.

    A file that is not a zip at all passes: the parser that follows reports it in its own words.
    ``count_rows=False`` checks only what the file declares (the zip's directory and each sheet's
    ``<dimension>``, in its first kilobytes): milliseconds, where streaming a 100,000-row sheet to count
    its rows takes a second or more. It is the check a request makes before handing the file to a job,
    whose parser is preceded by the whole check.
    """
    name = source or (data_or_path.name if isinstance(data_or_path, Path) else "workbook")
    opened: IO[bytes] = (
        io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path.open("rb")
    )
    with opened:
        try:
            archive = zipfile.ZipFile(opened)
        except (zipfile.BadZipFile, OSError, ValueError):
            return
        with archive:
            members = archive.infolist()
            _check_sizes(members, limits, name)
            for member in members:
                if _SHEET_MEMBER.fullmatch(member.filename):
                    _check_sheet(archive, member, limits, name, count_rows=count_rows)


def _refuse(source: str, message: str) -> UnusableInput:
    return UnusableInput.single(source, "file", message)


def _check_sizes(members: list[zipfile.ZipInfo], limits: WorkbookLimits, source: str) -> None:
    allowed_mb = limits.max_uncompressed_bytes // _MB
    total = 0
    for member in members:
        if member.file_size > limits.max_uncompressed_bytes:
            raise _refuse(
                source,
                f"工作簿中的“{member.filename}”解压后 {member.file_size // _MB} MB，"
                f"超过解压后大小上限 {allowed_mb} MB",
            )
        # Tiny members (an empty sheet, [Content_Types].xml) compress well without being bombs.
        if member.file_size > _CHUNK and member.file_size > limits.max_ratio * max(member.compress_size, 1):
            ratio = member.file_size // max(member.compress_size, 1)
            raise _refuse(
                source,
                f"工作簿中的“{member.filename}”压缩比 {ratio}:1，超过压缩比上限 {limits.max_ratio}:1"
                "（疑为压缩炸弹）",
            )
        total += member.file_size
    if total > limits.max_uncompressed_bytes:
        raise _refuse(source, f"工作簿解压后共 {total // _MB} MB，超过解压后大小上限 {allowed_mb} MB")


def _check_sheet(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    limits: WorkbookLimits,
    source: str,
    *,
    count_rows: bool,
) -> None:
    try:
        stream = archive.open(member)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError):
        return  # damaged or encrypted: the parser says so in its own words
    with stream:
        head = _read(stream, _HEAD_BYTES)
        body_start = _SHEET_DATA.search(head)
        dimension = _DIMENSION.search(head[: body_start.start()] if body_start else head)
        if dimension is not None:
            extent = _extent(dimension.group(1).decode("ascii", "replace"))
            if extent is not None:
                _check_extent(member.filename, *extent, limits=limits, source=source)
        # Declared or not, the rows are counted: a dimension may understate what the sheet holds.
        if count_rows:
            _count_rows(stream, head, member.filename, limits, source)


def _read(stream: IO[bytes], size: int) -> bytes:
    try:
        return stream.read(size)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return b""


def _extent(ref: str) -> tuple[int, int] | None:
    """(rows, columns) of a range such as ``A1:XFD1048576``, or of one cell; None when unreadable."""
    corners = [_CELL_REF.fullmatch(part.strip()) for part in ref.split(":")]
    if not corners or len(corners) > 2 or any(corner is None for corner in corners):
        return None
    rows = [int(corner.group(2)) for corner in corners if corner]
    columns = [_column_number(corner.group(1)) for corner in corners if corner]
    return max(rows) - min(rows) + 1 if len(rows) == 2 else rows[0], (
        max(columns) - min(columns) + 1 if len(columns) == 2 else columns[0]
    )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _check_extent(
    sheet: str, rows: int, columns: int, *, limits: WorkbookLimits, source: str, declared: bool = True
) -> None:
    reach = "声明" if declared else "的单元格延伸到"
    if rows > limits.max_rows:
        raise _refuse(source, f"工作表“{sheet}”{reach}第 {rows} 行，超过行数上限 {limits.max_rows} 行")
    if columns > limits.max_columns:
        raise _refuse(source, f"工作表“{sheet}”{reach}第 {columns} 列，超过列数上限 {limits.max_columns} 列")


def _count_rows(stream: IO[bytes], head: bytes, sheet: str, limits: WorkbookLimits, source: str) -> None:
    """Count the rows and find the farthest row and column any cell names, chunk by chunk: a parser's
    grid spans up to the farthest cell, so one cell at ``XFD1048576`` without a dimension is as bad."""
    rows = 0
    farthest_row = 0
    farthest_column = 0
    tail = b""  # the end of the previous chunk, so that a tag split across two chunks is still seen
    chunk = head
    while chunk:
        window = tail + chunk
        rows += len(_ROW_OPEN.findall(window)) - len(_ROW_OPEN.findall(tail))
        for number in _ROW_NUMBER.findall(window):
            farthest_row = max(farthest_row, int(number))
        # Only references of two or more letters (column 27 on) can be far; a set keeps it cheap.
        for letters in set(_WIDE_CELL.findall(window)):
            farthest_column = max(farthest_column, _column_number(letters.decode("ascii")))
        if rows > limits.max_rows:
            raise _refuse(source, f"工作表“{sheet}”的行数超过行数上限 {limits.max_rows} 行")
        _check_extent(sheet, farthest_row, farthest_column, limits=limits, source=source, declared=False)
        tail = window[-_TAIL_BYTES:]
        chunk = _read(stream, _CHUNK)
