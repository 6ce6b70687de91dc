"""The registry's officer lists (annual reports, re-reviews, annual assessments): search over the cluster's
name, number and place, sorting by each column both ways, an unknown sort key ignored, and downloads
holding exactly the listed rows, never beyond the officer's reach (issue 15, finding 6)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from factories import annual_report_in
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.registry.models import ClusterAssessment, RecognizedCluster, ReReview
from web.registry.conftest import reg_client, reg_figures, reg_recognize

pytestmark = pytest.mark.django_db

LISTS = {
    # url name: the download's column holding the cluster number, and the sort keys of the page
    "registry:report_list": (0, ("number", "name", "place", "year", "due_on", "status", "timeliness")),
    "registry:re_review_list": (0, ("number", "name", "place", "valid_until", "status", "outcome")),
    "registry:assessment_list": (0, ("number", "name", "place", "year", "proposed_grade", "grade")),
}


@pytest.fixture
def two(
    reg_cluster: RecognizedCluster, web_application_in: Callable[..., Application], web_users: dict[str, User]
) -> dict[str, RecognizedCluster]:
    """顺德区's cluster 〔2024〕001 and 南海区's 〔2024〕002 (佛山市 both), each with a 2024 annual report,
    a re-review and a 2024 assessment."""
    nanhai = reg_recognize(
        web_application_in(county="440605", name="南海区铝型材产业集群"),
        date(2024, 3, 10),
        date(2027, 3, 9),
        "粤中小特色集群〔2024〕002",
    )
    for cluster, grade in ((reg_cluster, "良好"), (nanhai, "优秀")):
        annual_report_in(cluster, "draft", year=2024, figures=reg_figures(2024))
        ReReview.objects.create(
            cluster=cluster, period_valid_until=cluster.valid_until, opened_on=date(2026, 12, 1)
        )
        ClusterAssessment.objects.create(
            cluster=cluster, year=2024, proposed_grade=grade, grade=grade, findings="按期完成",
            assessed_by=web_users["province_admin"], assessed_at=timezone.now(),
        )  # fmt: skip
    return {"shunde": reg_cluster, "nanhai": nanhai}


def _numbers(client: Client, url_name: str, query: str = "", fmt: str = "csv") -> list[str]:
    column = LISTS[url_name][0]
    response = client.get(reverse(url_name) + "?" + "&".join(p for p in (query, f"format={fmt}") if p))
    assert response.status_code == 200
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        return [str(row[column]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row[column] for row in rows[1:]]


@pytest.mark.parametrize("url_name", LISTS)
def test_search_narrows_by_name_number_and_place(
    two: dict[str, RecognizedCluster], web_users: dict[str, User], url_name: str
) -> None:
    client = reg_client(web_users["city_officer"])
    shunde, nanhai = two["shunde"].number, two["nanhai"].number
    assert sorted(_numbers(client, url_name)) == sorted([shunde, nanhai])
    for query, expected in (
        ("q=南海区", [nanhai]),
        ("q=广东省佛山市顺德区", [shunde]),
        ("q=440605", [nanhai]),
        ("q=〔2024〕001", [shunde]),
        ("q=铝型材", [nanhai]),
        ("q=佛山+铝型材", [nanhai]),
        ("q=没有这个集群", []),
    ):
        assert _numbers(client, url_name, query) == expected, query
        assert _numbers(client, url_name, query, "xlsx") == expected, query
    page = client.get(reverse(url_name) + "?q=南海区").content.decode()
    assert 'name="q" value="南海区"' in page
    assert nanhai in page
    assert shunde not in page


@pytest.mark.parametrize("url_name", LISTS)
def test_search_never_widens_the_reach(
    two: dict[str, RecognizedCluster], web_users: dict[str, User], url_name: str
) -> None:
    client = reg_client(web_users["other_county_officer"])
    assert _numbers(client, url_name) == [two["nanhai"].number]
    for query in ("q=顺德区", "q=440606", f"q={two['shunde'].number}"):
        assert _numbers(client, url_name, query) == [], query


@pytest.mark.parametrize("url_name", LISTS)
def test_each_column_sorts_both_ways_and_an_unknown_key_is_ignored(
    two: dict[str, RecognizedCluster], web_users: dict[str, User], url_name: str
) -> None:
    client = reg_client(web_users["city_officer"])
    both = sorted([two["shunde"].number, two["nanhai"].number])
    for key in LISTS[url_name][1]:
        assert sorted(_numbers(client, url_name, f"sort={key}&dir=desc")) == both, key
        page = client.get(reverse(url_name) + f"?sort={key}&dir=desc")
        assert 'aria-sort="descending"' in page.content.decode(), key
    assert _numbers(client, url_name, "sort=number") == both
    assert _numbers(client, url_name, "sort=number&dir=desc") == both[::-1]
    # 南海区 (440605) before 顺德区 (440606) by place
    assert _numbers(client, url_name, "sort=place") == [two["nanhai"].number, two["shunde"].number]
    default = _numbers(client, url_name)
    for unknown in ("sort=pk", "sort=cluster__number", "sort=number&dir=sideways", "sort=%00"):
        assert client.get(reverse(url_name) + "?" + unknown).status_code == 200, unknown
    assert _numbers(client, url_name, "sort=assessed_by__password") == default


def test_the_assessment_grades_sort(two: dict[str, RecognizedCluster], web_users: dict[str, User]) -> None:
    client = reg_client(web_users["city_officer"])
    ordered = sorted([("良好", two["shunde"].number), ("优秀", two["nanhai"].number)])
    assert _numbers(client, "registry:assessment_list", "sort=grade") == [number for _, number in ordered]
    assert _numbers(client, "registry:assessment_list", "sort=grade&dir=desc") == [
        number for _, number in reversed(ordered)
    ]


def test_filters_search_and_sort_travel_together(
    two: dict[str, RecognizedCluster], web_users: dict[str, User]
) -> None:
    """The report list's download links and header links keep the year filter, the search and the sort."""
    client = reg_client(web_users["city_officer"])
    page = client.get(
        reverse("registry:report_list") + "?year=2024&q=佛山&sort=year&dir=desc"
    ).content.decode()
    assert "?year=2024&amp;q=%E4%BD%9B%E5%B1%B1&amp;sort=year&amp;dir=desc&amp;format=csv" in page
    assert "?year=2024&amp;q=%E4%BD%9B%E5%B1%B1&amp;sort=number&amp;dir=asc" in page
    assert _numbers(client, "registry:report_list", "late=on_time&q=佛山") == []
    assert len(_numbers(client, "registry:report_list", "year=2024&q=佛山")) == 2
