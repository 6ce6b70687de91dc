"""Reads of applications, always scoped to what the user may see (a county never sees another's)."""

from __future__ import annotations

from django.db.models import QuerySet

from smecluster.apps.accounts.models import User
from smecluster.apps.accounts.selectors import county_scope
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.permissions import can_view


def applications_visible_to(user: User) -> QuerySet[Application]:
    return Application.objects.filter(county_scope(user)).select_related("county__parent", "call__programme")


def application_for(actor: User, pk: int) -> Application:
    """An application the actor may see, or :class:`Application.DoesNotExist` (a 404, not a 403)."""
    application = Application.objects.select_related("county", "call__programme").get(pk=pk)
    if not can_view(actor, application):
        raise Application.DoesNotExist
    return application
