"""A recognized cluster's record (login): validity, plan targets with their achievement, annual reports and
re-reviews. Find the record within the user's reach (404 otherwise, so existence is not disclosed).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smecluster.apps.applications.operator_panel import bind_from_post, operators_panel
from smecluster.apps.applications.services import today_in_china
from smecluster.apps.registry.forms import (
    PlanTargetForm,
)
from smecluster.apps.registry.metrics import default_target_year
from smecluster.apps.registry.models import (
    RecognizedCluster,
)
from smecluster.apps.registry.permissions import (
    can_edit_plan_targets,
)
from smecluster.apps.registry.selectors import (
    cluster_record_for,
)
from smecluster.apps.registry.services import assessments, operators, plan_targets
from smecluster.site.http import AuthenticatedRequest, reach_or_404

# --- a cluster's record and its plan targets -------------------------------------------------------


def cluster_in_reach(request: AuthenticatedRequest, pk: int) -> RecognizedCluster:
    return reach_or_404(cluster_record_for, request.user, pk, _("没有这个集群，或它不在您的辖区内"))


@login_required
@require_GET
def cluster_record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cluster = cluster_in_reach(request, pk)
    return cluster_page(request, cluster, PlanTargetForm(initial=_target_initial(cluster)))


def _target_initial(cluster: RecognizedCluster) -> dict[str, Any]:
    return {
        "baseline_year": cluster.recognized_on.year - 1,
        "target_year": default_target_year(cluster.valid_until),
    }


def cluster_page(
    request: AuthenticatedRequest, cluster: RecognizedCluster, form: PlanTargetForm, status: int = 200
) -> HttpResponse:
    locked = plan_targets.targets_locked(cluster)
    latest, lines = plan_targets.achievement(cluster)
    return render(
        request,
        "registry/cluster_record.html",
        {
            "cluster": cluster,
            "lines": lines,
            "latest": latest,
            "locked": locked,
            "can_edit_targets": bool(can_edit_plan_targets(request.user, cluster, locked)),
            "target_form": form,
            # An imported cluster has no application, hence no targets declared with one.
            "declared_targets": cluster.application.targets.all() if cluster.application else [],
            "reports": cluster.annual_reports.order_by("-year"),
            "re_reviews": cluster.re_reviews.order_by("-period_valid_until"),
            "assessment_rows": assessments.assessment_rows(cluster, today_in_china()),
            "assessments_title": _("年度考核"),
            **operators_panel(
                request.user,
                cluster.county_id,
                cluster.operators.all(),
                reverse("registry:cluster_operators", args=[cluster.pk]),
            ),
        },
        status=status,
    )


@login_required
@require_POST
def cluster_operators(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The county officer binds or unbinds an operator account (the panel of the cluster's page)."""
    cluster = cluster_in_reach(request, pk)
    return bind_from_post(
        request,
        cluster.county_id,
        add=lambda operator: operators.cluster_operator_add(
            actor=request.user, cluster=cluster, operator=operator
        ),
        remove=lambda operator: operators.cluster_operator_remove(
            actor=request.user, cluster=cluster, operator=operator
        ),
        page=cluster.get_absolute_url(),
    )
