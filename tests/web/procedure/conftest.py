"""Fixtures shared by the procedure tests of issue 13."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from clock import Clock
from smecluster.apps.accounts.models import User
from smecluster.apps.programmes.models import Programme, YearlyCall


@pytest.fixture
def national_call(web_users: dict[str, User], clock: Clock) -> YearlyCall:
    """The 2025 national call (county → province → national), no limit of its own: the rule set's applies."""
    clock.beijing(date(2025, 6, 2), 10)
    programme = Programme.objects.create(
        name="国家级中小企业特色产业集群",
        owner=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "province", "national"],
        quota_per_unit=None,
    )
    today = timezone.localdate()
    return YearlyCall.objects.create(
        programme=programme,
        year=2025,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
        city_deadline=today + timedelta(days=30),
        province_deadline=today + timedelta(days=60),
    )
