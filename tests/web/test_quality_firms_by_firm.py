"""Issue 13, finding 4: "不少于10家省级专精特新中小企业、创新型中小企业和国家级高新技术企业" (GD 13(三))
counts firms (家), so a firm holding two of the titles is one of the ten. The quality tab asks for the
firms holding any of the titles the programme's rule set counts together, checks it against the per-title
counts, and the eligibility check decides on it; without it, the per-title counts decide only where they
can."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from factories import ApplicationFactory, people
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.profiles import application_profile
from smecluster.apps.audit.models import AuditEvent
from smecluster.policy.evaluator import evaluate
from smecluster.policy.ruleset import rule_set
from smecluster.policy.verdict import Status

pytestmark = pytest.mark.django_db

HOLDERS = "holders__specialized__innovative__high_tech"


@pytest.fixture
def application(db: Any) -> Application:
    ensure_divisions()
    people()
    return ApplicationFactory()


def _officer(application: Application) -> Client:
    client = Client()
    client.force_login(User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction=application.county_id))
    return client


def _quality(**values: int | str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "champion": 0,
        "little_giant": 0,
        "specialized": 6,
        "innovative": 3,
        "high_tech": 4,
    }
    data.update(values)
    return data


def _verdict(application: Application) -> Any:
    application.refresh_from_db()
    profile = application_profile(application, application.call.opens_on)
    result = evaluate(profile, rule_set(application.call.programme.rule_set_id))
    return next(item for item in result.results if item.criterion.id == "gd-quality-firms")


def test_the_tab_asks_for_the_firms_holding_any_of_the_titles_and_the_check_decides_on_them(
    application: Application,
) -> None:
    client = _officer(application)
    url = reverse("applications:edit", args=[application.pk, "quality"])
    page = client.get(url).content.decode()
    assert HOLDERS in page
    assert "每家企业只计一次" in page

    # 13 title holdings, 11 firms: the clause's ten are met by firms.
    assert client.post(url, _quality(**{HOLDERS: 11})).status_code == 302
    application.refresh_from_db()
    stated = [{"titles": ["specialized", "innovative", "high_tech"], "firms": 11}]
    assert application.quality_holders == stated
    event = AuditEvent.objects.filter(action="application.update", target_id=str(application.pk)).last()
    assert event is not None
    assert event.after["quality_holders"] == stated
    assert _verdict(application).status == Status.PASS

    # 13 holdings but 9 firms: one firm holds three titles and one holds two. Not ten firms.
    client.post(url, _quality(**{HOLDERS: 9}))
    working = _verdict(application)
    assert working.status == Status.FAIL
    assert "每家只计一次" in working.explanation


def test_without_the_firms_the_per_title_counts_decide_only_where_they_can(application: Application) -> None:
    client = _officer(application)
    url = reverse("applications:edit", args=[application.pk, "quality"])
    client.post(url, _quality(**{HOLDERS: ""}))  # 13 holdings: 6 to 13 firms
    assert _verdict(application).status == Status.MISSING
    client.post(url, _quality(specialized=3, innovative=2, high_tech=4, **{HOLDERS: ""}))  # at most 9 firms
    assert _verdict(application).status == Status.FAIL
    client.post(url, _quality(high_tech=10, **{HOLDERS: ""}))  # at least 10 firms
    assert _verdict(application).status == Status.PASS


@pytest.mark.parametrize(("firms", "says"), [(5, "6"), (14, "13")], ids=["below-one-title", "above-the-sum"])
def test_an_impossible_number_of_firms_is_refused_at_its_field_and_nothing_is_stored(
    application: Application, firms: int, says: str
) -> None:
    client = _officer(application)
    url = reverse("applications:edit", args=[application.pk, "quality"])
    client.post(url, _quality(**{HOLDERS: 11}))
    response = client.post(url, _quality(**{HOLDERS: firms}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "与各称号的企业数不符" in html
    assert says in html
    application.refresh_from_db()
    assert application.quality_holders[0]["firms"] == 11
