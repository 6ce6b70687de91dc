"""SME size standards as versioned data: which thresholds apply to which industries, from which day.

The standard in force today is 《中小企业划型标准规定》 (工信部联企业〔2011〕300号, from 2011-06-18). Its
thresholds and the GB/T 4754-2017 codes each industry group covers are ``data/sme_size_standards.csv``
(``data/sme_size_standards.source.txt`` says where each came from). A revised standard is loaded beside it
rather than over it, because a roster for 2023 is classified by the standard in force in 2023: put a CSV of
the same columns in ``<data dir>/sme_size_standards/`` (``$SMECLUSTER_DATA_DIR``, see
:func:`smecluster.workdays.default_data_dir`), with its own ``standard_id`` and ``effective_from``.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from smecluster.errors import Problem, UnusableInput
from smecluster.i18n import Listing
from smecluster.i18n import Text as _
from smecluster.reference import industries
from smecluster.workdays import default_data_dir

COLUMNS = (
    "standard_id",
    "title",
    "document_number",
    "effective_from",
    "industry_group",
    "gbt4754_2017_codes",
    "sme_ceiling_employees_lt",
    "sme_ceiling_revenue_lt_wan",
    "sme_ceiling_assets_lt_wan",
    "medium_min_employees",
    "medium_min_revenue_wan",
    "medium_min_assets_wan",
    "small_min_employees",
    "small_min_revenue_wan",
    "small_min_assets_wan",
)


class IndustryNotPlaced(UnusableInput):
    """A valid GB/T 4754-2017 code that a standard does not place in one industry group: outside the
    standard (金融业, 教育, ...), or ``too_coarse`` — a division the standard splits (59, 70)."""

    def __init__(self, source: str, message: str, *, too_coarse: bool) -> None:
        super().__init__(source, [Problem("industry_code", message)])
        self.too_coarse = too_coarse


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Employees (人), revenue (营业收入, 万元) and total assets (资产总额, 万元); None where the industry
    group has no criterion on that measure."""

    employees: int | None
    revenue: Decimal | None
    assets: Decimal | None

    def measures(self) -> tuple[str, ...]:
        """The measures this set of thresholds uses: ``employees``, ``revenue``, ``assets``."""
        return tuple(
            name
            for name, value in (
                ("employees", self.employees),
                ("revenue", self.revenue),
                ("assets", self.assets),
            )
            if value is not None
        )


@dataclass(frozen=True, slots=True)
class IndustryGroup:
    """One industry group of a standard (工业, 批发业, ...): its codes and its three sets of thresholds.

    ``sme_ceiling``: a firm below *any* of these (以下, exclusive) is an SME (中小微型企业).
    ``medium_floor`` / ``small_floor``: an SME at or above *every* one of these (及以上, inclusive) is medium
    / small; one that meets neither is micro.
    """

    name: str
    codes: tuple[str, ...]
    sme_ceiling: Thresholds
    medium_floor: Thresholds
    small_floor: Thresholds

    def measures(self) -> tuple[str, ...]:
        """Every measure the group's rule needs, in the order employees, revenue, assets."""
        used = {*self.sme_ceiling.measures(), *self.medium_floor.measures(), *self.small_floor.measures()}
        return tuple(name for name in ("employees", "revenue", "assets") if name in used)


