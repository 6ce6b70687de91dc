"""Finding 4 of issue 12: an operator reached the whole county. It read and wrote another cluster's annual
report and roster of its own county, because nothing linked an operator to its cluster.

Now an operator is bound to the applications and clusters it operates (set by the county; creating an
application binds its creator; recognition carries the binding to the cluster), and every kind's reach
uses the binding: what it does not operate is a 404 to read and refused to write, with nothing changed;
what it operates works. Its lists, exports and details agree; its notifications follow the binding.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from factories import ApplicationFactory, annual_report_in, bind_operator
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.services import application_operator_add
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notifications.models import Notification
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
from smecluster.apps.registry.services.operators import cluster_operator_add, cluster_operator_remove
from smecluster.apps.rosters.models import Roster

REPORT_YEAR = date.today().year - 1
ROSTER_CSV = "统一社会信用代码,企业名称\n9144060600000001XF,佛山市测试企业有限公司\n".encode()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator_world(security_users: dict[str, User]) -> dict[str, Any]:
    """Two recognized clusters of 顺德区 in one call: ``operated`` (the operator is bound to its application,
    so recognition bound it to the cluster) and ``other`` (the county's alone), each with a draft annual
    report; and a draft application of 顺德区 the operator does not operate."""
    operator = security_users["operator"]
    operated_application = ApplicationFactory(status=Status.RECOGNIZED, operators=[operator])
    other_application = ApplicationFactory(status=Status.RECOGNIZED, name="佛山市顺德区另一产业集群")
    operated = RecognizedCluster.objects.get(application=operated_application)
    other = RecognizedCluster.objects.get(application=other_application)
    return {
        "users": security_users,
        "operated": operated,
        "other": other,
        "operated_report": annual_report_in(operated, "draft", year=REPORT_YEAR, figures={}),
        "other_report": annual_report_in(other, "draft", year=REPORT_YEAR, figures={}),
        "unoperated_draft": ApplicationFactory(status=Status.DRAFT, call=operated_application.call),
    }


@pytest.mark.django_db
def test_recognition_carries_the_applications_operators_to_the_cluster(
    operator_world: dict[str, Any],
) -> None:
    operator = operator_world["users"]["operator"]
    assert list(operator_world["operated"].operators.all()) == [operator]
    assert not operator_world["other"].operators.exists()


@pytest.mark.django_db
def test_another_clusters_report_and_roster_of_its_county_are_a_404_to_read(
    operator_world: dict[str, Any],
) -> None:
    """Finding 4 reproduced: both clusters are in the operator's county; only the one it operates opens."""
    client = _client(operator_world["users"]["operator"])
    other, other_report = operator_world["other"], operator_world["other_report"]
    for url in (
        other_report.get_absolute_url(),
        reverse("registry:report_workbook", args=[other_report.pk]),
        other.get_absolute_url(),
        reverse("rosters:cluster", args=[other.pk]),
        reverse("oversight:timeline", args=[other.pk]),
        other.application.get_absolute_url(),
        reverse("rosters:application", args=[other.application.pk]),
        operator_world["unoperated_draft"].get_absolute_url(),
    ):
        assert client.get(url).status_code == 404, url
    operated, operated_report = operator_world["operated"], operator_world["operated_report"]
    for url in (
        operated_report.get_absolute_url(),
        operated.get_absolute_url(),
        reverse("rosters:cluster", args=[operated.pk]),
        reverse("oversight:timeline", args=[operated.pk]),
        operated.application.get_absolute_url(),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_writing_another_clusters_report_or_roster_is_refused_and_changes_nothing(
    operator_world: dict[str, Any],
) -> None:
    client = _client(operator_world["users"]["operator"])
    other, other_report = operator_world["other"], operator_world["other_report"]
    events = AuditEvent.objects.count()
    narrative = client.post(
        reverse("registry:report_edit", args=[other_report.pk, "narrative"]), {"work_done": "越权填写"}
    )
    assert narrative.status_code == 404
    submitted = client.post(reverse("registry:report_act", args=[other_report.pk, "submit"]))
    assert submitted.status_code == 404
    roster = io.BytesIO(ROSTER_CSV)
    roster.name = "名册.csv"
    imported = client.post(
        reverse("rosters:cluster", args=[other.pk]), {"year": str(REPORT_YEAR), "file": roster}
    )
    assert imported.status_code == 404
    other_report.refresh_from_db()
    assert other_report.status == AnnualReport.Status.DRAFT
    assert other_report.work_done == ""
    assert not Roster.objects.filter(cluster=other).exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_the_cluster_it_operates_it_writes(operator_world: dict[str, Any]) -> None:
    client = _client(operator_world["users"]["operator"])
    report = operator_world["operated_report"]
    saved = client.post(
        reverse("registry:report_edit", args=[report.pk, "narrative"]), {"work_done": "运营机构填写"}
    )
    assert saved.status_code == 200
    report.refresh_from_db()
    assert report.work_done == "运营机构填写"


@pytest.mark.django_db
def test_the_operators_lists_exports_and_details_agree(operator_world: dict[str, Any]) -> None:
    client = _client(operator_world["users"]["operator"])
    operated, other = operator_world["operated"], operator_world["other"]
    for page in ("/annual-reports/", "/oversight/clusters/", "/rosters/"):
        listed = client.get(page).content.decode()
        assert operated.name in listed, page
        assert other.name not in listed, page
    for export in ("/annual-reports/?format=csv", "/oversight/clusters/?format=csv"):
        csv = client.get(export).content.decode("utf-8-sig")
        assert operated.number in csv, export
        assert other.number not in csv, export
    applications = client.get("/applications/?format=csv").content.decode("utf-8-sig")
    assert operated.application.number in applications
    assert other.application.number not in applications
    assert operator_world["unoperated_draft"].number not in applications
    dashboard = client.get("/").content.decode()
    assert "operates-nothing" not in dashboard


@pytest.mark.django_db
def test_an_operator_bound_to_nothing_sees_nothing_and_is_told_why(operator_world: dict[str, Any]) -> None:
    client = _client(operator_world["users"]["other_operator"])
    dashboard = client.get("/").content.decode()
    assert "尚未被指定为任何申报或集群的运营管理机构" in dashboard
    for page in (
        "/annual-reports/?format=csv",
        "/applications/?format=csv",
        "/oversight/clusters/?format=csv",
    ):
        body = client.get(page).content.decode("utf-8-sig")
        assert operator_world["operated"].number not in body
        assert operator_world["operated"].application.number not in body


@pytest.mark.django_db
def test_the_county_binds_only_its_own_operators_audited(operator_world: dict[str, Any]) -> None:
    users = operator_world["users"]
    other = operator_world["other"]
    with pytest.raises(PermissionDenied):
        cluster_operator_add(actor=users["county_officer"], cluster=other, operator=users["other_operator"])
    with pytest.raises(PermissionDenied):
        cluster_operator_add(actor=users["other_county_officer"], cluster=other, operator=users["operator"])
    with pytest.raises(PermissionDenied):
        cluster_operator_add(actor=users["operator"], cluster=other, operator=users["operator"])
    with pytest.raises(PermissionDenied):
        application_operator_add(
            actor=users["county_officer"], application=other.application, operator=users["city_officer"]
        )
    assert not other.operators.exists()

    bind_operator(users["operator"], to=[other])
    assert AuditEvent.objects.filter(action="cluster.operator_add", target_id=str(other.pk)).exists()
    client = _client(users["operator"])
    assert client.get(operator_world["other_report"].get_absolute_url()).status_code == 200
    cluster_operator_remove(actor=users["county_officer"], cluster=other, operator=users["operator"])
    assert AuditEvent.objects.filter(action="cluster.operator_remove", target_id=str(other.pk)).exists()
    assert client.get(operator_world["other_report"].get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_an_operator_is_notified_only_about_what_it_operates(operator_world: dict[str, Any]) -> None:
    """Submitting an annual report back to the county (the city returns it) tells the county's people of
    that cluster: the operator of the operated cluster, never about the other one."""
    operator = operator_world["users"]["operator"]
    Notification.objects.all().delete()
    annual_report_in(operator_world["other"], "returned", year=REPORT_YEAR - 1, figures=_figures())
    assert not Notification.objects.filter(recipient=operator).exists()
    assert Notification.objects.filter(recipient=operator_world["users"]["county_officer"]).exists()
    annual_report_in(operator_world["operated"], "returned", year=REPORT_YEAR - 1, figures=_figures())
    assert Notification.objects.filter(recipient=operator).exists()


def _figures() -> dict[str, Any]:
    return {
        "figures": {"output": 120.5, "sme_output": 90.0, "employees": 30000},
        "quality_firms": {"little_giant": 1, "specialized": 3, "innovative": 2, "high_tech": 4},
        "firms": 200,
        "sme_firms": 190,
    }


@pytest.mark.django_db
def test_the_county_binds_on_the_clusters_page_and_the_page_shows_who_operates(
    operator_world: dict[str, Any],
) -> None:
    users, other = operator_world["users"], operator_world["other"]
    url = reverse("registry:cluster_operators", args=[other.pk])
    operator_post = _client(users["operator"]).post(url, {"operator": users["operator"].pk})
    assert operator_post.status_code == 404  # outside its reach, not merely refused
    county = _client(users["county_officer"])
    assert county.post(url, {"operator": users["operator"].pk}).status_code == 302
    assert list(other.operators.all()) == [users["operator"]]
    page = county.get(other.get_absolute_url()).content.decode()
    assert 'id="operators"' in page
    assert users["operator"].username in page
    assert county.post(url, {"operator": users["operator"].pk, "remove": "on"}).status_code == 302
    assert not other.operators.exists()
    application_page = county.get(other.application.get_absolute_url()).content.decode()
    assert reverse("applications:operators", args=[other.application.pk]) in application_page
