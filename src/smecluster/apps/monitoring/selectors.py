"""Reads of the monitoring report and dashboard, always within one scope (全国, a province or a city).

**Which clusters a year's report covers.** A recognized cluster counts in year Y when it was recognized on
year Y's figures or earlier (认定年度 ≤ Y + 1: a call of 2025 recognizes on the figures of 2024), its
validity reaches into Y, and its recognition was not revoked.

**Where a cluster-year's figures come from.** The annual information form for Y once the province has
received it (``AnnualReport.Status.RECEIVED``); otherwise, when the recognition application declared year
Y, that year's figures from the application (the profile's ``Year``; quality firms and the monitoring-only
fields are then not reported, never zero). Each :class:`ClusterYear` names its source, and the report
lists them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet

from smecluster.analytics.figures import ClusterYear, Source
from smecluster.annual_figures import ANNUAL_FIGURES_SCHEMA, AnnualFigures
from smecluster.apps.accounts.models import Jurisdiction, Level
from smecluster.apps.applications.models import Application, ApplicationYear
from smecluster.apps.applications.profiles import YEAR_FIELDS
from smecluster.apps.applications.workflow import Status as ApplicationStatus
from smecluster.apps.monitoring.models import ReportDraft
from smecluster.apps.monitoring.permissions import in_reach
from smecluster.apps.oversight.models import RevocationProposal
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
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


def clusters_in(scope: Jurisdiction, *, city: str = "", industry: str = "") -> QuerySet[RecognizedCluster]:
    clusters = RecognizedCluster.objects.filter(_county_filter(scope)).exclude(
        status=RecognizedCluster.Status.REVOKED
    )
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


def cluster_years(scope: Jurisdiction, year: int, *, city: str = "", industry: str = "") -> list[ClusterYear]:
    """The cluster-years of ``scope`` in ``year``, each with last year's figures when there are any."""
    clusters = list(
        clusters_in(scope, city=city, industry=industry).filter(_counted_in(year)).order_by("number")
    )
    ids = [cluster.pk for cluster in clusters]
    received: dict[tuple[int, int], AnnualFigures] = {
        (report.cluster_id, report.year): AnnualFigures.model_validate(report.figures)
        for report in AnnualReport.objects.filter(
            cluster__in=ids,
            year__in=(year, year - 1),
            status=AnnualReport.Status.RECEIVED,
            figures__isnull=False,
        )
        if report.figures
    }
    declared: dict[tuple[int, int], AnnualFigures] = {
        (row.application.recognition.pk, row.year): _from_application(row)
        for row in ApplicationYear.objects.filter(
            application__recognition__in=ids, year__in=(year, year - 1)
        ).select_related("application__recognition")
    }

    def figures_of(cluster: RecognizedCluster, of_year: int) -> tuple[AnnualFigures | None, Source | None]:
        if (found := received.get((cluster.pk, of_year))) is not None:
            return found, Source.ANNUAL_REPORT
        if (found := declared.get((cluster.pk, of_year))) is not None:
            return found, Source.APPLICATION
        return None, None

    facts = []
    for cluster in clusters:
        current, source = figures_of(cluster, year)
        if current is None or source is None:
            continue
        previous, previous_source = figures_of(cluster, year - 1)
        county = cluster.county
        facts.append(
            ClusterYear(
                number=cluster.number,
                name=cluster.name,
                province=_province_code(county),
                city=county.parent_id if county.parent and county.parent.level == Level.CITY else None,
                county=county.code,
                industry=cluster.leading_industry,
                year=year,
                figures=current,
                source=source,
                previous=previous,
                previous_source=previous_source,
                place=county.full_name(),
            )
        )
    return facts


def years_with_data(scope: Jurisdiction) -> list[int]:
    """The years some cluster of ``scope`` has figures for (received reports, or declared in the
    application of a cluster counted that year), newest first."""
    clusters = clusters_in(scope)
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


def saved_texts(scope: Jurisdiction, year: int) -> tuple[ReportDraft | None, dict[str, str]]:
    draft = ReportDraft.objects.filter(scope=scope, year=year).select_related("updated_by").first()
    return draft, dict(draft.texts) if draft else {}


# --- the dashboard's lists ---------------------------------------------------------------------------


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
    """Each relevant programme's latest call, with its applications from the scope counted per status."""
    found = []
    for programme in _programmes_for(scope).order_by("owner", "name", "pk"):
        call = (
            YearlyCall.objects.filter(programme=programme)
            .select_related("programme")
            .order_by("-year")
            .first()
        )
        if call is None:
            continue
        applications = Application.objects.filter(_county_filter(scope), call=call)
        if city:
            applications = applications.filter(county__parent=city)
        if industry:
            applications = applications.filter(leading_industry=industry)
        counted = Counter(applications.values_list("status", flat=True))
        counts = [
            (status.value, str(status.label), counted[status.value])
            for status in ApplicationStatus
            if counted[status.value]
        ]
        found.append(Pipeline(call, counts))
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
