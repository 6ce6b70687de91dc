"""What the daily `smecluster tick` job does for dynamic management, as a list of duties.

A duty is a function of the day it runs as of; it does what is due that day and returns one `TickAction` per
thing it did. A duty is idempotent: run twice as of the same day, the second run finds nothing left to do
and returns an empty list (each action leaves a record that says it was done). `smecluster tick` runs the
duties of this module and of `oversight.duties` in order (see `oversight.tick.run_tick`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from django.db import transaction
from django.utils.translation import gettext as _

from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.notifications.services import notify
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster, ReReview
from smecluster.apps.registry.services.annual_reports import office_people, report_open
from smecluster.apps.registry.services.re_reviews import re_review_open, window_opens_on
from smecluster.apps.registry.workflow import (
    RE_REVIEW_EDITABLE,
    RE_REVIEW_IN_PROGRESS,
    RECOGNIZED_CLUSTER,
)
from smecluster.apps.workflow.engine import Actor, Message, take

ActionKind = Literal["opened", "reminded", "flagged", "proposed", "expired"]


@dataclass(frozen=True)
class TickAction:
    """One thing a tick run did: what kind, about what, for which cluster, in one Chinese sentence."""

    action: ActionKind
    subject: str  # "annual_report", "re_review", "major_change", "incident", "revocation", ...
    cluster: str  # the recognition number, e.g. 粤中小特色集群〔2024〕001
    detail: str

    def as_json(self) -> dict[str, str]:
        return {
            "action": self.action,
            "subject": self.subject,
            "cluster": self.cluster,
            "detail": self.detail,
        }


Duty = Callable[[date], list[TickAction]]

DUTIES: list[Duty] = []
"""The registry's duties in the order they run; each is appended where it is defined."""


# --- the registry's duties: annual reports, re-review, expiry ------------------------------------------

REMINDER_DAYS = (30, 7, 1)
"""Reminders go out 30, 7 and 1 day(s) before a due day: a month leaves time to collect a year's figures
from the cluster's firms, a week to get the county's and the city's signatures, the day before is the last
call. A constant rather than a programme setting: none of the rule sets speaks of reminders, and the same
rhythm suits every programme. A reminder missed because the tick did not run is sent at the next run (once,
for every reminder day that has passed), never twice."""


def _pending_reminders(sent: list[int], days_left: int) -> list[int]:
    """The reminder days due by now and not yet sent; empty once the due day has passed."""
    if days_left < 0:
        return []
    return [days for days in REMINDER_DAYS if days >= days_left and days not in sent]


@transaction.atomic
def open_annual_reports(as_of: date) -> list[TickAction]:
    """On 1 January of Y+1 the reporting window of year Y opens: a draft for every valid cluster
    recognized before the end of Y."""
    year = as_of.year - 1
    clusters = (
        RecognizedCluster.objects.filter(
            status=RecognizedCluster.Status.VALID, recognized_on__lte=date(year, 12, 31)
        )
        .exclude(annual_reports__year=year)
        .select_related("programme", "county")
        .order_by("number")
    )
    done: list[TickAction] = []
    for cluster in clusters:
        report, created = report_open(cluster=cluster, year=year, today=as_of)
        if created:
            due = report.due_on.isoformat() if report.due_on else "未定"
            done.append(
                TickAction(
                    "opened", "annual_report", cluster.number, f"开启{year}年度培育情况信息表填报，截止{due}"
                )
            )
    return done


@transaction.atomic
def remind_annual_reports(as_of: date) -> list[TickAction]:
    """Remind those who have the report in hand: the county while it is a draft or returned, the
    recommending office while it waits to be forwarded."""
    reports = (
        AnnualReport.objects.select_for_update(of=("self",))
        .filter(
            status__in=[
                AnnualReport.Status.DRAFT,
                AnnualReport.Status.RETURNED,
                AnnualReport.Status.SUBMITTED,
            ]
        )
        .filter(due_on__gte=as_of, due_on__lte=as_of + timedelta(days=max(REMINDER_DAYS)))
        .exclude(cluster__status=RecognizedCluster.Status.REVOKED)
        .select_related("cluster__county", "cluster__programme")
        .order_by("due_on", "cluster__number")
    )
    done: list[TickAction] = []
    for report in reports:
        due = report.due_on
        if due is None:  # no due day (the rule set and the programme give none): nothing to remind of
            continue
        days_left = (due - as_of).days
        pending = _pending_reminders(report.reminders_sent, days_left)
        if not pending:
            continue
        holder = Actor.RECOMMENDER if report.status == AnnualReport.Status.SUBMITTED else Actor.APPLICANT
        notify(
            recipients=office_people(report.cluster, holder),
            text=_("%(cluster)s %(year)s年度培育情况信息表将于 %(due)s 截止报送（还有 %(days)s 天）")
            % {"cluster": report.cluster.name, "year": report.year, "due": due, "days": days_left},
            link=report.get_absolute_url(),
        )
        report.reminders_sent = sorted({*report.reminders_sent, *pending}, reverse=True)
        report.save(update_fields=["reminders_sent"])
        audit_record(
            actor=None, action=actions.ANNUAL_REPORT_REMIND, target=report, after={"days_left": days_left}
        )
        done.append(
            TickAction(
                "reminded",
                "annual_report",
                report.cluster.number,
                f"{report.year}年度信息表距截止日{due.isoformat()}还有{days_left}天",
            )
        )
    return done


