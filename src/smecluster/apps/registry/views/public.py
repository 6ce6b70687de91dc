"""The public's pages (no login): the list of recognized clusters with search, filters and pages, downloadable
as CSV, XLSX or JSON with the same rows (all pages of the filter) and the same columns; and each cluster's
public profile.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from smecluster.apps.applications.services import today_in_china
from smecluster.apps.registry.forms import ClusterFilterForm
from smecluster.apps.registry.selectors import (
    COLUMNS,
    cluster_row,
    filter_choices,
    public_cluster,
    public_clusters,
    public_figures,
    public_removed_on_objection,
    recognition_bases,
)
from smecluster.documents.cells import csv_text
from smecluster.site.csv_export import XLSX_CONTENT_TYPE, csv_response, xlsx_bytes
from smecluster.site.http import public_or_404

PAGE_SIZE = 20


# --- the published list -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Dates as YYYY-MM-DD; everything else as stored (JSON carries people's text unchanged)."""
    if isinstance(value, date):
        return value.isoformat()
    return value


def _csv(rows: list[dict[str, Any]]) -> HttpResponse:
    header = [column.label for column in COLUMNS]
    # Only the CSV marks text a spreadsheet would run as a formula; the XLSX types it, the JSON leaves it.
    return csv_response(
        "clusters.csv", header, ([csv_text(_plain(row[c.key])) for c in COLUMNS] for row in rows)
    )


def _xlsx(rows: list[dict[str, Any]]) -> HttpResponse:
    # The shared writer of every list page: bold frozen header, dates as date cells, numbers as numbers.
    data = xlsx_bytes(
        [column.label for column in COLUMNS],
        ([row[column.key] for column in COLUMNS] for row in rows),
        sheet_title=_("已认定集群"),
    )
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="clusters.xlsx"'
    return response


def _json(rows: list[dict[str, Any]], filters: dict[str, Any]) -> HttpResponse:
    body = {
        "count": len(rows),
        "filters": filters,
        "columns": [{"key": column.key, "label": str(column.label)} for column in COLUMNS],
        "results": [{key: _plain(value) for key, value in row.items()} for row in rows],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="clusters.json"'
    return response


DOWNLOADS = ("csv", "xlsx", "json")


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    form = ClusterFilterForm(request.GET or None, choices=filter_choices())
    filters = form.filters()
    clusters = public_clusters(**filters)
    wanted = request.GET.get("format", "")
    if wanted in DOWNLOADS:
        rows = [cluster_row(cluster) for cluster in clusters]
        if wanted == "csv":
            return _csv(rows)
        if wanted == "xlsx":
            return _xlsx(rows)
        return _json(rows, filters)
    page = Paginator(clusters, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "registry/public_list.html",
        {
            "filter": form,
            "page": page,
            "rows": [(cluster, cluster_row(cluster)) for cluster in page],
            "columns": COLUMNS,
            "query": query.urlencode(),
            "removed": public_removed_on_objection(**filters),
            "bases": recognition_bases(clusters),
        },
    )


@require_GET
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = public_or_404(public_cluster, pk, _("没有这个集群"))
    year, figures = public_figures(cluster)
    return render(
        request,
        "registry/public_detail.html",
        {"cluster": cluster, "figures_year": year, "figures": figures, "today": today_in_china()},
    )
