"""``GET /healthz`` (site/health.py): 200 with each part's state when the instance can serve, 503 naming
the failing part otherwise; open to the proxy and the monitoring without an account."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.test.utils import override_settings

from clock import Clock

pytestmark = pytest.mark.django_db


def test_a_healthy_instance_says_ok_with_each_part(client: Client, clock: Clock) -> None:
    clock.beijing(date(2026, 3, 2))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["checks"]["database"] == {"ok": True, "engine": "postgresql"}
    assert body["checks"]["storage"] == {"ok": True}
    assert body["checks"]["rule_sets"]["ok"] is True
    assert body["checks"]["holidays"]["ok"] is True
    assert 2026 in body["checks"]["holidays"]["years"]


def test_an_unwritable_store_fails_and_is_named(client: Client, clock: Clock, tmp_path: Path) -> None:
    clock.beijing(date(2026, 3, 2))
    blocked = tmp_path / "a-file-not-a-directory"
    blocked.write_text("x")
    with override_settings(EVIDENCE_ROOT=blocked):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["failing"] == ["storage"]
    assert body["checks"]["storage"]["error"].startswith("evidence: ")


def test_a_year_without_its_holiday_arrangement_fails(client: Client, clock: Clock) -> None:
    """No deadline in working days (公示期, 复核) can be computed in a year without its arrangement."""
    clock.beijing(date(2041, 1, 5))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["holidays"]
    assert "2041" in body["checks"]["holidays"]["error"]
    assert "smecluster calendar load" in body["checks"]["holidays"]["error"]


def test_next_years_arrangement_missing_is_a_warning_not_a_failure(client: Client, clock: Clock) -> None:
    clock.beijing(date(2026, 12, 7))  # the 2027 arrangement is published in the autumn
    holidays = client.get("/healthz").json()["checks"]["holidays"]
    if 2027 in holidays["years"]:  # an administrator of this machine loaded it already
        pytest.skip("the 2027 arrangement is loaded here")
    assert holidays["ok"] is True
    assert "2027" in holidays["warning"]


def test_it_needs_no_account_and_refuses_posts(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
