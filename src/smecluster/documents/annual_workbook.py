"""The annual information form (年度培育情况信息表, :class:`~smecluster.annual_figures.AnnualFigures`) as an
XLSX workbook, and back.

Sheets: 填写说明, 年度数据 (the reported year and the profile's yearly figures for it), 优质企业 (distinct
firms by title at year end) and 监测指标 (firms, innovation, digital, green, openness, governance). Read back,
it validates through ``AnnualFigures`` and every problem of the file is reported at once (cells that cannot
be read, the reported year, the page's bounds, ranges and cross-field checks), each naming its sheet, cell
and the field's Chinese label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from smecluster.annual_figures import AnnualFigures, bound_problems, coherence_problems
from smecluster.documents.profile_workbook import QUALITY_COLUMNS, YEAR_COLUMNS
from smecluster.documents.sheets import (
    Column,
    Kind,
    beyond_unread,
    locate,
    new_workbook,
    open_workbook,
    read_form_sheet,
    where_label,
    workbook_bytes,
    write_form_sheet,
    write_instructions,
)
from smecluster.documents.workbook_limits import DEFAULT_LIMITS, WorkbookLimits
from smecluster.errors import Problem, UnusableInput
from smecluster.i18n import Text as _
from smecluster.profile import validation_problems

FIGURES, QUALITY, MONITORING, INSTRUCTIONS = "年度数据", "优质企业", "监测指标", "填写说明"
SHEETS = (FIGURES, QUALITY, MONITORING)

# The reported year heads the sheet; the yearly figures follow under the same labels as the application's.
FIGURE_COLUMNS = (
    Column("year", "填报年度", Kind.YEAR, required=True, note="所填报的完整自然年度"),
    *(column for column in YEAR_COLUMNS if column.key != "year"),
)

MONITORING_COLUMNS = (
    Column("firms", "集群企业数", Kind.COUNT, unit="家"),
    Column("sme_firms", "其中中小企业数", Kind.COUNT, unit="家", note="不得大于集群企业数"),
    Column(
        "rnd", "集群企业研发经费支出合计", Kind.AMOUNT, unit="亿元", note="全部企业；不得小于中小企业研发经费"
    ),
    Column("platforms_national", "国家级创新平台数", Kind.COUNT, unit="个"),
    Column("platforms_provincial", "省级及以下创新平台数", Kind.COUNT, unit="个"),
    Column("standards", "主导或参与制修订标准数（当年）", Kind.COUNT, unit="项"),
    Column("tech_roadmap", "已制定产业技术路线图", Kind.BOOL),
    Column(
        "challenge_firms",
        "参与“揭榜挂帅”等攻关任务的企业数",
        Kind.COUNT,
        unit="家",
        note="不得大于集群企业数",
    ),
    Column("cloud_adoption", "企业上云率", Kind.PERCENT, unit="%"),
    Column("digital_service_coverage", "数字化转型服务覆盖企业比例", Kind.PERCENT, unit="%"),
    Column("new_model_projects", "智能制造等国家级新模式新业态项目数", Kind.COUNT, unit="个"),
    Column("green_services", "开展绿色低碳服务次数", Kind.COUNT, unit="次"),
    Column("solid_waste_utilisation", "工业固体废物综合利用率", Kind.PERCENT, unit="%"),
    Column("water_reuse", "工业用水重复利用率", Kind.PERCENT, unit="%"),
    Column("exports", "出口交货值", Kind.AMOUNT, unit="亿元"),
    Column("international_events", "举办或参加国际性交流合作活动数", Kind.COUNT, unit="次"),
    Column("promotion_body", "已建立集群发展促进机构", Kind.BOOL),
    Column("rights_protection", "已建立中小企业权益保护机制", Kind.BOOL),
    Column("public_service_assessed", "已开展公共服务评价", Kind.BOOL),
    Column("service_coverage", "公共服务覆盖集群企业比例", Kind.PERCENT, unit="%"),
    Column(
        "full_service",
        "集群促进机构能提供全方位服务",
        Kind.BOOL,
        note="信息服务、人员培训、创业辅导、创新支持、投融资、管理咨询和政策宣贯等服务均能提供",
    ),
)

_GUIDE = (
    "本工作簿为集群年度培育情况信息表，上传后按与网页相同的规则校验。",
    "请勿修改各工作表名称和“项目”列；金额单位为亿元，比例填百分数（18.5 表示 18.5 %）。",
    "不掌握的数据请留空：留空表示“未填报”，不等于 0。",
    "上传时有任何错误，整份数据均不保存，错误信息会指明工作表、单元格和字段。",
)

_FIGURE_KEYS = frozenset(column.key for column in FIGURE_COLUMNS) - {"year"}
_SHEET_OF_FIELD = {
    "year": FIGURES,
    "figures": FIGURES,
    "quality_firms": QUALITY,
    **{column.key: MONITORING for column in MONITORING_COLUMNS},
}


def write_annual_workbook(document: Mapping[str, Any]) -> bytes:
    """A workbook holding an annual-figures document (``AnnualFigures`` dumped by alias, or a partial one)."""
    workbook = new_workbook()
    write_instructions(
        workbook,
        INSTRUCTIONS,
        _GUIDE,
        {FIGURES: FIGURE_COLUMNS, QUALITY: QUALITY_COLUMNS, MONITORING: MONITORING_COLUMNS},
    )
    figures = dict(document.get("figures") or {})
    figures["year"] = document.get("year", figures.get("year"))
    write_form_sheet(workbook, FIGURES, FIGURE_COLUMNS, figures)
    write_form_sheet(workbook, QUALITY, QUALITY_COLUMNS, document.get("quality_firms") or {})
    write_form_sheet(workbook, MONITORING, MONITORING_COLUMNS, document)
    workbook.active = 1
    return workbook_bytes(workbook)


def annual_workbook(figures: AnnualFigures) -> bytes:
    return write_annual_workbook(figures.model_dump(by_alias=True, exclude_none=True))


def read_annual_workbook(
    data: bytes, *, source: str, year: int | None = None, limits: WorkbookLimits = DEFAULT_LIMITS
) -> AnnualFigures:
    """The annual figures a filled workbook holds, or :class:`UnusableInput` listing every problem of the
    file, each naming sheet, cell and field label. With ``year``, the workbook must report that year (a
    report's workbook is for its own year only)."""
    workbook = open_workbook(data, source=source, sheets=SHEETS, limits=limits)
    figures = read_form_sheet(workbook[FIGURES], FIGURE_COLUMNS, prefix="figures")
    quality = read_form_sheet(workbook[QUALITY], QUALITY_COLUMNS, prefix="quality_firms")
    monitoring = read_form_sheet(workbook[MONITORING], MONITORING_COLUMNS)
    parts = (figures, quality, monitoring)
    problems = [problem for part in parts for problem in part.problems]
    unread = {path for part in parts for path in part.unread}
    cells = {path: where for part in parts for path, where in part.cells.items()}
    labels = {path: label for part in parts for path, label in part.labels.items()}
    given = figures.values.get("year")
    document: dict[str, Any] = {
        "schema": 1,
        "figures": {key: value for key, value in figures.values.items() if key in _FIGURE_KEYS},
        "quality_firms": quality.values,
        **monitoring.values,
    }
    if given is not None:
        document["year"] = given
        document["figures"]["year"] = given
    # The reported year is one cell, which the model knows twice (the form's and the yearly figures').
    cells["year"] = cells.pop("figures.year", f"{FIGURES}!B2")
    cells["figures.year"] = cells["year"]
    labels["year"] = labels["figures.year"] = FIGURE_COLUMNS[0].label
    if "figures.year" in unread:
        unread.add("year")
    if year is not None and given not in (None, year):
        problems.append(
            Problem(
                where_label(cells["year"], labels["year"]),
                _("填报年度应为 %(expected)s，工作簿中为 %(given)s", expected=year, given=given),
            )
        )
    # A cell that could not be read is absent from the document; the model's "is required" for it
    # would only repeat its problem.
    found = [*bound_problems(document), *_model_problems(document)]
    # The year's two paths share one cell: its problem is told once.
    problems += dict.fromkeys(locate(beyond_unread(found, unread), cells, _SHEET_OF_FIELD, labels))
    if problems:
        raise UnusableInput(source, problems)
    return AnnualFigures.model_validate(document)


def _model_problems(document: dict[str, Any]) -> list[Problem]:
    try:
        AnnualFigures.model_validate(document)
    except ValidationError as error:
        # pydantic skips the whole-model checks when a field fails: they are run on what could be read.
        return [*validation_problems(error), *coherence_problems(document)]
    return []
