"""Pages of dynamic management: a cluster's record (validity, plan targets, reports, re-reviews), the annual
reports (list with CSV, tabbed form, detail with history and target progress, the city's and the
province's steps) and the re-reviews (filing, recommendation, the province's decision with the rule set's
evaluation).

Each view: find the record within the user's reach (404 otherwise, so existence is not disclosed), check
permission (403 with the reason), parse the form, call the service, render.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smecluster.apps.applications.evidence import EvidenceRejected, evidence_path
from smecluster.apps.applications.forms import EvidenceForm
from smecluster.apps.applications.problems import problem_message
from smecluster.apps.applications.services import today_in_china
from smecluster.apps.audit.services import audit_trail
from smecluster.apps.registry import annual_reports, plan_targets, re_reviews
from smecluster.apps.registry.forms import (
    FIGURE_BY_PATH,
    DecideForm,
    FiguresForm,
    NarrativeForm,
    PlanTargetForm,
    ReasonForm,
    ReportFilterForm,
    ReportWorkbookForm,
    StatementForm,
    TargetNotesForm,
)
from smecluster.apps.registry.metrics import default_target_year
from smecluster.apps.registry.models import (
    AnnualReport,
    AnnualReportEvidence,
    PlanTarget,
    RecognizedCluster,
    ReReview,
    ReReviewEvidence,
)
from smecluster.apps.registry.permissions import (
    can_edit_plan_targets,
    can_edit_re_review,
    can_edit_report,
    can_move_re_review,
    can_move_report,
)
from smecluster.apps.registry.selectors import (
    cluster_record_for,
    re_review_evidence_for,
    re_review_for,
    re_reviews_visible_to,
    report_evidence_for,
    report_for,
    report_list,
    report_years,
)
from smecluster.apps.registry.workflow import RE_REVIEW_TRANSITIONS, REPORT_TRANSITIONS
from smecluster.documents.annual_workbook import read_annual_workbook, write_annual_workbook
from smecluster.documents.sheets import XLSX_CONTENT_TYPE
from smecluster.errors import UnusableInput
from smecluster.policy.display import criterion_rows
from smecluster.policy.verdict import Outcome
from smecluster.site.csv_export import local_time, tabular_response, wanted_download

SECTIONS = {
    "figures": gettext_lazy("年度数据"),
    "narrative": gettext_lazy("工作情况"),
    "targets": gettext_lazy("规划目标进展"),
    "evidence": gettext_lazy("佐证材料"),
}
OUTCOME_LABELS = {
    Outcome.ELIGIBLE: gettext_lazy("符合认定条件"),
    Outcome.INELIGIBLE: gettext_lazy("不符合认定条件"),
    Outcome.INCOMPLETE: gettext_lazy("数据不完整"),
    Outcome.NEEDS_REVIEW: gettext_lazy("量化条件均满足，待专家评审定性条件"),
}
LEGEND = gettext_lazy("✓ 满足　✗ 不满足　? 待专家评审　缺 数据缺失")
EVENT_LABELS = {
    "annual_report.open": gettext_lazy("开启填报"),
    "annual_report.save_figures": gettext_lazy("保存年度数据"),
    "annual_report.import_workbook": gettext_lazy("上传工作簿更新年度数据"),
    "annual_report.save_narrative": gettext_lazy("保存工作情况"),
    "annual_report.save_target_notes": gettext_lazy("保存规划目标进展说明"),
    "annual_report.evidence_add": gettext_lazy("上传佐证材料"),
    "annual_report.evidence_remove": gettext_lazy("删除佐证材料"),
    "annual_report.remind": gettext_lazy("发送截止提醒"),
    "annual_report.flag_overdue": gettext_lazy("标记逾期"),
    "annual_report.submit": gettext_lazy("提交"),
    "annual_report.withdraw": gettext_lazy("撤回"),
    "annual_report.return": gettext_lazy("退回修改"),
    "annual_report.forward": gettext_lazy("审核并报送"),
    "annual_report.receive": gettext_lazy("接收"),
    "re_review.open": gettext_lazy("开启复核"),
    "re_review.save": gettext_lazy("保存复核申请说明"),
    "re_review.evidence_add": gettext_lazy("上传佐证材料"),
    "re_review.evidence_remove": gettext_lazy("删除佐证材料"),
    "re_review.remind": gettext_lazy("发送到期提醒"),
    "re_review.submit": gettext_lazy("提交复核申请"),
    "re_review.return": gettext_lazy("退回修改"),
    "re_review.recommend": gettext_lazy("推荐"),
    "re_review.decide": gettext_lazy("作出复核决定"),
}


def _history(target: Any) -> list[dict[str, Any]]:
    return [
        {
            "at": local_time(event.at),
            "who": str(event.actor) if event.actor else _("系统（每日任务）"),
            "what": EVENT_LABELS.get(event.action, event.action),
            "reason": event.reason,
        }
        for event in audit_trail(target).order_by("at", "pk")
    ]


# --- a cluster's record and its plan targets -------------------------------------------------------


def _cluster(request: HttpRequest, pk: int) -> RecognizedCluster:
    try:
        return cluster_record_for(request.user, pk)
    except RecognizedCluster.DoesNotExist:
        raise Http404(_("没有这个集群，或它不在您的辖区内")) from None


@login_required
@require_GET
def cluster_record(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request, pk)
    return _cluster_page(request, cluster, PlanTargetForm(initial=_target_initial(cluster)))


def _target_initial(cluster: RecognizedCluster) -> dict[str, Any]:
    return {
        "baseline_year": cluster.recognized_on.year - 1,
        "target_year": default_target_year(cluster.valid_until),
    }


def _cluster_page(
    request: HttpRequest, cluster: RecognizedCluster, form: PlanTargetForm, status: int = 200
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
            "declared_targets": cluster.application.targets.all(),
            "reports": cluster.annual_reports.order_by("-year"),
            "re_reviews": cluster.re_reviews.order_by("-period_valid_until"),
        },
        status=status,
    )


@login_required
@require_POST
def plan_target_add(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request, pk)
    can_edit_plan_targets(request.user, cluster, plan_targets.targets_locked(cluster)).enforce()
    form = PlanTargetForm(request.POST)
    if form.is_valid():
        try:
            plan_targets.plan_target_save(actor=request.user, cluster=cluster, values=form.cleaned_data)
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("已保存发展规划目标"))
            return redirect("registry:cluster", cluster.pk)
    return _cluster_page(request, cluster, form, status=400)


def _target(request: HttpRequest, pk: int) -> PlanTarget:
    try:
        target = PlanTarget.objects.select_related("cluster").get(pk=pk)
        cluster_record_for(request.user, target.cluster_id)
    except (PlanTarget.DoesNotExist, RecognizedCluster.DoesNotExist):
        raise Http404(_("没有这个目标，或它不在您的辖区内")) from None
    return target


@login_required
@require_http_methods(["GET", "POST"])
def plan_target_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
                _to_form(form, error)
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
def plan_target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    plan_targets.plan_target_delete(actor=request.user, target=target)
    messages.success(request, _("已删除发展规划目标"))
    return redirect("registry:cluster", target.cluster_id)


def _to_form(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


# --- annual reports --------------------------------------------------------------------------------


def _report(request: HttpRequest, pk: int) -> AnnualReport:
    try:
        return report_for(request.user, pk)
    except AnnualReport.DoesNotExist:
        raise Http404(_("没有这份年度报告，或它不在您的辖区内")) from None


def _filtered_reports(request: HttpRequest) -> tuple[ReportFilterForm, Any]:
    form = ReportFilterForm(request.GET or None, years=report_years(request.user))
    return form, report_list(request.user, **form.filters())


def _timeliness(report: AnnualReport) -> str:
    if report.forwarded_at is not None:
        return _("逾期报送") if report.late else _("按时报送")
    if report.overdue_flagged_on is not None:
        return _("逾期未报送")
    return ""


@login_required
@require_GET
def report_list_view(request: HttpRequest) -> HttpResponse:
    form, reports = _filtered_reports(request)
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


def _report_actions(user: Any, report: AnnualReport) -> list[dict[str, Any]]:
    return [
        {"action": action, "label": transition.label, "needs_reason": transition.needs_reason}
        for action, transition in REPORT_TRANSITIONS.items()
        if can_move_report(user, action, report)
    ]


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
            "history": _history(report),
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


def _tab(request: HttpRequest, report: AnnualReport, section: str, form: Any = None) -> dict[str, Any]:
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
def report_edit(request: HttpRequest, pk: int, section: str) -> HttpResponse:
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


def _save_tab(request: HttpRequest, report: AnnualReport, section: str) -> tuple[bool, Any]:
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


# The cross-field checks of ``AnnualFigures`` speak English (the public format's language); the form says
# them in the words of its labels. Anything else goes through the application form's translations.
_FIGURES_PATTERNS = (
    (
        re.compile(r"^(\d+) SMEs is more than the (\d+) firms$"),
        gettext_lazy("中小企业数 %(0)s 家超过了集群企业数 %(1)s 家"),
    ),
    (
        re.compile(r"^(.+) 亿元 is more than all firms' R&D (.+) 亿元$"),
        gettext_lazy("中小企业研发经费 %(0)s 亿元超过了集群企业研发经费合计 %(1)s 亿元"),
    ),
)


def _figures_message(message: str) -> str:
    for pattern, template in _FIGURES_PATTERNS:
        if found := pattern.match(message):
            return str(template) % {str(i): group for i, group in enumerate(found.groups())}
    return problem_message(message)


@login_required
@require_POST
def report_evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
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
            upload.add_error("file", str(rejected))
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
        messages.error(request, "；".join(upload.errors.get("file", [])))
    return redirect("registry:report_edit", report.pk, "evidence")


@login_required
@require_GET
def report_evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    try:
        evidence = report_evidence_for(request.user, pk)
    except AnnualReportEvidence.DoesNotExist:
        raise Http404(_("没有这份材料，或它不在您的辖区内")) from None
    return FileResponse(
        evidence_path(evidence.stored_name).open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@login_required
@require_POST
def report_evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        evidence = report_evidence_for(request.user, pk)
    except AnnualReportEvidence.DoesNotExist:
        raise Http404(_("没有这份材料，或它不在您的辖区内")) from None
    report = evidence.report
    annual_reports.report_evidence_remove(actor=request.user, evidence=evidence)
    messages.success(request, _("已删除"))
    return redirect("registry:report_edit", report.pk, "evidence")


@login_required
@require_POST
def report_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = _report(request, pk)
    if action not in REPORT_TRANSITIONS:
        raise Http404(_("没有这个操作"))
    can_move_report(request.user, action, report).enforce()
    try:
        report = annual_reports.report_move(
            actor=request.user, report=report, action=action, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        done = _("已%(action)s") % {"action": REPORT_TRANSITIONS[action].label}
        if action == "forward" and report.late:
            done += _("（逾期报送：截止日为 %(due)s）") % {"due": report.due_on}
        messages.success(request, done)
    return redirect("registry:report_detail", report.pk)


# --- the report offline: its workbook down and up ---------------------------------------------------


@login_required
@require_GET
def report_workbook(request: HttpRequest, pk: int) -> HttpResponse:
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
def report_workbook_upload(request: HttpRequest, pk: int) -> HttpResponse:
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
            figures = read_annual_workbook(data, source=name, year=report.year)
            annual_reports.report_import_workbook(
                actor=request.user,
                report=report,
                figures=figures,
                name=name,
                sha256=hashlib.sha256(data).hexdigest(),
            )
        except UnusableInput as unusable:
            problems = [
                f"{problem.field}: {_figures_message(problem.message)}" if problem.field
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


# --- re-reviews ------------------------------------------------------------------------------------


def _re_review(request: HttpRequest, pk: int) -> ReReview:
    try:
        return re_review_for(request.user, pk)
    except ReReview.DoesNotExist:
        raise Http404(_("没有这份复核，或它不在您的辖区内")) from None


@login_required
@require_GET
def re_review_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    re_reviews_ = re_reviews_visible_to(request.user)
    if status in ReReview.Status.values:
        re_reviews_ = re_reviews_.filter(status=status)
    re_reviews_ = re_reviews_.select_related("cluster__county").order_by(
        "period_valid_until", "cluster__number"
    )
    if wanted_download(request):
        header = [
            _("认定编号"), _("集群名称"), _("所在县"), _("有效期止"), _("状态"), _("复核结论"),
            _("决定日期"), _("延续后的有效期止"),
        ]  # fmt: skip
        rows = (
            [
                re_review.cluster.number,
                re_review.cluster.name,
                re_review.cluster.county.full_name(),
                re_review.period_valid_until,
                re_review.get_status_display(),
                re_review.get_outcome_display() if re_review.outcome else "",
                re_review.decided_on,
                re_review.new_valid_until,
            ]
            for re_review in re_reviews_
        )
        return tabular_response(request, "re-reviews", header, rows)
    page = Paginator(re_reviews_, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/re_review_list.html",
        {"page": page, "status": status, "statuses": ReReview.Status.choices},
    )


def _evaluation_context(re_review: ReReview) -> dict[str, Any]:
    """The rule set's evaluation of the profile as filed (or, before filing, as it would be filed today)."""
    cluster = re_review.cluster
    as_of = re_review.submitted_at.date() if re_review.submitted_at else today_in_china()
    document = re_review.profile or re_reviews.updated_profile_document(cluster, as_of)
    verdict, problems = re_reviews.evaluation(document, cluster.programme, str(re_review))
    if verdict is None:
        assert problems is not None
        return {"problems": [str(problem) for problem in problems.problems], "as_of": as_of}
    return {
        "as_of": as_of,
        "verdict": verdict,
        "outcome": verdict.outcome.value,
        "outcome_label": OUTCOME_LABELS[verdict.outcome],
        "legend": LEGEND,
        "years": [entry["year"] for entry in document.get("years", [])],
        "rows": criterion_rows(verdict),
    }


