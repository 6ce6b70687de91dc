"""The annual reports (login): list with CSV, tabbed form, detail with history and target progress, the
city's and the province's steps, and the report offline as a workbook, down and up.

Each view: find the record within the user's reach (404 otherwise, so existence is not disclosed), check
permission (403 with the reason), parse the form, call the service, render.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.forms import EvidenceForm
from smecluster.apps.applications.problems import problem_message
from smecluster.apps.evidence import pipeline
from smecluster.apps.evidence.storage import EvidenceRejected
from smecluster.apps.registry import lists
from smecluster.apps.registry.forms import (
    FIGURE_BY_PATH,
    FiguresForm,
    NarrativeForm,
    ReasonForm,
    ReportFilterForm,
    ReportWorkbookForm,
    TargetNotesForm,
)
from smecluster.apps.registry.models import AnnualReport
from smecluster.apps.registry.permissions import can_edit_report
from smecluster.apps.registry.selectors import (
    report_evidence_for,
    report_for,
    report_list,
    report_years,
)
from smecluster.apps.registry.services import annual_reports, plan_targets
from smecluster.apps.registry.views.history import audit_history
from smecluster.apps.registry.workflow import ANNUAL_REPORT
from smecluster.documents.annual_workbook import read_annual_workbook, write_annual_workbook
from smecluster.documents.sheets import XLSX_CONTENT_TYPE
from smecluster.errors import UnusableInput
from smecluster.site.csv_export import local_time, tabular_response, wanted_download
from smecluster.site.http import AuthenticatedRequest, errors_onto_form, reach_or_404
from smecluster.site.list_query import ListQuery
from smecluster.site.upload_limits import workbook_limits
from smecluster.site.wording import labelled

SECTIONS = {
    "figures": gettext_lazy("年度数据"),
    "narrative": gettext_lazy("工作情况"),
    "targets": gettext_lazy("规划目标进展"),
    "evidence": gettext_lazy("佐证材料"),
}


# --- annual reports --------------------------------------------------------------------------------


def _report(request: AuthenticatedRequest, pk: int) -> AnnualReport:
    return reach_or_404(report_for, request.user, pk, _("没有这份年度报告，或它不在您的辖区内"))


def _filtered_reports(request: AuthenticatedRequest) -> tuple[ReportFilterForm, ListQuery, Any]:
    form = ReportFilterForm(request.GET or None, years=report_years(request.user))
    listing = ListQuery.from_params(lists.ANNUAL_REPORTS, request.GET)
    return form, listing, listing.apply(report_list(request.user, **form.filters()))


def _timeliness(report: AnnualReport) -> str:
    """The cluster's timeliness (its own submission decides case 3), then the city's, named as the city's."""
    if report.submitted_at is not None:
        cluster = _("逾期报送") if report.late else _("按时报送")
    elif report.overdue_flagged_on is not None:
        cluster = _("逾期未报送")
    else:
        return ""
    if report.forwarded_late:
        return _("%(cluster)s；市级逾期报送") % {"cluster": cluster}
    return cluster


@login_required
@require_GET
def report_list_view(request: AuthenticatedRequest) -> HttpResponse:
    form, listing, reports = _filtered_reports(request)
    if wanted_download(request):
        header = [
            _("认定编号"), _("集群名称"), _("所在县"), _("报告年度"), _("报送截止日"), _("状态"),
            _("报送时间（北京时间）"), _("报送情况"), _("接收时间（北京时间）"),
        ]  # fmt: skip
        rows = (
            [
                report.cluster.number,
                report.cluster.name,
                report.cluster.county.full_name(),
                report.year,
                report.due_on or "",
                report.get_status_display(),
                local_time(report.forwarded_at),
                _timeliness(report),
                local_time(report.received_at),
            ]
            for report in reports
        )
        return tabular_response(request, "annual-reports", header, rows)
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/report_list.html",
        {
            "filter": form,
            "listing": listing,
            "page": page,
            "rows": [(report, _timeliness(report)) for report in page],
            "query": query.urlencode(),
        },
    )


