"""Each comparator is tested below, at and above its threshold, for every criterion of every rule set.

The profile is the example (``examples/profile-example.json``, read with decimals), adjusted so that the
criterion's computed value is exactly below, at or above its threshold: a share's part is threshold/100 ×
whole, a growth's last year is first × (1 + t/100)², a per-10,000 figure is t × employees / 10,000, and
for "each year" the least year is the threshold. The status must follow the comparator: ≥ and ≤ pass at
the threshold, > and < fail there, and a failing criterion qualified 一般 asks a reviewer instead.
Then the other measures: trends, conditional flags, the incident window, the county scope, missing
data, and the order of outcomes.
"""

from __future__ import annotations

import copy
import itertools
import json
import operator
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import pytest

from smecluster.policy.evaluator import evaluate
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
    RuleSet,
    Trend,
    rule_set,
    rule_sets,
)
from smecluster.policy.verdict import CriterionResult, Outcome, Status, Verdict
from smecluster.profile import Year, parse_profile

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "profile-example.json"
APPLIED = date(2025, 6, 30)
LATEST = 2024
"""The example applies on 2025-06-30: its last three complete years are 2022–2024."""

Document = dict[str, Any]

COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}
POSITIONS = {"below": -1, "at": 0, "above": 1}


def example() -> Document:
    document: Document = json.loads(EXAMPLE.read_text(encoding="utf-8"), parse_float=Decimal)
    assert document["application_date"] == APPLIED.isoformat()
    assert [entry["year"] for entry in document["years"]] == [LATEST - 2, LATEST - 1, LATEST]
    return document


def year_of(document: Document, year: int) -> dict[str, Any]:
    return next(entry for entry in document["years"] if entry["year"] == year)


def is_count(field: str) -> bool:
    """Counts (patents, employees) are whole numbers; the other yearly figures are decimals."""
    annotation = Year.model_fields[field].annotation
    return any(
        member is int or get_args(member)[:1] == (int,) for member in (annotation, *get_args(annotation))
    )


def step(field: str) -> Decimal:
    """The least move of a figure: one patent, or 0.01 of an amount."""
    return Decimal(1) if is_count(field) else Decimal("0.01")


def keep_parts_within_output(document: Document) -> None:
    """After output was moved: no year's SME or leading-industry output may exceed its total output."""
    for entry in document["years"]:
        for part in ("sme_output", "leading_output"):
            if entry.get(part) is not None and entry[part] > entry["output"]:
                entry[part] = entry["output"]


def window(years: int) -> list[int]:
    return list(range(LATEST - years + 1, LATEST + 1))


def exact(value: Decimal, field: str) -> Decimal | int:
    """A figure as the profile holds it: counts must come out whole for the construction to be exact."""
    if is_count(field):
        assert value == value.to_integral_value(), f"{field} {value} is not a whole number"
        return int(value)
    return value


def evaluated(document: Document, rules: RuleSet, criterion_id: str) -> CriterionResult:
    return evaluate(parse_profile(document, source="test"), rules).result(criterion_id)


# --- building a profile at a threshold -------------------------------------------------------------


