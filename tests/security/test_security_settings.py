"""Deployment settings (issue 12, findings 9 and 11): `manage check --deploy` passes with the production
values from the environment, a strict Content-Security-Policy with no inline script in any template, a
30-minute idle session, and passwords of at least 12 characters that are not common."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from factories import PASSWORD
from smecluster.apps.accounts.models import User
from smecluster.site.demo import DEMO_PASSWORD

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "smecluster"
PRODUCTION = {
    "SMECLUSTER_SECRET_KEY": "x" * 20 + "production-secret-not-in-code-" + "y" * 20,
    "SMECLUSTER_DEBUG": "",
    "SMECLUSTER_ALLOWED_HOSTS": "cluster.example.gov.cn",
    "SMECLUSTER_SECURE_COOKIES": "1",
    "SMECLUSTER_HSTS_SECONDS": "31536000",
    "SMECLUSTER_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SMECLUSTER_HSTS_PRELOAD": "1",
    "SMECLUSTER_SSL_REDIRECT": "1",
    "SMECLUSTER_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "SMECLUSTER_CSRF_TRUSTED_ORIGINS": "https://cluster.example.gov.cn",
}


def _check_deploy(environment: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **environment, "SMECLUSTER_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # The browser tests set this in the test process (Playwright's event loop); a deployment never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "-m", "smecluster", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_the_production_values(tmp_path: Path) -> None:
    done = _check_deploy(PRODUCTION, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_fails_without_them(tmp_path: Path) -> None:
    bare = dict.fromkeys(PRODUCTION, "") | {"SMECLUSTER_SECRET_KEY": PRODUCTION["SMECLUSTER_SECRET_KEY"]}
    done = _check_deploy(bare, tmp_path)
    assert done.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in done.stdout + done.stderr


def test_every_page_carries_a_csp_without_inline_script(
    client: Client, security_users: dict[str, User]
) -> None:
    client.force_login(security_users["county_officer"])
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in policy
    assert directives["style-src"] == "'self'"


def test_no_template_has_inline_script_or_a_javascript_url_or_handler() -> None:
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|javascript:|\son[a-z]+\s*=", re.IGNORECASE)
    offenders = [
        f"{template.relative_to(PACKAGE)}: {match.group(0)}"
        for template in PACKAGE.rglob("*.html")
        for match in inline.finditer(template.read_text(encoding="utf-8"))
    ]
    assert not offenders


def test_sessions_end_after_30_idle_minutes() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # idle, not since login: each request renews it


def test_the_session_idle_time_is_renewed_by_each_request(
    client: Client, security_users: dict[str, User], settings: Any
) -> None:
    client.force_login(security_users["city_officer"])
    client.get("/")
    assert 0 < client.session.get_expiry_age() <= 30 * 60


@pytest.mark.parametrize("weak", ["zhangsan2024", "password1234", "12345678901234", "short-pw"])
def test_weak_passwords_are_refused(weak: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_the_demo_and_test_passwords_pass_the_validators(security_users: dict[str, User]) -> None:
    for user in security_users.values():
        validate_password(DEMO_PASSWORD, user)
        validate_password(PASSWORD, user)


def test_the_password_change_form_refuses_a_weak_password(security_users: dict[str, User]) -> None:
    client = Client()
    officer = security_users["county_officer"]
    client.force_login(officer)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "zhangsan2024", "new_password2": "zhangsan2024"},
    )
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_the_environment_sets_the_proxy_header_origins_and_hsts(tmp_path: Path) -> None:
    env = {**os.environ, **PRODUCTION, "SMECLUSTER_DATA_DIR": str(tmp_path)}
    script = (
        "from smecluster.site import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == [
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "['https://cluster.example.gov.cn']",
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "True",
    ]


def test_no_page_template_has_a_style_attribute_or_element() -> None:
    """Styles come from site.css only (style-src 'self'). The PDF templates are exempt: WeasyPrint renders
    them to a PDF on the server, which no browser applies the CSP to."""
    inline = re.compile(r"""\sstyle\s*=\s*["']|<style\b""", re.IGNORECASE)
    offenders = [
        f"{template.relative_to(PACKAGE)}: {match.group(0)}"
        for template in PACKAGE.rglob("*.html")
        if not template.name.endswith("pdf.html")
        for match in inline.finditer(template.read_text(encoding="utf-8"))
    ]
    assert not offenders
