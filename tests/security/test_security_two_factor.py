"""Two-factor sign-in (issue 12, finding 9's last part): a TOTP authenticator (django-otp) with recovery
codes, required of province and ministry administrators and the platform admin, optional for others.

The rest of the suite runs with no role required (settings_test: it signs officers in with force_login);
these tests switch the production default on, and check that it is the default.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from click.testing import CliRunner
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clock import Clock
from factories import PASSWORD, UserFactory
from smecluster.apps.accounts import two_factor
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.accounts.two_factor_middleware import OPEN_VIEWS
from smecluster.apps.audit import actions
from smecluster.apps.audit.models import AuditEvent
from smecluster.cli import main
from smecluster.site import settings as production_settings
from smecluster.workdays import CHINA_TZ

PRODUCTION_DEFAULT = frozenset({"province_admin", "ministry_admin", "platform_admin"})
VERIFY = "/accounts/two-factor/"
ENROL = "/accounts/two-factor/enrol/"


@pytest.fixture(autouse=True)
def production_two_factor(settings: Any, clock: Clock) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = PRODUCTION_DEFAULT
    clock.move_to(datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ))


@pytest.fixture
def admin(security_users: dict[str, User]) -> User:
    return security_users["province_admin"]


@pytest.fixture
def officer(security_users: dict[str, User]) -> User:
    return security_users["county_officer"]


def _code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now, computed from the device's key as the app does."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


def _signed_in(user: User, **headers: Any) -> Client:
    """A client past the password step, through the login page (django-axes and all)."""
    client = Client(**headers)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _pending(client: Client, user: User) -> TOTPDevice:
    """The authenticator the enrolment page shows (its key kept in the session until confirmed)."""
    return TOTPDevice(user=user, key=client.session[two_factor.PENDING_KEY_SESSION])


def _enrolled(user: User) -> tuple[TOTPDevice, list[str]]:
    """Enrol ``user`` through the enrolment page; the authenticator and the recovery codes shown once."""
    client = _signed_in(user)
    page = client.get(ENROL)
    assert page.status_code == 200
    device = _pending(client, user)
    shown = client.post(ENROL, {"code": _code(device), "next": "/"})
    assert shown.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown.content.decode())
    return TOTPDevice.objects.get(user=user, confirmed=True), codes


def _next_window(clock: Clock) -> None:
    # A code is accepted once: the next sign-in uses the next 30-second step, as a person would.
    clock.shift(timedelta(seconds=31))


def _example_paths() -> Iterator[str]:
    """A path for every route of the site, each converter filled with a sample value of its type."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for entry in patterns:
            route = str(entry.pattern)
            if isinstance(entry.pattern, RegexPattern):  # the admin's and the captcha's: their pages
                continue  # are all answered alike (the admin's index stands for them)
            route = re.sub(r"<int:[^>]+>", "1", route)
            route = re.sub(r"<[^>]+>", "x", route)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern):
                yield "/" + prefix + route

    yield from walk(get_resolver().url_patterns, "")


def _reversible(view_name: str) -> bool:
    try:
        reverse(view_name)
    except NoReverseMatch as error:
        return "is not a valid view function or pattern name" not in str(error)  # it wants arguments
    return True


# What the middleware leaves open (the rest of the site, the admin and password pages included, is not).
# The single sign-on start and return are sign-in pages like the login form (ADR 0022).
OPEN_PATHS = (
    "/public/",
    "/i18n/",
    "/static/",
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/sso/",
    VERIFY,
    ENROL,
)


def test_the_production_default_requires_the_administrators() -> None:
    assert production_settings.TWO_FACTOR_REQUIRED_ROLES == PRODUCTION_DEFAULT
    assert {*Role.values, two_factor.PLATFORM_ADMIN} == production_settings.TWO_FACTOR_ROLE_NAMES


@pytest.mark.parametrize(
    ("value", "printed"),
    [("none", "frozenset()"), ("county_officer, expert", "['county_officer', 'expert']")],
)
def test_the_required_roles_come_from_the_environment(value: str, printed: str) -> None:
    environment = {**os.environ, "SMECLUSTER_TWO_FACTOR_ROLES": value}
    script = (
        "from smecluster.site import settings as s; r = s.TWO_FACTOR_REQUIRED_ROLES; print(sorted(r) or r)"
    )
    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True)
    assert result.stdout.strip() == printed, result.stderr


def test_an_unknown_role_is_refused_at_start_up() -> None:
    environment = {**os.environ, "SMECLUSTER_TWO_FACTOR_ROLES": "province_admin,superadmin"}
    script = "import smecluster.site.settings"
    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True)
    assert result.returncode != 0
    assert "unknown role(s) superadmin" in result.stderr


