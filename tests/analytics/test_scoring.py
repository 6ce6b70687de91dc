"""The scoring arithmetic of the expert review: totals, spread, the mean and the trimmed mean (four experts
against five), every level of the written tie-break, the quota line, and the content hash (stable, and
changed by any change of a score)."""

from __future__ import annotations

import copy
import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smecluster.analytics.scoring import (
    TIE_BREAK,
    Candidate,
    ExpertScores,
    IndicatorSpec,
    aggregate,
    canonical_json,
    content_hash,
    dimension_order,
    expert_total,
    indicator_spreads,
    rank,
    spread,
    verify_content,
)

D = Decimal
# Two dimensions: 创新 (60 points, compared first at level 2) and 治理 (40 points).
INDICATORS = (
    IndicatorSpec("G1", "治理", D(40)),
    IndicatorSpec("I1", "创新", D(30)),
    IndicatorSpec("I2", "创新", D(30)),
)
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def expert(key: str, g1: str, i1: str, i2: str) -> ExpertScores:
    return ExpertScores(key, {"G1": D(g1), "I1": D(i1), "I2": D(i2)})


def candidate(number: str, *experts: ExpertScores, submitted: datetime = T0) -> Candidate:
    return Candidate(number=number, first_submitted=submitted, experts=experts)


def uniform(number: str, totals: list[str], submitted: datetime = T0) -> Candidate:
    """Experts whose totals are ``totals``, each split in the proportion of the maximum points
    (I1 = I2 = 30 %, G1 the rest), so equal totals give equal dimension aggregates."""
    experts = []
    for index, total in enumerate(totals):
        share = (D(total) * D("0.3")).quantize(D("0.01"))
        experts.append(expert(f"e{index}", str(D(total) - 2 * share), str(share), str(share)))
    return candidate(number, *experts, submitted=submitted)


# --- totals, spread, aggregation ------------------------------------------------------------------


def test_an_experts_total_is_the_sum_of_their_points() -> None:
    assert expert_total({"G1": D("30.50"), "I1": D("20"), "I2": D("10.25")}) == D("60.75")


def test_spread_gives_minimum_maximum_and_range() -> None:
    found = spread([D("70"), D("82.5"), D("75")])
    assert (found.minimum, found.maximum, found.range) == (D("70"), D("82.5"), D("12.5"))
    with pytest.raises(ValueError, match="no figures"):
        spread([])


def test_indicator_spreads_are_per_indicator_in_the_systems_order() -> None:
    experts = [expert("a", "30", "20", "10"), expert("b", "35", "25", "10")]
    spreads = indicator_spreads(experts, INDICATORS)
    assert list(spreads) == ["G1", "I1", "I2"]
    assert (spreads["G1"].minimum, spreads["G1"].maximum, spreads["G1"].range) == (D(30), D(35), D(5))
    assert spreads["I2"].range == 0


def test_the_mean_is_rounded_half_up_to_a_hundredth() -> None:
    found = aggregate([D("80"), D("80"), D("80.01")], "mean")
    assert found.value == D("80.00")  # 80.00333…
    assert aggregate([D("80"), D("80.01")], "mean").value == D("80.01")  # 80.005 → half up
    assert found.applied == "mean"
    assert not found.fell_back
    assert found.explanation() == "3 位专家的算术平均 80.00 分"


def test_trimmed_mean_with_four_experts_is_the_plain_mean_and_says_so() -> None:
    totals = [D(60), D(70), D(80), D(90)]
    found = aggregate(totals, "trimmed_mean")
    assert found.value == D("75.00")
    assert (found.method, found.applied, found.fell_back, found.dropped) == ("trimmed_mean", "mean", True, ())
    assert "仅 4 位专家（少于 5 位），不去掉最高分和最低分" in found.explanation()


def test_trimmed_mean_with_five_experts_drops_one_highest_and_one_lowest() -> None:
    totals = [D(60), D(70), D(80), D(90), D(100)]
    found = aggregate(totals, "trimmed_mean")
    assert found.value == D("80.00")  # (70 + 80 + 90) / 3
    assert found.applied == "trimmed_mean"
    assert found.dropped == (D(60), D(100))
    assert aggregate(totals, "mean").value == D("80.00")
    skewed = [D(10), D(70), D(80), D(90), D(100)]
    assert aggregate(skewed, "mean").value == D("70.00")
    assert aggregate(skewed, "trimmed_mean").value == D("80.00")
    assert "去掉一个最高分 100.00 分和一个最低分 10.00 分" in aggregate(skewed, "trimmed_mean").explanation()


