"""Roster pages: an application's roster, a recognized cluster's roster per year, one version's firms,
the template, and the list of rosters with its downloads.

Each view finds what it shows in the user's jurisdiction (404 otherwise), checks permission for a write
(403 with the reason), parses the upload and calls the service. A roster with row errors is shown back
row by row on its import job's page (the first 200, and the count of all) with every error as a
downloadable XLSX; nothing is stored. An upload is held to its bounds here and imported by the job worker
(``apps/rosters/jobs.py``): the page answers with the job's progress page at once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smecluster.analytics.roster.reading import ROSTER_COLUMNS
from smecluster.analytics.roster.workbooks import write_template
from smecluster.apps.jobs.models import Job
from smecluster.apps.rosters import lists
from smecluster.apps.rosters.comparison import comparison_lines, indicator_items
from smecluster.apps.rosters.exports import (
    EXPORT_IN_REQUEST_FIRMS,
    enterprise_row,
    firms_file_stem,
    firms_header,
    firms_rows,
)
from smecluster.apps.rosters.forms import ClusterRosterUploadForm, RosterFilterForm, RosterUploadForm
from smecluster.apps.rosters.models import Roster, RosterVersion
from smecluster.apps.rosters.permissions import can_import_application_roster, can_import_cluster_roster
from smecluster.apps.rosters.selectors import (
    application_with_roster_for,
    cluster_for,
    clusters_visible_to,
    current_version,
    enterprises_of,
    roster_list,
    roster_of_application,
    roster_of_cluster,
    rosters_visible_to,
    version_for,
    versions_of,
)
from smecluster.apps.rosters.services import (
    application_roster_year,
    cluster_roster_years,
    roster_upload_start,
)
from smecluster.errors import UnusableInput
from smecluster.site.csv_export import XLSX_CONTENT_TYPE, tabular_response, wanted_download
from smecluster.site.http import AuthenticatedRequest, reach_or_404
from smecluster.site.list_query import ListQuery
from smecluster.site.wording import translated

ROWS_PER_PAGE = 100
IMPORTS_SHOWN = 5


def _my_imports(request: AuthenticatedRequest, **owner: Any) -> list[Job]:
    """The person's latest imports into this roster, so the page says what is running or why one failed."""
    filters = {f"params__{key}": value for key, value in owner.items()}
    return list(
        Job.objects.filter(requested_by=request.user, kind="roster_import", **filters)[:IMPORTS_SHOWN]
    )


def _read_upload(form: RosterUploadForm) -> tuple[bytes, str]:
    upload = form.cleaned_data["file"]
    return upload.read(), upload.name or "roster"


