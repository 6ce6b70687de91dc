"""The oversight pages for every role: allowed (200), refused (403 with the reason), outside the user's
reach (404), or the login page for anonymous visitors (the page matrix: one world for every case, each case
in a savepoint; tests/shared_world.py); a refused post writes nothing. And the pages'
happy paths through the browser-facing forms: file → review → approve; record an incident; decide."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from factories import ApplicationFactory, UserFactory, YearlyCallFactory, pdf_upload, people
from shared_world import rolled_back
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.oversight import services
from smecluster.apps.oversight.models import ClusterIncident, MajorChange, RevocationProposal
from smecluster.apps.registry.models import RecognizedCluster

ROLES = (
    "anonymous", "province_admin", "city_officer", "other_city_officer", "county_officer",
    "other_county_officer", "operator", "other_operator", "expert", "other_province_admin", "ministry_admin",
)  # fmt: skip
SEES = {"province_admin", "city_officer", "county_officer", "operator"}
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404


def _in_reach(**inside: int) -> dict[str, int]:
    """Those who see the cluster get ``inside[role]`` (default 200); everyone else a 404."""
    return {role: (inside.get(role, OK) if role in SEES else NOT_FOUND) for role in ROLES[1:]}


def _everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(ROLES[1:], code)


FINDERS = {"county_officer": FORBIDDEN, "operator": FORBIDDEN}
# The lists answer everyone with a reach (each sees its own rows) and refuse experts.
LIST = {**_everyone(OK), "expert": FORBIDDEN}
PAGES: dict[str, tuple[str, dict[str, int]]] = {
    "oversight:clusters": ("", LIST),
    "oversight:incidents": ("", LIST),
    "oversight:changes": ("", LIST),
    "oversight:revocations": ("", LIST),
    "oversight:timeline": ("cluster", _in_reach()),
    "oversight:change_new": (
        "cluster", _in_reach(province_admin=FORBIDDEN, city_officer=FORBIDDEN, operator=FORBIDDEN)
    ),
    "oversight:change_found": ("cluster", _in_reach(**FINDERS)),
    "oversight:incident_new": ("cluster", _in_reach(**FINDERS)),
    "oversight:revocation_new": (
        "cluster", _in_reach(city_officer=FORBIDDEN, county_officer=FORBIDDEN, operator=FORBIDDEN)
    ),
    "oversight:change_detail": ("change", _in_reach()),
    "oversight:revocation_detail": ("proposal", _in_reach()),
    "oversight:evidence": ("evidence", _in_reach()),
}  # fmt: skip


@pytest.fixture
def ov_world(
    ov_people: dict[str, User], ov_cluster: RecognizedCluster, web_pdf_upload: Any
) -> dict[str, Any]:
    return _world(ov_people, ov_cluster, web_pdf_upload)


def _world(people: dict[str, User], cluster: RecognizedCluster, pdf: Any) -> dict[str, Any]:
    """The cluster with an unfiled change found by the city (whose revocation proposal follows)."""
    with TestCase.captureOnCommitCallbacks(execute=True):  # the file reaches its place on commit
        change = services.change_record_unfiled(
            actor=people["city_officer"], cluster=cluster, kind="operating_agency",
            new_value={"operating_agency": "某某园区运营公司"},
            effective_on=timezone.localdate() - timedelta(days=50),
            found_on=timezone.localdate(), source="实地核查", uploads=[pdf("核查记录.pdf")],
        )  # fmt: skip
    proposal = RevocationProposal.objects.get(cluster=cluster)
    return {
        "people": people,
        "cluster": cluster.pk,
        "change": change.pk,
        "proposal": proposal.pk,
        "evidence": change.evidence.get().pk,
    }


def _client(world: dict[str, Any], role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["people"][role])
    return client


@pytest.fixture(scope="class")
def matrix_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """``ov_world`` built once for the class (in a transaction rolled back after it; tests/shared_world.py):
    the people, the recognized 顺德区 cluster (taken there through the services) and its unfiled change."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_divisions()
        people_ = {
            **people(),
            "other_province_admin": UserFactory(
                username="other-province-admin", role=Role.PROVINCE_ADMIN, jurisdiction_id="330000"
            ),
            "ministry_admin": UserFactory(
                username="ministry-admin", role=Role.MINISTRY_ADMIN, jurisdiction_id="100000"
            ),
        }
        application = ApplicationFactory(
            call=YearlyCallFactory(),
            status="recognized",
            name="佛山市测试智能家电产业集群1",
            operators=[people_["operator"]],  # 顺德区's operator operates the cluster (bound by the county)
        )
        yield _world(people_, application.recognition, pdf_upload)
        transaction.set_rollback(True)


# All of the class's cases on one worker, which builds the world once.
@pytest.mark.xdist_group("oversight-page-matrix")
class TestPageMatrix:
    """Every case reads the class's world; each runs in a savepoint rolled back after it."""

    @pytest.fixture(autouse=True)
    def db(self, matrix_world: dict[str, Any]) -> Iterator[None]:
        """In place of pytest-django's ``db``: the name tells pytest-django these cases use the test
        database; the class's transaction and this savepoint isolate them."""
        with rolled_back():
            yield

    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("url_name", list(PAGES))
    def test_page_matrix(self, matrix_world: dict[str, Any], role: str, url_name: str) -> None:
        argument, expected = PAGES[url_name]
        url = reverse(url_name, args=[matrix_world[argument]] if argument else [])
        response = _client(matrix_world, role).get(url)
        if role == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
            return
        assert response.status_code == expected[role], (role, url_name, response.status_code)


