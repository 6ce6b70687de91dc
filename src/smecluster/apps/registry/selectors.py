"""Reads of the recognition step and of the published list.

The owner's reads go through ``notices.selectors.call_in_reach`` (a 404 outside the user's reach). The
public list and profile read only what is public: names, places, industries, numbers, validity and the
headline figures of the latest year; never contacts, evidence or scores by expert.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import Jurisdiction, User
from smecluster.apps.applications.models import Application, ApplicationYear
from smecluster.apps.applications.permissions import can_view
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notices.models import UPHELD, Notice, Objection
from smecluster.apps.notices.selectors import shortlist_lines
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.registry.models import (
    AnnualReport,
    AnnualReportEvidence,
    ClusterAssessment,
    ClusterPlanTarget,
    RecognitionNotice,
    RecognizedCluster,
    ReReview,
    ReReviewEvidence,
)
from smecluster.apps.registry.reach import cluster_reach

# --- the owner's recognition page -----------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A shortlisted application awaiting the owner's decision, with what the notice brought up."""

    application: Application
    rank: int | None
    score: str
    objections: int
    upheld: int

    @property
    def unobjected(self) -> bool:
        """No objection to it was upheld: "认定全部无异议的" takes it."""
        return self.upheld == 0


def _ranked(applications: list[Application], call: YearlyCall) -> list[tuple[Application, Any]]:
    shortlist = getattr(call, "shortlist", None)
    lines = shortlist_lines(shortlist) if shortlist is not None else {}
    ranked = [
        (application, lines.get(f"pk:{application.pk}") or lines.get(f"number:{application.number}"))
        for application in applications
    ]
    ranked.sort(
        key=lambda pair: (
            pair[1] is None or pair[1].rank is None,
            pair[1].rank if pair[1] else 0,
            pair[0].number,
        )
    )
    return ranked


def in_shortlist_order(applications: list[Application], call: YearlyCall) -> list[Application]:
    """The shortlist's rank order, then 申报编号: the order recognition numbers are given in."""
    return [application for application, _line in _ranked(applications, call)]


def recognition_candidates(call: YearlyCall, notice: Notice | None) -> list[Candidate]:
    applications = list(
        Application.objects.filter(call=call, status=Status.SHORTLISTED).select_related(
            "county__parent__parent"
        )
    )
    counts: dict[int, dict[str, int]] = {}
    if notice is not None:
        rows = (
            notice.objections.values("application")
            .annotate(
                total=Count("pk"),
                upheld=Count("pk", filter=Q(upheld=True, status=Objection.Status.RESOLVED)),
            )
            .order_by()
        )
        counts = {row["application"]: {"total": row["total"], "upheld": row["upheld"]} for row in rows}
    return [
        Candidate(
            application,
            line.rank if line else None,
            line.score if line else "",
            counts.get(application.pk, {}).get("total", 0),
            counts.get(application.pk, {}).get("upheld", 0),
        )
        for application, line in _ranked(applications, call)
    ]


def decided_applications(call: YearlyCall) -> dict[str, list[Any]]:
    """What was decided: the recognized clusters, and the rejected applications with their reasons."""
    recognized = list(
        RecognizedCluster.objects.filter(application__call=call)
        .select_related("county__parent__parent")
        .order_by("number")
    )
    rejected = list(
        Application.objects.filter(call=call, status=Status.REJECTED)
        .select_related("county")
        .order_by("number")
    )
    not_shortlisted = list(
        Application.objects.filter(call=call, status=Status.NOT_SHORTLISTED)
        .select_related("county")
        .order_by("number")
    )
    reasons = transition_reasons(
        [*rejected, *not_shortlisted], ("application.reject", "application.not_shortlist")
    )
    return {
        "recognized": recognized,
        "rejected": [(application, reasons.get(application.pk, "")) for application in rejected],
        "not_shortlisted": [
            (application, reasons.get(application.pk, "")) for application in not_shortlisted
        ],
    }


def transition_reasons(applications: list[Application], actions: tuple[str, ...]) -> dict[int, str]:
    """The reason recorded with the latest of ``actions`` on each application (one query)."""
    if not applications:
        return {}
    events = AuditEvent.objects.filter(
        target_type=Application._meta.label_lower,
        target_id__in=[str(application.pk) for application in applications],
        action__in=actions,
    ).order_by("at", "pk")
    return {int(event.target_id): event.reason for event in events}


def cluster_for(user: User, pk: int) -> RecognizedCluster:
    """A recognized cluster whose application the user may see, or :class:`RecognizedCluster.DoesNotExist`."""
    cluster = RecognizedCluster.objects.select_related(
        "application__county__parent", "application__call__programme", "county__parent__parent", "programme"
    ).get(pk=pk)
    if not can_view(user, cluster.application):
        raise RecognizedCluster.DoesNotExist
    return cluster


def recognized_in(call: YearlyCall) -> list[RecognizedCluster]:
    return list(
        RecognizedCluster.objects.filter(application__call=call)
        .select_related("county__parent__parent", "programme")
        .order_by("number")
    )


