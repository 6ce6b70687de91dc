"""The pages of every list the API answers: ``{"count": N, "items": [...]}`` (design/interfaces.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# A page beyond any list the platform will hold: the bound keeps the database's OFFSET within its integer.
MAX_PAGE = 100_000


class Pages(PageNumberPagination):
    """ninja's page-number pages, with bounds: an unbounded page number overflows the database's OFFSET
    (a server error, not an empty page); schemathesis tries such numbers."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="第几页，从 1 起")
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE, description="每页条数，默认 50")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)


class Rows:
    """A queryset that the paginator counts and slices, each record turned into its row only for the page
    shown (the paginator asks ``count()`` and a slice, as of a queryset)."""

    def __init__(self, queryset: QuerySet[Any], row: Callable[[Any], dict[str, Any]]) -> None:
        self.queryset = queryset
        self.row = row

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [self.row(each) for each in self.queryset[window]]
