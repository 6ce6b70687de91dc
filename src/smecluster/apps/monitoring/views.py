"""Pages of monitoring: the yearly evaluation report (figures, the analyst's texts, downloads) and the
dashboard (main figures and charts, the current call's pipeline, overdue items), each within a scope the
person may report on (403 for other roles, 404 for a scope outside their reach)."""

from __future__ import annotations

import base64
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smecluster.analytics.figures import Panel, Theme, panel, previous_panel
from smecluster.apps.accounts.models import Jurisdiction
from smecluster.apps.applications.services import today_in_china
from smecluster.apps.monitoring.forms import (
    DashboardFilterForm,
    ReportChooserForm,
    TextBlocksForm,
)
from smecluster.apps.monitoring.permissions import can_edit_report, can_open_monitoring
from smecluster.apps.monitoring.reports import FORMATS, file_name, scope_report
from smecluster.apps.monitoring.selectors import (
    cities_in,
    cluster_years,
    default_programme,
    figures_version,
    industries_in,
    open_revocations,
    overdue_reports,
    pipelines,
    programme_choices,
    programme_for,
    programmes_for,
    saved_texts,
    scope_choices,
    scope_for,
    scopes_for,
    years_with_data,
)
from smecluster.apps.monitoring.services import report_draft_save
from smecluster.apps.programmes.models import Programme
from smecluster.documents.charts import Chart, overview_charts, theme_charts
from smecluster.documents.evaluation_report import BLOCK_TITLES, Block, block_figures, draft_texts
from smecluster.errors import UnusableInput
from smecluster.site.http import AuthenticatedRequest, reach_or_404


def _scope(request: AuthenticatedRequest) -> Jurisdiction:
    """The scope asked for (404 outside the person's reach), or their widest one."""
    code = request.GET.get("scope", "")
    if code:
        return reach_or_404(scope_for, request.user, code, _("没有这个报告范围，或它不在您的辖区内"))
    scopes = scopes_for(request.user)
    if not scopes:
        raise Http404(_("您没有可查看的报告范围"))
    return scopes[0]


def _programme(request: AuthenticatedRequest, scope: Jurisdiction) -> Programme:
    """The programme asked for (404 outside the person's reach), or the scope's own (the national
    programme for 全国, the province's for a province or its cities)."""
    pk = request.GET.get("programme", "")
    if pk:
        return reach_or_404(programme_for, request.user, pk, _("没有这个认定项目，或您不能查看它的评估报告"))
    reachable = programmes_for(request.user)
    found = default_programme(scope, reachable) or (reachable[0] if reachable else None)
    if found is None:
        raise Http404(_("您没有可查看的认定项目"))
    return found


def _default_year(scope: Jurisdiction, programme: Programme | None = None) -> int:
    years = years_with_data(scope, programme)
    return years[0] if years else today_in_china().year - 1


def _query(scope: Jurisdiction, year: int, programme: Programme | None = None) -> str:
    asked: dict[str, str | int] = {"scope": scope.code, "year": year}
    if programme is not None:
        asked = {"programme": programme.pk, **asked}
    return urlencode(asked)


# --- the report -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report(request: AuthenticatedRequest) -> HttpResponse:
    can_open_monitoring(request.user).enforce()
    scope = _scope(request)
    programme = _programme(request, scope)
    asked = request.GET.copy()
    asked.setdefault("scope", scope.code)
    asked.setdefault("programme", str(programme.pk))
    asked.setdefault("year", str(_default_year(scope, programme)))
    chooser = ReportChooserForm(
        asked,
        scopes=scope_choices(scopes_for(request.user)),
        programmes=programme_choices(programmes_for(request.user)),
    )
    years = years_with_data(scope, programme)
    context: dict[str, Any] = {"chooser": chooser, "scope": scope, "programme": programme, "years": years}
    if not chooser.is_valid():
        return render(request, "monitoring/report.html", context, status=400)
    year = chooser.cleaned_data["year"]
    context["year"] = year
    context["query"] = _query(scope, year, programme)
    try:
        evaluation = scope_report(programme, scope, year, with_charts=False)
    except UnusableInput as error:
        context["no_data"] = "；".join(problem.message for problem in error.problems)
        return render(request, "monitoring/report.html", context)
    drafts = draft_texts(evaluation.scope, evaluation.current, evaluation.coverage, evaluation.dynamic)
    draft, saved = saved_texts(programme, scope, year)
    texts = TextBlocksForm(
        request.POST if request.method == "POST" else None,
        titles=BLOCK_TITLES,
        initial={block.value: saved.get(block.value) or drafts[block] for block in Block},
    )
    if request.method == "POST":
        can_edit_report(request.user, programme, scope).enforce()
        if texts.is_valid():
            # a block left as its draft is not kept: it follows the figures when a report arrives later
            chosen = {
                key: "" if text == drafts[Block(key)] else text for key, text in texts.cleaned_data.items()
            }
            try:
                report_draft_save(
                    actor=request.user, programme=programme, scope=scope, year=year, texts=chosen
                )
            except UnusableInput as error:
                for problem in error.problems:
                    texts.add_error(problem.field if problem.field in texts.fields else None, problem.message)
            else:
                messages.success(request, _("已保存%(year)s年度评估报告的分析文字") % {"year": year})
                return redirect(f"{request.path}?{_query(scope, year, programme)}")
    context.update(
        report=evaluation,
        draft=draft,
        blocks=[
            {
                "field": texts[block.value],
                "figures": block_figures(block, evaluation.current),
                "edited": bool(saved.get(block.value)),
            }
            for block in Block
        ],
        texts=texts,
        sources=sorted(evaluation.current.sources.items()),
        themes=[(theme, evaluation.current.of_theme(theme)) for theme in Theme],
        formats=list(FORMATS),
    )
    return render(request, "monitoring/report.html", context)


