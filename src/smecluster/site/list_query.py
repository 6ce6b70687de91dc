"""Search and sorting of the officers' lists, kept in the query string (issue 15, finding 6).

Each list declares once what it shows (:class:`ListSpec`: its columns, the ones that sort and how, the
fields its search box looks in) and reads the request through :class:`ListQuery`:

- ``q``: free text. Each word (split on white space) must be found in one of the list's text fields (a
  name, a number) or in its place: the full name of the county (``浙江省杭州市西湖区``, any part of it) or
  the start of its GB/T 2260 code (``3301`` finds every county of 杭州市).
- ``sort`` and ``dir``: a column's key from the list's whitelist and ``asc`` or ``desc``. An unknown key is
  ignored (the list keeps its own order), never an error. Ties keep the list's own order, then the primary
  key, so a page boundary never moves.

A list whose rows are built in Python (the selection pages' rows carry verdicts computed per row) declares
``row_text`` and each column's ``value`` instead, and goes through :meth:`ListQuery.arrange`: the same
parameters, the same rules.

Search only narrows the queryset the list's selector already scoped to the user's reach; it never widens it.
The page, its page links and its downloads read the same parameters, so a download holds exactly the rows
the page lists. Templates: ``_list_search.html`` (the search box and the kept sort inside a filter form)
and ``_list_head.html`` (the table's header row with sort links).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_
from typing import Any, TypeVar

from django.db.models import Expression, F, Model, Q, QuerySet, Value
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Coalesce, Concat
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

RowModel = TypeVar("RowModel", bound=Model)
Row = TypeVar("Row")
OrderTerm = str | BaseExpression
"""A column's sort: a field path (``cluster__number``) or an expression (``Coalesce(...)``), ascending."""

DEFAULT_PLACEHOLDER = gettext_lazy("名称、编号或地区（名称或区划代码）")
SEARCH_LENGTH = 100  # longer text is cut: a search box, not a document
ASCENDING, DESCENDING = "asc", "desc"
PLACE_ANNOTATION = "list_query_place"


@dataclass(frozen=True)
class Column:
    """A column of a list. ``key`` is the value of ``?sort=`` that orders by it: ``order`` for a queryset,
    ``value`` (a row's sort value; ``None`` sorts last) for rows built in Python. A column with neither
    does not sort (its header is plain text)."""

    label: str | Promise
    key: str = ""
    order: tuple[OrderTerm, ...] = ()
    value: Callable[[Any], Any] | None = None

    @property
    def sortable(self) -> bool:
        return bool(self.key and (self.order or self.value))


@dataclass(frozen=True)
class ListSpec:
    """What a list searches and how each of its columns sorts.

    ``text_fields`` are searched with ``icontains``; ``place`` is the path to the row's county (a
    ``Jurisdiction``), searched by full name and by code prefix; ``row_text`` is what a row built in
    Python is searched in; ``placeholder`` tells the officer what the box looks in."""

    columns: tuple[Column, ...]
    text_fields: tuple[str, ...] = ()
    place: str = ""
    row_text: Callable[[Any], str] | None = None
    placeholder: str | Promise = DEFAULT_PLACEHOLDER

    def column(self, key: str) -> Column | None:
        return next((column for column in self.columns if column.sortable and column.key == key), None)


@dataclass(frozen=True)
class Header:
    """One header cell as the template draws it."""

    label: str | Promise
    url: str = ""
    direction: str = ""  # "asc" or "desc" on the column the list is sorted by

    @property
    def aria_sort(self) -> str:
        return {ASCENDING: "ascending", DESCENDING: "descending"}.get(self.direction, "")