@login_required
@require_GET
def re_review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    re_review = _re_review(request, pk)
    return _re_review_page(request, re_review, StatementForm(initial={"statement": re_review.statement}))


def _re_review_page(
    request: HttpRequest, re_review: ReReview, form: StatementForm, status: int = 200
) -> HttpResponse:
    cluster = re_review.cluster
    latest, lines = plan_targets.achievement(cluster)
    actions = [
        {"action": action, "label": transition.label, "needs_reason": transition.needs_reason}
        for action, transition in RE_REVIEW_TRANSITIONS.items()
        if can_move_re_review(request.user, action, re_review)
    ]
    return render(
        request,
        "registry/re_review_detail.html",
        {
            "re_review": re_review,
            "cluster": cluster,
            "latest": latest,
            "lines": lines,
            "achieved": sum(1 for line in lines if line.progress.status == "achieved"),
            "evaluation": _evaluation_context(re_review),
            "statement_form": form,
            "can_edit": bool(can_edit_re_review(request.user, re_review)),
            "actions": actions,
            "reason_form": ReasonForm(),
            "decide_form": DecideForm(),
            "extension_years": re_reviews.extension_years(cluster.programme),
            "extended_until": re_reviews.extended_until(
                re_review.period_valid_until, re_reviews.extension_years(cluster.programme)
            ),
            "history": _history(re_review),
            "evidence": re_review.evidence.all(),
            "upload": EvidenceForm(),
        },
        status=status,
    )


