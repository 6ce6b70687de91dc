"""An SME size standard in the shape the bulk classification needs: per industry, the thresholds, and
which GB/T 4754-2017 codes fall under it as ranges of code prefixes.

The standard itself is the project's versioned one, :mod:`smecluster.reference.sme_standards` (the 2011
standard, 工信部联企业〔2011〕300号, is ``reference/data/sme_size_standards.csv``; revised ones are loaded
beside it): this module only reshapes one :class:`~smecluster.reference.sme_standards.SizeStandard` so
that :mod:`smecluster.analytics.discovery.queries` can turn it into Ibis case expressions. No threshold
and no code mapping is written here.

The rules (第四条 and 第七条: 以上 includes the figure, 以下 excludes it):

* an SME (中小微型企业) is under **any** of its industry's ceilings (``employees < 1000 or revenue <
  40000`` for 工业); otherwise it is large;
* a medium firm is an SME meeting **every** medium floor (``employees >= 300 and revenue >= 2000``);
  a small firm is an SME that is not medium and meets every small floor; the other SMEs are micro.

Codes the standard does not cover get no class (NULL): its 第二条 lists the industries it applies to, and
铁路运输业 (53), 金融业 (J), 教育 (P), 卫生 (84), 公共管理 (S) and the like are not among them. A division
the standard splits (59: 装卸搬运 591 is 交通运输业, the rest of 59 仓储业) is classified by its group
digits; a bare ``59`` is too coarse and gets no class, as :meth:`SizeStandard.group_for` refuses it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from smecluster.reference import industries, sme_standards

SIZE_CLASSES = ("large", "medium", "small", "micro")
SIZE_CLASS_NAMES = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
SME_CLASSES = ("medium", "small", "micro")

MEASURES = ("employees", "revenue", "assets")
"""The firm figures the standard uses: persons, 万元, 万元 (column names of the enterprise-year table)."""

STANDARD_2011 = "miit-2011-300"
"""``standard_id`` of 《中小企业划型标准规定》（工信部联企业〔2011〕300号） in the reference data."""


@dataclass(frozen=True, slots=True)
class IndustryStandard:
    """One industry's row. Each mapping holds only the measures the standard uses for that industry."""

    industry: str
    sme_ceilings: dict[str, Decimal]  # SME when under any of these (exclusive)
    medium_floors: dict[str, Decimal]  # medium when at or above every one of these
    small_floors: dict[str, Decimal]  # small when at or above every one of these (and not medium)


@dataclass(frozen=True, slots=True)
class ScopeRange:
    """GB/T 4754 codes whose first ``len(first_code)`` digits lie in [first_code, last_code]."""

    first_code: str
    last_code: str
    industry: str

    @property
    def digits(self) -> int:
        return len(self.first_code)


@dataclass(frozen=True, slots=True)
class SizeStandard:
    citation: str
    industries: tuple[IndustryStandard, ...]
    scope: tuple[ScopeRange, ...]  # in the order the classification tests them (_evaluation_order)

    def industry(self, name: str) -> IndustryStandard:
        return next(row for row in self.industries if row.industry == name)


def _figures(thresholds: sme_standards.Thresholds) -> dict[str, Decimal]:
    values = {"employees": thresholds.employees, "revenue": thresholds.revenue, "assets": thresholds.assets}
    return {name: Decimal(value) for name, value in values.items() if value is not None}


def _code_ranges(code: str, industry: str) -> list[ScopeRange]:
    """A code of the reference table as prefix ranges: a section letter as its divisions (``C`` →
    13–43), a division, group or class as itself."""
    if not code.isalpha():
        return [ScopeRange(code, code, industry)]
    divisions = sorted(entry.code for entry in industries.entries("division") if entry.section == code)
    return [ScopeRange(division, division, industry) for division in divisions]


def _merged(ranges: list[ScopeRange]) -> list[ScopeRange]:
    """Adjacent ranges of one industry and one length as one (54, 55, …, 58 → 54–58): fewer branches in
    the CASE expression that runs once per firm-year."""
    merged: list[ScopeRange] = []
    for scope in sorted(ranges, key=lambda s: (s.industry, s.digits, s.first_code)):
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.industry == scope.industry
            and last.digits == scope.digits
            and int(scope.first_code) == int(last.last_code) + 1
        ):
            merged[-1] = ScopeRange(last.first_code, scope.last_code, last.industry)
        else:
            merged.append(scope)
    return merged


def _division_span(scope: ScopeRange) -> int:
    return int(scope.last_code[:2]) - int(scope.first_code[:2]) + 1


def _evaluation_order(scope: ScopeRange, ranges: list[ScopeRange]) -> tuple[int, int]:
    """Where a range stands in the CASE expression, which takes the first range that matches: a range
    inside another (a group within a division) before the one containing it; otherwise the widest
    first (工业, 06-46, holds most firm-years, so most rows stop at the first test)."""
    nested = any(
        other.digits < scope.digits
        and other.first_code <= scope.first_code[: other.digits] <= other.last_code
        for other in ranges
    )
    return (0 if nested else 1, -_division_span(scope))


def from_reference(standard: sme_standards.SizeStandard) -> SizeStandard:
    """``standard`` of the reference data, reshaped for the bulk classification."""
    rows = []
    ranges: list[ScopeRange] = []
    for group in standard.groups:
        row = IndustryStandard(
            industry=group.name,
            sme_ceilings=_figures(group.sme_ceiling),
            medium_floors=_figures(group.medium_floor),
            small_floors=_figures(group.small_floor),
        )
        if set(row.medium_floors) != set(row.small_floors):
            # The classification's CASE expression relies on it (see queries._class_expression).
            raise ValueError(f"{group.name}: medium and small floors must use the same figures")
        rows.append(row)
        for code in group.codes:
            ranges.extend(_code_ranges(code, group.name))
    ranges = _merged(ranges)
    scope = tuple(sorted(ranges, key=lambda s: _evaluation_order(s, ranges)))
    return SizeStandard(standard.citation, tuple(rows), scope)


@functools.cache
def size_standard_2011() -> SizeStandard:
    """The 2011 standard (工信部联企业〔2011〕300号) as packaged in the reference data."""
    packaged = next(s for s in sme_standards.standards() if s.standard_id == STANDARD_2011)
    return from_reference(packaged)