def at_threshold(criterion: Criterion, position: str) -> Document:
    """The example profile moved so that the criterion's value sits ``position`` of its threshold."""
    measure = criterion.measure
    assert criterion.threshold is not None
    assert criterion.comparator is not None
    threshold = criterion.threshold
    delta = POSITIONS[position]
    document = example()
    if isinstance(measure, AreaValue):
        document["area_km2"] = threshold + delta * Decimal("0.01")
    elif isinstance(measure, LatestValue):
        year_of(document, LATEST)[measure.field] = exact(
            threshold + delta * step(measure.field), measure.field
        )
    elif isinstance(measure, EachYear):
        # The binding year is the least for a floor, the greatest for a cap; the other years are safe.
        floor = criterion.comparator in (">=", ">")
        margin = 10 * step(measure.field) * (1 if floor else -1)
        first, *others = window(measure.years)
        year_of(document, first)[measure.field] = exact(
            threshold + delta * step(measure.field), measure.field
        )
        for year in others:
            year_of(document, year)[measure.field] = exact(threshold + margin, measure.field)
    elif isinstance(measure, LatestShare):
        whole = Decimal(10_000)
        latest = year_of(document, LATEST)
        latest[measure.whole] = exact(whole, measure.whole)
        latest[measure.part] = exact(threshold * whole / 100 + delta * step(measure.part), measure.part)
    elif isinstance(measure, CompoundGrowth):
        span = measure.years - 1
        start = Decimal(100) ** span
        last = start * (1 + threshold / 100) ** span
        years = window(measure.years)
        for year in years[:-1]:
            year_of(document, year)[measure.field] = exact(start, measure.field)
        year_of(document, years[-1])[measure.field] = exact(last + delta * step(measure.field), measure.field)
    elif isinstance(measure, PerTenThousand):
        latest = year_of(document, LATEST)
        latest[measure.per] = exact(Decimal(10_000), measure.per)
        latest[measure.field] = exact(threshold + delta * step(measure.field), measure.field)
    else:
        raise AssertionError(f"{criterion.id}: {measure!r} is not compared with a threshold")
    keep_parts_within_output(document)
    return document


def with_quality_firms(criterion: Criterion, alternative: int, position: str) -> Document:
    """Firms so that alternative ``alternative`` sums to its threshold −1/0/+1 and every other one to 0."""
    assert isinstance(criterion.measure, QualityFirms)
    group = criterion.measure.alternatives[alternative]
    document = example()
    firms = document["quality_firms"]
    for other in criterion.measure.alternatives:
        for title in other.titles:
            firms[title] = 0
    firms[group.titles[0]] = group.threshold + POSITIONS[position]
    return document


def expected(comparator: str, position: str, qualifier: str | None) -> Status:
    """≥ and ≤ include the threshold, > and < exclude it; a failure qualified 一般 goes to a reviewer."""
    meets = {
        "below": comparator in ("<=", "<"),
        "at": comparator in (">=", "<="),
        "above": comparator in (">=", ">"),
    }[position]
    if meets:
        return Status.PASS
    return Status.REVIEW if qualifier == "一般" else Status.FAIL


_COMPARED = (EachYear, LatestValue, AreaValue, LatestShare, CompoundGrowth, PerTenThousand)


def compared_cases() -> list[Any]:
    cases = []
    for rules in rule_sets().values():
        for criterion in rules.criteria:
            if isinstance(criterion.measure, _COMPARED):
                cases += [
                    pytest.param(rules.id, criterion.id, position, id=f"{rules.id}:{criterion.id}:{position}")
                    for position in POSITIONS
                ]
    return cases


def quality_firm_cases() -> list[Any]:
    cases = []
    for rules in rule_sets().values():
        for criterion in rules.criteria:
            if isinstance(criterion.measure, QualityFirms):
                for index, group in enumerate(criterion.measure.alternatives):
                    cases += [
                        pytest.param(
                            rules.id,
                            criterion.id,
                            index,
                            position,
                            id=f"{rules.id}:{criterion.id}:alternative-{index + 1}:{position}",
                        )
                        for position in POSITIONS
                        if group.threshold + POSITIONS[position] >= 0
                    ]
    return cases


COMPARED_CASES = compared_cases()
QUALITY_FIRM_CASES = quality_firm_cases()


def test_every_compared_criterion_of_every_rule_set_is_tested() -> None:
    """The parametrisation is not empty and reaches each rule set's figures (Guizhou states none)."""
    tested = {case.values[:2] for case in COMPARED_CASES + QUALITY_FIRM_CASES}
    assert {rule_set_id for rule_set_id, _ in tested} == {"national-2022", "guangdong-2022", "shaanxi-2023"}
    assert len({key for key in tested if key[0] == "guangdong-2022"}) == 10
    assert len({key for key in tested if key[0] == "shaanxi-2023"}) == 10
    assert len({key for key in tested if key[0] == "national-2022"}) == 6


