"""List downloads: CSV and XLSX hold the same rows as the page with its filters applied; the workbook has
a bold, frozen header, dates as date cells and amounts as numbers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from roster_support import matching_declared, roster_csv

from jobs_worker import run_waiting_jobs
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response: object) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(response: object) -> list[list[object]]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _as_csv_text(cell: object) -> str:
    """How the CSV writes what the workbook holds typed (a date cell reads back as midnight)."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else f"{cell:%Y-%m-%d %H:%M:%S}"
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _same_rows(as_xlsx: list[list[object]], as_csv: list[list[str]]) -> bool:
    """Row for row, cell for cell; numbers compared as numbers (48.00 in the CSV is 48 in the workbook)."""
    assert len(as_xlsx) == len(as_csv)
    for typed, written in zip(as_xlsx, as_csv, strict=True):
        for cell, text in zip(typed, written, strict=True):
            if isinstance(cell, int | float) and not isinstance(cell, bool):
                assert Decimal(str(cell)) == Decimal(text), (cell, text)
            else:
                assert _as_csv_text(cell) == text, (cell, text)
    return True


def test_the_application_list_downloads_what_the_filtered_page_shows(
    web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    drafts = [web_application_in(Status.DRAFT) for _ in range(2)]
    submitted = web_application_in(Status.SUBMITTED)
    client = _client(web_users["city_officer"])
    query = {"status": Status.DRAFT}
    page = client.get(reverse("applications:list"), query).content.decode()
    shown = re.findall(r'<td><a href="/applications/\d+/">([^<]+)</a></td>', page)
    assert sorted(shown) == sorted(application.number for application in drafts)
    assert submitted.number not in page
    assert "format=xlsx" in page

    as_csv = _csv(client.get(reverse("applications:list"), {**query, "format": "csv"}))
    as_xlsx = _xlsx(client.get(reverse("applications:list"), {**query, "format": "xlsx"}))
    assert [row[0] for row in as_csv[1:]] == shown
    assert [row[0] for row in as_xlsx[1:]] == shown
    assert as_csv[0] == [str(cell) for cell in as_xlsx[0]]
    assert _same_rows(as_xlsx[1:], as_csv[1:])
    # Typed cells: the area (km², named in the header) a number, the last update a date-time.
    header = as_xlsx[0]
    assert as_xlsx[1][header.index("占地面积（km²）")] == 60
    assert isinstance(as_xlsx[1][header.index("更新时间（北京时间）")], datetime)
    # The old export address answers the same rows.
    again = _csv(client.get(reverse("applications:export"), query))
    assert again == as_csv


def test_formula_like_text_stays_text(
    web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    application = web_application_in(Status.DRAFT, name='=HYPERLINK("http://x")产业集群')
    client = _client(web_users["county_officer"])
    as_xlsx = load_workbook(
        io.BytesIO(client.get(reverse("applications:list"), {"format": "xlsx"}).content)
    ).active
    names = [cell for cell in as_xlsx["B"] if cell.value and str(cell.value).startswith("=")]
    assert names
    assert all(cell.data_type == "s" for cell in names)
    as_csv = _csv(client.get(reverse("applications:list"), {"format": "csv"}))
    assert any(row[1] == "'" + application.name for row in as_csv)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("province_admin", lambda application: reverse("programmes:list")),
        ("city_officer", lambda application: reverse("programmes:pool_export")),
        ("county_officer", lambda application: reverse("home")),
        ("county_officer", lambda application: reverse("reviews:history", args=[application.pk])),
        ("county_officer", lambda application: reverse("reviews:versions", args=[application.pk])),
    ],
    ids=["programmes", "pool", "tasks", "history", "versions"],
)
def test_every_list_download_has_the_same_rows_in_csv_and_xlsx(
    who: str, url: Callable[[Application], str], web_users: dict[str, User],
    web_application_in: Callable[..., Application], web_pool_entry: object,
) -> None:  # fmt: skip
    application = web_application_in(Status.RETURNED)
    client = _client(web_users[who])
    as_csv = _csv(client.get(url(application), {"format": "csv"}))
    as_xlsx = _xlsx(client.get(url(application), {"format": "xlsx"}))
    assert len(as_csv) > 1
    assert as_csv[0] == [str(cell) for cell in as_xlsx[0]]
    assert _same_rows(as_xlsx[1:], as_csv[1:])


