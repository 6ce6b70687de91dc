"""A programme's yearly evaluation report in a scope, from the database: its clusters (with figures or
without), its dynamic management, the analyst's saved texts, the issuer, and the renderers of
``smecluster.documents``. The page and ``smecluster report`` both call this."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from smecluster.apps.accounts.models import Jurisdiction, Level
from smecluster.apps.applications.services import today_in_china
from smecluster.apps.monitoring.selectors import dynamic_management, report_coverage, saved_texts
from smecluster.apps.programmes.models import Programme
from smecluster.apps.registry.services.recognition import issuer
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


LEVEL_WORDS = {"national": "国家级", Level.PROVINCE: "省级", Level.CITY: "市级"}


def programme_reach(programme: Programme) -> Jurisdiction:
    """Where a programme's clusters are: 全国 for the national programme, else its owner's division."""
    if programme.owner is None:
        return Jurisdiction.objects.get(level=Level.NATIONAL)
    return programme.owner


def report_scope(programme: Programme, scope: Jurisdiction) -> ReportScope:
    """The programme's clusters in ``scope``: the whole programme when ``scope`` holds all of its reach
    (国家级 for the national programme's, 广东省省级 for Guangdong's), else those in ``scope`` (广东省国家级,
    广东省佛山市省级)."""
    level = LEVEL_WORDS.get(programme.owner_level, "")
    reach = programme_reach(programme)
    narrowed = scope if not scope.contains(reach) else reach
    if narrowed.level == Level.NATIONAL:
        return ReportScope(None, "", level)
    return ReportScope(narrowed.code, narrowed.full_name(), level)


def issuing_office(programme: Programme) -> str:
    """Who signs the report: the programme's issuer, as its notices and certificates name it."""
    return issuer(programme)


def scope_report(
    programme: Programme,
    scope: Jurisdiction,
    year: int,
    *,
    prepared_on: date | None = None,
    with_charts: bool = True,
) -> EvaluationReport:
    """``programme``'s clusters in ``scope`` in ``year``. Raises :class:`UnusableInput` when none of them
    has figures for ``year``."""
    _draft, texts = saved_texts(programme, scope, year)
    return build_report(
        report_scope(programme, scope),
        year,
        report_coverage(scope, year, programme=programme),
        texts=texts,
        prepared_on=prepared_on or today_in_china(),
        prepared_by=issuing_office(programme),
        with_charts=with_charts,
        dynamic=dynamic_management(scope, year, programme=programme),
    )


def file_name(programme: Programme, report: EvaluationReport, format: Format) -> str:
    scope = report.scope.code or "national"
    return f"evaluation-report-{programme.owner_level}-{scope}-{report.year}.{format.suffix}"
