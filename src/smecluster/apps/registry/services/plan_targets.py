"""The three-year development-plan targets of a recognized cluster (三年发展规划目标): their writes and the
progress read from annual reports.

The county (or the operator) enters the targets of the development plan submitted with the application,
each on a metric of ``registry.metrics.METRICS``. Once the province has received the first annual report
the targets are locked: progress and re-review are then judged against what was promised, not against a
target adjusted afterwards. Every change is audited with the values before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.registry.metrics import METRICS, TargetProgress, progress
from smecluster.apps.registry.models import AnnualReport, ClusterPlanTarget, RecognizedCluster
from smecluster.apps.registry.permissions import can_edit_plan_targets
from smecluster.apps.registry.services.annual_reports import report_figures

TARGET_FIELDS = ("metric", "baseline_year", "baseline_value", "target_value", "target_year", "note")


def targets_locked(cluster: RecognizedCluster) -> bool:
    """Locked once the first annual report is received."""
    return cluster.annual_reports.filter(status=AnnualReport.Status.RECEIVED).exists()


def _plain(target: ClusterPlanTarget) -> dict[str, Any]:
    return {
        field: str(value) if isinstance(value := getattr(target, field), Decimal) else value
        for field in TARGET_FIELDS
    }


def _check(cluster: RecognizedCluster, values: dict[str, Any], exclude: int | None) -> None:
    problems: dict[str, str] = {}
    same_metric = cluster.plan_targets.filter(metric=values["metric"])
    if exclude is not None:  # editing: the target itself is not a duplicate
        same_metric = same_metric.exclude(pk=exclude)
    if values["metric"] not in METRICS:
        problems["metric"] = _("请从指标目录中选择")
    elif same_metric.exists():
        problems["metric"] = _("该指标已设定目标；请修改原目标")
    if values["target_year"] < values["baseline_year"]:
        problems["target_year"] = _("目标年不得早于基准年")
    if values["target_year"] > cluster.valid_until.year:
        problems["target_year"] = _("目标年不得晚于有效期届满之年（%(year)s年）") % {
            "year": cluster.valid_until.year
        }
    if values["baseline_year"] > cluster.recognized_on.year:
        problems["baseline_year"] = _("基准年不得晚于认定之年（%(year)s年）") % {
            "year": cluster.recognized_on.year
        }
    if problems:
        raise ValidationError(problems)


def _lock(actor: User, cluster: RecognizedCluster) -> RecognizedCluster:
    cluster = (
        RecognizedCluster.objects.select_for_update(of=("self",))
        .select_related("county__parent", "programme")
        .get(pk=cluster.pk)
    )
    can_edit_plan_targets(actor, cluster, targets_locked(cluster)).enforce()
    return cluster


@transaction.atomic
def plan_target_save(
    *,
    actor: User,
    cluster: RecognizedCluster,
    values: dict[str, Any],
    target: ClusterPlanTarget | None = None,
) -> ClusterPlanTarget:
    """Add a target, or change ``target``; refused (403) once the targets are locked."""
    cluster = _lock(actor, cluster)
    values = {field: values.get(field, "" if field == "note" else None) for field in TARGET_FIELDS}
    values["note"] = (values["note"] or "").strip()
    _check(cluster, values, target.pk if target else None)
    before = _plain(target) if target else None
    if target is None:
        target = ClusterPlanTarget(cluster=cluster)
    elif target.cluster_id != cluster.pk:
        raise ValidationError(_("该目标不属于这个集群"))
    for field, value in values.items():
        setattr(target, field, value)
    target.save()
    audit_record(
        actor=actor,
        action=actions.PLAN_TARGET_UPDATE if before else actions.PLAN_TARGET_CREATE,
        target=cluster,
        before=before,
        after={"id": target.pk, **_plain(target)},
    )
    return target


@transaction.atomic
def plan_target_delete(*, actor: User, target: ClusterPlanTarget) -> None:
    cluster = _lock(actor, target.cluster)
    audit_record(
        actor=actor,
        action=actions.PLAN_TARGET_DELETE,
        target=cluster,
        before={"id": target.pk, **_plain(target)},
    )
    target.delete()


# --- progress --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetLine:
    target: ClusterPlanTarget
    progress: TargetProgress
    note: str = ""


def progress_against(report: AnnualReport) -> list[TargetLine]:
    """Each plan target against this report's own figures, with the county's note on it."""
    figures = report_figures(report)
    return [
        TargetLine(target, _progress(target, figures), report.target_notes.get(str(target.pk), ""))
        for target in report.cluster.plan_targets.all()
    ]


def latest_received(cluster: RecognizedCluster) -> AnnualReport | None:
    return (
        cluster.annual_reports.filter(status=AnnualReport.Status.RECEIVED, figures__isnull=False)
        .order_by("-year")
        .first()
    )


def achievement(cluster: RecognizedCluster) -> tuple[AnnualReport | None, list[TargetLine]]:
    """Each plan target against the latest received annual report: what the re-review judges."""
    report = latest_received(cluster)
    figures = report_figures(report) if report is not None else None
    return report, [TargetLine(target, _progress(target, figures)) for target in cluster.plan_targets.all()]


def _progress(target: ClusterPlanTarget, figures: Any) -> TargetProgress:
    return progress(
        metric_key=target.metric,
        baseline_year=target.baseline_year,
        baseline_value=target.baseline_value,
        target_value=target.target_value,
        target_year=target.target_year,
        figures=figures,
    )
