"""The two sheet shapes of an offline form, written and read back cell by cell.

A *form sheet* lists one field per row (label, value, unit and explanation); a *table sheet* has one header
row of labels and one record per row below it. Both are matched on the Chinese labels, not on positions,
so that a person may reorder rows or columns without breaking the upload. Every cell is read by the kind
of its field; a cell that cannot be read names its sheet and cell (``年度数据!C3``) and the field's path in
the interchange format is kept only to find the cell; the person is told the sheet, the cell and the
field's Chinese label (``年度数据!C3 集群总产值``), never an internal key.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from smecluster.documents.cells import sheet_bytes
from smecluster.documents.workbook_limits import DEFAULT_LIMITS, WorkbookLimits, check_workbook
from smecluster.errors import Problem, UnusableInput
from smecluster.i18n import Listing, Text
from smecluster.i18n import Text as _

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024
"""A form is a few kilobytes; ten megabytes is far beyond any honest one and bounds a read's memory."""

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_YES, _NO = "是", "否"


class Kind(StrEnum):
    TEXT = "text"
    AMOUNT = "amount"
    PERCENT = "percent"
    COUNT = "count"
    YEAR = "year"
    BOOL = "bool"
    DATE = "date"
    CHOICE = "choice"
    CODES = "codes"


@dataclass(frozen=True)
class Column:
    """One field of a form: its key in the model, its Chinese label and how its cell is read."""

    key: str
    label: str
    kind: Kind
    unit: str = ""
    note: str = ""
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    """``(value, label)`` pairs of a choice; the sheet shows the labels, the model gets the values."""

    @property
    def header(self) -> str:
        return f"{self.label}（{self.unit}）" if self.unit else self.label


@dataclass
class SheetRead:
    """What a sheet held: the values by key (a form) or one mapping per row (a table), where each came
    from, and the cells that could not be read."""

    values: dict[str, Any] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)
    """Path in the interchange format → ``sheet!cell``."""
    labels: dict[str, str] = field(default_factory=dict)
    """Path in the interchange format → the field's label, as the sheet shows it."""
    unread: set[str] = field(default_factory=set)
    """The paths of the cells that could not be read (their problem is among ``problems``)."""
    problems: list[Problem] = field(default_factory=list)


def cell_problem(sheet: str, coordinate: str, label: str, message: str) -> Problem:
    """A problem at ``sheet!coordinate``, named by the field's label (``年度数据!C3 集群总产值``)."""
    return Problem(where_label(f"{sheet}!{coordinate}", label), message)


def where_label(where: str, label: str) -> str:
    """``年度数据!C3 集群总产值``: the cell and the label, as a message the boundary can translate."""
    if not label:
        return where
    if not where:
        return Text(label)
    return _("%(cell)s %(label)s", cell=where, label=Text(label))


# ---------------------------------------------------------------------------------------------- writing


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    # Through the one guard of every spreadsheet: a name typed as =HYPERLINK(...) stays text.
    return sheet_bytes(workbook)


def _cell_value(value: Any, column: Column) -> Any:
    if value is None:
        return None
    if column.kind == Kind.BOOL:
        return _YES if value else _NO
    if column.kind == Kind.CHOICE:
        return dict(column.choices).get(str(value), str(value))
    if column.kind == Kind.CODES:
        return "，".join(str(code) for code in value)
    if column.kind == Kind.DATE and isinstance(value, str):
        return date.fromisoformat(value)
    if column.kind in (Kind.AMOUNT, Kind.PERCENT) and not isinstance(value, Decimal):
        return Decimal(str(value))
    return value


def _number_format(column: Column) -> str | None:
    if column.kind == Kind.DATE:
        return "yyyy-mm-dd"
    if column.kind in (Kind.TEXT, Kind.CODES, Kind.CHOICE):
        # Text, so that Excel keeps 0-led codes and does not turn 440606 into a number.
        return "@"
    if column.kind in (Kind.COUNT, Kind.YEAR):
        return "0"
    return None


