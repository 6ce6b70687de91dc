"""The arithmetic of the expert review (专家评审): totals, spread, aggregation, ranking, the quota line,
and the content hash that freezes a confirmed shortlist. Pure Python and Decimal; no Django.

Figures
-------
Points are decimals with two places (分). An expert's total is the sum of their points over every
indicator of the system; a dimension subtotal is the sum over that dimension's indicators. The spread of
a set of figures is its minimum, its maximum and its range (maximum − minimum).

Aggregation (the call's method)
-------------------------------
``mean``
    the arithmetic mean of the experts' totals.
``trimmed_mean``
    with at least five experts, drop exactly one highest and one lowest total (one of each, even when
    several experts gave that same total) and take the mean of the others. With fewer than five experts
    the plain mean is taken, and the explanation says so.

Every aggregate is rounded to 0.01 分, half up; the rounded figure is the one published and compared.

The tie-break (written, deterministic)
--------------------------------------
Applications are ranked by, in turn:

1. the higher aggregate score;
2. the higher aggregate on the dimension with the largest maximum points, then on the dimension with the
   next largest, and so on (dimensions with equal maximum points in the order of the indicator system);
   a dimension's aggregate is the call's method applied to the experts' subtotals on that dimension;
3. the smaller spread (range) of the experts' totals: more agreement ranks higher;
4. the earlier first submission of the application (its version 1);
5. the application number, ascending.

Level 5 never ties, so every application has a place of its own. Each entry records the level that placed
it below the one before it (``decided_by``; 1 when the aggregates differ, ``None`` for the first).

The quota
---------
The first ``quota`` places are shortlisted (no quota: all of them). When the last place within the quota
and the first place outside it have the same aggregate, :attr:`Ranking.quota_line_level` names the
tie-break level that separated them.

The content and its hash
------------------------
:meth:`Ranking.content` is the ranked list with every score as JSON-ready data: strings, integers,
booleans, null, lists and objects; every decimal a string with two places (``"85.50"``), every moment an
ISO 8601 string in UTC. :func:`canonical_json` writes it with sorted keys, no whitespace and UTF-8 text
(``ensure_ascii=False``); a float is refused, as its text is not stable. :func:`content_hash` is the
SHA-256 of those UTF-8 bytes in lowercase hex, and :func:`verify_content` recomputes and compares it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Literal

Method = Literal["mean", "trimmed_mean"]
METHODS: tuple[Method, ...] = ("mean", "trimmed_mean")
TRIM_MINIMUM = 5
"""The trimmed mean drops the highest and the lowest total only when at least this many experts scored."""

CENT = Decimal("0.01")
CONTENT_SCHEMA = 1

TIE_BREAK: tuple[tuple[int, str, str], ...] = (
    (1, "aggregate", "汇总得分高者在前"),
    (2, "dimensions", "汇总得分相同的，依次比较满分最高的维度（其次满分次高的维度……）的汇总得分，高者在前"),
    (3, "spread", "仍相同的，专家总分极差（最高分减最低分）小者在前"),
    (4, "first_submitted", "仍相同的，首次提交申报时间早者在前"),
    (5, "number", "仍相同的，按申报编号升序"),
)
"""The tie-break levels: number, key (as in the content) and the rule in words."""


def cents(value: Decimal) -> Decimal:
    """A figure rounded to 0.01 (half up): how every score and aggregate is published and compared."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def decimal_text(value: Decimal) -> str:
    """``Decimal("85.5")`` → ``"85.50"``: the one way a figure is written in the content."""
    return format(cents(value), "f")


# --- inputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    dimension: str
    max_points: Decimal


@dataclass(frozen=True)
class ExpertScores:
    """One expert's submitted points on one application, by indicator code."""

    expert: str
    points: Mapping[str, Decimal]


@dataclass(frozen=True)
class Candidate:
    """An application to rank: its number, the moment of its first submission, and its experts' scores.

    ``attributes`` (name, county, ...) are copied into the content as they are; they do not rank.
    """

    number: str
    first_submitted: datetime
    experts: Sequence[ExpertScores]
    attributes: Mapping[str, str] = field(default_factory=dict)


