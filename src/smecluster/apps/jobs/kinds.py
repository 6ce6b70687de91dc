"""The kinds of long work the worker does, each with who may ask for it and how it runs.

A kind checks its parameters and the person's reach when the job is asked for (so a refusal is immediate,
on the page), and runs in the worker with a ``report(percent, stage)`` callback for the progress page. It
returns the file it made. Pages start a job by posting the kind and its parameters to ``jobs:start``.
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
    content: bytes
    file_name: str
    content_type: str


@dataclass(frozen=True)
class JobKind:
    label: Callable[[dict[str, Any]], str]
    check: Callable[[User, dict[str, Any]], dict[str, Any]]
    """Validates the parameters and the person's reach; returns the parameters to store. Raises
    :class:`UnusableInput` (bad parameters) or ``PermissionDenied`` / ``Http404`` (reach)."""
    run: Callable[[User, dict[str, Any], Report], Output]


def _report_params(user: User, params: dict[str, Any]) -> dict[str, Any]:
    from smecluster.apps.monitoring.permissions import can_edit_report, can_open_monitoring
    from smecluster.apps.monitoring.reports import FORMATS
    from smecluster.apps.monitoring.selectors import scope_for
    from smecluster.site.http import reach_or_404

    can_open_monitoring(user).enforce()
    if params.get("format") not in FORMATS:
        raise UnusableInput.single("format", "format", _("报告格式只能是 PDF、DOCX 或 XLSX"))
    try:
        year = int(params.get("year", ""))
    except ValueError:
        raise UnusableInput.single("year", "year", _("年度须为四位数字")) from None
    scope = reach_or_404(scope_for, user, str(params.get("scope", "")), _("没有这个范围，或它不在您的辖区内"))
    can_edit_report(user, scope).enforce()
    return {"scope": scope.code, "year": year, "format": params["format"]}


def _report_run(user: User, params: dict[str, Any], report: Report) -> Output:
    from smecluster.apps.monitoring.reports import FORMATS, file_name, scope_report
    from smecluster.apps.monitoring.selectors import scope_for

    scope = scope_for(user, params["scope"])  # reach checked again: it may have changed since
    report(10, _("汇总集群数据"))
    built = scope_report(scope, params["year"])
    chosen = FORMATS[params["format"]]
    report(60, _("排版 %(format)s") % {"format": params["format"].upper()})
    content = chosen.render(built)
    return Output(content, file_name(built, chosen), chosen.content_type)


KINDS: dict[str, JobKind] = {
    "evaluation_report": JobKind(
        label=lambda params: (
            _("%(year)s年度集群发展评估报告（%(format)s）")
            % {"year": params["year"], "format": params["format"].upper()}
        ),
        check=_report_params,
        run=_report_run,
    ),
}