def _validation(column: Column) -> DataValidation | None:
    prompt = column.note or column.header
    if column.kind == Kind.BOOL:
        validation = DataValidation(type="list", formula1=f'"{_YES},{_NO}"', allow_blank=not column.required)
    elif column.kind == Kind.CHOICE:
        labels = ",".join(label for _, label in column.choices)
        validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=not column.required)
    elif column.kind == Kind.AMOUNT:
        validation = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    elif column.kind == Kind.PERCENT:
        validation = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
    elif column.kind == Kind.COUNT:
        validation = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    elif column.kind == Kind.YEAR:
        validation = DataValidation(type="whole", operator="between", formula1="1949", formula2="2100")
    elif column.kind == Kind.DATE:
        validation = DataValidation(type="date", operator="greaterThan", formula1="1")
    else:
        return None
    validation.allow_blank = not column.required
    validation.error = f"{column.header}：{prompt}"
    validation.errorTitle = column.label
    validation.prompt = prompt
    validation.promptTitle = column.label
    validation.showErrorMessage = True
    validation.showInputMessage = True
    return validation


def _style_header(sheet: Worksheet, width_of: Mapping[int, int]) -> None:
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.freeze_panes = "A2"
    for index, width in width_of.items():
        sheet.column_dimensions[get_column_letter(index)].width = width


def write_form_sheet(
    workbook: Workbook, title: str, columns: Sequence[Column], values: Mapping[str, Any]
) -> Worksheet:
    """One field per row: 项目 | 填写内容 | 单位 | 说明."""
    sheet: Worksheet = workbook.create_sheet(title)
    sheet.append(["项目", "填写内容", "单位", "说明"])
    for row, column in enumerate(columns, start=2):
        sheet.cell(row, 1, column.label + ("（必填）" if column.required else "")).font = _BOLD
        cell = sheet.cell(row, 2, _cell_value(values.get(column.key), column))
        if (number_format := _number_format(column)) is not None:
            cell.number_format = number_format
        sheet.cell(row, 3, column.unit)
        sheet.cell(row, 4, column.note).alignment = Alignment(wrap_text=True)
        if (validation := _validation(column)) is not None:
            sheet.add_data_validation(validation)
            validation.add(cell.coordinate)
    _style_header(sheet, {1: 34, 2: 36, 3: 10, 4: 60})
    return sheet


def write_table_sheet(
    workbook: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    *,
    blank_rows: int = 0,
) -> Worksheet:
    """A header row of labels with units, one row per record, and ``blank_rows`` validated rows to fill."""
    sheet: Worksheet = workbook.create_sheet(title)
    sheet.append([column.header + ("*" if column.required else "") for column in columns])
    written = 0
    for record in rows:
        sheet.append([_cell_value(record.get(column.key), column) for column in columns])
        written += 1
    last = 1 + written + blank_rows
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        number_format = _number_format(column)
        for row in range(2, last + 1):
            if number_format is not None:
                sheet.cell(row, index).number_format = number_format
        if (validation := _validation(column)) is not None and last >= 2:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last}")
    _style_header(
        sheet, {index: max(12, len(column.header) * 2 + 2) for index, column in enumerate(columns, 1)}
    )
    return sheet


