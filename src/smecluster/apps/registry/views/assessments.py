"""The yearly assessments (考核, login): one page per cluster-year with the criteria's proposal and the
owner's form, and the list with its export.

Each view: find the record within the user's reach (404 otherwise, so existence is not disclosed), check
permission (403 with the reason), parse the form, call the service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smecluster.apps.applications.services import today_in_china
from smecluster.apps.registry import lists
from smecluster.apps.registry.forms import AssessmentForm
from smecluster.apps.registry.models import ClusterAssessment
from smecluster.apps.registry.permissions import can_assess
from smecluster.apps.registry.selectors import assessment_list, cluster_record_for
from smecluster.apps.registry.services import assessments
from smecluster.site.csv_export import local_time, tabular_response, wanted_download
from smecluster.site.http import AuthenticatedRequest, errors_onto_form, reach_or_404
from smecluster.site.list_query import ListQuery


@login_required
@require_http_methods(["GET", "POST"])
def assessment_page(request: AuthenticatedRequest, pk: int, year: int) -> HttpResponse:
    cluster = reach_or_404(cluster_record_for, request.user, pk, _("没有这个集群，或它不在您的辖区内"))
    today = today_in_china()
    if year not in assessments.assessable_years(cluster, today):
        raise Http404(_("%(year)s年不是该集群有效期内已结束的年度") % {"year": year})
    recorded = ClusterAssessment.objects.filter(cluster=cluster, year=year).first()
    allowed = can_assess(request.user, cluster)
    grades = assessments.grades(cluster.programme)
    proposal = assessments.propose(cluster, year)
    initial = (
        {"grade": recorded.grade, "findings": recorded.findings} if recorded else {"grade": proposal.grade}
    )
    form = AssessmentForm(request.POST or None, initial=initial, grades=grades)
    status = 200
    if request.method == "POST":
        allowed.enforce()
        if form.is_valid():
            try:
                assessments.assessment_record(
                    actor=request.user,
                    cluster=cluster,
                    year=year,
                    grade=form.cleaned_data["grade"],
                    findings=form.cleaned_data["findings"],
                    today=today,
                )
            except ValidationError as error:
                errors_onto_form(form, error)
            else:
                messages.success(request, _("已记录%(year)s年度考核") % {"year": year})
                return redirect("registry:assessment", pk=cluster.pk, year=year)
        status = 400
    return render(
        request,
        "registry/assessment.html",
        {
            "cluster": cluster,
            "year": year,
            "recorded": recorded,
            "proposal": proposal,
            "criteria": cluster.programme.assessment_criteria,
            "can_assess": bool(allowed),
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def assessment_list_view(request: AuthenticatedRequest) -> HttpResponse:
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else None
    grade = request.GET.get("grade", "").strip()
    listing = ListQuery.from_params(lists.ASSESSMENTS, request.GET)
    rows = listing.apply(assessment_list(request.user, year=year, grade=grade))
    if wanted_download(request):
        header = [
            _("认定编号"), _("集群名称"), _("所在县"), _("认定项目"), _("考核年度"), _("建议等次"),
            _("考核等次"), _("考核意见"), _("考核时间（北京时间）"),
        ]  # fmt: skip
        lines = (
            [
                row.cluster.number,
                row.cluster.name,
                row.cluster.county.full_name(),
                row.cluster.programme.name,
                row.year,
                row.proposed_grade,
                row.grade,
                row.findings,
                local_time(row.assessed_at),
            ]
            for row in rows
        )
        return tabular_response(request, "assessments", header, lines)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/assessment_list.html",
        {"page": page, "listing": listing, "year": year_text, "grade": grade, "query": query.urlencode()},
    )
