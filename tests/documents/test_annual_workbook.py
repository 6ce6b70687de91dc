"""The annual information form ↔ XLSX."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from smecluster.annual_figures import (
    FIGURE_DECIMAL_PLACES,
    FIGURE_MAX_DIGITS,
    AnnualFigures,
    figure_bound_problem,
)
from smecluster.documents.annual_workbook import (
    FIGURES,
    INSTRUCTIONS,
    MONITORING,
    QUALITY,
    annual_workbook,
    read_annual_workbook,
    write_annual_workbook,
)
from smecluster.documents.sheets import workbook_bytes
from smecluster.errors import UnusableInput


def _figures() -> AnnualFigures:
    return AnnualFigures.model_validate(
        {
            "schema": 1,
            "year": 2025,
            "figures": {"year": 2025, "output": Decimal("53.4"), "sme_output": Decimal("40"),
                        "sme_rnd": Decimal("1.32"), "invention_patents": 540, "employees": 30000,
                        "iip_penetration": Decimal("18.5")},
            "quality_firms": {"little_giant": 2, "specialized": 6},
            "firms": 420, "sme_firms": 400, "rnd": Decimal("2.5"), "cloud_adoption": Decimal("61.25"),
            "exports": Decimal("7.75"), "promotion_body": True, "rights_protection": False,
            "tech_roadmap": True, "challenge_firms": 12, "new_model_projects": 1, "full_service": False,
        }
    )  # fmt: skip


def _problems(data: bytes) -> list[str]:
    with pytest.raises(UnusableInput) as raised:
        read_annual_workbook(data, source="annual.xlsx")
    return [str(problem) for problem in raised.value.problems]


def test_round_trip_loses_nothing() -> None:
    figures = _figures()
    data = annual_workbook(figures)
    assert load_workbook(io.BytesIO(data)).sheetnames == [INSTRUCTIONS, FIGURES, QUALITY, MONITORING]
    assert read_annual_workbook(data, source="annual.xlsx") == figures


def test_a_blank_template_reports_the_reported_year_and_output_as_required() -> None:
    problems = _problems(write_annual_workbook({}))
    assert problems.count("年度数据!B2 填报年度: 尚未填写") == 1, "one cell, one problem"
    assert "年度数据!B3 集群总产值: 尚未填写" in problems


def test_cell_and_rule_problems_name_sheet_cell_and_field() -> None:
    workbook = load_workbook(io.BytesIO(annual_workbook(_figures())))
    rows = {row[0].value: row[1].coordinate for row in workbook[MONITORING].iter_rows(min_row=2)}
    workbook[MONITORING][rows["其中中小企业数"]] = 500
    assert _problems(workbook_bytes(workbook)) == [
        f"监测指标!{rows['其中中小企业数']} 其中中小企业数: 中小企业数 500 家超过了集群企业数 420 家"
    ]
    workbook[MONITORING][rows["企业上云率"]] = "六成"
    assert _problems(workbook_bytes(workbook)) == [
        f"监测指标!{rows['企业上云率']} 企业上云率: “六成”不是数字",
        f"监测指标!{rows['其中中小企业数']} 其中中小企业数: 中小企业数 500 家超过了集群企业数 420 家",
    ]


def test_cesis_items_are_optional_rows_of_the_monitoring_sheet() -> None:
    """Issue 14 (seed 004): 技术路线图, 揭榜挂帅, 新模式新业态 and 全方位服务 are rows of 监测指标; left blank
    they are not reported; 揭榜挂帅 firms above the cluster's firms name their cell."""
    workbook = load_workbook(io.BytesIO(annual_workbook(_figures())))
    rows = {row[0].value: row[1].coordinate for row in workbook[MONITORING].iter_rows(min_row=2)}
    assert {"已制定产业技术路线图", "参与“揭榜挂帅”等攻关任务的企业数", "智能制造等国家级新模式新业态项目数",
            "集群促进机构能提供全方位服务"} <= set(rows)  # fmt: skip
    workbook[MONITORING][rows["已制定产业技术路线图"]] = None
    read = read_annual_workbook(workbook_bytes(workbook), source="annual.xlsx")
    assert read.tech_roadmap is None
    assert read.challenge_firms == 12
    workbook[MONITORING][rows["参与“揭榜挂帅”等攻关任务的企业数"]] = 421
    (problem,) = _problems(workbook_bytes(workbook))
    assert problem.startswith(
        f"监测指标!{rows['参与“揭榜挂帅”等攻关任务的企业数']} 参与“揭榜挂帅”等攻关任务的企业数:"
    )


def _rows(workbook: Workbook, sheet: str) -> dict[str, str]:
    return {
        str(row[0].value).removesuffix("（必填）"): row[1].coordinate
        for row in workbook[sheet].iter_rows(min_row=2)
    }


