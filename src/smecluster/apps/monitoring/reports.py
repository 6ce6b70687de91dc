"""A scope's yearly evaluation report from the database: its cluster-years, the analyst's saved texts,
and the renderers of ``smecluster.documents``. The page and ``smecluster report`` both call this."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import Jurisdiction, Level
from smecluster.apps.applications.services import today_in_china
from smecluster.apps.monitoring.selectors import cluster_years, saved_texts
from smecluster.documents.evaluation_report import EvaluationReport, ReportScope, build_report
from smecluster.documents.report_docx import render_docx
from smecluster.documents.report_pdf import render_pdf
from smecluster.documents.report_xlsx import render_xlsx


@dataclass(frozen=True)
class Format:
    render: Callable[[EvaluationReport], bytes]
    content_type: str
    suffix: str


FORMATS: dict[str, Format] = {
    "pdf": Format(render_pdf, "application/pdf", "pdf"),
    "docx": Format(
        render_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
    ),
    "xlsx": Format(render_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def report_scope(scope: Jurisdiction) -> ReportScope:
    if scope.level == Level.NATIONAL:
        return ReportScope(None, "全国")
    return ReportScope(scope.code, scope.full_name())


def issuing_office(scope: Jurisdiction) -> str:
    if scope.level == Level.NATIONAL:
        return _("工业和信息化部")
    return _("%(scope)s中小企业主管部门") % {"scope": scope.full_name()}


def scope_report(
    scope: Jurisdiction, year: int, *, prepared_on: date | None = None, with_charts: bool = True
) -> EvaluationReport:
    """Raises :class:`UnusableInput` when the scope has no cluster-year in ``year``."""
    _draft, texts = saved_texts(scope, year)
    return build_report(
        report_scope(scope),
        year,
        cluster_years(scope, year),
        texts=texts,
        prepared_on=prepared_on or today_in_china(),
        prepared_by=issuing_office(scope),
        with_charts=with_charts,
    )


def file_name(report: EvaluationReport, format: Format) -> str:
    scope = report.scope.code or "national"
    return f"evaluation-report-{scope}-{report.year}.{format.suffix}"
