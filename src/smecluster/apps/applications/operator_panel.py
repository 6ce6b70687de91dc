"""The "集群运营管理机构账号" panel of an application's and a recognized cluster's page: who operates it, and
for the county officer the form that binds or unbinds one of its county's operator accounts. The writes
are the services' (``applications.services.application_operator_add`` …, ``registry.services.operators``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.forms import OperatorBindingForm
from smecluster.apps.applications.permissions import can_bind_operators
from smecluster.site.http import AuthenticatedRequest

Binder = Callable[[User], None]


def operators_panel(user: User, county: str, operators: QuerySet[User], url: str) -> dict[str, Any]:
    """The panel's template context (``_operators.html``)."""
    form = OperatorBindingForm(county=county) if can_bind_operators(user, county) else None
    return {"operators": list(operators.order_by("username")), "operator_form": form, "operators_url": url}


def bind_from_post(
    request: AuthenticatedRequest, county: str, *, add: Binder, remove: Binder, page: str
) -> HttpResponse:
    """Apply the panel's form: ``add`` or ``remove`` the chosen operator (each a service call that checks
    the county officer's permission and writes the audit event), then back to ``page``."""
    can_bind_operators(request.user, county).enforce()
    form = OperatorBindingForm(request.POST, county=county)
    if form.is_valid():
        operator: User = form.cleaned_data["operator"]
        (remove if form.cleaned_data["remove"] else add)(operator)
    return redirect(f"{page}#operators")
