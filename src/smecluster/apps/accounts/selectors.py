"""Reads scoped to what a user may see. Every list of records goes through these, never a bare queryset."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from smecluster.apps.accounts.models import Jurisdiction, Level, Role, User
from smecluster.reference.offices import office


def counties_in(jurisdiction: Jurisdiction) -> QuerySet[Jurisdiction]:
    """The county-level divisions inside a jurisdiction (itself, when it is one)."""
    counties = Jurisdiction.objects.filter(level=Level.COUNTY)
    if jurisdiction.level == Level.COUNTY:
        return counties.filter(code=jurisdiction.code)
    if (beyond := office(jurisdiction.code)) is not None:
        return counties.filter(code__in=beyond.covers)
    if jurisdiction.level == Level.CITY:
        return counties.filter(parent=jurisdiction)
    return counties.filter(code__startswith=jurisdiction.code[:2])


def county_scope(user: User, field: str = "county") -> Q:
    """A filter on ``field`` (a foreign key to a county) that keeps only rows in the user's jurisdiction.

    County officers see their county; city officers the counties under their city; province admins their
    province. Operators and experts see nothing by jurisdiction: an operator sees what it is bound to operate
    (``applications.permissions.application_reach``, ``registry.reach.cluster_reach``), an expert what it is
    assigned.
    """
    jurisdiction = user.jurisdiction
    if user.role == Role.COUNTY_OFFICER:
        return Q(**{field: jurisdiction.code})
    if user.role == Role.CITY_OFFICER:
        if (beyond := office(jurisdiction.code)) is not None:
            # An office GB/T 2260 has no division for (the XPCC): the divisions its reference data lists.
            return Q(**{f"{field}__code__in": beyond.covers})
        return Q(**{f"{field}__parent": jurisdiction.code})
    if user.role == Role.PROVINCE_ADMIN:
        return Q(**{f"{field}__code__startswith": jurisdiction.code[:2]})
    if user.role == Role.MINISTRY_ADMIN:
        return Q(**{f"{field}__isnull": False})
    return Q(pk__in=[])


def cities_of(user: User) -> QuerySet[Jurisdiction]:
    cities = Jurisdiction.objects.filter(level=Level.CITY)
    if user.role == Role.PROVINCE_ADMIN:
        return cities.filter(code__startswith=user.jurisdiction.code[:2])
    if user.role == Role.CITY_OFFICER:
        return cities.filter(code=user.jurisdiction.code)
    return cities.none()