def _figure_rows(report: AnnualReport) -> list[dict[str, Any]]:
    document = report.figures or {}
    rows = []
    for spec in FIGURE_BY_PATH.values():
        node: Any = document
        for part in spec.path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, bool):
            text = _("是") if node else _("否")
        elif node is None:
            text = _("未填")
        else:
            text = f"{node} {spec.unit}".strip()
        rows.append({"group": spec.group, "label": spec.label, "text": text})
    return rows


def _report_actions(user: User, report: AnnualReport) -> list[dict[str, Any]]:
    return [
        {"action": row.action, "label": row.label, "needs_reason": row.needs_reason}
        for row in ANNUAL_REPORT.available(user, report)
    ]


@login_required
@require_GET
def report_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    return render(
        request,
        "registry/report_detail.html",
        {
            "report": report,
            "cluster": report.cluster,
            "timeliness": _timeliness(report),
            "figure_rows": _figure_rows(report),
            "lines": plan_targets.progress_against(report),
            "evidence": report.evidence.all(),
            "history": audit_history(report),
            "actions": _report_actions(request.user, report),
            "can_edit": bool(can_edit_report(request.user, report)),
            "problems": annual_reports.submission_problems(report),
            "reason_form": ReasonForm(),
        },
    )


def _section(section: str) -> str:
    if section not in SECTIONS:
        raise Http404(_("没有这个填报部分"))
    return section


def _tab(
    request: AuthenticatedRequest, report: AnnualReport, section: str, form: Any = None
) -> dict[str, Any]:
    if form is None:
        if section == "figures":
            form = FiguresForm(document=report.figures)
        elif section == "narrative":
            form = NarrativeForm(
                initial={name: getattr(report, name) for name in annual_reports.NARRATIVE_FIELDS}
            )
        elif section == "targets":
            form = TargetNotesForm(targets=list(report.cluster.plan_targets.all()), notes=report.target_notes)
    lines = plan_targets.progress_against(report) if section == "targets" else []
    return {
        "report": report,
        "section": section,
        "section_label": SECTIONS[section],
        "sections": list(SECTIONS.items()),
        "form": form,
        "lines": [(line, form[f"target_{line.target.pk}"]) for line in lines] if form is not None else [],
        "evidence": report.evidence.all(),
        "upload": EvidenceForm(),
        "can_edit": True,
    }


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: AuthenticatedRequest, pk: int, section: str) -> HttpResponse:
    report = _report(request, pk)
    section = _section(section)
    can_edit_report(request.user, report).enforce()
    context: dict[str, Any]
    if request.method == "GET":
        context = _tab(request, report, section)
        return render(request, "registry/report_edit.html", context)
    saved, form = _save_tab(request, report, section)
    context = _tab(request, report, section, form)
    context["saved"] = saved
    template = (
        "registry/_report_tab.html" if request.headers.get("HX-Request") else "registry/report_edit.html"
    )
    return render(request, template, context, status=200 if saved else 400)


def _save_tab(request: AuthenticatedRequest, report: AnnualReport, section: str) -> tuple[bool, Any]:
    if section == "figures":
        form: Any = FiguresForm(request.POST)
        if not form.is_valid():
            return False, form
        try:
            annual_reports.report_save_figures(actor=request.user, report=report, document=form.document())
        except UnusableInput as problems:
            for problem in problems.problems:
                name = problem.field.replace(".", "__")
                form.add_error(name if name in form.fields else None, _figures_message(problem.message))
            return False, form
        return True, FiguresForm(document=report_for(request.user, report.pk).figures)
    if section == "narrative":
        form = NarrativeForm(request.POST)
        if not form.is_valid():
            return False, form
        annual_reports.report_save_narrative(actor=request.user, report=report, fields=form.cleaned_data)
        return True, form
    if section == "targets":
        form = TargetNotesForm(request.POST, targets=list(report.cluster.plan_targets.all()), notes={})
        if not form.is_valid():
            return False, form
        annual_reports.report_save_target_notes(actor=request.user, report=report, notes=form.notes())
        return True, form
    raise Http404(_("没有这个填报部分"))


