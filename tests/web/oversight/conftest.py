"""Fixtures of the oversight tests: a recognized cluster of 顺德区 in the Guangdong programme (walked there
through the services by ``web_application_in``), and one in the national programme, whose rule set names
only the revocation cases reported publicly (4 and 5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.registry.models import RecognizedCluster


@pytest.fixture
def ov_cluster(web_application_in: Callable[..., Application]) -> RecognizedCluster:
    return web_application_in("recognized").recognition


@pytest.fixture
def ov_people(web_users: dict[str, User], web_new_user: Callable[..., User]) -> dict[str, User]:
    """``web_users`` plus an admin of another province (浙江), a ministry admin and a city officer of
    another province's city."""
    return {
        **web_users,
        "other_province_admin": web_new_user("other-province-admin", Role.PROVINCE_ADMIN, "330000"),
        "ministry_admin": web_new_user("ministry-admin", Role.MINISTRY_ADMIN, "100000"),
    }


@pytest.fixture
def ov_national_cluster(
    ov_people: dict[str, User], web_application_in: Callable[..., Application]
) -> RecognizedCluster:
    """A 顺德区 cluster recognized by the ministry in the national programme (county → province →
    national)."""
    programme = Programme.objects.create(
        name="国家级中小企业特色产业集群认定",
        owner=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "province", "national"],
        quota_per_unit=5,
    )
    today = timezone.localdate()
    call = YearlyCall.objects.create(
        programme=programme,
        year=today.year,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
        city_deadline=today + timedelta(days=30),
        province_deadline=today + timedelta(days=60),
        quota=5,
    )
    return web_application_in("recognized", call=call, name="佛山市顺德区国家级测试集群").recognition


@pytest.fixture
def ov_more_clusters(
    ov_cluster: RecognizedCluster, web_application_in: Callable[..., Application]
) -> Callable[[], RecognizedCluster]:
    """``ov_more_clusters()``: one more recognized 顺德区 cluster of the Guangdong programme. A call's
    shortlist is frozen once recognized, so each comes from a call of its own (an earlier free year: a call
    opens after the years it judges)."""

    def make() -> RecognizedCluster:
        programme = ov_cluster.programme
        year = min(programme.calls.values_list("year", flat=True)) - 1
        today = timezone.localdate()
        call = YearlyCall.objects.create(
            programme=programme,
            year=year,
            opens_on=today - timedelta(days=10),
            closes_on=today + timedelta(days=20),
            city_deadline=today + timedelta(days=30),
            province_deadline=today + timedelta(days=60),
            quota=3,
        )
        return web_application_in("recognized", call=call).recognition

    return make
