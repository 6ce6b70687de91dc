"""SME size classification at, below and above every threshold of every row of the standard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smecluster.analytics.sme_size import SizeRule, classify, classify_in_group
from smecluster.errors import UnusableInput
from smecluster.reference.sme_standards import IndustryGroup, Thresholds, standard_in_force

STANDARD = standard_in_force(date(2025, 6, 30))
# One GB/T 4754-2017 code inside each industry group, to classify through the code as people do.
CODE_OF_GROUP = {
    "农、林、牧、渔业": "A0111",
    "工业": "C3857",
    "建筑业": "E47",
    "批发业": "F51",
    "零售业": "F52",
    "交通运输业": "G54",
    "仓储业": "G5920",
    "邮政业": "G60",
    "住宿业": "H61",
    "餐饮业": "H62",
    "信息传输业": "I64",
    "软件和信息技术服务业": "I65",
    "房地产开发经营": "K7010",
    "物业管理": "K7020",
    "租赁和商务服务业": "L72",
    "其他未列明行业": "M73",
}
STEP = {"employees": Decimal(1), "revenue": Decimal("0.01"), "assets": Decimal("0.01")}


@pytest.fixture(autouse=True)
def no_loaded_standards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMECLUSTER_DATA_DIR", str(tmp_path / "data"))


def limits(thresholds: Thresholds) -> dict[str, Decimal]:
    pairs = {"employees": thresholds.employees, "revenue": thresholds.revenue, "assets": thresholds.assets}
    return {name: Decimal(value) for name, value in pairs.items() if value is not None}


def size_of(group: IndustryGroup, values: dict[str, Decimal]) -> str:
    employees = values.get("employees")
    return classify(
        CODE_OF_GROUP[group.name],
        employees=None if employees is None else int(employees),
        revenue=values.get("revenue"),
        assets=values.get("assets"),
        standard=STANDARD,
    ).size


def boundary_cases() -> Iterator[object]:
    """(group, measure, threshold kind, value offset, expected size) for every threshold of every row.

    Each threshold is probed alone: the group's other measures sit exactly where they cannot decide the
    answer (at their own ceiling for a ceiling probe, at the same size's floor for a floor probe)."""
    expected = {
        "ceiling": {-1: "medium", 0: "large", 1: "large"},
        "medium": {-1: "small", 0: "medium", 1: "medium"},
        "small": {-1: "micro", 0: "small", 1: "small"},
    }
    for group in STANDARD.groups:
        kinds = {
            "ceiling": limits(group.sme_ceiling),
            "medium": limits(group.medium_floor),
            "small": limits(group.small_floor),
        }
        for kind, thresholds in kinds.items():
            for measure in thresholds:
                for offset, size in expected[kind].items():
                    yield pytest.param(
                        group, kind, measure, offset, size, id=f"{group.name}-{kind}-{measure}-{offset:+d}"
                    )


@pytest.mark.parametrize(("group", "kind", "measure", "offset", "expected"), list(boundary_cases()))
def test_every_threshold_below_at_and_above(
    group: IndustryGroup, kind: str, measure: str, offset: int, expected: str
) -> None:
    thresholds = {
        "ceiling": limits(group.sme_ceiling),
        "medium": limits(group.medium_floor),
        "small": limits(group.small_floor),
    }[kind]
    values = dict(thresholds)
    values[measure] = thresholds[measure] + offset * STEP[measure]
    assert size_of(group, values) == expected


def test_every_row_of_the_standard_is_probed() -> None:
    probed = {param.values[0].name for param in boundary_cases()}  # type: ignore[attr-defined]
    assert probed == {group.name for group in STANDARD.groups} == set(CODE_OF_GROUP)
    assert len(STANDARD.groups) == 16


# Hand-written edges of four rows, read off the standard's own sentences (第四条 二、四、五、十二).
@pytest.mark.parametrize(
    ("code", "employees", "revenue", "expected"),
    [
        # 工业: 从业人员1000人以下或营业收入40000万元以下 → SME; 300人及以上且2000万元及以上 → 中型;
        # 20人及以上且300万元及以上 → 小型.
        ("C3857", 1000, "40000", "large"),
        ("C3857", 999, "40000", "medium"),  # below one ceiling is enough ("或")
        ("C3857", 1000, "39999.99", "medium"),
        ("C3857", 5000, "100", "micro"),  # far above the employee ceiling, SME by revenue, micro by floors
        ("C3857", 300, "2000", "medium"),
        ("C3857", 300, "1999.99", "small"),  # medium needs every floor ("且")
        ("C3857", 299, "2000", "small"),
        ("C3857", 20, "300", "small"),
        ("C3857", 19, "300", "micro"),
        ("C3857", 20, "299.99", "micro"),
        ("C3857", 0, "0", "micro"),
        # 批发业: 200人以下或40000万元以下; 中型 20人且5000万元; 小型 5人且1000万元.
        ("F51", 200, "40000", "large"),
        ("F51", 199, "100000", "medium"),
        ("F51", 20, "5000", "medium"),
        ("F51", 19, "5000", "small"),
        ("F51", 5, "1000", "small"),
        ("F51", 4, "1000", "micro"),
        ("F51", 5, "999.99", "micro"),
        # 零售业: 300人以下或20000万元以下; 中型 50人且500万元; 小型 10人且100万元.
        ("F52", 300, "20000", "large"),
        ("F52", 300, "19999.99", "medium"),
        ("F52", 50, "500", "medium"),
        ("F52", 49, "500", "small"),
        ("F52", 10, "100", "small"),
        ("F52", 9, "100", "micro"),
        ("F52", 10, "99.99", "micro"),
        # 软件和信息技术服务业: 300人以下或10000万元以下; 中型 100人且1000万元; 小型 10人且50万元.
        ("I65", 300, "10000", "large"),
        ("I65", 299, "10000", "medium"),
        ("I65", 100, "1000", "medium"),
        ("I65", 100, "999.99", "small"),
        ("I65", 10, "50", "small"),
        ("I65", 10, "49.99", "micro"),
        ("I65", 9, "50", "micro"),
    ],
)
def test_hand_written_edges(code: str, employees: int, revenue: str, expected: str) -> None:
    result = classify(code, employees=employees, revenue=Decimal(revenue), assets=None, standard=STANDARD)
    assert result.size == expected


def test_result_names_group_standard_and_reasons() -> None:
    result = classify("C3857", employees=250, revenue=Decimal(18000), assets=None, standard=STANDARD)
    assert (result.size, result.industry_group, result.standard) == (
        "small",
        "工业",
        "工信部联企业〔2011〕300号",
    )
    assert result.reasons[-1].endswith("→ 小型")
    assert any("未达中型标准" in reason and "300人" in reason for reason in result.reasons)


def test_a_group_without_a_criterion_ignores_it() -> None:
    # 其他未列明行业 is by employees only; 建筑业 by revenue and assets only; 农林牧渔 by revenue only.
    assert classify("M73", employees=299, revenue=None, assets=None, standard=STANDARD).size == "medium"
    assert (
        classify("M73", employees=300, revenue=Decimal(1), assets=Decimal(1), standard=STANDARD).size
        == "large"
    )
    assert (
        classify("E47", employees=None, revenue=Decimal(6000), assets=Decimal(5000), standard=STANDARD).size
        == "medium"
    )
    assert (
        classify("E48", employees=99999, revenue=Decimal(300), assets=Decimal(300), standard=STANDARD).size
        == "small"
    )
    assert (
        classify("A01", employees=None, revenue=Decimal(500), assets=None, standard=STANDARD).size == "medium"
    )


@pytest.mark.parametrize(
    ("code", "employees", "revenue", "assets", "missing"),
    [
        ("C38", 10, None, None, ["revenue"]),
        ("C38", None, None, None, ["employees", "revenue"]),
        ("E47", 10, Decimal(1), None, ["assets"]),
        ("K7010", None, None, Decimal(1), ["revenue"]),
        ("L72", None, None, Decimal(1), ["employees"]),
    ],
)
def test_missing_data_the_row_needs_is_an_error_naming_it(
    code: str, employees: int | None, revenue: Decimal | None, assets: Decimal | None, missing: list[str]
) -> None:
    with pytest.raises(UnusableInput) as raised:
        classify(code, employees=employees, revenue=revenue, assets=assets, standard=STANDARD)
    assert [problem.field for problem in raised.value.problems] == missing


def test_negative_figures_are_refused() -> None:
    with pytest.raises(UnusableInput) as raised:
        classify("C38", employees=-1, revenue=Decimal(-5), assets=None, standard=STANDARD)
    assert [problem.field for problem in raised.value.problems] == ["employees", "revenue"]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("J66", "的适用范围内"),  # 金融业 has its own standard
        ("G53", "的适用范围内"),  # 铁路运输业 is excluded from 交通运输业
        ("K7040", "的适用范围内"),  # 房地产租赁经营 (自有房地产经营活动)
        ("P83", "的适用范围内"),
        ("G59", "跨越该规定的多个行业"),  # 装卸搬运 goes with 交通运输业, the rest with 仓储业
        ("K70", "跨越该规定的多个行业"),
        ("C", "整个门类"),
        ("C99", "没有大类"),
    ],
)
def test_codes_the_standard_cannot_place(code: str, words: str) -> None:
    with pytest.raises(UnusableInput) as raised:
        classify(code, employees=1, revenue=Decimal(1), assets=Decimal(1), standard=STANDARD)
    assert raised.value.problems[0].field == "industry_code"
    assert words in raised.value.problems[0].message


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("G591", "交通运输业"),
        ("G5910", "交通运输业"),
        ("G594", "仓储业"),
        ("K701", "房地产开发经营"),
        ("K7030", "其他未列明行业"),
        ("Q85", "其他未列明行业"),
        ("B11", "工业"),
        ("D4411", "工业"),
    ],
)
def test_codes_map_to_the_groups_the_standard_names(code: str, group: str) -> None:
    assert STANDARD.group_for(code).name == group


def test_the_standard_in_force_today_is_used_by_default() -> None:
    assert (
        classify("C38", employees=5, revenue=Decimal(10), assets=None).standard == "工信部联企业〔2011〕300号"
    )


amounts = st.one_of(st.none(), st.decimals(min_value=0, max_value=300_000, places=2))


@given(
    group_index=st.integers(min_value=0, max_value=15),
    employees=st.one_of(st.none(), st.integers(min_value=0, max_value=3000)),
    revenue=amounts,
    assets=amounts,
)
def test_the_bulk_rule_agrees_with_the_explained_one(
    group_index: int, employees: int | None, revenue: Decimal | None, assets: Decimal | None
) -> None:
    group = STANDARD.groups[group_index]
    try:
        explained: str | None = classify_in_group(
            group, STANDARD, employees=employees, revenue=revenue, assets=assets
        ).size
    except UnusableInput:
        explained = None
    assert SizeRule.of(group).size(employees, revenue, assets) == explained
