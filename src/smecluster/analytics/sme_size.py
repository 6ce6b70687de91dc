"""SME size classification (中小企业划型) by the standard in force, following its words exactly.

For each industry group, 《中小企业划型标准规定》 第四条 says, e.g. for 工业: "从业人员1000人以下或营业收入
40000万元以下的为中小微型企业。其中，从业人员300人及以上，且营业收入2000万元及以上的为中型企业；从业人员20人
及以上，且营业收入300万元及以上的为小型企业；从业人员20人以下或营业收入300万元以下的为微型企业。" Hence:

* SME (中小微型) when below *any* ceiling — "以下" is strictly below, "或" is or; otherwise large;
* medium when meeting *every* medium floor — "及以上" is at or above, "且" is and; else small when meeting
  every small floor; else micro (the standard's micro sentence is exactly the negation of the small one);
* a group without a criterion on a measure ignores that measure (其他未列明行业 uses employees only,
  农、林、牧、渔业 revenue only, 建筑业 and 房地产开发经营 revenue and assets);
* a measure the group's rule uses but that is missing is an error naming it: guessing "small" for a firm
  whose revenue is unknown would be the very false declaration the roster exists to catch.

Amounts are in 万元 and persons in 人, as in the standard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from smecluster.errors import Problem, UnusableInput
from smecluster.reference.sme_standards import IndustryGroup, SizeStandard, Thresholds, standard_in_force
from smecluster.workdays import CHINA_TZ

Size = Literal["large", "medium", "small", "micro"]
SIZES: tuple[Size, ...] = ("large", "medium", "small", "micro")
SIZE_NAMES_ZH: dict[Size, str] = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}

# Measure → (the standard's word, unit). The keys are the API's field names.
MEASURES: dict[str, tuple[str, str]] = {
    "employees": ("从业人员", "人"),
    "revenue": ("营业收入", "万元"),
    "assets": ("资产总额", "万元"),
}


@dataclass(frozen=True, slots=True)
class SizeClass:
    """A firm's size, the industry group it was judged in, the standard (its document number) and why."""

    size: Size
    industry_group: str
    standard: str
    reasons: tuple[str, ...]

    @property
    def size_zh(self) -> str:
        return SIZE_NAMES_ZH[self.size]

    @property
    def is_sme(self) -> bool:
        return self.size != "large"


def classify(
    industry_code: str,
    *,
    employees: int | None,
    revenue: Decimal | None,
    assets: Decimal | None,
    standard: SizeStandard | None = None,
    on: date | None = None,
) -> SizeClass:
    """Classify a firm of GB/T 4754-2017 industry ``industry_code`` with ``employees`` (人), ``revenue``
    (营业收入, 万元) and ``assets`` (资产总额, 万元).

    ``standard`` defaults to the one in force ``on`` (default: today in Beijing). Raises
    :class:`UnusableInput` naming the field (``industry_code``, ``employees``, ``revenue``, ``assets``) for
    a code the standard cannot place, a negative figure, or a figure the group's rule needs but lacks.
    """
    if standard is None:
        standard = standard_in_force(on if on is not None else datetime.now(CHINA_TZ).date())
    group = standard.group_for(industry_code)
    return classify_in_group(group, standard, employees=employees, revenue=revenue, assets=assets)


