"""Reads of datasets, runs and candidates, scoped to what the user may see (outside it: a 404)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.accounts.selectors import counties_in
from smecluster.apps.discovery.models import Candidate, Dataset, DiscoveryRun


def datasets_for(user: User) -> QuerySet[Dataset]:
    """The ministry: all. Province admins and city officers: their province's and the national ones."""
    datasets = Dataset.objects.select_related("province", "uploaded_by")
    if user.role == Role.MINISTRY_ADMIN:
        return datasets
    if user.role in (Role.PROVINCE_ADMIN, Role.CITY_OFFICER):
        return datasets.filter(Q(province__isnull=True) | Q(province=user.jurisdiction.province_code))
    return datasets.none()


def runs_for(user: User) -> QuerySet[DiscoveryRun]:
    """The ministry: all. Province admins and city officers: the runs scoped to their province."""
    runs = DiscoveryRun.objects.select_related("dataset", "province", "run_by")
    if user.role == Role.MINISTRY_ADMIN:
        return runs
    if user.role in (Role.PROVINCE_ADMIN, Role.CITY_OFFICER):
        return runs.filter(province=user.jurisdiction.province_code)
    return runs.none()


def candidates_for(user: User, run: DiscoveryRun) -> QuerySet[Candidate]:
    """A run's candidates the user may see: a city officer only their city's counties."""
    candidates = run.candidates.select_related("pool_entry")
    if user.role == Role.CITY_OFFICER:
        return candidates.filter(county_code__in=counties_in(user.jurisdiction).values("code"))
    if user.role in (Role.PROVINCE_ADMIN, Role.MINISTRY_ADMIN):
        return candidates
    return candidates.none()