def test_trimmed_mean_drops_exactly_one_of_each_when_totals_repeat() -> None:
    found = aggregate([D(50), D(50), D(80), D(90), D(90)], "trimmed_mean")
    assert found.dropped == (D(50), D(90))
    assert found.value == D("73.33")  # (50 + 80 + 90) / 3


def test_unknown_method_and_no_figures_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown aggregation method"):
        aggregate([D(1)], "median")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no figures"):
        aggregate([], "mean")


@settings(max_examples=200)
@given(
    st.lists(
        st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["mean", "trimmed_mean"]),
)
def test_an_aggregate_lies_between_the_lowest_and_highest_total(totals: list[Decimal], method: str) -> None:
    found = aggregate(totals, method)  # type: ignore[arg-type]
    assert min(totals) <= found.value <= max(totals)
    if method == "trimmed_mean" and len(totals) >= 5:
        middle = sorted(totals)[1:-1]
        assert found.value == (sum(middle) / len(middle)).quantize(D("0.01"), rounding="ROUND_HALF_UP")


# --- ranking and the tie-break --------------------------------------------------------------------


def test_dimensions_are_compared_largest_maximum_first_then_in_the_systems_order() -> None:
    assert dimension_order(INDICATORS) == [("创新", D(60)), ("治理", D(40))]
    equal = (IndicatorSpec("A", "甲", D(50)), IndicatorSpec("B", "乙", D(50)))
    assert [name for name, _points in dimension_order(equal)] == ["甲", "乙"]


def test_level_1_the_higher_aggregate_ranks_first() -> None:
    ranking = rank(
        [uniform("2026-1", ["80", "82"]), uniform("2026-2", ["90", "92"])], INDICATORS, "mean", None
    )
    assert [entry.scored.number for entry in ranking.entries] == ["2026-2", "2026-1"]
    assert [entry.rank for entry in ranking.entries] == [1, 2]
    assert [entry.decided_by for entry in ranking.entries] == [None, 1]


def test_level_2_the_dimension_with_the_largest_maximum_decides_a_tied_aggregate() -> None:
    # Both total 80; B has more on 创新 (60 points, compared first), so B ranks first.
    a = candidate("2026-A", expert("x", "40", "20", "20"))
    b = candidate("2026-B", expert("x", "30", "25", "25"))
    ranking = rank([a, b], INDICATORS, "mean", None)
    assert [entry.scored.number for entry in ranking.entries] == ["2026-B", "2026-A"]
    assert ranking.entries[1].decided_by == 2


def test_level_3_smaller_spread_of_totals_ranks_first() -> None:
    # Same aggregate (70) and the same dimension aggregates (创新 40, 治理 30); A's experts agree more.
    agree = candidate("2026-A", expert("x", "30", "20", "20"), expert("y", "30", "20", "20"))
    split = candidate("2026-B", expert("x", "35", "22", "23"), expert("y", "25", "18", "17"))
    ranking = rank([split, agree], INDICATORS, "mean", None)
    assert [entry.scored.number for entry in ranking.entries] == ["2026-A", "2026-B"]
    assert ranking.entries[1].decided_by == 3


def test_level_4_earlier_first_submission_ranks_first() -> None:
    late = uniform("2026-A", ["80", "80"], submitted=T0 + timedelta(hours=1))
    early = uniform("2026-B", ["80", "80"], submitted=T0)
    ranking = rank([late, early], INDICATORS, "mean", None)
    assert [entry.scored.number for entry in ranking.entries] == ["2026-B", "2026-A"]
    assert ranking.entries[1].decided_by == 4


def test_level_4_compares_moments_not_their_time_zones() -> None:
    beijing = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
    in_china = beijing.astimezone(ZoneInfo("Asia/Shanghai"))
    earlier = uniform("2026-B", ["80"], submitted=in_china - timedelta(minutes=1))
    later = uniform("2026-A", ["80"], submitted=beijing)
    assert [e.scored.number for e in rank([later, earlier], INDICATORS, "mean", None).entries] == [
        "2026-B",
        "2026-A",
    ]


