"""The columns of the registry's officer lists (annual reports, re-reviews, annual assessments): what each
list's search box looks in and how each column sorts (``site.list_query``). The page, its header links and
its downloads read the same spec."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from smecluster.site.list_query import Column, ListSpec

ANNUAL_REPORTS = ListSpec(
    columns=(
        Column(_("认定编号"), "number", ("cluster__number",)),
        Column(_("集群名称"), "name", ("cluster__name",)),
        Column(_("所在县"), "place", ("cluster__county__code",)),
        Column(_("报告年度"), "year", ("year",)),
        Column(_("报送截止日"), "due_on", ("due_on",)),
        Column(_("状态"), "status", ("status",)),
        # Late first when descending: a late forwarding, then an overdue flag, then the day it was sent.
        Column(_("报送情况"), "timeliness", ("late", "overdue_flagged_on", "forwarded_at")),
    ),
    text_fields=("cluster__name", "cluster__number"),
    place="cluster__county",
)

RE_REVIEWS = ListSpec(
    columns=(
        Column(_("认定编号"), "number", ("cluster__number",)),
        Column(_("集群名称"), "name", ("cluster__name",)),
        Column(_("所在县"), "place", ("cluster__county__code",)),
        Column(_("有效期止"), "valid_until", ("period_valid_until",)),
        Column(_("状态"), "status", ("status",)),
        Column(_("复核结论"), "outcome", ("outcome",)),
    ),
    text_fields=("cluster__name", "cluster__number"),
    place="cluster__county",
)

ASSESSMENTS = ListSpec(
    columns=(
        Column(_("认定编号"), "number", ("cluster__number",)),
        Column(_("集群名称"), "name", ("cluster__name",)),
        Column(_("所在县"), "place", ("cluster__county__code",)),
        Column(_("考核年度"), "year", ("year",)),
        Column(_("建议等次"), "proposed_grade", ("proposed_grade",)),
        Column(_("考核等次"), "grade", ("grade",)),
    ),
    text_fields=("cluster__name", "cluster__number"),
    place="cluster__county",
)
