"""The city's pages on an application: accept, return, initial review, spot check, recommend; and for every
viewer of the application, its versions and its history.

Each view: find the application in the user's jurisdiction (404 otherwise), check the step's permission
(403 with the reason), parse the form, call the service, show the result.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smecluster.apps.applications.models import Application
from smecluster.apps.applications.permissions import can_see_contacts, can_view
from smecluster.apps.applications.profiles import onsite_check_title, review_date
from smecluster.apps.applications.selectors import application_for
from smecluster.apps.applications.workflow import APPLICATION
from smecluster.apps.reviews.forms import InitialReviewForm, RecommendForm, ReturnForm, SpotCheckForm
from smecluster.apps.reviews.permissions import can_take, review_steps
from smecluster.apps.reviews.selectors import (
    application_history,
    city_quota,
    criterion_rows,
    latest_initial_review,
    spot_checks_of,
    version_history,
)
from smecluster.apps.reviews.services import (
    application_accept,
    application_recommend,
    application_return,
    initial_review_record,
    owner_spot_check_record,
    spot_check_record,
)
from smecluster.policy.ruleset import rule_set
from smecluster.site.csv_export import tabular_response, wanted_download
from smecluster.site.http import AuthenticatedRequest, errors_onto_form, reach_or_404


def _application(request: AuthenticatedRequest, pk: int) -> Application:
    return reach_or_404(application_for, request.user, pk, _("没有这份申报，或它不在您的辖区内"))


def _page(
    request: AuthenticatedRequest, template: str, application: Application, current: str, **context: Any
) -> HttpResponse:
    context.update(
        application=application,
        steps=review_steps(request.user, application),
        current=current,
    )
    return render(request, template, context)


def _done(request: AuthenticatedRequest, application: Application, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("applications:detail", pk=application.pk)


@login_required
@require_POST
def accept(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    can_take(request.user, "accept", application).enforce()
    application = application_accept(actor=request.user, application=application)
    return _done(request, application, _("已受理申报 %(number)s") % {"number": application.number})


@login_required
@require_http_methods(["GET", "POST"])
def return_(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    can_take(request.user, "return", application).enforce()
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = application_return(
                actor=request.user, application=application, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            return _done(
                request,
                application,
                _("已退回申报 %(number)s，县级将收到通知") % {"number": application.number},
            )
    return _page(request, "reviews/return.html", application, "reviews:return", form=form)


def _starting_point(application: Application, rows: list[Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Findings and initial values to start from: the previous initial review when there is one (a
    re-review after new facts), or else the rule engine's verdict for each criterion."""
    previous = latest_initial_review(application)
    if previous is None:
        mapping = {"pass": "pass", "fail": "fail"}
        return {row.criterion.id: mapping.get(row.status, "review") for row in rows}, {}
    initial = {
        InitialReviewForm.note_name(item["criterion_id"]): item.get("note", "") for item in previous.findings
    }
    initial["conclusion"] = previous.conclusion
    return {item["criterion_id"]: item["status"] for item in previous.findings}, initial


