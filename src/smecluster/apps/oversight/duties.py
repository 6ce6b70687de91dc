"""What the daily tick proposes: revocation in the cases the system detects from its own records.

* case 1: a cluster whose validity ended (``EXPIRED``, set by ``registry.services.duties``) with no
  re-review filed for that period, or a re-review decided ``failed``;
* case 3: an annual report flagged overdue, or forwarded after its due date (``late``);
* case 4: a major change found without a filing, or filed after the programme's filing period;
* case 5: an incident at or above the rule set's exclusion threshold.

Cases 4 and 5 are also proposed at once when the fact is recorded (``oversight.services``); the sweep here
catches any fact recorded otherwise. Each duty proposes through :func:`propose_revocation`, one proposal per
cluster, case and fact, so a second run as of the same day finds nothing new. A proposal whose case the
programme's rule set does not name (no article to cite) is reported as ``flagged``: the owner sees it but
cannot revoke on it until the rule set carries the article.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from smecluster.apps.oversight.models import ClusterIncident, MajorChange, RevocationProposal
from smecluster.apps.oversight.services import (
    incident_grounds,
    incident_proposes,
    late_filing_grounds,
    propose_revocation,
    unfiled_grounds,
)
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster, ReReview
from smecluster.apps.registry.services.duties import Duty, TickAction
from smecluster.workdays import CHINA_TZ


def _proposed(cases: Iterable[int]) -> set[tuple[int, int, str]]:
    """(cluster, case, source) of every proposal so far: a fact proposed before is skipped in one query."""
    return set(
        RevocationProposal.objects.filter(case__in=list(cases)).values_list("cluster_id", "case", "source")
    )


def _action(proposal: RevocationProposal | None) -> list[TickAction]:
    if proposal is None:
        return []
    cluster = proposal.cluster
    if proposal.has_basis:
        detail = _("依%(article)s（情形%(case)s）提出撤销建议：%(grounds)s")
        kind = "proposed"
    else:
        detail = _("规则集未载明情形%(case)s的条款%(article)s，标记待认定机关核实：%(grounds)s")
        kind = "flagged"
    return [
        TickAction(
            kind,  # type: ignore[arg-type]
            "revocation",
            cluster.number,
            detail % {"article": proposal.article, "case": proposal.case, "grounds": proposal.grounds},
        )
    ]


M = TypeVar("M", bound=Model)


def _live(queryset: QuerySet[M]) -> QuerySet[M]:
    return queryset.exclude(cluster__status=RecognizedCluster.Status.REVOKED)


def propose_expired(as_of: date) -> list[TickAction]:
    """Case 1: validity ended without a re-review filed for that period, or the re-review failed."""
    done = _proposed([1])
    actions: list[TickAction] = []
    filed = ReReview.objects.exclude(status=ReReview.Status.DRAFT)
    expired = RecognizedCluster.objects.filter(status=RecognizedCluster.Status.EXPIRED).select_related(
        "programme"
    )
    for cluster in expired.order_by("pk"):
        source = f"cluster_expired:{cluster.valid_until.isoformat()}"
        if (cluster.pk, 1, source) in done:
            continue
        if filed.filter(cluster=cluster, period_valid_until=cluster.valid_until).exists():
            continue  # a re-review is under way or decided: its outcome decides
        grounds = _("有效期已于 %(until)s 届满，未申请复核") % {"until": cluster.valid_until.isoformat()}
        actions += _action(propose_revocation(cluster, 1, grounds=grounds, source=source, as_of=as_of))
    failed = _live(ReReview.objects.filter(outcome=ReReview.Outcome.FAILED)).select_related("cluster")
    for review in failed.order_by("pk"):
        source = f"re_review:{review.pk}"
        if (review.cluster_id, 1, source) in done:
            continue
        grounds = _("有效期至 %(until)s 的复核未通过（%(day)s）：%(reason)s") % {
            "until": review.period_valid_until.isoformat(),
            "day": review.decided_on.isoformat() if review.decided_on else "",
            "reason": review.reason,
        }
        actions += _action(propose_revocation(review.cluster, 1, grounds=grounds, source=source, as_of=as_of))
    return actions


def propose_missing_reports(as_of: date) -> list[TickAction]:
    """Case 3: an annual report the cluster did not submit by its due date (flagged overdue) or submitted
    after it; the city's late forwarding is the city's and proposes nothing."""
    done = _proposed([3])
    actions: list[TickAction] = []
    reports = _live(
        AnnualReport.objects.filter(overdue_flagged_on__isnull=False) | AnnualReport.objects.filter(late=True)
    ).select_related("cluster")
    for report in reports.order_by("pk"):
        source = f"annual_report:{report.pk}"
        if (report.cluster_id, 3, source) in done:
            continue
        due = report.due_on.isoformat() if report.due_on else "—"
        if report.late and report.submitted_at is not None:
            grounds = _("%(year)s 年度培育情况信息表应于 %(due)s 前报送，集群逾期至 %(day)s 提交") % {
                "year": report.year,
                "due": due,
                "day": report.submitted_at.astimezone(CHINA_TZ).date().isoformat(),
            }
        else:
            grounds = _("%(year)s 年度培育情况信息表应于 %(due)s 前报送，截至 %(day)s 未报送") % {
                "year": report.year,
                "due": due,
                "day": report.overdue_flagged_on.isoformat()
                if report.overdue_flagged_on
                else as_of.isoformat(),
            }
        actions += _action(propose_revocation(report.cluster, 3, grounds=grounds, source=source, as_of=as_of))
    return actions


def propose_unfiled_changes(as_of: date) -> list[TickAction]:
    """Case 4: a change found without a filing, or filed after the filing period."""
    done = _proposed([4])
    actions: list[TickAction] = []
    changes = _live(
        MajorChange.objects.filter(status=MajorChange.Status.FOUND_UNFILED)
        | MajorChange.objects.filter(late=True)
    ).select_related("cluster")
    for change in changes.order_by("pk"):
        source = f"major_change:{change.pk}"
        if (change.cluster_id, 4, source) in done:
            continue
        grounds = (
            unfiled_grounds(change)
            if change.status == MajorChange.Status.FOUND_UNFILED
            else late_filing_grounds(change)
        )
        actions += _action(propose_revocation(change.cluster, 4, grounds=grounds, source=source, as_of=as_of))
    return actions


def propose_for_incidents(as_of: date) -> list[TickAction]:
    """Case 5: an incident at or above the rule set's threshold (as recorded), during the recognition."""
    done = _proposed([5])
    actions: list[TickAction] = []
    incidents = _live(ClusterIncident.objects.filter(meets_threshold=True)).select_related("cluster")
    for incident in incidents.order_by("pk"):
        source = f"incident:{incident.pk}"
        if (incident.cluster_id, 5, source) in done or not incident_proposes(incident):
            continue
        actions += _action(
            propose_revocation(
                incident.cluster, 5, grounds=incident_grounds(incident), source=source, as_of=as_of
            )
        )
    return actions


DUTIES: list[Duty] = [
    propose_expired,
    propose_missing_reports,
    propose_unfiled_changes,
    propose_for_incidents,
]
"""Oversight's duties in the order they run, after the registry's (``oversight.tick.run_tick``)."""
