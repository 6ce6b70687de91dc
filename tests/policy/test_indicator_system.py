"""The default indicator system: the nine criterion groups of the rule sets, 2–4 indicators each, points
adding up to exactly 100, marked as a default to adapt; and a loader as strict as the rule sets'."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from smecluster.errors import UnusableInput
from smecluster.policy.indicators import (
    TOTAL_POINTS,
    default_indicator_system,
    load_indicator_system_file,
    parse_indicator_system,
)
from smecluster.policy.ruleset import read_yaml, rule_set

DEFAULT_TEXT = (resources.files("smecluster.policy") / "indicators" / "default.yaml").read_text(
    encoding="utf-8"
)
NINE_GROUPS = [
    "统筹发展与安全",
    "具有较强核心竞争力",
    "优质中小企业梯度培育成效显著",
    "产业链供应链协作高效",
    "具有较强协同创新能力",
    "数字化转型效果明显",
    "具有较高绿色化发展水平",
    "积极参与产业开放合作",
    "具有较强治理和服务能力",
]


def parse(text: str) -> object:
    return parse_indicator_system(read_yaml(text, source="test.yaml"), source="test.yaml")


def test_the_default_has_the_nine_groups_of_the_rule_sets_in_their_order() -> None:
    system = default_indicator_system()
    assert [dimension.name for dimension in system.dimensions] == NINE_GROUPS
    for rule_set_id in ("guangdong-2022", "shaanxi-2023"):
        aspects = list(dict.fromkeys(criterion.aspect for criterion in rule_set(rule_set_id).criteria))
        assert set(aspects) == set(NINE_GROUPS), rule_set_id


def test_the_default_adds_up_to_exactly_100_with_2_to_4_indicators_per_group() -> None:
    system = default_indicator_system()
    assert system.total == TOTAL_POINTS == Decimal(100)
    assert sum(row.max_points for row in system.rows()) == Decimal(100)
    assert all(2 <= len(dimension.indicators) <= 4 for dimension in system.dimensions)
    assert all(row.guidance and row.max_points > 0 for row in system.rows())
    assert [row.order for row in system.rows()] == list(range(1, len(list(system.rows())) + 1))


def test_the_default_says_it_is_a_default_and_why() -> None:
    system = default_indicator_system()
    assert system.is_default is True
    assert "未公布" in system.note
    assert "调整" in system.note


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (("max_points: 4\n", "max_points: 5\n"), "", "add up to 101, not 100"),
        (
            ("        guidance: 近三年无重大", "        weight: 1\n        guidance: 近三年无重大"),
            "weight",
            "unknown key",
        ),
        (("code: A2", "code: A1"), "dimensions[0].indicators[1].code", "A1 is used twice"),
        (("max_points: 4\n", "max_points: 4.125\n"), "max_points", "decimal places"),
        (("is_default: true\n", ""), "is_default", "Field required"),
    ],
    ids=["total", "unknown-key", "duplicate-code", "three-decimals", "no-default-flag"],
)
def test_the_loader_refuses_a_broken_file_naming_the_field(
    edit: tuple[str, str], field: str, message: str
) -> None:
    old, new = edit
    assert old in DEFAULT_TEXT
    with pytest.raises(UnusableInput) as refused:
        parse(DEFAULT_TEXT.replace(old, new, 1))
    problems = refused.value.problems
    assert any(field in problem.field and message in problem.message for problem in problems), problems


def test_a_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "edited.yaml"
    path.write_text(
        DEFAULT_TEXT.replace("is_default: true\n", "is_default: true\nis_default: false\n"), encoding="utf-8"
    )
    with pytest.raises(UnusableInput, match="duplicate key"):
        load_indicator_system_file(path)


def test_a_province_copy_loads_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "guangdong.yaml"
    path.write_text(DEFAULT_TEXT.replace("is_default: true", "is_default: false"), encoding="utf-8")
    system = load_indicator_system_file(path)
    assert system.is_default is False
    assert system.total == 100
