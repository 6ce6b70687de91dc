"""Pages of candidate discovery: datasets (upload, register, prepare; a dataset's preparation report and
its rejected sample) and runs, a run's ranked candidates (filters, downloads), and adding chosen
candidates to a city's cultivation pool.

Province admins, city officers and the ministry only (others: 403; anonymous: the login page). A run outside
the user's province is a 404; a city officer sees a run's candidates in their own city's counties only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smecluster.apps.accounts.models import Role
from smecluster.apps.discovery import services
from smecluster.apps.discovery.column_guide import column_guide, template_rows
from smecluster.apps.discovery.forms import DatasetRegisterForm, DatasetUploadForm, RunForm
from smecluster.apps.discovery.models import Candidate, Dataset, DiscoveryRun
from smecluster.apps.discovery.permissions import can_manage_datasets, can_use_discovery
from smecluster.apps.discovery.preparation import REJECTED_SAMPLE, prepared_directory, thread_connection
from smecluster.apps.discovery.rejection_reasons import rejected_rows
from smecluster.apps.discovery.selectors import candidates_for, datasets_for, runs_for
from smecluster.apps.jobs.services import job_start
from smecluster.apps.programmes.models import Programme
from smecluster.site.csv_export import csv_response, tabular_response, wanted_download
from smecluster.site.http import AuthenticatedRequest, errors_onto_form, reach_or_404
from smecluster.site.wording import listing

NATIONAL_RULE_SET = "national-2022"
# A page of a run's ranked candidates: each row carries its reasons, so fifty fill a few screens, not fifty.
CANDIDATES_PER_PAGE = 20
FIRMS_PER_PAGE = 100


def _default_rule_set(request: AuthenticatedRequest) -> str:
    """The rule set of the province's own programme, else the national one."""
    if request.user.role == Role.MINISTRY_ADMIN:
        return NATIONAL_RULE_SET
    programme = (
        Programme.objects.filter(owner=request.user.jurisdiction.province_code).order_by("-pk").first()
    )
    return programme.rule_set_id if programme else NATIONAL_RULE_SET


