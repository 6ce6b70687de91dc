"""How verdicts read for people: status marks, outcome words, figures with their units.

One module for the CLI table, the web's eligibility panel and the PDF, so a figure reads the same everywhere.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from smecluster.policy.numberwords import SYMBOL
from smecluster.policy.ruleset import CriterionKind
from smecluster.policy.verdict import CriterionResult, Figure, Outcome, Status, Verdict, with_unit

MARK = {Status.PASS: "✓", Status.FAIL: "✗", Status.REVIEW: "?", Status.MISSING: "缺"}
LEGEND = "✓ 满足　✗ 不满足　? 待专家评审　缺 数据缺失"
OUTCOME = {
    Outcome.ELIGIBLE: "符合认定条件",
    Outcome.INELIGIBLE: "不符合认定条件",
    Outcome.INCOMPLETE: "数据不完整",
    Outcome.NEEDS_REVIEW: "量化条件均满足，待专家评审定性条件",
}
NO_QUANTITATIVE = "本规则集没有量化条件，待专家评审定性条件"


def outcome_text(verdict: Verdict) -> str:
    """The outcome in words; a rule set without quantitative criteria is never said to meet them."""
    if verdict.outcome is Outcome.NEEDS_REVIEW and not verdict.has_quantitative_criteria:
        return NO_QUANTITATIVE
    return OUTCOME[verdict.outcome]


def number_text(figure: Figure) -> str:
    if figure is None:
        return ""
    return f"{figure:,}" if isinstance(figure, int) else f"{Decimal(figure):f}"


def value_text(result: CriterionResult) -> str:
    if isinstance(result.value, list):
        return with_unit(" / ".join(number_text(item) for item in result.value), result.unit)
    return with_unit(number_text(result.value), result.unit)


def threshold_text(result: CriterionResult) -> str:
    if isinstance(result.threshold, list) and isinstance(result.comparator, list):
        bounds = [
            f"{SYMBOL.get(comparator, comparator)}{number_text(threshold)}"
            for comparator, threshold in zip(result.comparator, result.threshold, strict=True)
        ]
        return with_unit(" 或 ".join(bounds), result.unit)
    if (
        result.threshold is None
        or isinstance(result.threshold, list)
        or not isinstance(result.comparator, str)
    ):
        return ""
    symbol = SYMBOL.get(result.comparator, result.comparator)
    return with_unit(f"{symbol}{number_text(result.threshold)}", result.unit)


def _reported(value: Any) -> bool:
    """A criterion's value is shown when there is one (a list of absent figures is none)."""
    if isinstance(value, list):
        return any(item is not None for item in value)
    return value is not None


def criterion_rows(verdict: Verdict) -> list[dict[str, Any]]:
    """One row per criterion for a page's eligibility table: clause, article, value, threshold, mark."""
    return [
        {
            "clause": result.criterion.clause,
            "article": result.criterion.article.cite(),
            "value": value_text(result) if _reported(result.value) else "",
            "threshold": threshold_text(result),
            "mark": MARK[result.status],
            "status": result.status.value,
            "explanation": result.explanation,
            "qualitative": result.criterion.kind == CriterionKind.QUALITATIVE,
        }
        for result in verdict.results
    ]
