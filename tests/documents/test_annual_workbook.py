"""The annual information form ↔ XLSX."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from smecluster.annual_figures import AnnualFigures
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
    assert any(problem.startswith("年度数据!B2 year: is required") for problem in problems)
    assert any(problem.startswith("年度数据!B3 figures.output: is required") for problem in problems)


def test_cell_and_rule_problems_name_sheet_cell_and_field() -> None:
    workbook = load_workbook(io.BytesIO(annual_workbook(_figures())))
    rows = {row[0].value: row[1].coordinate for row in workbook[MONITORING].iter_rows(min_row=2)}
    workbook[MONITORING][rows["其中中小企业数"]] = 500
    problems = _problems(workbook_bytes(workbook))
    assert len(problems) == 1
    assert "sme_firms: 500 SMEs is more than the 420 firms" in problems[0]
    workbook[MONITORING][rows["企业上云率"]] = "六成"
    assert _problems(workbook_bytes(workbook)) == [
        f"监测指标!{rows['企业上云率']} cloud_adoption: “六成”不是数字"
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
    assert problem.startswith(f"监测指标!{rows['参与“揭榜挂帅”等攻关任务的企业数']} challenge_firms:")


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