def classify_in_group(
    group: IndustryGroup,
    standard: SizeStandard,
    *,
    employees: int | None,
    revenue: Decimal | None,
    assets: Decimal | None,
) -> SizeClass:
    """:func:`classify` once the industry group is known (a roster classifies 100,000 firms in a few
    groups, so it looks each code up once)."""
    values: dict[str, Decimal | None] = {
        "employees": None if employees is None else Decimal(employees),
        "revenue": revenue,
        "assets": assets,
    }
    problems = [
        Problem(name, f"is negative ({value}); {MEASURES[name][0]} cannot be below 0")
        for name, value in values.items()
        if value is not None and value < 0
    ]
    problems += [
        Problem(
            name,
            f"is missing; {group.name} is classified by "
            f"{'、'.join(MEASURES[m][0] for m in group.measures())}, so {MEASURES[name][0]} "
            f"({MEASURES[name][1]}) is needed",
        )
        for name in group.measures()
        if values[name] is None
    ]
    if problems:
        raise UnusableInput(f"{group.name} under {standard.citation}", problems)
    known = {name: value for name, value in values.items() if value is not None}
    document = standard.document_number

    below_ceiling = _below(group.sme_ceiling, known)
    if not below_ceiling:
        reasons = [
            _phrase(name, known[name], limit, "不在", "以下") for name, limit in _limits(group.sme_ceiling)
        ]
        return SizeClass("large", group.name, document, (*reasons, "任一上限均未低于 → 大型"))
    reasons = [_phrase(name, known[name], limit, "在", "以下") for name, limit in below_ceiling]
    reasons[-1] += " → 中小微型"
    floors: tuple[tuple[Size, Thresholds], ...] = (
        ("medium", group.medium_floor),
        ("small", group.small_floor),
    )
    for size, floor in floors:
        unmet = _below(floor, known)
        if not unmet:
            met = "，且".join(
                _phrase(name, known[name], limit, "在", "及以上") for name, limit in _limits(floor)
            )
            return SizeClass(size, group.name, document, (*reasons, f"{met} → {SIZE_NAMES_ZH[size]}"))
        missed = "；".join(_phrase(name, known[name], limit, "低于", "") for name, limit in unmet)
        reasons.append(f"未达{SIZE_NAMES_ZH[size]}标准：{missed}")
    return SizeClass("micro", group.name, document, (*reasons, "→ 微型"))


def _limits(thresholds: Thresholds) -> list[tuple[str, Decimal]]:
    pairs = (
        ("employees", thresholds.employees),
        ("revenue", thresholds.revenue),
        ("assets", thresholds.assets),
    )
    return [(name, Decimal(limit)) for name, limit in pairs if limit is not None]


def _below(thresholds: Thresholds, values: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    """The measures whose value is strictly below the threshold (以下: below, exclusive)."""
    return [(name, limit) for name, limit in _limits(thresholds) if values[name] < limit]


def _phrase(name: str, value: Decimal, limit: Decimal, relation: str, qualifier: str) -> str:
    """``营业收入 39999万元，在 40000万元以下``: the figure, then how it stands to the threshold."""
    word, unit = MEASURES[name]
    return f"{word} {value:f}{unit}，{relation} {limit:f}{unit}{qualifier}"


@dataclass(frozen=True, slots=True)
class SizeRule:
    """One industry group's rule, prepared for classifying many firms: the size alone, no reasons.

    :func:`classify_in_group` explains; this one is what a 100,000-firm roster runs, and a test holds the
    two to the same answers.
    """

    group: IndustryGroup
    needs: tuple[str, ...]
    ceiling: tuple[tuple[str, Decimal], ...]
    medium: tuple[tuple[str, Decimal], ...]
    small: tuple[tuple[str, Decimal], ...]

    @classmethod
    def of(cls, group: IndustryGroup) -> SizeRule:
        return cls(
            group,
            group.measures(),
            tuple(_limits(group.sme_ceiling)),
            tuple(_limits(group.medium_floor)),
            tuple(_limits(group.small_floor)),
        )

    def size(self, employees: int | None, revenue: Decimal | None, assets: Decimal | None) -> Size | None:
        """The size, or None when a figure the rule needs is missing or negative."""
        values = {"employees": employees, "revenue": revenue, "assets": assets}
        known: dict[str, Decimal | int] = {}
        for name in self.needs:
            value = values[name]
            if value is None or value < 0:
                return None
            known[name] = value
        # Plain loops rather than any()/all() over generators: this runs once per firm of a roster.
        for name, limit in self.ceiling:
            if known[name] < limit:
                break  # below one ceiling: an SME ("或")
        else:
            return "large"
        for name, limit in self.medium:
            if known[name] < limit:
                break  # one medium floor missed: not medium ("且")
        else:
            return "medium"
        for name, limit in self.small:
            if known[name] < limit:
                return "micro"
        return "small"