@pytest.mark.parametrize(("rule_set_id", "criterion_id", "position"), COMPARED_CASES)
def test_a_compared_criterion_follows_its_comparator(
    rule_set_id: str, criterion_id: str, position: str
) -> None:
    """Below, at and above the threshold the status is the comparator's answer (一般: review, not fail)."""
    rules = rule_set(rule_set_id)
    criterion = rules.criterion(criterion_id)
    assert criterion.comparator is not None
    assert criterion.threshold is not None
    result = evaluated(at_threshold(criterion, position), rules, criterion_id)
    assert result.status is expected(criterion.comparator, position, criterion.qualifier), result.explanation
    assert result.comparator == criterion.comparator
    assert result.threshold == criterion.threshold
    if isinstance(criterion.measure, EachYear | AreaValue | LatestValue):
        # The figure read as given is the binding value; an area moves by 0.01 km² like an amount.
        field = "output" if isinstance(criterion.measure, AreaValue) else criterion.measure.field
        assert result.value == criterion.threshold + POSITIONS[position] * step(field)
    else:
        # A computed ratio or rate says when it sits exactly on the threshold.
        assert ("恰好等于阈值" in result.explanation) == (position == "at"), result.explanation


@pytest.mark.parametrize(("rule_set_id", "criterion_id", "alternative", "position"), QUALITY_FIRM_CASES)
def test_each_quality_firm_alternative_follows_its_comparator(
    rule_set_id: str, criterion_id: str, alternative: int, position: str
) -> None:
    """One alternative below, at or above its count while the others are zero: the alternative decides."""
    rules = rule_set(rule_set_id)
    criterion = rules.criterion(criterion_id)
    assert isinstance(criterion.measure, QualityFirms)
    group = criterion.measure.alternatives[alternative]
    others_fail = all(
        not COMPARE[other.comparator](0, other.threshold)
        for index, other in enumerate(criterion.measure.alternatives)
        if index != alternative
    )
    assert others_fail, "the other alternatives must fail at zero for this test to isolate one"
    result = evaluated(with_quality_firms(criterion, alternative, position), rules, criterion_id)
    assert result.status is expected(group.comparator, position, criterion.qualifier), result.explanation
    assert isinstance(result.value, list)
    assert result.value[alternative] == group.threshold + POSITIONS[position]


# --- the two examples of the issue -----------------------------------------------------------------


def test_patents_400_to_529_over_two_years_is_exactly_15_percent_and_meets_not_below_15() -> None:
    """400 → 529 is exactly 15 % a year (529/400 = 1.15²): “不低于15%” is met, and the working says so."""
    document = example()
    for year, patents in zip(window(3), (400, 460, 529), strict=True):
        year_of(document, year)["invention_patents"] = patents
    result = evaluated(document, rule_set("guangdong-2022"), "gd-patent-growth")
    assert result.status is Status.PASS
    assert result.value == Decimal("15.00")
    assert "恰好等于阈值" in result.explanation
    assert "15.00%" in result.explanation


@pytest.mark.parametrize("rule_set_id", ["national-2022", "guangdong-2022"])
def test_output_40_to_48_4_grows_exactly_10_percent_and_is_not_above_10(rule_set_id: str) -> None:
    """40 → 44 → 48.4 亿元 is exactly 10 % a year: “高于10%” is not met, while “均在40亿元以上” is."""
    document = example()
    for year, output in zip(window(3), ("40", "44", "48.4"), strict=True):
        year_of(document, year)["output"] = Decimal(output)
    keep_parts_within_output(document)
    rules = rule_set(rule_set_id)
    growth = next(
        c for c in rules.criteria if c.measure == CompoundGrowth(formula="compound_growth", field="output")
    )
    each_year = next(
        c for c in rules.criteria if isinstance(c.measure, EachYear) and c.measure.field == "output"
    )
    result = evaluated(document, rules, growth.id)
    assert result.status is Status.FAIL
    assert result.value == Decimal("10.00")
    assert "恰好等于阈值" in result.explanation
    assert evaluated(document, rules, each_year.id).status is Status.PASS


# --- trends ---------------------------------------------------------------------------------------

