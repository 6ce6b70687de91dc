"""The columns of the four lists of dynamic management (clusters in reach, major changes, the incident
register, revocation proposals): what each list's search box looks in and how each column sorts
(``site.list_query``). The page, its header links and its downloads read the same spec."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Expression, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from smecluster.apps.oversight.models import ClusterIncident, MajorChange, RevocationProposal
from smecluster.apps.oversight.selectors import PENDING_CHANGE
from smecluster.site.list_query import Column, ListSpec


def _count_per_cluster(rows: Any) -> Expression:
    """How many of ``rows`` belong to the listed cluster (0 when none): a column that sorts by a count."""
    counted = (
        rows.filter(cluster=OuterRef("pk")).order_by().values("cluster").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


CLUSTERS = ListSpec(
    columns=(
        Column(_("认定编号"), "number", ("number",)),
        Column(_("集群名称"), "name", ("name",)),
        Column(_("所在地"), "place", ("county__code",)),
        Column(_("有效期止"), "valid_until", ("valid_until",)),
        Column(_("状态"), "status", ("status",)),
        Column(
            _("待决定的撤销建议"),
            "proposals",
            (_count_per_cluster(RevocationProposal.objects.filter(status=RevocationProposal.Status.OPEN)),),
        ),
        Column(
            _("办理中的变动报备"),
            "changes",
            (_count_per_cluster(MajorChange.objects.filter(status__in=PENDING_CHANGE)),),
        ),
        Column(_("登记事件"), "incidents", (_count_per_cluster(ClusterIncident.objects.all()),)),
    ),
    text_fields=("name", "number", "leading_industry"),
    place="county",
)

CHANGES = ListSpec(
    columns=(
        Column(_("变动生效日期"), "effective_on", ("effective_on",)),
        Column(_("集群"), "cluster", ("cluster__number",)),
        Column(_("所在县"), "place", ("cluster__county__code",)),
        Column(_("变动事项"), "kind", ("kind",)),
        Column(_("报备情况"), "filing", ("late",)),
        Column(_("报备截止日"), "filing_due_on", ("filing_due_on",)),
        Column(_("状态"), "status", ("status",)),
    ),
    text_fields=("cluster__name", "cluster__number"),
    place="cluster__county",
)

INCIDENTS = ListSpec(
    columns=(
        Column(_("发生日期"), "occurred_on", ("occurred_on",)),
        Column(_("集群"), "cluster", ("cluster__number",)),
        Column(_("所在县"), "place", ("cluster__county__code",)),
        Column(_("集群状态"), "cluster_status", ("cluster__status",)),
        Column(_("事件类别"), "kind", ("kind",)),
        Column(_("等级"), "level", ("level",)),
        Column(_("信息来源"), "source", ("source",)),
        Column(_("达到撤销情形"), "meets_threshold", ("meets_threshold",)),
        Column(_("提出撤销建议"), "proposes", ("proposes",)),
    ),
    text_fields=("cluster__name", "cluster__number", "source", "description"),
    place="cluster__county",
    placeholder=_("集群名称、编号、地区或事件信息"),
)

PROPOSALS = ListSpec(
    columns=(
        Column(_("提出日期"), "proposed_on", ("proposed_on",)),
        Column(_("集群"), "cluster", ("cluster__number",)),
        Column(_("情形"), "case", ("case",)),
        Column(_("条款"), "article", ("article",)),
        Column(_("事实与理由"), "grounds", ("grounds",)),
        Column(_("状态"), "status", ("status",)),
    ),
    text_fields=("cluster__name", "cluster__number", "grounds"),
    place="cluster__county",
)
