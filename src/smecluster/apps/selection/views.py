"""The owner's selection pages (screening, indicators, experts, assignments, ranking, the frozen shortlist)
and the experts' pages (their reviews, declarations, scores, declared relations).

Each view: find the record within the user's reach (404 otherwise, so existence is not disclosed), check
the step's permission (403 with the reason), parse the form, call the service, show the result. Every list
answers ``?format=csv`` with its rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smecluster.analytics.scoring import canonical_json, decimal_text
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.permissions import can_view
from smecluster.apps.applications.selectors import application_for
from smecluster.apps.applications.workflow import APPLICATION
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.selection import lists, pages, selectors
from smecluster.apps.selection.forms import (
    AssignForm,
    BatchAssignForm,
    DeclarationForm,
    ExpertProfileForm,
    IndicatorFormSet,
    IndicatorSystemForm,
    RelationForm,
    ScoreForm,
    ScreenForm,
    SettingsForm,
    indicator_initial,
)
from smecluster.apps.selection.permissions import (
    OWNER_ROLES,
    can_change_review,
    can_declare,
    can_declare_relation,
    can_edit_indicators,
    can_manage_experts,
    can_own,
    can_score,
    can_see_other_scores,
    frozen,
)
from smecluster.apps.selection.services import (
    application_screen,
    assignment_create,
    assignment_declare,
    assignment_remove,
    assignments_create_suggested,
    call_settings_update,
    expert_profile_save,
    indicator_system_ensure,
    indicator_system_new_version,
    relation_declare,
    scores_save,
    screening_pass_unflagged,
    shortlist_confirm,
)
from smecluster.site.csv_export import tabular_response, wanted_download
from smecluster.site.http import AuthenticatedRequest, errors_onto_form, reach_or_404
from smecluster.site.list_query import ListQuery

# The owner's steps for one call, in the order they are taken: the tabs of every owner page.
CALL_STEPS = (
    ("selection:screening", gettext_lazy("审核")),
    ("selection:indicators", gettext_lazy("指标体系")),
    ("selection:assignments", gettext_lazy("专家分配")),
    ("selection:ranking", gettext_lazy("评分汇总与排名")),
    ("selection:shortlist", gettext_lazy("拟认定名单")),
    ("selection:settings", gettext_lazy("评审设置")),
)


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _call(request: AuthenticatedRequest, call_pk: int) -> YearlyCall:
    return reach_or_404(selectors.call_for, request.user, call_pk, _("没有这个年度申报，或它不在您的辖区内"))


def _owned_call(request: AuthenticatedRequest, call_pk: int) -> YearlyCall:
    call = _call(request, call_pk)
    can_own(request.user, call).enforce()
    return call


def _owned_application(request: AuthenticatedRequest, pk: int) -> Application:
    application = reach_or_404(application_for, request.user, pk, _("没有这份申报，或它不在您的辖区内"))
    can_own(request.user, application.call).enforce()
    return application


def _page(
    request: AuthenticatedRequest, template: str, call: YearlyCall, current: str, **context: Any
) -> HttpResponse:
    context.update(call=call, call_steps=CALL_STEPS, current=current, frozen=frozen(call))
    return render(request, template, context)


def _list_query(request: AuthenticatedRequest) -> str:
    """The list's search and sort as a query string, for its download links."""
    query = request.GET.copy()
    query.pop("format", None)
    return query.urlencode()