TREND_SERIES: dict[tuple[str, bool], list[tuple[tuple[str, str, str], Status]]] = {
    # 持续下降: every year below the one before; an equal year breaks it.
    ("falling", True): [
        (("0.92", "0.88", "0.85"), Status.PASS),
        (("0.92", "0.92", "0.85"), Status.FAIL),
        (("0.92", "0.85", "0.85"), Status.FAIL),
        (("0.92", "0.95", "0.85"), Status.FAIL),
        (("0.85", "0.88", "0.92"), Status.FAIL),
    ],
    # 提高: the last year above the first, whatever happened between.
    ("rising", False): [
        (("10", "9", "11"), Status.PASS),
        (("10", "11", "12"), Status.PASS),
        (("10", "12", "10"), Status.FAIL),
        (("10", "11", "9.9"), Status.FAIL),
    ],
}


def trend_cases() -> list[Any]:
    cases = []
    for rules in rule_sets().values():
        for criterion in rules.criteria:
            if isinstance(criterion.measure, Trend):
                key = (criterion.measure.direction, criterion.measure.every_year)
                assert key in TREND_SERIES, f"{criterion.id}: no series for a {key} trend"
                cases += [
                    pytest.param(
                        rules.id, criterion.id, series, status, id=f"{rules.id}:{criterion.id}:{index}"
                    )
                    for index, (series, status) in enumerate(TREND_SERIES[key])
                ]
    return cases


@pytest.mark.parametrize(("rule_set_id", "criterion_id", "series", "status"), trend_cases())
def test_a_trend_follows_its_direction(
    rule_set_id: str, criterion_id: str, series: tuple[str, str, str], status: Status
) -> None:
    """Falling every year (an equal year fails), or rising from the first year to the last."""
    rules = rule_set(rule_set_id)
    measure = rules.criterion(criterion_id).measure
    assert isinstance(measure, Trend)
    document = example()
    for year, value in zip(window(measure.years), series, strict=True):
        year_of(document, year)[measure.field] = Decimal(value)
    result = evaluated(document, rules, criterion_id)
    assert result.status is status, result.explanation


def test_co2_intensity_equal_in_two_years_is_not_falling_continuously() -> None:
    """“近三年二氧化碳排放量强度持续下降”: 0.92, 0.92, 0.85 fails, naming the year that did not fall."""
    document = example()
    year_of(document, 2023)["co2_intensity"] = Decimal("0.92")
    result = evaluated(document, rule_set("guangdong-2022"), "gd-co2-intensity")
    assert result.status is Status.FAIL
    assert "2023年未较上年下降" in result.explanation


def test_non_fossil_share_rising_overall_meets_tigao() -> None:
    """“非化石能源消费比重提高”: 10 → 9 → 11 rises over the period and passes."""
    document = example()
    for year, share in zip(window(3), ("10", "9", "11"), strict=True):
        year_of(document, year)["non_fossil_share"] = Decimal(share)
    assert evaluated(document, rule_set("shaanxi-2023"), "sx-non-fossil-share").status is Status.PASS


# --- conditional flags ----------------------------------------------------------------------------

FLAG_CASES = [
    (False, None, Status.PASS),
    (False, False, Status.PASS),
    (True, None, Status.MISSING),
    (True, False, Status.FAIL),
    (True, True, Status.PASS),
]


def flag_cases() -> list[Any]:
    return [
        pytest.param(
            rules.id, criterion.id, applies, requires, status, id=f"{rules.id}:{criterion.id}:{name}"
        )
        for rules in rule_sets().values()
        for criterion in rules.criteria
        if isinstance(criterion.measure, ConditionalFlag)
        for (applies, requires, status), name in zip(
            FLAG_CASES,
            ("not-intensive", "not-intensive-flag-false", "flag-missing", "flag-false", "flag-true"),
            strict=True,
        )
    ]