def issued_notice(call: YearlyCall) -> RecognitionNotice | None:
    """The 文号 and 成文日期 of the call's recognition notice, once the owner entered them."""
    return RecognitionNotice.objects.filter(call=call).first()


# --- the published list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Any


COLUMNS = (
    Column("number", _("认定编号")),
    Column("name", _("集群名称")),
    Column("location", _("所在地")),
    Column("leading_industry", _("主导产业")),
    Column("programme", _("认定项目")),
    Column("year", _("认定年度")),
    Column("recognized_on", _("认定日期")),
    Column("valid_from", _("有效期起")),
    Column("valid_until", _("有效期止")),
    # The validity as the decision words it (whole calendar years where it spans them), never recomputed.
    Column("validity", _("认定有效期")),
    Column("status", _("状态")),
)
"""The columns of the published list: the page's table and every download, in this order."""


def public_clusters(
    *,
    q: str = "",
    year: int | None = None,
    city: str = "",
    industry: str = "",
    status: str = "",
    programme: int | None = None,
) -> QuerySet[RecognizedCluster]:
    """The published list under the page's filter: the page shows a slice, the downloads all of it."""
    # The revocation with each row: the list shows a revoked cluster's case and article.
    clusters = RecognizedCluster.objects.select_related("county__parent__parent", "programme", "revocation")
    if q:
        clusters = clusters.filter(Q(name__icontains=q) | Q(leading_industry__icontains=q))
    if year is not None:
        clusters = clusters.filter(year=year)
    if city:
        clusters = clusters.filter(county__parent=city)
    if industry:
        clusters = clusters.filter(leading_industry=industry)
    if status:
        clusters = clusters.filter(status=status)
    if programme is not None:
        clusters = clusters.filter(programme=programme)
    return clusters.order_by("-year", "number", "pk")


def recognition_bases(clusters: QuerySet[RecognizedCluster]) -> list[tuple[YearlyCall, str]]:
    """The calls the listed clusters were recognized in, each with its measure cited as it stands (a draft,
    an expired validity and the call's recorded legal basis said), as the recognition notice cites it."""
    calls = (
        YearlyCall.objects.filter(pk__in=clusters.values("application__call"))
        .select_related("programme")
        .order_by("-year", "programme__name", "pk")
    )
    return [(call, call.measure_citation) for call in calls]


def public_removed_on_objection(
    *,
    q: str = "",
    year: int | None = None,
    city: str = "",
    industry: str = "",
    status: str = "",
    programme: int | None = None,
) -> list[Application]:
    """The applications taken off a call's list because an objection to them was upheld (成立), under the
    published list's filter (its status filter is a cluster's, so any status filter leaves none): the list
    says they were not recognized, never who objected."""
    if status:
        return []
    removed = Application.objects.filter(
        status=Status.REJECTED,
        pk__in=Objection.objects.filter(UPHELD).values("application"),
    )
    if q:
        removed = removed.filter(Q(name__icontains=q) | Q(leading_industry__icontains=q))
    if year is not None:
        removed = removed.filter(call__year=year)
    if city:
        removed = removed.filter(county__parent=city)
    if industry:
        removed = removed.filter(leading_industry=industry)
    if programme is not None:
        removed = removed.filter(call__programme=programme)
    return list(
        removed.select_related("county__parent__parent", "call__programme").order_by("-call__year", "number")
    )


def cluster_row(cluster: RecognizedCluster) -> dict[str, Any]:
    """One cluster as the list and its downloads show it, keyed by :data:`COLUMNS`."""
    return {
        "number": cluster.number,
        "name": cluster.name,
        "location": cluster.county.full_name(),
        "leading_industry": cluster.leading_industry,
        "programme": cluster.programme.name,
        "year": cluster.year,
        "recognized_on": cluster.recognized_on,
        "valid_from": cluster.valid_from,
        "valid_until": cluster.valid_until,
        "validity": cluster.validity_words,
        "status": cluster.get_status_display(),
    }


def filter_choices() -> dict[str, list[tuple[Any, str]]]:
    """The filters' choices: only values the published list holds (four small queries)."""
    years = RecognizedCluster.objects.values_list("year", flat=True).distinct().order_by("-year")
    city_codes = RecognizedCluster.objects.values_list("county__parent", flat=True).distinct()
    cities = Jurisdiction.objects.filter(code__in=city_codes).select_related("parent").order_by("code")
    industries = (
        RecognizedCluster.objects.values_list("leading_industry", flat=True)
        .distinct()
        .order_by("leading_industry")
    )
    programmes = Programme.objects.filter(recognized_clusters__isnull=False).distinct().order_by("name", "pk")
    return {
        "year": [(year, str(year)) for year in years],
        "city": [(city.code, city.full_name()) for city in cities],
        "industry": [(industry, industry) for industry in industries],
        "status": [(value, str(label)) for value, label in RecognizedCluster.Status.choices],
        "programme": [(programme.pk, programme.name) for programme in programmes],
    }


