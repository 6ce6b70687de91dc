"""Reads of applications, always scoped to what the user may see (a county never sees another's)."""

from __future__ import annotations

from django.db.models import IntegerField, Q, QuerySet, Value

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application, ApplicationVersion, EvidenceFile
from smecluster.apps.applications.permissions import application_reach, can_view
from smecluster.apps.applications.workflow import RECOMMENDED_OR_LATER
from smecluster.apps.programmes.models import PoolEntry, YearlyCall
from smecluster.apps.programmes.recommenders import covered_by, recommending_office, separately_listed_in


def applications_visible_to(user: User) -> QuerySet[Application]:
    """Every application in the user's reach (``permissions.application_reach``, the same rule as details).
    Each carries ``in_reach_of``, the user's id: fetched through the reach itself, it need not be asked
    about again (``permissions.can_view``; the task lists ask every guard of every application)."""
    return (
        Application.objects.filter(application_reach(user))
        .annotate(in_reach_of=Value(user.pk, output_field=IntegerField()))
        .select_related("county__parent", "call__programme")
    )


def application_list(
    user: User, *, status: str | None = None, call_id: int | None = None
) -> QuerySet[Application]:
    """The list page and its CSV export: the user's applications, optionally of one status and one call."""
    applications = applications_visible_to(user)
    if status:
        applications = applications.filter(status=status)
    if call_id is not None:
        applications = applications.filter(call_id=call_id)
    return applications.order_by("-updated_at", "-pk")


def application_for(actor: User, pk: int) -> Application:
    """An application the actor may see, or :class:`Application.DoesNotExist` (a 404, not a 403)."""
    application = Application.objects.select_related("county__parent", "call__programme").get(pk=pk)
    if not can_view(actor, application):
        raise Application.DoesNotExist
    return application


def evidence_for(actor: User, pk: int) -> EvidenceFile:
    """An evidence file of an application the actor may see, or :class:`EvidenceFile.DoesNotExist`."""
    evidence = EvidenceFile.objects.select_related("application__county").get(pk=pk)
    if not can_view(actor, evidence.application):
        raise EvidenceFile.DoesNotExist
    return evidence


def pool_entries_for(actor: User) -> QuerySet[PoolEntry]:
    """The cultivation-pool entries a county may apply with: its own, in its city's pool."""
    county = actor.jurisdiction
    return PoolEntry.objects.filter(city=county.parent_id, county=county.code).order_by("name")


def calls_with_applications(user: User) -> QuerySet[YearlyCall]:
    """The calls the user's visible applications belong to: the choices of the list page's filter."""
    return (
        YearlyCall.objects.filter(applications__in=applications_visible_to(user))
        .distinct()
        .select_related("programme")
        .order_by("-year", "programme__name")
    )


def recommender_jurisdiction(application: Application) -> str:
    """The code of the office that recommends this application: its city, or its province when the
    programme's chain goes county → province (the national programme), or the separately listed city
    (计划单列市) it applies through."""
    return recommending_office(application.call.programme, application.county).jurisdiction


def same_recommender(application: Application) -> Q:
    """Applications of the same call recommended by the same office: they share its quota."""
    programme = application.call.programme
    office = recommending_office(programme, application.county)
    if office.in_place_of_city is not None:
        # The county (东莞) is its own city at the recommending level: its quota is its own.
        return Q(call=application.call, county=office.in_place_of_city)
    if office.separately_listed is not None:
        # A 计划单列市 or the XPCC: the counties it covers, wherever GB/T 2260 files them.
        return Q(call=application.call) & covered_by(office.separately_listed)
    if not office.is_province:
        return Q(call=application.call) & Q(county__parent=office.jurisdiction)
    where = Q(county__code__startswith=office.jurisdiction[:2])
    for unit in separately_listed_in(programme, office.jurisdiction):
        # Its districts recommend through it, under its own quota: not the province's.
        where &= ~covered_by(unit)
    return Q(call=application.call) & where


def recommended_by_same_office(application: Application) -> QuerySet[Application]:
    return Application.objects.filter(same_recommender(application), status__in=RECOMMENDED_OR_LATER)


def signed_pledge(application: Application) -> ApplicationVersion | None:
    """The latest submitted version that carries the declaring department's signed 承诺书: what the
    application PDF prints and a revocation for 虚假申报 points to."""
    return application.versions.exclude(pledged_at=None).order_by("-number").first()
