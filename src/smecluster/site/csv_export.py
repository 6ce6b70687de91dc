"""CSV downloads of list pages: UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens it right."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

BOM = "\ufeff"


def local_time(moment: datetime | None) -> str:
    """A moment as Beijing time (Asia/Shanghai, the site's TIME_ZONE), to the second."""
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """A download named ``filename`` (ASCII, ``.csv``), one header row then one row per record."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow([str(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else str(cell) for cell in row])
    return response


def wants_csv(request: Any) -> bool:
    """A list page answers ``?format=csv`` with its rows as a download."""
    return request.GET.get("format") == "csv"
