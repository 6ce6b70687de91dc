"""Hostile enterprise-year files, small on disk: Parquet files whose footer lies, CSVs too long, too wide or
with one enormous line, and a gzip bomb dressed as a CSV. Shared by test_security_dataset_bounds.py and
benchmarks/dataset_bombs.py."""

from __future__ import annotations

import gzip
import io
import struct

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow 26 ships no type information
import pyarrow.parquet as pq  # type: ignore[import-untyped]

HEADER = "credit_code,county_code,industry_code,year,employees,output,revenue,assets,rnd,patents,titles"
_ROW = "91440606MA00000001,440606,C3857,2024,100,5000,4000,3000,100,2,"
# A row count no other number of the small file shares, so its encodings in the footer are only it.
_ROWS = 4321


def _zigzag_varint(number: int) -> bytes:
    """How Thrift's compact protocol (Parquet's footer) writes an i32/i64."""
    value = (number << 1) ^ (number >> 63)
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _small_parquet() -> bytes:
    table = pa.table(
        {
            "credit_code": [f"91440606MA{index:08d}" for index in range(_ROWS)],
            "county_code": ["440606"] * _ROWS,
            "industry_code": ["C3857"] * _ROWS,
            "year": [2024] * _ROWS,
            "employees": [100] * _ROWS,
            "output": [5000.0] * _ROWS,
            "revenue": [4000.0] * _ROWS,
            "assets": [3000.0] * _ROWS,
            "rnd": [100.0] * _ROWS,
            "patents": [2] * _ROWS,
            "titles": [""] * _ROWS,
        }
    )
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd", write_statistics=False)
    return out.getvalue()


def _with_footer(data: bytes, footer: bytes) -> bytes:
    length = struct.unpack("<I", data[-8:-4])[0]
    body = data[: -8 - length]
    return body + footer + struct.pack("<I", len(footer)) + b"PAR1"


def _footer(data: bytes) -> bytes:
    length = struct.unpack("<I", data[-8:-4])[0]
    return data[-8 - length : -8]


def parquet_lying_rows(claimed: int = 10**12) -> bytes:
    """A real 4,321-row file whose footer (file, row group and column chunks alike) claims ``claimed``."""
    data = _small_parquet()
    footer = _footer(data)
    assert _zigzag_varint(_ROWS) in footer
    return _with_footer(data, footer.replace(_zigzag_varint(_ROWS), _zigzag_varint(claimed)))


def parquet_lying_size(claimed: int = 2**50) -> bytes:
    """A real small file whose row group declares ``claimed`` uncompressed bytes."""
    data = _small_parquet()
    declared = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(0).total_byte_size
    footer = _footer(data)
    assert footer.count(_zigzag_varint(declared)) == 1
    return _with_footer(data, footer.replace(_zigzag_varint(declared), _zigzag_varint(claimed)))


def parquet_lying_footer_length() -> bytes:
    """A file whose last eight bytes declare a footer of 2 GB."""
    data = _small_parquet()
    return data[:-8] + struct.pack("<I", 2**31) + b"PAR1"


def csv_many_rows(rows: int) -> bytes:
    return (HEADER + "\n" + (_ROW + "\n") * rows).encode()


def csv_wide(columns: int = 2_000) -> bytes:
    names = HEADER + "".join(f",c{index}" for index in range(columns))
    return (names + "\n" + _ROW + "\n").encode()


def csv_enormous_line(megabytes: int = 64) -> bytes:
    """A header, then one line of ``megabytes`` MB without a newline."""
    return (HEADER + "\n").encode() + b"x" * (megabytes * 1024 * 1024)


def csv_gzip_bomb(megabytes: int = 1024) -> bytes:
    """``megabytes`` MB of CSV lines gzipped (about 1/1000 of that on disk), to be named ``.csv``."""
    out = io.BytesIO()
    line = (_ROW + "\n").encode()
    block = line * (1024 * 1024 // len(line))
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as packed:
        packed.write((HEADER + "\n").encode())
        for _ in range(megabytes):
            packed.write(block)
    return out.getvalue()