def test_level_5_the_application_number_decides_the_last_tie() -> None:
    ranking = rank([uniform("2026-B", ["80"]), uniform("2026-A", ["80"])], INDICATORS, "mean", None)
    assert [entry.scored.number for entry in ranking.entries] == ["2026-A", "2026-B"]
    assert ranking.entries[1].decided_by == 5


def test_the_tie_break_has_five_written_levels() -> None:
    assert [level for level, _key, _words in TIE_BREAK] == [1, 2, 3, 4, 5]
    assert all(words for _level, _key, words in TIE_BREAK)


def test_trimmed_mean_ranks_by_the_trimmed_figure() -> None:
    # Mean: A 76, B 74. Trimmed (5 experts): A's outlier 100 is dropped → A 70, B 75.
    a = uniform("2026-A", ["100", "70", "70", "70", "70"])
    b = uniform("2026-B", ["60", "75", "75", "75", "85"])
    by_mean = rank([a, b], INDICATORS, "mean", None)
    trimmed = rank([a, b], INDICATORS, "trimmed_mean", None)
    assert [entry.scored.number for entry in by_mean.entries] == ["2026-A", "2026-B"]
    assert [entry.scored.number for entry in trimmed.entries] == ["2026-B", "2026-A"]


@settings(max_examples=50)
@given(st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_the_order_of_the_input(shuffler: random.Random) -> None:
    candidates = [
        uniform("2026-01", ["80", "82"]),
        uniform("2026-02", ["81", "81"]),
        uniform("2026-03", ["81", "81"], submitted=T0 - timedelta(days=1)),
        candidate("2026-04", expert("x", "31", "25", "25")),
        candidate("2026-05", expert("y", "40", "20", "21"), expert("x", "40", "21", "20")),
    ]
    expected = [entry.scored.number for entry in rank(candidates, INDICATORS, "mean", 2).entries]
    shuffled = list(candidates)
    shuffler.shuffle(shuffled)
    shuffled = [
        Candidate(each.number, each.first_submitted, list(reversed(each.experts))) for each in shuffled
    ]
    again = rank(shuffled, INDICATORS, "mean", 2)
    assert [entry.scored.number for entry in again.entries] == expected
    assert content_hash(again.content()) == content_hash(rank(candidates, INDICATORS, "mean", 2).content())


def test_inputs_that_cannot_be_ranked_are_refused() -> None:
    with pytest.raises(ValueError, match="no expert scores"):
        rank([candidate("2026-A")], INDICATORS, "mean", None)
    with pytest.raises(ValueError, match="no points for"):
        rank([candidate("2026-A", ExpertScores("x", {"G1": D(1)}))], INDICATORS, "mean", None)
    with pytest.raises(ValueError, match="outside"):
        rank([candidate("2026-A", expert("x", "41", "0", "0"))], INDICATORS, "mean", None)
    with pytest.raises(ValueError, match="unique"):
        rank([uniform("2026-A", ["80"]), uniform("2026-A", ["70"])], INDICATORS, "mean", None)
    with pytest.raises(ValueError, match="aware"):
        rank(
            [uniform("2026-A", ["80"], submitted=datetime(2026, 1, 1))],
            INDICATORS,
            "mean",
            None,
        )


# --- the quota ------------------------------------------------------------------------------------


def test_the_first_n_are_shortlisted() -> None:
    candidates = [uniform(f"2026-{n}", [str(70 + n)]) for n in range(5)]
    ranking = rank(candidates, INDICATORS, "mean", 3)
    assert [entry.shortlisted for entry in ranking.entries] == [True, True, True, False, False]
    assert ranking.quota_line_level is None  # 73 against 72: the aggregate decides


def test_no_quota_shortlists_everyone_and_a_quota_of_zero_nobody() -> None:
    candidates = [uniform(f"2026-{n}", [str(70 + n)]) for n in range(3)]
    assert all(entry.shortlisted for entry in rank(candidates, INDICATORS, "mean", None).entries)
    assert not any(entry.shortlisted for entry in rank(candidates, INDICATORS, "mean", 0).entries)
    assert rank(candidates, INDICATORS, "mean", 5).quota_line_level is None


def test_a_tie_at_the_quota_line_is_resolved_by_the_tie_break_and_stated() -> None:
    # Places 2 and 3 share 80.00; with a quota of 2 the earlier first submission takes the place.
    candidates = [
        uniform("2026-1", ["90"]),
        uniform("2026-2", ["80"], submitted=T0 + timedelta(days=2)),
        uniform("2026-3", ["80"], submitted=T0 + timedelta(days=1)),
        uniform("2026-4", ["70"]),
    ]
    ranking = rank(candidates, INDICATORS, "mean", 2)
    assert [(entry.scored.number, entry.shortlisted) for entry in ranking.entries] == [
        ("2026-1", True),
        ("2026-3", True),
        ("2026-2", False),
        ("2026-4", False),
    ]
    assert ranking.quota_line_level == 4


# --- the content and its hash ---------------------------------------------------------------------


def sample_ranking() -> tuple[list[Candidate], dict[str, object]]:
    candidates = [
        candidate(
            "2026-440606-01",
            expert("7", "35.50", "25", "20.25"),
            expert("9", "30", "28", "22"),
            submitted=T0,
        ),
        candidate("2026-440605-01", expert("7", "33", "20", "20"), submitted=T0 + timedelta(hours=3)),
    ]
    content = rank(candidates, INDICATORS, "mean", 1).content({"call": {"id": 3, "year": 2026}})
    return candidates, content


def test_the_content_holds_every_score_as_text_with_two_places() -> None:
    _candidates, content = sample_ranking()
    first = content["entries"][0]  # type: ignore[index]
    assert first["number"] == "2026-440606-01"
    assert first["aggregate"] == "80.38"  # (80.75 + 80) / 2 = 80.375 → 80.38
    assert first["experts"][0] == {
        "expert": "7",
        "total": "80.75",
        "points": {"G1": "35.50", "I1": "25.00", "I2": "20.25"},
    }
    assert first["first_submitted"] == "2026-03-01T09:00:00Z"
    assert content["call"] == {"id": 3, "year": 2026}
    assert content["tie_break"] == ["aggregate", "dimensions", "spread", "first_submitted", "number"]


def test_canonical_json_sorts_keys_without_whitespace_and_keeps_chinese_as_utf8() -> None:
    text = canonical_json({"b": [1, {"甲": "1.50"}], "a": None, "c": True})
    assert text == '{"a":null,"b":[1,{"甲":"1.50"}],"c":true}'
    assert canonical_json({"x": D("1.50")}) == '{"x":"1.50"}'
    with pytest.raises(TypeError, match="floats"):
        canonical_json({"x": 1.5})


def test_the_hash_is_stable_across_key_order_and_a_json_round_trip() -> None:
    candidates, content = sample_ranking()
    digest = content_hash(content)
    assert len(digest) == 64
    assert digest == digest.lower()
    reordered = json.loads(json.dumps(content, sort_keys=False))
    reordered = dict(reversed(list(reordered.items())))
    assert content_hash(reordered) == digest
    assert verify_content(reordered, digest)
    assert verify_content(content, digest.upper())
    again = rank(candidates, INDICATORS, "mean", 1).content({"call": {"id": 3, "year": 2026}})
    assert content_hash(again) == digest


def test_the_hash_changes_when_any_score_changes() -> None:
    candidates, content = sample_ranking()
    digest = content_hash(content)
    for entry_index, entry in enumerate(content["entries"]):  # type: ignore[attr-defined]
        for expert_index, scores in enumerate(entry["experts"]):
            for code in scores["points"]:
                tampered = copy.deepcopy(content)
                points = tampered["entries"][entry_index]["experts"][expert_index]["points"]
                points[code] = str(D(points[code]) - D("0.01"))
                assert content_hash(tampered) != digest, (entry_index, expert_index, code)
                assert not verify_content(tampered, digest)
    # A score changed at the source gives another ranking content, hence another hash.
    changed = list(candidates)
    changed[1] = candidate(
        "2026-440605-01", expert("7", "33", "20", "20.01"), submitted=T0 + timedelta(hours=3)
    )
    assert (
        content_hash(rank(changed, INDICATORS, "mean", 1).content({"call": {"id": 3, "year": 2026}}))
        != digest
    )


def test_content_that_cannot_be_canonical_does_not_verify() -> None:
    assert not verify_content({"x": 1.5}, "0" * 64)
    assert not verify_content({1: "x"}, "0" * 64)


@settings(max_examples=100)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=5),
        st.one_of(st.integers(), st.text(max_size=5), st.booleans(), st.none()),
        max_size=8,
    )
)
def test_any_permutation_of_keys_gives_the_same_hash(content: dict[str, object]) -> None:
    reversed_order = dict(reversed(list(content.items())))
    assert content_hash(reversed_order) == content_hash(content)
