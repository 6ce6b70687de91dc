"""The roster tolerance is the programme's, set by the province admin on the programme form (audited);
left empty it stays as it was."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from smecluster.apps.accounts.models import User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.programmes.models import Programme, YearlyCall

pytestmark = pytest.mark.django_db

FORM = {
    "name": "广东省中小企业特色产业集群认定",
    "owner_level": "province",
    "rule_set_id": "guangdong-2022",
    "review_chain": ["county", "city", "province"],
    "quota_per_unit": "3",
    "change_filing_days": "30",
    "re_review_window_days": "90",
}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_province_admin_sets_the_tolerance(web_users: dict[str, User], web_call: YearlyCall) -> None:
    programme = web_call.programme
    assert programme.roster_tolerance_pct == Decimal(5)
    client = _client(web_users["province_admin"])
    url = reverse("programmes:edit", args=[programme.pk])
    assert "名册核对容差" in client.get(url).content.decode()
    assert client.post(url, {**FORM, "roster_tolerance_pct": "2.5"}).status_code == 302
    programme.refresh_from_db()
    assert programme.roster_tolerance_pct == Decimal("2.5")
    event = AuditEvent.objects.filter(target_id=str(programme.pk)).order_by("pk").last()
    assert event.after["roster_tolerance_pct"] == "2.5"
    assert client.post(url, FORM).status_code == 302
    assert Programme.objects.get(pk=programme.pk).roster_tolerance_pct == Decimal("2.5")
    refused = client.post(url, {**FORM, "roster_tolerance_pct": "120"})
    assert refused.status_code == 200
    assert Programme.objects.get(pk=programme.pk).roster_tolerance_pct == Decimal("2.5")


def test_a_city_officer_cannot_set_it(web_users: dict[str, User], web_call: YearlyCall) -> None:
    url = reverse("programmes:edit", args=[web_call.programme.pk])
    response = _client(web_users["city_officer"]).post(url, {**FORM, "roster_tolerance_pct": "50"})
    assert response.status_code == 403
    assert Programme.objects.get(pk=web_call.programme.pk).roster_tolerance_pct == Decimal(5)