@login_required
@require_POST
def re_review_save(request: HttpRequest, pk: int) -> HttpResponse:
    re_review = _re_review(request, pk)
    can_edit_re_review(request.user, re_review).enforce()
    form = StatementForm(request.POST)
    if not form.is_valid():
        return _re_review_page(request, re_review, form, status=400)
    re_reviews.re_review_save(
        actor=request.user, re_review=re_review, statement=form.cleaned_data["statement"]
    )
    messages.success(request, _("已保存复核申请说明"))
    return redirect("registry:re_review_detail", re_review.pk)


@login_required
@require_POST
def re_review_evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    re_review = _re_review(request, pk)
    can_edit_re_review(request.user, re_review).enforce()
    upload = EvidenceForm(request.POST, request.FILES)
    if upload.is_valid():
        try:
            re_reviews.re_review_evidence_add(
                actor=request.user, re_review=re_review, upload=upload.cleaned_data["file"]
            )
        except EvidenceRejected as rejected:
            upload.add_error("file", str(rejected))
        else:
            messages.success(request, _("已上传"))
            return redirect("registry:re_review_detail", re_review.pk)
    messages.error(request, "；".join(upload.errors.get("file", [])))
    return redirect("registry:re_review_detail", re_review.pk)


def _re_review_evidence(request: HttpRequest, pk: int) -> ReReviewEvidence:
    try:
        return re_review_evidence_for(request.user, pk)
    except ReReviewEvidence.DoesNotExist:
        raise Http404(_("没有这份材料，或它不在您的辖区内")) from None


