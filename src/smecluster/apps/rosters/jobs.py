"""Roster work done by the job worker: importing an uploaded roster (read, checked and written with
progress, all or nothing) and downloading a large version's firms. Registered in ``apps/jobs/kinds.py``.

An import's file was held to its bounds in the request (``services.roster_upload_start``); here it is
parsed, every row checked, and a clean file written as the roster's next version. A file with row errors
stores nothing: the job fails with the count, the first rows on its page and every error as an XLSX."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from smecluster.analytics.roster.workbooks import write_error_report
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.jobs.kinds import JobKind, JobRefused, Output, Report
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.rosters.exports import firms_file_stem, firms_header, firms_rows
from smecluster.apps.rosters.models import RosterVersion
from smecluster.apps.rosters.permissions import can_import_application_roster, can_import_cluster_roster
from smecluster.apps.rosters.selectors import application_with_roster_for, cluster_for, version_for
from smecluster.apps.rosters.services import (
    ImportOutcome,
    application_roster_import,
    check_cluster_roster_year,
    cluster_roster_import,
)
from smecluster.errors import UnusableInput
from smecluster.site.csv_export import DOWNLOAD_FORMATS, XLSX_CONTENT_TYPE, tabular_bytes
from smecluster.site.http import reach_or_404
from smecluster.site.wording import translated

ERRORS_SHOWN = 200


def _owner(user: User, params: dict[str, Any]) -> Application | RecognizedCluster:
    """The application or cluster the roster belongs to, in the person's reach (404 otherwise)."""
    if "application" in params:
        return reach_or_404(application_with_roster_for, user, int(params["application"]), _("没有这个申报"))
    return reach_or_404(cluster_for, user, int(params.get("cluster", 0)), _("没有这个集群"))


def _roster_page(owner: Application | RecognizedCluster, params: dict[str, Any]) -> str:
    if isinstance(owner, Application):
        return reverse("rosters:application", args=[owner.pk])
    return reverse("rosters:cluster", args=[owner.pk]) + f"?year={params['year']}"


def _import_check(user: User, params: dict[str, Any]) -> dict[str, Any]:
    owner = _owner(user, params)
    checked: dict[str, Any] = {"file_name": str(params.get("file_name", "roster"))[:255]}
    if isinstance(owner, Application):
        can_import_application_roster(user, owner).enforce()
        checked["application"] = owner.pk
    else:
        can_import_cluster_roster(user, owner).enforce()
        try:
            year = int(params.get("year", ""))
        except ValueError:
            raise UnusableInput.single("year", "year", _("没有这个年度")) from None
        check_cluster_roster_year(owner, year)
        checked.update(cluster=owner.pk, year=year)
    return checked


def _import_run(user: User, params: dict[str, Any], report: Report) -> Output:
    # Reach and permission checked again by the services: they may have changed since the upload.
    owner = _owner(user, params)
    page = _roster_page(owner, params)
    data, filename = Path(params["input_file"]).read_bytes(), params["file_name"]
    try:
        if isinstance(owner, Application):
            outcome = application_roster_import(
                actor=user, application=owner, data=data, filename=filename, report=report
            )
        else:
            outcome = cluster_roster_import(
                actor=user, cluster=owner, year=params["year"], data=data, filename=filename, report=report
            )
    except UnusableInput as unusable:
        problems = "；".join(translated(problem.message) for problem in unusable.problems)
        raise JobRefused(
            _("文件无法导入，未保存任何数据：%(problems)s") % {"problems": problems}, link=page
        ) from None
    except ValidationError as invalid:
        raise JobRefused("；".join(invalid.messages), link=page) from None
    if outcome.version is None:
        raise _row_errors(outcome, page)
    return Output(b"", "", "", link=page)


def _row_errors(outcome: ImportOutcome, page: str) -> JobRefused:
    # The reading names each problem in Chinese; the page and its report say it in the worker's language.
    errors = [dataclasses.replace(error, message=translated(error.message)) for error in outcome.errors]
    return JobRefused(
        _("名册中有 %(count)s 处错误，未保存任何数据") % {"count": f"{len(errors):,}"},
        header=[_("行"), _("列"), _("内容"), _("问题")],
        problems=[[error.row, error.column, error.value, error.message] for error in errors[:ERRORS_SHOWN]],
        count=len(errors),
        report=Output(write_error_report(errors), "roster-errors.xlsx", XLSX_CONTENT_TYPE),
        link=page,
    )


def _version(user: User, params: dict[str, Any]) -> RosterVersion:
    try:
        pk = int(params.get("version", ""))
    except ValueError:
        raise UnusableInput.single("version", "version", _("没有这个名册版本")) from None
    return reach_or_404(version_for, user, pk, _("没有这个名册版本"))


def _export_check(user: User, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("format") not in DOWNLOAD_FORMATS:
        raise UnusableInput.single("format", "format", _("导出格式只能是 CSV 或 XLSX"))
    return {"version": _version(user, params).pk, "format": params["format"]}


def _export_run(user: User, params: dict[str, Any], report: Report) -> Output:
    version = _version(user, params)  # reach checked again: it may have changed
    total = max(version.row_count, 1)

    def progress(done: int) -> None:
        report(
            5 + 85 * done // total,
            _("已写出 %(rows)s / %(total)s 家企业") % {"rows": f"{done:,}", "total": f"{total:,}"},
        )

    report(5, _("读取名册"))
    content, content_type, extension = tabular_bytes(
        params["format"], firms_header(), firms_rows(version, progress), sheet_title=_("企业名录")
    )
    return Output(content, f"{firms_file_stem(version)}.{extension}", content_type)


ROSTER_IMPORT: JobKind = JobKind(
    label=lambda params: _("导入企业名册（%(file)s）") % {"file": params.get("file_name", "")},
    check=_import_check,
    run=_import_run,
    takes_upload=True,
)
ROSTER_EXPORT: JobKind = JobKind(
    label=lambda params: (
        _("导出名册版本的企业（%(format)s）") % {"format": str(params.get("format", "")).upper()}
    ),
    check=_export_check,
    run=_export_run,
)