def public_cluster(pk: int) -> RecognizedCluster:
    return RecognizedCluster.objects.select_related("county__parent__parent", "programme", "application").get(
        pk=pk
    )


# The latest year's headline figures, each with its unit: what the published profile shows.
PUBLIC_FIGURES = (
    ("output", _("集群总产值"), "亿元"),
    ("leading_output", _("主导产业产值"), "亿元"),
    ("sme_output", _("中小企业产值"), "亿元"),
    ("employees", _("从业人员"), "人"),
    ("invention_patents", _("有效发明专利"), "件"),
    ("iip_penetration", _("工业互联网平台应用普及率"), "%"),
)


@dataclass(frozen=True)
class Figure:
    label: Any
    value: str
    unit: str


def _figure_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def public_figures(cluster: RecognizedCluster) -> tuple[int | None, list[Figure]]:
    """The figures of the application's latest reported year, with units; figures not given are left out."""
    latest = ApplicationYear.objects.filter(application=cluster.application_id).order_by("-year").first()
    if latest is None:
        return None, []
    figures = [
        Figure(label, _figure_text(value), unit)
        for field, label, unit in PUBLIC_FIGURES
        if (value := getattr(latest, field)) is not None
    ]
    return latest.year, figures


# --- dynamic management: plan targets, annual reports, re-reviews ------------------------------------


def clusters_followed_by(user: User) -> QuerySet[RecognizedCluster]:
    clusters = RecognizedCluster.objects.select_related("county__parent__parent", "programme")
    return clusters.filter(cluster_reach(user))


def cluster_record_for(user: User, pk: int) -> RecognizedCluster:
    """A cluster the user follows, or :class:`RecognizedCluster.DoesNotExist` (a 404)."""
    return clusters_followed_by(user).select_related("application__call__programme").get(pk=pk)


def plan_target_for(user: User, pk: int) -> ClusterPlanTarget:
    """A plan target of a cluster the user follows, or :class:`ClusterPlanTarget.DoesNotExist` (a 404)."""
    return ClusterPlanTarget.objects.select_related("cluster").get(
        pk=pk, cluster__in=clusters_followed_by(user)
    )


def reports_visible_to(user: User) -> QuerySet[AnnualReport]:
    reports = AnnualReport.objects.select_related("cluster__county__parent__parent", "cluster__programme")
    return reports.filter(cluster_reach(user, "cluster__"))


def report_list(
    user: User, *, year: int | None = None, status: str = "", late: str = ""
) -> QuerySet[AnnualReport]:
    """The reports in the user's reach under the list's filters; ``late`` is "late" (forwarded late),
    "overdue" (flagged overdue) or "on_time" (forwarded on time)."""
    reports = reports_visible_to(user)
    if year is not None:
        reports = reports.filter(year=year)
    if status:
        reports = reports.filter(status=status)
    if late == "late":
        reports = reports.filter(late=True)
    elif late == "overdue":
        reports = reports.filter(overdue_flagged_on__isnull=False)
    elif late == "on_time":
        reports = reports.filter(forwarded_at__isnull=False, late=False)
    return reports.order_by("-year", "cluster__number", "pk")


def report_years(user: User) -> list[int]:
    return list(reports_visible_to(user).values_list("year", flat=True).distinct().order_by("-year"))


def report_for(user: User, pk: int) -> AnnualReport:
    """A report in the user's reach, or :class:`AnnualReport.DoesNotExist` (a 404)."""
    return reports_visible_to(user).select_related("cluster__application").get(pk=pk)


def report_evidence_for(user: User, pk: int) -> AnnualReportEvidence:
    return AnnualReportEvidence.objects.select_related("report").get(
        pk=pk, report__in=reports_visible_to(user)
    )


def re_reviews_visible_to(user: User) -> QuerySet[ReReview]:
    re_reviews = ReReview.objects.select_related("cluster__county__parent__parent", "cluster__programme")
    return re_reviews.filter(cluster_reach(user, "cluster__"))


def re_review_for(user: User, pk: int) -> ReReview:
    return re_reviews_visible_to(user).select_related("cluster__application__call__programme").get(pk=pk)


def re_review_evidence_for(user: User, pk: int) -> ReReviewEvidence:
    return ReReviewEvidence.objects.select_related("re_review").get(
        pk=pk, re_review__in=re_reviews_visible_to(user)
    )


def assessments_visible_to(user: User) -> QuerySet[ClusterAssessment]:
    assessments = ClusterAssessment.objects.select_related(
        "cluster__county__parent__parent", "cluster__programme", "assessed_by"
    )
    return assessments.filter(cluster_reach(user, "cluster__"))


def assessment_list(user: User, *, year: int | None = None, grade: str = "") -> QuerySet[ClusterAssessment]:
    assessments = assessments_visible_to(user)
    if year is not None:
        assessments = assessments.filter(year=year)
    if grade:
        assessments = assessments.filter(grade=grade)
    return assessments.order_by("-year", "cluster__number", "pk")
