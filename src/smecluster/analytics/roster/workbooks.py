"""The roster as workbooks: the blank template with its drop-downs and notes (:func:`write_template`), the
error report of a refused upload (:func:`write_error_report`) and a stored roster written back
(:func:`write_roster`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from smecluster.analytics.roster.reading import (
    INSTRUCTIONS_SHEET,
    ROSTER_COLUMNS,
    ROSTER_SHEET,
    TITLE_NAMES_ZH,
    EnterpriseRow,
    RosterColumn,
    RowError,
    Title,
    column_letter,
)


def write_template() -> bytes:
    """The roster template: the header row on sheet 企业名录 with number formats and drop-downs, and a
    填写说明 sheet giving each column's meaning, unit and rule."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = ROSTER_SHEET
    sheet.append([column.header_zh for column in ROSTER_COLUMNS])
    sheet.freeze_panes = "A2"
    last_row = 100_001  # room for the largest rosters the import is measured on
    for index, column in enumerate(ROSTER_COLUMNS):
        letter = column_letter(index)
        header = sheet[f"{letter}1"]
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[letter].width = max(12, len(column.header_zh) * 2 + 2)
        number_format = _NUMBER_FORMATS.get(column.key)
        if number_format:
            sheet.column_dimensions[letter].number_format = number_format
        cells = f"{letter}2:{letter}{last_row}"
        if column.key == "leading":
            yes_no = DataValidation(type="list", formula1='"是,否"', allow_blank=False)
            yes_no.error, yes_no.errorTitle = "请填“是”或“否”", "是否属于主导产业"
            yes_no.add(cells)
            _explain(column, yes_no)
            sheet.add_data_validation(yes_no)
        elif column.key == "titles":
            # Several titles may share a cell, so typing a value not in the list must stay possible:
            # an "information" alert explains instead of refusing.
            titles = DataValidation(
                type="list",
                formula1='"' + ",".join(_TEMPLATE_TITLES) + '"',
                allow_blank=True,
                errorStyle="information",
                showErrorMessage=True,
            )
            titles.error = "可填多个称号，用顿号“、”分隔"
            titles.errorTitle = "企业称号"
            titles.add(cells)
            _explain(column, titles)
            sheet.add_data_validation(titles)
        elif column.key in ("employees", "invention_patents"):
            whole = DataValidation(
                type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
            )
            whole.error, whole.errorTitle = "应为不小于0的整数", column.header_zh
            whole.add(cells)
            _explain(column, whole)
            sheet.add_data_validation(whole)
        elif column.unit == "万元":
            amount = DataValidation(
                type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
            )
            amount.error, amount.errorTitle = "应为不小于0的数字，单位万元", column.header_zh
            amount.add(cells)
            _explain(column, amount)
            sheet.add_data_validation(amount)
        elif column.key in ("credit_code", "county_code", "industry_code"):
            sheet.column_dimensions[letter].number_format = "@"  # text: keeps leading zeros (01, 0111)
    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET)
    instructions.append(["列名", "单位", "是否必填", "填写说明"])
    for column in ROSTER_COLUMNS:
        instructions.append(
            [column.header_zh, column.unit or "—", "必填" if column.required else "选填", column.description]
        )
    for note in _TEMPLATE_NOTES:
        instructions.append([])
        instructions.append([note])
    for cell in instructions[1]:
        cell.font = Font(bold=True)
    for letter, width in (("A", 28), ("B", 8), ("C", 10), ("D", 90)):
        instructions.column_dimensions[letter].width = width
    return _save(workbook)


def _explain(column: RosterColumn, validation: Any) -> None:
    """Excel shows the column's rule when a cell is selected, and refuses (or, for titles, questions) a
    value that breaks it; openpyxl leaves both off unless asked."""
    validation.showErrorMessage = True
    validation.showInputMessage = True
    validation.promptTitle = column.header_zh[:32]  # Excel's limits: 32 and 255 characters
    validation.prompt = column.description[:255]


_NUMBER_FORMATS = {
    "employees": "0",
    "invention_patents": "0",
    "revenue": "#,##0.00",
    "assets": "#,##0.00",
    "output": "#,##0.00",
    "rnd": "#,##0.00",
}
_TEMPLATE_TITLES = ("单项冠军", "小巨人", "专精特新", "创新型", "高新技术企业")
_TEMPLATE_NOTES = (
    "每家企业填一行，从第2行开始；第1行列名不要修改。一个统一社会信用代码只能出现一次。",
    "金额单位均为万元；人数、专利数为整数；没有的数值填0，不要留空（资产总额、企业称号除外）。",
    "企业规模按《中小企业划型标准规定》（工信部联企业〔2011〕300号）由系统根据行业、从业人员、营业收入、资产总额自动划分，无需填写。",
    "上传后系统逐行校验；只要有一处错误，整份名录都不会保存，并可下载逐行错误报告，改正后重新上传。",
    "可保存为 Excel 工作簿（.xlsx）或 CSV（UTF-8 或 GB18030 编码）上传。",
)


def write_error_report(errors: Iterable[RowError]) -> bytes:
    """The row-by-row error report of a refused roster: 行号, 列, 内容, 问题."""
    from openpyxl import Workbook

    from smecluster.documents.cells import streamed_row

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("错误报告")
    sheet.column_dimensions["B"].width = 26
    sheet.column_dimensions["C"].width = 30
    sheet.column_dimensions["D"].width = 80
    sheet.append(["行号", "列", "内容", "问题"])
    for error in errors:
        sheet.append(streamed_row(sheet, [error.row, error.column, error.value, error.message]))
    return _save(workbook)


def write_roster(rows: Iterable[EnterpriseRow]) -> bytes:
    """A roster as XLSX, in the template's layout, so that a download can be edited and uploaded again."""
    from openpyxl import Workbook

    from smecluster.documents.cells import streamed_row

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(ROSTER_SHEET)
    sheet.append([column.header_zh for column in ROSTER_COLUMNS])
    for row in rows:
        sheet.append(
            streamed_row(
                sheet,
                [
                    row.credit_code,
                    row.name,
                    row.county_code,
                    row.industry_code,
                    row.employees,
                    row.revenue,
                    row.assets,
                    row.output,
                    row.rnd,
                    row.invention_patents,
                    "、".join(TITLE_NAMES_ZH[title] for title in Title if title in row.titles),
                    "是" if row.leading else "否",
                ],
            )
        )
    return _save(workbook)


def _save(workbook: Any) -> bytes:
    # The one guard of every spreadsheet: firm names and refused values are people's text, never formulas.
    from smecluster.documents.cells import sheet_bytes

    return sheet_bytes(workbook)
