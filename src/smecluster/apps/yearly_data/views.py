"""The platform administrator's yearly data: load a year's holiday arrangement or a rule set, each with a
preview first. Thin: the previews and loads are ``yearly_data.services``."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smecluster import workdays
from smecluster.apps.yearly_data import services
from smecluster.apps.yearly_data.forms import YearlyDataConfirmForm, YearlyDataUploadForm
from smecluster.apps.yearly_data.models import YearlyDataLoad
from smecluster.apps.yearly_data.permissions import can_load_yearly_data
from smecluster.errors import UnusableInput
from smecluster.policy.ruleset import rule_set_text, rule_sets
from smecluster.site.http import AuthenticatedRequest

# The upload waits in the session between the preview and the load (a few kilobytes; services bound it).
PENDING = "yearly_data_pending"


def _index_context(**extra: Any) -> dict[str, Any]:
    return {
        "holiday_years": workdays.holiday_calendar().years[-4:],
        "rule_sets": [
            (rules, (rule_set_text(rules.id) or ("", ""))[0] != "package") for rules in rule_sets().values()
        ],
        "loads": YearlyDataLoad.objects.select_related("loaded_by")[:20],
        "holidays_form": YearlyDataUploadForm(prefix="holidays"),
        "rule_set_form": YearlyDataUploadForm(prefix="rule_set"),
        **extra,
    }


@login_required
@require_GET
def index(request: AuthenticatedRequest) -> HttpResponse:
    can_load_yearly_data(request.user).enforce()
    return render(request, "yearly_data/index.html", _index_context())


def _upload(request: AuthenticatedRequest, kind: str) -> tuple[bytes, str] | HttpResponse:
    form = YearlyDataUploadForm(request.POST, request.FILES, prefix=kind)
    if not form.is_valid():
        return render(request, "yearly_data/index.html", _index_context(**{f"{kind}_form": form}), status=400)
    upload = form.cleaned_data["file"]
    if upload.size > services.MAX_FILE_BYTES:  # bounded before it is read
        form.add_error("file", _("文件过大：年度数据文件不超过 1 MB"))
        return render(request, "yearly_data/index.html", _index_context(**{f"{kind}_form": form}), status=400)
    return upload.read(), upload.name


@login_required
@require_POST
def preview(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    can_load_yearly_data(request.user).enforce()
    if kind not in (YearlyDataLoad.Kind.HOLIDAYS, YearlyDataLoad.Kind.RULE_SET):
        return redirect("yearly_data:index")
    uploaded = _upload(request, kind)
    if isinstance(uploaded, HttpResponse):
        return uploaded
    raw, name = uploaded
    try:
        shown = (
            services.holiday_preview(raw, name)
            if kind == YearlyDataLoad.Kind.HOLIDAYS
            else services.rule_set_preview(raw, name)
        )
    except UnusableInput as error:
        form = YearlyDataUploadForm(prefix=kind)
        context = _index_context(**{f"{kind}_form": form}, problems=error.problems, problem_kind=kind)
        return render(request, "yearly_data/index.html", context, status=400)
    digest = services.sha256_of(raw)
    # Base64: the bytes as uploaded (a holiday CSV saved by Excel may be GB18030), for the same hash.
    request.session[PENDING] = {
        "kind": kind,
        "name": name,
        "sha256": digest,
        "bytes": base64.b64encode(raw).decode(),
    }
    template = (
        "yearly_data/holiday_preview.html" if kind == "holidays" else "yearly_data/rule_set_preview.html"
    )
    return render(
        request,
        template,
        {"preview": shown, "file_name": name, "confirm": YearlyDataConfirmForm(initial={"sha256": digest})},
    )


@login_required
@require_POST
def load(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    can_load_yearly_data(request.user).enforce()
    form = YearlyDataConfirmForm(request.POST)
    pending = request.session.get(PENDING)
    if not form.is_valid() or not pending or pending["kind"] != kind:
        messages.error(request, _("没有待载入的文件：请重新上传并预览"))
        return redirect("yearly_data:index")
    raw = base64.b64decode(pending["bytes"])
    if (
        services.sha256_of(raw) != form.cleaned_data["sha256"]
        or pending["sha256"] != form.cleaned_data["sha256"]
    ):
        messages.error(request, _("待载入的文件与预览的不一致：请重新上传并预览"))
        return redirect("yearly_data:index")
    load_service = services.holiday_year_load if kind == "holidays" else services.rule_set_load
    try:
        loaded = load_service(actor=request.user, raw=raw, file_name=pending["name"])
    except UnusableInput as error:
        return render(
            request,
            "yearly_data/index.html",
            _index_context(problems=error.problems, problem_kind=kind),
            status=400,
        )
    del request.session[PENDING]
    messages.success(
        request,
        _("已载入%(kind)s：%(key)s，即时生效") % {"kind": loaded.get_kind_display(), "key": loaded.key},
    )
    return redirect("yearly_data:index")
