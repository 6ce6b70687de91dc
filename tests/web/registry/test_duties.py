"""The registry's tick duties: each does what is due on the day, and a second run as of the same day
finds nothing left to do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from clock import Clock
from smecluster.apps.accounts.models import User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notifications.models import Notification
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster, ReReview
from smecluster.apps.registry.services import duties, re_reviews

pytestmark = pytest.mark.django_db


def _twice(duty: duties.Duty, as_of: date) -> list[duties.TickAction]:
    first = duty(as_of)
    assert duty(as_of) == [], f"{duty.__name__} did something again as of {as_of}"
    return first


def test_the_registry_duties_run_in_order() -> None:
    names = [duty.__name__ for duty in duties.DUTIES]
    assert names == [
        "open_annual_reports",
        "remind_annual_reports",
        "flag_overdue_reports",
        "open_re_reviews",
        "remind_re_reviews",
        "expire_clusters",
    ]


def test_the_reporting_window_opens_on_1_january_for_clusters_recognized_before_the_year_ended(
    reg_cluster: RecognizedCluster,
) -> None:
    assert _twice(duties.open_annual_reports, date(2023, 12, 31)) == []  # recognized 2024: nothing for 2022
    opened = _twice(duties.open_annual_reports, date(2025, 1, 1))
    assert [action.as_json() for action in opened] == [
        {
            "action": "opened",
            "subject": "annual_report",
            "cluster": reg_cluster.number,
            "detail": "开启2024年度培育情况信息表填报，截止2025-03-31",
        }
    ]
    report = AnnualReport.objects.get(cluster=reg_cluster, year=2024)
    assert (report.status, report.due_on, report.opened_on) == ("draft", date(2025, 3, 31), date(2025, 1, 1))
    assert Notification.objects.filter(
        recipient__username="county-officer", link=report.get_absolute_url()
    ).exists()
    # A later day in the window finds the report open already.
    assert duties.open_annual_reports(date(2025, 2, 1)) == []


def test_no_report_is_opened_for_a_cluster_no_longer_valid(reg_cluster: RecognizedCluster) -> None:
    RecognizedCluster.objects.filter(pk=reg_cluster.pk).update(status=RecognizedCluster.Status.REVOKED)
    assert duties.open_annual_reports(date(2025, 1, 1)) == []


def test_reminders_go_out_30_7_and_1_days_before_each_once(reg_cluster: RecognizedCluster) -> None:
    duties.open_annual_reports(date(2025, 1, 1))
    assert _twice(duties.remind_annual_reports, date(2025, 2, 28)) == []  # 31 days before
    for day, days_left in ((date(2025, 3, 1), 30), (date(2025, 3, 24), 7), (date(2025, 3, 30), 1)):
        reminded = _twice(duties.remind_annual_reports, day)
        assert [(action.action, action.cluster) for action in reminded] == [("reminded", reg_cluster.number)]
        assert f"还有{days_left}天" in reminded[0].detail
    assert AnnualReport.objects.get(cluster=reg_cluster).reminders_sent == [30, 7, 1]
    assert duties.remind_annual_reports(date(2025, 3, 31)) == []  # the due day: every reminder was sent


def test_reminders_missed_by_a_silent_tick_go_out_once_together(reg_cluster: RecognizedCluster) -> None:
    duties.open_annual_reports(date(2025, 1, 1))
    assert len(_twice(duties.remind_annual_reports, date(2025, 3, 27))) == 1  # 4 days left: 30 and 7 at once
    assert AnnualReport.objects.get(cluster=reg_cluster).reminders_sent == [30, 7]
    assert len(_twice(duties.remind_annual_reports, date(2025, 3, 30))) == 1


def test_a_submitted_report_reminds_the_city_not_the_county(
    clock: Clock, reg_report_in: Callable[..., AnnualReport]
) -> None:
    clock.beijing(date(2025, 3, 20))
    report = reg_report_in("submitted", year=2024)
    Notification.objects.all().delete()
    assert len(duties.remind_annual_reports(date(2025, 3, 24))) == 1
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["city-officer"]
    assert report.pk


def test_an_unsubmitted_report_is_flagged_overdue_once_after_the_due_day(
    clock: Clock, reg_report_in: Callable[..., AnnualReport], reg_cluster: RecognizedCluster
) -> None:
    """The cluster's own submission decides (issue 13, finding 9): a report the cluster has not submitted
    by the due day is flagged; one it submitted in time and the city has not forwarded is not."""
    clock.beijing(date(2025, 3, 20))
    unsubmitted = reg_report_in("draft", year=2024)
    submitted = reg_report_in("submitted", year=2023)
    AnnualReport.objects.filter(pk=submitted.pk).update(due_on=date(2025, 3, 31))
    assert _twice(duties.flag_overdue_reports, date(2025, 3, 31)) == []  # the due day itself is not overdue
    flagged = _twice(duties.flag_overdue_reports, date(2025, 4, 1))
    assert [(action.action, action.subject) for action in flagged] == [("flagged", "annual_report")]
    unsubmitted.refresh_from_db()
    submitted.refresh_from_db()
    assert unsubmitted.overdue_flagged_on == date(2025, 4, 1)
    assert submitted.overdue_flagged_on is None
    assert (
        AuditEvent.objects.filter(action="annual_report.flag_overdue", target_id=str(unsubmitted.pk)).count()
        == 1
    )
    assert duties.flag_overdue_reports(date(2025, 5, 1)) == []


def test_a_forwarded_report_is_never_flagged(
    clock: Clock, reg_report_in: Callable[..., AnnualReport]
) -> None:
    clock.beijing(date(2025, 3, 31), 23, 59, 59)
    reg_report_in("forwarded", year=2024)
    assert duties.flag_overdue_reports(date(2025, 4, 1)) == []


def test_the_re_review_window_opens_the_programmes_days_before_the_validity_ends(
    reg_cluster: RecognizedCluster,
) -> None:
    # valid until 2027-03-09; the default window of 90 days opens on 2026-12-09
    assert re_reviews.window_opens_on(reg_cluster) == date(2026, 12, 9)
    assert _twice(duties.open_re_reviews, date(2026, 12, 8)) == []
    opened = _twice(duties.open_re_reviews, date(2026, 12, 9))
    assert [(action.action, action.subject) for action in opened] == [("opened", "re_review")]
    re_review = ReReview.objects.get(cluster=reg_cluster)
    assert (re_review.status, re_review.period_valid_until, re_review.opened_on) == (
        "draft",
        date(2027, 3, 9),
        date(2026, 12, 9),
    )
    assert duties.open_re_reviews(date(2027, 1, 5)) == []


def test_a_programmes_own_window(reg_cluster: RecognizedCluster) -> None:
    reg_cluster.programme.re_review_window_days = 180
    reg_cluster.programme.save()
    assert len(duties.open_re_reviews(date(2026, 9, 10))) == 1


def test_re_review_reminders_before_the_validity_ends(reg_cluster: RecognizedCluster) -> None:
    duties.open_re_reviews(date(2026, 12, 9))
    assert _twice(duties.remind_re_reviews, date(2027, 2, 6)) == []  # 31 days before
    assert len(_twice(duties.remind_re_reviews, date(2027, 2, 7))) == 1
    assert len(_twice(duties.remind_re_reviews, date(2027, 3, 8))) == 1  # 7 and 1 together: missed runs


def test_a_cluster_expires_the_day_after_its_validity_without_a_filed_re_review(
    reg_cluster: RecognizedCluster,
) -> None:
    duties.open_re_reviews(date(2026, 12, 9))  # opened, never filed
    assert _twice(duties.expire_clusters, date(2027, 3, 9)) == []  # the last valid day
    expired = _twice(duties.expire_clusters, date(2027, 3, 10))
    assert [action.as_json()["action"] for action in expired] == ["expired"]
    reg_cluster.refresh_from_db()
    assert reg_cluster.status == RecognizedCluster.Status.EXPIRED
    assert duties.open_re_reviews(date(2027, 3, 10)) == []
    assert duties.remind_re_reviews(date(2027, 3, 10)) == []


def test_a_re_review_in_progress_keeps_the_cluster_from_expiring(
    reg_cluster: RecognizedCluster, web_users: dict[str, User]
) -> None:
    duties.open_re_reviews(date(2026, 12, 9))
    ReReview.objects.filter(cluster=reg_cluster).update(status=ReReview.Status.SUBMITTED)
    assert duties.expire_clusters(date(2027, 3, 20)) == []
    ReReview.objects.filter(cluster=reg_cluster).update(
        status=ReReview.Status.DECIDED, outcome=ReReview.Outcome.FAILED
    )
    assert len(duties.expire_clusters(date(2027, 3, 20))) == 1


def test_every_duty_is_idempotent_on_a_busy_day(
    clock: Clock, reg_report_in: Callable[..., AnnualReport], reg_cluster: RecognizedCluster
) -> None:
    clock.beijing(date(2026, 3, 1))
    reg_report_in("draft", year=2025)
    day = date(2027, 3, 10)
    first = [action for duty in duties.DUTIES for action in duty(day)]
    assert {action.action for action in first} >= {"opened", "flagged", "expired"}
    assert [action for duty in duties.DUTIES for action in duty(day)] == []


def test_a_revoked_clusters_report_is_neither_reminded_nor_flagged(reg_cluster: RecognizedCluster) -> None:
    duties.open_annual_reports(date(2025, 1, 1))
    RecognizedCluster.objects.filter(pk=reg_cluster.pk).update(status=RecognizedCluster.Status.REVOKED)
    assert duties.remind_annual_reports(date(2025, 3, 1)) == []
    assert duties.flag_overdue_reports(date(2025, 4, 1)) == []


def test_an_expired_cluster_still_owes_the_report_on_its_last_year(reg_cluster: RecognizedCluster) -> None:
    duties.open_annual_reports(date(2025, 1, 1))
    RecognizedCluster.objects.filter(pk=reg_cluster.pk).update(status=RecognizedCluster.Status.EXPIRED)
    assert len(duties.flag_overdue_reports(date(2025, 4, 1))) == 1
