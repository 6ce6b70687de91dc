"""The register of past recognitions (login; the programme owner's office): import a past list into a
programme's register — upload, preview the row report, confirm —, the imports made, their files, and the
template to fill in. The writes are ``registry.services.register_import``'s.

Between the preview and the confirmation the checked file is held in the file store under a random token
the session keeps (``evidence.storage.hold``); the confirmation checks it again, whole, before storing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smecluster.apps.accounts.permissions import deny
from smecluster.apps.evidence import pipeline
from smecluster.apps.evidence.storage import held, hold, release
from smecluster.apps.programmes.models import Programme
from smecluster.apps.registry.forms import RegisterFileForm
from smecluster.apps.registry.permissions import can_import_register
from smecluster.apps.registry.selectors import (
    importable_programmes,
    register_import_for,
    register_imports_of,
)
from smecluster.apps.registry.services.register_import import (
    COLUMNS,
    ImportReport,
    register_import,
    template_workbook,
)
from smecluster.documents.sheets import XLSX_CONTENT_TYPE
from smecluster.errors import UnusableInput
from smecluster.site.http import AuthenticatedRequest, reach_or_404

PENDING = "register_import_pending"
"""The session key of the file held between the preview and the confirmation."""


def _programmes(request: AuthenticatedRequest) -> list[Programme]:
    programmes = importable_programmes(request.user)
    if not programmes:
        deny(_("历史认定名单由认定项目的认定机关导入（省级管理员、工业和信息化部）")).enforce()
    return programmes


@login_required
@require_GET
def register_home(request: AuthenticatedRequest) -> HttpResponse:
    programmes = _programmes(request)
    return render(
        request,
        "registry/register_home.html",
        {"programmes": programmes, "imports": register_imports_of(programmes), "columns": COLUMNS},
    )


@login_required
@require_GET
def register_template(request: AuthenticatedRequest) -> HttpResponse:
    _programmes(request)
    response = HttpResponse(template_workbook(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''register-template.xlsx"
    return response


def _page(
    request: AuthenticatedRequest,
    programme: Programme,
    form: RegisterFileForm,
    *,
    report: ImportReport | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "programme": programme,
        "form": form,
        "report": report,
        "problems": problems or [],
        "imports": register_imports_of([programme]),
    }
    return render(request, "registry/register_programme.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def register_programme(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Upload → the row report (nothing stored) → confirm → stored, all or nothing."""
    programme = get_object_or_404(Programme, pk=pk)
    can_import_register(request.user, programme).enforce()
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, programme)
    form = RegisterFileForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _page(request, programme, form)
    if not form.is_valid():
        return _page(request, programme, form, status=400)
    upload = form.cleaned_data["file"]
    name = upload.name or "register.csv"
    data = upload.read()
    try:
        report = register_import(
            actor=request.user, programme=programme, data=data, filename=name, dry_run=True
        )
    except UnusableInput as unusable:
        return _page(
            request, programme, form, problems=[problem.message for problem in unusable.problems], status=400
        )
    if report.ok:
        _forget(request)
        request.session[PENDING] = {
            "programme": programme.pk,
            "token": hold(data),
            "name": name,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    return _page(request, programme, RegisterFileForm(), report=report, status=200 if report.ok else 400)


def _forget(request: AuthenticatedRequest) -> None:
    pending = request.session.pop(PENDING, None)
    if isinstance(pending, dict):
        release(str(pending.get("token", "")))


def _confirm(request: AuthenticatedRequest, programme: Programme) -> HttpResponse:
    pending = request.session.get(PENDING)
    data = held(str(pending.get("token", ""))) if isinstance(pending, dict) else None
    if (
        not isinstance(pending, dict)
        or pending.get("programme") != programme.pk
        or data is None
        or hashlib.sha256(data).hexdigest() != pending.get("sha256")
    ):
        messages.error(request, _("没有待确认的名单，请重新上传并校验"))
        return redirect("registry:register_programme", programme.pk)
    try:
        report = register_import(
            actor=request.user, programme=programme, data=data, filename=str(pending["name"])
        )
    except UnusableInput as unusable:
        _forget(request)
        return _page(
            request,
            programme,
            RegisterFileForm(),
            problems=[p.message for p in unusable.problems],
            status=400,
        )
    _forget(request)
    if not report.ok:
        # The register changed since the preview (another import): nothing stored, the new report shown.
        return _page(request, programme, RegisterFileForm(), report=report, status=400)
    if report.register_import is None:
        messages.info(request, _("“%(name)s”的各行均已在名录中，未导入任何内容") % {"name": pending["name"]})
        return redirect("registry:register_programme", programme.pk)
    messages.success(
        request,
        _("已导入“%(name)s”：新增 %(new)s 个集群，%(already)s 行已在名录中")
        % {"name": pending["name"], "new": len(report.new_rows), "already": len(report.already_registered)},
    )
    return redirect(report.register_import.get_absolute_url())


@login_required
@require_GET
def register_import_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    imported = reach_or_404(register_import_for, request.user, pk, _("没有这次导入，或它不属于您的认定项目"))
    clusters = imported.clusters.select_related("county__parent__parent").order_by("year", "number")
    return render(
        request, "registry/register_import_detail.html", {"imported": imported, "clusters": clusters}
    )


@login_required
@require_GET
def register_import_file(request: AuthenticatedRequest, pk: int) -> FileResponse:
    return pipeline.serve(register_import_for, request.user, pk)