def _index(
    request: AuthenticatedRequest,
    *,
    upload: DatasetUploadForm | None = None,
    register: DatasetRegisterForm | None = None,
    run: RunForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    datasets = datasets_for(user)
    manage = bool(can_manage_datasets(user))
    if run is None:
        latest = datasets.first()
        run = RunForm(
            user=user,
            datasets=datasets,
            initial={
                "rule_set_id": _default_rule_set(request),
                "top": 50,
                "dataset": latest.pk if latest else None,
                "year": latest.last_year if latest else None,
            },
        )
    context = {
        "datasets": datasets,
        "runs": runs_for(user)[:50],
        "run_form": run,
        "upload_form": (upload or DatasetUploadForm()) if manage else None,
        "register_form": (register or DatasetRegisterForm()) if manage else None,
        "registrable": services.registrable_files() if manage else [],
        "max_mb": settings.DISCOVERY_DATASET_MAX_BYTES // (1024 * 1024),
        "columns": column_guide(),
    }
    return render(request, "discovery/index.html", context, status=status)


@login_required
@require_GET
def index(request: AuthenticatedRequest) -> HttpResponse:
    can_use_discovery(request.user).enforce()
    return _index(request)


@login_required
@require_GET
def dataset_template(request: AuthenticatedRequest) -> HttpResponse:
    """The enterprise-year template: the columns the reader requires and one example row, as CSV (UTF-8,
    comma-separated), the form an upload is read in."""
    can_manage_datasets(request.user).enforce()
    header, rows = template_rows()
    return csv_response("enterprise-years-template.csv", header, rows)


@login_required
@require_POST
def dataset_upload(request: AuthenticatedRequest) -> HttpResponse:
    can_manage_datasets(request.user).enforce()
    form = DatasetUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            # Checked at once for its kind and columns; prepared (every row checked) by the worker.
            job = services.dataset_upload(
                actor=request.user, name=form.cleaned_data["name"], upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            return redirect(job)
    return _index(request, upload=form, status=400)


@login_required
@require_POST
def dataset_register(request: AuthenticatedRequest) -> HttpResponse:
    can_manage_datasets(request.user).enforce()
    form = DatasetRegisterForm(request.POST)
    if form.is_valid():
        try:
            job = job_start(
                actor=request.user,
                kind="dataset_register",
                params={"name": form.cleaned_data["name"], "path": form.cleaned_data["path"]},
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            return redirect(job)
    return _index(request, register=form, status=400)


@login_required
@require_POST
def run_new(request: AuthenticatedRequest) -> HttpResponse:
    can_use_discovery(request.user).enforce()
    form = RunForm(request.POST, user=request.user, datasets=datasets_for(request.user))
    if form.is_valid() and form.cleaned_data["dataset"].is_prepared:
        # A prepared dataset answers from its summary cube within the request.
        try:
            run = services.discovery_run(
                actor=request.user,
                dataset=form.cleaned_data["dataset"],
                year=form.cleaned_data["year"],
                rule_set_id=form.cleaned_data["rule_set_id"],
                province_code=form.province_code(),
                top=form.cleaned_data["top"],
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            return redirect("discovery:run", pk=run.pk)
    elif form.is_valid():
        try:
            job = job_start(
                actor=request.user,
                kind="discovery_run",
                params={
                    "dataset": form.cleaned_data["dataset"].pk,
                    "year": form.cleaned_data["year"],
                    "rule_set_id": form.cleaned_data["rule_set_id"],
                    "province": form.province_code(),
                    "top": form.cleaned_data["top"],
                },
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            return redirect(job)
    return _index(request, run=form, status=400)


def _run_for(request: AuthenticatedRequest, pk: int) -> DiscoveryRun:
    can_use_discovery(request.user).enforce()
    return reach_or_404(
        lambda user, pk: runs_for(user).get(pk=pk),
        request.user,
        pk,
        _("没有这次候选集群发现，或不在您的管辖范围内"),
    )


def _filtered(
    request: AuthenticatedRequest, candidates: QuerySet[Candidate]
) -> tuple[QuerySet[Candidate], dict[str, str]]:
    chosen = {key: request.GET.get(key, "").strip() for key in ("city", "county", "industry", "strong")}
    if chosen["city"]:
        candidates = candidates.filter(city_code=chosen["city"])
    if chosen["county"]:
        candidates = candidates.filter(county_code=chosen["county"])
    if chosen["industry"]:
        candidates = candidates.filter(division=chosen["industry"])
    if chosen["strong"]:
        candidates = candidates.filter(strong_cluster=True)
    return candidates, chosen


def _without_page(request: AuthenticatedRequest) -> str:
    """The filters of the request, for links that keep them (downloads, other pages, the pool form)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _download_row(candidate: Candidate) -> list[Any]:
    from smecluster.analytics.discovery.export import COLUMNS

    record = candidate.record
    row = []
    for key, _title in COLUMNS:
        value = record.get(key)
        if isinstance(value, bool):
            value = _("是") if value else _("否")
        elif isinstance(value, list):
            value = "；".join(str(item) for item in value)
        row.append(value)
    return [*row, candidate.pool_entry.name if candidate.pool_entry else ""]


@login_required
@require_GET
def run_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = _run_for(request, pk)
    visible = candidates_for(request.user, run)
    candidates, chosen = _filtered(request, visible)
    if wanted_download(request):
        from smecluster.analytics.discovery.export import COLUMNS

        return tabular_response(
            request,
            f"discovery-{run.pk}-{run.year}",
            [title for _key, title in COLUMNS] + [_("培育库集群")],
            (_download_row(candidate) for candidate in candidates),
            sheet_title=_("候选集群 %(year)d") % {"year": run.year},
        )
    page = Paginator(candidates, CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
    options = list(
        visible.values_list("city_code", "city_name", "county_code", "county_name", "division", "industry")
    )
    context = {
        "run": run,
        "candidates": page.object_list,
        "page": page,
        "chosen": chosen,
        "cities": sorted({(row[0], row[1]) for row in options if row[0]}),
        "counties": sorted({(row[2], row[3]) for row in options}),
        "industries": sorted({(row[4], row[5]) for row in options}),
        "query": _without_page(request),
        "can_pool": request.user.role in (Role.CITY_OFFICER, Role.PROVINCE_ADMIN),
    }
    return render(request, "discovery/run.html", context)


@login_required
@require_POST
def run_pool(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = _run_for(request, pk)
    ids = []
    for value in request.POST.getlist("candidate"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    # Every candidate of the run (not only the user's view): a county outside the user's reach is refused
    # by the pool's permission with its reason (403), never silently dropped.
    chosen = {candidate.pk: candidate for candidate in run.candidates.filter(pk__in=ids)}
    picks = [
        (chosen[pk], request.POST.get(f"name-{pk}", chosen[pk].default_pool_name))
        for pk in ids
        if pk in chosen
    ]
    try:
        entries = services.candidates_to_pool(actor=request.user, run=run, picks=picks)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("已加入培育库：%(names)s") % {"names": listing(entry.name for entry in entries)}
        )
    back = request.POST.get("query", "")
    url = redirect("discovery:run", pk=run.pk).url
    return redirect(f"{url}?{back}" if back else url)


def _firm_row(firm: dict[str, Any]) -> list[Any]:
    from smecluster.analytics.sme_size import SIZE_NAMES_ZH
    from smecluster.policy.evaluator import FIELD_NAMES

    titles = [key for key in (firm["titles"] or "").split(";") if key]
    return [
        firm["credit_code"],
        firm["industry_code"],
        SIZE_NAMES_ZH.get(firm["size_class"], _("未定（缺划型所需数据）")),
        firm["employees"],
        firm["output"],
        firm["revenue"],
        firm["assets"],
        firm["rnd"],
        firm["patents"],
        "、".join(FIELD_NAMES.get(key, key) for key in titles),
    ]


def _firm_header() -> list[str]:
    return [
        _("统一社会信用代码"),
        _("行业代码（GB/T 4754）"),
        _("企业规模"),
        _("从业人员（人）"),
        _("工业总产值（万元）"),
        _("营业收入（万元）"),
        _("资产总额（万元）"),
        _("研发经费（万元）"),
        _("有效发明专利（件）"),
        _("称号"),
    ]


@login_required
@require_GET
def candidate_firms(request: AuthenticatedRequest, pk: int, rank: int) -> HttpResponse:
    """The drill-down from a candidate to its firms in the run's year, from the dataset's prepared rows:
    within the run's reach and the candidate's (a city officer: their own city's counties only)."""
    from smecluster.analytics.discovery.firms import firms_of

    run = _run_for(request, pk)
    candidate = reach_or_404(
        lambda user, rank: candidates_for(user, run).get(rank=rank),
        request.user,
        rank,
        _("没有这个候选集群，或不在您的管辖范围内"),
    )
    dataset = run.dataset
    context: dict[str, Any] = {"run": run, "candidate": candidate, "dataset": dataset}
    if not dataset.is_prepared:
        return render(request, "discovery/candidate_firms.html", context)
    directory = prepared_directory(dataset.prepared_path)
    arguments = (thread_connection(), directory, candidate.county_code, candidate.division, run.year)
    if wanted_download(request):
        everything = firms_of(*arguments)
        return tabular_response(
            request,
            f"discovery-{run.pk}-{candidate.rank}-firms",
            _firm_header(),
            (_firm_row(firm) for firm in everything.firms),
            sheet_title=_("企业明细 %(year)d") % {"year": run.year},
        )
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    listed = firms_of(*arguments, offset=(number - 1) * FIRMS_PER_PAGE, limit=FIRMS_PER_PAGE)
    pages = max(1, -(-listed.total // FIRMS_PER_PAGE))
    context.update(
        header=_firm_header(),
        rows=[_firm_row(firm) for firm in listed.firms],
        total=listed.total,
        number=min(number, pages),
        pages=pages,
    )
    return render(request, "discovery/candidate_firms.html", context)


def _dataset_for(request: AuthenticatedRequest, pk: int) -> Dataset:
    can_use_discovery(request.user).enforce()
    return reach_or_404(
        lambda user, pk: datasets_for(user).get(pk=pk),
        request.user,
        pk,
        _("没有这个数据集，或不在您的管辖范围内"),
    )


@login_required
@require_GET
def dataset_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A dataset: its file, its preparation report (rows read, accepted, rejected per reason) and, for
    one registered before preparation existed, the action that prepares it."""
    dataset = _dataset_for(request, pk)
    manage = bool(can_manage_datasets(request.user))
    context = {
        "dataset": dataset,
        "rejected": rejected_rows(dataset.rejected_by_reason),
        "can_manage": manage,
        "has_sample": manage
        and dataset.is_prepared
        and (prepared_directory(dataset.prepared_path) / REJECTED_SAMPLE).is_file()
        and bool(dataset.rows_rejected),
        "runs": runs_for(request.user).filter(dataset=dataset)[:20],
    }
    return render(request, "discovery/dataset.html", context)


@login_required
@require_POST
def dataset_prepare(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    dataset = _dataset_for(request, pk)
    can_manage_datasets(request.user).enforce()
    try:
        job = job_start(actor=request.user, kind="dataset_prepare", params={"dataset": dataset.pk})
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("discovery:dataset", pk=dataset.pk)
    return redirect(job)


@login_required
@require_GET
def dataset_rejected_sample(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The first rejected rows with their reasons (firms' figures as read): for those who manage the
    dataset, within its reach (another province's: 404)."""
    dataset = _dataset_for(request, pk)
    can_manage_datasets(request.user).enforce()
    sample = prepared_directory(dataset.prepared_path) / REJECTED_SAMPLE if dataset.is_prepared else None
    if sample is None or not sample.is_file():
        raise Http404(_("这个数据集没有拒收样本"))
    return FileResponse(
        sample.open("rb"),
        as_attachment=True,
        filename=f"dataset-{dataset.pk}-rejected-sample.csv",
        content_type="text/csv; charset=utf-8",
    )
