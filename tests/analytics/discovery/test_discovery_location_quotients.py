"""Location quotients and the U.S. Cluster Mapping strong-cluster flags, on tables computed by hand and
on random tables against numpy's inverted-CDF quartiles (SQL ``percentile_disc``)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import firm
from smecluster.analytics.discovery import queries

A, B, C, D = "110101", "110102", "110105", "110106"


def _hand_table() -> list[dict[str, object]]:
    # Division 17: A 3 firms x 30 = 90, B 1 x 10, C 2 x 25 = 50, D 1 x 30. Division 18 fills each county
    # to 100 persons (A 10, B 90, C 50, D 70) in one firm each.
    firms = [firm(A, "C1711", 30, code=f"a{i}") for i in range(3)]
    firms += [firm(B, "C1711", 10), firm(C, "C1711", 25, code="c1"), firm(C, "C1712", 25, code="c2")]
    firms += [firm(D, "1711", 30)]
    firms += [firm(A, "C1811", 10), firm(B, "C1811", 90), firm(C, "C1811", 50), firm(D, "C1811", 70)]
    return firms


def _rows(table) -> dict[tuple[str, str], dict[str, object]]:  # type: ignore[no-untyped-def]
    result = queries.location_quotients(table).to_pyarrow().to_pylist()
    return {(row["county_code"], row["division"]): row for row in result}


def test_hand_computed_location_quotients_and_flags(table_of) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(table_of(_hand_table()))
    # e = 400, e_17 = 180: LQ_A = (90/100) / (180/400) = 2, B = 2/9, C = 10/9, D = 2/3.
    expected_lq = {A: Fraction(2), B: Fraction(2, 9), C: Fraction(10, 9), D: Fraction(2, 3)}
    for county, lq in expected_lq.items():
        row = rows[(county, "17")]
        assert row["lq"] == float(lq)
        assert row["employees"] == {A: 90, B: 10, C: 50, D: 30}[county]
        assert row["county_employees"] == 100
        assert row["industry_employees"] == 180
        assert row["total_employees"] == 400
        assert row["counties"] == 4
    # Q3 = percentile_disc(0.75) of (2/9, 2/3, 10/9, 2) = 10/9: A and C are in the top quartile.
    assert {c for c in expected_lq if rows[(c, "17")]["top_quartile_lq"]} == {A, C}
    assert {c for c in expected_lq if rows[(c, "17")]["lq_at_least_one"]} == {A, C}
    # Employment Q1 = 10 (B): A, C, D are above it. Firms (3, 1, 2, 1): Q1 = 1, so D, tied at Q1, is not.
    assert {c for c in expected_lq if rows[(c, "17")]["employment_above_q1"]} == {A, C, D}
    assert {c for c in expected_lq if rows[(c, "17")]["firms_above_q1"]} == {A, C}
    assert {c for c in expected_lq if rows[(c, "17")]["strong"]} == {A, C}
    assert rows[(A, "17")]["firms"] == 3
    # The section letter is optional: D's "1711" is division 17 like the others' "C1711".
    assert rows[(D, "17")]["firms"] == 1


def test_lq_of_exactly_one_is_at_least_one(table_of) -> None:  # type: ignore[no-untyped-def]
    # Both counties have the same mix: every LQ is exactly 1, which meets "LQ >= 1".
    firms = [firm(A, "C1711", 3), firm(A, "C1811", 7), firm(B, "C1711", 30), firm(B, "C1811", 70)]
    rows = _rows(table_of(firms))
    assert all(row["lq_at_least_one"] for row in rows.values())
    assert all(row["lq"] == 1.0 for row in rows.values())


def test_years_are_separate_economies(table_of) -> None:  # type: ignore[no-untyped-def]
    firms = [
        firm(A, "C1711", 10, year=2023),
        firm(B, "C1811", 10, year=2023),
        firm(A, "C1711", 10, year=2024),
    ]
    result = queries.location_quotients(table_of(firms)).to_pyarrow().to_pylist()
    by_key = {(r["county_code"], r["division"], r["year"]): r for r in result}
    assert by_key[(A, "17", 2023)]["lq"] == 2.0  # (10/10) / (10/20)
    assert by_key[(A, "17", 2024)]["lq"] == 1.0  # the only firm of 2024


cell = st.tuples(st.integers(1, 6), st.integers(1, 40))  # firms, persons per firm


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.dictionaries(
        st.tuples(
            st.sampled_from([A, B, C, D, "110107", "110108", "110109"]), st.sampled_from(["C17", "C18"])
        ),
        cell,
        min_size=2,
        max_size=14,
    )
)
def test_flags_match_inverted_cdf_quartiles(table_of, cells) -> None:  # type: ignore[no-untyped-def]
    firms = [
        firm(county, f"{division}11", size, code=f"{county}{division}{i}")
        for (county, division), (count, size) in cells.items()
        for i in range(count)
    ]
    rows = _rows(table_of(firms))
    employees = {key: count * size for key, (count, size) in cells.items()}
    total = sum(employees.values())
    for division in ("17", "18"):
        members = {county: e for (county, d), e in employees.items() if d == f"C{division}"}
        if not members:
            continue
        county_totals = {c: sum(e for (cc, _), e in employees.items() if cc == c) for c in members}
        industry = sum(members.values())
        lq = {c: float(members[c] * total) / float(county_totals[c] * industry) for c in members}
        firm_counts = {c: cells[(c, f"C{division}")][0] for c in members}
        q3 = np.quantile(list(lq.values()), 0.75, method="inverted_cdf")
        q1_employees = np.quantile(list(members.values()), 0.25, method="inverted_cdf")
        q1_firms = np.quantile(list(firm_counts.values()), 0.25, method="inverted_cdf")
        for county in members:
            row = rows[(county, division)]
            assert row["lq"] == lq[county]
            assert row["top_quartile_lq"] == (lq[county] >= q3)
            assert row["lq_at_least_one"] == (members[county] * total >= county_totals[county] * industry)
            assert row["employment_above_q1"] == (members[county] > q1_employees)
            assert row["firms_above_q1"] == (firm_counts[county] > q1_firms)