def _figures_message(message: str) -> str:
    # ``AnnualFigures`` words its problems in the form's own terms, in Chinese: said in the reader's language.
    return problem_message(message)


@login_required
@require_POST
def report_evidence_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    can_edit_report(request.user, report).enforce()
    upload = EvidenceForm(request.POST, request.FILES)
    note = ""
    if upload.is_valid():
        try:
            annual_reports.report_evidence_add(
                actor=request.user, report=report, upload=upload.cleaned_data["file"]
            )
        except EvidenceRejected as rejected:
            errors_onto_form(upload, rejected)
        else:
            note = _("已上传")
            upload = EvidenceForm()
    if request.headers.get("HX-Request"):
        return render(
            request,
            "registry/_report_evidence.html",
            {
                "report": report,
                "evidence": report.evidence.all(),
                "upload": upload,
                "can_edit": True,
                "note": note,
            },
            status=200 if note else 400,
        )
    if note:
        messages.success(request, note)
    else:
        messages.error(request, "；".join(map(str, upload.errors.get("file", []))))
    return redirect("registry:report_edit", report.pk, "evidence")


@login_required
@require_GET
def report_evidence_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    return pipeline.serve(report_evidence_for, request.user, pk)


@login_required
@require_POST
def report_evidence_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evidence = reach_or_404(report_evidence_for, request.user, pk, _("没有这份材料，或它不在您的辖区内"))
    report = evidence.report
    annual_reports.report_evidence_remove(actor=request.user, evidence=evidence)
    messages.success(request, _("已删除"))
    return redirect("registry:report_edit", report.pk, "evidence")


@login_required
@require_POST
def report_act(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    report = _report(request, pk)
    if action not in ANNUAL_REPORT.transitions:
        raise Http404(_("没有这个操作"))
    try:
        report = annual_reports.report_move(
            actor=request.user, report=report, action=action, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        done = _("已%(action)s") % {"action": ANNUAL_REPORT.transitions[action].label}
        if action == "forward" and report.forwarded_late:
            done += _("（市级逾期报送：截止日为 %(due)s）") % {"due": report.due_on}
        messages.success(request, done)
    return redirect("registry:report_detail", report.pk)


# --- the report offline: its workbook down and up ---------------------------------------------------


@login_required
@require_GET
def report_workbook(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The report as a workbook for whoever may read it: filled with its figures, or blank but for the
    reported year while none are saved."""
    report = _report(request, pk)
    data = write_annual_workbook({**(report.figures or {}), "year": report.year})
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="annual-report-{report.cluster.pk}-{report.year}.xlsx"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def report_workbook_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A filled workbook replaces the report's figures: all of them, or on any problem none."""
    report = _report(request, pk)
    can_edit_report(request.user, report).enforce()
    form = ReportWorkbookForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name or "annual-report.xlsx"
        data = upload.read()
        try:
            figures = read_annual_workbook(data, source=name, year=report.year, limits=workbook_limits())
            annual_reports.report_import_workbook(
                actor=request.user,
                report=report,
                figures=figures,
                name=name,
                sha256=hashlib.sha256(data).hexdigest(),
            )
        except UnusableInput as unusable:
            problems = [
                labelled(problem.field, _figures_message(problem.message)) if problem.field
                else _figures_message(problem.message)
                for problem in unusable.problems
            ]  # fmt: skip
        else:
            messages.success(request, _("已按上传的工作簿“%(name)s”更新年度数据") % {"name": name})
            return redirect("registry:report_detail", report.pk)
    return render(
        request,
        "registry/report_workbook_upload.html",
        {"report": report, "cluster": report.cluster, "form": form, "problems": problems},
        status=400 if request.method == "POST" else 200,
    )
