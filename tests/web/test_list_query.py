"""site.list_query read alone: what it takes from the query string, what it ignores, and how rows built in
Python are searched and sorted (issue 15, finding 6). The lists' own tests check it on every page."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict

from smecluster.site.list_query import SEARCH_LENGTH, Column, ListQuery, ListSpec


@dataclass(frozen=True)
class Firm:
    name: str
    place: str
    employees: int | None


FIRMS = [
    Firm("美的集团", "广东省佛山市顺德区 440606", 1000),
    Firm("格兰仕", "广东省佛山市顺德区 440606", None),
    Firm("坚美铝业", "广东省佛山市南海区 440605", 1000),
    Firm("海天味业", "广东省佛山市禅城区 440604", 300),
]

SPEC = ListSpec(
    columns=(
        Column("名称", "name", value=lambda firm: firm.name),
        Column("人数", "employees", value=lambda firm: firm.employees),
        Column("备注"),
    ),
    row_text=lambda firm: f"{firm.name} {firm.place}",
)


def _query(text: str) -> ListQuery:
    return ListQuery.from_params(SPEC, QueryDict(text))


def test_an_unknown_sort_key_or_direction_falls_back_to_the_lists_own_order() -> None:
    for text in ("sort=password", "sort=", "sort=备注", "sort=-name", "sort=name__len"):
        listing = _query(text)
        assert listing.sort == "", text
        assert listing.kept_sort == []
        assert listing.arrange(FIRMS) == FIRMS
    assert _query("sort=name&dir=sideways").direction == "asc"
    assert _query("sort=name&dir=desc").direction == "desc"
    assert _query("dir=desc").direction == "asc"  # no column, no direction


def test_the_search_text_is_trimmed_collapsed_and_bounded() -> None:
    assert _query("q=%20%20顺德%20%20%20美的%20").q == "顺德 美的"
    assert len(_query("q=" + "字" * 500).q) == SEARCH_LENGTH


def test_every_word_must_match_somewhere() -> None:
    assert [firm.name for firm in _query("q=顺德").arrange(FIRMS)] == ["美的集团", "格兰仕"]
    assert [firm.name for firm in _query("q=顺德+美的").arrange(FIRMS)] == ["美的集团"]
    assert [firm.name for firm in _query("q=440605").arrange(FIRMS)] == ["坚美铝业"]
    assert _query("q=顺德+坚美").arrange(FIRMS) == []


def test_rows_sort_stably_both_ways_with_missing_values_last() -> None:
    ascending = [firm.name for firm in _query("sort=employees").arrange(FIRMS)]
    assert ascending == ["海天味业", "美的集团", "坚美铝业", "格兰仕"]  # ties keep the list's order
    descending = [firm.name for firm in _query("sort=employees&dir=desc").arrange(FIRMS)]
    assert descending == ["美的集团", "坚美铝业", "海天味业", "格兰仕"]


def test_the_headers_link_each_sortable_column_keeping_search_and_filters() -> None:
    listing = _query("q=顺德&status=draft&page=3&format=csv&sort=name&dir=asc")
    name, employees, note = listing.headers
    assert name.direction == "asc"
    assert name.aria_sort == "ascending"
    assert name.url == "?q=%E9%A1%BA%E5%BE%B7&status=draft&sort=name&dir=desc"  # no page, no format
    assert employees.direction == ""
    assert employees.url == "?q=%E9%A1%BA%E5%BE%B7&status=draft&sort=employees&dir=asc"
    assert note.url == ""
    assert listing.kept_sort == [("sort", "name"), ("dir", "asc")]
    assert listing.url_with(status="") == "?q=%E9%A1%BA%E5%BE%B7&sort=name&dir=asc"
