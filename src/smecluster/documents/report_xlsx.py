"""The evaluation report's underlying data as XLSX: what an analyst recomputes or charts differently.

Sheets: 说明 (scope, year, sources, how to read 无数据); one sheet per theme with its figures (value,
unit, coverage, formula, source fields, and a row per part of a breakdown); 集群年度数据, one row per
cluster-year with every field of its form, the source of its figures and last year's values used for
growth; 指标定义, the catalogue. A figure without data is the text 无数据, never a zero.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from smecluster.analytics.figures import CATALOGUE, NO_DATA, ClusterYear, Theme
from smecluster.annual_figures import AnnualFigures
from smecluster.documents.cells import sheet_bytes
from smecluster.documents.evaluation_report import SOURCE_NOTE, EvaluationReport
from smecluster.reference.regions import REGIONS_SOURCE, RegionScheme

FieldGetter = Callable[[AnnualFigures], Any]


def _year(name: str) -> FieldGetter:
    return lambda figures: getattr(figures.figures, name)


def _title(name: str) -> FieldGetter:
    return lambda figures: getattr(figures.quality_firms, name)


def _top(name: str) -> FieldGetter:
    return lambda figures: getattr(figures, name)


# Every field of the annual information form, in the form's order, with its unit.
FORM_COLUMNS: tuple[tuple[str, str, FieldGetter], ...] = (
    ("figures.output", "集群总产值（亿元）", _year("output")),
    ("figures.sme_output", "中小企业产值（亿元）", _year("sme_output")),
    ("figures.leading_output", "主导产业产值（亿元）", _year("leading_output")),
    ("figures.sme_rnd", "中小企业研发经费（亿元）", _year("sme_rnd")),
    ("figures.invention_patents", "有效发明专利（件）", _year("invention_patents")),
    ("figures.employees", "从业人员（人）", _year("employees")),
    ("figures.iip_penetration", "工业互联网平台应用普及率（%）", _year("iip_penetration")),
    ("figures.co2_intensity", "二氧化碳排放强度（本集群自定单位）", _year("co2_intensity")),
    ("figures.non_fossil_share", "非化石能源消费比重（%）", _year("non_fossil_share")),
    ("quality_firms.champion", "制造业单项冠军企业（家）", _title("champion")),
    ("quality_firms.little_giant", "专精特新“小巨人”企业（家）", _title("little_giant")),
    ("quality_firms.specialized", "专精特新中小企业（家）", _title("specialized")),
    ("quality_firms.innovative", "创新型中小企业（家）", _title("innovative")),
    ("quality_firms.high_tech", "高新技术企业（家）", _title("high_tech")),
    ("firms", "集群企业数（家）", _top("firms")),
    ("sme_firms", "中小企业数（家）", _top("sme_firms")),
    ("rnd", "研发经费支出（亿元）", _top("rnd")),
    ("platforms_national", "国家级创新平台（个）", _top("platforms_national")),
    ("platforms_provincial", "省级及以下创新平台（个）", _top("platforms_provincial")),
    ("standards", "主导或参与制修订标准（项）", _top("standards")),
    ("tech_roadmap", "已制定产业技术路线图", _top("tech_roadmap")),
    ("challenge_firms", "参与“揭榜挂帅”等攻关任务的企业（家）", _top("challenge_firms")),
    ("cloud_adoption", "企业上云率（%）", _top("cloud_adoption")),
    ("digital_service_coverage", "数字化转型服务覆盖企业比例（%）", _top("digital_service_coverage")),
    ("new_model_projects", "国家级新模式新业态项目（个）", _top("new_model_projects")),
    ("green_services", "绿色低碳服务（次）", _top("green_services")),
    ("solid_waste_utilisation", "工业固体废物综合利用率（%）", _top("solid_waste_utilisation")),
    ("water_reuse", "工业用水重复利用率（%）", _top("water_reuse")),
    ("exports", "出口交货值（亿元）", _top("exports")),
    ("international_events", "国际性交流合作活动（次）", _top("international_events")),
    ("promotion_body", "已建立集群发展促进机构", _top("promotion_body")),
    ("rights_protection", "已建立中小企业权益保护机制", _top("rights_protection")),
    ("public_service_assessed", "已开展公共服务评价", _top("public_service_assessed")),
    ("service_coverage", "公共服务覆盖集群企业比例（%）", _top("service_coverage")),
    ("full_service", "集群促进机构能提供全方位服务", _top("full_service")),
)

# Last year's values the growth figures read.
PREVIOUS_COLUMNS = ("figures.output", "figures.leading_output", "figures.invention_patents", "standards",
                    "exports", "figures.co2_intensity")  # fmt: skip

SHEET_NAMES: dict[Theme, str] = {theme: theme.value for theme in Theme}
CLUSTER_SHEET = "集群年度数据"
DEFINITIONS_SHEET = "指标定义"
MISSING_SHEET = "未报送及无法读取"
DYNAMIC_SHEET = "动态管理"
ABOUT_SHEET = "说明"

BOLD = Font(bold=True)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _header(sheet: Any, header: tuple[str, ...] | list[str]) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def _widths(sheet: Any, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _cluster_row(fact: ClusterYear) -> list[Any]:
    previous = {path: getter for path, _label, getter in FORM_COLUMNS if path in PREVIOUS_COLUMNS}
    return [
        fact.number,
        fact.name,
        fact.province,
        fact.city or "",
        fact.county,
        fact.place,
        fact.region(RegionScheme.THREE),
        fact.region(RegionScheme.FOUR),
        fact.industry,
        fact.sector,
        fact.year,
        fact.source.value,
        *(_cell(getter(fact.figures)) for _path, _label, getter in FORM_COLUMNS),
        fact.previous_source.value if fact.previous_source else "",
        *(_cell(previous[path](fact.previous)) if fact.previous else "" for path in PREVIOUS_COLUMNS),
    ]


def render_xlsx(report: EvaluationReport) -> bytes:
    """The workbook as XLSX bytes."""
    book = Workbook()
    # Workbook() starts with one untitled sheet typed as optional; every sheet here is made by name instead.
    book.remove(book.worksheets[0])
    about = book.create_sheet(ABOUT_SHEET)
    for row in (
        ("报告", report.title),
        ("范围", report.scope.label),
        ("范围代码", report.scope.code or "全国"),
        ("年度", report.year),
        ("集群数（有本年数据/范围内全部）", report.reported),
        *((f"数据来源：{source.value}", count) for source, count in sorted(report.current.sources.items())),
        ("数据口径", SOURCE_NOTE),
        ("地区划分", REGIONS_SOURCE),
        ("无数据", f"“{NO_DATA}”表示没有集群填报该项，不是零；“覆盖集群”为填报该项的集群数/集群总数"),
        ("编制日期", report.prepared_on.isoformat()),
    ):
        about.append(list(row))
    for cell in about["A"]:
        cell.font = BOLD
    _widths(about, [22, 90])

    for theme in Theme:
        sheet = book.create_sheet(SHEET_NAMES[theme])
        _header(
            sheet,
            [
                "指标编号",
                "指标",
                "数值",
                "单位",
                "覆盖集群",
                "填报集群数",
                "集群总数",
                "计算方法",
                "来源字段",
                "说明",
            ],
        )
        for value in report.current.of_theme(theme):
            number: Decimal | str = value.decimal if value.decimal is not None else NO_DATA
            sheet.append(
                [
                    value.figure.id,
                    value.figure.name,
                    number,
                    value.figure.unit,
                    value.coverage,
                    value.covered,
                    value.total,
                    value.figure.formula,
                    "、".join(value.figure.sources),
                    value.reason,
                ]
            )
            for part in value.parts:
                label = f"　其中：{part.label}"
                amount = Decimal(value.part_text(part))
                sheet.append([f"{value.figure.id}:{part.label}", label, amount, value.figure.unit])
        _widths(sheet, [26, 34, 14, 8, 10, 10, 10, 48, 36, 30])

    clusters = book.create_sheet(CLUSTER_SHEET)
    labels = {path: label for path, label, _getter in FORM_COLUMNS}
    _header(
        clusters,
        [
            "认定编号", "集群名称", "省级代码", "市级代码", "县级代码", "所在地", "地区（三大地区）",
            "地区（四大地区）", "主导产业", "行业", "年度", "数据来源",
            *(label for _path, label, _getter in FORM_COLUMNS),
            "上年数据来源", *(f"上年{labels[path]}" for path in PREVIOUS_COLUMNS),
        ],
    )  # fmt: skip
    for fact in report.current.facts:
        clusters.append(_cluster_row(fact))
    _widths(
        clusters,
        [14, 30, 10, 10, 10, 28, 10, 10, 14, 12, 8, 22]
        + [14] * (len(FORM_COLUMNS) + 1 + len(PREVIOUS_COLUMNS)),
    )

    missing = book.create_sheet(MISSING_SHEET)
    _header(missing, ["认定编号", "集群名称", "所在地", "主导产业", "行业", "年度", "情况"])
    coverage = report.coverage
    for entry in coverage.unreported if coverage is not None else ():
        missing.append(
            [
                entry.number,
                entry.name,
                entry.place,
                entry.industry,
                entry.sector,
                report.year,
                "未报送本年数据",
            ]
        )
    for record in coverage.unreadable if coverage is not None else ():
        missing.append(
            [record.number, "", "", "", "", record.year, f"无法读取（{record.source}）：{record.reason}"]
        )
    _widths(missing, [14, 30, 28, 14, 12, 8, 60])

    if report.dynamic is not None:
        dynamic = book.create_sheet(DYNAMIC_SHEET)
        _header(dynamic, ["事项", "数量", "其中"])
        for item in report.dynamic.rows():
            dynamic.append(list(item))
        _widths(dynamic, [26, 12, 80])

    definitions = book.create_sheet(DEFINITIONS_SHEET)
    _header(definitions, ["指标编号", "主题", "指标", "单位", "小数位", "计算方法", "来源字段"])
    for figure in CATALOGUE:
        definitions.append(
            [
                figure.id,
                figure.theme.value,
                figure.name,
                figure.unit,
                figure.places,
                figure.formula,
                "、".join(figure.sources),
            ]
        )
    _widths(definitions, [26, 10, 34, 8, 8, 60, 40])

    # Cluster names and leading industries come from applicants: the one guard keeps them text.
    return sheet_bytes(book)