def write_instructions(
    workbook: Workbook, title: str, lines: Sequence[str], sections: Mapping[str, Sequence[Column]]
) -> None:
    """The 填写说明 sheet: general rules, then every field of every sheet with its unit and meaning."""
    sheet = workbook.create_sheet(title, 0)
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in lines:
        sheet.append([line])
    sheet.append([])
    sheet.append(["工作表", "项目", "单位", "是否必填", "填写要求"])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    for sheet_title, columns in sections.items():
        for column in columns:
            choices = "、".join(label for _, label in column.choices)
            note = column.note + (f"（可选：{choices}）" if choices else "")
            sheet.append([sheet_title, column.label, column.unit, "是" if column.required else "否", note])
    for letter, width in zip("ABCDE", (14, 34, 10, 10, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


# ---------------------------------------------------------------------------------------------- reading


def open_workbook(
    data: bytes, *, source: str, sheets: Sequence[str], limits: WorkbookLimits = DEFAULT_LIMITS
) -> Workbook:
    """The workbook, or :class:`UnusableInput` when it is not one or lacks a sheet the form needs."""
    if not data:
        raise UnusableInput.single(source, "", _("文件为空"))
    if len(data) > MAX_WORKBOOK_BYTES:
        raise UnusableInput.single(
            source,
            "",
            _("文件大小 %(size)s 字节，超过上限 %(limit)s 字节", size=len(data), limit=MAX_WORKBOOK_BYTES),
        )
    check_workbook(data, limits, source=source)
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise UnusableInput.single(
            source, "", _("不是 Excel 工作簿（.xlsx）文件，请使用下载的模板填写")
        ) from None
    missing = [title for title in sheets if title not in workbook.sheetnames]
    if missing:
        raise UnusableInput(
            source,
            [Problem(title, _("缺少该工作表，请使用下载的模板填写")) for title in missing],
        )
    return workbook


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 48.4 stays 48.4.
        return Decimal(repr(value))
    if isinstance(value, str):
        return Decimal(value.strip().replace(",", ""))
    raise ValueError


_CODE_SPLIT = re.compile(r"[\s,，、;；]+")


def read_cell(value: Any, column: Column) -> Any:
    """The cell's value as the model wants it; :class:`ValueError` with a message naming what is wrong."""
    kind = column.kind
    if kind == Kind.TEXT:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()
    if kind in (Kind.AMOUNT, Kind.PERCENT):
        try:
            number = _decimal(value)
        except (ValueError, InvalidOperation):
            raise ValueError(_("“%(value)s”不是数字", value=value)) from None
        if not number.is_finite():
            raise ValueError(_("“%(value)s”不是有限的数字", value=value))
        return number
    if kind in (Kind.COUNT, Kind.YEAR):
        try:
            number = _decimal(value)
        except (ValueError, InvalidOperation):
            raise ValueError(_("“%(value)s”不是整数", value=value)) from None
        if not number.is_finite() or number != number.to_integral_value():
            raise ValueError(_("“%(value)s”不是整数", value=value))
        return int(number)
    if kind == Kind.BOOL:
        if value is True or value == _YES:
            return True
        if value is False or value == _NO:
            return False
        raise ValueError(_("“%(value)s”应填“是”或“否”", value=value))
    if kind == Kind.DATE:
        if isinstance(value, datetime):
            if value.time() != datetime.min.time():
                raise ValueError(_("“%(value)s”应为日期，不含时间", value=value))
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        text = str(value).strip()
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(_("“%(value)s”不是日期，应写作 YYYY-MM-DD", value=text)) from None
    if kind == Kind.CHOICE:
        text = str(value).strip()
        for choice, label in column.choices:
            if text in (choice, label):
                return choice
        choices = Listing(Text(label) for _value, label in column.choices)
        raise ValueError(_("“%(value)s”不是可选项：%(choices)s", value=text, choices=choices))
    # Kind.CODES
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    return [code for code in _CODE_SPLIT.split(str(value)) if code]


def _by_label(columns: Sequence[Column]) -> dict[str, Column]:
    labels: dict[str, Column] = {}
    for column in columns:
        for name in (column.label, column.header, column.label + "（必填）", column.header + "*"):
            labels[name] = column
    return labels


def read_form_sheet(sheet: Worksheet, columns: Sequence[Column], *, prefix: str = "") -> SheetRead:
    """Read a form sheet; ``prefix`` is the fields' parent in the interchange format (``quality_firms``)."""
    result = SheetRead()
    labels = _by_label(columns)
    seen: set[str] = set()
    for row in sheet.iter_rows(min_row=2):
        if len(row) < 2:
            continue
        label_cell, value_cell = row[0], row[1]
        label = str(label_cell.value).strip() if label_cell.value is not None else ""
        if not label:
            continue
        column = labels.get(label)
        if column is None:
            if not _blank(value_cell.value):
                result.problems.append(
                    cell_problem(
                        sheet.title, label_cell.coordinate, "", _("“%(label)s”不是本表的项目", label=label)
                    )
                )
            continue
        path = f"{prefix}.{column.key}" if prefix else column.key
        result.cells[path] = f"{sheet.title}!{value_cell.coordinate}"
        result.labels[path] = column.label
        if column.key in seen:
            result.problems.append(
                cell_problem(sheet.title, label_cell.coordinate, column.label, _("该项目重复出现"))
            )
            continue
        seen.add(column.key)
        if _blank(value_cell.value):
            continue
        try:
            result.values[column.key] = read_cell(value_cell.value, column)
        except ValueError as error:
            result.problems.append(
                cell_problem(sheet.title, value_cell.coordinate, column.label, error.args[0])
            )
            result.unread.add(path)
    return result


def read_table_sheet(sheet: Worksheet, columns: Sequence[Column], *, prefix: str) -> SheetRead:
    """Read a table sheet into rows; blank rows are skipped, and ``prefix[i]`` names the i-th record."""
    result = SheetRead()
    labels = _by_label(columns)
    header = list(next(sheet.iter_rows(min_row=1, max_row=1), ()))
    positions: dict[int, Column] = {}
    for position, cell in enumerate(header):
        if _blank(cell.value):
            continue
        column = labels.get(str(cell.value).strip())
        if column is None:
            result.problems.append(
                cell_problem(
                    sheet.title, cell.coordinate, "", _("“%(header)s”不是本表的列", header=cell.value)
                )
            )
        elif column in positions.values():
            result.problems.append(
                cell_problem(sheet.title, cell.coordinate, "", _("“%(header)s”列重复", header=cell.value))
            )
        else:
            positions[position] = column
    absent = [column for column in columns if column.required and column not in positions.values()]
    for column in absent:
        result.problems.append(Problem(sheet.title, _("缺少“%(header)s”列", header=column.header)))
    if result.problems:
        result.unread.add(prefix)  # no row is read under a header that is not the form's
        return result
    for row in sheet.iter_rows(min_row=2):
        if all(_blank(cell.value) for cell in row):
            continue
        index = len(result.rows)
        record: dict[str, Any] = {}
        for position, column in positions.items():
            if position >= len(row):
                continue
            cell = row[position]
            path = f"{prefix}[{index}].{column.key}"
            result.cells[path] = f"{sheet.title}!{cell.coordinate}"
            result.labels[path] = column.label
            if _blank(cell.value):
                continue
            try:
                record[column.key] = read_cell(cell.value, column)
            except ValueError as error:
                result.problems.append(
                    cell_problem(sheet.title, cell.coordinate, column.label, error.args[0])
                )
                result.unread.add(path)
        result.cells[f"{prefix}[{index}]"] = f"{sheet.title}!A{row[0].row}"
        result.rows.append(record)
    return result


def beyond_unread(problems: Iterable[Problem], unread: set[str]) -> list[Problem]:
    """The model's problems that are not about a cell (or a sheet's rows) already reported unreadable: such
    a value is absent from the document, and the model's "is required" would only repeat the problem."""
    return [
        problem
        for problem in problems
        if not any(
            problem.field == path or problem.field.startswith((f"{path}.", f"{path}[")) for path in unread
        )
    ]


def locate(
    problems: Iterable[Problem],
    cells: Mapping[str, str],
    sheet_of: Mapping[str, str],
    labels: Mapping[str, str],
) -> list[Problem]:
    """Name the sheet, cell and label of each model problem: the cell of the longest known path that
    starts the problem's field (``years[1]`` for ``years[1].year``), else the sheet its first part belongs
    to; the label of the field when it has one. The model's path is never shown: it is an internal key."""
    located = []
    for problem in problems:
        path = problem.field
        where = cells.get(path)
        candidate = path
        while where is None and candidate:
            candidate = re.sub(r"(\.[^.\[]*|\[[0-9]+\])$", "", candidate)
            if candidate == path:
                break
            where = cells.get(candidate)
        if where is None:
            top = re.split(r"[.\[]", path, maxsplit=1)[0] if path else ""
            where = sheet_of.get(top, "")
        label = labels.get(path) or labels.get(candidate, "")
        located.append(Problem(where_label(where, label), problem.message))
    return located