def test_every_problem_of_a_file_is_reported_in_one_pass() -> None:
    """Issue 15, finding 4: the year, then the types, then the ranges, then the cross-field checks came one
    upload at a time (3–4 round trips). All of them now come from the first upload, each at its cell and
    under its Chinese label, never an internal key (figures.employees, promotion_body)."""
    workbook = load_workbook(io.BytesIO(annual_workbook(_figures())))
    figures, monitoring = _rows(workbook, FIGURES), _rows(workbook, MONITORING)
    workbook[FIGURES][figures["填报年度"]] = 2024  # the report is for 2025
    workbook[FIGURES][figures["从业人员"]] = "三万人"  # a type
    workbook[FIGURES][figures["有效发明专利"]] = -5  # a range
    workbook[MONITORING][monitoring["已建立集群发展促进机构"]] = "大概"  # a type
    workbook[MONITORING][monitoring["其中中小企业数"]] = 500  # cross-field: more than the 420 firms
    with pytest.raises(UnusableInput) as raised:
        read_annual_workbook(workbook_bytes(workbook), source="annual.xlsx", year=2025)
    problems = [str(problem) for problem in raised.value.problems]
    assert problems == [
        f"年度数据!{figures['从业人员']} 从业人员: “三万人”不是整数",
        f"监测指标!{monitoring['已建立集群发展促进机构']} 已建立集群发展促进机构: “大概”应填“是”或“否”",
        f"年度数据!{figures['填报年度']} 填报年度: 填报年度应为 2025，工作簿中为 2024",
        f"年度数据!{figures['有效发明专利']} 有效发明专利: 须不小于 0",
        f"监测指标!{monitoring['其中中小企业数']} 其中中小企业数: 中小企业数 500 家超过了集群企业数 420 家",
    ]
    internal_keys = re.compile(r"[a-z]+_[a-z_]+|figures\.|quality_firms|\b(year|employees)\b")
    assert not [problem for problem in problems if internal_keys.search(problem)]


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("集群总产值", "1e30"),
        ("集群总产值", 1e30),
        ("出口交货值", "1234567890123"),
        ("企业上云率", "12.34567"),
    ],
)
def test_the_workbook_holds_to_the_pages_bounds(label: str, value: str | float) -> None:
    """1e30 亿元 was accepted by the upload though the page refuses it: both hold to FIGURE_MAX_DIGITS and
    FIGURE_DECIMAL_PLACES (12 digits before the point, 4 after)."""
    workbook = load_workbook(io.BytesIO(annual_workbook(_figures())))
    cell = _rows(workbook, FIGURES).get(label) or _rows(workbook, MONITORING)[label]
    sheet = FIGURES if label in _rows(workbook, FIGURES) else MONITORING
    workbook[sheet][cell] = value
    (problem,) = _problems(workbook_bytes(workbook))
    assert problem.startswith(f"{sheet}!{cell} {label}: ")
    assert "超出可填写的范围：整数部分最多 12 位，小数最多 4 位" in problem


def test_the_page_and_the_workbook_share_one_definition_of_the_bounds() -> None:
    assert (FIGURE_MAX_DIGITS, FIGURE_DECIMAL_PLACES) == (16, 4)
    assert figure_bound_problem(Decimal("999999999999.9999")) is None
    assert figure_bound_problem(Decimal("1000000000000")) is not None
    assert figure_bound_problem(Decimal("0.00001")) is not None


_amount = st.decimals(min_value=0, max_value=Decimal("1e9"), places=4, allow_nan=False, allow_infinity=False)
_percent = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
_count = st.integers(min_value=0, max_value=10**9)
_MONITORING = {
    "platforms_national": _count, "platforms_provincial": _count, "standards": _count,
    "cloud_adoption": _percent, "digital_service_coverage": _percent, "green_services": _count,
    "solid_waste_utilisation": _percent, "water_reuse": _percent, "exports": _amount,
    "international_events": _count, "promotion_body": st.booleans(), "rights_protection": st.booleans(),
    "public_service_assessed": st.booleans(), "service_coverage": _percent,
    "tech_roadmap": st.booleans(), "new_model_projects": _count, "full_service": st.booleans(),
}  # fmt: skip


@st.composite
def _annual(draw: st.DrawFn) -> AnnualFigures:
    year = draw(st.integers(min_value=2000, max_value=2099))
    output = draw(_amount)
    figures: dict[str, object] = {"year": year, "output": output}
    if draw(st.booleans()):
        figures["sme_output"] = draw(st.decimals(min_value=0, max_value=output, places=4))
    for name in ("employees", "invention_patents"):
        if draw(st.booleans()):
            figures[name] = draw(_count)
    document: dict[str, object] = {
        "schema": 1,
        "year": year,
        "figures": figures,
        "quality_firms": {name: draw(_count) for name in ("champion", "high_tech") if draw(st.booleans())},
    }
    if draw(st.booleans()):
        firms = draw(_count)
        document["firms"] = firms
        document["sme_firms"] = draw(st.integers(min_value=0, max_value=firms))
        if draw(st.booleans()):
            document["challenge_firms"] = draw(st.integers(min_value=0, max_value=firms))
    for name, strategy in _MONITORING.items():
        if draw(st.booleans()):
            document[name] = draw(strategy)
    return AnnualFigures.model_validate(document)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_annual())
def test_any_valid_annual_form_survives_a_round_trip(figures: AnnualFigures) -> None:
    assert read_annual_workbook(annual_workbook(figures), source="annual.xlsx") == figures
