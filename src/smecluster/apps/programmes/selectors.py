"""Reads of programmes, calls and the cultivation pool, scoped to what the user may see."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from smecluster.apps.accounts.models import (
    DevelopmentZone,
    Jurisdiction,
    Level,
    Role,
    User,
    division_prefix,
    enclosing_codes,
)
from smecluster.apps.programmes.models import PoolEntry, Programme, YearlyCall
from smecluster.apps.programmes.permissions import can_configure
from smecluster.reference.divisions import county_level_cities


def programme_reach(user: User, field: str = "owner") -> Q:
    """The ONE reach of programmes (``field`` is the path to their owner): the national ones (no owner),
    those owned by a division containing the user's (their province's, their city's, their own), and those
    owned inside the user's jurisdiction (a province reads its cities' 市级集群 programmes). A city's
    programme thus reaches that city's counties only."""
    code = user.jurisdiction_id
    return (
        Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__in": sorted(enclosing_codes(code))})
        | Q(**{f"{field}__code__startswith": division_prefix(code)})
    )


def calls_for(user: User) -> QuerySet[YearlyCall]:
    """The calls of programmes that reach the user (:func:`programme_reach`)."""
    return YearlyCall.objects.filter(programme_reach(user, "programme__owner")).select_related("programme")


def open_calls_for(user: User) -> QuerySet[YearlyCall]:
    today = timezone.localdate()
    return calls_for(user).filter(opens_on__lte=today, closes_on__gte=today)


def programmes_visible_to(user: User) -> QuerySet[Programme]:
    """For the offices that own programmes (province admins, city officers): the programmes in their reach,
    each with its calls."""
    if not can_configure(user):
        return Programme.objects.none()
    return (
        Programme.objects.filter(programme_reach(user))
        .select_related("owner")
        .prefetch_related(Prefetch("calls", queryset=YearlyCall.objects.order_by("-year")))
        .order_by("owner_level", "name", "pk")
    )


def programme_for(user: User, pk: int) -> Programme:
    """A programme the user may see, or :class:`Programme.DoesNotExist` (a 404)."""
    return programmes_visible_to(user).get(pk=pk)


def call_for(user: User, pk: int) -> YearlyCall:
    """A call of a programme the user may see, or :class:`YearlyCall.DoesNotExist` (a 404)."""
    if not can_configure(user):
        raise YearlyCall.DoesNotExist
    return calls_for(user).get(pk=pk)


def active_calls_for(user: User, today: date | None = None) -> QuerySet[YearlyCall]:
    """Calls open now or whose later deadlines have not yet passed: what the dashboard counts down to."""
    today = today or timezone.localdate()
    return (
        calls_for(user)
        .filter(opens_on__lte=today)
        .filter(
            Q(closes_on__gte=today)
            | Q(city_deadline__gte=today)
            | Q(province_deadline__isnull=False, province_deadline__gte=today)
        )
        .order_by("closes_on", "pk")
    )


def pool_entries_for(user: User, city: str = "") -> QuerySet[PoolEntry]:
    """City officers: their city's pool. Province admins: every city of the province, or the one chosen."""
    entries = PoolEntry.objects.select_related("city", "county")
    if user.role == Role.CITY_OFFICER:
        return entries.filter(city=user.jurisdiction_id)
    if user.role == Role.PROVINCE_ADMIN:
        entries = entries.filter(city__code__startswith=user.jurisdiction_id[:2])
        return entries.filter(city=city) if city else entries
    return entries.none()


def pool_entry_for(user: User, pk: int) -> PoolEntry:
    """An entry the user may see, or :class:`PoolEntry.DoesNotExist` (a 404)."""
    return pool_entries_for(user).get(pk=pk)


def declarable_divisions(province: str) -> QuerySet[Jurisdiction]:
    """The divisions of a province a cluster is declared under: its counties and its 不设区的地级市."""
    return Jurisdiction.objects.filter(
        Q(level=Level.COUNTY) | Q(code__in=list(county_level_cities())), code__startswith=province[:2]
    ).order_by("code")


def zones_of_province(user: User) -> QuerySet[DevelopmentZone]:
    """The development zones spanning divisions of the user's province, each with its divisions."""
    return (
        DevelopmentZone.objects.filter(counties__code__startswith=user.jurisdiction_id[:2])
        .distinct()
        .prefetch_related("counties")
        .order_by("name")
    )
