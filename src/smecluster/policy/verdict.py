"""A verdict: the outcome of checking one profile against one rule set, with the working shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from smecluster.policy.ruleset import Criterion, CriterionKind


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    MISSING = "missing"  # the data the criterion needs is absent: incomplete, not invalid
    REVIEW = "review"  # an expert decides


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    INCOMPLETE = "incomplete"
    NEEDS_REVIEW = "needs_review"


Figure = Decimal | int | None
"""A value or threshold: one number, or none."""


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    status: Status
    explanation: str
    value: Figure | list[Figure] = None
    comparator: str | list[str] | None = None
    threshold: Figure | list[Figure] = None
    unit: str | None = None

    def as_json(self) -> dict[str, Any]:
        criterion = self.criterion
        return {
            "id": criterion.id,
            "aspect": criterion.aspect,
            "article": criterion.article.cite(),
            "clause": criterion.clause,
            "kind": criterion.kind.value,
            "status": self.status.value,
            "value": _json_number(self.value),
            "comparator": self.comparator,
            "threshold": _json_number(self.threshold),
            "unit": self.unit,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Verdict:
    rule_set_id: str
    rule_set_title: str
    as_of: date
    results: list[CriterionResult]
    warnings: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        """ineligible if any fails; else incomplete if any is missing; else needs_review; else eligible."""
        statuses = {result.status for result in self.results}
        if Status.FAIL in statuses:
            return Outcome.INELIGIBLE
        if Status.MISSING in statuses:
            return Outcome.INCOMPLETE
        if Status.REVIEW in statuses:
            return Outcome.NEEDS_REVIEW
        return Outcome.ELIGIBLE

    def binding_shortfalls(self) -> list[CriterionResult]:
        """The computed criteria (quantitative, exclusion, scope) that fail or lack their data.

        The measures recommend only "在符合认定条件的基础上" (GD 15(二), SX 15): such a result bars
        recommendation and passing at screening; no reason given by a person lifts it. A missing figure
        bars too, since a criterion that cannot be checked is not shown to be met. Qualitative criteria
        (and relaxed or 一般 bounds, which evaluate to ``review``) are for a person to decide.
        """
        return [
            result
            for result in self.results
            if result.criterion.kind is not CriterionKind.QUALITATIVE
            and result.status in (Status.FAIL, Status.MISSING)
        ]

    @property
    def has_quantitative_criteria(self) -> bool:
        """Whether any criterion is computed from figures: Guizhou's rule set has none (its 认定标准 are
        judged by experts), so its verdict may not say "量化条件均满足"."""
        return any(result.criterion.kind is CriterionKind.QUANTITATIVE for result in self.results)

    def result(self, criterion_id: str) -> CriterionResult:
        return next(result for result in self.results if result.criterion.id == criterion_id)

    def as_json(self) -> dict[str, Any]:
        return {
            "rule_set": self.rule_set_id,
            "rule_set_title": self.rule_set_title,
            "as_of": self.as_of.isoformat(),
            "outcome": self.outcome.value,
            "criteria": [result.as_json() for result in self.results],
            "warnings": list(self.warnings),
        }


def with_unit(text: str, unit: str | None) -> str:
    """``75.47``, ``%`` → ``75.47%``; ``42.0``, ``亿元`` → ``42.0 亿元``: every amount names its unit."""
    if not unit or not text:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _json_number(figure: Figure | list[Figure]) -> Any:
    if isinstance(figure, list):
        return [_json_number(item) for item in figure]
    if isinstance(figure, Decimal):
        # Integral amounts print as integers (30, not 30.0); others as JSON numbers.
        return (
            int(figure) if figure == figure.to_integral_value() and "." not in str(figure) else float(figure)
        )
    return figure
