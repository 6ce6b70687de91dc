"""The roster list's columns: what its search box looks in (the owner's name and number, the county) and
how each column sorts (``site.list_query``); the columns of the current version sort by a subquery of the
roster's latest version."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from smecluster.apps.rosters.models import RosterVersion
from smecluster.site.list_query import Column, ListSpec


def _latest(field: str) -> Subquery:
    """``field`` of the roster's current (highest-numbered) version."""
    return Subquery(RosterVersion.objects.filter(roster=OuterRef("pk")).order_by("-number").values(field)[:1])


ROSTERS = ListSpec(
    columns=(
        Column(_("集群或申报名称"), "name", (Coalesce("cluster__name", "application__name"),)),
        Column(_("类别"), "kind", ("application",)),
        Column(_("县级区划"), "place", ("county__code",)),
        Column(_("名册年度"), "year", ("year",)),
        Column(_("当前版本"), "version", (_latest("number"),)),
        Column(_("企业数（家）"), "firms", (_latest("row_count"),)),
        Column(_("导入时间"), "uploaded_at", (_latest("uploaded_at"),)),
    ),
    text_fields=("cluster__name", "cluster__number", "application__name", "application__number"),
    place="county",
)
