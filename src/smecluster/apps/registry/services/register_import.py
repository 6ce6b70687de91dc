"""The register of past recognitions: a programme's earlier lists imported from a file, every row checked.

A province or the ministry starting on the platform has lists recognized before it (2022–2025). The owner's
office uploads one as XLSX or CSV (UTF-8 with or without BOM, or GB18030, as Chinese Excel writes it), one
row per cluster, with the columns of :data:`COLUMNS` named by their Chinese or English header. Every row
is checked before anything is stored:

* the place: a six-digit GB/T 2260 county code, or the nine-digit 统计用区划代码 of a town or street of a
  不设区的地级市 (东莞, 中山 …), or else the province, city and county names, resolved against
  ``reference.divisions`` (a 计划单列市 note such as ``广东省(深圳市,计划单列市)`` is understood); a county
  renamed since the list was published is told by its current name (``reference.division_renames``); the
  place must lie within the programme's owner;
* the leading industry's GB/T 4754-2017 code (``reference.industries``);
* the dates: 认定日期, and the validity, which when not given is the programme rule set's, counted as
  recognition counts it (``recognition.batch_default_validity``); the row report says what was assumed;
* duplicates within the file (same batch year and name, or the same number), and rows already in the
  register (same programme, batch year and name): reported as such and not stored again, so running the
  same file twice is harmless (a file with no new row stores nothing at all, not even an import record).

All or nothing: one error and nothing is stored; the report lists every row's errors (row number, the
column's Chinese label, the message). Warnings (assumptions) do not block. An import is audited once, and
each cluster it creates once, as recognition is. The status of an imported cluster is valid or expired by
its validity and today; the tick then treats it as any cluster (annual reports, re-review, expiry).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from smecluster.apps.accounts.divisions import NATIONAL_CODE
from smecluster.apps.accounts.models import Jurisdiction, User
from smecluster.apps.applications.services import today_in_china
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.evidence.storage import stage_bytes
from smecluster.apps.programmes.models import Programme
from smecluster.apps.registry.models import RecognizedCluster, RegisterImport
from smecluster.apps.registry.permissions import can_import_register
from smecluster.apps.registry.services.recognition import (
    batch_default_validity,
    next_number,
    programme_number_prefix,
)
from smecluster.documents.cells import sheet_bytes
from smecluster.documents.sheets import XLSX_CONTENT_TYPE
from smecluster.documents.workbook_limits import WorkbookLimits, check_workbook
from smecluster.errors import UnusableInput
from smecluster.policy.ruleset import rule_set
from smecluster.reference import divisions
from smecluster.reference.division_renames import Rename, renamed_code, renamed_name
from smecluster.reference.industries import validate_industry_code
from smecluster.site.upload_limits import workbook_limits

MAX_ROWS = 5000
"""A national batch is about a hundred clusters and a province's a few dozen: five thousand rows is every
list there will ever be, and bounds the work one upload can ask for."""

CSV_CONTENT_TYPE = "text/csv"
_TITLE_ROWS = 10
"""Rows above the header a file may have (a title, a note): where the header is looked for."""


def register_limits(limits: WorkbookLimits) -> WorkbookLimits:
    """The upload limits narrowed to what a register file can hold: :data:`MAX_ROWS` rows under at most
    :data:`_TITLE_ROWS` rows of title and header, and a few dozen columns, so a workbook declaring more is
    refused before calamine builds its grid."""
    return replace(
        limits,
        max_rows=min(limits.max_rows, MAX_ROWS + _TITLE_ROWS),
        max_columns=min(limits.max_columns, 4 * len(COLUMNS)),
    )


@dataclass(frozen=True)
class ImportColumn:
    """One column of the import file: the key, its Chinese label (the template's header) and its English
    header; either header names it."""

    key: str
    label: Any
    english: str
    required: bool = False
    note: Any = ""


COLUMNS = (
    ImportColumn("batch_year", gettext_lazy("批次年度"), "batch_year", True, gettext_lazy("如 2022")),
    ImportColumn("seq", gettext_lazy("序号"), "seq", note=gettext_lazy("名单中的序号，决定自动编号的顺序")),
    ImportColumn("cluster_name", gettext_lazy("集群名称"), "cluster_name", True),
    ImportColumn(
        "division_code",
        gettext_lazy("区划代码"),
        "division_code",
        note=gettext_lazy("6位县级区划代码，或不设区的地级市镇街的9位统计用区划代码；不填则按省、市、县名称"),
    ),
    ImportColumn(
        "province", gettext_lazy("省"), "province", note=gettext_lazy("如 广东省(深圳市,计划单列市)")
    ),
    ImportColumn("city", gettext_lazy("市"), "city"),
    ImportColumn("county", gettext_lazy("县"), "county"),
    ImportColumn("leading_industry", gettext_lazy("主导产业"), "leading_industry", True),
    ImportColumn(
        "industry_code",
        gettext_lazy("主导产业代码"),
        "industry_code",
        note=gettext_lazy("GB/T 4754-2017，如 C3854"),
    ),
    ImportColumn(
        "recognized_on", gettext_lazy("认定日期"), "recognized_on", note=gettext_lazy("如 2023-01-16")
    ),
    ImportColumn("valid_from", gettext_lazy("有效期起"), "valid_from"),
    ImportColumn("valid_until", gettext_lazy("有效期止"), "valid_until"),
    ImportColumn(
        "number", gettext_lazy("认定编号"), "number", note=gettext_lazy("不填则按认定编号规则自动编号")
    ),
    ImportColumn("source", gettext_lazy("来源"), "source", note=gettext_lazy("公布名单的网址或文号")),
)
"""The columns of an import file, in the template's order; the one definition the reader, the template
and the row report use."""

_BY_KEY = {column.key: column for column in COLUMNS}


@dataclass(frozen=True)
class RowMessage:
    """One line of the row report: the spreadsheet row (1 is the header), the column's label, what is
    wrong (an error) or what was assumed (a warning)."""

    row: int
    column: str
    message: str


@dataclass
class RegisterRow:
    """One row as it will be stored (or is already in the register: ``already``)."""

    row: int
    batch_year: int
    seq: int | None
    name: str
    county_code: str
    places: list[dict[str, str]]
    location: str
    leading_industry: str
    industry_code: str
    recognized_on: date
    valid_from: date
    valid_until: date
    validity_stated: bool
    status: str
    number: str
    source: str
    already: bool = False


@dataclass
class ImportReport:
    """What a file held and what was (or would be) done with it."""

    filename: str
    rows: list[RegisterRow] = field(default_factory=list)
    errors: list[RowMessage] = field(default_factory=list)
    warnings: list[RowMessage] = field(default_factory=list)
    register_import: RegisterImport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def new_rows(self) -> list[RegisterRow]:
        return [row for row in self.rows if not row.already]

    @property
    def already_registered(self) -> list[RegisterRow]:
        return [row for row in self.rows if row.already]

    def as_text(self) -> str:
        """The report for a terminal: a summary line, then every error and warning by row."""
        lines = [
            _("%(file)s：%(rows)s 行，新增 %(new)s 个集群，%(already)s 行已在名录中，%(errors)s 处错误")
            % {
                "file": self.filename,
                "rows": len(self.rows) if self.ok else "—",
                "new": len(self.new_rows) if self.ok else 0,
                "already": len(self.already_registered),
                "errors": len(self.errors),
            }
        ]
        for kind, messages in ((_("错误"), self.errors), (_("提示"), self.warnings)):
            for message in messages:
                lines.append(
                    _("%(kind)s 第%(row)s行 %(column)s：%(message)s")
                    % {
                        "kind": kind,
                        "row": message.row,
                        "column": message.column or "—",
                        "message": message.message,
                    }
                )
        for row in self.already_registered:
            lines.append(
                _("已在名录 第%(row)s行：%(name)s（%(year)s）")
                % {"row": row.row, "name": row.name, "year": row.batch_year}
            )
        return "\n".join(lines)


# --- the template -------------------------------------------------------------------------------------


def template_workbook() -> bytes:
    """The file to fill in: one header row of :data:`COLUMNS`' Chinese labels, each with its note as a
    comment; the columns of codes are text, so that Excel keeps their leading zeros."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(_("历史认定名单"))
    sheet.append([str(column.label) for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True)
        if column.note:
            header.comment = Comment(str(column.note), "smecluster")
        sheet.column_dimensions[get_column_letter(index)].width = 40 if column.key == "source" else 16
        if column.key in ("division_code", "industry_code", "number"):
            for row in range(2, 502):
                sheet.cell(row=row, column=index).number_format = "@"
    return sheet_bytes(workbook)


# --- reading the file ---------------------------------------------------------------------------------


def _file_problem(filename: str, message: str) -> UnusableInput:
    return UnusableInput.single(filename, "file", message)


def _table(data: bytes, filename: str, limits: WorkbookLimits) -> Iterator[tuple[int, Sequence[Any]]]:
    """The file's rows, numbered as a spreadsheet numbers them; XLSX held to ``limits`` before parsing."""
    if len(data) > settings.EVIDENCE_MAX_BYTES:
        raise _file_problem(
            filename,
            _("文件超过 %(limit)s MB 的上限") % {"limit": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
        )
    if not data.strip():
        raise _file_problem(filename, _("文件为空"))
    if data[:4] == b"PK\x03\x04":
        check_workbook(data, limits, source=filename)
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception:  # calamine raises several types for damaged files; all mean the same here
            raise _file_problem(filename, _("文件是压缩包，但不是可读的 XLSX 工作簿")) from None
        return ((number, row) for number, row in enumerate(rows, start=1))
    if b"\x00" in data[:4096]:
        raise _file_problem(
            filename, _("文件既不是 XLSX 工作簿，也不是 CSV 文本（旧版 .xls 请另存为 .xlsx 或 CSV）")
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _file_problem(filename, _("CSV 文件既不是 UTF-8 也不是 GB18030 编码"))
    return _csv_rows(text, filename)


def _csv_rows(text: str, filename: str) -> Iterator[tuple[int, Sequence[Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise _file_problem(filename, _("第 %(row)s 行无法按 CSV 读取") % {"row": number + 1}) from None
        number += 1
        yield number, cells


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")").lower()


def _header_lookup() -> dict[str, ImportColumn]:
    lookup: dict[str, ImportColumn] = {}
    for column in COLUMNS:
        lookup[_normalise(str(column.label))] = column
        lookup[_normalise(column.english)] = column
    return lookup


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


def _header(rows: Iterator[tuple[int, Sequence[Any]]], filename: str) -> tuple[int, dict[int, ImportColumn]]:
    """The header row (the first naming at least three columns; a title row above it is skipped)."""
    lookup = _header_lookup()
    for number, cells in rows:
        texts = [_text(cell) for cell in cells]
        known = [lookup.get(_normalise(text)) for text in texts]
        if sum(1 for column in known if column is not None) < 3:
            if number >= _TITLE_ROWS:
                break
            continue
        problems: list[str] = []
        by_index: dict[int, ImportColumn] = {}
        for index, (text, column) in enumerate(zip(texts, known, strict=True)):
            if not text:
                continue
            if column is None:
                problems.append(_("未知的列“%(name)s”") % {"name": text})
            elif column in by_index.values():
                problems.append(_("“%(name)s”列重复") % {"name": column.label})
            else:
                by_index[index] = column
        keys = {column.key for column in by_index.values()}
        missing = [str(column.label) for column in COLUMNS if column.required and column.key not in keys]
        if missing:
            problems.append(_("缺少列：%(names)s") % {"names": "、".join(missing)})
        if "division_code" not in keys and "county" not in keys:
            problems.append(_("须有“区划代码”列，或“省”“市”“县”列"))
        if problems:
            raise _file_problem(filename, "；".join(problems) + _("（请下载模板）"))
        return number, by_index
    raise _file_problem(
        filename, _("前 10 行中没有表头：表头须含批次年度、集群名称、主导产业等列（请下载模板）")
    )


# --- checking one row ---------------------------------------------------------------------------------


# "广东省(深圳市,计划单列市)", brackets already made half-width by ``_normalise``; either comma.
_PLAN_CITY_NOTE = re.compile(r"^(?P<province>[^(]+)\((?P<city>[^,，]+)[,，]计划单列市\)$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _renamed_message(rename: Rename) -> str:
    return _("%(old)s 已于%(year)s年更名为 %(new)s（%(code)s），请按现名填写") % {
        "old": rename.old_name,
        "year": rename.year,
        "new": rename.new_name,
        "code": rename.new_code,
    }


class _RowCheck:
    """The checks of one row; each failure is recorded against its column and the row goes on being
    checked, so the report names every problem of the file at once."""

    def __init__(self, number: int, values: dict[str, str], report: ImportReport) -> None:
        self.number = number
        self.values = values
        self.report = report
        self.failed = False

    def fail(self, key: str, message: str) -> None:
        self.failed = True
        label = str(_BY_KEY[key].label) if key else ""
        self.report.errors.append(RowMessage(self.number, label, message))

    def assume(self, key: str, message: str) -> None:
        self.report.warnings.append(RowMessage(self.number, str(_BY_KEY[key].label), message))

    def text(self, key: str, max_length: int | None = None) -> str:
        value = self.values.get(key, "")
        if not value and _BY_KEY[key].required:
            self.fail(key, _("必填"))
        if max_length is not None and len(value) > max_length:
            self.fail(key, _("不能超过 %(count)s 个字") % {"count": max_length})
        return value

    def day(self, key: str) -> date | None:
        value = self.values.get(key, "")
        if not value:
            return None
        # A workbook's date cell arrives as an ISO date (a time after it dropped); typed text may be
        # 2023-01-16, 2023/1/16 or 2023年1月16日.
        match = _DATE.match(value if "年" in value else value.split("T")[0].split(" ")[0])
        if match is not None:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                pass
        self.fail(key, _("“%(value)s”不是日期，请写作 2023-01-16") % {"value": value})
        return None

    def year(self) -> int | None:
        value = self.text("batch_year")
        if not value:
            return None
        if not (value.isascii() and value.isdigit() and 2000 <= int(value) <= 2100):
            self.fail("batch_year", _("“%(value)s”不是年度，请写作 2022") % {"value": value})
            return None
        return int(value)

    def seq(self) -> int | None:
        value = self.values.get("seq", "")
        if not value:
            return None
        if not (value.isascii() and value.isdigit()):
            self.fail("seq", _("“%(value)s”不是序号，请写整数") % {"value": value})
            return None
        return int(value)


def _province(text: str, check: _RowCheck) -> tuple[divisions.Division | None, str]:
    """The province a 省 cell names, and the 计划单列市 its note names ("" when none)."""
    normalised = _normalise(text)
    plan_city = ""
    if (match := _PLAN_CITY_NOTE.match(normalised)) is not None:
        normalised, plan_city = match["province"], match["city"]
    found = next((d for d in divisions.divisions("province") if d.name == normalised), None)
    if found is None:
        check.fail("province", _("“%(name)s”不是省级行政区的全称（如 广东省）") % {"name": text})
    return found, plan_city


def _by_names(check: _RowCheck) -> tuple[str, list[dict[str, str]]] | None:
    """The county code (and no places) the province, city and county names resolve to."""
    province_text, city_text, county_text = (
        check.values.get(key, "") for key in ("province", "city", "county")
    )
    if not province_text:
        check.fail("province", _("未填区划代码时，省、县名称必填"))
        return None
    province, plan_city = _province(province_text, check)
    if province is None:
        return None
    if plan_city and city_text and plan_city != city_text:
        check.fail(
            "city",
            _("市“%(city)s”与省一栏注明的计划单列市“%(plan)s”不符") % {"city": city_text, "plan": plan_city},
        )
        return None
    city_text = city_text or plan_city
    city: divisions.Division | None = None
    if city_text:
        if city_text == province.name and province.code in divisions.MUNICIPALITIES:
            city = province
        else:
            city = next(
                (d for d in divisions.children(province.code) if d.name == city_text and d.level == "city"),
                None,
            )
            if city is None:
                check.fail(
                    "city",
                    _("%(province)s没有名为“%(city)s”的地级市")
                    % {"province": province.name, "city": city_text},
                )
                return None
    if not county_text:
        if city is not None and divisions.acts_at_county_level(city.code):
            return city.code, []
        check.fail("county", _("未填区划代码时，县（区）名称必填"))
        return None
    if city is not None and divisions.acts_at_county_level(city.code):
        check.fail(
            "county",
            _("%(city)s不设区县，镇街“%(town)s”须在“区划代码”列以9位统计用区划代码填写（如 %(code)s005）")
            % {"city": city.name, "town": county_text, "code": city.code},
        )
        return None
    candidates = [
        d
        for d in divisions.divisions("county")
        if d.name == county_text
        and d.code[:2] == province.code[:2]
        and (city is None or d.parent == city.code)
    ]
    if len(candidates) == 1:
        return candidates[0].code, []
    if not candidates:
        if (rename := renamed_name(county_text, province.code)) is not None:
            check.fail("county", _renamed_message(rename))
        else:
            where = city.name if city is not None else province.name
            check.fail(
                "county",
                _("%(where)s没有名为“%(county)s”的县级区划") % {"where": where, "county": county_text},
            )
        return None
    check.fail(
        "county",
        _("%(province)s有 %(count)s 个“%(county)s”（%(codes)s），请填写市或区划代码")
        % {
            "province": province.name,
            "count": len(candidates),
            "county": county_text,
            "codes": "、".join(d.code for d in candidates),
        },
    )
    return None


def _by_code(code: str, check: _RowCheck) -> tuple[str, list[dict[str, str]]] | None:
    """The county code and places a 区划代码 cell names, checked against the names given beside it."""
    if not (code.isascii() and code.isdigit() and len(code) in (6, divisions.PLACE_CODE_DIGITS)):
        check.fail("division_code", _("“%(code)s”不是6位区划代码或9位镇街代码") % {"code": code})
        return None
    county_code = code[:6]
    if (rename := renamed_code(county_code)) is not None:
        check.fail("division_code", _renamed_message(rename))
        return None
    found = divisions.division(county_code)
    if found is None:
        check.fail("division_code", _("%(code)s 不是现行的 GB/T 2260 区划代码") % {"code": county_code})
        return None
    places: list[dict[str, str]] = []
    county_text = check.values.get("county", "")
    if len(code) == divisions.PLACE_CODE_DIGITS:
        if not divisions.acts_at_county_level(county_code):
            check.fail(
                "division_code",
                _("9位镇街代码只用于不设区的地级市（东莞、中山、儋州、嘉峪关）的镇街；%(name)s请填6位代码")
                % {"name": found.name},
            )
            return None
        if divisions.validate_place_code(code, county_code) is not None:
            check.fail(
                "division_code", _("%(code)s 不是%(city)s的镇街代码") % {"code": code, "city": found.name}
            )
            return None
        places = [{"code": code, "name": county_text}]
    elif not divisions.can_declare(county_code):
        check.fail(
            "division_code",
            _("%(code)s 是%(name)s，不是县级区划（不设区的地级市的镇街请填9位代码）")
            % {"code": code, "name": found.name},
        )
        return None
    elif county_text and county_text != found.name:
        check.fail(
            "county",
            _("县“%(county)s”与区划代码 %(code)s（%(name)s）不符")
            % {"county": county_text, "code": code, "name": found.name},
        )
        return None
    province_text = check.values.get("province", "")
    if province_text:
        province, _plan_city = _province(province_text, check)
        if province is not None and province.code[:2] != county_code[:2]:
            check.fail(
                "province",
                _("省“%(province)s”与区划代码 %(code)s（%(name)s）不符")
                % {"province": province.name, "code": code, "name": divisions.full_name(county_code)},
            )
            return None
    return county_code, places


def _within_owner(programme: Programme, county_code: str) -> bool:
    owner = programme.owner
    if owner is None:
        return True
    if owner.level == "province":
        return county_code[:2] == owner.code[:2]
    city = divisions.city_of(county_code)
    return county_code == owner.code or (city is not None and city.code == owner.code)


def _check_row(
    number: int, values: dict[str, str], programme: Programme, today: date, report: ImportReport
) -> RegisterRow | None:
    check = _RowCheck(number, values, report)
    batch_year = check.year()
    seq = check.seq()
    name = check.text("cluster_name", 128)
    leading_industry = check.text("leading_industry", 64)
    source = check.text("source", 500)
    number_text = check.text("number", 32)
    code = values.get("division_code", "")
    place = _by_code(code, check) if code else _by_names(check)
    if place is not None and not _within_owner(programme, place[0]):
        check.fail(
            "division_code" if code else "county",
            _("%(place)s不在%(programme)s的范围内")
            % {"place": divisions.full_name(place[0]), "programme": programme.name},
        )
    industry_code = values.get("industry_code", "").strip().upper()
    if industry_code:
        if (reason := validate_industry_code(industry_code)) is not None:
            check.fail(
                "industry_code",
                _("“%(code)s”不是有效的 GB/T 4754-2017 代码（%(reason)s）")
                % {"code": industry_code, "reason": reason},
            )
        elif len(industry_code) > 5:
            check.fail("industry_code", _("代码过长，请写作 C3854 或 3854"))
    else:
        check.assume("industry_code", _("未填主导产业代码：行业分布中计为“未填报行业代码”"))
    recognized_on = check.day("recognized_on")
    valid_from, valid_until = check.day("valid_from"), check.day("valid_until")
    if check.failed or batch_year is None or place is None:
        return None
    if recognized_on is None:
        recognized_on = date(batch_year, 12, 31)
        check.assume(
            "recognized_on", _("未填认定日期，按批次年度末 %(day)s 计") % {"day": recognized_on.isoformat()}
        )
    if recognized_on > today:
        check.fail("recognized_on", _("认定日期 %(day)s 晚于今天") % {"day": recognized_on.isoformat()})
        return None
    stated = valid_from is not None or valid_until is not None
    if valid_from is None and valid_until is None:
        valid_from, valid_until = batch_default_validity(programme, batch_year, recognized_on)
        basis = rule_set(programme.rule_set_id).recognition_validity
        check.assume(
            "valid_from",
            _("未填有效期，按本项目规则（%(years)s年，%(basis)s）计为 %(start)s 至 %(end)s")
            % {
                "years": basis.years,
                "basis": basis.counting.basis,
                "start": valid_from.isoformat(),
                "end": valid_until.isoformat(),
            },
        )
    elif valid_from is None or valid_until is None:
        check.fail(
            "valid_from" if valid_from is None else "valid_until",
            _("有效期须同时写明起止日期，或都不填而按规则计算"),
        )
        return None
    elif valid_until <= valid_from:
        check.fail("valid_until", _("有效期止须晚于有效期起"))
        return None
    status = RecognizedCluster.Status.VALID if valid_until >= today else RecognizedCluster.Status.EXPIRED
    county_code, places = place
    return RegisterRow(
        row=number,
        batch_year=batch_year,
        seq=seq,
        name=name,
        county_code=county_code,
        places=places,
        location=divisions.full_name(county_code) + "".join(p["name"] for p in places),
        leading_industry=leading_industry,
        industry_code=industry_code,
        recognized_on=recognized_on,
        valid_from=valid_from,
        valid_until=valid_until,
        validity_stated=stated,
        status=status,
        number=number_text,
        source=source,
    )


def read_register(
    data: bytes, filename: str, programme: Programme, *, today: date, limits: WorkbookLimits | None = None
) -> ImportReport:
    """Read and check ``data`` for ``programme`` without storing anything (see the module).

    A file that cannot be read at all raises :class:`UnusableInput`; row problems are in the report."""
    report = ImportReport(filename)
    rows = _table(data, filename, register_limits(limits or workbook_limits()))
    _header_row, columns = _header(rows, filename)
    first_seen: dict[tuple[int, str], int] = {}
    numbers_seen: dict[str, int] = {}
    count = 0
    for number, cells in rows:
        values = {column.key: _text(cells[index]) for index, column in columns.items() if index < len(cells)}
        if not any(values.values()):
            continue
        count += 1
        if count > MAX_ROWS:
            raise _file_problem(filename, _("文件超过 %(count)s 行的上限") % {"count": MAX_ROWS})
        row = _check_row(number, values, programme, today, report)
        if row is None:
            continue
        key = (row.batch_year, row.name)
        if key in first_seen:
            report.errors.append(
                RowMessage(
                    number,
                    str(_BY_KEY["cluster_name"].label),
                    _("与第 %(row)s 行重复（同一批次年度、同一集群名称）") % {"row": first_seen[key]},
                )
            )
            continue
        first_seen[key] = number
        if row.number:
            if row.number in numbers_seen:
                report.errors.append(
                    RowMessage(
                        number,
                        str(_BY_KEY["number"].label),
                        _("与第 %(row)s 行的认定编号相同") % {"row": numbers_seen[row.number]},
                    )
                )
                continue
            numbers_seen[row.number] = number
        report.rows.append(row)
    if count == 0:
        raise _file_problem(filename, _("表头下没有数据行"))
    _against_register(report, programme)
    return report


def _against_register(report: ImportReport, programme: Programme) -> None:
    """Mark the rows already in the register; refuse a number another cluster holds, and a place the
    jurisdiction table lacks."""
    registered = set(
        RecognizedCluster.objects.filter(
            programme=programme, year__in={row.batch_year for row in report.rows}
        ).values_list("year", "name")
    )
    taken = dict(
        RecognizedCluster.objects.filter(
            number__in=[row.number for row in report.rows if row.number]
        ).values_list("number", "name")
    )
    known = set(
        Jurisdiction.objects.filter(code__in={row.county_code for row in report.rows}).values_list(
            "code", flat=True
        )
    )
    for row in report.rows:
        if (row.batch_year, row.name) in registered:
            row.already = True
            continue
        if row.number in taken:
            report.errors.append(
                RowMessage(
                    row.row,
                    str(_BY_KEY["number"].label),
                    _("认定编号已由“%(name)s”使用") % {"name": taken[row.number]},
                )
            )
        if row.county_code not in known:
            report.errors.append(
                RowMessage(
                    row.row,
                    str(_BY_KEY["division_code"].label),
                    _("平台的行政区划表中没有 %(code)s") % {"code": row.county_code},
                )
            )


def office_accounts(programme: Programme) -> list[User]:
    """The active accounts of the programme owner's office: who may import into its register."""
    candidates = User.objects.filter(is_active=True, jurisdiction_id=programme.owner_id or NATIONAL_CODE)
    return [user for user in candidates.order_by("pk") if can_import_register(user, programme)]


# --- storing ------------------------------------------------------------------------------------------


def _extension(data: bytes) -> tuple[str, str]:
    return ("xlsx", XLSX_CONTENT_TYPE) if data[:4] == b"PK\x03\x04" else ("csv", CSV_CONTENT_TYPE)


@transaction.atomic
def register_import(
    *, actor: User, programme: Programme, data: bytes, filename: str, dry_run: bool = False
) -> ImportReport:
    """Check ``data`` and, when every row passes and not ``dry_run``, store it: the file, the import record
    and a cluster per new row, audited (see the module). Raises :class:`UnusableInput` for an unreadable
    file; otherwise the report says what was, or would be, done."""
    can_import_register(actor, programme).enforce()
    # One import of a programme at a time: the numbers and "already in the register" are read below.
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    today = today_in_china()
    report = read_register(data, filename, programme, today=today)
    if dry_run or not report.ok or not report.new_rows:
        # A file whose every row is already in the register changes nothing, and records nothing: running
        # the same file again leaves the register, the audit log and the file store as they were.
        return report
    extension, content_type = _extension(data)
    stored = stage_bytes(data, extension, content_type)
    imported = RegisterImport.objects.create(
        programme=programme,
        original_name=filename[:255],
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by=actor,
        rows=len(report.rows),
        clusters_created=len(report.new_rows),
        rows_already_registered=len(report.already_registered),
    )
    audit_record(
        actor=actor,
        action=actions.REGISTER_IMPORT,
        target=imported,
        after={
            "programme": programme.name,
            "file": imported.original_name,
            "sha256": stored.sha256,
            "rows": imported.rows,
            "clusters_created": imported.clusters_created,
            "rows_already_registered": imported.rows_already_registered,
        },
    )
    # Rows stating their own number first, so that a generated number never takes one a later row states.
    ordered = sorted(
        report.new_rows,
        key=lambda row: (not row.number, row.batch_year, row.seq is None, row.seq or 0, row.row),
    )
    for row in ordered:
        counties = Jurisdiction.objects.get(code=row.county_code)
        cluster = RecognizedCluster.objects.create(
            application=None,
            origin=RecognizedCluster.Origin.REGISTER_IMPORT,
            register_import=imported,
            programme=programme,
            number=row.number or next_number(programme_number_prefix(programme, row.batch_year)),
            name=row.name,
            county=counties,
            places=row.places,
            leading_industry=row.leading_industry,
            leading_industry_code=row.industry_code,
            year=row.batch_year,
            recognized_on=row.recognized_on,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            status=row.status,
            decided_by=actor,
            source=row.source,
        )
        row.number = cluster.number
        audit_record(
            actor=actor,
            action=actions.CLUSTER_IMPORT,
            target=cluster,
            after={
                "register_import": imported.pk,
                "row": row.row,
                "number": cluster.number,
                "batch_year": row.batch_year,
                "recognized_on": row.recognized_on.isoformat(),
                "valid_from": row.valid_from.isoformat(),
                "valid_until": row.valid_until.isoformat(),
                "validity_stated": row.validity_stated,
                "status": row.status,
                "source": row.source,
            },
        )
    report.register_import = imported
    return report