@dataclass(frozen=True, slots=True)
class SizeStandard:
    """One SME size standard: its identity, the day it took effect, and its industry groups."""

    standard_id: str
    title: str
    document_number: str
    effective_from: date
    groups: tuple[IndustryGroup, ...]
    loaded_from: str

    @property
    def citation(self) -> str:
        """How the standard is cited: 《中小企业划型标准规定》（工信部联企业〔2011〕300号）."""
        return f"《{self.title}》（{self.document_number}）"

    def group(self, name: str) -> IndustryGroup:
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(name)

    def group_for(self, industry_code: str) -> IndustryGroup:
        """The industry group a GB/T 4754-2017 code belongs to under this standard.

        Raises :class:`UnusableInput` (field ``industry_code``) for a code that is not valid, and its
        subclass :class:`IndustryNotPlaced` for one the standard does not cover (金融业, 教育, ...) or that is
        too coarse to tell the group (``59`` holds both 交通运输业 and 仓储业: give ``591`` or ``592``).
        """
        problem = industries.validate_industry_code(industry_code)
        if problem is not None:
            raise UnusableInput.single(self.citation, "industry_code", problem)
        found = industries.industry(industry_code)
        group = self._mapped(found.code, found.section)
        if group is not None:
            return group
        groups = {self._mapped(code, found.section) for code in industries.finer_entries(found.code)}
        if len(groups) == 1 and None not in groups:
            return groups.pop()  # type: ignore[return-value]  # None was excluded just above
        if not groups or groups == {None}:
            raise IndustryNotPlaced(
                self.citation,
                _(
                    "%(code)s %(name)s 不在%(standard)s的适用范围内：该规定适用于其第二条所列行业的企业",
                    code=found.display,
                    name=found.name,
                    standard=self.citation,
                ),
                too_coarse=False,
            )
        raise IndustryNotPlaced(
            self.citation,
            _(
                "%(code)s %(name)s 跨越该规定的多个行业（%(groups)s），请写到中类或小类（三位或四位数字）",
                code=found.display,
                name=found.name,
                groups=Listing(sorted({g.name for g in groups if g is not None})),
            ),
            too_coarse=True,
        )

    def _mapped(self, digits: str, section: str) -> IndustryGroup | None:
        best: tuple[int, IndustryGroup] | None = None
        for group in self.groups:
            for code in group.codes:
                matches = section == code if code.isalpha() else digits.startswith(code)
                # A division, group or class is more specific than a section letter.
                weight = 0 if code.isalpha() else len(code)
                if matches and (best is None or weight > best[0]):
                    best = (weight, group)
        return None if best is None else best[1]


def load_standards(text: str, source: str) -> list[SizeStandard]:
    """Parse a standards CSV (the columns of :data:`COLUMNS`); every problem is reported at once."""
    reader = csv.DictReader(text.splitlines())
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise UnusableInput.single(source, "header", f"missing columns: {', '.join(missing)}")
    problems: list[Problem] = []
    by_id: dict[str, list[dict[str, str]]] = {}
    for row in reader:
        by_id.setdefault(row["standard_id"].strip(), []).append(row)
    standards: list[SizeStandard] = []
    for standard_id, rows in by_id.items():
        heads = {(row["title"], row["document_number"], row["effective_from"]) for row in rows}
        if len(heads) != 1:
            problems.append(Problem(standard_id, "rows disagree on title, document_number or effective_from"))
            continue
        title, number, effective = heads.pop()
        try:
            effective_from = date.fromisoformat(effective.strip())
        except ValueError:
            problems.append(
                Problem(f"{standard_id}.effective_from", f"{effective!r} is not a YYYY-MM-DD date")
            )
            continue
        groups = [_group(standard_id, row, problems) for row in rows]
        standards.append(
            SizeStandard(standard_id, title, number, effective_from, tuple(g for g in groups if g), source)
        )
    for standard in standards:
        _check_codes(standard, problems)
    if problems:
        raise UnusableInput(source, problems)
    return standards


def _group(standard_id: str, row: dict[str, str], problems: list[Problem]) -> IndustryGroup | None:
    name = row["industry_group"].strip()
    where = f"{standard_id}.{name}"
    before = len(problems)

    def amount(column: str) -> Decimal | None:
        text = (row[column] or "").strip()
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            problems.append(Problem(f"{where}.{column}", f"{text!r} is not a number"))
            return None
        if not value.is_finite() or value <= 0:
            problems.append(Problem(f"{where}.{column}", f"{text!r} is not a positive number"))
            return None
        return value

    def persons(column: str) -> int | None:
        value = amount(column)
        if value is not None and value != value.to_integral_value():
            problems.append(Problem(f"{where}.{column}", f"{value} is not a whole number of persons"))
            return None
        return None if value is None else int(value)

    def thresholds(prefix: str, revenue: str, assets: str) -> Thresholds:
        return Thresholds(persons(f"{prefix}_employees"), amount(revenue), amount(assets))

    ceiling = Thresholds(
        persons("sme_ceiling_employees_lt"),
        amount("sme_ceiling_revenue_lt_wan"),
        amount("sme_ceiling_assets_lt_wan"),
    )
    medium = thresholds("medium_min", "medium_min_revenue_wan", "medium_min_assets_wan")
    small = thresholds("small_min", "small_min_revenue_wan", "small_min_assets_wan")
    codes = tuple(code.strip() for code in row["gbt4754_2017_codes"].split(";") if code.strip())
    if not ceiling.measures():
        problems.append(Problem(where, "has no SME ceiling"))
    # Without floors every SME would be medium; a floor on a measure with no ceiling is not how the
    # standard is written (every measure that sizes a firm also bounds an SME).
    for size, floor in (("medium", medium), ("small", small)):
        if not floor.measures():
            problems.append(Problem(where, f"has no {size} floor"))
        elif not set(floor.measures()) <= set(ceiling.measures()):
            problems.append(Problem(where, f"has a {size} floor on a measure with no SME ceiling"))
    if not codes:
        problems.append(Problem(f"{where}.gbt4754_2017_codes", "names no industry code"))
    if len(problems) > before:
        return None
    return IndustryGroup(name, codes, ceiling, medium, small)


