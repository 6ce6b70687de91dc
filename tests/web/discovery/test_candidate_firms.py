"""The drill-down from a candidate to its firms (issue 18: "the raw data only for drill-down to firms"):
the firms of the candidate's county × division in the run's year, read from the dataset's prepared rows,
largest output first, paged and downloadable, within the run's reach and the candidate's (a city officer:
their own city's counties only), and a word instead of a table on an unprepared dataset."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.discovery.models import Candidate, Dataset, DiscoveryRun
from smecluster.apps.discovery.preparation import prepared_directory

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


def _firms_in_layout(dataset: Dataset, candidate: Candidate, year: int) -> list[dict[str, Any]]:
    """The candidate's firm-years as the prepared layout holds them, read with pyarrow (not the app)."""
    files = prepared_directory(dataset.prepared_path) / "enterprise_year" / f"year={year}"
    table = pq.read_table(files)
    key = int(candidate.county_code) * 100 + int(candidate.division)
    rows: list[dict[str, Any]] = [row for row in table.to_pylist() if row["county_division"] == key]
    return rows


def _url(run: DiscoveryRun, candidate: Candidate) -> str:
    return reverse("discovery:candidate_firms", args=[run.pk, candidate.rank])


def test_a_candidates_firms_are_listed_largest_first_and_downloaded_whole(
    login: Login, run: DiscoveryRun, dataset: Dataset
) -> None:
    candidate = run.candidates.order_by("rank").first()
    assert candidate is not None
    expected = _firms_in_layout(dataset, candidate, run.year)
    assert expected
    client = login("province_admin")
    page = client.get(_url(run, candidate))
    assert page.status_code == 200
    text = page.content.decode()
    assert f"共 {len(expected)} 家企业" in text
    largest = max(expected, key=lambda row: (row["output"], ""))
    assert largest["credit_code"] in text
    assert text.index(largest["credit_code"]) < min(
        text.index(row["credit_code"]) for row in expected if row["credit_code"] != largest["credit_code"]
    )
    # Linked from the run's page.
    assert _url(run, candidate) in client.get(reverse("discovery:run", args=[run.pk])).content.decode()
    rows = list(
        csv.reader(
            io.StringIO(client.get(_url(run, candidate), {"format": "csv"}).content.decode("utf-8-sig"))
        )
    )
    assert rows[0][0] == "统一社会信用代码"
    assert sorted(row[0] for row in rows[1:]) == sorted(row["credit_code"] for row in expected)
    outputs = [int(row[4]) for row in rows[1:]]
    assert outputs == sorted(outputs, reverse=True)
    assert {row[2] for row in rows[1:]} <= {"大型", "中型", "小型", "微型", "未定（缺划型所需数据）"}
    book = load_workbook(io.BytesIO(client.get(_url(run, candidate), {"format": "xlsx"}).content))
    assert book.active.max_row == len(expected) + 1


def test_a_city_officer_sees_the_firms_of_their_own_citys_candidates_only(
    login: Login, run: DiscoveryRun
) -> None:
    foshan = run.candidates.filter(city_code="440600").first()
    elsewhere = run.candidates.exclude(city_code="440600").first()
    assert foshan is not None
    assert elsewhere is not None
    client = login("city_officer")  # 佛山市
    assert client.get(_url(run, foshan)).status_code == 200
    assert client.get(_url(run, elsewhere)).status_code == 404
    assert client.get(_url(run, elsewhere), {"format": "csv"}).status_code == 404


@pytest.mark.parametrize("role", ["county_officer", "operator", "expert"])
def test_other_roles_are_refused(login: Login, run: DiscoveryRun, role: str) -> None:
    candidate = run.candidates.first()
    assert candidate is not None
    assert login(role).get(_url(run, candidate)).status_code == 403


def test_another_province_does_not_find_the_firms(
    run: DiscoveryRun, web_new_user: Callable[..., User]
) -> None:
    candidate = run.candidates.first()
    assert candidate is not None
    zhejiang = Client()
    zhejiang.force_login(web_new_user("zj-admin", Role.PROVINCE_ADMIN, "330000"))
    assert zhejiang.get(_url(run, candidate)).status_code == 404
    assert zhejiang.get(_url(run, candidate), {"format": "xlsx"}).status_code == 404


def test_an_unprepared_dataset_says_to_prepare_it(
    login: Login, run: DiscoveryRun, unprepared_dataset: Dataset
) -> None:
    dataset = unprepared_dataset
    candidate = run.candidates.first()
    assert candidate is not None
    page = login("province_admin").get(_url(run, candidate))
    assert page.status_code == 200
    assert "尚未准备" in page.content.decode()
    assert reverse("discovery:dataset", args=[dataset.pk]) in page.content.decode()


def test_a_page_past_the_last_shows_the_last(login: Login, run: DiscoveryRun) -> None:
    candidate = run.candidates.first()
    assert candidate is not None
    page = login("province_admin").get(_url(run, candidate), {"page": "999"})
    assert page.status_code == 200
    assert "第 1 / 1 页" in page.content.decode()
