"""The cluster profile ↔ XLSX: a round trip loses nothing; a bad workbook names sheet, cell and field."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from smecluster.documents.profile_workbook import (
    BASICS,
    INCIDENTS,
    INSTRUCTIONS,
    QUALITY,
    YEARS,
    profile_workbook,
    read_profile_workbook,
    write_profile_workbook,
)
from smecluster.documents.sheets import workbook_bytes
from smecluster.errors import UnusableInput
from smecluster.profile import INCIDENT_LEVELS, ClusterProfile, IncidentKind, load_profile

EXAMPLE = Path(__file__).parents[2] / "examples" / "profile-example.json"


def _example() -> ClusterProfile:
    return load_profile(EXAMPLE)


def _edit(data: bytes, sheet: str, cell: str, value: Any) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    workbook[sheet][cell] = value
    return workbook_bytes(workbook)


def _problems(data: bytes) -> list[str]:
    with pytest.raises(UnusableInput) as raised:
        read_profile_workbook(data, source="form.xlsx")
    assert raised.value.source == "form.xlsx"
    return [str(problem) for problem in raised.value.problems]


def test_the_example_profile_survives_a_round_trip() -> None:
    profile = _example()
    assert read_profile_workbook(profile_workbook(profile), source="form.xlsx") == profile


def test_the_workbook_has_one_sheet_per_tab_after_the_instructions_in_chinese() -> None:
    workbook = load_workbook(io.BytesIO(profile_workbook(_example())))
    assert workbook.sheetnames == [INSTRUCTIONS, BASICS, YEARS, QUALITY, INCIDENTS]
    guide = [row[0] for row in workbook[INSTRUCTIONS].iter_rows(values_only=True)]
    assert any("亿元" in str(line) for line in guide)
    years = workbook[YEARS]
    assert years["A1"].value == "年度*"
    assert years["B1"].value == "集群总产值（亿元）*"
    assert years["B1"].font.bold
    assert years.freeze_panes == "A2"
    # Data validation: amounts ≥ 0, percentages 0–100, yes/no from a list, incident kinds from a list.
    kinds = {validation.type for validation in years.data_validations.dataValidation}
    assert {"decimal", "whole"} <= kinds
    lists = [v.formula1 for v in workbook[BASICS].data_validations.dataValidation if v.type == "list"]
    assert '"是,否"' in lists
    incident_lists = [v.formula1 for v in workbook[INCIDENTS].data_validations.dataValidation]
    assert any("安全事故" in formula for formula in incident_lists)
    # The application date is a real date cell, the counties a text cell.
    basics = {row[0].value: row[1] for row in workbook[BASICS].iter_rows(min_row=2)}
    assert basics["申报日期（必填）"].is_date
    assert basics["县级行政区划代码（必填）"].number_format == "@"


def test_an_empty_template_offers_three_year_rows_and_reads_back_as_missing_fields() -> None:
    template = write_profile_workbook({})
    problems = _problems(template)
    assert "基本信息!B2 集群名称: 尚未填写" in problems
    assert "年度数据: 尚未填写" in problems


_COUNTIES = ["440606", "440605", "440604", "440303", "440111"]
_text = st.text(
    alphabet=st.characters(categories=("L", "N"), include_characters="（）·-"), min_size=1, max_size=20
)
_amount = st.decimals(min_value=0, max_value=Decimal("1e9"), places=4, allow_nan=False, allow_infinity=False)
_percent = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
_count = st.integers(min_value=0, max_value=10**9)


@st.composite
def _profiles(draw: st.DrawFn) -> ClusterProfile:
    applied = draw(st.dates(min_value=date(1995, 1, 1), max_value=date(2099, 12, 31)))
    last = applied.year - draw(st.integers(min_value=1, max_value=2))
    years = []
    for year in range(last - draw(st.integers(min_value=0, max_value=3)), last + 1):
        output = draw(_amount)
        entry: dict[str, Any] = {"year": year, "output": output}
        for name in ("sme_output", "leading_output"):
            if draw(st.booleans()):
                entry[name] = draw(st.decimals(min_value=0, max_value=output, places=4))
        for name in ("sme_rnd", "co2_intensity"):
            if draw(st.booleans()):
                entry[name] = draw(_amount)
        for name in ("invention_patents", "employees"):
            if draw(st.booleans()):
                entry[name] = draw(_count)
        for name in ("iip_penetration", "non_fossil_share"):
            if draw(st.booleans()):
                entry[name] = draw(_percent)
        years.append(entry)
    counties = draw(st.lists(st.sampled_from(_COUNTIES), min_size=1, max_size=3, unique=True))
    incidents = []
    for _ in range(draw(st.integers(0, 3))):
        incident: dict[str, Any] = {
            "date": draw(st.dates(min_value=date(1990, 1, 1), max_value=applied)).isoformat(),
            "kind": draw(st.sampled_from(list(IncidentKind))).value,
            "level": draw(st.sampled_from(INCIDENT_LEVELS)),
        }
        if draw(st.booleans()):
            incident["note"] = draw(_text)
        incidents.append(incident)
    document: dict[str, Any] = {
        "schema": 1,
        "name": draw(_text),
        "province": "广东省",
        "counties": counties,
        "leading_industry": draw(_text),
        "area_km2": draw(_amount),
        "application_date": applied.isoformat(),
        "energy_intensive": draw(st.booleans()),
        "water_intensive": draw(st.booleans()),
        "years": years,
        "quality_firms": {
            name: draw(_count)
            for name in ("champion", "little_giant", "specialized", "innovative", "high_tech")
            if draw(st.booleans())
        },
        "incidents": incidents,
    }
    if draw(st.booleans()):
        document["leading_industry_code"] = draw(st.sampled_from(["38", "C38", "3854", "C3854"]))
    for flag in ("energy_efficiency_better_than_benchmark", "water_efficiency_better_than_benchmark"):
        if draw(st.booleans()):
            document[flag] = draw(st.booleans())
    return ClusterProfile.model_validate(document)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_profiles())
def test_any_valid_profile_survives_a_round_trip(profile: ClusterProfile) -> None:
    back = read_profile_workbook(profile_workbook(profile), source="form.xlsx")
    # Equal as values: 0.0000 亿元 read back as 0 is the same amount (Excel keeps no trailing zeros).
    assert back == profile


def test_text_in_a_number_cell_names_the_sheet_cell_and_field() -> None:
    data = _edit(profile_workbook(_example()), YEARS, "B3", "四十七亿")
    assert _problems(data) == ["年度数据!B3 集群总产值: “四十七亿”不是数字"]


def test_a_rule_of_the_profile_is_reported_at_its_cell() -> None:
    data = _edit(profile_workbook(_example()), YEARS, "C2", 99)  # SME output above the total of 42
    (problem,) = _problems(data)
    assert problem.startswith("年度数据!C2 中小企业产值: 99 亿元超过了集群总产值 42 亿元")


def test_a_negative_amount_and_a_bad_county_are_all_reported_at_once() -> None:
    data = _edit(profile_workbook(_example()), BASICS, "B7", -1)
    data = _edit(data, BASICS, "B4", "449999")
    problems = _problems(data)
    assert "基本信息!B7 占地面积: 须不小于 0" in problems
    assert any(
        problem.startswith("基本信息!B4 县级行政区划代码: 449999 不是现行有效的") for problem in problems
    )


def test_yes_no_dates_and_choices_must_be_what_the_lists_offer() -> None:
    data = _edit(profile_workbook(_example()), BASICS, "B9", "可能")
    data = _edit(data, BASICS, "B8", "明年")
    data = _edit(data, INCIDENTS, "A2", "2024-05-01")
    data = _edit(data, INCIDENTS, "B2", "火灾")
    problems = _problems(data)
    assert "基本信息!B9 属于高耗能行业: “可能”应填“是”或“否”" in problems
    assert "基本信息!B8 申报日期: “明年”不是日期，应写作 YYYY-MM-DD" in problems
    assert any(
        problem.startswith("事故事件!B2 类别: “火灾”不是可选项：安全事故、质量事故") for problem in problems
    )


def test_a_graded_incident_without_a_level_names_its_row() -> None:
    data = _edit(profile_workbook(_example()), INCIDENTS, "A2", date(2024, 5, 1))
    data = _edit(data, INCIDENTS, "B2", "安全事故")
    (problem,) = _problems(data)
    assert problem.startswith("事故事件!C2 等级: 事故或安全事件须填写等级")


def test_years_out_of_order_name_the_row() -> None:
    data = _edit(profile_workbook(_example()), YEARS, "A3", 2021)
    (problem,) = _problems(data)
    assert problem.startswith("年度数据!A3 年度: 2021 年排在 2022 年之后")


def test_a_renamed_column_and_a_missing_sheet_are_refused() -> None:
    data = _edit(profile_workbook(_example()), YEARS, "B1", "产值")
    assert _problems(data) == ["年度数据!B1: “产值”不是本表的列", "年度数据: 缺少“集群总产值（亿元）”列"]
    workbook = load_workbook(io.BytesIO(profile_workbook(_example())))
    del workbook[QUALITY]
    assert _problems(workbook_bytes(workbook)) == ["优质企业: 缺少该工作表，请使用下载的模板填写"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件为空"),
        (b"name,output\n", "不是 Excel 工作簿（.xlsx）文件，请使用下载的模板填写"),
        (b"PK\x03\x04 truncated zip", "不是 Excel 工作簿（.xlsx）文件，请使用下载的模板填写"),
        (b"x" * (10 * 1024 * 1024 + 1), "文件大小 10485761 字节，超过上限 10485760 字节"),
    ],
    ids=["empty", "csv", "broken-zip", "over-10-MB"],
)
def test_files_that_are_not_a_workbook(data: bytes, message: str) -> None:
    assert _problems(data) == [message]


def test_rows_may_be_reordered_and_blank_rows_are_skipped() -> None:
    workbook = load_workbook(io.BytesIO(profile_workbook(_example())))
    basics = workbook[BASICS]
    name_label, name_value = basics["A2"].value, basics["B2"].value
    basics["A2"], basics["B2"] = basics["A5"].value, basics["B5"].value
    basics["A5"], basics["B5"] = name_label, name_value
    years = workbook[YEARS]
    years.insert_rows(3)
    assert read_profile_workbook(workbook_bytes(workbook), source="form.xlsx") == _example()