@login_required
@require_GET
def re_review_evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = _re_review_evidence(request, pk)
    return FileResponse(
        evidence_path(evidence.stored_name).open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@login_required
@require_POST
def re_review_evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _re_review_evidence(request, pk)
    re_reviews.re_review_evidence_remove(actor=request.user, evidence=evidence)
    messages.success(request, _("已删除"))
    return redirect("registry:re_review_detail", evidence.re_review_id)


@login_required
@require_POST
def re_review_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    re_review = _re_review(request, pk)
    if action not in RE_REVIEW_TRANSITIONS:
        raise Http404(_("没有这个操作"))
    can_move_re_review(request.user, action, re_review).enforce()
    try:
        re_review = re_reviews.re_review_move(
            actor=request.user,
            re_review=re_review,
            action=action,
            reason=request.POST.get("reason", ""),
            outcome=request.POST.get("outcome") or None,
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        if action == "decide" and re_review.outcome == ReReview.Outcome.PASSED:
            messages.success(
                request,
                _("复核通过：有效期由 %(old)s 延续至 %(new)s")
                % {"old": re_review.previous_valid_until, "new": re_review.new_valid_until},
            )
        else:
            messages.success(request, _("已%(action)s") % {"action": RE_REVIEW_TRANSITIONS[action].label})
    return redirect(reverse("registry:re_review_detail", args=[re_review.pk]))
