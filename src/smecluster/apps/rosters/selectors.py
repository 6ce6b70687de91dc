"""Reads of rosters, always scoped: a roster outside the user's jurisdiction is a 404, not a 403."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.permissions import application_reach
from smecluster.apps.applications.selectors import application_for
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.reach import cluster_reach
from smecluster.apps.rosters.models import Roster, RosterEnterprise, RosterVersion
from smecluster.apps.rosters.permissions import can_view_application_roster, can_view_cluster_roster


def application_with_roster_for(actor: User, pk: int) -> Application:
    """An application whose roster the actor may read, or :class:`Application.DoesNotExist`."""
    application = application_for(actor, pk)
    if not can_view_application_roster(actor, application):
        raise Application.DoesNotExist
    return application


def cluster_for(actor: User, pk: int) -> RecognizedCluster:
    """A recognized cluster whose rosters the actor may read, or :class:`RecognizedCluster.DoesNotExist`."""
    cluster = RecognizedCluster.objects.select_related("county__parent", "programme").get(pk=pk)
    if not can_view_cluster_roster(actor, cluster):
        raise RecognizedCluster.DoesNotExist
    return cluster


def _roster_scope(user: User) -> Q:
    """The same reach as :func:`can_view_application_roster` and :func:`can_view_cluster_roster`."""
    if user.role == Role.EXPERT:
        return Q(pk__in=[])
    return Q(application__in=Application.objects.filter(application_reach(user))) | cluster_reach(
        user, "cluster__"
    )


def rosters_visible_to(user: User) -> QuerySet[Roster]:
    return Roster.objects.filter(_roster_scope(user)).select_related(
        "application__call", "cluster", "county__parent"
    )


def roster_list(user: User, *, year: int | None = None, kind: str | None = None) -> QuerySet[Roster]:
    """The roster list page and its downloads: the user's rosters, optionally of one year and one kind
    (``application`` or ``cluster``), each with its current version."""
    rosters = rosters_visible_to(user).filter(versions__isnull=False).distinct()
    if year is not None:
        rosters = rosters.filter(year=year)
    if kind == "application":
        rosters = rosters.filter(application__isnull=False)
    elif kind == "cluster":
        rosters = rosters.filter(cluster__isnull=False)
    return rosters.select_related("application", "cluster", "county").order_by("-year", "county_id", "pk")


def roster_of_application(application: Application) -> Roster | None:
    return Roster.objects.filter(application=application).first()


def roster_of_cluster(cluster: RecognizedCluster, year: int) -> Roster | None:
    return Roster.objects.filter(cluster=cluster, year=year).first()


def current_version(roster: Roster | None) -> RosterVersion | None:
    if roster is None:
        return None
    return roster.versions.select_related("uploaded_by").order_by("-number").first()


def versions_of(roster: Roster | None) -> QuerySet[RosterVersion]:
    if roster is None:
        return RosterVersion.objects.none()
    return roster.versions.select_related("uploaded_by").order_by("-number")


def version_for(actor: User, pk: int) -> RosterVersion:
    """A version of a roster the actor may read, or :class:`RosterVersion.DoesNotExist`."""
    version = RosterVersion.objects.select_related(
        "roster__application__call__programme", "roster__application__county",
        "roster__cluster__programme", "roster__cluster__county", "uploaded_by",
    ).get(pk=pk)  # fmt: skip
    roster = version.roster
    owner = roster.owner
    if isinstance(owner, Application):
        allowed = can_view_application_roster(actor, owner)
    else:
        allowed = can_view_cluster_roster(actor, owner)
    if not allowed:
        raise RosterVersion.DoesNotExist
    return version


def enterprises_of(version: RosterVersion) -> QuerySet[RosterEnterprise]:
    return version.enterprises.order_by("line")


def clusters_visible_to(user: User) -> QuerySet[RecognizedCluster]:
    """Recognized clusters whose yearly rosters the user may open (the roster list links them)."""
    return (
        RecognizedCluster.objects.filter(cluster_reach(user))
        .select_related("county")
        .order_by("-year", "number")
    )
