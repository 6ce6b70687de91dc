"""The annual report's due day comes from the rule set (by filing year), else the programme; forwarding is
the filing moment, on time until 23:59:59 Beijing time on the due day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from clock import Clock
from smecluster.apps.programmes.models import Programme
from smecluster.apps.registry.models import AnnualReport
from smecluster.apps.registry.services.annual_reports import annual_report_due

pytestmark = pytest.mark.django_db


def _programme(rule_set_id: str, **settings: object) -> Programme:
    return Programme(name=rule_set_id, rule_set_id=rule_set_id, owner_level="province", **settings)


@pytest.mark.parametrize(
    ("rule_set_id", "year", "due"),
    [
        ("national-2022", 2022, date(2023, 4, 30)),  # filed in 2023: the 2022–2023 notices' 30 April
        ("national-2022", 2023, date(2024, 3, 31)),  # filed in 2024: 31 March from 2024 on
        ("national-2022", 2025, date(2026, 3, 31)),
        ("guangdong-2022", 2024, date(2025, 3, 31)),
        ("shaanxi-2023", 2023, date(2024, 3, 31)),
    ],
)
def test_the_due_day_is_the_rule_sets_for_the_filing_year(rule_set_id: str, year: int, due: date) -> None:
    assert annual_report_due(_programme(rule_set_id), year) == due


def test_a_rule_set_without_a_due_day_uses_the_programmes_or_none() -> None:
    assert annual_report_due(_programme("guizhou-2023"), 2024) is None
    programme = _programme("guizhou-2023", annual_report_due_month=4, annual_report_due_day=15)
    assert annual_report_due(programme, 2024) == date(2025, 4, 15)


def test_the_programmes_due_day_must_be_whole_and_exist_every_year() -> None:
    from django.core.exceptions import ValidationError

    half = _programme("guizhou-2023", review_chain=["county", "city", "province"], annual_report_due_month=4)
    with pytest.raises(ValidationError, match="同时填写"):
        half.clean()
    leap = _programme(
        "guizhou-2023",
        review_chain=["county", "city", "province"],
        annual_report_due_month=2,
        annual_report_due_day=29,
    )
    with pytest.raises(ValidationError, match="不是每年都有"):
        leap.clean()


def _forwarded_at(clock: Clock, reg_report_in: Callable[..., AnnualReport], moment: datetime) -> AnnualReport:
    clock.move_to(moment)
    return reg_report_in("forwarded", year=2024)


@pytest.mark.parametrize(
    ("moment", "late"),
    [
        # Beijing 2025-03-31 23:59:59: the last second of the due day
        (datetime(2025, 3, 31, 15, 59, 59, tzinfo=UTC), False),
        # Beijing 2025-04-01 00:00:00: the first second after it
        (datetime(2025, 3, 31, 16, 0, 0, tzinfo=UTC), True),
        # still 31 March in UTC, already 1 April in Beijing
        (datetime(2025, 3, 31, 20, 30, tzinfo=UTC), True),
        # early on the due day, Beijing time (still 30 March in UTC)
        (datetime(2025, 3, 30, 17, 0, tzinfo=UTC), False),
    ],
)
def test_forwarding_after_the_due_day_in_beijing_is_late(
    clock: Clock, reg_report_in: Callable[..., AnnualReport], moment: datetime, late: bool
) -> None:
    report = _forwarded_at(clock, reg_report_in, moment)
    assert report.due_on == date(2025, 3, 31)
    assert report.forwarded_at == moment
    assert report.late is late


def test_a_late_report_stays_late_once_received(
    clock: Clock, reg_report_in: Callable[..., AnnualReport]
) -> None:
    clock.beijing(date(2025, 4, 1), 0, 0, 0)
    report = reg_report_in("received", year=2024)
    assert report.late is True
    assert report.status == AnnualReport.Status.RECEIVED