@login_required
@require_GET
def report_file(request: AuthenticatedRequest, format: str) -> HttpResponse:
    can_open_monitoring(request.user).enforce()
    if format not in FORMATS:
        raise Http404(_("没有这种格式：%(format)s") % {"format": format})
    scope = _scope(request)
    programme = _programme(request, scope)
    asked = request.GET.copy()
    asked.setdefault("scope", scope.code)
    asked.setdefault("programme", str(programme.pk))
    chooser = ReportChooserForm(
        asked,
        scopes=scope_choices(scopes_for(request.user)),
        programmes=programme_choices(programmes_for(request.user)),
    )
    if not chooser.is_valid():
        return HttpResponseBadRequest(
            "；".join(
                f"{chooser[name].label}：{' '.join(str(error) for error in errors)}"
                for name, errors in chooser.errors.items()
            )
        )
    try:
        evaluation = scope_report(programme, scope, chooser.cleaned_data["year"])
    except UnusableInput as error:
        raise Http404("；".join(problem.message for problem in error.problems)) from None
    kind = FORMATS[format]
    response = HttpResponse(kind.render(evaluation), content_type=kind.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name(programme, evaluation, kind)}"'
    return response


# --- the dashboard -----------------------------------------------------------------------------------


def _as_image(chart: Chart) -> dict[str, str]:
    """The chart as an ``<img>`` source: a data URI of its SVG document. matplotlib's SVG carries a
    ``<style>`` element and style attributes, which the page's CSP (style-src 'self') would block inline;
    an image is its own document, styled by itself, and runs no script."""
    encoded = base64.b64encode(chart.svg.encode("utf-8")).decode("ascii")
    return {"title": chart.title, "src": f"data:image/svg+xml;base64,{encoded}"}


class DashboardFigures:
    """The dashboard's headline figures and charts of a scope and year, computed when first read.

    Computing them reads and sums every cluster's figures and draws the charts (over a second for a
    province's 500 clusters), while they change only when something is written. The template keeps their
    rendering in Django's cache under the filters and :func:`figures_version` (the last audited write:
    every write of the platform is audited in its own transaction), so this object is read only when that
    fragment is missing: once per server process after each change."""

    def __init__(
        self, scope: Jurisdiction, year: int, *, programme: Programme | None, city: str, industry: str
    ) -> None:
        self.scope, self.year, self.programme, self.city, self.industry = (
            scope,
            year,
            programme,
            city,
            industry,
        )

    @cached_property
    def current(self) -> Panel:
        facts = cluster_years(
            self.scope, self.year, programme=self.programme, city=self.city, industry=self.industry
        )
        return panel(self.year, facts)

    @cached_property
    def charts(self) -> list[dict[str, str]]:
        if not self.current.facts:
            return []
        before = previous_panel(self.current)
        charts = [
            *overview_charts(self.current),
            *theme_charts(Theme.SCALE, self.current, before),
            *theme_charts(Theme.DIGITAL, self.current, before),
        ]
        return [_as_image(chart) for chart in charts]


@login_required
@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    can_open_monitoring(request.user).enforce()
    scope = _scope(request)
    cities = cities_in(scope)
    industries = industries_in(scope)
    asked = request.GET.copy()
    asked.setdefault("scope", scope.code)
    asked.setdefault("year", str(_default_year(scope)))
    reachable = programmes_for(request.user)
    filters = DashboardFilterForm(
        asked,
        scopes=scope_choices(scopes_for(request.user)),
        cities=[(city.code, city.name) for city in cities],
        industries=industries,
        programmes=programme_choices(reachable),
    )
    context: dict[str, Any] = {"filters": filters, "scope": scope, "years": years_with_data(scope)}
    if not filters.is_valid():
        return render(request, "monitoring/dashboard.html", context, status=400)
    year = filters.cleaned_data["year"]
    city = filters.cleaned_data["city"]
    industry = filters.cleaned_data["industry"]
    chosen = filters.cleaned_data["programme"]
    programme = next((found for found in reachable if str(found.pk) == chosen), None)
    context.update(
        year=year,
        query=_query(scope, year, programme),
        # Computed only when the template's cached fragment is missing (see DashboardFigures).
        figures=DashboardFigures(scope, year, programme=programme, city=city, industry=industry),
        figures_key=(scope.code, year, programme.pk if programme else "", city, industry, figures_version()),
        pipelines=pipelines(scope, city=city, industry=industry),
        overdue=overdue_reports(scope, city=city, industry=industry),
        revocations=open_revocations(scope, city=city, industry=industry),
    )
    return render(request, "monitoring/dashboard.html", context)
