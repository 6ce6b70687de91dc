"""Reads of the monitoring report and dashboard, always within one scope (全国, a province or a city).

**Which clusters a year's report covers.** One programme's (the national report the national programme's,
a province's its own programme's; the dashboard every programme's) in the scope. A recognized cluster counts
in year Y when it was recognized on year Y's figures or earlier (认定年度 ≤ Y + 1: a call of 2025 recognizes
on the figures of 2024), its validity reaches into Y, and its recognition was not revoked. A cluster counted
without figures for Y is listed as such, never dropped.

**Where a cluster-year's figures come from.** The annual information form for Y once the province has
received it (``AnnualReport.Status.RECEIVED``); otherwise, when the recognition application declared year
Y, that year's figures from the application (the profile's ``Year``; quality firms and the monitoring-only
fields are then not reported, never zero). Each :class:`ClusterYear` names its source, and the report
lists them. A stored record that fails validation is named (cluster number, year, reason) and counts as
absent; a received form that cannot be read is not replaced by the application's year.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from pydantic import ValidationError

from smecluster.analytics.figures import ClusterEntry, ClusterYear, Coverage, Source, UnreadableRecord
from smecluster.annual_figures import ANNUAL_FIGURES_SCHEMA, AnnualFigures, parse_annual_figures
from smecluster.apps.accounts.models import Jurisdiction, Level
from smecluster.apps.applications.models import Application, ApplicationYear
from smecluster.apps.applications.profiles import YEAR_FIELDS
from smecluster.apps.applications.workflow import Status as ApplicationStatus
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.monitoring.models import ReportDraft
from smecluster.apps.monitoring.permissions import in_reach, programme_in_reach
from smecluster.apps.oversight.models import (
    ChangeKind,
    ClusterIncident,
    IncidentKindChoices,
    MajorChange,
    Revocation,
    RevocationProposal,
)
from smecluster.apps.oversight.services import CASE_LABELS
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.registry.models import RE_REVIEW_IN_PROGRESS, AnnualReport, RecognizedCluster, ReReview
from smecluster.documents.evaluation_report import DynamicManagement, Tally
from smecluster.errors import UnusableInput
from smecluster.reference.offices import office


def _county_filter(scope: Jurisdiction, prefix: str = "county") -> Q:
    """The counties inside ``scope``: all, a province's (by code), or a city's (its children)."""
    if scope.level == Level.NATIONAL:
        return Q()
    if scope.level == Level.PROVINCE:
        return Q(**{f"{prefix}__code__startswith": scope.code[:2]})
    if (beyond := office(scope.code)) is not None:
        # An office beyond GB/T 2260 (the XPCC): the divisions it covers, not children it has none of.
        return Q(**{f"{prefix}__code__in": beyond.covers})
    return Q(**{f"{prefix}__parent": scope.code})


def clusters_in(
    scope: Jurisdiction, *, programme: Programme | None = None, city: str = "", industry: str = ""
) -> QuerySet[RecognizedCluster]:
    """The clusters in ``scope`` not revoked; only ``programme``'s when it is given (a report's), every
    programme's otherwise (the dashboard's)."""
    clusters = RecognizedCluster.objects.filter(_county_filter(scope)).exclude(
        status=RecognizedCluster.Status.REVOKED
    )
    if programme is not None:
        clusters = clusters.filter(programme=programme)
    if city:
        clusters = clusters.filter(county__parent=city)
    if industry:
        clusters = clusters.filter(leading_industry=industry)
    return clusters.select_related("county__parent__parent")


def _counted_in(year: int) -> Q:
    return Q(year__lte=year + 1, valid_until__gte=date(year, 1, 1))


def _from_application(row: ApplicationYear) -> AnnualFigures:
    figures = {"year": row.year}
    for name in YEAR_FIELDS:
        value = getattr(row, name)
        if value is not None:
            figures[name] = value
    return AnnualFigures.model_validate(
        {"schema": ANNUAL_FIGURES_SCHEMA, "year": row.year, "figures": figures, "quality_firms": {}}
    )


def _province_code(county: Jurisdiction) -> str:
    return county.code[:2] + "0000"


def _reason(error: Exception) -> str:
    if isinstance(error, UnusableInput):
        return "；".join(str(problem) for problem in error.problems)
    if isinstance(error, ValidationError):
        return "；".join(
            f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}".lstrip(": ")
            for detail in error.errors()
        )
    return str(error)


def _read_annual_report(report: AnnualReport) -> AnnualFigures:
    figures = parse_annual_figures(report.figures, source="年度培育情况信息表")
    if figures.year != report.year:
        raise ValueError(f"year: the form of {report.year} holds the figures of {figures.year}")
    return figures


def report_coverage(
    scope: Jurisdiction,
    year: int,
    *,
    programme: Programme | None = None,
    city: str = "",
    industry: str = "",
) -> Coverage:
    """The clusters of ``scope`` (of ``programme`` when given) counted in ``year``: those with figures,
    each with last year's when there are any; those without, named; and every stored record (a received
    form, an application's year) that failed validation, named by cluster number and year with the reason.
    An unreadable record counts as absent: the report renders without it and lists it."""
    clusters = list(
        clusters_in(scope, programme=programme, city=city, industry=industry)
        .filter(_counted_in(year))
        .order_by("number")
    )
    numbers = {cluster.pk: cluster.number for cluster in clusters}
    unreadable: list[UnreadableRecord] = []
    received: dict[tuple[int, int], AnnualFigures] = {}
    # A received form supersedes the application's year even when it cannot be read: the cluster-year
    # is then without figures (and named), not silently back on older declared figures.
    superseded: set[tuple[int, int]] = set()
    for report in AnnualReport.objects.filter(
        cluster__in=list(numbers),
        year__in=(year, year - 1),
        status=AnnualReport.Status.RECEIVED,
        figures__isnull=False,
    ).order_by("cluster_id", "year"):
        superseded.add((report.cluster_id, report.year))
        try:
            received[(report.cluster_id, report.year)] = _read_annual_report(report)
        except (UnusableInput, ValidationError, ValueError, TypeError) as error:
            unreadable.append(
                UnreadableRecord(
                    numbers[report.cluster_id], report.year, Source.ANNUAL_REPORT, _reason(error)
                )
            )
    declared: dict[tuple[int, int], AnnualFigures] = {}
    for row in (
        ApplicationYear.objects.filter(application__recognition__in=list(numbers), year__in=(year, year - 1))
        .select_related("application__recognition")
        .order_by("application__recognition__number", "year")
    ):
        cluster_id = row.application.recognition.pk
        if (cluster_id, row.year) in superseded:
            continue  # the received form is what counts; the application's year is not read
        try:
            declared[(cluster_id, row.year)] = _from_application(row)
        except (ValidationError, ValueError, TypeError) as error:
            unreadable.append(
                UnreadableRecord(numbers[cluster_id], row.year, Source.APPLICATION, _reason(error))
            )

    def figures_of(cluster: RecognizedCluster, of_year: int) -> tuple[AnnualFigures | None, Source | None]:
        if (found := received.get((cluster.pk, of_year))) is not None:
            return found, Source.ANNUAL_REPORT
        if (found := declared.get((cluster.pk, of_year))) is not None:
            return found, Source.APPLICATION
        return None, None

    facts = []
    unreported = []
    for cluster in clusters:
        county = cluster.county
        province = _province_code(county)
        current, source = figures_of(cluster, year)
        if current is None or source is None:
            unreported.append(
                ClusterEntry(
                    cluster.number,
                    cluster.name,
                    province,
                    county.code,
                    county.full_name(),
                    cluster.leading_industry,
                    cluster.leading_industry_code,
                )
            )
            continue
        previous, previous_source = figures_of(cluster, year - 1)
        facts.append(
            ClusterYear(
                number=cluster.number,
                name=cluster.name,
                province=province,
                city=county.parent_id if county.parent and county.parent.level == Level.CITY else None,
                county=county.code,
                industry=cluster.leading_industry,
                year=year,
                figures=current,
                source=source,
                previous=previous,
                previous_source=previous_source,
                place=county.full_name(),
                industry_code=cluster.leading_industry_code,
            )
        )
    unreadable.sort(key=lambda record: (record.number, -record.year))
    return Coverage(year, tuple(facts), tuple(unreported), tuple(unreadable))


def cluster_years(
    scope: Jurisdiction,
    year: int,
    *,
    programme: Programme | None = None,
    city: str = "",
    industry: str = "",
) -> list[ClusterYear]:
    """The cluster-years of ``scope`` in ``year`` that have figures (:func:`report_coverage`)."""
    return list(report_coverage(scope, year, programme=programme, city=city, industry=industry).facts)


def years_with_data(scope: Jurisdiction, programme: Programme | None = None) -> list[int]:
    """The years some cluster of ``scope`` (of ``programme`` when given) has figures for (received
    reports, or declared in the application of a cluster counted that year), newest first."""
    clusters = clusters_in(scope, programme=programme)
    reported = AnnualReport.objects.filter(
        cluster__in=clusters, status=AnnualReport.Status.RECEIVED, figures__isnull=False
    ).values_list("year", flat=True)
    declared = ApplicationYear.objects.filter(
        application__recognition__in=clusters, application__recognition__year__lte=F("year") + 1
    ).values_list("year", flat=True)
    return sorted(set(reported) | set(declared), reverse=True)


def scope_choices(scopes: list[Jurisdiction]) -> list[tuple[str, str]]:
    return [(scope.code, scope.full_name() if scope.level == Level.CITY else scope.name) for scope in scopes]


def scopes_for(user: Any) -> list[Jurisdiction]:
    """The scopes the user may pick, widest first: 全国, every province and every city (ministry), the
    province and its cities (province admin), the city (city officer)."""
    home = user.jurisdiction
    if home.level == Level.NATIONAL:
        candidates = Jurisdiction.objects.filter(level__in=(Level.NATIONAL, Level.PROVINCE, Level.CITY))
    elif home.level == Level.PROVINCE:
        candidates = Jurisdiction.objects.filter(Q(code=home.code) | Q(parent=home.code, level=Level.CITY))
    else:
        candidates = Jurisdiction.objects.filter(code=home.code)
    return [scope for scope in candidates.select_related("parent").order_by("code") if in_reach(user, scope)]


def scope_for(user: Any, code: str) -> Jurisdiction:
    """The scope ``code`` if the user may report on it, else :class:`Jurisdiction.DoesNotExist` (404)."""
    scope = Jurisdiction.objects.select_related("parent").get(code=code)
    if not in_reach(user, scope):
        raise Jurisdiction.DoesNotExist
    return scope


def cities_in(scope: Jurisdiction) -> list[Jurisdiction]:
    """The cities of a province that have recognized clusters (a city's own scope has none to filter)."""
    if scope.level == Level.CITY:
        return []
    codes = clusters_in(scope).values_list("county__parent", flat=True).distinct()
    return list(
        Jurisdiction.objects.filter(code__in=codes, level=Level.CITY)
        .select_related("parent")
        .order_by("code")
    )


def industries_in(scope: Jurisdiction) -> list[str]:
    return list(
        clusters_in(scope).values_list("leading_industry", flat=True).distinct().order_by("leading_industry")
    )


def dynamic_management(scope: Jurisdiction, year: int, *, programme: Programme) -> DynamicManagement:
    """The dynamic management of ``programme``'s clusters in ``scope`` during ``year``, revoked ones
    included: the annual forms of the year, the major changes effective and the incidents that occurred
    in it, the recognitions revoked in it (by statutory case), the re-reviews decided in it and those of
    validity periods ending in it still undecided."""
    clusters = RecognizedCluster.objects.filter(_county_filter(scope), programme=programme)
    reports = AnnualReport.objects.filter(cluster__in=clusters, year=year)
    filed = (AnnualReport.Status.FORWARDED, AnnualReport.Status.RECEIVED)
    changes = MajorChange.objects.filter(cluster__in=clusters, effective_on__year=year)
    change_kinds = Counter(changes.values_list("kind", flat=True))
    incidents = ClusterIncident.objects.filter(cluster__in=clusters, occurred_on__year=year)
    incident_kinds = Counter(incidents.values_list("kind", flat=True))
    revoked = Counter(
        Revocation.objects.filter(cluster__in=clusters, revoked_on__year=year).values_list("case", flat=True)
    )
    decided = Counter(
        ReReview.objects.filter(
            cluster__in=clusters, status=ReReview.Status.DECIDED, decided_on__year=year
        ).values_list("outcome", flat=True)
    )
    return DynamicManagement(
        reports_due=reports.count(),
        reports_filed=reports.filter(status__in=filed).count(),
        reports_received=reports.filter(status=AnnualReport.Status.RECEIVED).count(),
        reports_late=reports.filter(late=True).count(),
        reports_overdue=reports.filter(overdue_flagged_on__isnull=False).exclude(status__in=filed).count(),
        changes=tuple(Tally(str(kind.label), change_kinds[kind.value]) for kind in ChangeKind),
        changes_late=changes.filter(late=True).count(),
        changes_unfiled=changes.filter(status=MajorChange.Status.FOUND_UNFILED).count(),
        incidents=tuple(Tally(str(label), incident_kinds[kind]) for kind, label in IncidentKindChoices),
        incidents_meeting_threshold=incidents.filter(meets_threshold=True).count(),
        revocations=tuple(
            Tally(f"情形{case}（{CASE_LABELS[case]}）", revoked[case]) for case in sorted(CASE_LABELS)
        ),
        re_reviews_passed=decided[ReReview.Outcome.PASSED],
        re_reviews_failed=decided[ReReview.Outcome.FAILED],
        re_reviews_pending=ReReview.objects.filter(
            cluster__in=clusters, status__in=RE_REVIEW_IN_PROGRESS, period_valid_until__year=year
        ).count(),
    )


def saved_texts(
    programme: Programme, scope: Jurisdiction, year: int
) -> tuple[ReportDraft | None, dict[str, str]]:
    draft = (
        ReportDraft.objects.filter(programme=programme, scope=scope, year=year)
        .select_related("updated_by")
        .first()
    )
    return draft, dict(draft.texts) if draft else {}


# --- which programme a report covers -----------------------------------------------------------------


def programmes_for(user: Any) -> list[Programme]:
    """The programmes whose clusters the user may report on (:func:`programme_in_reach`): national first,
    then provincial, then city programmes."""
    level_order = {"national": 0, Level.PROVINCE: 1, Level.CITY: 2}
    found = [
        programme
        for programme in Programme.objects.select_related("owner__parent")
        if programme_in_reach(user, programme)
    ]
    return sorted(
        found,
        key=lambda programme: (
            level_order.get(programme.owner_level, 3),
            programme.owner_id or "",
            programme.pk,
        ),
    )


def programme_choices(programmes: list[Programme]) -> list[tuple[str, str]]:
    return [(str(programme.pk), programme.name) for programme in programmes]


def default_programme(scope: Jurisdiction, programmes: list[Programme]) -> Programme | None:
    """The programme a scope's report covers unless another is asked for: the national programme for
    全国 (never a province's: the national report counts national clusters only), the province's own for a
    province or one of its cities; None when ``programmes`` has no such programme."""
    if scope.level == Level.NATIONAL:
        wanted = [programme for programme in programmes if programme.owner_id is None]
    else:
        province = _province_code(scope)
        wanted = [
            programme
            for programme in programmes
            if programme.owner_id == province and programme.owner_level == Level.PROVINCE
        ]
    return wanted[0] if wanted else None


def programme_for(user: Any, pk: str) -> Programme:
    """The programme ``pk`` if the user may report on it, else :class:`Programme.DoesNotExist` (404)."""
    for programme in programmes_for(user):
        if str(programme.pk) == pk:
            return programme
    raise Programme.DoesNotExist


# --- the dashboard's lists ---------------------------------------------------------------------------


def figures_version() -> int:
    """The last audited write that can change a figure. Every write of the platform is audited in its own
    transaction (apps/audit), so figures computed at one version hold until it moves. The figures come
    from the registry (clusters, their annual reports, re-reviews), oversight (revocations) and the
    programmes; an application is read only once recognized, when it no longer changes. The far more
    frequent writes elsewhere (drafts saved, sign-ins) leave the version where it is."""
    latest = (
        AuditEvent.objects.filter(
            Q(target_type__startswith="registry.")
            | Q(target_type__startswith="oversight.")
            | Q(target_type__startswith="programmes.")
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return latest or 0


@dataclass(frozen=True)
class Pipeline:
    """The applications of one call inside the scope, by status (only statuses that have some)."""

    call: YearlyCall
    counts: list[tuple[str, str, int]]

    @property
    def total(self) -> int:
        return sum(count for _status, _label, count in self.counts)


def _programmes_for(scope: Jurisdiction) -> QuerySet[Programme]:
    if scope.level == Level.NATIONAL:
        return Programme.objects.filter(owner__isnull=True)
    return Programme.objects.filter(Q(owner=_province_code(scope)) | Q(owner__isnull=True))


def pipelines(scope: Jurisdiction, *, city: str = "", industry: str = "") -> list[Pipeline]:
    """Each relevant programme's latest call, with its applications from the scope counted per status (two
    queries, however many programmes the scope sees)."""
    latest = YearlyCall.objects.filter(programme=OuterRef("pk")).order_by("-year").values("pk")[:1]
    programmes = _programmes_for(scope).annotate(latest_call=Subquery(latest)).order_by("owner", "name", "pk")
    calls = {call.pk: call for call in YearlyCall.objects.filter(
        pk__in=programmes.values("latest_call")).select_related("programme")}  # fmt: skip
    applications = Application.objects.filter(_county_filter(scope), call__in=list(calls))
    if city:
        applications = applications.filter(county__parent=city)
    if industry:
        applications = applications.filter(leading_industry=industry)
    counted: dict[int, Counter[str]] = defaultdict(Counter)
    for row in applications.values("call_id", "status").annotate(count=Count("pk")):
        counted[row["call_id"]][row["status"]] = row["count"]
    found = []
    for call_pk in programmes.values_list("latest_call", flat=True):
        if call_pk is None:
            continue
        counts = [
            (status.value, str(status.label), counted[call_pk][status.value])
            for status in ApplicationStatus
            if counted[call_pk][status.value]
        ]
        found.append(Pipeline(calls[call_pk], counts))
    return found


def overdue_reports(scope: Jurisdiction, *, city: str = "", industry: str = "") -> list[AnnualReport]:
    """Annual reports flagged overdue and not yet filed (forwarded or received)."""
    return list(
        AnnualReport.objects.filter(
            cluster__in=clusters_in(scope, city=city, industry=industry), overdue_flagged_on__isnull=False
        )
        .exclude(status__in=(AnnualReport.Status.FORWARDED, AnnualReport.Status.RECEIVED))
        .select_related("cluster__county")
        .order_by("due_on", "cluster__number")
    )


def open_revocations(scope: Jurisdiction, *, city: str = "", industry: str = "") -> list[RevocationProposal]:
    """Revocation proposals awaiting the owner's decision."""
    return list(
        RevocationProposal.objects.filter(
            cluster__in=clusters_in(scope, city=city, industry=industry),
            status=RevocationProposal.Status.OPEN,
        )
        .select_related("cluster__county")
        .order_by("proposed_on", "pk")
    )