def _check_codes(standard: SizeStandard, problems: list[Problem]) -> None:
    seen: dict[str, str] = {}
    for group in standard.groups:
        for code in group.codes:
            where = f"{standard.standard_id}.{group.name}.gbt4754_2017_codes"
            reason = _code_problem(code)
            if reason is not None:
                problems.append(Problem(where, reason))
            elif code in seen:
                problems.append(Problem(where, f"{code} is also listed under {seen[code]}"))
            seen[code] = group.name


def _code_problem(code: str) -> str | None:
    try:
        industries.industry(code)
    except industries.UnknownIndustryError as error:
        return error.reason
    return None


@functools.cache
def _packaged() -> tuple[SizeStandard, ...]:
    text = (
        importlib.resources.files("smecluster.reference")
        .joinpath("data/sme_size_standards.csv")
        .read_text(encoding="utf-8")
    )
    return tuple(load_standards(text, "reference/data/sme_size_standards.csv"))


def standards_dir(data_dir: Path | None = None) -> Path:
    """Where revised standards are loaded from: ``<data dir>/sme_size_standards``."""
    return (data_dir if data_dir is not None else default_data_dir()) / "sme_size_standards"


def standards(data_dir: Path | None = None) -> list[SizeStandard]:
    """Every standard, the packaged one and any loaded beside it, oldest first.

    A loaded file may not reuse a standard_id already known, nor two standards take effect the same day:
    then which one applies would be a guess.
    """
    found: list[SizeStandard] = list(_packaged())
    directory = standards_dir(data_dir)
    try:
        names = sorted(name for name in os.listdir(directory) if name.endswith(".csv"))
    except FileNotFoundError:
        names = []
    for name in names:
        path = directory / name
        found.extend(load_standards(path.read_text(encoding="utf-8-sig"), str(path)))
    _check_distinct(found)
    return sorted(found, key=lambda standard: standard.effective_from)


def _check_distinct(found: Iterable[SizeStandard]) -> None:
    ids: dict[str, SizeStandard] = {}
    days: dict[date, SizeStandard] = {}
    for standard in found:
        field, clash = "standard_id", ids.get(standard.standard_id)
        if clash is None:
            field, clash = "effective_from", days.get(standard.effective_from)
        if clash is not None:
            shared = standard.standard_id if field == "standard_id" else standard.effective_from.isoformat()
            raise UnusableInput.single(
                standard.loaded_from,
                field,
                f"{standard.standard_id} shares {field} {shared} with {clash.standard_id} "
                f"(from {clash.loaded_from}); each standard needs its own id and its own effective date",
            )
        ids[standard.standard_id] = standard
        days[standard.effective_from] = standard


def standard_in_force(on: date, data_dir: Path | None = None) -> SizeStandard:
    """The standard in force on ``on``: the latest one whose effective date is on or before it."""
    in_force = [standard for standard in standards(data_dir) if standard.effective_from <= on]
    if not in_force:
        first = standards(data_dir)[0]
        raise UnusableInput.single(
            "SME size standards",
            "on",
            f"{on.isoformat()} is before the first standard known, {first.citation}, "
            f"in force from {first.effective_from.isoformat()}",
        )
    return in_force[-1]
