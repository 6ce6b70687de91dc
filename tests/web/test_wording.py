"""The domain core's messages reach a person in the person's language (issue 15, finding 7: a roster row
error read "'ZZ' is not a GB/T 4754-2017 code …" in a Chinese interface; in English mode lists were joined
with "、"). The domain writes Chinese templates (smecluster.i18n.Text); the boundary translates them, their
arguments and their lists, and punctuates as the language does."""

from __future__ import annotations

import pytest
from django.utils import translation

from smecluster.errors import Problem
from smecluster.i18n import Listing, Text
from smecluster.reference.industries import validate_industry_code
from smecluster.site.wording import labelled, listing, problem_text, translated


def test_a_domain_message_is_chinese_as_it_stands() -> None:
    message = validate_industry_code("ZZ")
    assert message is not None
    assert message.startswith("“ZZ”不是 GB/T 4754-2017 行业代码")
    assert "is not" not in message


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "“ZZ”不是 GB/T 4754-2017 行业代码"),
        ("en", '"ZZ" is not a GB/T 4754-2017 code'),
    ],
)
def test_the_boundary_says_it_in_the_active_language(language: str, expected: str) -> None:
    with translation.override(language):
        assert translated(validate_industry_code("ZZ")).startswith(expected)


def test_nested_messages_and_lists_are_translated_and_joined_the_languages_way() -> None:
    """The list inside the message is joined with ", " in English, "、" in Chinese; a nested Text (the
    level's name) is translated too."""
    message = validate_industry_code("5980")
    with translation.override("en"):
        english = translated(message)
    with translation.override("zh-hans"):
        chinese = translated(message)
    assert "there is no group 598 under 59" in english
    assert "5910 装卸搬运, 5920 通用仓储" in english
    assert "、" not in english
    assert "5910 装卸搬运、5920 通用仓储" in chinese
    assert chinese == message


@pytest.mark.parametrize(
    ("language", "joined", "label"), [("zh-hans", "甲、乙", "行号：5"), ("en", "甲, 乙", "行号: 5")]
)
def test_lists_and_labels_follow_the_language(language: str, joined: str, label: str) -> None:
    with translation.override(language):
        assert listing(["甲", "乙"]) == joined
        assert translated(Listing(["甲", "乙"])) == joined
        assert labelled("行号", 5) == label


def test_a_problem_names_where_and_what_in_the_language() -> None:
    problem = Problem("年度数据!B3", Text("必填，不能为空"))
    with translation.override("en"):
        assert problem_text(problem) == "年度数据!B3: required, must not be empty"
    with translation.override("zh-hans"):
        assert problem_text(problem) == "年度数据!B3：必填，不能为空"


def test_plain_strings_pass_through_untouched() -> None:
    with translation.override("en"):
        assert translated("佛山市顺德区") == "佛山市顺德区"
        assert translated(Text("没有这个模板里的句子 %(n)s", n=3)) == "没有这个模板里的句子 3"
