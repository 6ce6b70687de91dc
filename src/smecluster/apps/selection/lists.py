"""The columns of the owner's screening list and of the expert pool: what each list's search box looks in
and how each column sorts (``site.list_query``). Their rows are built in Python (a screening row carries
the rule set's verdict, an expert row the counts of their assignments), so each column names a row's value
and the search a row's text."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from smecluster.apps.applications.models import Application
from smecluster.apps.selection.pages import AssignmentRow, PoolRow, ScreeningRow
from smecluster.site.list_query import Column, ListSpec


def _application_words(application: Application) -> list[str]:
    """What a search finds an application by: number, name, leading industry, county (full name and code)."""
    county = application.county
    return [
        application.number,
        application.name,
        application.leading_industry,
        county.full_name(),
        county.code,
    ]


def _screening_text(row: ScreeningRow) -> str:
    return " ".join(_application_words(row.application))


def _screening_decision(row: ScreeningRow) -> int:
    """Waiting first, then passed, then not passed."""
    if row.screening is None:
        return 0
    return 1 if row.screening.goes_on else 2


SCREENING = ListSpec(
    columns=(
        Column(_("申报"), "number", value=lambda row: row.application.number),
        Column(_("申报县"), "place", value=lambda row: row.application.county.code),
        Column(
            _("规则集评估"), "outcome", value=lambda row: (row.check.flagged, str(row.check.outcome_label))
        ),
        Column(_("未满足的条件"), "failing", value=lambda row: len(row.check.failing)),
        Column(_("审核意见"), "decision", value=_screening_decision),
        Column(""),
    ),
    row_text=_screening_text,
)


def _expert_text(row: PoolRow) -> str:
    expert = row.expert
    profile = row.profile
    return " ".join(
        [
            expert.get_full_name(),
            expert.username,
            expert.jurisdiction.full_name(),
            expert.jurisdiction.code,
            profile.organization if profile else "",
            profile.fields if profile else "",
        ]
    )


def _expert_state(row: PoolRow) -> int:
    """In the pool, then paused, then without a profile."""
    if row.profile is None:
        return 2
    return 0 if row.profile.active else 1


EXPERTS = ListSpec(
    columns=(
        Column(_("专家"), "name", value=lambda row: row.expert.get_full_name() or row.expert.username),
        Column(_("所在地"), "place", value=lambda row: row.expert.jurisdiction.code),
        Column(
            _("工作单位"), "organization", value=lambda row: row.profile.organization if row.profile else None
        ),
        Column(_("专业领域"), "fields", value=lambda row: row.profile.fields if row.profile else None),
        Column(_("状态"), "state", value=_expert_state),
        Column(
            _("未完成 / 已提交的评审"), "assignments", value=lambda row: (row.open_assignments, row.submitted)
        ),
        Column(_("申明的利益关系"), "relations", value=lambda row: row.relations),
        Column(""),
    ),
    row_text=_expert_text,
    placeholder=_("姓名、用户名、所在地、单位或专业领域"),
)


def _assignment_text(row: AssignmentRow) -> str:
    experts = [
        assignment.expert.get_full_name() or assignment.expert.username for assignment in row.assignments
    ]
    return " ".join([*_application_words(row.application), *experts])


ASSIGNMENTS = ListSpec(
    columns=(),  # one card per application, in number order: searched, not sorted
    row_text=_assignment_text,
    placeholder=_("申报编号、名称、地区或专家姓名"),
)