# --- totals, spread, aggregation ------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    minimum: Decimal
    maximum: Decimal

    @property
    def range(self) -> Decimal:
        return self.maximum - self.minimum

    def as_content(self) -> dict[str, str]:
        return {
            "min": decimal_text(self.minimum),
            "max": decimal_text(self.maximum),
            "range": decimal_text(self.range),
        }


def spread(values: Iterable[Decimal]) -> Spread:
    figures = list(values)
    if not figures:
        raise ValueError("the spread of no figures is undefined")
    return Spread(min(figures), max(figures))


def expert_total(points: Mapping[str, Decimal]) -> Decimal:
    """The sum of one expert's points (分)."""
    return sum(points.values(), Decimal(0))


def indicator_spreads(
    experts: Sequence[ExpertScores], indicators: Sequence[IndicatorSpec]
) -> dict[str, Spread]:
    """For each indicator (by code, in the system's order): the lowest, highest and range of the points."""
    return {
        indicator.code: spread(expert.points[indicator.code] for expert in experts)
        for indicator in indicators
    }


@dataclass(frozen=True)
class Aggregate:
    value: Decimal
    """Rounded to 0.01 分, half up."""
    method: Method
    """The call's method."""
    applied: Method
    """What was applied: the plain mean when a trimmed mean was asked for with fewer than five experts."""
    count: int
    """How many experts' figures were given."""
    dropped: tuple[Decimal, ...] = ()
    """The lowest and the highest figure left out by a trimmed mean."""

    @property
    def fell_back(self) -> bool:
        return self.method != self.applied

    def explanation(self) -> str:
        if self.applied == "trimmed_mean":
            low, high = self.dropped
            return (
                f"{self.count} 位专家，去掉一个最高分 {decimal_text(high)} 分"
                f"和一个最低分 {decimal_text(low)} 分，"
                f"其余 {self.count - 2} 位的平均分为 {decimal_text(self.value)} 分"
            )
        if self.fell_back:
            return (
                f"仅 {self.count} 位专家（少于 {TRIM_MINIMUM} 位），不去掉最高分和最低分，"
                f"取算术平均 {decimal_text(self.value)} 分"
            )
        return f"{self.count} 位专家的算术平均 {decimal_text(self.value)} 分"


def _mean(values: Sequence[Decimal]) -> Decimal:
    with localcontext() as context:
        context.prec = 34
        return cents(sum(values, Decimal(0)) / len(values))


def aggregate(values: Sequence[Decimal], method: Method) -> Aggregate:
    """The experts' figures combined by ``method`` (see the module's description), rounded to 0.01."""
    if method not in METHODS:
        raise ValueError(f"unknown aggregation method {method!r}; known: {', '.join(METHODS)}")
    if not values:
        raise ValueError("no figures to aggregate")
    if method == "trimmed_mean" and len(values) >= TRIM_MINIMUM:
        ordered = sorted(values)
        return Aggregate(_mean(ordered[1:-1]), method, "trimmed_mean", len(values), (ordered[0], ordered[-1]))
    return Aggregate(_mean(values), method, "mean", len(values))


# --- one candidate, scored ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    experts: tuple[ExpertScores, ...]
    """Sorted by the expert's key, so the same scores always come out in the same order."""
    totals: tuple[Decimal, ...]
    """Each expert's total, in the order of ``experts``."""
    aggregate: Aggregate
    dimension_aggregates: tuple[tuple[str, Decimal], ...]
    """In the tie-break's order of dimensions (largest maximum points first)."""
    totals_spread: Spread
    indicator_spreads: dict[str, Spread]

    @property
    def number(self) -> str:
        return self.candidate.number

    def sort_key(self) -> tuple[Any, ...]:
        return (
            -self.aggregate.value,
            tuple(-value for _name, value in self.dimension_aggregates),
            self.totals_spread.range,
            _utc(self.candidate.first_submitted),
            self.candidate.number,
        )