@pytest.mark.django_db
def test_a_refusal_shows_its_reason(ov_world: dict[str, Any]) -> None:
    response = _client(ov_world, "city_officer").get(
        reverse("oversight:change_new", args=[ov_world["cluster"]])
    )
    assert response.status_code == FORBIDDEN
    assert "重大变动须由集群所在县的主管部门报备" in response.content.decode()


CHANGE = {"kind": "leading_industry", "leading_industry": "家具", "effective_on": "2026-01-01", "reason": "x"}
INCIDENT = {"kind": "tax_evasion", "occurred_on": "2026-01-01", "source": "x", "description": "x"}
DECISION = {"decision": "accept", "reason": "撤销"}


@pytest.mark.parametrize(
    ("role", "url_name", "argument", "data"),
    [
        ("city_officer", "oversight:change_new", "cluster", CHANGE),
        ("county_officer", "oversight:incident_new", "cluster", INCIDENT),
        ("county_officer", "oversight:revocation_detail", "proposal", DECISION),
        ("city_officer", "oversight:revocation_detail", "proposal", DECISION),
        ("other_province_admin", "oversight:revocation_detail", "proposal", DECISION),
        ("city_officer", "oversight:revocation_new", "cluster", {"case": "2", "grounds": "虚假申报"}),
        ("other_county_officer", "oversight:change_new", "cluster", {"kind": "leading_industry"}),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_a_refused_post_writes_nothing(
    ov_world: dict[str, Any], role: str, url_name: str, argument: str, data: dict[str, str]
) -> None:
    client = _client(ov_world, role)  # signing in is audited: before the count
    events = AuditEvent.objects.count()
    counts = (
        MajorChange.objects.count(),
        ClusterIncident.objects.count(),
        RevocationProposal.objects.count(),
    )
    response = client.post(reverse(url_name, args=[ov_world[argument]]), data)
    assert response.status_code in (FORBIDDEN, NOT_FOUND)
    assert AuditEvent.objects.count() == events
    assert (
        MajorChange.objects.count(),
        ClusterIncident.objects.count(),
        RevocationProposal.objects.count(),
    ) == counts
    assert RecognizedCluster.objects.get(pk=ov_world["cluster"]).status == RecognizedCluster.Status.VALID


@pytest.mark.django_db
def test_file_review_and_approve_through_the_pages(ov_world: dict[str, Any]) -> None:
    cluster = ov_world["cluster"]
    county = _client(ov_world, "county_officer")
    bad = county.post(
        reverse("oversight:change_new", args=[cluster]),
        {
            "kind": "spatial_scope",
            "counties": "440606",
            "area_km2": "abc",
            "effective_on": "2026-01-01",
            "reason": "x",
        },
    )
    assert bad.status_code == OK
    assert "面积须为数字" in bad.content.decode()
    response = county.post(
        reverse("oversight:change_new", args=[cluster]),
        {
            "kind": "leading_industry",
            "leading_industry": "智能装备",
            "effective_on": timezone.localdate().isoformat(),
            "reason": "产业转型",
        },
    )
    assert response.status_code == 302
    change = MajorChange.objects.get(status=MajorChange.Status.FILED)
    detail = reverse("oversight:change_detail", args=[change.pk])
    assert (
        _client(ov_world, "city_officer").post(detail, {"review": "1", "decision": "forward"}).status_code
        == 302
    )
    assert (
        _client(ov_world, "province_admin")
        .post(detail, {"decide": "1", "decision": "approve", "reason": "同意"})
        .status_code
        == 302
    )
    page = _client(ov_world, "operator").get(reverse("oversight:timeline", args=[cluster])).content.decode()
    assert "智能家电 → 智能装备" in page
    public = Client().get(reverse("registry:public_detail", args=[cluster])).content.decode()
    assert "智能装备" in public
    assert "某某园区运营公司" in public  # the record as it stands after the change found on site


@pytest.mark.django_db
def test_record_an_incident_and_decide_through_the_pages(ov_world: dict[str, Any]) -> None:
    cluster = ov_world["cluster"]
    province = _client(ov_world, "province_admin")
    response = province.post(
        reverse("oversight:incident_new", args=[cluster]),
        {
            "kind": "safety_accident",
            "level": "",
            "occurred_on": "2026-01-01",
            "source": "通报",
            "description": "火灾",
        },
    )
    assert "事故和安全事件须填写等级" in response.content.decode()
    response = province.post(
        reverse("oversight:incident_new", args=[cluster]),
        {
            "kind": "safety_accident",
            "level": "较大",
            "occurred_on": timezone.localdate().isoformat(),
            "source": "应急管理局通报",
            "description": "仓库火灾",
        },
    )
    assert response.status_code == 302
    proposal = RevocationProposal.objects.get(case=5)
    listing = province.get(reverse("oversight:revocations")).content.decode()
    assert "第十八条第（五）项" in listing
    response = province.post(
        reverse("oversight:revocation_detail", args=[proposal.pk]),
        {"decision": "accept", "reason": "事故属实"},
    )
    assert response.status_code == 302
    assert RecognizedCluster.objects.get(pk=cluster).status == RecognizedCluster.Status.REVOKED
    timeline = _client(ov_world, "county_officer").get(reverse("oversight:timeline", args=[cluster])).content
    assert "事故属实" in timeline.decode()
