"""The annual information form ↔ XLSX."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
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
