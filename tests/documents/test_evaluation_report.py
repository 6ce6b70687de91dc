"""The evaluation report in its three formats, from one content: the PDF embeds the Noto CJK font and
carries the figures as text (charts included), the DOCX opens and says the same, the XLSX has its sheets."""

from __future__ import annotations

import io
import struct
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from smecluster.analytics.figures import ClusterEntry, ClusterYear, Coverage, Source, Theme, UnreadableRecord
from smecluster.annual_figures import AnnualFigures
from smecluster.documents import charts
from smecluster.documents.evaluation_report import (
    Block,
    ChartBlock,
    DynamicManagement,
    EvaluationReport,
    FigureTable,
    ReportScope,
    Table,
    Tally,
    block_figures,
    build_report,
)
from smecluster.documents.report_docx import render_docx
from smecluster.documents.report_pdf import render_pdf
from smecluster.documents.report_xlsx import (
    CLUSTER_SHEET,
    DEFINITIONS_SHEET,
    DYNAMIC_SHEET,
    MISSING_SHEET,
    render_xlsx,
)
from smecluster.errors import UnusableInput


def annual(year: int, output: str, **more: Any) -> AnnualFigures:
    figures = {"year": year, "output": Decimal(output), **more.pop("figures", {})}
    return AnnualFigures.model_validate(
        {"schema": 1, "year": year, "figures": figures, "quality_firms": more.pop("quality", {}), **more}
    )


def cluster(
    number: str,
    county: str,
    industry: str,
    current: AnnualFigures,
    previous: AnnualFigures | None,
    code: str = "",
) -> ClusterYear:
    return ClusterYear(
        number=number,
        name=f"{number}{industry}产业集群",
        province=county[:2] + "0000",
        city=county[:4] + "00",
        county=county,
        industry=industry,
        industry_code=code,
        year=current.year,
        figures=current,
        source=Source.ANNUAL_REPORT,
        previous=previous,
        previous_source=Source.APPLICATION if previous else None,
        place=f"测试县{county}",
    )


FACTS = [
    cluster(
        "粤2022-01",
        "440606",
        "智能家电",
        annual(
            2023,
            "412.5",
            figures={"sme_output": Decimal("301.2"), "invention_patents": 830, "employees": 52000},
            quality={"little_giant": 6, "specialized": 41, "innovative": 120},
            firms=1850,
            sme_firms=1822,
            platforms_national=3,
            platforms_provincial=27,
            rnd=Decimal("14.2"),
            cloud_adoption=Decimal("63.5"),
            exports=Decimal("88.4"),
            promotion_body=True,
            rights_protection=True,
            public_service_assessed=True,
        ),
        annual(2022, "367.0", figures={"invention_patents": 701}, exports=Decimal("80.1")),
        "C3854",
    ),
    cluster(
        "粤2022-02",
        "440605",
        "铝型材",
        annual(
            2023,
            "187.3",
            figures={"sme_output": Decimal("150.0"), "employees": 21000},
            firms=640,
            sme_firms=633,
            cloud_adoption=Decimal("41.0"),
            promotion_body=True,
            rights_protection=False,
        ),
        annual(2022, "175.8"),
        "C3252",
    ),
]
SCOPE = ReportScope("440000", "广东省")


@pytest.fixture(scope="module")
def report() -> EvaluationReport:
    return build_report(
        SCOPE,
        2023,
        FACTS,
        texts={"weaknesses": "铝型材集群的权益保护机制仍待建立。\n\n数据有缺。"},
        prepared_on=date(2024, 5, 20),
        prepared_by="广东省工业和信息化厅",
    )


@pytest.fixture(scope="module")
def pdf_text(report: EvaluationReport) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(render_pdf(report)))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _embedded_fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described.get("/FontDescriptor")
            if descriptor is None:
                continue
            descriptor = descriptor.get_object()
            if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                names.add(str(font["/BaseFont"]))
    return names


def test_pdf_embeds_the_noto_cjk_font(pdf_text: tuple[PdfReader, str]) -> None:
    reader, _text = pdf_text
    embedded = _embedded_fonts(reader)
    assert any("Noto" in name and "CJK" in name and "SC" in name for name in embedded), embedded
    assert not any("JP" in name for name in embedded), embedded  # the Simplified Chinese face only


