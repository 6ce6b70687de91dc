"""Reads of dynamic management, each scoped to the user's reach (``registry.reach.cluster_reach``): a county
officer never sees another county's clusters, changes, incidents or proposals (a 404).

The timeline gathers, for one cluster, every dated fact in date order: recognition, the plan targets,
annual reports (opened, forwarded, flagged overdue, received), re-reviews, major changes, incidents,
revocation proposals and decisions, each with a link to its page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.oversight.facts import describe_value
from smecluster.apps.oversight.models import (
    ClusterIncident,
    MajorChange,
    OversightEvidence,
    RevocationProposal,
)
from smecluster.apps.registry.metrics import METRICS
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.reach import cluster_reach


def clusters_in_reach(user: User, status: str = "") -> QuerySet[RecognizedCluster]:
    clusters = RecognizedCluster.objects.filter(cluster_reach(user))
    if status:
        clusters = clusters.filter(status=status)
    return clusters.select_related("county__parent__parent", "programme").order_by("-year", "number")


def cluster_in_reach(user: User, pk: int) -> RecognizedCluster:
    """A cluster the user may see, or :class:`RecognizedCluster.DoesNotExist` (a 404)."""
    return (
        RecognizedCluster.objects.filter(cluster_reach(user))
        .select_related("county__parent__parent", "programme", "application", "decided_by")
        .get(pk=pk)
    )


def change_in_reach(user: User, pk: int) -> MajorChange:
    return (
        MajorChange.objects.filter(cluster_reach(user, "cluster__"))
        .select_related(
            "cluster__programme",
            "cluster__county__parent",
            "filed_by",
            "reviewed_by",
            "decided_by",
            "found_by",
        )
        .get(pk=pk)
    )


def proposal_in_reach(user: User, pk: int) -> RevocationProposal:
    return (
        RevocationProposal.objects.filter(cluster_reach(user, "cluster__"))
        .select_related("cluster__programme", "cluster__county__parent", "proposed_by", "decided_by")
        .get(pk=pk)
    )


def proposals_in_reach(user: User, status: str = "") -> QuerySet[RevocationProposal]:
    proposals = RevocationProposal.objects.filter(cluster_reach(user, "cluster__")).select_related(
        "cluster__county__parent", "cluster__programme"
    )
    if status:
        proposals = proposals.filter(status=status)
    # Open proposals first (they wait for a decision), then the newest.
    waiting = Case(When(status=RevocationProposal.Status.OPEN, then=Value(0)), default=Value(1))
    return proposals.order_by(waiting, "-proposed_on", "-pk")


# --- the registers: incidents and major changes across the user's reach --------------------------------

PROPOSES = ExpressionWrapper(
    Q(meets_threshold=True, occurred_on__gte=F("cluster__recognized_on")), output_field=BooleanField()
)
"""An incident proposes revocation (case 5) when it meets the rule set's threshold on or after the day of
recognition: ``services.incident_proposes`` as a database expression, so the register filters on it."""

PENDING_CHANGE = (MajorChange.Status.FILED, MajorChange.Status.FORWARDED, MajorChange.Status.RETURNED)


class IncidentAnnotations(TypedDict):
    proposes: bool
    evidence_count: int


if TYPE_CHECKING:  # WithAnnotations takes its TypedDict in the type checker only
    from django_stubs_ext import WithAnnotations

    RegisteredIncident = WithAnnotations[ClusterIncident, IncidentAnnotations]
    """An incident of the register, with whether it proposes revocation and how many files it has."""


def incidents_in_reach(
    user: User,
    *,
    kind: str = "",
    level: str = "",
    year: int | None = None,
    proposes: bool | None = None,
    cluster_status: str = "",
) -> QuerySet[RegisteredIncident]:
    """The incident register: every incident of a cluster in reach, newest first, each annotated with
    ``proposes`` (see :data:`PROPOSES`) and ``evidence_count``. ``level`` ``"none"`` selects the incidents
    recorded without a level (the kinds that have none)."""
    incidents = ClusterIncident.objects.filter(cluster_reach(user, "cluster__")).annotate(
        proposes=PROPOSES, evidence_count=Count("evidence")
    )
    if kind:
        incidents = incidents.filter(kind=kind)
    if level == "none":
        incidents = incidents.filter(level="")
    elif level:
        incidents = incidents.filter(level=level)
    if year is not None:
        incidents = incidents.filter(occurred_on__year=year)
    if proposes is not None:
        incidents = incidents.filter(proposes=proposes)
    if cluster_status:
        incidents = incidents.filter(cluster__status=cluster_status)
    return incidents.select_related("cluster__county__parent", "recorded_by").order_by("-occurred_on", "-pk")


def incident_years(user: User) -> list[int]:
    """The years in which incidents in reach occurred, newest first (the register's year filter)."""
    years = (
        ClusterIncident.objects.filter(cluster_reach(user, "cluster__"))
        .annotate(year=ExtractYear("occurred_on"))
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(years, reverse=True)


def changes_in_reach(
    user: User, *, kind: str = "", status: str = "", filing: str = ""
) -> QuerySet[MajorChange]:
    """Every major change of a cluster in reach: filings and changes found without one. ``filing``:
    ``filed`` (a filing, on time or late), ``on_time``, ``late`` (filed after the due day), ``unfiled``
    (found by an officer). Filings still in progress first, then the newest by the day the change took
    effect."""
    changes = MajorChange.objects.filter(cluster_reach(user, "cluster__"))
    if kind:
        changes = changes.filter(kind=kind)
    if status:
        changes = changes.filter(status=status)
    if filing == "filed":
        changes = changes.exclude(status=MajorChange.Status.FOUND_UNFILED)
    elif filing == "on_time":
        changes = changes.exclude(status=MajorChange.Status.FOUND_UNFILED).filter(late=False)
    elif filing == "late":
        changes = changes.exclude(status=MajorChange.Status.FOUND_UNFILED).filter(late=True)
    elif filing == "unfiled":
        changes = changes.filter(status=MajorChange.Status.FOUND_UNFILED)
    pending = Case(When(status__in=PENDING_CHANGE, then=Value(0)), default=Value(1))
    return changes.select_related("cluster__county__parent", "filed_by", "found_by").order_by(
        pending, "-effective_on", "-pk"
    )


def evidence_in_reach(user: User, pk: int) -> OversightEvidence:
    reach = (
        cluster_reach(user, "change__cluster__")
        | cluster_reach(user, "incident__cluster__")
        | cluster_reach(user, "proposal__cluster__")
    )
    return OversightEvidence.objects.filter(reach).get(pk=pk)


def open_counts(clusters: list[RecognizedCluster]) -> dict[int, dict[str, int]]:
    """Per cluster: open revocation proposals, pending change filings and incidents (three queries)."""
    ids = [cluster.pk for cluster in clusters]
    counts: dict[int, dict[str, int]] = {pk: {"proposals": 0, "changes": 0, "incidents": 0} for pk in ids}
    for pk in RevocationProposal.objects.filter(
        cluster__in=ids, status=RevocationProposal.Status.OPEN
    ).values_list("cluster_id", flat=True):
        counts[pk]["proposals"] += 1
    for pk in MajorChange.objects.filter(cluster__in=ids, status__in=PENDING_CHANGE).values_list(
        "cluster_id", flat=True
    ):
        counts[pk]["changes"] += 1
    for pk in ClusterIncident.objects.filter(cluster__in=ids).values_list("cluster_id", flat=True):
        counts[pk]["incidents"] += 1
    return counts


# --- the timeline ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    day: date
    category: str
    title: str
    detail: str = ""
    link: str = ""
    alert: bool = False
    files: tuple[OversightEvidence, ...] = ()


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _day(moment: datetime | date | None) -> date | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date()
    return moment


def _who(user: User | None) -> str:
    if user is None:
        return _("系统")
    return user.get_full_name() or user.username


def _recognition(cluster: RecognizedCluster) -> list[Entry]:
    entries = [
        Entry(
            cluster.recognized_on,
            _("认定"),
            _("认定为中小企业特色产业集群，编号 %(number)s") % {"number": cluster.number},
            _("有效期 %(start)s 至 %(end)s") % {"start": cluster.valid_from, "end": cluster.valid_until},
        )
    ]
    for target in cluster.plan_targets.all():
        metric = METRICS.get(target.metric)
        label = f"{metric.label}（{metric.unit}）" if metric else target.metric
        entries.append(
            Entry(
                cluster.recognized_on,
                _("发展规划目标"),
                label,
                _("%(base_year)s 年基准 %(base)s → %(year)s 年目标 %(target)s")
                % {
                    "base_year": target.baseline_year,
                    "base": format(target.baseline_value.normalize(), "f"),
                    "year": target.target_year,
                    "target": format(target.target_value.normalize(), "f"),
                },
            )
        )
    return entries


def _annual_reports(cluster: RecognizedCluster) -> list[Entry]:
    entries = []
    for report in cluster.annual_reports.all():
        link = report.get_absolute_url()
        title = _("%(year)s 年度培育情况信息表") % {"year": report.year}
        due = _("截止 %(due)s") % {"due": report.due_on} if report.due_on else ""
        entries.append(Entry(report.opened_on, _("年度报告"), title, _("开启填报；") + due, link))
        if report.overdue_flagged_on:
            entries.append(
                Entry(
                    report.overdue_flagged_on, _("年度报告"), title, _("逾期未报送，已标记"), link, alert=True
                )
            )
        if report.submitted_at and report.late:
            entries.append(
                Entry(
                    _local_day(report.submitted_at),
                    _("年度报告"),
                    title,
                    _("集群逾期提交"),
                    link,
                    alert=True,
                )
            )
        if report.forwarded_at:
            entries.append(
                Entry(
                    _local_day(report.forwarded_at),
                    _("年度报告"),
                    title,
                    _("市级已报送（市级逾期）") if report.forwarded_late else _("市级已报送"),
                    link,
                    alert=report.forwarded_late,
                )
            )
        if report.received_at:
            entries.append(Entry(_local_day(report.received_at), _("年度报告"), title, _("省级已接收"), link))
    return entries


def _re_reviews(cluster: RecognizedCluster) -> list[Entry]:
    entries = []
    for review in cluster.re_reviews.all():
        link = review.get_absolute_url()
        title = _("复核（有效期至 %(until)s）") % {"until": review.period_valid_until}
        entries.append(Entry(review.opened_on, _("复核"), title, _("复核窗口开启"), link))
        if review.submitted_at:
            entries.append(
                Entry(_local_day(review.submitted_at), _("复核"), title, _("县级已提交复核申请"), link)
            )
        if review.decided_on and review.outcome:
            detail = review.get_outcome_display()
            if review.new_valid_until:
                detail += _("，有效期延续至 %(until)s") % {"until": review.new_valid_until}
            entries.append(
                Entry(review.decided_on, _("复核"), title, detail, link, alert=review.outcome == "failed")
            )
    return entries


def _changes(cluster: RecognizedCluster) -> list[Entry]:
    entries = []
    for change in cluster.major_changes.select_related("filed_by", "reviewed_by", "decided_by", "found_by"):
        link = change.get_absolute_url()
        title = _("%(kind)s：%(old)s → %(new)s") % {
            "kind": change.get_kind_display(),
            "old": describe_value(change.kind, change.old_value),
            "new": describe_value(change.kind, change.new_value),
        }
        if change.status == MajorChange.Status.FOUND_UNFILED:
            detail = _("未报备，%(who)s 经“%(source)s”发现（变动生效 %(effective)s）") % {
                "who": _who(change.found_by),
                "source": change.source,
                "effective": change.effective_on,
            }
            entries.append(
                Entry(change.found_on or change.effective_on, _("重大变动"), title, detail, link, alert=True)
            )
            continue
        filed = _("%(who)s 报备（变动生效 %(effective)s，报备截止 %(due)s）") % {
            "who": _who(change.filed_by),
            "effective": change.effective_on,
            "due": change.filing_due_on,
        }
        if change.late:
            filed += _("，逾期报备")
        entries.append(
            Entry(
                _day(change.filed_at) or change.effective_on, _("重大变动"), title, filed, link, change.late
            )
        )
        if change.reviewed_at:
            verdict = (
                _("%(who)s 审核通过，报送审批")
                if change.status != MajorChange.Status.RETURNED
                else _("%(who)s 退回")
            ) % {"who": _who(change.reviewed_by)}
            entries.append(Entry(_local_day(change.reviewed_at), _("重大变动"), title, verdict, link))
        if change.decided_at:
            verdict = (
                _("%(who)s 批准，已记入集群档案")
                if change.status == MajorChange.Status.APPROVED
                else _("%(who)s 未予批准")
            ) % {"who": _who(change.decided_by)}
            entries.append(
                Entry(
                    _local_day(change.decided_at),
                    _("重大变动"),
                    title,
                    f"{verdict}：{change.decision_reason}",
                    link,
                )
            )
    return entries


def _incidents(cluster: RecognizedCluster) -> list[Entry]:
    entries = []
    for incident in cluster.incidents.prefetch_related("evidence"):
        title = f"{incident.level}{incident.get_kind_display()}"
        detail = f"{incident.source}：{incident.description}"
        if incident.meets_threshold:
            detail += _("（达到撤销情形：%(words)s）") % {"words": incident.counted_words}
        entries.append(
            Entry(
                incident.occurred_on,
                _("事件"),
                title,
                detail,
                "",
                incident.meets_threshold,
                tuple(incident.evidence.all()),
            )
        )
    return entries


def _proposals(cluster: RecognizedCluster) -> list[Entry]:
    entries = []
    for proposal in cluster.revocation_proposals.select_related("proposed_by", "decided_by"):
        link = proposal.get_absolute_url()
        title = _("撤销建议：情形%(case)s %(article)s") % {"case": proposal.case, "article": proposal.article}
        entries.append(
            Entry(
                proposal.proposed_on,
                _("撤销"),
                title,
                _("%(who)s 提出：%(grounds)s")
                % {"who": _who(proposal.proposed_by), "grounds": proposal.grounds},
                link,
                alert=True,
            )
        )
        if proposal.decided_on:
            entries.append(
                Entry(
                    proposal.decided_on,
                    _("撤销"),
                    title,
                    _("%(who)s 决定：%(status)s。%(reason)s")
                    % {
                        "who": _who(proposal.decided_by),
                        "status": proposal.get_status_display(),
                        "reason": proposal.decision_reason,
                    },
                    link,
                    alert=proposal.status == RevocationProposal.Status.ACCEPTED,
                )
            )
    return entries


def timeline(cluster: RecognizedCluster) -> list[Entry]:
    """Every dated fact of the cluster, oldest first (within a day, in the order the facts happen)."""
    entries = [
        *_recognition(cluster),
        *_annual_reports(cluster),
        *_re_reviews(cluster),
        *_changes(cluster),
        *_incidents(cluster),
        *_proposals(cluster),
    ]
    # sorted() is stable: entries of one day keep the order above (recognition before its targets, a
    # proposal after the fact that caused it).
    return sorted(entries, key=lambda entry: entry.day)


def evidence_of(**owner: Any) -> list[OversightEvidence]:
    return list(OversightEvidence.objects.filter(**owner))
