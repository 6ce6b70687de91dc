"""The re-reviews (login): filing, recommendation, the province's decision with the rule set's evaluation.

Each view: find the record within the user's reach (404 otherwise, so existence is not disclosed), check
permission (403 with the reason), parse the form, call the service, render.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from smecluster.apps.applications.forms import EvidenceForm
from smecluster.apps.applications.services import today_in_china
from smecluster.apps.evidence import pipeline
from smecluster.apps.evidence.storage import EvidenceRejected
from smecluster.apps.registry import lists
from smecluster.apps.registry.forms import (
    DecideForm,
    ReasonForm,
    StatementForm,
)
from smecluster.apps.registry.models import ReReview
from smecluster.apps.registry.permissions import can_edit_re_review
from smecluster.apps.registry.selectors import (
    re_review_evidence_for,
    re_review_for,
    re_reviews_visible_to,
)
from smecluster.apps.registry.services import assessments, plan_targets, re_reviews
from smecluster.apps.registry.views.history import audit_history
from smecluster.apps.registry.workflow import RE_REVIEW
from smecluster.policy.display import criterion_rows
from smecluster.policy.verdict import Outcome
from smecluster.site.csv_export import tabular_response, wanted_download
from smecluster.site.http import AuthenticatedRequest, errors_onto_form, reach_or_404
from smecluster.site.list_query import ListQuery
from smecluster.site.wording import problem_text

OUTCOME_LABELS = {
    Outcome.ELIGIBLE: gettext_lazy("符合认定条件"),
    Outcome.INELIGIBLE: gettext_lazy("不符合认定条件"),
    Outcome.INCOMPLETE: gettext_lazy("数据不完整"),
    Outcome.NEEDS_REVIEW: gettext_lazy("量化条件均满足，待专家评审定性条件"),
}
# Guizhou's rule set has no quantitative criteria: its verdict never claims them met (issue 13, finding 11).
NO_QUANTITATIVE_LABEL = gettext_lazy("本规则集没有量化条件，待专家评审定性条件")
LEGEND = gettext_lazy("✓ 满足　✗ 不满足　? 待专家评审　缺 数据缺失")


# --- re-reviews ------------------------------------------------------------------------------------


def _re_review(request: AuthenticatedRequest, pk: int) -> ReReview:
    return reach_or_404(re_review_for, request.user, pk, _("没有这份复核，或它不在您的辖区内"))


@login_required
@require_GET
def re_review_list(request: AuthenticatedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    re_reviews_ = re_reviews_visible_to(request.user)
    if status in ReReview.Status.values:
        re_reviews_ = re_reviews_.filter(status=status)
    listing = ListQuery.from_params(lists.RE_REVIEWS, request.GET)
    re_reviews_ = listing.apply(
        re_reviews_.select_related("cluster__county").order_by("period_valid_until", "cluster__number")
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
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "registry/re_review_list.html",
        {
            "page": page,
            "listing": listing,
            "status": status,
            "statuses": ReReview.Status.choices,
            "query": query.urlencode(),
        },
    )


def _evaluation_context(re_review: ReReview) -> dict[str, Any]:
    """The rule set's evaluation of the profile as filed (or, before filing, as it would be filed today)."""
    cluster = re_review.cluster
    as_of = re_review.submitted_at.date() if re_review.submitted_at else today_in_china()
    document = re_review.profile or re_reviews.updated_profile_document(cluster, as_of)
    verdict, problems = re_reviews.evaluation(document, cluster.programme, str(re_review))
    if verdict is None:
        assert problems is not None
        return {"problems": [problem_text(problem) for problem in problems.problems], "as_of": as_of}
    return {
        "as_of": as_of,
        "verdict": verdict,
        "outcome": verdict.outcome.value,
        "outcome_label": OUTCOME_LABELS[verdict.outcome]
        if verdict.has_quantitative_criteria or verdict.outcome is not Outcome.NEEDS_REVIEW
        else NO_QUANTITATIVE_LABEL,
        "legend": LEGEND,
        "years": [entry["year"] for entry in document.get("years", [])],
        "rows": criterion_rows(verdict),
    }


@login_required
@require_GET
def re_review_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    re_review = _re_review(request, pk)
    return _re_review_page(request, re_review, StatementForm(initial={"statement": re_review.statement}))


def _period_start(re_review: ReReview) -> date:
    """The first day of the validity period under review: the previous re-review's extension started the
    day after the period it extended, else the recognition's validity."""
    earlier = (
        re_review.cluster.re_reviews.filter(
            period_valid_until__lt=re_review.period_valid_until, outcome=ReReview.Outcome.PASSED
        )
        .order_by("-period_valid_until")
        .first()
    )
    if earlier is not None:
        return earlier.period_valid_until + timedelta(days=1)
    return re_review.cluster.valid_from


def _re_review_page(
    request: AuthenticatedRequest, re_review: ReReview, form: StatementForm, status: int = 200
) -> HttpResponse:
    cluster = re_review.cluster
    latest, lines = plan_targets.achievement(cluster)
    actions = [
        {"action": row.action, "label": row.label, "needs_reason": row.needs_reason}
        for row in RE_REVIEW.available(request.user, re_review)
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
            # The yearly assessments of the validity period under review (GD 16 / SX 17 "考核集群三年发展
            # 规划目标完成情况").
            "assessment_rows": assessments.assessment_rows(
                cluster, today_in_china(), _period_start(re_review).year, re_review.period_valid_until.year
            ),
            "assessments_title": _("有效期内的年度考核"),
            "history": audit_history(re_review),
            "evidence": re_review.evidence.all(),
            "upload": EvidenceForm(),
        },
        status=status,
    )


@login_required
@require_POST
def re_review_save(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
def re_review_evidence_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    re_review = _re_review(request, pk)
    can_edit_re_review(request.user, re_review).enforce()
    upload = EvidenceForm(request.POST, request.FILES)
    if upload.is_valid():
        try:
            re_reviews.re_review_evidence_add(
                actor=request.user, re_review=re_review, upload=upload.cleaned_data["file"]
            )
        except EvidenceRejected as rejected:
            errors_onto_form(upload, rejected)
        else:
            messages.success(request, _("已上传"))
            return redirect("registry:re_review_detail", re_review.pk)
    messages.error(request, "；".join(map(str, upload.errors.get("file", []))))
    return redirect("registry:re_review_detail", re_review.pk)


@login_required
@require_GET
def re_review_evidence_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    return pipeline.serve(re_review_evidence_for, request.user, pk)


@login_required
@require_POST
def re_review_evidence_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evidence = reach_or_404(re_review_evidence_for, request.user, pk, _("没有这份材料，或它不在您的辖区内"))
    re_reviews.re_review_evidence_remove(actor=request.user, evidence=evidence)
    messages.success(request, _("已删除"))
    return redirect("registry:re_review_detail", evidence.re_review_id)


@login_required
@require_POST
def re_review_act(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    re_review = _re_review(request, pk)
    if action not in RE_REVIEW.transitions:
        raise Http404(_("没有这个操作"))
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
            messages.success(request, _("已%(action)s") % {"action": RE_REVIEW.transitions[action].label})
    return redirect(reverse("registry:re_review_detail", args=[re_review.pk]))