def _flash(request: AuthenticatedRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- the owner's calls ----------------------------------------------------------------------------


@login_required
@require_GET
def calls(request: AuthenticatedRequest) -> HttpResponse:
    if request.user.role not in OWNER_ROLES:
        raise PermissionDenied(_("评审工作台供省级管理员和工业和信息化部使用"))
    progress = pages.calls_progress(selectors.owned_calls(request.user))
    return render(request, "selection/calls.html", {"progress": progress, "call_steps": CALL_STEPS})


@login_required
@require_http_methods(["GET", "POST"])
def call_settings(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    call = _owned_call(request, call_pk)
    changing = can_change_review(request.user, call)
    # The form works on its own copy: an invalid entry must not show in the page's header as if saved.
    form = SettingsForm(request.POST or None, instance=YearlyCall.objects.get(pk=call.pk))
    if request.method == "POST":
        changing.enforce()
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in SettingsForm.Meta.fields}
            try:
                call_settings_update(actor=request.user, call=call, fields=fields)
            except ValidationError as error:
                errors_onto_form(form, error)
            else:
                messages.success(request, _("已保存评审设置"))
                return redirect("selection:settings", call_pk=call.pk)
    return _page(request, "selection/settings.html", call, "selection:settings", form=form, changing=changing)


# --- screening ------------------------------------------------------------------------------------

SCREENING_HEADER = [
    gettext_lazy("申报编号"),
    gettext_lazy("集群名称"),
    gettext_lazy("申报县"),
    gettext_lazy("所属市"),
    gettext_lazy("规则集评估结论"),
    gettext_lazy("量化或排除条件未满足"),
    gettext_lazy("未满足的条件"),
    gettext_lazy("审核意见"),
    gettext_lazy("理由"),
    gettext_lazy("审核人"),
    gettext_lazy("审核时间（北京时间）"),
]


@login_required
@require_GET
def screening(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    call = _owned_call(request, call_pk)
    listing = ListQuery.from_params(lists.SCREENING, request.GET)
    rows = listing.arrange(pages.screening_rows(call))
    if wanted_download(request):
        return tabular_response(
            request,
            f"screening-{call.year}-{call.pk}",
            SCREENING_HEADER,
            (
                [
                    row.application.number,
                    row.application.name,
                    row.application.county.name,
                    row.application.county.parent.name if row.application.county.parent else "",
                    row.check.outcome_label,
                    _("是") if row.check.flagged else _("否"),
                    "；".join(row.check.failing),
                    (_("通过") if row.screening.goes_on else _("不通过")) if row.screening else _("待审核"),
                    row.screening.reason if row.screening else "",
                    _name(row.screening.decided_by) if row.screening else "",
                    row.screening.decided_at if row.screening else "",
                ]
                for row in rows
            ),
        )
    pending = [row for row in rows if row.pending]
    return _page(
        request,
        "selection/screening.html",
        call,
        "selection:screening",
        rows=rows,
        listing=listing,
        query=_list_query(request),
        unflagged=sum(1 for row in pending if not row.check.flagged),
        flagged=sum(1 for row in pending if row.check.flagged),
        changing=can_change_review(request.user, call),
    )


@login_required
@require_POST
def screen_batch(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    call = _owned_call(request, call_pk)
    passed = screening_pass_unflagged(actor=request.user, call=call)
    messages.success(request, _("已审核通过 %(n)s 件未标记问题的申报，进入专家评审") % {"n": len(passed)})
    return redirect("selection:screening", call_pk=call.pk)


@login_required
@require_http_methods(["GET", "POST"])
def screen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _owned_application(request, pk)
    call = application.call
    stored = selectors.screening_for(application)
    check = pages.stored_check(stored) if stored else pages.screening_check(application)
    deciding = can_change_review(request.user, call)
    if deciding:
        # Screening out is always open to the owner; passing is barred by a binding shortfall (the guard).
        deciding = APPLICATION.can(request.user, "screen_out", application)
    passing = APPLICATION.can(request.user, "screen", application) if deciding else deciding
    form = ScreenForm(request.POST or None, barred="" if stored or passing else passing.reason)
    if request.method == "POST":
        deciding.enforce()
        if form.is_valid():
            try:
                application_screen(
                    actor=request.user,
                    application=application,
                    goes_on=form.goes_on,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                errors_onto_form(form, error)
            else:
                text = (
                    _("申报 %(number)s 审核通过，进入专家评审")
                    if form.goes_on
                    else _("申报 %(number)s 审核不通过")
                )
                messages.success(request, text % {"number": application.number})
                return redirect("selection:screening", call_pk=call.pk)
    return _page(
        request,
        "selection/screen.html",
        call,
        "selection:screening",
        application=application,
        check=check,
        rows=pages.verdict_rows(check.verdict),
        stored=stored,
        form=form,
        deciding=deciding,
        passing=passing,
    )


# --- the indicator system -------------------------------------------------------------------------

INDICATOR_HEADER = [
    gettext_lazy("版本"),
    gettext_lazy("维度"),
    gettext_lazy("编号"),
    gettext_lazy("指标"),
    gettext_lazy("满分（分）"),
    gettext_lazy("评分要点"),
]


@login_required
@require_http_methods(["GET", "POST"])
def indicators(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    """The call's indicator system. Looking creates nothing: before the first version the page offers the
    default as a button (``indicators_create``), and an edit posted then is saved as version 1."""
    call = _owned_call(request, call_pk)
    system = selectors.current_system(call)
    if wanted_download(request):
        return tabular_response(
            request,
            f"indicators-{call.year}-{call.pk}-v{system.version if system else 0}",
            INDICATOR_HEADER,
            (
                [
                    indicator.system.version,
                    indicator.dimension,
                    indicator.code,
                    indicator.name,
                    decimal_text(indicator.max_points),
                    indicator.guidance,
                ]
                for indicator in (system.indicators.select_related("system") if system else [])
            ),
        )
    editing = can_edit_indicators(request.user, call)
    head = formset = None
    if request.method == "POST" or request.GET.get("edit"):
        editing.enforce()
        head = IndicatorSystemForm(request.POST or None, initial={"name": system.name if system else ""})
        formset = IndicatorFormSet(
            request.POST or None,
            initial=indicator_initial(list(system.indicators.all()) if system else []),
            prefix="rows",
        )
        if request.method == "POST" and head.is_valid() and formset.is_valid():
            try:
                created = indicator_system_new_version(
                    actor=request.user,
                    call=call,
                    name=head.cleaned_data["name"],
                    note=head.cleaned_data["note"],
                    rows=formset.rows(),
                )
            except ValidationError as error:
                # A formset has no fields to attach to: the service's problems are the table's as a whole.
                formset.non_form_errors().extend(error.messages)
            else:
                messages.success(
                    request, _("已保存为第 %(version)s 版指标体系") % {"version": created.version}
                )
                return redirect("selection:indicators", call_pk=call.pk)
    return _page(
        request,
        "selection/indicators.html",
        call,
        "selection:indicators",
        system=system,
        dimensions=pages.dimensions_of(system) if system else [],
        total=selectors.system_total(system) if system else None,
        versions=selectors.system_versions(call),
        editing=editing,
        creating=can_change_review(request.user, call),
        head=head,
        formset=formset,
    )


@login_required
@require_POST
def indicators_create(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    """Adopt the default indicator system as the call's version 1 (nothing when a version exists)."""
    call = _owned_call(request, call_pk)
    had_one = selectors.current_system(call) is not None
    system = indicator_system_ensure(actor=request.user, call=call)
    if not had_one:
        messages.success(
            request, _("已建立第 %(version)s 版指标体系（系统默认）") % {"version": system.version}
        )
    return redirect("selection:indicators", call_pk=call.pk)


# --- the expert pool and declared relations -------------------------------------------------------

EXPERT_HEADER = [
    gettext_lazy("用户名"),
    gettext_lazy("姓名"),
    gettext_lazy("所在地"),
    gettext_lazy("工作单位"),
    gettext_lazy("专业领域"),
    gettext_lazy("在库"),
    gettext_lazy("未完成的评审"),
    gettext_lazy("已提交的评审"),
    gettext_lazy("申明的利益关系"),
]


@login_required
@require_GET
def experts(request: AuthenticatedRequest) -> HttpResponse:
    can_manage_experts(request.user).enforce()
    listing = ListQuery.from_params(lists.EXPERTS, request.GET)
    rows = listing.arrange(pages.pool_rows(request.user))
    if wanted_download(request):
        return tabular_response(
            request,
            "experts",
            EXPERT_HEADER,
            (
                [
                    row.expert.username,
                    _name(row.expert),
                    row.expert.jurisdiction.full_name(),
                    row.profile.organization if row.profile else "",
                    row.profile.fields if row.profile else "",
                    (_("是") if row.profile.active else _("否")) if row.profile else _("未建档"),
                    row.open_assignments,
                    row.submitted,
                    row.relations,
                ]
                for row in rows
            ),
        )
    return render(
        request, "selection/experts.html", {"rows": rows, "listing": listing, "query": _list_query(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def expert_edit(request: AuthenticatedRequest, user_pk: int) -> HttpResponse:
    can_manage_experts(request.user).enforce()
    expert = reach_or_404(
        selectors.expert_for, request.user, user_pk, _("没有这位专家，或其不在您的专家库中")
    )
    profile = selectors.profile_of(expert)
    initial = (
        {"expertise": profile.fields, "organization": profile.organization, "active": profile.active}
        if profile
        else {"organization": expert.organization, "active": True}
    )
    form = ExpertProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            expert_profile_save(
                actor=request.user,
                expert=expert,
                fields=form.cleaned_data["expertise"],
                organization=form.cleaned_data["organization"],
                active=form.cleaned_data["active"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "fields" in error.error_dict:
                error = ValidationError({"expertise": error.error_dict["fields"]})
            errors_onto_form(form, error)
        else:
            messages.success(request, _("已保存专家%(name)s的信息") % {"name": _name(expert)})
            return redirect("selection:experts")
    return render(
        request,
        "selection/expert_edit.html",
        {"expert": expert, "form": form, "relations": selectors.relations_of(expert)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def relations(request: AuthenticatedRequest) -> HttpResponse:
    can_declare_relation(request.user).enforce()
    form = RelationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            relation = relation_declare(
                actor=request.user, county_code=form.cleaned_data["county"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(
                request,
                _("已申明与%(county)s的利益关系；该县的申报不会再分配给您")
                % {"county": relation.county.full_name()},
            )
            return redirect("selection:relations")
    return render(
        request, "selection/relations.html", {"form": form, "relations": selectors.relations_of(request.user)}
    )


# --- assignments ----------------------------------------------------------------------------------

ASSIGNMENT_HEADER = [
    gettext_lazy("申报编号"),
    gettext_lazy("集群名称"),
    gettext_lazy("申报县"),
    gettext_lazy("主导产业"),
    gettext_lazy("专家"),
    gettext_lazy("专家所在地"),
    gettext_lazy("状态"),
    gettext_lazy("评分截止"),
    gettext_lazy("分配时间（北京时间）"),
    gettext_lazy("提交时间（北京时间）"),
]


@login_required
@require_GET
def assignments(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    call = _owned_call(request, call_pk)
    changing = can_change_review(request.user, call)
    # The indicator system is made when the first expert is assigned (``assign``), never by looking.
    listing = ListQuery.from_params(lists.ASSIGNMENTS, request.GET)
    rows = listing.arrange(
        pages.assignment_rows(
            request.user, call, with_choices=bool(changing) and not wanted_download(request)
        )
    )
    if wanted_download(request):
        lines: list[list[Any]] = []
        for row in rows:
            application = row.application
            common = [
                application.number,
                application.name,
                application.county.name,
                application.leading_industry,
            ]
            if not row.assignments:
                lines.append([*common, "", "", _("未分配"), "", "", ""])
            for assignment in row.assignments:
                lines.append(
                    [
                        *common,
                        _name(assignment.expert),
                        assignment.expert.jurisdiction.full_name(),
                        pages.assignment_state(assignment),
                        f"{assignment.due_on:%Y-%m-%d}",
                        assignment.assigned_at,
                        assignment.submitted_at,
                    ]
                )
        return tabular_response(request, f"assignments-{call.year}-{call.pk}", ASSIGNMENT_HEADER, lines)
    items = [
        {
            "row": row,
            "states": [(assignment, pages.assignment_state(assignment)) for assignment in row.assignments],
            "form": AssignForm(
                choices=row.choices,
                initial={"due_on": call.scoring_deadline},
                prefix=f"a{row.application.pk}",
            ),
        }
        for row in rows
    ]
    return _page(
        request,
        "selection/assignments.html",
        call,
        "selection:assignments",
        items=items,
        listing=listing,
        query=_list_query(request),
        batch=BatchAssignForm(initial={"due_on": call.scoring_deadline}),
        changing=changing,
        short=sum(row.needed for row in rows),
    )


@login_required
@require_POST
def assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _owned_application(request, pk)
    call = application.call
    can_change_review(request.user, call).enforce()
    choices = selectors.eligible_experts(request.user, application)
    form = AssignForm(request.POST, choices=choices, prefix=f"a{application.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, f"{application.number}：{message}")
        return redirect("selection:assignments", call_pk=call.pk)
    expert = User.objects.get(pk=form.cleaned_data["expert"])
    try:
        assignment_create(
            actor=request.user, application=application, expert=expert, due_on=form.cleaned_data["due_on"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"{application.number}：{message}")
    else:
        messages.success(
            request,
            _("已将申报 %(number)s 分配给专家%(expert)s")
            % {"number": application.number, "expert": _name(expert)},
        )
    return redirect("selection:assignments", call_pk=call.pk)


@login_required
@require_POST
def assign_suggested(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    call = _owned_call(request, call_pk)
    form = BatchAssignForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("selection:assignments", call_pk=call.pk)
    try:
        created = assignments_create_suggested(
            actor=request.user, call=call, due_on=form.cleaned_data["due_on"]
        )
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("已按推荐分配 %(n)s 个评审任务，专家将收到通知") % {"n": len(created)})
    return redirect("selection:assignments", call_pk=call.pk)


@login_required
@require_POST
def unassign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignment = reach_or_404(selectors.assignment_for_owner, request.user, pk, _("没有这个评审分配"))
    call = assignment.application.call
    can_own(request.user, call).enforce()
    try:
        assignment_remove(actor=request.user, assignment=assignment)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(
            request,
            _("已撤销专家%(expert)s对申报 %(number)s 的评审分配")
            % {"expert": _name(assignment.expert), "number": assignment.application.number},
        )
    return redirect("selection:assignments", call_pk=call.pk)


# --- the expert's reviews -------------------------------------------------------------------------

MY_HEADER = [
    gettext_lazy("申报编号"),
    gettext_lazy("集群名称"),
    gettext_lazy("年度申报"),
    gettext_lazy("状态"),
    gettext_lazy("评分截止"),
    gettext_lazy("提交时间（北京时间）"),
]


@login_required
@require_GET
def my_reviews(request: AuthenticatedRequest) -> HttpResponse:
    if request.user.role != Role.EXPERT:
        raise PermissionDenied(_("“我的评审”供评审专家使用"))
    mine = list(selectors.my_assignments(request.user))
    if wanted_download(request):
        return tabular_response(
            request,
            "my-reviews",
            MY_HEADER,
            (
                [
                    assignment.application.number,
                    assignment.application.name,
                    str(assignment.application.call),
                    pages.assignment_state(assignment),
                    f"{assignment.due_on:%Y-%m-%d}",
                    assignment.submitted_at,
                ]
                for assignment in mine
            ),
        )
    today = timezone.localdate()
    rows = [
        {
            "assignment": assignment,
            "state": pages.assignment_state(assignment),
            "days_left": (assignment.due_on - today).days,
            "overdue_days": (today - assignment.due_on).days,
            "open": assignment.submitted_at is None and not assignment.conflict_declared,
        }
        for assignment in mine
    ]
    return render(request, "selection/my_reviews.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def score(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignment = reach_or_404(selectors.assignment_for_expert, request.user, pk, _("没有这个评审分配"))
    application = assignment.application
    system = selectors.current_system(application.call)
    declaring = can_declare(request.user, assignment)
    scoring = can_score(request.user, assignment)
    declaration = score_form = None
    if declaring:
        declaration = DeclarationForm(request.POST or None)
        if request.method == "POST" and declaration.is_valid():
            conflict = declaration.cleaned_data["conflict"]
            try:
                assignment_declare(
                    actor=request.user,
                    assignment=assignment,
                    conflict=conflict,
                    note=declaration.cleaned_data["note"],
                )
            except ValidationError as error:
                errors_onto_form(declaration, error)
            else:
                if conflict:
                    messages.success(request, _("已申明利益冲突并回避，该评审分配已解除"))
                    return redirect("selection:my_reviews")
                messages.success(request, _("已声明无利益冲突，请逐项评分"))
                return redirect("selection:score", pk=assignment.pk)
    elif request.method == "POST" and not scoring:
        scoring.enforce()
    if scoring and system is not None:
        scores = {each.indicator_id: each for each in assignment.scores.all()}
        score_form = ScoreForm(request.POST or None, indicators=list(system.indicators.all()), scores=scores)
        if request.method == "POST" and score_form.is_valid():
            submit = score_form.submitting
            try:
                scores_save(
                    actor=request.user, assignment=assignment, entries=score_form.entries(), submit=submit
                )
            except ValidationError as error:
                errors_onto_form(score_form, error)
            else:
                messages.success(request, _("评分已提交") if submit else _("已保存草稿"))
                return redirect("selection:score", pk=assignment.pk)
    others = pages.other_sheets(assignment) if can_see_other_scores(request.user, assignment) else []
    lines = []
    if system is not None and not assignment.conflict_declared:
        for line in pages.score_sheet(assignment, system):
            lines.append(
                {
                    "line": line,
                    "points": score_form[ScoreForm.points_name(line.indicator)] if score_form else None,
                    "comment": score_form[ScoreForm.comment_name(line.indicator)] if score_form else None,
                    "others": [other.points.get(line.indicator.pk) for other in others],
                }
            )
    return render(
        request,
        "selection/score.html",
        {
            "assignment": assignment,
            "application": application,
            "system": system,
            "declaration": declaration,
            "score_form": score_form,
            "lines": lines,
            "total": selectors.sheet_total(assignment),
            "other_columns": others,
            "state": pages.assignment_state(assignment),
            "can_open_application": bool(can_view(request.user, application)),
            "closed_reason": "" if scoring or declaring else scoring.reason,
        },
    )


# --- ranking and the shortlist --------------------------------------------------------------------


@login_required
@require_GET
def application_scores(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Every expert's sheet on one application, with the comments: for the owner."""
    application = _owned_application(request, pk)
    call = application.call
    system = selectors.current_system(call)
    sheets = selectors.application_sheets(application)
    indicators = list(system.indicators.all()) if system else []
    table = [
        {
            "indicator": indicator,
            "cells": [sheet.get(indicator.pk) for _assignment, sheet in sheets],
        }
        for indicator in indicators
    ]
    return _page(
        request,
        "selection/application_scores.html",
        call,
        "selection:ranking",
        application=application,
        sheets=[
            {
                "assignment": assignment,
                "state": pages.assignment_state(assignment),
                "total": sum((each.points for each in sheet.values()), Decimal(0)),
            }
            for assignment, sheet in sheets
        ],
        table=table,
    )


RANKING_HEADER = [
    gettext_lazy("排名"),
    gettext_lazy("申报编号"),
    gettext_lazy("集群名称"),
    gettext_lazy("申报县"),
    gettext_lazy("各专家总分（分）"),
    gettext_lazy("汇总方法"),
    gettext_lazy("汇总得分（分）"),
    gettext_lazy("汇总说明"),
    gettext_lazy("专家总分极差（分）"),
    gettext_lazy("排序依据"),
    gettext_lazy("已提交/应评专家"),
    gettext_lazy("在拟认定名额内"),
]


@login_required
@require_GET
def ranking(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    call = _owned_call(request, call_pk)
    view = pages.ranking_view(call)
    if wanted_download(request):
        return tabular_response(
            request,
            f"ranking-{call.year}-{call.pk}",
            RANKING_HEADER,
            (
                [
                    row.entry.rank,
                    row.application.number,
                    row.application.name,
                    row.application.county.name,
                    "；".join(f"{name} {decimal_text(total)}" for name, total in row.totals),
                    str(pages.METHOD_LABELS[row.entry.scored.aggregate.applied]),
                    decimal_text(row.entry.scored.aggregate.value),
                    row.explanation,
                    decimal_text(row.entry.scored.totals_spread.range),
                    row.decided_by,
                    f"{row.submitted}/{row.needed}",
                    _("是") if row.entry.shortlisted else _("否"),
                ]
                for row in view.rows
            ),
        )
    shortlist = selectors.shortlist_of(call)
    confirming = can_own(request.user, call)
    return _page(
        request,
        "selection/ranking.html",
        call,
        "selection:ranking",
        view=view,
        shortlist=shortlist,
        tie_break=pages.TIE_BREAK_WORDS,
        method=pages.METHOD_LABELS.get(call.aggregation, call.aggregation),
        dimensions=view.ranking.dimensions if view.ranking else [],
        can_confirm=bool(confirming) and shortlist is None and not view.problems and view.ranking is not None,
    )


@login_required
@require_POST
def confirm(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    call = _owned_call(request, call_pk)
    try:
        shortlist = shortlist_confirm(actor=request.user, call=call)
    except ValidationError as error:
        messages.error(request, _("还不能确认拟认定名单："))
        _flash(request, error)
        return redirect("selection:ranking", call_pk=call.pk)
    messages.success(
        request,
        _("已确认拟认定名单并冻结，内容哈希（SHA-256）%(hash)s") % {"hash": shortlist.content_hash},
    )
    return redirect("selection:shortlist", call_pk=call.pk)


SHORTLIST_HEADER = [
    gettext_lazy("排名"),
    gettext_lazy("申报编号"),
    gettext_lazy("集群名称"),
    gettext_lazy("申报县"),
    gettext_lazy("汇总得分（分）"),
    gettext_lazy("各专家总分（分）"),
    gettext_lazy("列入拟认定名单"),
    gettext_lazy("排序依据"),
]


@login_required
@require_GET
def shortlist(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    call = _owned_call(request, call_pk)
    frozen_list = selectors.shortlist_of(call)
    if frozen_list is None:
        return _page(request, "selection/shortlist.html", call, "selection:shortlist", shortlist=None)
    if request.GET.get("format") == "json":
        response = HttpResponse(
            canonical_json(frozen_list.content), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="shortlist-{call.year}-{call.pk}.json"'
        return response
    entries = pages.shortlist_entries(frozen_list)
    if wanted_download(request):
        return tabular_response(
            request,
            f"shortlist-{call.year}-{call.pk}",
            SHORTLIST_HEADER,
            (
                [
                    entry.rank,
                    entry.number,
                    entry.name,
                    entry.county,
                    entry.aggregate,
                    "；".join(f"{name} {total}" for name, total in entry.experts),
                    _("是") if entry.shortlisted else _("否"),
                    entry.decided_by,
                ]
                for entry in entries
            ),
        )
    return _page(
        request,
        "selection/shortlist.html",
        call,
        "selection:shortlist",
        shortlist=frozen_list,
        entries=entries,
        check=pages.shortlist_check(frozen_list),
        quota=frozen_list.content.get("quota"),
        method=pages.METHOD_LABELS.get(frozen_list.content.get("method", ""), ""),
    )
