"""A recognized cluster's plan targets (login): add, edit and delete while the targets are not locked.

Each view: find the record within the user's reach (404 otherwise, so existence is not disclosed), check
permission (403 with the reason), parse the form, call the service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smecluster.apps.registry.forms import (
    PlanTargetForm,
)
from smecluster.apps.registry.models import ClusterPlanTarget
from smecluster.apps.registry.permissions import (
    can_edit_plan_targets,
)
from smecluster.apps.registry.selectors import cluster_record_for, plan_target_for
from smecluster.apps.registry.services import plan_targets
from smecluster.apps.registry.views.clusters import cluster_in_reach, cluster_page
from smecluster.site.http import AuthenticatedRequest, errors_onto_form, reach_or_404


@login_required
@require_POST
def plan_target_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cluster = cluster_in_reach(request, pk)
    can_edit_plan_targets(request.user, cluster, plan_targets.targets_locked(cluster)).enforce()
    form = PlanTargetForm(request.POST)
    if form.is_valid():
        try:
            plan_targets.plan_target_save(actor=request.user, cluster=cluster, values=form.cleaned_data)
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("已保存发展规划目标"))
            return redirect("registry:cluster", cluster.pk)
    return cluster_page(request, cluster, form, status=400)


def _target(request: AuthenticatedRequest, pk: int) -> ClusterPlanTarget:
    return reach_or_404(plan_target_for, request.user, pk, _("没有这个目标，或它不在您的辖区内"))


@login_required
@require_http_methods(["GET", "POST"])
def plan_target_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    cluster = cluster_record_for(request.user, target.cluster_id)
    can_edit_plan_targets(request.user, cluster, plan_targets.targets_locked(cluster)).enforce()
    if request.method == "POST":
        form = PlanTargetForm(request.POST)
        if form.is_valid():
            try:
                plan_targets.plan_target_save(
                    actor=request.user, cluster=cluster, values=form.cleaned_data, target=target
                )
            except ValidationError as error:
                errors_onto_form(form, error)
            else:
                messages.success(request, _("已保存发展规划目标"))
                return redirect("registry:cluster", cluster.pk)
    else:
        form = PlanTargetForm(initial={field: getattr(target, field) for field in plan_targets.TARGET_FIELDS})
    return render(
        request, "registry/plan_target_edit.html", {"cluster": cluster, "target": target, "form": form}
    )


@login_required
@require_POST
def plan_target_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    plan_targets.plan_target_delete(actor=request.user, target=target)
    messages.success(request, _("已删除发展规划目标"))
    return redirect("registry:cluster", target.cluster_id)
