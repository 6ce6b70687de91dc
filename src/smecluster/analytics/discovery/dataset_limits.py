"""Refusing a hostile enterprise-year file before DuckDB reads it: what a Parquet footer declares, and the
shape of a CSV counted without parsing it.

DuckDB trusts what a Parquet footer says (row counts, sizes, offsets) and reads a CSV line by line into
memory, so a small file can claim billions of rows or one line can hold the whole file. :func:`check_dataset`
runs first and refuses (:class:`UnusableInput`, naming the limit) when:

- the file is over ``max_bytes`` (a registered file; an upload is already capped by its own setting);
- a Parquet footer is longer than the file or than ``max_footer_bytes`` (read from the file's last eight
  bytes before pyarrow parses it), declares more rows, columns or row groups than allowed, a total
  uncompressed size over ``max_uncompressed_bytes``, an uncompressed size over ``max_ratio`` times the
  file's size, row groups whose rows do not add up, or column chunks lying outside the file;
- a CSV is compressed (gzip, zip, …: not accepted at all), has more lines than ``max_rows`` + 1, a header of
  more than ``max_columns`` columns, or a line longer than ``max_line_bytes``.

The CSV pass streams the file in chunks and only counts newline bytes (a quoted field holding a newline
counts as one more row: the count is an upper bound, which is what a cap needs). Memory stays bounded by
the chunk size; nothing here allocates in proportion to a number the file declares.
"""

from __future__ import annotations

import csv
import struct
from dataclasses import dataclass
from pathlib import Path

from smecluster.errors import UnusableInput

_MB = 1024 * 1024
_GB = 1024 * _MB
# Small enough that a chunk of nothing but newlines (8 bytes a position) stays a few megabytes.
_CHUNK = _MB
_PARQUET_MAGIC = b"PAR1"
# Magic numbers of compressed formats DuckDB or a person might hand over as a ".csv".
_COMPRESSED_MAGIC = {
    b"\x1f\x8b": "gzip",
    b"PK\x03\x04": "zip",
    b"(\xb5/\xfd": "zstd",
    b"BZh": "bzip2",
    b"\xfd7zXZ": "xz",
}
# A declared uncompressed size this small is never a bomb, whatever its ratio to a tiny file.
_RATIO_FLOOR_BYTES = 64 * _MB


@dataclass(frozen=True, slots=True)
class DatasetLimits:
    """How much an enterprise-year file may hold. The defaults admit twice the 10⁸ firm-years that
    ARCHITECTURE sets as one machine's target (100 M rows: 1.6 GB of Parquet, 3.5 GB uncompressed)."""

    max_bytes: int = 64 * _GB
    max_rows: int = 200_000_000
    max_columns: int = 64
    max_row_groups: int = 20_000
    max_footer_bytes: int = 16 * _MB
    max_uncompressed_bytes: int = 64 * _GB
    max_ratio: int = 100
    max_line_bytes: int = 64 * 1024


DEFAULT_LIMITS = DatasetLimits()
"""What the CLI uses, and the web layer unless its settings say otherwise."""


def check_dataset(path: Path, limits: DatasetLimits, *, source: str = "") -> None:
    """Raise :class:`UnusableInput` when the file (or each Parquet file of a directory) is over a limit.

    The kind is read from the file's content: a Parquet file ends with ``PAR1``; anything else is a CSV.
    """
    name = source or path.name
    if path.is_dir():
        rows = 0
        for part in sorted([*path.glob("*.parquet"), *path.glob("year=*/*.parquet")]):
            rows += _check_parquet(part, limits, f"{name}/{part.relative_to(path)}")
            if rows > limits.max_rows:
                raise _refuse(name, f"目录中的文件合计超过 {limits.max_rows} 行的行数上限")
        return
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise _refuse(name, f"文件 {size // _MB} MB，超过文件大小上限 {limits.max_bytes // _MB} MB")
    with path.open("rb") as handle:
        head = handle.read(8)
        handle.seek(max(0, size - 4))
        tail = handle.read(4)
    if head.startswith(_PARQUET_MAGIC) and tail == _PARQUET_MAGIC:
        _check_parquet(path, limits, name)
    else:
        _check_csv(path, head, limits, name)


def _refuse(source: str, message: str) -> UnusableInput:
    return UnusableInput.single(source, "", message)