@transaction.atomic
def flag_overdue_reports(as_of: date) -> list[TickAction]:
    """The due day has passed and the cluster has not submitted the report: flagged once, everyone told. A
    report the cluster submitted in time but the city has not forwarded is the city's delay, not flagged."""
    reports = (
        AnnualReport.objects.select_for_update(of=("self",))
        .filter(submitted_at__isnull=True, due_on__lt=as_of, overdue_flagged_on__isnull=True)
        # A revoked cluster owes nothing more; an expired one still owes the report on its last year.
        .exclude(cluster__status=RecognizedCluster.Status.REVOKED)
        .select_related("cluster__county__parent", "cluster__programme")
        .order_by("due_on", "cluster__number")
    )
    done: list[TickAction] = []
    for report in reports:
        due = report.due_on
        if due is None:  # no due day: a report cannot be overdue
            continue
        report.overdue_flagged_on = as_of
        report.save(update_fields=["overdue_flagged_on"])
        audit_record(
            actor=None,
            action=actions.ANNUAL_REPORT_FLAG_OVERDUE,
            target=report,
            after={"due_on": due.isoformat()},
        )
        cluster = report.cluster
        notify(
            recipients=[
                *office_people(cluster, Actor.APPLICANT),
                *office_people(cluster, Actor.RECOMMENDER),
                *office_people(cluster, Actor.OWNER),
            ],
            text=_("%(cluster)s %(year)s年度培育情况信息表已逾期（截止 %(due)s）")
            % {"cluster": cluster.name, "year": report.year, "due": due},
            link=report.get_absolute_url(),
        )
        done.append(
            TickAction(
                "flagged",
                "annual_report",
                cluster.number,
                f"{report.year}年度信息表截止日{due.isoformat()}已过，尚未报送",
            )
        )
    return done


@transaction.atomic
def open_re_reviews(as_of: date) -> list[TickAction]:
    """The re-review window opens ``re_review_window_days`` before the validity ends: once per period."""
    clusters = (
        RecognizedCluster.objects.filter(status=RecognizedCluster.Status.VALID, valid_until__gte=as_of)
        .select_related("programme", "county")
        .order_by("valid_until", "number")
    )
    done: list[TickAction] = []
    for cluster in clusters:
        if as_of < window_opens_on(cluster):
            continue
        _re_review, created = re_review_open(cluster=cluster, today=as_of)
        if created:
            done.append(
                TickAction(
                    "opened",
                    "re_review",
                    cluster.number,
                    f"有效期至{cluster.valid_until.isoformat()}，开启复核申请",
                )
            )
    return done


@transaction.atomic
def remind_re_reviews(as_of: date) -> list[TickAction]:
    """Remind the county of a re-review not yet filed, before the validity ends."""
    re_reviews = (
        ReReview.objects.select_for_update(of=("self",))
        .filter(status__in=RE_REVIEW_EDITABLE, cluster__status=RecognizedCluster.Status.VALID)
        .filter(
            period_valid_until__gte=as_of, period_valid_until__lte=as_of + timedelta(days=max(REMINDER_DAYS))
        )
        .select_related("cluster__county", "cluster__programme")
        .order_by("period_valid_until", "cluster__number")
    )
    done: list[TickAction] = []
    for re_review in re_reviews:
        days_left = (re_review.period_valid_until - as_of).days
        pending = _pending_reminders(re_review.reminders_sent, days_left)
        if not pending:
            continue
        cluster = re_review.cluster
        notify(
            recipients=office_people(cluster, Actor.APPLICANT),
            text=_("%(cluster)s 有效期将于 %(until)s 届满（还有 %(days)s 天），请提交复核申请")
            % {"cluster": cluster.name, "until": re_review.period_valid_until, "days": days_left},
            link=re_review.get_absolute_url(),
        )
        re_review.reminders_sent = sorted({*re_review.reminders_sent, *pending}, reverse=True)
        re_review.save(update_fields=["reminders_sent"])
        audit_record(
            actor=None, action=actions.RE_REVIEW_REMIND, target=re_review, after={"days_left": days_left}
        )
        done.append(
            TickAction(
                "reminded",
                "re_review",
                cluster.number,
                f"有效期至{re_review.period_valid_until.isoformat()}，还有{days_left}天，复核申请尚未提交",
            )
        )
    return done


@transaction.atomic
def expire_clusters(as_of: date) -> list[TickAction]:
    """A cluster whose validity has ended with no re-review filed and undecided is EXPIRED (then
    ``oversight`` proposes revocation case 1)."""
    clusters = (
        RecognizedCluster.objects.select_for_update(of=("self",))
        .filter(status=RecognizedCluster.Status.VALID, valid_until__lt=as_of)
        .select_related("county__parent", "programme")
        .order_by("valid_until", "number")
    )
    done: list[TickAction] = []
    for cluster in clusters:
        in_progress = cluster.re_reviews.filter(
            period_valid_until=cluster.valid_until, status__in=RE_REVIEW_IN_PROGRESS
        ).exists()
        if in_progress:
            continue
        take(
            RECOGNIZED_CLUSTER,
            cluster,
            "expire",
            actor=None,
            after={"valid_until": cluster.valid_until.isoformat()},
            messages=[
                Message(
                    [*office_people(cluster, Actor.APPLICANT), *office_people(cluster, Actor.OWNER)],
                    _("%(cluster)s 有效期已于 %(until)s 届满，未提交复核申请，已到期")
                    % {"cluster": cluster.name, "until": cluster.valid_until},
                    cluster.get_absolute_url(),
                )
            ],
        )
        done.append(
            TickAction(
                "expired",
                "cluster",
                cluster.number,
                f"有效期至{cluster.valid_until.isoformat()}，未经复核，已到期",
            )
        )
    return done


DUTIES += [
    open_annual_reports,
    remind_annual_reports,
    flag_overdue_reports,
    open_re_reviews,
    remind_re_reviews,
    expire_clusters,
]
