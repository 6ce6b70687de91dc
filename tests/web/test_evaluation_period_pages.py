"""Issue 13, findings 2 and 3, in the platform: the call fixes the years every applicant is judged on, so
an application checked on 31 December and on 4 January of the next year is judged alike; the call list,
the new-application page, the figures tab, the panel and the PDF's panel state the period."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from factories import ApplicationFactory, people
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.profiles import eligibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(db: Any) -> Application:
    ensure_divisions()
    people()
    return ApplicationFactory()


def test_the_day_of_checking_does_not_move_the_years(application: Application) -> None:
    year = application.call.year
    december, _ = eligibility(application, date(year, 12, 31))
    january, _ = eligibility(application, date(year + 1, 1, 4))
    assert december is not None
    assert january is not None
    assert [(r.criterion.id, r.status) for r in december.results] == [
        (r.criterion.id, r.status) for r in january.results
    ]
    assert january.outcome == december.outcome


def test_the_period_is_stated_where_the_applicant_and_the_reviewers_look(application: Application) -> None:
    year = application.call.year
    period = f"{year - 3}—{year - 1}年；事故和失信事件自 {year - 3}年1月1日 起至申报日"
    client = Client()
    client.force_login(User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction=application.county_id))
    for url in (
        reverse("applications:edit", args=[application.pk, "figures"]),
        reverse("applications:eligibility", args=[application.pk]),
        f"{reverse('applications:new')}?call={application.call.pk}",
    ):
        assert period in client.get(url).content.decode(), url
    province = Client()
    province.force_login(User.objects.filter(role=Role.PROVINCE_ADMIN).first())
    assert period in province.get(reverse("programmes:list")).content.decode()
