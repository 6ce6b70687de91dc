"""The industry sector (行业) a GB/T 4754-2017 code belongs to, in the ministry's vocabulary.

Reports count clusters by sector as CESI does ("电子、轻工、机械、有色、石化、汽车行业集群占比较高",
seed 004), not by each cluster's own product name. The mapping is data (``data/industry_sectors.csv``, its
reasons in ``data/industry_sectors.source.txt``): divisions, with group-level exceptions; the most specific
code wins.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources

from smecluster.reference.industries import UnknownIndustryError, industry

OTHER = "其他"
"""The sector of a division the mapping does not list (agriculture, construction, trade …)."""

NOT_GIVEN = "未填报行业代码"
"""What a cluster without a leading-industry code is counted as: never guessed from its name."""


UNRECOGNISED = "行业代码无法识别"
"""What a stored code that is not a GB/T 4754-2017 division or finer code counts as (see
:func:`sector_or_unrecognised`): a report names it rather than failing."""


@functools.cache
def _table() -> dict[str, str]:
    text = (
        importlib.resources.files("smecluster.reference")
        .joinpath("data/industry_sectors.csv")
        .read_text(encoding="utf-8")
    )
    return {row["code"]: row["sector"] for row in csv.DictReader(text.splitlines())}


def sector_of(code: str | None) -> str:
    """The sector of a leading-industry code (``C3854``, ``384``, ``38``); :data:`NOT_GIVEN` when empty.

    Raises :class:`UnknownIndustryError` for a code that is not a GB/T 4754-2017 code, and for a section
    letter alone (it does not say which sector)."""
    if code is None or not code.strip():
        return NOT_GIVEN
    found = industry(code)
    if found.level == "section":
        raise UnknownIndustryError(code, f"{code.strip()!r} is a whole section; give at least its division")
    table = _table()
    for length in range(len(found.code), 1, -1):
        if (sector := table.get(found.code[:length])) is not None:
            return sector
    return OTHER


def sectors() -> tuple[str, ...]:
    """Every sector the mapping names, in the order of its first division, then :data:`OTHER`."""
    named = dict.fromkeys(_table().values())
    return (*named, OTHER)


def sector_or_unrecognised(code: str | None) -> str:
    """:func:`sector_of`, with :data:`UNRECOGNISED` for a code it refuses: for reports and pages over stored
    records, where one bad code must be shown, not fatal."""
    try:
        return sector_of(code)
    except UnknownIndustryError:
        return UNRECOGNISED