def dimension_order(indicators: Sequence[IndicatorSpec]) -> list[tuple[str, Decimal]]:
    """Dimensions with their maximum points, largest first; equal ones in the order of the system."""
    maxima: dict[str, Decimal] = {}
    for indicator in indicators:
        maxima[indicator.dimension] = maxima.get(indicator.dimension, Decimal(0)) + indicator.max_points
    first_seen = {name: index for index, name in enumerate(maxima)}
    return sorted(maxima.items(), key=lambda item: (-item[1], first_seen[item[0]]))


def _check(candidate: Candidate, indicators: Sequence[IndicatorSpec]) -> None:
    if not candidate.experts:
        raise ValueError(f"{candidate.number}: no expert scores to rank by")
    codes = {indicator.code for indicator in indicators}
    seen: set[str] = set()
    for expert in candidate.experts:
        if expert.expert in seen:
            raise ValueError(f"{candidate.number}: expert {expert.expert} scored twice")
        seen.add(expert.expert)
        if set(expert.points) != codes:
            missing = sorted(codes - set(expert.points))
            extra = sorted(set(expert.points) - codes)
            raise ValueError(
                f"{candidate.number}: expert {expert.expert} has no points for {missing} or unknown {extra}"
            )
        for indicator in indicators:
            points = expert.points[indicator.code]
            if not Decimal(0) <= points <= indicator.max_points:
                raise ValueError(
                    f"{candidate.number}: expert {expert.expert} gave {points} on {indicator.code}, "
                    f"outside 0–{indicator.max_points}"
                )


def score_candidate(candidate: Candidate, indicators: Sequence[IndicatorSpec], method: Method) -> Scored:
    _check(candidate, indicators)
    experts = tuple(sorted(candidate.experts, key=lambda expert: expert.expert))
    totals = tuple(expert_total(expert.points) for expert in experts)
    dimensions = []
    for name, _maximum in dimension_order(indicators):
        codes = [indicator.code for indicator in indicators if indicator.dimension == name]
        subtotals = [sum((expert.points[code] for code in codes), Decimal(0)) for expert in experts]
        dimensions.append((name, aggregate(subtotals, method).value))
    return Scored(
        candidate=candidate,
        experts=experts,
        totals=totals,
        aggregate=aggregate(totals, method),
        dimension_aggregates=tuple(dimensions),
        totals_spread=spread(totals),
        indicator_spreads=indicator_spreads(experts, indicators),
    )


# --- ranking --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    rank: int
    scored: Scored
    shortlisted: bool
    decided_by: int | None
    """The tie-break level that placed this entry below the one before it; None for the first place."""


def separating_level(above: Scored, below: Scored) -> int:
    """The first tie-break level at which ``above`` and ``below`` differ (1–5)."""
    for level, (first, second) in enumerate(zip(above.sort_key(), below.sort_key(), strict=True), start=1):
        if first != second:
            return level
    raise ValueError(f"{above.number} and {below.number} cannot be told apart")