@pytest.mark.parametrize(("rule_set_id", "criterion_id", "applies", "requires", "status"), flag_cases())
def test_a_conditional_flag_applies_only_to_intensive_industries(
    rule_set_id: str, criterion_id: str, applies: bool, requires: bool | None, status: Status
) -> None:
    """Not energy-/water-intensive: pass. Intensive: the efficiency flag decides; absent, it is missing."""
    rules = rule_set(rule_set_id)
    measure = rules.criterion(criterion_id).measure
    assert isinstance(measure, ConditionalFlag)
    document = example()
    document[measure.applies_if] = applies
    document[measure.requires] = requires
    assert evaluated(document, rules, criterion_id).status is status


# --- incidents ------------------------------------------------------------------------------------

WINDOW_START = date(2022, 1, 1)  # 1 January of the first of the years judged (2022–2024)
"""The incident window opens with the first of the years judged, not three years before the application
date: an accident of March 2022 counts against an application judged on 2022–2024 figures."""

INCIDENT_CASES = [
    ("safety-较大-inside", {"date": "2024-03-01", "kind": "safety_accident", "level": "较大"}, Status.FAIL),
    ("safety-一般-inside", {"date": "2024-03-01", "kind": "safety_accident", "level": "一般"}, Status.PASS),
    ("quality-较大", {"date": "2024-03-01", "kind": "quality_accident", "level": "较大"}, Status.FAIL),
    (
        "environment-特别重大",
        {"date": "2024-03-01", "kind": "environment_accident", "level": "特别重大"},
        Status.FAIL,
    ),
    (
        "environment-一般",
        {"date": "2024-03-01", "kind": "environment_accident", "level": "一般"},
        Status.PASS,
    ),
    ("cyber-重大", {"date": "2023-01-10", "kind": "cyber_security_event", "level": "重大"}, Status.FAIL),
    ("cyber-较大", {"date": "2023-01-10", "kind": "cyber_security_event", "level": "较大"}, Status.PASS),
    (
        "data-特别重大",
        {"date": "2023-01-10", "kind": "data_security_event", "level": "特别重大"},
        Status.FAIL,
    ),
    ("data-较大", {"date": "2023-01-10", "kind": "data_security_event", "level": "较大"}, Status.PASS),
    ("tax-evasion-no-level", {"date": "2024-11-11", "kind": "tax_evasion"}, Status.FAIL),
    ("violation-no-level", {"date": "2024-11-11", "kind": "violation"}, Status.FAIL),
    ("violation-一般", {"date": "2024-11-11", "kind": "violation", "level": "一般"}, Status.FAIL),
    ("serious-dishonesty", {"date": "2024-11-11", "kind": "serious_dishonesty"}, Status.FAIL),
    ("other-major", {"date": "2024-11-11", "kind": "other_major"}, Status.FAIL),
    (
        "day-before-window",
        {"date": "2021-12-31", "kind": "safety_accident", "level": "特别重大"},
        Status.PASS,
    ),
    (
        "window-start",
        {"date": WINDOW_START.isoformat(), "kind": "safety_accident", "level": "较大"},
        Status.FAIL,
    ),
    ("application-date", {"date": APPLIED.isoformat(), "kind": "tax_evasion"}, Status.FAIL),
]


@pytest.mark.parametrize(
    ("rule_set_id", "criterion_id", "incident", "status"),
    [
        pytest.param(rules.id, criterion.id, incident, status, id=f"{rules.id}:{criterion.id}:{name}")
        for rules in rule_sets().values()
        for criterion in rules.criteria
        if isinstance(criterion.measure, IncidentExclusion)
        for name, incident, status in INCIDENT_CASES
    ],
)
def test_an_incident_counts_by_kind_level_and_date(
    rule_set_id: str, criterion_id: str, incident: dict[str, str], status: Status
) -> None:
    """较大+ accidents, 重大+ cyber/data events and any conduct count from 3 years before applying on."""
    document = example()
    document["incidents"] = [incident]
    result = evaluated(document, rule_set(rule_set_id), criterion_id)
    assert result.status is status, result.explanation
    assert result.value == (1 if status is Status.FAIL else 0)


