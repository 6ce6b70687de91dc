"""Fixtures for the public part of issue 4: a call whose shortlist is frozen, its public notice, objections
and recognition. Every name starts with ``pub_``; the helpers they use are in ``pub_support``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from pub_support import PubWorld, pub_build_world

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.programmes.models import Programme, YearlyCall


@pytest.fixture(autouse=True)
def pub_evidence_root(settings: Any, tmp_path: Path) -> Path:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


@pytest.fixture(autouse=True)
def pub_fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache (the objection limit itself is counted in the database)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pub_world(web_users: dict[str, User], web_call: YearlyCall) -> PubWorld:
    """The Guangdong call (rule set guangdong-2022: 7 working days) with two shortlisted applications of
    佛山市顺德区 and one left off; the province admin owns it."""
    return pub_build_world(call=web_call, owner=web_users["province_admin"], county="440606")


@pytest.fixture
def pub_ministry(web_users: dict[str, User], web_new_user: Callable[..., User]) -> User:
    """The ministry admin (工业和信息化部, jurisdiction 全国 100000)."""
    return web_new_user("ministry-admin", Role.MINISTRY_ADMIN, "100000")


@pytest.fixture
def pub_national_world(web_users: dict[str, User], pub_ministry: User) -> PubWorld:
    """The national programme (rule set national-2022: 5 working days; county → province → ministry) with
    two shortlisted applications of 佛山市南海区 and one left off."""
    programme = Programme.objects.create(
        name="国家级中小企业特色产业集群认定",
        owner=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "province", "national"],
        quota_per_unit=8,
    )
    today = timezone.localdate()
    call = YearlyCall.objects.create(
        programme=programme,
        year=today.year,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
        city_deadline=today + timedelta(days=30),
        province_deadline=today + timedelta(days=60),
    )
    return pub_build_world(call=call, owner=pub_ministry, county="440605", prefix="国家级测试")