@dataclass(frozen=True)
class Ranking:
    method: Method
    quota: int | None
    indicators: tuple[IndicatorSpec, ...]
    entries: tuple[Ranked, ...]

    @property
    def dimensions(self) -> list[tuple[str, Decimal]]:
        return dimension_order(self.indicators)

    @property
    def quota_line_level(self) -> int | None:
        """When the last place within the quota and the first outside it share their aggregate, the
        tie-break level that separated them (2–5); None when the aggregates differ or nobody is cut."""
        if self.quota is None or self.quota == 0 or self.quota >= len(self.entries):
            return None
        level = self.entries[self.quota].decided_by
        return level if level is not None and level > 1 else None

    def content(self, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The ranked list with every score, JSON-ready (see the module's description); ``extra`` adds
        top-level keys, such as the call it belongs to."""
        content: dict[str, Any] = {
            "schema": CONTENT_SCHEMA,
            "method": self.method,
            "quota": self.quota,
            "rounding": "0.01 ROUND_HALF_UP",
            "tie_break": [key for _level, key, _words in TIE_BREAK],
            "dimensions": [
                {"name": name, "max_points": decimal_text(maximum)} for name, maximum in self.dimensions
            ],
            "indicators": [
                {
                    "code": indicator.code,
                    "dimension": indicator.dimension,
                    "max_points": decimal_text(indicator.max_points),
                }
                for indicator in self.indicators
            ],
            "entries": [_entry_content(entry, self.indicators) for entry in self.entries],
        }
        for key, value in (extra or {}).items():
            if key in content:
                raise ValueError(f"extra key {key!r} would replace the ranking's own")
            content[key] = value
        return content


def _entry_content(entry: Ranked, indicators: Sequence[IndicatorSpec]) -> dict[str, Any]:
    scored = entry.scored
    found = scored.aggregate
    item: dict[str, Any] = {
        "rank": entry.rank,
        "number": scored.number,
        "shortlisted": entry.shortlisted,
        "decided_by": entry.decided_by,
        "aggregate": decimal_text(found.value),
        "aggregate_applied": found.applied,
        "dropped": [decimal_text(value) for value in found.dropped],
        "dimension_aggregates": [
            {"name": name, "aggregate": decimal_text(value)} for name, value in scored.dimension_aggregates
        ],
        "totals_spread": scored.totals_spread.as_content(),
        "first_submitted": _utc(scored.candidate.first_submitted).isoformat().replace("+00:00", "Z"),
        "experts": [
            {
                "expert": expert.expert,
                "total": decimal_text(total),
                "points": {
                    indicator.code: decimal_text(expert.points[indicator.code]) for indicator in indicators
                },
            }
            for expert, total in zip(scored.experts, scored.totals, strict=True)
        ],
        "indicator_spreads": {code: each.as_content() for code, each in scored.indicator_spreads.items()},
    }
    for key, value in scored.candidate.attributes.items():
        if key in item:
            raise ValueError(f"attribute {key!r} would replace the entry's own")
        item[key] = value
    return item


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("first submissions must be aware datetimes")
    return moment.astimezone(UTC)


def rank(
    candidates: Sequence[Candidate],
    indicators: Sequence[IndicatorSpec],
    method: Method,
    quota: int | None,
) -> Ranking:
    """Rank the candidates by the written tie-break and mark the first ``quota`` as shortlisted."""
    if quota is not None and quota < 0:
        raise ValueError("the quota cannot be negative")
    if not indicators:
        raise ValueError("an indicator system has at least one indicator")
    numbers = [candidate.number for candidate in candidates]
    if len(set(numbers)) != len(numbers):
        raise ValueError("application numbers must be unique")
    scored = sorted(
        (score_candidate(candidate, indicators, method) for candidate in candidates),
        key=Scored.sort_key,
    )
    entries = []
    for index, each in enumerate(scored):
        entries.append(
            Ranked(
                rank=index + 1,
                scored=each,
                shortlisted=quota is None or index < quota,
                decided_by=None if index == 0 else separating_level(scored[index - 1], each),
            )
        )
    return Ranking(method, quota, tuple(indicators), tuple(entries))


# --- canonical content and its hash ---------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        raise TypeError("floats are not allowed in canonical content: write decimals as strings")
    if isinstance(value, Mapping):
        plain: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"object keys must be strings, not {key!r}")
            plain[key] = _plain(item)
        return plain
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    raise TypeError(f"{type(value).__name__} is not allowed in canonical content")


def canonical_json(content: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text, decimals as strings: the same content, the same text."""
    return json.dumps(
        _plain(content), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )


def content_hash(content: Any) -> str:
    """SHA-256 of the canonical JSON's UTF-8 bytes, lowercase hex (64 characters)."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def verify_content(content: Any, expected_hash: str) -> bool:
    """Does ``content`` still hash to ``expected_hash``? Content that cannot be made canonical does not."""
    try:
        actual = content_hash(content)
    except (TypeError, ValueError):
        return False
    return hmac.compare_digest(actual, expected_hash.strip().lower())