def test_an_incident_outside_the_window_is_said_not_to_count() -> None:
    """The working names the window and says an earlier incident is outside it."""
    document = example()
    document["incidents"] = [{"date": "2021-12-31", "kind": "safety_accident", "level": "特别重大"}]
    result = evaluated(document, rule_set("guangdong-2022"), "gd-incidents")
    assert "2022-01-01 至 2025-06-30" in result.explanation
    assert "1 起不在期间内" in result.explanation


# --- county scope ---------------------------------------------------------------------------------

SCOPE_EXPECTED = {
    "national-2022": Status.FAIL,
    "guangdong-2022": Status.FAIL,
    "shaanxi-2023": Status.FAIL,
    "guizhou-2023": Status.REVIEW,
}
"""Two counties: one county only, except Guizhou, where a reviewer checks that they are adjacent."""


def scope_criterion(rules: RuleSet) -> Criterion:
    (criterion,) = [c for c in rules.criteria if isinstance(c.measure, CountyScope)]
    return criterion


@pytest.mark.parametrize(("rule_set_id", "status"), SCOPE_EXPECTED.items())
def test_a_cluster_over_two_counties(rule_set_id: str, status: Status) -> None:
    """顺德 and 南海: fails where a cluster lies in one county; asks a reviewer in Guizhou."""
    rules = rule_set(rule_set_id)
    document = example()
    document["counties"] = ["440606", "440605"]
    result = evaluated(document, rules, scope_criterion(rules).id)
    assert result.status is status, result.explanation
    assert result.value == 2


@pytest.mark.parametrize("rule_set_id", SCOPE_EXPECTED)
def test_a_cluster_in_one_county_is_within_every_scope(rule_set_id: str) -> None:
    """One county passes the scope of every rule set."""
    rules = rule_set(rule_set_id)
    assert evaluated(example(), rules, scope_criterion(rules).id).status is Status.PASS


def test_guizhou_asks_the_reviewer_about_adjacency_and_the_declaring_county() -> None:
    """Guizhou's review names what to check: adjacency and the county with the largest share of output."""
    document = example()
    document.update(province="贵州省", counties=["520111", "520102"])
    result = evaluated(document, rule_set("guizhou-2023"), "gz-scope")
    assert result.status is Status.REVIEW
    assert "相邻" in result.explanation
    assert "产值占比最大" in result.explanation


# --- missing data ---------------------------------------------------------------------------------


def test_a_year_absent_leaves_every_three_year_criterion_missing() -> None:
    """Without 2022, each-year, growth and trend criteria are missing; latest-year ones are still judged."""
    document = example()
    document["years"] = document["years"][1:]
    rules = rule_set("guangdong-2022")
    verdict = evaluate(parse_profile(document, source="test"), rules)
    for result in verdict.results:
        measure = result.criterion.measure
        if isinstance(measure, EachYear | CompoundGrowth | Trend):
            assert result.status is Status.MISSING, result.criterion.id
            assert "2022年" in result.explanation
        elif isinstance(measure, LatestShare | LatestValue | PerTenThousand):
            assert result.status is Status.PASS, result.criterion.id
    assert verdict.outcome is Outcome.INCOMPLETE


@pytest.mark.parametrize(
    ("field", "criterion_id"),
    [("sme_rnd", "gd-rnd-growth"), ("invention_patents", "gd-patent-growth"), ("output", "gd-output-growth")],
)
def test_a_first_year_of_zero_leaves_growth_missing(field: str, criterion_id: str) -> None:
    """Growth from 0 has no rate: the criterion is missing, and says the first year is 0."""
    document = example()
    year_of(document, 2022)[field] = 0
    keep_parts_within_output(document)
    result = evaluated(document, rule_set("guangdong-2022"), criterion_id)
    assert result.status is Status.MISSING
    assert "2022年" in result.explanation
    assert "为 0" in result.explanation


@pytest.mark.parametrize(
    ("field", "criterion_id"),
    [
        ("sme_output", "gd-sme-share"),
        ("leading_output", "gd-leading-share"),
        ("iip_penetration", "gd-iip-penetration"),
        ("employees", "gd-patents-per-10k"),
        ("invention_patents", "gd-patents-per-10k"),
    ],
)
def test_an_absent_latest_figure_leaves_its_criterion_missing(field: str, criterion_id: str) -> None:
    """A latest-year figure left out makes its criterion missing, not failed."""
    document = example()
    del year_of(document, LATEST)[field]
    result = evaluated(document, rule_set("guangdong-2022"), criterion_id)
    assert result.status is Status.MISSING
    assert f"{LATEST}年" in result.explanation


