"""Login lockout (issue 12, finding 9): django-axes counts failed logins per account and per address, in
the database, and the address is the one the trusted proxy reports (``smecluster.site.client_address``)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from clock import Clock
from factories import PASSWORD
from smecluster.apps.accounts.models import User
from smecluster.apps.audit import actions
from smecluster.apps.audit.models import AuditEvent
from smecluster.site.client_address import client_address
from smecluster.workdays import CHINA_TZ

XFF = "HTTP_X_FORWARDED_FOR"
BEHIND_ONE_PROXY = override_settings(TRUSTED_PROXY_HEADER="X-Forwarded-For", TRUSTED_PROXY_COUNT=1)


@pytest.fixture
def officer(security_users: dict[str, User]) -> User:
    return security_users["county_officer"]


def _log_in(client: Client, username: str, password: str, **headers: Any) -> int:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, **headers
    ).status_code


def _fail_five_times(client: Client, username: str, **headers: Any) -> list[int]:
    return [_log_in(client, username, f"wrong-{attempt}", **headers) for attempt in range(5)]


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(officer: User) -> None:
    client = Client()
    assert _fail_five_times(client, officer.username) == [200, 200, 200, 200, 429]
    page = client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})
    assert page.status_code == 429
    assert "_auth_user_id" not in client.session
    text = page.content.decode()
    assert "登录失败次数过多" in text
    assert "2026" in text or "之后再试" in text
    assert "30 分钟" in text
    # Still locked: the right password again, from another address too (the account's own count).
    assert _log_in(client, officer.username, PASSWORD) == 429
    assert _log_in(Client(REMOTE_ADDR="198.51.100.20"), officer.username, PASSWORD) == 429


def test_the_locked_out_page_does_not_tell_whether_the_account_exists(officer: User, clock: Clock) -> None:
    clock.move_to(datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ))
    pages = []
    for username, address in ((officer.username, "198.51.100.1"), ("no-such-person", "198.51.100.2")):
        client = Client(REMOTE_ADDR=address)
        _fail_five_times(client, username)
        page = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert page.status_code == 429
        pages.append(re.sub(r"[A-Za-z0-9]{64}", "", page.content.decode()))  # a token per session
    assert officer.username not in pages[0]
    assert "no-such-person" not in pages[1]
    assert pages[0] == pages[1]


def test_the_lockout_ends_after_the_cool_off(officer: User, clock: Clock) -> None:
    clock.move_to(datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ))
    client = Client()
    _fail_five_times(client, officer.username)
    clock.shift(timedelta(minutes=29))
    assert _log_in(client, officer.username, PASSWORD) == 429  # and this attempt starts the cool-off again
    clock.shift(timedelta(minutes=29))
    assert _log_in(client, officer.username, PASSWORD) == 429
    clock.shift(timedelta(minutes=31))
    assert _log_in(client, officer.username, PASSWORD) == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_the_administrator_unlocks_the_account_with_the_reset_command(officer: User) -> None:
    client = Client()
    _fail_five_times(client, officer.username)
    assert _log_in(client, officer.username, PASSWORD) == 429
    call_command("axes_reset_username", officer.username)
    # The address's own count is reset with the username's attempts it held.
    assert _log_in(client, officer.username, PASSWORD) == 302


@BEHIND_ONE_PROXY
def test_failures_behind_the_trusted_proxy_are_counted_per_address(officer: User) -> None:
    client = Client()  # every request reaches Django from the proxy, 127.0.0.1
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    for attempt in range(5):  # a different username each time: only the address can add them up
        assert _log_in(client, f"guess-{attempt}", "wrong", **attacker) == (429 if attempt == 4 else 200)
    assert _log_in(client, officer.username, PASSWORD, **attacker) == 429
    # A left-most entry is the client's own say and is not believed: still the same address.
    assert _log_in(client, officer.username, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7") == 429
    # Another address behind the same proxy logs in.
    assert _log_in(client, officer.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.30") == 302


@BEHIND_ONE_PROXY
def test_the_audit_records_failed_logins_with_the_proxy_derived_address(officer: User) -> None:
    client = Client()
    _log_in(client, officer.username, "wrong", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7")
    failed = AuditEvent.objects.get(action=actions.ACCOUNT_LOGIN_FAILED.code)
    assert failed.after == {"username": officer.username, "address": "203.0.113.7"}


@pytest.mark.parametrize(
    ("header", "count", "forwarded", "expected"),
    [
        ("", 1, "203.0.113.7", "192.0.2.1"),
        ("X-Forwarded-For", 1, "1.1.1.1, 203.0.113.7", "203.0.113.7"),
        ("X-Forwarded-For", 2, "1.1.1.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        ("X-Forwarded-For", 2, "203.0.113.7", "192.0.2.1"),
        ("X-Forwarded-For", 1, None, "192.0.2.1"),
        ("X-Forwarded-For", 1, "not-an-address", "192.0.2.1"),
        ("X-Forwarded-For", 1, "2001:db8::7", "2001:db8::7"),
    ],
)  # fmt: skip
def test_the_client_address_trusts_only_the_proxies_entries(
    rf: Any, header: str, count: int, forwarded: str | None, expected: str
) -> None:
    meta = {"REMOTE_ADDR": "192.0.2.1"} | ({XFF: forwarded} if forwarded is not None else {})
    request = rf.get("/", **meta)
    with override_settings(TRUSTED_PROXY_HEADER=header, TRUSTED_PROXY_COUNT=count):
        assert client_address(request) == expected
    assert client_address(None) == ""
