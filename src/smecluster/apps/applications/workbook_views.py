"""The application form offline: download it as an XLSX workbook (filled with what the application holds
now) and upload the filled workbook back.

The upload is validated exactly as the JSON interchange format is (``documents.profile_workbook`` reads
through ``ClusterProfile``), every problem naming its sheet and cell, and written through
``services.application_import_profile``: one transaction, one audit event, nothing half-written.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from smecluster.apps.applications.models import Application
from smecluster.apps.applications.permissions import can_edit
from smecluster.apps.applications.problems import problem_message
from smecluster.apps.applications.profiles import profile_document
from smecluster.apps.applications.selectors import application_for
from smecluster.apps.applications.services import application_import_profile, today_in_china
from smecluster.documents.profile_workbook import read_profile_workbook, write_profile_workbook
from smecluster.documents.sheets import MAX_WORKBOOK_BYTES, XLSX_CONTENT_TYPE
from smecluster.errors import UnusableInput
from smecluster.site.http import AuthenticatedRequest, reach_or_404
from smecluster.site.upload_limits import workbook_limits
from smecluster.site.wording import labelled


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("填好的申报表（XLSX）"),
        help_text=gettext_lazy("请使用本页下载的申报表填写；有任何错误时不保存任何内容"),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_WORKBOOK_BYTES:
            raise forms.ValidationError(
                gettext_lazy("文件大小 %(size)s 字节，超过上限 %(limit)s 字节"),
                params={"size": upload.size, "limit": MAX_WORKBOOK_BYTES},
            )
        return upload


def _application(request: AuthenticatedRequest, pk: int) -> Application:
    return reach_or_404(application_for, request.user, pk, _("没有这个申报"))


@login_required
@require_GET
def application_workbook(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The form as a workbook, filled with the application's current data (blank where none yet)."""
    application = _application(request, pk)
    data = write_profile_workbook(profile_document(application, today_in_china()))
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="application-{application.number}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def application_workbook_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    can_edit(request.user, application).enforce()
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name or "application.xlsx"
        try:
            profile = read_profile_workbook(upload.read(), source=name, limits=workbook_limits())
            application_import_profile(
                actor=request.user, application=application, profile=profile, source=name
            )
        except UnusableInput as unusable:
            problems = [
                labelled(problem.field, problem_message(problem.message)) if problem.field
                else problem_message(problem.message)
                for problem in unusable.problems
            ]  # fmt: skip
        except ValidationError as invalid:
            problems = [
                f"{field}: {message}"
                for field, messages_ in invalid.message_dict.items()
                for message in messages_
            ]
        else:
            messages.success(
                request,
                _("已按上传的申报表“%(name)s”更新基本情况、近三年数据、优质企业和安全与信用")
                % {"name": name},
            )
            return redirect("applications:detail", pk=application.pk)
    return render(
        request,
        "applications/workbook_upload.html",
        {"application": application, "form": form, "problems": problems},
    )