@dataclass
class ListQuery:
    """A list's search and sort as read from the query string (see the module's docstring)."""

    spec: ListSpec
    q: str = ""
    sort: str = ""
    direction: str = ASCENDING
    params: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @classmethod
    def from_params(cls, spec: ListSpec, params: Any) -> ListQuery:
        """Read ``q``, ``sort`` and ``dir`` from ``request.GET`` (any ``QueryDict``); an unknown sort key or
        direction falls back to the list's own order."""
        q = " ".join(str(params.get("q", "")).split())[:SEARCH_LENGTH]
        sort = str(params.get("sort", ""))
        if spec.column(sort) is None:
            sort = ""
        direction = DESCENDING if params.get("dir") == DESCENDING else ASCENDING
        kept = {key: params.getlist(key) for key in params if key not in ("page", "format")}
        return cls(spec=spec, q=q, sort=sort, direction=direction if sort else ASCENDING, params=kept)

    # --- the queryset -------------------------------------------------------------------------------

    def search(self, rows: QuerySet[RowModel]) -> QuerySet[RowModel]:
        """The rows each word of ``q`` is found in (a name, a number, the place); all rows without ``q``."""
        words = self.q.split()
        if not words:
            return rows
        if self.spec.place:
            rows = rows.annotate(**{PLACE_ANNOTATION: _place_name(self.spec.place)})
        return rows.filter(reduce(and_, (self._word(word) for word in words)))

    def _word(self, word: str) -> Q:
        found = [Q(**{f"{path}__icontains": word}) for path in self.spec.text_fields]
        if self.spec.place:
            found.append(Q(**{f"{PLACE_ANNOTATION}__icontains": word}))
            if word.isdigit():
                found.append(Q(**{f"{self.spec.place}__code__startswith": word}))
        return reduce(or_, found) if found else Q()

    def order(self, rows: QuerySet[RowModel]) -> QuerySet[RowModel]:
        """The rows in the chosen column's order, ties in the list's own order, then by primary key."""
        column = self.spec.column(self.sort)
        if column is None:
            return rows
        descending = self.direction == DESCENDING
        terms = [
            (F(term) if isinstance(term, str) else term).desc(nulls_last=True)
            if descending
            else (F(term) if isinstance(term, str) else term).asc(nulls_last=True)
            for term in column.order
        ]
        meta_ordering = rows.model._meta.ordering or () if rows.query.default_ordering else ()
        own = rows.query.order_by or tuple(meta_ordering)
        return rows.order_by(*terms, *own, "pk")

    def apply(self, rows: QuerySet[RowModel]) -> QuerySet[RowModel]:
        return self.order(self.search(rows))

    def arrange(self, rows: Iterable[Row]) -> list[Row]:
        """Rows built in Python, searched in ``row_text`` and sorted by the column's ``value``: ties keep
        the list's own order (a stable sort), rows without a value go last both ways."""
        words = self.q.lower().split()
        row_text = self.spec.row_text
        kept = [
            row for row in rows if row_text is None or all(word in row_text(row).lower() for word in words)
        ]
        column = self.spec.column(self.sort)
        if column is None or column.value is None:
            return kept
        value = column.value
        present = [row for row in kept if value(row) is not None]
        missing = [row for row in kept if value(row) is None]
        present.sort(key=value, reverse=self.direction == DESCENDING)
        return present + missing

    # --- the page -----------------------------------------------------------------------------------

    def url_with(self, **changes: str) -> str:
        """This page's query string with ``changes`` (an empty value drops the parameter), no page."""
        params = {key: list(values) for key, values in self.params.items() if key not in changes}
        params.update({key: [value] for key, value in changes.items() if value})
        return "?" + urlencode(params, doseq=True)

    @property
    def headers(self) -> list[Header]:
        """The header row: each sortable column links to its ascending order, or, when the list is sorted
        by it ascending, to its descending order (search and filters kept, back to the first page)."""
        cells = []
        for column in self.spec.columns:
            if not column.sortable:
                cells.append(Header(column.label))
                continue
            current = self.direction if column.key == self.sort else ""
            flip = DESCENDING if current == ASCENDING else ASCENDING
            cells.append(Header(column.label, self.url_with(sort=column.key, dir=flip), current))
        return cells

    @property
    def kept_sort(self) -> list[tuple[str, str]]:
        """The sort as hidden fields of the filter form: filtering keeps the order the officer chose."""
        if not self.sort:
            return []
        return [("sort", self.sort), ("dir", self.direction)]

    @property
    def active(self) -> bool:
        """Whether the officer narrowed or reordered the list (the empty list's message says so)."""
        return bool(self.q or self.sort)


def _place_name(path: str) -> Expression:
    """The county's full name, province first (``浙江省杭州市西湖区``), for a search of any part of it. A
    county of a municipality has no province above its city: the missing names are empty."""
    names = [f"{path}__parent__parent__name", f"{path}__parent__name", f"{path}__name"]
    return Concat(*(Coalesce(F(name), Value("")) for name in names))
