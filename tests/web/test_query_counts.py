"""The busiest pages ask the database the same number of questions however many rows they list (issue 16:
"the slowest pages fixed (queries counted with a test that fails on N+1 growth)").

A page that runs one query per row listed is fast on a test database and slow on a province's (2,000
applications, 500 clusters: benchmarks/load). Each page of the load test is opened on a small world, the
world grows (two more recognized clusters with their annual reports, applications in every early state,
notices, notifications), and the page is opened again: the count of queries must not change.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clock import Clock
from factories import ApplicationFactory, annual_report_in, people, recognized_cluster
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.workflow import Status
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
from smecluster.site.demo import _report_figures

pytestmark = pytest.mark.django_db

# (who opens it — a key of factories.PEOPLE, or None for a visitor —, the page), as the load test does.
PAGES: tuple[tuple[str | None, str], ...] = (
    (None, "/accounts/login/"),
    (None, "/public/clusters/"),
    (None, "/public/clusters/?q=家电"),
    (None, "/public/notices/"),
    ("county_officer", "/"),
    ("county_officer", "/applications/"),
    ("county_officer", "/annual-reports/"),
    ("county_officer", "/notifications/"),
    ("city_officer", "/"),
    ("city_officer", "/applications/?q=集群&sort=-number"),
    ("city_officer", "/annual-reports/"),
    ("city_officer", "/oversight/clusters/"),
    ("city_officer", "/rosters/"),
    ("province_admin", "/"),
    ("province_admin", "/applications/?sort=county"),
    ("province_admin", "/monitoring/"),
    ("province_admin", "/assessments/"),
    ("province_admin", "/re-reviews/"),
    ("province_admin", "/oversight/changes/"),
    ("province_admin", "/notices/"),
    ("province_admin", "/selection/"),
)


DAY = date(2026, 6, 1)


def _grow(clock: Clock) -> None:
    """One more recognized cluster with a received annual report (filed the next spring), and applications
    in the early states."""
    clock.beijing(DAY)
    cluster = recognized_cluster()
    clock.beijing(date(DAY.year + 1, 3, 1))
    annual_report_in(
        cluster, AnnualReport.Status.RECEIVED, year=cluster.recognized_on.year,
        figures=_report_figures(Decimal("1"), 0),
    )  # fmt: skip
    clock.beijing(DAY)
    for status in (Status.DRAFT, Status.SUBMITTED, Status.ACCEPTED):
        ApplicationFactory(status=status)


def _counts(users: dict[str, User]) -> dict[str, int]:
    counts = {}
    for who, path in PAGES:
        client = Client()
        if who is not None:
            client.force_login(users[who])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (who, path, response.status_code)
        counts[f"{who or 'visitor'} {path}"] = len(queries)
    return counts


def test_the_busiest_pages_ask_as_many_questions_for_three_clusters_as_for_one(clock: Clock) -> None:
    ensure_divisions()
    users = people()
    _grow(clock)
    before = _counts(users)
    _grow(clock)
    _grow(clock)
    assert RecognizedCluster.objects.count() == 3
    after = _counts(users)
    grown = {page: (before[page], after[page]) for page in before if after[page] != before[page]}
    assert not grown, f"queries per page grew with the rows listed (N+1): {grown}"
