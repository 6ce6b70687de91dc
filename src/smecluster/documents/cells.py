"""The one guard of every spreadsheet this platform writes: text from people is data, never a formula.

A cluster's name, a leading industry or a firm's name is typed by someone outside the office that later
opens the download; ``=HYPERLINK("http://x","y")`` in it must reach Excel as the text it is (OWASP "CSV
Injection"). Text beginning with ``= + - @``, a tab or a carriage return is the risk:

- in an XLSX it is stored as a string cell (openpyxl's ``data_type = "s"``, written as an inline string),
  which Excel shows as typed and never evaluates, so the value keeps every character;
- a CSV has no cell types, so there the value gets a leading ``'`` (:func:`csv_text`), which spreadsheets
  hide and treat as "this is text";
- JSON and the API carry the value unchanged: a program reading them is not a spreadsheet.

Every writer goes through this module: :func:`sheet_bytes` for a workbook built in memory (it turns any
formula cell into a string cell just before saving, so no writer can forget a cell) and
:func:`streamed_row` for openpyxl's write-only mode, whose rows are written as they are appended.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP's list)."""


def starts_like_formula(value: object) -> bool:
    return isinstance(value, str) and value[:1] in FORMULA_STARTS


def csv_text(value: Any) -> Any:
    """A CSV cell's value: text that a spreadsheet would run as a formula gets a leading ``'``. CSV only:
    never in JSON, where the value must arrive unchanged."""
    if starts_like_formula(value):
        return "'" + value
    return value


def streamed_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """``value`` for a write-only sheet's row: text that looks like a formula becomes a string cell."""
    if not starts_like_formula(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def streamed_row(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """A write-only sheet's row with every value through :func:`streamed_cell`."""
    return [streamed_cell(sheet, value) for value in values]


def keep_text(workbook: Workbook) -> Workbook:
    """Every formula cell of an in-memory workbook made a string cell holding the same text.

    openpyxl types a string beginning with ``=`` as a formula when it is assigned; none of our writers puts
    a formula in a cell (drop-down lists and validations live elsewhere), so every formula cell here came
    from data."""
    for sheet in workbook.worksheets:
        if not isinstance(sheet, Worksheet):
            continue
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    cell.data_type = "s"
    return workbook


def sheet_bytes(workbook: Workbook) -> bytes:
    """The XLSX bytes of a workbook: in-memory workbooks through :func:`keep_text` first (a write-only
    workbook has written its rows already, each through :func:`streamed_row`)."""
    if not workbook.write_only:
        keep_text(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
