"""The figures a checked roster gives (:func:`compute_indicators`): output by size class, quality firms,
R&D and patents, set beside what the cluster declared (:func:`as_profile_figures`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from smecluster.analytics.roster.reading import EnterpriseRow, Title
from smecluster.analytics.sme_size import SIZES, Size, SizeRule, classify_in_group
from smecluster.errors import UnusableInput
from smecluster.policy.ruleset import firm_counted_title_sets
from smecluster.reference.sme_standards import (
    SizeStandard,
    standard_in_force,
)


@dataclass(frozen=True, slots=True)
class Unclassified:
    """A firm the size standard could not place, and why (its industry is outside the standard)."""

    credit_code: str
    industry_code: str
    reason: str


@dataclass(frozen=True, slots=True)
class RosterIndicators:
    """The figures a roster gives. Amounts in 万元; shares in per cent as exact fractions:

    * ``sme_output_share`` = sme_output / output × 100 (None when output is 0);
    * ``leading_share`` = leading_output / output × 100 (None when output is 0);
    * ``patents_per_10k_employees`` = invention_patents / employees × 10,000 (None when employees is 0).

    ``sme_*`` count only firms classified as medium, small or micro; a firm the standard does not cover
    (``unclassified``) is counted in the totals but not as an SME, so unknowns never raise the share.
    ``quality`` counts distinct firms holding each title; ``quality_leading`` the same among firms in the
    leading industry; ``quality_any`` firms holding any title; ``champion_or_little_giant_leading`` firms in
    the leading industry that are a 单项冠军 or a 小巨人 (what the national rule counts). ``title_holdings``
    counts firms by the set of titles they hold as the profile counts them (单项冠军 and 小巨人 only in the
    leading industry), so that the firms holding any of several titles are known for any set.
    """

    standard: str
    firms: int
    sme_firms: int
    sizes: dict[Size, int]
    unclassified: tuple[Unclassified, ...]
    output: Decimal
    sme_output: Decimal
    leading_output: Decimal
    sme_output_share: Fraction | None
    leading_share: Fraction | None
    quality: dict[Title, int]
    quality_leading: dict[Title, int]
    quality_any: int
    champion_or_little_giant_leading: int
    title_holdings: dict[frozenset[Title], int]
    rnd: Decimal
    sme_rnd: Decimal
    invention_patents: int
    employees: int
    patents_per_10k_employees: Fraction | None = field(default=None)


def compute_indicators(
    rows: Iterable[EnterpriseRow], *, on: date, standard: SizeStandard | None = None
) -> RosterIndicators:
    """Classify each firm by the SME size standard in force ``on`` (or ``standard``) and sum the roster.

    Rows from :func:`read_roster` have every figure their industry group needs; a row that lacks one
    anyway (built by other code) is counted as unclassified with the reason, not guessed.
    """
    if standard is None:
        standard = standard_in_force(on)
    rules: dict[str, SizeRule | str] = {}
    sizes: Counter[Size] = Counter(dict.fromkeys(SIZES, 0))
    unclassified: list[Unclassified] = []
    quality: Counter[Title] = Counter(dict.fromkeys(Title, 0))
    quality_leading: Counter[Title] = Counter(dict.fromkeys(Title, 0))
    title_holdings: Counter[frozenset[Title]] = Counter()
    firms = quality_any = top_leading = patents = employees = 0
    output = sme_output = leading_output = rnd = sme_rnd = Decimal(0)
    for row in rows:
        firms += 1
        output += row.output
        rnd += row.rnd
        patents += row.invention_patents
        employees += row.employees
        if row.leading:
            leading_output += row.output
        if row.titles:
            quality_any += 1
            quality.update(row.titles)
            if row.leading:
                quality_leading.update(row.titles)
                if Title.champion in row.titles or Title.little_giant in row.titles:
                    top_leading += 1
            counted = frozenset(row.titles if row.leading else set(row.titles) - LEADING_ONLY)
            if counted:
                title_holdings[counted] += 1
        rule = rules.get(row.industry_code)
        if rule is None:
            rule = rules[row.industry_code] = _rule_or_reason(standard, row.industry_code)
        if isinstance(rule, str):
            unclassified.append(Unclassified(row.credit_code, row.industry_code, rule))
            continue
        size = rule.size(row.employees, row.revenue, row.assets)
        if size is None:
            # Only rows built by other code get here: read_roster refuses a row lacking what its group needs.
            reason = _missing_reason(rule, standard, row)
            unclassified.append(Unclassified(row.credit_code, row.industry_code, reason))
            continue
        sizes[size] += 1
        if size != "large":
            sme_output += row.output
            sme_rnd += row.rnd
    return RosterIndicators(
        standard=standard.document_number,
        firms=firms,
        sme_firms=firms - sizes["large"] - len(unclassified),
        sizes=dict(sizes),
        unclassified=tuple(unclassified),
        output=output,
        sme_output=sme_output,
        leading_output=leading_output,
        sme_output_share=_percent(sme_output, output),
        leading_share=_percent(leading_output, output),
        quality=dict(quality),
        quality_leading=dict(quality_leading),
        quality_any=quality_any,
        champion_or_little_giant_leading=top_leading,
        title_holdings=dict(title_holdings),
        rnd=rnd,
        sme_rnd=sme_rnd,
        invention_patents=patents,
        employees=employees,
        patents_per_10k_employees=None if employees == 0 else Fraction(patents * 10_000, employees),
    )


def _rule_or_reason(standard: SizeStandard, code: str) -> SizeRule | str:
    try:
        return SizeRule.of(standard.group_for(code))
    except UnusableInput as error:
        return error.problems[0].message


def _missing_reason(rule: SizeRule, standard: SizeStandard, row: EnterpriseRow) -> str:
    try:
        classify_in_group(
            rule.group, standard, employees=row.employees, revenue=row.revenue, assets=row.assets
        )
    except UnusableInput as error:
        return "; ".join(str(problem) for problem in error.problems)
    return "the size standard could not classify this firm"


def _percent(part: Decimal, whole: Decimal) -> Fraction | None:
    return None if whole == 0 else Fraction(part) * 100 / Fraction(whole)


WAN_PER_YI = 10_000  # 1 亿元 = 10,000 万元

# The profile counts these two titles only among firms of the leading industry (its field definitions).
LEADING_ONLY = frozenset({Title.champion, Title.little_giant})


def holders_of_any(indicators: RosterIndicators, titles: Iterable[str]) -> int:
    """The firms holding at least one of ``titles`` (as the profile counts them), each firm once."""
    wanted = {Title(title) for title in titles}
    return sum(count for held, count in indicators.title_holdings.items() if held & wanted)


def as_profile_figures(indicators: RosterIndicators) -> dict[str, Any]:
    """The roster's figures in the units and field names of the profile (:class:`smecluster.profile.Year`
    in 亿元, exact, and :class:`smecluster.profile.QualityFirms`), for setting beside the declared ones.

    ``quality_firms.champion`` and ``.little_giant`` count firms in the leading industry, as the profile's
    fields do; the other three titles count every firm holding them.
    """
    return {
        "output": _yi(indicators.output),
        "sme_output": _yi(indicators.sme_output),
        "leading_output": _yi(indicators.leading_output),
        "sme_rnd": _yi(indicators.sme_rnd),
        "invention_patents": indicators.invention_patents,
        "employees": indicators.employees,
        "quality_firms": {
            "champion": indicators.quality_leading[Title.champion],
            "little_giant": indicators.quality_leading[Title.little_giant],
            "specialized": indicators.quality[Title.specialized],
            "innovative": indicators.quality[Title.innovative],
            "high_tech": indicators.quality[Title.high_tech],
            "holding_any": [
                {"titles": list(titles), "firms": holders_of_any(indicators, titles)}
                for titles in firm_counted_title_sets()
            ],
        },
    }


def _yi(wan: Decimal) -> Decimal:
    # scaleb moves the decimal point: exact, no rounding context involved.
    return wan.scaleb(-4)
