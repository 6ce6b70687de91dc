"""Template filters of the documents issued in a programme's name: every date in them goes through
``chinese_date`` (one place, ``documents.chinese_dates``)."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from smecluster.documents import chinese_dates

register = template.Library()


@register.filter
def chinese_date(value: date | datetime | None) -> str:
    """2025年6月22日; a moment is first taken to its day in Beijing time; nothing for no date."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return chinese_dates.chinese_date(value)
