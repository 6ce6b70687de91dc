"""Which recognized clusters a user may see: the ONE definition of a cluster's reach.

Every record hanging off a cluster (plan targets, annual reports, re-reviews, major changes, incidents,
revocation proposals, oversight evidence, yearly rosters) is filtered with :func:`cluster_reach` through the
path to its cluster, so a list, its export, a detail page, a file and an action agree on what a user sees.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.accounts.selectors import county_scope
from smecluster.apps.registry.models import RecognizedCluster

NOTHING = Q(pk__in=[])


def cluster_reach(user: User | AnonymousUser, prefix: str = "") -> Q:
    """The clusters (or, through ``prefix`` such as ``"cluster__"``, their records) ``user`` may see.

    The county officer sees its county; an operator only the clusters it is bound to operate (the county
    sets the binding, ``registry.services.operators``), never the rest of its county; the city its counties;
    the province its province; the ministry the national programme's clusters. Experts and anonymous
    visitors see none of dynamic management.
    """
    if not isinstance(user, User):
        return NOTHING
    role = user.role
    if role == Role.COUNTY_OFFICER:
        return Q(**{f"{prefix}county": user.jurisdiction_id})
    if role == Role.OPERATOR:
        # A subquery, not a join on the binding: a join would repeat rows when combined with other filters.
        operated = RecognizedCluster.operators.through.objects.filter(user=user).values(
            "recognizedcluster_id"
        )
        return Q(**{f"{prefix}pk__in": operated})
    if role == Role.CITY_OFFICER:
        # Its city's counties, or the divisions an office beyond GB/T 2260 covers (the XPCC's cities).
        return county_scope(user, f"{prefix}county")
    if role == Role.PROVINCE_ADMIN:
        return Q(**{f"{prefix}county__code__startswith": user.jurisdiction_id[:2]})
    if role == Role.MINISTRY_ADMIN:
        return Q(**{f"{prefix}programme__owner_level": "national"})
    return NOTHING


def sees_cluster(user: User, cluster: RecognizedCluster) -> bool:
    """Whether ``cluster`` is within :func:`cluster_reach` of ``user`` (a page answers 404 otherwise)."""
    return RecognizedCluster.objects.filter(cluster_reach(user), pk=cluster.pk).exists()


def cluster_county_people(cluster: RecognizedCluster) -> list[User]:
    """Who is told of a cluster's county-side business: the county's officers and the operators bound to
    this cluster (an operator is told only about what it operates)."""
    officers = User.objects.filter(
        role=Role.COUNTY_OFFICER, jurisdiction_id=cluster.county_id, is_active=True
    )
    return [*officers.order_by("pk"), *cluster.operators.filter(is_active=True).order_by("pk")]
