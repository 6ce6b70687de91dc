"""Which economic region a province is in, under the two schemes national statistics use.

The four-region scheme (东部/中部/西部/东北) is 国家统计局《东西中部和东北地区划分方法》; the three-region
scheme (东部/中部/西部) is the older one the ministry's cluster reports still count by (辽宁 east, 吉林 and
黑龙江 central). Both are data in ``data/regions.csv``, its source in ``data/regions.source.txt``; a report
names the scheme it counts by.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
from enum import StrEnum

UNASSIGNED = "未划分"
"""The region of a province-level division in neither scheme (香港, 澳门, 台湾)."""


class RegionScheme(StrEnum):
    THREE = "three_region"
    FOUR = "four_region"

    @property
    def label(self) -> str:
        return {"three_region": "东中西三大地区", "four_region": "东中西和东北四大地区"}[self.value]

    @property
    def regions(self) -> tuple[str, ...]:
        """The regions in the order reports list them."""
        if self is RegionScheme.THREE:
            return ("东部", "中部", "西部")
        return ("东部", "中部", "西部", "东北")


REGIONS_SOURCE = "国家统计局《东西中部和东北地区划分方法》（2011年6月13日）"


@functools.cache
def _table() -> dict[str, dict[RegionScheme, str]]:
    text = (
        importlib.resources.files("smecluster.reference")
        .joinpath("data/regions.csv")
        .read_text(encoding="utf-8")
    )
    table: dict[str, dict[RegionScheme, str]] = {}
    for row in csv.DictReader(text.splitlines()):
        table[row["province_code"]] = {scheme: row[scheme.value] for scheme in RegionScheme}
    return table


def region_of(code: str, scheme: RegionScheme = RegionScheme.THREE) -> str:
    """The region of the province containing ``code`` (any six-digit division code); 未划分 outside both
    schemes. A code that is not six digits is a caller's mistake and raises :class:`ValueError`."""
    if len(code) != 6 or not code.isdigit():
        raise ValueError(f"{code!r} is not a six-digit division code")
    entry = _table().get(code[:2] + "0000")
    return entry[scheme] if entry is not None else UNASSIGNED


def provinces_in(region: str, scheme: RegionScheme = RegionScheme.THREE) -> list[str]:
    """The province codes of ``region`` under ``scheme``, in code order."""
    return sorted(code for code, regions in _table().items() if regions[scheme] == region)