def _page(request: AuthenticatedRequest, context: dict[str, Any]) -> HttpResponse:
    roster: Roster | None = context["roster"]
    version = current_version(roster)
    context.update(
        {
            "version": version,
            "versions": versions_of(roster),
            "items": indicator_items(version) if version else [],
            "columns": ROSTER_COLUMNS,
        }
    )
    return render(request, "rosters/roster.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_roster(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = reach_or_404(application_with_roster_for, request.user, pk, _("没有这个申报"))
    allowed = can_import_application_roster(request.user, application)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    file_problems: list[str] = []
    if request.method == "POST":
        allowed.enforce()
        if form.is_valid():
            data, filename = _read_upload(form)
            try:
                job = roster_upload_start(
                    actor=request.user, application=application, data=data, filename=filename
                )
            except UnusableInput as unusable:
                file_problems = [translated(problem.message) for problem in unusable.problems]
            else:
                return redirect(job)
    roster = roster_of_application(application)
    version = current_version(roster)
    return _page(
        request,
        {
            "owner_name": application.name,
            "owner_label": application.number,
            "back": reverse("applications:detail", args=[application.pk]),
            "year": roster.year if roster else application_roster_year(application),
            "roster": roster,
            "lines": comparison_lines(application, version) if version else [],
            "tolerance": application.call.programme.roster_tolerance_pct,
            "form": form,
            "can_import": allowed.allowed,
            "import_reason": allowed.reason,
            "file_problems": file_problems,
            "imports": _my_imports(request, application=application.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cluster_roster(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cluster = reach_or_404(cluster_for, request.user, pk, _("没有这个集群"))
    years = cluster_roster_years(cluster)
    try:
        year = int(request.POST.get("year") or request.GET.get("year") or years[0])
    except ValueError:
        raise Http404(_("没有这个年度")) from None
    if year not in years:
        raise Http404(_("没有这个年度"))
    allowed = can_import_cluster_roster(request.user, cluster)
    form = ClusterRosterUploadForm(
        request.POST or None, request.FILES or None, years=years, initial={"year": year}
    )
    file_problems: list[str] = []
    if request.method == "POST":
        allowed.enforce()
        if form.is_valid():
            data, filename = _read_upload(form)
            try:
                job = roster_upload_start(
                    actor=request.user, cluster=cluster, year=form.cleaned_data["year"], data=data,
                    filename=filename,
                )  # fmt: skip
            except UnusableInput as unusable:
                file_problems = [translated(problem.message) for problem in unusable.problems]
            except ValidationError as invalid:
                file_problems = list(invalid.messages)
            else:
                return redirect(job)
    return _page(
        request,
        {
            "owner_name": cluster.name,
            "owner_label": cluster.number,
            "back": cluster.get_absolute_url(),
            "year": year,
            "years": years,
            "cluster": cluster,
            "roster": roster_of_cluster(cluster, year),
            "lines": [],
            "form": form,
            "can_import": allowed.allowed,
            "import_reason": allowed.reason,
            "file_problems": file_problems,
            "imports": _my_imports(request, cluster=cluster.pk, year=year),
        },
    )


@login_required
@require_GET
def version_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    version = reach_or_404(version_for, request.user, pk, _("没有这个名册版本"))
    firms = enterprises_of(version)
    large = version.row_count > EXPORT_IN_REQUEST_FIRMS
    wanted = wanted_download(request)
    if wanted and not large:
        return tabular_response(
            request, firms_file_stem(version), firms_header(), firms_rows(version), sheet_title=_("企业名录")
        )
    roster = version.roster
    page = Paginator(firms, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    back = roster.get_absolute_url()
    return render(
        request,
        "rosters/version.html",
        {
            "version": version,
            "roster": roster,
            "page": page,
            "rows": [enterprise_row(firm) for firm in page],
            "columns": ROSTER_COLUMNS,
            "items": indicator_items(version),
            "back": back,
            # A large version's downloads are made by the job worker: the page offers them as buttons that
            # start the job (a GET never starts one), and a ?format= link to it lands here with them.
            "export_as_job": large,
            "wanted": wanted,
        },
    )


@login_required
@require_GET
def roster_template(request: AuthenticatedRequest) -> HttpResponse:
    response = HttpResponse(write_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
    return response


LIST_HEADER_KEYS = (
    "owner",
    "number",
    "county",
    "year",
    "version",
    "firms",
    "sme_share",
    "uploaded_at",
    "file",
)


@login_required
@require_GET
def roster_list_view(request: AuthenticatedRequest) -> HttpResponse:
    years = sorted(set(rosters_visible_to(request.user).values_list("year", flat=True)), reverse=True)
    form = RosterFilterForm(request.GET or None, years=years)
    year = kind = None
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"]
        kind = form.cleaned_data["kind"] or None
    listing = ListQuery.from_params(lists.ROSTERS, request.GET)
    rosters = list(listing.apply(roster_list(request.user, year=year, kind=kind)))
    latest = {
        version.roster_id: version
        for version in RosterVersion.objects.filter(roster__in=rosters).order_by("roster_id", "number")
    }
    lines: list[dict[str, Any]] = []
    for roster in rosters:
        version = latest[roster.pk]
        owner = roster.owner
        share = version.indicators.get("sme_output_share")
        lines.append(
            {
                "roster": roster,
                "version": version,
                "owner": owner,
                "kind": _("申报") if roster.application_id else _("已认定集群"),
                "url": roster.get_absolute_url(),
                "cells": [
                    owner.name, owner.number, f"{roster.county.name}（{roster.county_id}）", roster.year,
                    version.number, version.row_count,
                    None if share is None else Decimal(share).quantize(Decimal("0.01")),
                    version.uploaded_at, version.file_name,
                ],
            }
        )  # fmt: skip
    if wanted_download(request):
        header = [
            _("集群或申报名称"), _("编号"), _("县级区划"), _("名册年度"), _("当前版本"), _("企业数（家）"),
            _("中小企业产值占比（%）"), _("导入时间（北京时间）"), _("文件名"),
        ]  # fmt: skip
        return tabular_response(
            request, "rosters", header, [line["cells"] for line in lines], sheet_title=_("企业名册")
        )
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "filter": form,
        "listing": listing,
        "lines": lines,
        "query": query.urlencode(),
        "clusters": clusters_visible_to(request.user),
    }
    return render(request, "rosters/list.html", context)