def test_pdf_text_holds_the_figures_in_chinese(
    pdf_text: tuple[PdfReader, str], report: EvaluationReport
) -> None:
    _reader, text = pdf_text
    compact = text.replace(" ", "").replace("\n", "")
    assert "广东省中小企业特色产业集群发展评估报告（2023年度）" in compact
    for heading in ("重要意义", "总体情况", "发展成效", "存在问题", "对策建议", "指标定义"):
        assert heading in compact
    # 412.5 + 187.3; (599.8 / 542.8 − 1) × 100 = 10.50 %
    assert "集群总产值599.80亿元" in compact
    assert "同比增长10.5%" in compact
    assert "2/2" in compact
    # the analyst's text replaces the draft
    assert "铝型材集群的权益保护机制仍待建立。" in compact
    # a chart's title and tick labels are text in the PDF, not pixels
    assert "集群行业分布（2个集群）" in compact
    assert "动态管理情况" in compact
    assert report.current["output"].text(spaced=False) == "599.80亿元"


def test_docx_opens_and_says_what_the_pdf_says(
    report: EvaluationReport, pdf_text: tuple[PdfReader, str]
) -> None:
    document = Document(io.BytesIO(render_docx(report)))
    paragraphs = "\n".join(paragraph.text for paragraph in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert report.title in paragraphs
    assert "铝型材集群的权益保护机制仍待建立。" in paragraphs
    assert "599.80" in cells
    assert "集群总产值" in cells
    chart_count = sum(
        isinstance(item, ChartBlock)
        for chapter in report.chapters
        for item in (*chapter.content, *(entry for section in chapter.sections for entry in section.content))
    )
    assert chart_count >= 5
    assert len(document.inline_shapes) == chart_count
    # every table row of the report is in both documents
    _reader, text = pdf_text
    compact = text.replace(" ", "").replace("\n", "")
    for chapter in report.chapters:
        for item in (*chapter.content, *(entry for section in chapter.sections for entry in section.content)):
            if isinstance(item, FigureTable):
                for name, number, _unit, _coverage in item.rows():
                    assert name in cells
                    assert number in cells
                    assert number.replace(" ", "") in compact


def test_charts_are_png_at_200_dpi_and_svg_with_text_as_text(report: EvaluationReport) -> None:
    chart = next(
        item.chart for chapter in report.chapters for item in chapter.content if isinstance(item, ChartBlock)
    )
    assert "<text" in chart.svg
    assert f"font-family: '{charts.cjk_font().family}'" in chart.svg
    physical = chart.png.index(b"pHYs") + 4
    per_metre_x, per_metre_y, unit = struct.unpack(">IIB", chart.png[physical : physical + 9])
    assert unit == 1
    assert round(per_metre_x * 0.0254) == 200
    assert per_metre_x == per_metre_y


def test_xlsx_has_a_sheet_per_theme_the_cluster_rows_and_the_definitions(report: EvaluationReport) -> None:
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    assert book.sheetnames == [
        "说明",
        *(theme.value for theme in Theme),
        CLUSTER_SHEET,
        MISSING_SHEET,
        DYNAMIC_SHEET,
        DEFINITIONS_SHEET,
    ]
    scale = {row[0]: row for row in book[Theme.SCALE.value].iter_rows(min_row=2, values_only=True)}
    assert Decimal(str(scale["output"][2])) == Decimal("599.80")
    assert scale["output"][4] == "2/2"
    assert scale["leading_share"][2] == "无数据"
    clusters = list(book[CLUSTER_SHEET].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in clusters] == ["粤2022-01", "粤2022-02"]
    header = next(book[CLUSTER_SHEET].iter_rows(max_row=1, values_only=True))
    output = header.index("集群总产值（亿元）")
    assert Decimal(str(clusters[0][output])) == Decimal("412.5")
    assert clusters[0][header.index("数据来源")] == Source.ANNUAL_REPORT.value
    assert clusters[1][header.index("国家级创新平台（个）")] in ("", None)
    assert book[DEFINITIONS_SHEET].max_row - 1 == len(report.current.values)


def test_drafts_are_written_from_the_figures_and_the_figures_stand_beside_them(
    report: EvaluationReport,
) -> None:
    assert Block.WEAKNESSES in report.edited
    assert Block.OVERVIEW not in report.edited
    assert "599.80亿元" in report.texts[Block.OVERVIEW]
    assert "2个集群来自年度培育情况信息表" in report.texts[Block.OVERVIEW]
    # rights protection is in place in one of two clusters: the draft of measures says what to do
    assert "权益保护" in report.texts[Block.MEASURES]
    beside = {value.figure.id for value in block_figures(Block.INNOVATION, report.current)}
    assert {"rnd_intensity", "invention_patents", "platforms_national"} <= beside


def test_no_cluster_year_is_a_clear_error_not_an_empty_report() -> None:
    with pytest.raises(UnusableInput, match="广东省在2031年没有已认定集群的年度数据"):
        build_report(SCOPE, 2031, [], prepared_on=date(2032, 1, 1))


def test_unknown_or_overlong_text_blocks_are_refused() -> None:
    with pytest.raises(UnusableInput, match="preface: is not a text block"):
        build_report(
            SCOPE, 2023, FACTS, texts={"preface": "x"}, prepared_on=date(2024, 1, 1), with_charts=False
        )
    with pytest.raises(UnusableInput, match="measures: has 20001 characters"):
        build_report(
            SCOPE,
            2023,
            FACTS,
            texts={"measures": "字" * 20001},
            prepared_on=date(2024, 1, 1),
            with_charts=False,
        )


def test_a_missing_cjk_font_stops_the_report_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts.font_manager.fontManager, "ttflist", [])
    charts.cjk_font.cache_clear()
    try:
        with pytest.raises(charts.CJKFontMissing, match="fonts-noto-cjk"):
            build_report(SCOPE, 2023, FACTS, prepared_on=date(2024, 1, 1))
    finally:
        monkeypatch.undo()
        charts.cjk_font.cache_clear()


