"""Downloads of list pages: CSV in UTF-8 with a byte-order mark (so Excel on a Chinese Windows opens it
right), and XLSX with typed cells. Every list page answers ``?format=csv`` and ``?format=xlsx`` with the
rows its filters select."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from smecluster.documents.cells import csv_text, sheet_bytes, streamed_cell

BOM = "\ufeff"


def local_time(moment: datetime | None) -> str:
    """A moment as Beijing time (Asia/Shanghai, the site's TIME_ZONE), to the second."""
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _write_csv(stream: Any, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    stream.write(BOM)
    writer = csv.writer(stream)
    writer.writerow([str(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else str(cell) for cell in row])


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """A download named ``filename`` (ASCII, ``.csv``), one header row then one row per record."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    _write_csv(response, header, rows)
    return response


def wants_csv(request: Any) -> bool:
    """A list page answers ``?format=csv`` with its rows as a download."""
    return bool(request.GET.get("format") == "csv")


# --- XLSX beside CSV ---------------------------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOAD_FORMATS = ("csv", "xlsx")
_SIZED_ROWS = 200  # column widths follow the header and the first rows; the rest are streamed


def wanted_download(request: Any) -> str | None:
    """``csv`` or ``xlsx`` when a list page is asked for its rows as a download (``?format=``)."""
    wanted = request.GET.get("format")
    return wanted if wanted in DOWNLOAD_FORMATS else None


def _csv_cell(cell: Any) -> Any:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return local_time(cell)
    if isinstance(cell, date):
        return cell.isoformat()
    # A spreadsheet runs a cell that begins with = + - @ as a formula: text stays text.
    return csv_text(cell)


def _width(cell: Any) -> int:
    if isinstance(cell, datetime):
        return 19
    if isinstance(cell, date):
        return 10
    text = "" if cell is None else str(cell)
    # A Chinese character is about two columns wide.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def xlsx_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet_title: str = "Sheet1") -> bytes:
    """One sheet: a bold, frozen header row; dates as date cells, moments as Beijing date-times, numbers as
    numbers, text as text (never a formula). Written in openpyxl's write-only mode, so a 100,000-row
    download does not hold every cell in memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31])
    iterator = iter(rows)
    first = [list(row) for _, row in zip(range(_SIZED_ROWS), iterator, strict=False)]
    titles = [str(cell) for cell in header]
    for index, title in enumerate(titles, start=1):
        widest = max([_width(title), *(_width(row[index - 1]) for row in first if len(row) >= index)])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, widest + 2))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)

    def typed(value: Any) -> Any:
        if isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
            return cell
        if isinstance(value, date):
            # A midnight datetime shown as a date: openpyxl's stubs take no bare date.
            cell = WriteOnlyCell(sheet, value=datetime.combine(value, time()))
            cell.number_format = "yyyy-mm-dd"
            return cell
        if isinstance(value, str):
            # XML cannot hold control characters; a pasted name sometimes carries one.
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            return streamed_cell(sheet, value)
        if value is not None and not isinstance(value, int | float | Decimal | str | bool):
            return str(value)
        return value

    for row in itertools.chain(first, iterator):
        sheet.append([typed(value) for value in row])
    return sheet_bytes(book)


def tabular_response(
    request: Any,
    filename_stem: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str | None = None,
) -> HttpResponse:
    """A list page's rows as ``?format=csv`` (UTF-8 with BOM) or ``?format=xlsx``, named ``filename_stem``
    (ASCII) plus the extension. Amounts are numbers whose unit the header names (``产值（亿元）``)."""
    if wanted_download(request) == "xlsx":
        response = HttpResponse(
            xlsx_bytes(header, rows, sheet_title=sheet_title or filename_stem), content_type=XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{filename_stem}.xlsx"'
        return response
    return csv_response(f"{filename_stem}.csv", header, ([_csv_cell(cell) for cell in row] for row in rows))


def tabular_bytes(
    wanted: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet_title: str
) -> tuple[bytes, str, str]:
    """The same download as :func:`tabular_response`, as a file's content, its type and its extension: what
    the job worker keeps for a download too large to make inside a request."""
    if wanted == "xlsx":
        return xlsx_bytes(header, rows, sheet_title=sheet_title), XLSX_CONTENT_TYPE, "xlsx"
    stream = io.StringIO()
    _write_csv(stream, header, ([_csv_cell(cell) for cell in row] for row in rows))
    return stream.getvalue().encode("utf-8"), "text/csv; charset=utf-8", "csv"
