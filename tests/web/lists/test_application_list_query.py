"""The applications list (every role's): free-text search over name, number and place, sorting by each
column both ways, filters and sort kept in the URL, and downloads that hold exactly the listed rows
(issue 15, finding 6: "No search or sorting on officers' lists")."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv_numbers(client: Client, query: str) -> list[str]:
    response = client.get(reverse("applications:list") + query + "&format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row[0] for row in rows[1:]]


@pytest.fixture
def three(web_application_in: Callable[..., Application]) -> dict[str, Application]:
    """Two drafts of 顺德区 (440606) and one of 南海区 (440605), all in 佛山市 (440600)."""
    return {
        "jiadian": web_application_in(Status.DRAFT, name="顺德区智能家电产业集群"),
        "jiaju": web_application_in(Status.DRAFT, name="顺德区家具制造产业集群"),
        "lvcai": web_application_in(Status.DRAFT, county="440605", name="南海区铝型材产业集群"),
    }


def test_search_narrows_by_name_number_and_place(
    three: dict[str, Application], web_users: dict[str, User]
) -> None:
    """q looks in the name, the number, the county's full name (any part) and its code's start."""
    client = _client(web_users["city_officer"])
    everyone = {application.number for application in three.values()}
    assert set(_csv_numbers(client, "?q=")) == everyone
    assert _csv_numbers(client, "?q=家具") == [three["jiaju"].number]
    assert _csv_numbers(client, f"?q={three['lvcai'].number}") == [three["lvcai"].number]
    assert _csv_numbers(client, "?q=南海区") == [three["lvcai"].number]
    assert _csv_numbers(client, "?q=广东省佛山市南海区") == [three["lvcai"].number]
    assert _csv_numbers(client, "?q=440605") == [three["lvcai"].number]
    assert set(_csv_numbers(client, "?q=4406")) == everyone
    # Every word must be found somewhere: place and name together.
    assert _csv_numbers(client, "?q=顺德+家具") == [three["jiaju"].number]
    page = client.get(reverse("applications:list") + "?q=家具").content.decode()
    assert three["jiaju"].number in page
    assert three["jiadian"].number not in page
    assert 'name="q" value="家具"' in page


def test_search_never_widens_reach(three: dict[str, Application], web_users: dict[str, User]) -> None:
    """南海区's officer searching for 顺德区 finds nothing: search narrows what reach allows."""
    client = _client(web_users["other_county_officer"])
    assert _csv_numbers(client, "?q=顺德") == []
    assert _csv_numbers(client, "?q=440606") == []
    assert _csv_numbers(client, "?q=") == [three["lvcai"].number]


def test_sort_by_each_column_both_ways(three: dict[str, Application], web_users: dict[str, User]) -> None:
    client = _client(web_users["city_officer"])
    by_number = sorted(application.number for application in three.values())
    assert _csv_numbers(client, "?sort=number&dir=asc") == by_number
    assert _csv_numbers(client, "?sort=number&dir=desc") == by_number[::-1]
    by_name = [a.number for a in sorted(three.values(), key=lambda application: application.name)]
    assert _csv_numbers(client, "?sort=name") == by_name
    assert _csv_numbers(client, "?sort=name&dir=desc") == by_name[::-1]
    # By county code: 南海区 440605 before 顺德区 440606; ties in the list's own order.
    assert _csv_numbers(client, "?sort=county")[0] == three["lvcai"].number
    assert _csv_numbers(client, "?sort=county&dir=desc")[-1] == three["lvcai"].number
    for key in ("call", "status", "updated"):
        assert set(_csv_numbers(client, f"?sort={key}&dir=desc")) == set(by_number)
    page = client.get(reverse("applications:list") + "?sort=number&dir=asc").content.decode()
    assert 'aria-sort="ascending"' in page
    assert "sort=number&amp;dir=desc" in page  # the header flips the direction


def test_an_unknown_sort_key_is_ignored(three: dict[str, Application], web_users: dict[str, User]) -> None:
    client = _client(web_users["city_officer"])
    default = _csv_numbers(client, "?q=")
    for query in ("?sort=password", "?sort=county__code", "?sort=-pk&dir=sideways", "?sort=name&dir=up"):
        response = client.get(reverse("applications:list") + query)
        assert response.status_code == 200, query
    assert _csv_numbers(client, "?sort=created_by__password") == default
    assert _csv_numbers(client, "?sort=name&dir=up") == _csv_numbers(client, "?sort=name&dir=asc")


def test_the_page_keeps_search_sort_and_filters_in_its_links(
    three: dict[str, Application], web_users: dict[str, User]
) -> None:
    """The export links, the header links and the filter form carry q, sort and the filters."""
    client = _client(web_users["city_officer"])
    page = client.get(
        reverse("applications:list") + "?q=顺德&status=draft&sort=name&dir=desc"
    ).content.decode()
    assert "export.csv?q=%E9%A1%BA%E5%BE%B7&amp;status=draft&amp;sort=name&amp;dir=desc" in page
    assert '<input type="hidden" name="sort" value="name">' in page
    assert '<input type="hidden" name="dir" value="desc">' in page
    assert "?q=%E9%A1%BA%E5%BE%B7&amp;status=draft&amp;sort=number&amp;dir=asc" in page


def test_the_downloads_hold_exactly_the_filtered_rows(
    three: dict[str, Application], web_users: dict[str, User]
) -> None:
    client = _client(web_users["city_officer"])
    query = "?q=顺德&sort=name&dir=desc"
    expected = [three["jiadian"].number, three["jiaju"].number]
    expected.sort(key=lambda number: next(a.name for a in three.values() if a.number == number), reverse=True)
    assert _csv_numbers(client, query) == expected
    export = client.get(reverse("applications:export") + query + "&format=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == expected
    via_export_url = client.get(reverse("applications:export") + query).content.decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(via_export_url))][1:] == expected
