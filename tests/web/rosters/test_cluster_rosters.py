"""A recognized cluster's yearly rosters: its county officer and operator import, year by year, versions
kept; the city and province read; another county, another city and experts get a 404."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from roster_support import matching_declared, roster_csv

from jobs_worker import run_waiting_jobs
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.rosters.models import RosterVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def cluster(web_application_in: Callable[..., Application]) -> RecognizedCluster:
    return web_application_in(Status.RECOGNIZED).recognition


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, cluster: RecognizedCluster, year: int, firms: int = 11) -> Any:
    handle = io.BytesIO(roster_csv(matching_declared()[:firms]))
    handle.name = f"名册{year}.csv"
    response = client.post(reverse("rosters:cluster", args=[cluster.pk]), {"year": str(year), "file": handle})
    run_waiting_jobs()  # the import is a job: the worker reads, checks and writes the file
    return response


def test_the_roster_list_links_the_users_clusters_before_any_roster(
    web_users: dict[str, User], cluster: RecognizedCluster
) -> None:
    link = reverse("rosters:cluster", args=[cluster.pk])
    assert link in _client(web_users["operator"]).get(reverse("rosters:list")).content.decode()
    assert link not in _client(web_users["other_operator"]).get(reverse("rosters:list")).content.decode()


def test_county_officer_and_operator_import_year_by_year(
    web_users: dict[str, User], cluster: RecognizedCluster
) -> None:
    last_year = cluster.year - 1
    assert _post(_client(web_users["county_officer"]), cluster, last_year).status_code == 302
    assert _post(_client(web_users["operator"]), cluster, last_year, firms=6).status_code == 302
    assert _post(_client(web_users["operator"]), cluster, last_year - 1, firms=3).status_code == 302
    versions = RosterVersion.objects.filter(roster__cluster=cluster).order_by("roster__year", "number")
    assert [(v.roster.year, v.number, v.row_count) for v in versions] == [
        (last_year - 1, 1, 3),
        (last_year, 1, 11),
        (last_year, 2, 6),
    ]
    page = _client(web_users["city_officer"]).get(
        reverse("rosters:cluster", args=[cluster.pk]), {"year": last_year}
    )
    assert page.status_code == 200
    assert "第 2 版" in page.content.decode()
    assert AuditEvent.objects.filter(action="roster.import", target_id=str(cluster.pk)).count() == 3
    listing = _client(web_users["operator"]).get(reverse("rosters:list")).content.decode()
    assert reverse("rosters:cluster", args=[cluster.pk]) in listing


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("county_officer", 200, 302),
        ("operator", 200, 302),
        ("city_officer", 200, 403),
        ("province_admin", 200, 403),
        ("other_county_officer", 404, 404),
        ("other_operator", 404, 404),
        ("other_city_officer", 404, 404),
        ("expert", 404, 404),
    ],
)
def test_who_may_read_and_import_a_clusters_roster(
    who: str, read: int, write: int, web_users: dict[str, User], cluster: RecognizedCluster
) -> None:
    client = _client(web_users[who])
    assert client.get(reverse("rosters:cluster", args=[cluster.pk])).status_code == read
    assert _post(client, cluster, cluster.year - 1).status_code == write
    assert RosterVersion.objects.count() == (1 if write == 302 else 0)


def test_a_year_outside_the_clusters_years_is_refused(
    web_users: dict[str, User], cluster: RecognizedCluster
) -> None:
    client = _client(web_users["county_officer"])
    assert client.get(reverse("rosters:cluster", args=[cluster.pk]), {"year": 1990}).status_code == 404
    assert _post(client, cluster, cluster.year + 5).status_code == 404
    assert not RosterVersion.objects.exists()


def test_a_revoked_cluster_takes_no_roster(web_users: dict[str, User], cluster: RecognizedCluster) -> None:
    RecognizedCluster.objects.filter(pk=cluster.pk).update(status=RecognizedCluster.Status.REVOKED)
    response = _post(_client(web_users["county_officer"]), cluster, cluster.year - 1)
    assert response.status_code == 403
    assert "撤销" in response.content.decode()