@login_required
@require_http_methods(["GET", "POST"])
def initial_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    can_take(request.user, "review", application).enforce()
    rules = rule_set(application.call.programme.rule_set_id)
    rows, problems = criterion_rows(application)
    suggested, initial = _starting_point(application, rows)
    form = InitialReviewForm(
        request.POST or None, criteria=list(rules.criteria), suggested=suggested, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            initial_review_record(
                actor=request.user,
                application=application,
                findings=form.findings(),
                conclusion=form.cleaned_data["conclusion"].strip(),
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            return _done(
                request, application, _("已记录申报 %(number)s 的初审意见") % {"number": application.number}
            )
    lines = [
        {
            "row": row,
            "finding": form[InitialReviewForm.finding_name(row.criterion.id)],
            "note": form[InitialReviewForm.note_name(row.criterion.id)],
        }
        for row in rows
    ]
    return _page(
        request,
        "reviews/initial_review.html",
        application,
        "reviews:initial_review",
        form=form,
        lines=lines,
        problems=problems,
        as_of=review_date(application),
        rule_set=rules,
        previous=latest_initial_review(application),
    )


@login_required
@require_http_methods(["GET", "POST"])
def spot_check(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    can_take(request.user, "spot_check", application).enforce()
    form = SpotCheckForm(request.POST or None, request.FILES or None)
    by_owner = bool(APPLICATION.can(request.user, "owner_spot_check", application))
    # The owner's own check is the optional 实地抽查; the recommending level's is named by the programme.
    check_title = _("实地抽查") if by_owner else onsite_check_title(application)
    if request.method == "POST" and form.is_valid():
        try:
            record = (owner_spot_check_record if by_owner else spot_check_record)(
                actor=request.user,
                application=application,
                checked_on=form.cleaned_data["checked_on"],
                inspectors=form.cleaned_data["inspectors"].strip(),
                findings=form.cleaned_data["findings"].strip(),
                conclusion=form.cleaned_data["conclusion"],
                uploads=form.cleaned_data["files"],
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            return _done(
                request,
                application,
                _("已记录 %(date)s 的%(check)s（%(files)s 个文件）")
                % {
                    "date": f"{record.checked_on:%Y-%m-%d}",
                    "check": check_title,
                    "files": record.files.count(),
                },
            )
    return _page(
        request,
        "reviews/spot_check.html",
        application,
        "reviews:spot_check",
        form=form,
        records=spot_checks_of(application),
        check_title=check_title,
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    can_take(request.user, "recommend", application).enforce()
    form = RecommendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision = application_recommend(
                actor=request.user,
                application=application,
                recommended=form.recommended,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            text = (
                _("已将申报 %(number)s 推荐至省级")
                if decision.recommended
                else _("已决定不推荐申报 %(number)s")
            )
            return _done(request, application, text % {"number": application.number})
    return _page(
        request,
        "reviews/recommend.html",
        application,
        "reviews:recommend",
        form=form,
        recommending=APPLICATION.can(request.user, "recommend", application),
        quota=city_quota(application),
        spot_checks=spot_checks_of(application),
        check_title=onsite_check_title(application),
        review=latest_initial_review(application),
    )


HISTORY_HEADER = [
    gettext_lazy("时间（北京时间）"),
    gettext_lazy("操作人"),
    gettext_lazy("角色"),
    gettext_lazy("辖区"),
    gettext_lazy("操作"),
    gettext_lazy("变更（前 → 后）"),
    gettext_lazy("理由"),
    gettext_lazy("请求编号"),
]


@login_required
@require_GET
def history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    can_view(request.user, application).enforce()
    rows = application_history(application, contacts=bool(can_see_contacts(request.user)))
    if wanted_download(request):
        return tabular_response(
            request,
            f"history-{application.number}",
            HISTORY_HEADER,
            (
                [
                    row.at,
                    row.actor,
                    row.role,
                    row.jurisdiction,
                    row.action,
                    row.changes_text(),
                    row.reason,
                    row.request_id,
                ]
                for row in rows
            ),
        )
    return _page(request, "reviews/history.html", application, "reviews:history", rows=rows)


VERSIONS_HEADER = [
    gettext_lazy("版本"),
    gettext_lazy("提交时间（北京时间）"),
    gettext_lazy("提交人"),
    gettext_lazy("此前的退回理由"),
    gettext_lazy("变更项"),
    gettext_lazy("变更前"),
    gettext_lazy("变更后"),
]


@login_required
@require_GET
def versions(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    can_view(request.user, application).enforce()
    rows = version_history(application, contacts=bool(can_see_contacts(request.user)))
    if wanted_download(request):
        lines = []
        for row in rows:
            common = [row.number, row.submitted_at, row.submitted_by, "；".join(row.returned_for)]
            if not row.changes:
                lines.append([*common, "", "", ""])
            for change in row.changes:
                lines.append([*common, change.label, change.before or "", change.after or ""])
        return tabular_response(request, f"versions-{application.number}", VERSIONS_HEADER, lines)
    return _page(request, "reviews/versions.html", application, "reviews:versions", rows=rows)