def _tables(report: EvaluationReport) -> dict[str, Table]:
    return {
        item.caption.split("　")[0] if item.caption.startswith("表") else chapter.title: item
        for chapter in report.chapters
        for item in chapter.content
        if isinstance(item, Table)
    }


UNREPORTED = ClusterEntry(
    "粤2022-03", "粤2022-03陶瓷产业集群", "440000", "440604", "测试县440604", "陶瓷", "C3071"
)
WESTERN = ClusterEntry("黔2022-01", "黔2022-01白酒产业集群", "520000", "520102", "测试县520102", "白酒", "")
COVERAGE = Coverage(
    2023,
    tuple(FACTS),
    (UNREPORTED, WESTERN),
    (UnreadableRecord("粤2022-03", 2023, Source.ANNUAL_REPORT.value, "figures.output: must be a number"),),
)


def test_clusters_without_figures_are_counted_listed_and_a_bad_record_is_named() -> None:
    """Issue 14: a cluster without figures for the year is listed (overview n of N, annex), never dropped
    silently; a stored record that fails validation is named by cluster number and year with the reason."""
    report = build_report(SCOPE, 2023, COVERAGE, prepared_on=date(2024, 5, 20), with_charts=False)
    assert report.reported == "2/4"
    assert "共4个，其中2个有2023年度数据纳入本报告，2个未报送（见附表2）" in report.texts[Block.OVERVIEW]
    annexes = {chapter.title: chapter for chapter in report.chapters if not chapter.number}
    unreported = annexes["附表2　未报送2023年度数据的集群"].content[0]
    assert isinstance(unreported, Table)
    assert [row[1] for row in unreported.rows] == ["粤2022-03", "黔2022-01"]
    unreadable = annexes["附表3　无法读取的数据记录"].content[0]
    assert isinstance(unreadable, Table)
    assert unreadable.rows == (
        ("粤2022-03", "2023", "年度培育情况信息表", "figures.output: must be a number"),
    )
    assert "附表4　指标定义" in annexes


