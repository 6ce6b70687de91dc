"""GB/T 4754-2017: the table's completeness and the code forms people write."""

from __future__ import annotations

import pytest

from smecluster.reference import industries
from smecluster.reference.industries import UnknownIndustryError, industry, validate_industry_code


def test_twenty_sections_and_ninety_seven_divisions() -> None:
    sections = industries.entries("section")
    divisions = industries.entries("division")
    assert [s.code for s in sections] == list("ABCDEFGHIJKLMNOPQRST")
    assert [d.code for d in divisions] == [f"{n:02d}" for n in range(1, 98)]
    # Manufacturing is C13–C43 (DOMAIN.md §8).
    assert [d.code for d in divisions if d.section == "C"] == [str(n) for n in range(13, 44)]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("05", "农、林、牧、渔专业及辅助性活动"),
        ("11", "开采专业及辅助性活动"),
        ("38", "电气机械和器材制造业"),
        ("58", "多式联运和运输代理业"),
        ("59", "装卸搬运和仓储业"),
        ("65", "软件和信息技术服务业"),
        ("97", "国际组织"),
    ],
)
def test_2017_names(code: str, name: str) -> None:
    assert industry(code).name == name


@pytest.mark.parametrize(
    ("given", "code", "section", "level", "named_by"),
    [
        ("C3857", "3857", "C", "class", "38"),
        ("3857", "3857", "C", "class", "38"),
        (" c38 ", "38", "C", "division", "38"),
        ("C385", "385", "C", "group", "38"),
        ("G5941", "5941", "G", "class", "5941"),
        ("7010", "7010", "K", "class", "7010"),
        ("C", "C", "C", "section", "C"),
    ],
)
def test_accepted_forms(given: str, code: str, section: str, level: str, named_by: str) -> None:
    found = industry(given)
    assert (found.code, found.section, found.level, found.named_by) == (code, section, level, named_by)


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("", "为空"),
        ("B38", "属于门类 C，不属于门类 B"),
        ("C98", "没有大类 98"),
        ("00", "没有大类 00"),
        ("5980", "没有中类 598"),
        ("5943", "没有小类 5943"),
        ("7050", "没有中类 705"),
        ("C38571", "不是 GB/T 4754-2017 行业代码"),
        ("Ｃ３８", "全角"),
        ("X38", "不是 GB/T 4754-2017 行业代码"),
    ],
)
def test_refused_codes_say_why(given: str, words: str) -> None:
    with pytest.raises(UnknownIndustryError) as raised:
        industry(given)
    assert words in str(raised.value)
    assert validate_industry_code(given) == str(raised.value)


def test_a_section_alone_cannot_name_a_firm() -> None:
    message = validate_industry_code("G")
    assert message is not None
    assert "至少写到两位数字的大类" in message
    assert validate_industry_code("G54") is None


def test_display_puts_the_section_letter_back() -> None:
    assert industry("3857").display == "C3857"
    assert industry("c3857").display == "C3857"
