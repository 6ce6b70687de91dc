"""The kinds of long work the worker does, each with who may ask for it and how it runs.

A kind checks its parameters and the person's reach when the job is asked for (so a refusal is immediate,
on the page), and runs in the worker with a ``report(percent, stage)`` callback for the progress page. It
returns the file it made, or the page of the record it wrote (``Output.link``), or both. Pages start a job
by posting the kind and its parameters to ``jobs:start``; a page that uploads a file calls
``jobs.services.job_start`` with it (the worker finds it as ``params["input_file"]``).

A kind's own module holds its definition (``apps/rosters/jobs.py``, ``apps/discovery/jobs.py``); this
module registers it in :data:`KINDS` by one line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.errors import UnusableInput

Report = Callable[[int, str], None]


@dataclass(frozen=True)
class Output:
    """What a job made: a file (``content``, empty for none) and the page of what it wrote (``link``)."""

    content: bytes
    file_name: str
    content_type: str
    link: str = ""


class JobRefused(Exception):
    """The job's input cannot be used, as the person must be told in full: ``message`` on the page and in
    the notification, ``problems`` as a table (its ``header`` and first rows, ``count`` of all), and a
    ``report`` file with every problem, and ``link`` the page to try again on. Nothing of the job's work
    is kept (all or nothing)."""

    def __init__(
        self,
        message: str,
        *,
        header: list[str] | None = None,
        problems: list[list[Any]] | None = None,
        count: int = 0,
        report: Output | None = None,
        link: str = "",
    ) -> None:
        super().__init__(message)
        self.message, self.link = message, link
        self.header, self.problems, self.count, self.report = header or [], problems or [], count, report


@dataclass(frozen=True)
class JobKind:
    label: Callable[[dict[str, Any]], str]
    check: Callable[[User, dict[str, Any]], dict[str, Any]]
    """Validates the parameters and the person's reach; returns the parameters to store. Raises
    :class:`UnusableInput` (bad parameters) or ``PermissionDenied`` / ``Http404`` (reach)."""
    run: Callable[[User, dict[str, Any], Report], Output]
    takes_upload: bool = False
    """The job reads a file the person uploaded with it (``params["input_file"]`` in the worker): started
    by the page that takes the file, never by ``jobs:start``."""


def _report_params(user: User, params: dict[str, Any]) -> dict[str, Any]:
    from smecluster.apps.monitoring.permissions import can_edit_report, can_open_monitoring
    from smecluster.apps.monitoring.reports import FORMATS
    from smecluster.apps.monitoring.selectors import programme_for, scope_for
    from smecluster.site.http import reach_or_404

    can_open_monitoring(user).enforce()
    if params.get("format") not in FORMATS:
        raise UnusableInput.single("format", "format", _("报告格式只能是 PDF、DOCX 或 XLSX"))
    try:
        year = int(params.get("year", ""))
    except ValueError:
        raise UnusableInput.single("year", "year", _("年度须为四位数字")) from None
    scope = reach_or_404(scope_for, user, str(params.get("scope", "")), _("没有这个范围，或它不在您的辖区内"))
    programme = reach_or_404(
        programme_for, user, str(params.get("programme", "")), _("没有这个认定项目，或它不在您的辖区内")
    )
    can_edit_report(user, programme, scope).enforce()
    return {"programme": programme.pk, "scope": scope.code, "year": year, "format": params["format"]}


def _report_run(user: User, params: dict[str, Any], report: Report) -> Output:
    from smecluster.apps.monitoring.reports import FORMATS, file_name, scope_report
    from smecluster.apps.monitoring.selectors import programme_for, scope_for

    # Reach checked again: it may have changed since the job was asked for.
    scope = scope_for(user, params["scope"])
    programme = programme_for(user, str(params["programme"]))
    report(10, _("汇总集群数据"))
    built = scope_report(programme, scope, params["year"])
    chosen = FORMATS[params["format"]]
    report(60, _("排版 %(format)s") % {"format": params["format"].upper()})
    content = chosen.render(built)
    return Output(content, file_name(programme, built, chosen), chosen.content_type)


# The kinds defined beside the work they do. Imported here, below the types they use, because their
# modules import those types from this one.
from smecluster.apps.discovery.jobs import (  # noqa: E402
    DATASET_PREPARE,
    DATASET_REGISTER,
    DATASET_UPLOAD,
    DISCOVERY_RUN,
)
from smecluster.apps.rosters.jobs import ROSTER_EXPORT, ROSTER_IMPORT  # noqa: E402

KINDS: dict[str, JobKind] = {
    "roster_import": ROSTER_IMPORT,
    "roster_export": ROSTER_EXPORT,
    "discovery_run": DISCOVERY_RUN,
    "dataset_register": DATASET_REGISTER,
    "dataset_upload": DATASET_UPLOAD,
    "dataset_prepare": DATASET_PREPARE,
    "evaluation_report": JobKind(
        label=lambda params: (
            _("%(year)s年度集群发展评估报告（%(format)s）")
            % {"year": params["year"], "format": params["format"].upper()}
        ),
        check=_report_params,
        run=_report_run,
    ),
}
