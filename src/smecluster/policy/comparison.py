"""Verdicts of one profile under several rule sets, side by side, aligned by what each criterion measures.

Rule sets number and word their criteria differently; what lines them up is the measure: the output of
each of the last three years is one row whether a text says 40 or 30 亿元. Qualitative criteria have no
common measure, so they form one row per rule set: how many await an expert.
"""

from __future__ import annotations

from dataclasses import dataclass

from smecluster.policy.evaluator import FIELD_NAMES
from smecluster.policy.ruleset import (
    AreaValue,
    CompoundGrowth,
    ConditionalFlag,
    CountyScope,
    Criterion,
    EachYear,
    IncidentExclusion,
    LatestShare,
    LatestValue,
    PerTenThousand,
    QualityFirms,
    Trend,
)
from smecluster.policy.verdict import CriterionResult, Status, Verdict

QUALITATIVE_TOPIC = "qualitative"


def topic(criterion: Criterion) -> tuple[str, str]:
    """A key that is the same for the same measure in every rule set, and its label for people."""
    measure = criterion.measure
    if measure is None:
        return QUALITATIVE_TOPIC, "定性条件（专家评审）"
    if isinstance(measure, AreaValue):
        return "area", "占地面积"
    if isinstance(measure, EachYear):
        return f"each_year:{measure.field}", f"近{measure.years}年每年{FIELD_NAMES[measure.field]}"
    if isinstance(measure, LatestValue):
        return f"latest:{measure.field}", FIELD_NAMES[measure.field]
    if isinstance(measure, LatestShare):
        return f"share:{measure.part}/{measure.whole}", f"{FIELD_NAMES[measure.part]}占比"
    if isinstance(measure, CompoundGrowth):
        return f"growth:{measure.field}", f"{FIELD_NAMES[measure.field]}年均增长"
    if isinstance(measure, PerTenThousand):
        per = FIELD_NAMES[measure.per]
        return f"per10k:{measure.field}/{measure.per}", f"每万名{per}{FIELD_NAMES[measure.field]}"
    if isinstance(measure, Trend):
        word = "下降" if measure.direction == "falling" else "提高"
        return f"trend:{measure.field}:{measure.direction}", f"{FIELD_NAMES[measure.field]}{word}"
    if isinstance(measure, QualityFirms):
        return "quality_firms", "优质中小企业数量"
    if isinstance(measure, ConditionalFlag):
        return f"flag:{measure.requires}", FIELD_NAMES[measure.requires]
    if isinstance(measure, IncidentExclusion):
        return "incidents", "近三年事故与失信等排除情形"
    assert isinstance(measure, CountyScope)
    return "scope", "空间范围（县级区划）"


@dataclass(frozen=True)
class ComparisonRow:
    key: str
    label: str
    cells: list[list[CriterionResult]]
    """One list per verdict, in the verdicts' order: the results that measure this, often one, or none."""


def compare(verdicts: list[Verdict]) -> list[ComparisonRow]:
    """Rows in first-seen order across the verdicts; the qualitative row comes last."""
    order: dict[str, str] = {}
    for verdict in verdicts:
        for result in verdict.results:
            key, label = topic(result.criterion)
            order.setdefault(key, label)
    if QUALITATIVE_TOPIC in order:
        order[QUALITATIVE_TOPIC] = order.pop(QUALITATIVE_TOPIC)
    rows = []
    for key, label in order.items():
        cells = [
            [result for result in verdict.results if topic(result.criterion)[0] == key]
            for verdict in verdicts
        ]
        rows.append(ComparisonRow(key, label, cells))
    return rows


def review_count(results: list[CriterionResult]) -> int:
    return sum(result.status is Status.REVIEW for result in results)