def test_the_sector_and_region_tables_count_every_cluster_of_the_scope() -> None:
    """Issue 14 (CESI: "东、中、西部分别认定47、23、30个集群"; "电子、轻工、机械…行业集群占比较高"):
    clusters by sector of their GB/T 4754 code and by the three regions, each a table and a chart, over
    all N clusters; the per-product-name distribution is gone."""
    report = build_report(SCOPE, 2023, COVERAGE, prepared_on=date(2024, 5, 20))
    tables = _tables(report)
    assert tables["表2-2"].rows == (
        ("有色", "1", "25.0"),
        ("建材", "1", "25.0"),
        ("轻工", "1", "25.0"),
        ("未填报行业代码", "1", "25.0"),
        ("合计", "4", "100.0"),
    )
    assert tables["表2-3"].rows == (
        ("东部", "3", "75.0"),
        ("中部", "0", "0.0"),
        ("西部", "1", "25.0"),
        ("合计", "4", "100.0"),
    )
    overview = next(chapter for chapter in report.chapters if chapter.number == "二")
    titles = [item.chart.title for item in overview.content if isinstance(item, ChartBlock)]
    assert titles == ["集群行业分布（4个集群）", "集群区域分布（4个集群）"]
    assert "从区域分布看，东、西部分别有3、1个集群" in report.texts[Block.OVERVIEW]
    assert "主导产业分布" not in str(report.chapters)


def test_the_dynamic_management_chapter_precedes_the_weaknesses() -> None:
    """Issue 14: annual reports due/received/late, major changes, incidents, revocations by statutory case
    and re-review results, as plain counts, in a chapter before 存在问题."""
    dynamic = DynamicManagement(
        reports_due=4,
        reports_filed=3,
        reports_received=2,
        reports_late=1,
        reports_overdue=1,
        changes=(Tally("主导产业", 1), Tally("空间范围", 0)),
        changes_unfiled=1,
        incidents=(Tally("安全事故", 2),),
        incidents_meeting_threshold=1,
        revocations=(Tally("情形3（未及时报送年度信息或不配合监测）", 1),),
        re_reviews_passed=2,
        re_reviews_failed=1,
    )
    report = build_report(
        SCOPE, 2023, COVERAGE, prepared_on=date(2024, 5, 20), with_charts=False, dynamic=dynamic
    )
    numbered = [chapter.title for chapter in report.chapters if chapter.number]
    assert numbered.index("动态管理情况") == numbered.index("存在问题") - 1
    text = report.texts[Block.DYNAMIC]
    assert "应报送4份，已报送3份，其中逾期提交1份；逾期未报送1份" in text
    assert "撤销认定1个集群（情形3（未及时报送年度信息或不配合监测）1个）" in text
    assert "通过2个、未通过1个" in text
    rows = {row[0]: row for row in _tables(report)["表4-1"].rows}
    assert rows["重大变动"][1:] == ("1 项", "主导产业1；未报备（核查发现）1项")
    assert rows["事件登记"][1:] == ("2 起", "安全事故2；达到撤销情形1起")


def test_a_register_without_figures_still_reports_its_clusters_by_sector_and_region() -> None:
    """Issue 14 (done when: the national report "counts only national clusters and shows the sector
    distribution"): clusters loaded from a past list have no figures yet; the report says 0 of N, counts them
    by sector and region and lists them, with every figure 无数据 — not "no data, no report"."""
    imported = Coverage(2025, (), (UNREPORTED, WESTERN))
    report = build_report(ReportScope(None, "", "国家级"), 2025, imported, prepared_on=date(2026, 5, 20))
    assert report.title == "国家级中小企业特色产业集群发展评估报告（2025年度）"
    assert report.reported == "0/2"
    assert "共2个，其中0个有2025年度数据纳入本报告，2个未报送（见附表2）" in report.texts[Block.OVERVIEW]
    assert "数据来源：。" not in report.texts[Block.OVERVIEW]
    assert [row[0] for row in _tables(report)["表2-2"].rows] == ["建材", "未填报行业代码", "合计"]
    assert report.current["output"].text().startswith("无数据")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(report))).pages)
    assert "建材" in text.replace(" ", "")
