"""The 2011 SME size standard (工信部联企业〔2011〕300号) as data, for classifying firm-years in bulk.

Two tables in ``data/``:

* ``sme_size_standard_2011.csv`` (a copy of ``shared/data/sme_size_standard_2011.csv``): per industry of
  the standard, the SME ceilings (persons, 万元 of revenue, 万元 of assets) and the floors of medium and
  small firms. Blank cells are figures the standard does not use for that industry.
* ``sme_industry_scope_2011.csv``: which GB/T 4754-2017 codes each industry of the standard covers, as
  ranges of code prefixes (two digits: divisions, three: groups). Codes no range covers fall under the
  industry with no range (其他未列明行业). The note column says how each range was read.

The rules (第四条 and 第七条: 以上 includes the figure, 以下 excludes it):

* an SME (中小微型企业) is under **any** of its industry's ceilings (``employees < 1000 or revenue <
  40000`` for 工业); otherwise it is large;
* a medium firm is an SME meeting **every** medium floor (``employees >= 300 and revenue >= 2000``);
  a small firm is an SME that is not medium and meets every small floor; the other SMEs are micro.

This module is the loader; :mod:`smecluster.analytics.discovery.queries` turns the rows into Ibis case
expressions, so no threshold is written in code. The scalar classifier of the reference package
(``smecluster.analytics.sme_size``, another branch) reads the same table; when both are merged this
loader should read through ``smecluster.reference.sme_standards`` instead of its own copy.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
from dataclasses import dataclass
from decimal import Decimal

SIZE_CLASSES = ("large", "medium", "small", "micro")
SIZE_CLASS_NAMES = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
SME_CLASSES = ("medium", "small", "micro")

MEASURES = ("employees", "revenue", "assets")
"""The firm figures the standard uses: persons, 万元, 万元 (column names of the enterprise-year table)."""

_CSV_UNIT_SUFFIX = {"employees": "", "revenue": "_wan", "assets": "_wan"}  # persons; 万元


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

    def covers(self, class_digits: str) -> bool:
        prefix = class_digits[: self.digits]
        return len(prefix) == self.digits and self.first_code <= prefix <= self.last_code


@dataclass(frozen=True, slots=True)
class SizeStandard:
    industries: tuple[IndustryStandard, ...]
    scope: tuple[ScopeRange, ...]  # in the order the classification tests them (_evaluation_order)
    fallback_industry: str  # the industry no scope range names

    def industry(self, name: str) -> IndustryStandard:
        return next(row for row in self.industries if row.industry == name)

    def industry_of(self, class_digits: str) -> str:
        """The standard's industry for a GB/T 4754 code given as digits (``1711``, ``17``, ``7010``)."""
        matches = [scope for scope in self.scope if scope.covers(class_digits)]
        return max(matches, key=lambda scope: scope.digits).industry if matches else self.fallback_industry


def _read(name: str) -> list[dict[str, str]]:
    text = importlib.resources.files(__package__).joinpath(f"data/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _figures(row: dict[str, str], column: str) -> dict[str, Decimal]:
    figures = {}
    for measure, suffix in _CSV_UNIT_SUFFIX.items():
        cell = row[column.format(measure=measure) + suffix].strip()
        if cell:
            figures[measure] = Decimal(cell)
    return figures


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


@functools.cache
def size_standard_2011() -> SizeStandard:
    industries = tuple(
        IndustryStandard(
            industry=row["industry"],
            sme_ceilings=_figures(row, "sme_ceiling_{measure}_lt"),
            medium_floors=_figures(row, "medium_min_{measure}"),
            small_floors=_figures(row, "small_min_{measure}"),
        )
        for row in _read("sme_size_standard_2011.csv")
    )
    names = {row.industry for row in industries}
    ranges = [
        ScopeRange(row["first_code"], row["last_code"], row["industry"])
        for row in _read("sme_industry_scope_2011.csv")
    ]
    scope = tuple(sorted(ranges, key=lambda scope: _evaluation_order(scope, ranges)))
    unknown = {s.industry for s in scope} - names
    if unknown:
        raise ValueError(
            f"sme_industry_scope_2011.csv names industries not in the standard: {sorted(unknown)}"
        )
    unscoped = sorted(names - {s.industry for s in scope})
    if len(unscoped) != 1:
        raise ValueError(f"exactly one industry of the standard must be the fallback, found {unscoped}")
    for row in industries:
        if not row.sme_ceilings:
            raise ValueError(f"{row.industry}: the standard gives it no SME ceiling")
        if set(row.medium_floors) != set(row.small_floors):
            # The classification's CASE expression relies on it (see queries._class_expression).
            raise ValueError(f"{row.industry}: medium and small floors must use the same figures")
    return SizeStandard(industries, scope, unscoped[0])