def test_no_employees_leaves_patents_per_ten_thousand_missing() -> None:
    """0 employees gives no ratio: missing, not a division by zero."""
    document = example()
    year_of(document, LATEST)["employees"] = 0
    assert evaluated(document, rule_set("guangdong-2022"), "gd-patents-per-10k").status is Status.MISSING


def test_unknown_firm_counts_leave_quality_firms_missing_unless_one_alternative_is_met() -> None:
    """No counts at all: missing. One alternative met in full: pass, whatever the other lacks."""
    rules = rule_set("guangdong-2022")
    document = example()
    document["quality_firms"] = {}
    assert evaluated(document, rules, "gd-quality-firms").status is Status.MISSING
    document["quality_firms"] = {"champion": 0, "little_giant": 1}
    assert evaluated(document, rules, "gd-quality-firms").status is Status.PASS
    document["quality_firms"] = {"champion": 0, "little_giant": 0}
    assert evaluated(document, rules, "gd-quality-firms").status is Status.MISSING


def test_a_partial_sum_that_already_meets_the_threshold_needs_no_more_counts() -> None:
    """Two 小巨人 meet “不少于1家单项冠军或小巨人” whatever the number of 单项冠军: the count of
    champions is not needed, so the criterion passes rather than being missing."""
    document = example()
    document["quality_firms"] = {"little_giant": 2, "specialized": 0, "innovative": 0, "high_tech": 0}
    result = evaluated(document, rule_set("guangdong-2022"), "gd-quality-firms")
    assert result.status is Status.PASS, result.explanation


# --- outcome ----------------------------------------------------------------------------------------

_ORDER = [
    (Status.FAIL, Outcome.INELIGIBLE),
    (Status.MISSING, Outcome.INCOMPLETE),
    (Status.REVIEW, Outcome.NEEDS_REVIEW),
]


@pytest.mark.parametrize(
    "statuses",
    [
        pytest.param(combination, id="+".join(status.value for status in combination))
        for size in range(1, 5)
        for combination in itertools.combinations(list(Status), size)
    ],
)
def test_outcome_precedence_is_fail_then_missing_then_review(statuses: tuple[Status, ...]) -> None:
    """ineligible if any fails; else incomplete if any is missing; else needs_review; else eligible."""
    criterion = rule_set("guangdong-2022").criteria[0]
    verdict = Verdict(
        "guangdong-2022",
        "",
        APPLIED,
        [CriterionResult(criterion, status, "") for status in statuses],
    )
    outcome = next((outcome for status, outcome in _ORDER if status in statuses), Outcome.ELIGIBLE)
    assert verdict.outcome is outcome


def test_a_failure_outranks_missing_data_in_a_real_evaluation() -> None:
    """Output below 40 in 2022 and no SME output: ineligible; with the output restored: incomplete."""
    rules = rule_set("guangdong-2022")
    document = example()
    del year_of(document, LATEST)["sme_output"]
    assert (
        evaluate(parse_profile(copy.deepcopy(document), source="test"), rules).outcome is Outcome.INCOMPLETE
    )
    year_of(document, 2022)["output"] = Decimal("39.99")
    assert evaluate(parse_profile(document, source="test"), rules).outcome is Outcome.INELIGIBLE


def test_the_example_meets_every_figure_and_awaits_the_experts() -> None:
    """The example profile passes every computed criterion of the national and Guangdong rule sets."""
    for rule_set_id in ("national-2022", "guangdong-2022"):
        verdict = evaluate(parse_profile(example(), source="test"), rule_set(rule_set_id))
        assert verdict.outcome is Outcome.NEEDS_REVIEW
        assert {result.status for result in verdict.results} == {Status.PASS, Status.REVIEW}
