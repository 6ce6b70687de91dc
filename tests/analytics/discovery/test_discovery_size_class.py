"""SME classification by the 2011 size standard: the Ibis CASE expression generated from the reference
data (``smecluster.reference.sme_standards``), against a scalar reference written here on the reference
module's own code mapping (``SizeStandard.group_for``) and thresholds, on random firms."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import firm
from smecluster.analytics.discovery import queries
from smecluster.analytics.discovery.size_standard import STANDARD_2011, size_standard_2011
from smecluster.errors import UnusableInput
from smecluster.reference.sme_standards import IndustryGroup, Thresholds, standards

REFERENCE = next(s for s in standards() if s.standard_id == STANDARD_2011)
MEASURES = ("employees", "revenue", "assets")


def reference_group(code: str) -> IndustryGroup | None:
    """The industry group the reference module places ``code`` in; None where the standard does not
    apply (railway, finance, ...) or the code is too coarse (59)."""
    try:
        return REFERENCE.group_for(code)
    except UnusableInput:
        return None


def _limits(thresholds: Thresholds) -> dict[str, Decimal]:
    values = {"employees": thresholds.employees, "revenue": thresholds.revenue, "assets": thresholds.assets}
    return {measure: Decimal(value) for measure, value in values.items() if value is not None}


def _all_at_least(values: dict[str, int | None], floors: dict[str, Decimal]) -> bool | None:
    """Three-valued: True when every figure is known and at or above its floor, False when a known one is
    below, None otherwise."""
    if any(values[m] is not None and values[m] < floor for m, floor in floors.items()):  # type: ignore[operator]
        return False
    if all(values[m] is not None for m in floors):
        return True
    return None


def reference_class(code: str, employees: int | None, revenue: int | None, assets: int | None) -> str | None:
    """The 2011 standard, scalar: SME when under any ceiling (以下, exclusive); medium / small when at
    or above every floor (以上, inclusive); micro otherwise; None when a missing figure leaves it open or
    the standard does not cover the code."""
    group = reference_group(code)
    if group is None:
        return None
    values = {"employees": employees, "revenue": revenue, "assets": assets}
    large = _all_at_least(values, _limits(group.sme_ceiling))
    if large is None:
        return None
    if large:
        return "large"
    medium = _all_at_least(values, _limits(group.medium_floor))
    small = _all_at_least(values, _limits(group.small_floor))
    if medium:
        return "medium"
    if medium is None:
        return None
    if small is None:
        return None
    return "small" if small else "micro"


# Codes in every industry group, on both sides of the group-level ranges (591 装卸搬运 is 交通运输业, the
# rest of 59 仓储业; 7010/7020/7030 within 70), codes the standard does not cover (railway 53, finance 66,
# education 83, 7040), a division too coarse to tell (59), with and without the section letter, and
# divisions alone.
CODES = [
    *("C1711", "1711", "A0111", "B0610", "D4411", "E4710", "F5110", "F5210", "G5310", "G5411", "G5910"),
    *("G5920", "G5990", "59", "G6010", "H6110", "H6210", "I6311", "I6510", "K7010", "7020", "K7030"),
    *("K7040", "L7111", "M7310", "O8010", "R8610", "Q8510", "J6620", "P8310", "17", "C17"),
]


# Figures on both sides of every threshold of the table, and missing ones.
def _edges(measure: str) -> list[int]:
    figures = {
        int(value)
        for group in REFERENCE.groups
        for thresholds in (group.sme_ceiling, group.medium_floor, group.small_floor)
        if (value := getattr(thresholds, measure)) is not None
    }
    return sorted({0} | figures | {figure - 1 for figure in figures})


EMPLOYEES = st.one_of(st.none(), st.sampled_from(_edges("employees")))
MONEY = st.one_of(
    st.none(), st.sampled_from(sorted(set(_edges("revenue")) | set(_edges("assets")))), st.integers(0, 300000)
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(firms=st.lists(st.tuples(st.sampled_from(CODES), EMPLOYEES, MONEY, MONEY), min_size=1, max_size=60))
def test_vectorised_classes_match_the_scalar_reference(table_of, firms) -> None:  # type: ignore[no-untyped-def]
    rows = [
        firm("110101", code, employees, revenue=revenue, assets=assets, code=f"f{index}")
        for index, (code, employees, revenue, assets) in enumerate(firms)
    ]
    table = queries.with_size_class(table_of(rows))
    result = {row["credit_code"]: row["size_class"] for row in table.to_pyarrow().to_pylist()}
    for index, (code, employees, revenue, assets) in enumerate(firms):
        assert result[f"f{index}"] == reference_class(code, employees, revenue, assets), (
            code,
            employees,
            revenue,
            assets,
        )


def test_boundaries_of_industry(table_of) -> None:  # type: ignore[no-untyped-def]
    # 工业: SME under 1000 persons or under 40000 万元; medium from 300 persons and 2000 万元 (inclusive).
    cases = {
        "a": (1000, 40000, "large"),
        "b": (999, 40000, "medium"),
        "c": (1000, 39999, "medium"),
        "d": (300, 2000, "medium"),
        "e": (299, 2000, "small"),
        "f": (20, 300, "small"),
        "g": (19, 300, "micro"),
        "h": (20, 299, "micro"),
        "i": (5000, None, None),
        "j": (10, None, "micro"),  # under 20 persons: micro whatever the revenue
    }
    rows = [firm("110101", "C1711", e, revenue=r, code=key) for key, (e, r, _) in cases.items()]
    result = {
        row["credit_code"]: row["size_class"]
        for row in queries.with_size_class(table_of(rows)).to_pyarrow().to_pylist()
    }
    assert result == {key: expected for key, (_, _, expected) in cases.items()}


def test_the_classification_follows_the_table(table_of) -> None:  # type: ignore[no-untyped-def]
    # The thresholds come from the table: the same firm under a table with other figures for 工业
    # (ceiling 500 persons) is classified by those figures.
    standard = size_standard_2011()
    industry = standard.industry("工业")
    changed = replace(industry, sme_ceilings={**industry.sme_ceilings, "employees": Decimal(500)})
    other = replace(standard, industries=tuple(changed if i is industry else i for i in standard.industries))
    rows = [firm("110101", "C1711", 600, revenue=50000, code="x")]
    assert queries.with_size_class(table_of(rows)).to_pyarrow().to_pylist()[0]["size_class"] == "medium"
    assert queries.with_size_class(table_of(rows), other).to_pyarrow().to_pylist()[0]["size_class"] == "large"


def test_sme_shares(table_of) -> None:  # type: ignore[no-untyped-def]
    rows = [
        firm("110101", "C1711", 10, output=100, revenue=100, code="a"),  # micro
        firm("110101", "C1711", 2000, output=900, revenue=90000, code="b"),  # large
        firm("110101", "C1711", 5000, output=50, revenue=None, code="c"),  # undecided
    ]
    (row,) = queries.sme_shares(table_of(rows)).to_pyarrow().to_pylist()
    assert (row["firms"], row["smes"], row["unclassified"]) == (3, 1, 1)
    assert (row["output"], row["sme_output"]) == (1050, 100)
    assert row["sme_firm_share"] == 100 / 3
    assert row["sme_output_share"] == 100 * 100 / 1050
