"""The sector a leading-industry code counts under (reference/data/industry_sectors.csv)."""

from __future__ import annotations

import pytest

from smecluster.reference.industries import UnknownIndustryError, entries
from smecluster.reference.sectors import (
    NOT_GIVEN,
    OTHER,
    UNRECOGNISED,
    sector_of,
    sector_or_unrecognised,
    sectors,
)


@pytest.mark.parametrize(
    ("code", "sector"),
    [
        ("39", "电子"),  # 计算机、通信和其他电子设备制造业
        ("C3976", "电子"),
        ("384", "电子"),  # 电池制造: 锂离子电池 is 电子信息司's
        ("C3841", "电子"),
        ("385", "轻工"),  # 家用电力器具制造: 家电 is 轻工
        ("3821", "机械"),  # the rest of 38 is 机械
        ("36", "汽车"),
        ("374", "航空航天"),
        ("373", "船舶"),
        ("371", "机械"),
        ("292", "轻工"),  # 塑料制品业
        ("291", "石化"),  # 橡胶制品业
        ("32", "有色"),
        ("27", "医药"),
        ("18", "纺织"),
        ("14", "食品"),
        ("30", "建材"),
        ("65", "软件和信息服务"),
        ("745", "科技服务"),
        ("01", OTHER),  # agriculture
        ("", NOT_GIVEN),
        (None, NOT_GIVEN),
    ],
)
def test_sector_of_a_code(code: str | None, sector: str) -> None:
    assert sector_of(code) == sector


def test_a_section_alone_does_not_say_which_sector() -> None:
    with pytest.raises(UnknownIndustryError):
        sector_of("C")


def test_a_code_outside_the_standard_is_refused() -> None:
    with pytest.raises(UnknownIndustryError):
        sector_of("99")


def test_every_manufacturing_division_has_a_named_sector() -> None:
    """Section C (制造业, 13–43) is where clusters are: none of its divisions falls to 其他."""
    manufacturing = [entry.code for entry in entries("division") if entry.section == "C"]
    assert len(manufacturing) == 31
    assert [code for code in manufacturing if sector_of(code) == OTHER] == []


def test_the_sectors_cesi_names_are_all_there() -> None:
    assert {"电子", "轻工", "机械", "有色", "石化", "汽车"} <= set(sectors())


def test_a_stored_bad_code_is_named_not_fatal() -> None:
    assert sector_or_unrecognised("C99") == UNRECOGNISED
    assert sector_or_unrecognised("C39") == "电子"
