"""Issue 13, findings 2 and 3: the years judged are fixed by the call, not by the day a profile is sent.

"近三年" inside one call means the same three years for every applicant: a profile submitted on 31 December
and the same profile resubmitted on 4 January are judged alike when the call fixes the last complete year.
The incident window ("近三年未发生…") covers the same years: from 1 January of the first of them to the
application date."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from smecluster.errors import UnusableInput
from smecluster.policy.evaluator import evaluate
from smecluster.policy.ruleset import rule_set
from smecluster.policy.verdict import Status
from smecluster.profile import parse_profile

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "profile-example.json"
RULES = rule_set("guangdong-2022")


def _profile(application_date: str, last_complete_year: int | None = None, **changes: Any) -> Any:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"), parse_float=Decimal)
    document["application_date"] = application_date  # the example's years are 2022–2024
    if last_complete_year is not None:
        document["last_complete_year"] = last_complete_year
    document.update(changes)
    return parse_profile(document, source="test")


def test_without_a_call_the_years_move_with_the_application_date() -> None:
    """The interchange format's default: the complete years before the application date."""
    december = evaluate(_profile("2025-12-31"), RULES)
    january = evaluate(_profile("2026-01-04"), RULES)
    assert december.result("gd-sme-share").status is Status.PASS
    assert january.result("gd-sme-share").status is Status.MISSING  # 2025 is now the latest year


def test_the_call_fixes_the_years_whatever_the_submission_day() -> None:
    december = evaluate(_profile("2025-12-31", 2024), RULES)
    january = evaluate(_profile("2026-01-04", 2024), RULES)
    for criterion in RULES.criteria:
        assert december.result(criterion.id).status is january.result(criterion.id).status, criterion.id
    assert january.result("gd-sme-share").status is Status.PASS


def test_a_missing_year_names_the_calls_period() -> None:
    profile = _profile("2026-01-04", 2025, years=[{"year": 2023, "output": 50}, {"year": 2024, "output": 55}])
    result = evaluate(profile, RULES).result("gd-output")
    assert result.status is Status.MISSING
    assert "评价年度截至 2025 年" in result.explanation


@pytest.mark.parametrize(
    ("day", "status"),
    [("2021-12-31", Status.PASS), ("2022-01-01", Status.FAIL), ("2022-03-01", Status.FAIL)],
    ids=["before-the-first-year", "first-day-of-the-first-year", "march-of-the-first-year"],
)
def test_the_incident_window_opens_with_the_first_year_judged(day: str, status: Status) -> None:
    """Finding 3: a 重大 accident of March 2022 counts for an application of June 2025 judged on 2022–2024."""
    incidents = [{"date": day, "kind": "safety_accident", "level": "重大"}]
    result = evaluate(_profile("2025-06-30", 2024, incidents=incidents), RULES).result("gd-incidents")
    assert result.status is status
    assert "2022-01-01 至 2025-06-30" in result.explanation


def test_the_last_complete_year_must_be_complete_on_the_application_date() -> None:
    with pytest.raises(UnusableInput) as caught:
        _profile("2025-06-30", 2025)
    assert [problem.field for problem in caught.value.problems] == ["last_complete_year"]