def test_who_is_required(security_users: dict[str, User], db: Any) -> None:
    required = {key for key, user in security_users.items() if two_factor.two_factor_required(user)}
    assert required == {"province_admin"}
    ministry = UserFactory(role=Role.MINISTRY_ADMIN, jurisdiction_id="440000")
    staff = UserFactory(is_staff=True)
    superuser = UserFactory(is_superuser=True, role="")
    assert all(two_factor.two_factor_required(user) for user in (ministry, staff, superuser))


def test_a_required_user_reaches_no_page_but_enrolment_before_the_second_factor(admin: User) -> None:
    client = _signed_in(admin)
    paths = sorted(set(_example_paths()))
    assert len(paths) > 100
    for path in paths:
        if path.startswith(OPEN_PATHS):
            continue
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(ENROL + "?next="), path
    # htmx is told to load the page rather than swap it into a fragment.
    response = client.get("/applications/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(ENROL)
    # Every view the middleware leaves open exists (a renamed one would be held back silently).
    assert sorted(name for name in OPEN_VIEWS if not _reversible(name)) == []
    # The public site stays open, and so does signing out.
    assert client.get("/public/clusters/").status_code == 200
    assert client.get("/public/notices/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_a_required_user_signed_in_by_force_login_is_held_back_too(admin: User) -> None:
    client = Client()
    client.force_login(admin)
    assert client.get("/").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_the_test_settings_require_nobody(admin: User, settings: Any) -> None:
    """Why the rest of the suite's force_login of administrators reaches their pages."""
    settings.TWO_FACTOR_REQUIRED_ROLES = frozenset()
    client = Client()
    client.force_login(admin)
    assert client.get("/").status_code == 200


def test_enrolment_shows_a_qr_code_and_the_secret_then_recovery_codes_once(admin: User, clock: Clock) -> None:
    client = _signed_in(admin)
    page = client.get(ENROL).content.decode()
    assert not TOTPDevice.objects.exists()  # opening the page writes no row
    device = _pending(client, admin)
    assert "<svg" in page
    assert "<script" not in page.split("<main>")[1]
    assert two_factor.secret_in_base32(device) in page
    # A reload shows the same secret (the app may already hold it).
    assert two_factor.secret_in_base32(device) in client.get(ENROL).content.decode()
    # A wrong code enrols nothing.
    refused = client.post(ENROL, {"code": "000000" if _code(device) != "000000" else "111111"})
    assert refused.status_code == 200
    assert "验证码不正确" in refused.content.decode()
    assert not two_factor.is_enrolled(admin)

    clock.shift(timedelta(seconds=2))  # django-otp's throttle: a second's wait after a wrong code, doubling
    shown = client.post(ENROL, {"code": _code(device), "next": "/applications/"})
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown.content.decode())
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT == len(set(codes))
    assert "/applications/" in shown.content.decode()
    assert two_factor.is_enrolled(admin)
    assert (
        AuditEvent.objects.filter(action=actions.TWO_FACTOR_ENROL.code, target_id=str(admin.pk)).count() == 1
    )
    # The session is verified now; the codes are not shown again, and enrolling again is not offered.
    assert client.get("/applications/").status_code == 200
    assert client.get(ENROL)["Location"] == reverse("accounts:security")
    assert not any(code in client.get(reverse("accounts:security")).content.decode() for code in codes)


def test_a_wrong_code_is_refused_and_counted_as_a_failed_login(admin: User, clock: Clock) -> None:
    device, _codes = _enrolled(admin)
    _next_window(clock)
    client = _signed_in(admin)
    assert client.get("/applications/")["Location"].startswith(VERIFY + "?next=")
    failures_before = AuditEvent.objects.filter(action=actions.ACCOUNT_LOGIN_FAILED.code).count()
    wrong = "000000" if _code(device) != "000000" else "111111"
    page = client.post(VERIFY, {"code": wrong, "next": "/applications/"})
    assert page.status_code == 200
    assert "验证码不正确" in page.content.decode()
    assert client.get("/applications/").status_code == 302
    failed = AuditEvent.objects.filter(action=actions.ACCOUNT_LOGIN_FAILED.code).order_by("-pk")
    assert failed.count() == failures_before + 1
    assert failed[0].after["username"] == admin.username
    assert AccessAttempt.objects.get(username=admin.username).failures_since_start == 1


def test_the_right_code_lets_in(admin: User, clock: Clock) -> None:
    device, _codes = _enrolled(admin)
    _next_window(clock)
    client = _signed_in(admin)
    response = client.post(VERIFY, {"code": _code(device), "next": "/applications/"})
    assert response.status_code == 302
    assert response["Location"] == "/applications/"
    assert client.get("/applications/").status_code == 200
    assert client.get("/").status_code == 200
    # A code already used does not open a second session (replay).
    other = _signed_in(admin)
    assert other.post(VERIFY, {"code": _code(device)}).status_code == 200
    assert other.get("/").status_code == 302


def test_an_unsafe_next_is_not_followed(admin: User, clock: Clock) -> None:
    device, _codes = _enrolled(admin)
    _next_window(clock)
    client = _signed_in(admin)
    response = client.post(VERIFY, {"code": _code(device), "next": "https://attacker.example/"})
    assert response["Location"] == "/"


def test_a_recovery_code_works_once(admin: User, clock: Clock) -> None:
    _device, codes = _enrolled(admin)
    client = _signed_in(admin)
    response = client.post(VERIFY, {"code": codes[0].upper(), "next": "/applications/"})
    assert response.status_code == 302
    assert client.get("/applications/").status_code == 200
    used = AuditEvent.objects.get(action=actions.TWO_FACTOR_RECOVERY_CODE.code)
    assert used.after == {"codes_left": two_factor.RECOVERY_CODE_COUNT - 1}
    assert two_factor.recovery_codes_left(admin) == two_factor.RECOVERY_CODE_COUNT - 1

    again = _signed_in(admin)
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert again.get("/").status_code == 302
    clock.shift(timedelta(seconds=2))  # the throttle after a wrong code
    assert again.post(VERIFY, {"code": codes[1]}).status_code == 302


def test_five_wrong_codes_lock_the_account(admin: User, clock: Clock) -> None:
    device, _codes = _enrolled(admin)
    _next_window(clock)
    client = _signed_in(admin)
    wrong = "000000" if _code(device) != "000000" else "111111"
    statuses = [client.post(VERIFY, {"code": wrong}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert "_auth_user_id" not in client.session  # the half-done sign-in ended
    # Locked: the right password is refused now, as after five wrong passwords.
    response = Client().post("/accounts/login/", {"username": admin.username, "password": PASSWORD})
    assert response.status_code == 429


def test_an_optional_user_is_unaffected_until_they_enrol_and_can_remove_it(
    officer: User, clock: Clock
) -> None:
    client = _signed_in(officer)
    assert client.get("/").status_code == 200
    assert client.get("/applications/").status_code == 200
    security = client.get(reverse("accounts:security")).content.decode()
    assert "未启用" in security

    device, _codes = _enrolled(officer)
    _next_window(clock)
    client = _signed_in(officer)
    assert client.get("/applications/")["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": _code(device)}).status_code == 302
    assert "已启用" in client.get(reverse("accounts:security")).content.decode()

    # Removal takes a current authenticator code.
    _next_window(clock)
    refused = client.post(reverse("accounts:security"), {"code": "not-a-code"})
    assert refused.status_code == 200
    assert two_factor.is_enrolled(officer)
    clock.shift(timedelta(seconds=2))  # the throttle after a wrong code
    assert client.post(reverse("accounts:security"), {"code": _code(device)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(
        action=actions.TWO_FACTOR_REMOVE.code, target_id=str(officer.pk)
    ).exists()
    assert _signed_in(officer).get("/applications/").status_code == 200


def test_an_enrolled_user_cannot_enrol_again_to_skip_the_code(admin: User, clock: Clock) -> None:
    _enrolled(admin)
    client = _signed_in(admin)
    assert client.get(ENROL)["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=admin).count() == 1


def test_the_reset_command_removes_the_devices_and_is_audited(admin: User, clock: Clock) -> None:
    _enrolled(admin)
    result = CliRunner().invoke(main, ["accounts", "reset-2fa", admin.username, "--reason", "手机丢失"])
    assert result.exit_code == 0, result.output
    assert "removed (2)" in result.output
    assert not TOTPDevice.objects.filter(user=admin).exists()
    assert not StaticToken.objects.filter(device__user=admin).exists()
    reset = AuditEvent.objects.get(action=actions.TWO_FACTOR_RESET.code)
    assert reset.reason == "手机丢失"
    assert reset.actor is None
    # The administrator enrols again at the next sign-in.
    assert _signed_in(admin).get("/")["Location"].startswith(ENROL)

    missing = CliRunner().invoke(main, ["accounts", "reset-2fa", "no-such-person"])
    assert missing.exit_code == 2
    assert "no account named" in missing.output


def test_the_admin_offers_no_authenticator_pages() -> None:
    """django-otp's admin would show a device's secret key and delete it without an audit event."""
    from django.contrib import admin as django_admin
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    import smecluster.site.urls  # noqa: F401  (the URLconf unregisters them)

    assert not django_admin.site.is_registered(TOTPDevice)
    assert not django_admin.site.is_registered(StaticDevice)
