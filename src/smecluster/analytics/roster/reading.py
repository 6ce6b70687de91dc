"""Reading the enterprise roster (企业名录) of a cluster: parsing XLSX or CSV and checking every row.

A cluster's declared figures (SME output share, quality firms, R&D, patents) are sums over its firms.
The roster lists the firms themselves, so the figures can be computed and set beside what was declared.

Reading (:func:`read_roster`) takes XLSX or CSV, recognised by content, not by file name: a ``PK`` zip
header is XLSX (read with python-calamine, see ``docs/decisions/0008-sme-size-and-rosters.md``);
anything else must decode as text, UTF-8 (with or without BOM) or else GB18030, which is what Chinese
Excel writes for "CSV". Problems with the file as a whole raise :class:`UnusableInput`; problems in rows
are collected, every one of them, into :attr:`RosterRead.errors`, and a roster with any error must not be
stored (:attr:`RosterRead.ok`).

The columns are :data:`ROSTER_COLUMNS`. The header row is the first row naming at least three of them
(a title row above it is skipped); each header is matched
to a column by its Chinese header, its short name without the unit in brackets (``营业收入``) or its key
(``revenue``), ignoring spaces and the difference between full- and half-width brackets. Optional
columns may be left out; unknown or repeated columns are refused, because a misspelt ``营业收入`` column
silently read as missing would undercount the cluster.

Titles (企业称号) are one column holding any of the five titles separated by ``、`` ``;`` ``；`` ``,`` or
``，`` (e.g. ``专精特新、高新技术企业``). One column, not five yes/no columns: the national and provincial
lists name a firm's titles together, and that is how offices keep them. The template's drop-down offers
each single title and lets several be typed.

Amounts are in 万元, kept to 4 decimal places (1 元); persons and patents are whole numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from smecluster.documents.workbook_limits import DEFAULT_LIMITS, WorkbookLimits, check_workbook
from smecluster.errors import Problem, UnusableInput
from smecluster.i18n import Listing
from smecluster.i18n import Text as _
from smecluster.reference import divisions, industries
from smecluster.reference.sme_standards import (
    IndustryGroup,
    IndustryNotPlaced,
    SizeStandard,
    standard_in_force,
)
from smecluster.workdays import CHINA_TZ

MAX_BYTES = 20 * 1024 * 1024
_NO_TITLES: frozenset[Title] = frozenset()
AMOUNT_PLACES = Decimal("0.0001")  # 万元 to 4 places: one yuan
AMOUNT_LIMIT = Decimal("1000000000000")  # 10¹² 万元: no firm's figure comes near; a typo or unit error does
COUNT_LIMIT = 100_000_000
_FLOAT_AMOUNT_LIMIT = float(AMOUNT_LIMIT)
ROSTER_SHEET = "企业名录"
INSTRUCTIONS_SHEET = "填写说明"


class Title(StrEnum):
    """The titles (称号) a firm can hold; the keys are those of :class:`smecluster.profile.QualityFirms`."""

    champion = "champion"
    little_giant = "little_giant"
    specialized = "specialized"
    innovative = "innovative"
    high_tech = "high_tech"

    @property
    def label_zh(self) -> str:
        return TITLE_NAMES_ZH[self]


TITLE_NAMES_ZH: dict[Title, str] = {
    Title.champion: "单项冠军",
    Title.little_giant: '专精特新"小巨人"',
    Title.specialized: "专精特新中小企业",
    Title.innovative: "创新型中小企业",
    Title.high_tech: "高新技术企业",
}

# What people write for each title; matched after removing quotes and spaces.
_TITLE_SPELLINGS: dict[Title, tuple[str, ...]] = {
    Title.champion: ("单项冠军", "制造业单项冠军", "单项冠军企业", "单项冠军产品"),
    Title.little_giant: ("小巨人", "专精特新小巨人", "专精特新小巨人企业", "国家级专精特新小巨人"),
    Title.specialized: ("专精特新", "专精特新中小企业", "专精特新企业"),
    Title.innovative: ("创新型", "创新型中小企业", "创新型企业"),
    Title.high_tech: ("高新技术", "高新技术企业", "国家级高新技术企业", "国家高新技术企业", "高新"),
}
_TITLE_WORDS: dict[str, Title] = {
    word: title for title, words in _TITLE_SPELLINGS.items() for word in (*words, title.value)
}
_TITLE_SEPARATORS = re.compile(r"[、;；,，\s]+")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」")


@dataclass(frozen=True, slots=True)
class RosterColumn:
    """One column: its key (the field of :class:`EnterpriseRow`), its Chinese header, unit, whether every
    row must fill it, and what it means (the template's instructions sheet shows this)."""

    key: str
    header_zh: str
    unit: str
    required: bool
    description: str

    @property
    def short_zh(self) -> str:
        """The header without its bracketed unit: ``营业收入``."""
        return self.header_zh.split("（", 1)[0]


ROSTER_COLUMNS: tuple[RosterColumn, ...] = (
    RosterColumn(
        "credit_code",
        "统一社会信用代码",
        "",
        True,
        "18位，GB 32100-2015，最后一位为校验码；每家企业只列一行",
    ),
    RosterColumn("name", "企业名称", "", True, "营业执照上的名称"),
    RosterColumn(
        "county_code",
        "所在县（区划代码）",
        "",
        True,
        "企业所在县级行政区划的6位代码（GB/T 2260），如 440606 顺德区",
    ),
    RosterColumn(
        "industry_code",
        "行业代码（GB/T 4754-2017）",
        "",
        True,
        "国民经济行业分类代码，至少到大类（2位），可带门类字母，如 C38、3857、C3857；"
        "装卸搬运和仓储业（59）与房地产业（70）须写到中类或小类",
    ),
    RosterColumn("employees", "从业人员（人）", "人", True, "年末（或年平均）从业人员数，整数"),
    RosterColumn("revenue", "营业收入（万元）", "万元", True, "全年营业收入，万元，不小于0"),
    RosterColumn(
        "assets",
        "资产总额（万元）",
        "万元",
        False,
        "年末资产总额，万元；建筑业、房地产开发经营、租赁和商务服务业企业必填（划型需要）",
    ),
    RosterColumn(
        "output",
        "工业总产值/产值（万元）",
        "万元",
        True,
        "全年工业总产值（非工业企业填产值或营业收入），万元",
    ),
    RosterColumn("rnd", "研发经费支出（万元）", "万元", True, "全年研究与试验发展经费支出，万元；没有填0"),
    RosterColumn(
        "invention_patents", "有效发明专利（件）", "件", True, "年末拥有的有效发明专利件数；没有填0"
    ),
    RosterColumn(
        "titles",
        "企业称号",
        "",
        False,
        '可多个，用顿号“、”或分号分隔：单项冠军、专精特新"小巨人"、专精特新中小企业、创新型中小企业、'
        "高新技术企业；没有则留空",
    ),
    RosterColumn(
        "leading", "是否属于主导产业（是/否）", "", True, "企业主营业务是否属于集群主导产业：是 或 否"
    ),
)
_COLUMN_BY_KEY = {column.key: column for column in ROSTER_COLUMNS}


@dataclass(frozen=True, slots=True)
class EnterpriseRow:
    """One firm of a roster. Amounts in 万元; ``industry_code`` as written with its section letter
    (``C3857``)."""

    credit_code: str
    name: str
    county_code: str
    industry_code: str
    employees: int
    revenue: Decimal
    assets: Decimal | None
    output: Decimal
    rnd: Decimal
    invention_patents: int
    titles: frozenset[Title]
    leading: bool


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem in one cell: ``row`` as the spreadsheet shows it (the header is row 1 when it is the first
    row), ``column`` the Chinese header, ``value`` what the cell held."""

    row: int
    column: str
    value: str
    message: str


@dataclass(frozen=True, slots=True)
class RosterRead:
    """What a roster file gave: its rows and every problem found. Store the rows only when :attr:`ok`."""

    rows: tuple[EnterpriseRow, ...]
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        """True when there is no error at all; a roster with any error is not to be stored, not in part."""
        return not self.errors


# ---------------------------------------------------------------------------------------------- reading


PROGRESS_EVERY = 10_000


def read_roster(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = MAX_BYTES,
    limits: WorkbookLimits = DEFAULT_LIMITS,
    progress: Callable[[int, int], None] | None = None,
) -> RosterRead:
    """Read and check a roster file (XLSX or CSV). See the module docstring for what is accepted.

    An XLSX is first held to ``limits`` (:func:`check_workbook`): calamine trusts what a file declares.
    ``progress`` is told the number of firms read and checked so far, every :data:`PROGRESS_EVERY`, and the
    number of lines the file has (an upper bound of the firms: it counts the header and blank rows).

    When there are errors, ``rows`` is empty: nothing of a roster with errors is to be stored.
    """
    if len(data) > max_bytes:
        raise UnusableInput.single(
            filename,
            "file",
            _(
                "文件大小为 %(size)s，超过上限 %(limit)s",
                size=_megabytes(len(data)),
                limit=_megabytes(max_bytes),
            ),
        )
    if not data.strip():
        raise UnusableInput.single(filename, "file", _("文件为空"))
    if data[:4] == b"PK\x03\x04":
        check_workbook(data, limits, source=filename)
        table, lines = _xlsx_rows(data, filename)
    else:
        table, lines = _csv_rows(data, filename), data.count(b"\n") + 1
    return _check_rows(table, filename, None if progress is None else (lambda done: progress(done, lines)))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _xlsx_rows(data: bytes, filename: str) -> tuple[Iterator[tuple[int, Sequence[Any]]], int]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
        sheet = workbook.get_sheet_by_name(ROSTER_SHEET if ROSTER_SHEET in names else names[0])
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises several types for damaged files; all mean the same here
        raise UnusableInput.single(
            filename, "file", _("文件是压缩包，但不是可读取的 XLSX 工作簿（%(error)s）", error=error)
        ) from None
    return ((number, row) for number, row in enumerate(rows, start=1)), len(rows)


def _csv_rows(data: bytes, filename: str) -> Iterator[tuple[int, Sequence[Any]]]:
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnusableInput.single(
            filename,
            "file",
            _(
                "这是旧版 Excel 97-2003（.xls）文件或加密的工作簿，"
                "请另存为不设密码的 .xlsx（Excel 工作簿）或 CSV"
            ),
        )
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # Excel's "Unicode 文本" (UTF-16 with a byte-order mark, tab-separated).
        try:
            return _text_rows(data.decode("utf-16"), filename)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise UnusableInput.single(filename, "file", _("文件既不是 XLSX 工作簿，也不是 CSV 文本文件"))
    text: str | None = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise UnusableInput.single(
            filename,
            "file",
            _("文件不是 XLSX 工作簿；作为 CSV，它既不是 UTF-8 也不是 GB18030 编码的文本"),
        )
    return _text_rows(text, filename)


def _text_rows(text: str, filename: str) -> Iterator[tuple[int, Sequence[Any]]]:
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    delimiter = max((",", "\t", ";"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # Numbered by record, not by physical line: Excel shows a quoted cell with a line break in one row.
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UnusableInput.single(
                "CSV",
                "file",
                _(
                    "第 %(row)s 行无法按 CSV 读取（%(error)s），请用 Excel 重新保存文件",
                    row=number + 1,
                    error=error,
                ),
            ) from None
        number += 1
        yield number, cells


def _normalise_header(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）").lower()


_HEADER_LOOKUP: dict[str, RosterColumn] = {}
for _column in ROSTER_COLUMNS:
    for _name in (_column.header_zh, _column.short_zh, _column.key):
        _HEADER_LOOKUP[_normalise_header(_name)] = _column


def _header(cells: Sequence[Any], filename: str) -> dict[int, RosterColumn]:
    problems: list[Problem] = []
    by_index: dict[int, RosterColumn] = {}
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = _cell_text(cell)
        if not text:
            continue
        column = _HEADER_LOOKUP.get(_normalise_header(text))
        if column is None:
            problems.append(
                Problem(
                    "header",
                    _("不认识的列“%(header)s”（第 %(letter)s 列）", header=text, letter=column_letter(index)),
                )
            )
            continue
        if column.key in seen:
            problems.append(
                Problem(
                    "header",
                    _(
                        "“%(header)s”列出现两次（第 %(first)s 列和第 %(second)s 列）",
                        header=column.header_zh,
                        first=column_letter(seen[column.key]),
                        second=column_letter(index),
                    ),
                )
            )
            continue
        seen[column.key] = index
        by_index[index] = column
    missing = [column.header_zh for column in ROSTER_COLUMNS if column.required and column.key not in seen]
    if missing:
        problems.append(Problem("header", _("缺少列：%(columns)s", columns=Listing(missing))))
    if problems:
        expected = Listing(column.header_zh for column in ROSTER_COLUMNS)
        problems.append(Problem("header", _("名册的列为：%(columns)s（可下载模板填写）", columns=expected)))
        raise UnusableInput(filename, problems)
    return by_index


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell_text(cell: Any) -> str:
    if type(cell) is str:
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    return str(cell).strip()


class _RowChecker:
    """Checks rows one by one, remembering what it has looked up (100,000 firms share a few hundred
    counties and industry codes)."""

    def __init__(self, standard: SizeStandard) -> None:
        # Which figures a firm needs depends on its group, hence on the standard; the one in force on the
        # day of the upload decides here, and compute_indicators reclassifies by the roster's own date.
        self.standard = standard
        self.county_problems: dict[str, str | None] = {}
        self.assets_needed: dict[str, bool] = {}
        self.titles: dict[str, frozenset[Title] | None] = {}
        self.industries: dict[str, tuple[str | None, str, IndustryGroup | None]] = {}

    def needs_assets(self, group: IndustryGroup) -> bool:
        needed = self.assets_needed.get(group.name)
        if needed is None:
            needed = self.assets_needed[group.name] = "assets" in group.measures()
        return needed

    def county(self, code: str) -> str | None:
        if code not in self.county_problems:
            self.county_problems[code] = _county_problem(code)
        return self.county_problems[code]

    def industry(self, code: str) -> tuple[str | None, str, IndustryGroup | None]:
        """(problem, code as stored, size-standard group or None when the standard does not cover it)."""
        found = self.industries.get(code)
        if found is None:
            found = self.industries[code] = self._industry(code)
        return found

    def _industry(self, code: str) -> tuple[str | None, str, IndustryGroup | None]:
        problem = industries.validate_industry_code(code)
        if problem is not None:
            return _("不是有效的 GB/T 4754-2017 行业代码：%(problem)s", problem=problem), code, None
        stored = industries.industry(code).display
        try:
            return None, stored, self.standard.group_for(code)
        except IndustryNotPlaced as error:
            # A code the standard does not cover (金融业, 教育) is a valid firm, left unclassified; one too
            # coarse to place (59, 70) must be written more precisely.
            if error.too_coarse:
                return _("请写到中类或小类：%(problem)s", problem=error.problems[0].message), stored, None
            return None, stored, None


def _county_problem(code: str) -> str | None:
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return _("区划代码应为6位数字（GB/T 2260）")
    found = divisions.division(code)
    if found is None:
        return _("没有这个区划代码（GB/T 2260）")
    if not divisions.can_declare(code):
        return _("%(code)s 是%(name)s，不是县级行政区划", code=code, name=found.name)
    return None


def _blank(cells: Sequence[Any]) -> bool:
    """Whether a row has nothing in it (Excel keeps formatted but empty rows below the data)."""
    filled = [cell for cell in cells if cell != "" and cell is not None]
    return all(isinstance(cell, str) and not cell.strip() for cell in filled)


_HEADER_SEARCH_ROWS = 10


def _find_header(iterator: Iterator[tuple[int, Sequence[Any]]], filename: str) -> dict[int, RosterColumn]:
    """The header row: the first row naming at least three of the columns, among the first non-empty
    rows, since offices often put a title (某某集群企业名录) above it; else the first non-empty row, so that
    the error names its columns."""
    candidates: list[Sequence[Any]] = []
    for _number, cells in iterator:
        if _blank(cells):
            continue
        known = sum(_normalise_header(_cell_text(cell)) in _HEADER_LOOKUP for cell in cells)
        if known >= 3:
            return _header(cells, filename)
        candidates.append(cells)
        if len(candidates) == _HEADER_SEARCH_ROWS:
            break
    if not candidates:
        raise UnusableInput.single(filename, "file", _("文件没有表头行，也没有数据"))
    return _header(candidates[0], filename)


def _check_rows(
    table: Iterable[tuple[int, Sequence[Any]]], filename: str, progress: Callable[[int], None] | None = None
) -> RosterRead:
    iterator = iter(table)
    header = _find_header(iterator, filename)
    checker = _RowChecker(standard_in_force(datetime.now(CHINA_TZ).date()))
    errors: list[RowError] = []
    rows: list[EnterpriseRow] = []
    first_row_of: dict[str, list[int]] = defaultdict(list)
    row_count = 0
    positions = _Positions.of(header)
    for number, cells in iterator:
        if _blank(cells):
            continue
        row_count += 1
        if progress is not None and row_count % PROGRESS_EVERY == 0:
            progress(row_count)
        row = _plain_row(cells, positions, checker)
        if row is not None:
            rows.append(row)
            first_row_of[row.credit_code].append(number)
            continue
        width = len(cells)
        values = {column.key: cells[index] if index < width else None for index, column in header.items()}
        row = _check_row(number, values, checker, errors)
        if row is not None:
            rows.append(row)
            first_row_of[row.credit_code].append(number)
        elif (code := _credit_code_text(values.get("credit_code"))) and _credit_code_problem(code) is None:
            first_row_of[code].append(number)  # a valid code in a row with other errors still counts
    if row_count == 0:
        raise UnusableInput.single(filename, "file", _("文件有表头行，但其下没有企业"))
    credit_header = _COLUMN_BY_KEY["credit_code"].header_zh
    for code, numbers in first_row_of.items():
        if len(numbers) > 1:
            for number in numbers:
                others = Listing(_("第%(row)s行", row=other) for other in numbers if other != number)
                errors.append(
                    RowError(
                        number, credit_header, code, _("统一社会信用代码重复：与%(rows)s相同", rows=others)
                    )
                )
    if errors:
        order = {column.header_zh: position for position, column in enumerate(ROSTER_COLUMNS)}
        errors.sort(key=lambda error: (error.row, order.get(error.column, len(order))))
        return RosterRead((), tuple(errors))
    return RosterRead(tuple(rows), ())


@dataclass(frozen=True, slots=True)
class _Positions:
    """Where each column is in a row; None for an optional column the file leaves out."""

    credit_code: int
    name: int
    county_code: int
    industry_code: int
    employees: int
    revenue: int
    assets: int | None
    output: int
    rnd: int
    invention_patents: int
    titles: int | None
    leading: int
    width: int

    @classmethod
    def of(cls, header: dict[int, RosterColumn]) -> _Positions:
        # _header has made sure every required column is there.
        at = {column.key: index for index, column in header.items()}
        return cls(
            credit_code=at["credit_code"],
            name=at["name"],
            county_code=at["county_code"],
            industry_code=at["industry_code"],
            employees=at["employees"],
            revenue=at["revenue"],
            assets=at.get("assets"),
            output=at["output"],
            rnd=at["rnd"],
            invention_patents=at["invention_patents"],
            titles=at.get("titles"),
            leading=at["leading"],
            width=max(at.values()) + 1,
        )


def _plain_row(cells: Sequence[Any], at: _Positions, checker: _RowChecker) -> EnterpriseRow | None:
    """The row, if every cell is in its plainest valid form; None to let :func:`_check_row` decide.

    Nearly every row of a real roster is plain, and this path costs half of the full check: no error
    message is ever built here, and anything unusual (a code with spaces, a county or industry not seen
    yet, a title, a number written as text with commas) goes to the full check, which has the last
    word. A test holds the two to the same rows.
    """
    if len(cells) < at.width:
        return None
    code = cells[at.credit_code]
    if type(code) is not str or not _USCC_SHAPE.fullmatch(code):
        return None
    name = _cell_text(cells[at.name])
    county = _cell_text(cells[at.county_code])
    industry = checker.industries.get(_cell_text(cells[at.industry_code]))
    if not name or checker.county_problems.get(county, "unseen") is not None or industry is None:
        return None
    problem, industry_code, group = industry
    if problem is not None:
        return None
    employees = _plain_count(cells[at.employees])
    patents = _plain_count(cells[at.invention_patents])
    revenue = _plain_amount(cells[at.revenue])
    output = _plain_amount(cells[at.output])
    rnd = _plain_amount(cells[at.rnd])
    if employees is None or patents is None or revenue is None or output is None or rnd is None:
        return None
    assets_cell = None if at.assets is None else cells[at.assets]
    if assets_cell == "" or assets_cell is None:
        assets = None
        if group is not None and checker.needs_assets(group):
            return None
    else:
        assets = _plain_amount(assets_cell)
        if assets is None:
            return None
    titles = _NO_TITLES
    titles_cell = None if at.titles is None else cells[at.titles]
    if titles_cell != "" and titles_cell is not None:
        # A roster repeats a handful of combinations (专精特新、高新技术企业), so each is read once.
        if type(titles_cell) is not str:
            return None
        known = checker.titles.get(titles_cell)
        if known is None:
            found, unknown = _read_titles(titles_cell.strip())
            known = checker.titles[titles_cell] = None if unknown else found
        if known is None:
            return None
        titles = known
    leading = cells[at.leading]
    if leading not in ("是", "否"):
        return None
    # Last, so that a row going to the full check (which checks it too) has not paid for it twice.
    if uscc.calc_check_digit(code) != code[-1]:
        return None
    return EnterpriseRow(
        code, name, county, industry_code, employees, revenue, assets, output, rnd, patents, titles,
        leading == "是",
    )  # fmt: skip


def _plain_count(cell: Any) -> int | None:
    if type(cell) is float and cell.is_integer() and 0 <= cell < COUNT_LIMIT:
        return int(cell)
    if type(cell) is str and cell.isascii() and cell.isdigit() and len(cell) < 9:
        return int(cell)
    return None


def _plain_amount(cell: Any) -> Decimal | None:
    if type(cell) is float:
        if 0 <= cell < _FLOAT_AMOUNT_LIMIT:
            return Decimal(repr(cell)).quantize(AMOUNT_PLACES, rounding=ROUND_HALF_EVEN)
        return None
    if type(cell) is str and cell:
        try:
            value = Decimal(cell)
        except InvalidOperation:
            return None
        if value.is_finite() and 0 <= value < AMOUNT_LIMIT:
            return value.quantize(AMOUNT_PLACES, rounding=ROUND_HALF_EVEN)
    return None


def _check_row(
    number: int, values: dict[str, Any], checker: _RowChecker, errors: list[RowError]
) -> EnterpriseRow | None:
    before = len(errors)

    def fail(key: str, value: Any, message: str) -> None:
        errors.append(RowError(number, _COLUMN_BY_KEY[key].header_zh, _cell_text(value), message))

    def text(key: str) -> str:
        cell = _cell_text(values.get(key))
        if not cell and _COLUMN_BY_KEY[key].required:
            fail(key, cell, _("必填，不能为空"))
        return cell

    credit_code = _credit_code_text(values.get("credit_code"))
    if not credit_code:
        fail("credit_code", "", _("必填，不能为空"))
    else:
        problem = _credit_code_problem(credit_code)
        if problem:
            fail("credit_code", credit_code, problem)
    name = text("name")
    county_code = text("county_code")
    if county_code and (problem := checker.county(county_code)):
        fail("county_code", county_code, problem)
    industry_code = text("industry_code")
    group: IndustryGroup | None = None
    if industry_code:
        problem, industry_code, group = checker.industry(industry_code)
        if problem:
            fail("industry_code", industry_code, problem)
    employees = _count(values, "employees", fail)
    revenue = _amount(values, "revenue", fail)
    assets = _amount(values, "assets", fail)
    output = _amount(values, "output", fail)
    rnd = _amount(values, "rnd", fail)
    patents = _count(values, "invention_patents", fail)
    titles = _titles(values, fail)
    leading = _yes_no(values, "leading", fail)
    if (
        group is not None
        and checker.needs_assets(group)
        and assets is None
        and not _cell_text(values.get("assets"))
    ):
        fail("assets", "", _("%(group)s企业按资产总额划型，必须填写资产总额", group=group.name))
    if len(errors) > before:
        return None
    assert employees is not None
    assert revenue is not None
    assert output is not None
    assert rnd is not None
    assert patents is not None
    assert leading is not None
    return EnterpriseRow(
        credit_code,
        name,
        county_code,
        industry_code,
        employees,
        revenue,
        assets,
        output,
        rnd,
        patents,
        titles,
        leading,
    )


def _credit_code_text(cell: Any) -> str:
    """The code as stored: upper case, without the spaces or hyphens people type to group it."""
    code = _cell_text(cell).upper()
    return uscc.compact(code) if " " in code or "-" in code else code


_USCC_SHAPE = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}")


def _credit_code_problem(code: str) -> str | None:
    # The shape test first and stdnum's check character alone: uscc.validate cleans the string again
    # character by character, a third of the whole import's time on 100,000 rows.
    if _USCC_SHAPE.fullmatch(code) and uscc.calc_check_digit(code) == code[-1]:
        return None
    try:
        uscc.validate(code)
    except ValidationError as error:
        kind = type(error).__name__
        if kind == "InvalidLength":
            return _("统一社会信用代码应为18位，这里是%(length)s位", length=len(code))
        if kind == "InvalidChecksum":
            return _("统一社会信用代码校验码（第18位）不正确，请核对")
        return _("统一社会信用代码含有不允许的字符或格式不对（GB 32100-2015）")
    return None


_INFINITY = float("inf")
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


def _number(values: dict[str, Any], key: str, fail: Any) -> Decimal | None:
    cell = values.get(key)
    if type(cell) is float and cell >= 0 and cell != _INFINITY:
        # The common case from XLSX. repr gives the shortest decimal that reads back as the same float:
        # 1234.56, not 1234.5599999999999454.
        return Decimal(repr(cell))
    if type(cell) is str and cell:
        # The common case, a CSV cell holding a plain number (Decimal allows spaces around it).
        try:
            value = Decimal(cell)
        except InvalidOperation:
            pass
        else:
            if value.is_finite() and value >= 0:
                return value
    column = _COLUMN_BY_KEY[key]
    if isinstance(cell, bool):
        fail(key, cell, _("应为数字"))
        return None
    if isinstance(cell, int | float):
        value = Decimal(repr(cell)) if isinstance(cell, float) else Decimal(cell)
    else:
        text = _cell_text(cell)
        if not text:
            if column.required:
                fail(
                    key,
                    text,
                    _("必填，不能为空（没有请填0）")
                    if key in ("rnd", "invention_patents")
                    else _("必填，不能为空"),
                )
            return None
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            fail(
                key,
                text,
                _("应为数字，单位%(unit)s，不能含文字或单位", unit=column.unit)
                if column.unit
                else _("应为数字，不能含文字或单位"),
            )
            return None
    if not value.is_finite():
        fail(key, cell, _("应为数字"))
        return None
    if value < 0:
        fail(key, cell, _("不能为负数"))
        return None
    return value


def _amount(values: dict[str, Any], key: str, fail: Any) -> Decimal | None:
    cell = values.get(key)
    if type(cell) is float and 0 <= cell < _FLOAT_AMOUNT_LIMIT:
        return Decimal(repr(cell)).quantize(AMOUNT_PLACES, rounding=ROUND_HALF_EVEN)  # XLSX, the usual case
    value = _number(values, key, fail)
    if value is None:
        return None
    if value >= AMOUNT_LIMIT:
        fail(
            key,
            values.get(key),
            _("数值过大（单位是万元，应小于 %(limit)s 万元），请核对单位", limit=f"{AMOUNT_LIMIT:,}"),
        )
        return None
    return value.quantize(AMOUNT_PLACES, rounding=ROUND_HALF_EVEN)


def _count(values: dict[str, Any], key: str, fail: Any) -> int | None:
    cell = values.get(key)
    if type(cell) is float and cell.is_integer() and 0 <= cell < COUNT_LIMIT:
        return int(cell)  # XLSX
    if type(cell) is str and cell.isascii() and cell.isdigit() and len(cell) < 9:
        return int(cell)  # CSV
    value = _number(values, key, fail)
    if value is None:
        return None
    if value != value.to_integral_value():
        fail(key, values.get(key), "应为整数")
        return None
    if value >= COUNT_LIMIT:
        fail(key, values.get(key), "数值过大，请核对")
        return None
    return int(value)


def _titles(values: dict[str, Any], fail: Any) -> frozenset[Title]:
    text = _cell_text(values.get("titles"))
    if not text:
        return _NO_TITLES  # most firms hold none: one shared empty set
    found, unknown = _read_titles(text)
    if unknown:
        fail(
            "titles",
            text,
            _(
                "不认识的称号：%(unknown)s；可填：%(allowed)s，多个用顿号分隔",
                unknown=Listing(unknown),
                allowed=Listing(TITLE_NAMES_ZH.values()),
            ),
        )
    return found


def _read_titles(text: str) -> tuple[frozenset[Title], tuple[str, ...]]:
    """The titles a cell names, and the words it holds that are not titles."""
    found: set[Title] = set()
    unknown: list[str] = []
    for word in _TITLE_SEPARATORS.split(text.translate(_QUOTES)):
        if not word:
            continue
        title = _TITLE_WORDS.get(word) or _TITLE_WORDS.get(word.lower())
        if title is None:
            unknown.append(word)
        else:
            found.add(title)
    return frozenset(found), tuple(unknown)


_YES = {"是", "y", "yes", "true", "1", "√"}
_NO = {"否", "n", "no", "false", "0", "×"}


def _yes_no(values: dict[str, Any], key: str, fail: Any) -> bool | None:
    cell = values.get(key)
    if isinstance(cell, bool):
        return cell
    text = _cell_text(cell).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    fail(key, cell, _("必填，不能为空，填“是”或“否”") if not text else _("应填“是”或“否”"))
    return None