def _check_parquet(path: Path, limits: DatasetLimits, source: str) -> int:
    """The rows the footer declares, once everything it declares is within the limits and the file."""
    # Imported here, as in each function that needs them: the web imports these limits with every page.
    import pyarrow.parquet as pq  # type: ignore[import-untyped]  # pyarrow 26 ships no type information

    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - 8))
        end = handle.read(8)
    if len(end) < 8 or end[4:] != _PARQUET_MAGIC:
        raise _refuse(source, "不是完整的 Parquet 文件（文件尾缺少 PAR1）")
    (footer,) = struct.unpack("<I", end[:4])
    if footer > size - 12:
        raise _refuse(source, f"Parquet 文件尾声明的元数据长 {footer} 字节，超过文件本身（{size} 字节）")
    if footer > limits.max_footer_bytes:
        raise _refuse(
            source,
            f"Parquet 元数据 {footer // _MB} MB，超过元数据大小上限 {limits.max_footer_bytes // _MB} MB",
        )
    try:
        metadata = pq.ParquetFile(path).metadata
    except Exception as error:  # pyarrow's message says what is wrong with the footer
        raise _refuse(source, f"Parquet 元数据无法读取：{str(error).splitlines()[0][:200]}") from error
    declared = {
        "行数": (metadata.num_rows, limits.max_rows),
        "列数": (metadata.num_columns, limits.max_columns),
        "行组数": (metadata.num_row_groups, limits.max_row_groups),
    }
    for what, (number, limit) in declared.items():
        if number < 0 or number > limit:
            raise _refuse(source, f"Parquet 元数据声明{what} {number}，超过{what}上限 {limit}")
    rows = 0
    uncompressed = 0
    for index in range(metadata.num_row_groups):
        group = metadata.row_group(index)
        rows += group.num_rows
        uncompressed += max(group.total_byte_size, 0)
        if group.num_rows < 0 or group.total_byte_size < 0:
            raise _refuse(source, f"Parquet 元数据中第 {index + 1} 个行组的行数或大小为负数")
        for column in range(group.num_columns):
            chunk = group.column(column)
            offsets = (chunk.dictionary_page_offset, chunk.data_page_offset)
            start = min((offset for offset in offsets if offset), default=0)
            if start < 0 or chunk.total_compressed_size < 0 or start + chunk.total_compressed_size > size:
                raise _refuse(
                    source, f"Parquet 元数据中第 {index + 1} 个行组的列“{chunk.path_in_schema}”超出文件范围"
                )
        if uncompressed > limits.max_uncompressed_bytes:
            break
    if rows != metadata.num_rows:
        raise _refuse(source, f"Parquet 元数据声明 {metadata.num_rows} 行，各行组合计却是 {rows} 行")
    if uncompressed > limits.max_uncompressed_bytes:
        raise _refuse(
            source,
            f"Parquet 元数据声明解压后至少 {uncompressed // _MB} MB，"
            f"超过解压后大小上限 {limits.max_uncompressed_bytes // _MB} MB",
        )
    if uncompressed > _RATIO_FLOOR_BYTES and uncompressed > limits.max_ratio * size:
        raise _refuse(
            source,
            f"Parquet 元数据声明解压后 {uncompressed // _MB} MB，是文件大小的 {uncompressed // size} 倍，"
            f"超过压缩比上限 {limits.max_ratio}:1",
        )
    return int(rows)


def _check_csv(path: Path, head: bytes, limits: DatasetLimits, source: str) -> None:
    for magic, kind in _COMPRESSED_MAGIC.items():
        if head.startswith(magic):
            raise _refuse(source, f"文件是 {kind} 压缩文件；请上传未压缩的 CSV 或 Parquet")
    shape = CsvShape(limits, source)
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            shape.feed(chunk)
    shape.finish()


class CsvShape:
    """The CSV limits checked over a stream of chunks, as they arrive: the header's columns, each line's
    length, the number of lines. A file is fed from disk (:func:`check_dataset`); a compressed extract is
    fed as it is decompressed (``discover prepare``), so that a bomb is refused at its limit, not after
    it has been written out whole."""

    def __init__(self, limits: DatasetLimits, source: str) -> None:
        self.limits = limits
        self.source = source
        self.lines = 0
        self._since_newline = 0  # bytes of the current line read so far, carried across chunks
        self._start = b""  # the first bytes, for a header without a newline

    def feed(self, chunk: bytes) -> None:
        import numpy as np

        limits, source = self.limits, self.source
        if len(self._start) < limits.max_line_bytes:
            self._start += chunk[: limits.max_line_bytes - len(self._start)]
        newlines = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == ord("\n"))
        if self.lines == 0 and newlines.size:
            _check_header(chunk[: newlines[0]], limits, source)
        longest = self._since_newline + (int(newlines[0]) if newlines.size else len(chunk))
        if newlines.size > 1:
            longest = max(longest, int(np.diff(newlines).max()) - 1)
        if longest > limits.max_line_bytes:
            raise _refuse(
                source, f"第 {self.lines + 1} 行附近有一行超过 {limits.max_line_bytes // 1024} KB 的行长上限"
            )
        self.lines += int(newlines.size)
        if self.lines > limits.max_rows + 1:  # + 1: the header
            raise _refuse(source, f"文件超过 {limits.max_rows} 行的行数上限")
        self._since_newline = len(chunk) - 1 - int(newlines[-1]) if newlines.size else longest

    def finish(self) -> None:
        """After the last chunk: a file of one line without a newline has its header checked here."""
        if self.lines == 0:  # already within the line-length limit
            _check_header(self._start, self.limits, self.source)


def _check_header(line: bytes, limits: DatasetLimits, source: str) -> None:
    columns = len(next(csv.reader([line.decode("utf-8-sig", "replace").rstrip("\r")]), []))
    if columns > limits.max_columns:
        raise _refuse(source, f"表头有 {columns} 列，超过列数上限 {limits.max_columns} 列")
