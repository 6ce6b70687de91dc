"""Workbook bombs, built small: only what their zip directory and XML declare is huge. Used by
test_security_workbook_bombs.py and benchmarks/workbook_bombs.py; no Django here."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="企业名录" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    "</Relationships>"
)
_SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _xlsx(sheet: Callable[[Any], None], shared: Callable[[Any], None] | None = None) -> bytes:
    """A workbook written by hand, so that its sheet and shared strings are exactly what a test writes:
    ``sheet(handle)`` and ``shared(handle)`` write those members' XML, streamed and deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as handle:
            sheet(handle)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as handle:
            if shared is None:
                handle.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
            else:
                shared(handle)
    return out.getvalue()


def far_cell_bomb(*, declared: bool = True) -> bytes:
    """One cell at XFD1048576; with ``declared``, a dimension spanning A1:XFD1048576 (finding 1)."""

    def sheet(handle: Any) -> None:
        handle.write(_SHEET_OPEN.encode())
        if declared:
            handle.write(b'<dimension ref="A1:XFD1048576"/>')
        handle.write(
            b'<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
        )

    return _xlsx(sheet)


def shared_string_bomb(megabytes: int = 200) -> bytes:
    """A shared string of ``megabytes`` MB of one character, a few hundred KB once deflated (finding 3)."""

    def sheet(handle: Any) -> None:
        handle.write(_SHEET_OPEN.encode())
        handle.write(b'<dimension ref="A1"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>')
        handle.write(b"</sheetData></worksheet>")

    def shared(handle: Any) -> None:
        handle.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
        block = b"a" * (1024 * 1024)
        for _ in range(megabytes):
            handle.write(block)
        handle.write(b"</t></si></sst>")

    return _xlsx(sheet, shared)


def million_rows_bomb(rows: int = 1_000_000) -> bytes:
    """A sheet of ``rows`` rows and no dimension, a few MB deflated (finding 3)."""

    def sheet(handle: Any) -> None:
        handle.write(_SHEET_OPEN.encode())
        handle.write(b"<sheetData>")
        batch: list[bytes] = []
        for number in range(1, rows + 1):
            batch.append(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (number, number, number))
            if len(batch) == 10_000:
                handle.write(b"".join(batch))
                batch.clear()
        handle.write(b"".join(batch))
        handle.write(b"</sheetData></worksheet>")

    return _xlsx(sheet)
