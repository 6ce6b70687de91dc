"""Findings 5 and 6 of issue 12: an application's reach is one definition. Every row of the list and its
CSV export has a detail page for that role and every reachable detail is listed; an expert's reach ends
when the call's shortlist is confirmed; an expert never sees an officer's name or telephone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories import PATH_TO, ApplicationFactory, UserFactory, pdf_upload, take_steps
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application, EvidenceFile, Section
from smecluster.apps.applications.services import evidence_add
from smecluster.apps.applications.workflow import Status
from smecluster.apps.programmes.models import Programme, YearlyCall

OFFICER_PHONE = "13912345678"


def _national_call() -> YearlyCall:
    programme = Programme.objects.create(
        name="国家级中小企业特色产业集群认定",
        owner=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "province", "national"],
        quota_per_unit=8,
    )
    today = timezone.localdate()
    return YearlyCall.objects.create(
        programme=programme,
        year=today.year,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
        city_deadline=today + timedelta(days=30),
        province_deadline=today + timedelta(days=60),
    )


@pytest.fixture
def reach_world(security_users: dict[str, User]) -> dict[str, Any]:
    """Provincial drafts in two counties, a scored application whose call's shortlist is confirmed, and a
    national-programme draft; plus the ministry admin."""
    users = dict(security_users)
    users["ministry_admin"] = UserFactory(
        username="ministry-admin", role=Role.MINISTRY_ADMIN, jurisdiction_id="100000"
    )
    for user in users.values():
        user.first_name, user.phone = "官员", OFFICER_PHONE
        user.save()
    provincial = ApplicationFactory(status=Status.DRAFT)
    ApplicationFactory(status=Status.DRAFT, call=provincial.call, county="440605")
    scored = ApplicationFactory(status=Status.DRAFT, call=provincial.call, name="佛山市测试已评审集群")
    evidence = evidence_add(
        actor=users["county_officer"], application=scored, section=Section.BASICS, upload=pdf_upload()
    )
    take_steps(scored, PATH_TO[Status.SHORTLISTED])
    ApplicationFactory(status=Status.DRAFT, call=_national_call())
    return {"users": users, "scored": scored, "evidence": evidence}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_list_its_export_and_the_details_agree_for_every_role(reach_world: dict[str, Any]) -> None:
    applications = list(Application.objects.all())
    assert len(applications) == 4
    for role, user in reach_world["users"].items():
        client = _client(user)
        listed = client.get(reverse("applications:list"), {"format": "csv"})
        exported = client.get(reverse("applications:export"))
        assert listed.status_code == exported.status_code == 200, role
        for application in applications:
            detail = client.get(reverse("applications:detail", args=[application.pk])).status_code
            assert detail in (200, 404), (role, application.number, detail)
            reachable = detail == 200
            assert (application.number in listed.content.decode("utf-8-sig")) == reachable, (
                role,
                application,
            )
            assert (application.number in exported.content.decode("utf-8-sig")) == reachable, (
                role,
                application,
            )


@pytest.mark.django_db
def test_the_ministry_sees_the_national_programme_only(reach_world: dict[str, Any]) -> None:
    csv = _client(reach_world["users"]["ministry_admin"]).get(reverse("applications:list"), {"format": "csv"})
    text = csv.content.decode("utf-8-sig")
    for application in Application.objects.select_related("call__programme"):
        national = application.call.programme.owner_level == "national"
        assert (application.number in text) == national, application


@pytest.mark.django_db
def test_an_expert_reads_nothing_of_the_application_once_the_shortlist_is_frozen(
    reach_world: dict[str, Any],
) -> None:
    scored: Application = reach_world["scored"]
    evidence: EvidenceFile = reach_world["evidence"]
    assert scored.assignments.filter(expert__username="expert").exists()
    client = _client(reach_world["users"]["expert"])
    for url in (
        reverse("applications:detail", args=[scored.pk]),
        reverse("reviews:history", args=[scored.pk]),
        reverse("reviews:versions", args=[scored.pk]),
        reverse("applications:pdf", args=[scored.pk]),
        reverse("applications:evidence_download", args=[evidence.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert scored.number not in client.get(reverse("applications:list"), {"format": "csv"}).content.decode()


@pytest.mark.django_db
def test_an_expert_never_sees_an_officers_name_or_phone(security_users: dict[str, User]) -> None:
    for key, user in security_users.items():
        if key != "expert":
            user.first_name, user.last_name, user.phone = "经办", "张", OFFICER_PHONE
            user.save()
    application = ApplicationFactory(status=Status.DRAFT)
    Application.objects.filter(pk=application.pk).update(contact_person="张经办", contact_phone=OFFICER_PHONE)
    take_steps(application, ("submit", "return"))  # two versions and a return: the history has officers
    take_steps(application, ("submit", "accept", "review", "recommend", "screen", "assign", "score"))
    client = _client(security_users["expert"])
    pages = [
        reverse("applications:detail", args=[application.pk]),
        reverse("reviews:history", args=[application.pk]),
        reverse("reviews:versions", args=[application.pk]),
    ]
    for url in pages:
        for query in ({}, {"format": "csv"}):
            response = client.get(url, query)
            assert response.status_code == 200, url
            body = response.content.decode("utf-8-sig")
            assert OFFICER_PHONE not in body, url
            assert "张经办" not in body, url
    # The officers still see them.
    officer = _client(security_users["city_officer"])
    assert OFFICER_PHONE in officer.get(pages[0]).content.decode()