def test_the_roster_list_and_a_versions_firms_download_with_filters(
    web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    first, second = web_application_in(Status.DRAFT), web_application_in(Status.DRAFT)
    county = _client(web_users["county_officer"])
    for application, firms in ((first, matching_declared()), (second, matching_declared()[:4])):
        handle = io.BytesIO(roster_csv(firms))
        handle.name = "名册.csv"
        county.post(reverse("rosters:application", args=[application.pk]), {"file": handle})
    run_waiting_jobs()  # the imports are jobs
    city = _client(web_users["city_officer"])
    year = first.call.year - 1
    page = city.get(reverse("rosters:list"), {"year": year, "kind": "application"}).content.decode()
    assert first.name in page
    assert second.name in page
    as_csv = _csv(city.get(reverse("rosters:list"), {"year": year, "kind": "application", "format": "csv"}))
    as_xlsx = _xlsx(
        city.get(reverse("rosters:list"), {"year": year, "kind": "application", "format": "xlsx"})
    )
    assert sorted(row[1] for row in as_csv[1:]) == sorted([first.number, second.number])
    assert _same_rows(as_xlsx[1:], as_csv[1:])
    assert _csv(city.get(reverse("rosters:list"), {"kind": "cluster", "format": "csv"}))[1:] == []

    version = first.rosters.get().versions.get()
    firms = _xlsx(city.get(reverse("rosters:version", args=[version.pk]), {"format": "xlsx"}))
    assert len(firms) == 12
    assert firms[2][firms[0].index("从业人员（人）")] == 2000
    assert firms[2][firms[0].index("企业称号")] == '专精特新"小巨人"'
    assert Decimal(str(firms[1][firms[0].index("工业总产值/产值（万元）")])) == Decimal("130000")


# --- search and sort (issue 15, finding 6) ------------------------------------------------------------


@pytest.fixture
def three_rosters(
    web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> list[Application]:
    """Rosters of two 顺德区 applications (12 and 4 firms) and one 南海区 application (12 firms)."""
    applications = [
        web_application_in(Status.DRAFT, name="顺德区智能家电产业集群"),
        web_application_in(Status.DRAFT, name="顺德区家具制造产业集群"),
        web_application_in(Status.DRAFT, county="440605", name="南海区铝型材产业集群"),
    ]
    importers = [web_users["county_officer"], web_users["county_officer"], web_users["other_county_officer"]]
    for application, importer, firms in zip(
        applications,
        importers,
        (matching_declared(), matching_declared()[:4], matching_declared()),
        strict=True,
    ):
        handle = io.BytesIO(roster_csv(firms))
        handle.name = "名册.csv"
        response = _client(importer).post(
            reverse("rosters:application", args=[application.pk]), {"file": handle}
        )
        assert response.status_code in (200, 302)
    run_waiting_jobs()  # the imports are jobs
    return applications


def _listed(client: Client, query: dict[str, str], fmt: str = "csv") -> list[str]:
    """The numbers of the owners the download lists (column 2, 编号)."""
    response = client.get(reverse("rosters:list"), {**query, "format": fmt})
    rows = _csv(response) if fmt == "csv" else [[str(cell) for cell in row] for row in _xlsx(response)]
    return [row[1] for row in rows[1:]]


def test_the_roster_list_searches_name_number_and_place(
    three_rosters: list[Application], web_users: dict[str, User]
) -> None:
    jiadian, jiaju, lvcai = three_rosters
    city = _client(web_users["city_officer"])
    assert sorted(_listed(city, {})) == sorted(a.number for a in three_rosters)
    for q, expected in (
        ("家具", [jiaju.number]),
        ("南海区", [lvcai.number]),
        ("440605", [lvcai.number]),
        ("广东省佛山市顺德区 家电", [jiadian.number]),
        (lvcai.number, [lvcai.number]),
    ):
        assert _listed(city, {"q": q}) == expected, q
        assert _listed(city, {"q": q}, "xlsx") == expected, q
    page = city.get(reverse("rosters:list"), {"q": "家具"}).content.decode()
    assert jiaju.name in page
    assert jiadian.name not in page
    # Search narrows the reach, never widens it.
    nanhai = _client(web_users["other_county_officer"])
    assert _listed(nanhai, {"q": "顺德区"}) == []
    assert _listed(nanhai, {"q": jiaju.number}) == []


def test_the_roster_list_sorts_by_each_column_both_ways(
    three_rosters: list[Application], web_users: dict[str, User]
) -> None:
    jiadian, jiaju, lvcai = three_rosters
    city = _client(web_users["city_officer"])
    everyone = sorted(a.number for a in three_rosters)
    for key in ("name", "kind", "place", "year", "version", "firms", "uploaded_at"):
        for direction in ("asc", "desc"):
            assert sorted(_listed(city, {"sort": key, "dir": direction})) == everyone, key
    assert _listed(city, {"sort": "firms", "dir": "asc"})[0] == jiaju.number  # 4 firms, the others 12
    assert _listed(city, {"sort": "firms", "dir": "desc"})[-1] == jiaju.number
    assert _listed(city, {"sort": "place"})[0] == lvcai.number  # 440605 before 440606
    assert _listed(city, {"sort": "place", "dir": "desc"})[-1] == lvcai.number
    by_name = [a.number for a in sorted(three_rosters, key=lambda application: application.name)]
    assert _listed(city, {"sort": "name"}) == by_name
    assert _listed(city, {"sort": "name", "dir": "desc"}) == by_name[::-1]
    uploaded = _listed(city, {"sort": "uploaded_at"})
    assert uploaded == [jiadian.number, jiaju.number, lvcai.number]
    assert _listed(city, {"sort": "uploaded_at", "dir": "desc"}) == uploaded[::-1]
    default = _listed(city, {})
    for unknown in ("owner", "versions__row_count", "-year", ""):
        response = city.get(reverse("rosters:list"), {"sort": unknown, "dir": "desc"})
        assert response.status_code == 200, unknown
        assert _listed(city, {"sort": unknown}) == default
    page = city.get(reverse("rosters:list"), {"sort": "firms", "dir": "desc"}).content.decode()
    assert 'aria-sort="descending"' in page
    assert "<title>" in page
    assert "recognized-clusters" not in page.split("</title>")[0]  # the title holds no list
