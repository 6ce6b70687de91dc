"""Starts the test OpenID provider (django-oidc-provider, ``oidc_provider_site``) as a separate process on
loopback, with its own SQLite database in a temporary directory, and signs people in at it.

The provider is a real one: its discovery document, JWKS, RS256-signed ID tokens, code exchange and
userinfo are what the platform's mozilla-django-oidc client talks to, over HTTP.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

TESTS_DIR = Path(__file__).resolve().parent.parent
CLIENT_ID = "smecluster-test"
CLIENT_SECRET = "test-provider-client-secret"
PASSWORD = "provider-password-42"
PLATFORM_SCOPES = "openid profile email smecluster"


@dataclass
class IdentityProvider:
    issuer: str
    workdir: Path
    redirect_uris: set[str] = field(default_factory=set)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)

    def _environment(self) -> dict[str, str]:
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SMECLUSTER_"))
        }
        environment.update(
            DJANGO_SETTINGS_MODULE="oidc_provider_site.settings",
            OIDC_PROVIDER_DB=str(self.workdir / "provider.sqlite3"),
            PYTHONPATH=str(TESTS_DIR),
        )
        return environment

    def _seed(self) -> None:
        spec = {
            "client": {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": sorted(self.redirect_uris),
                "post_logout_redirect_uris": sorted(
                    uri.split("/accounts/")[0] + "/accounts/login/" for uri in self.redirect_uris
                ),
            },
            "users": list(self.users.values()),
        }
        spec_path = self.workdir / "spec.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        subprocess.run(
            [sys.executable, "-m", "oidc_provider_site.seed", str(spec_path)],
            env=self._environment(),
            check=True,
            capture_output=True,
        )

    def register(
        self,
        *,
        redirect_uri: str,
        people: list[dict[str, Any]],
    ) -> None:
        """Allow a redirect URI and create or update people: username, names, email, and ``groups`` such
        as role:city_officer, division:440100, amr:otp (see claims.py)."""
        self.redirect_uris.add(redirect_uri)
        for person in people:
            self.users[person["username"]] = {"password": PASSWORD, **person}
        self._seed()

    def subject(self, username: str) -> str:
        """The ``sub`` the provider gives a person (django-oidc-provider's default: their user id)."""
        with sqlite3.connect(self.workdir / "provider.sqlite3") as database:
            row = database.execute("SELECT id FROM auth_user WHERE username = ?", (username,)).fetchone()
        return str(row[0])

    def platform_settings(self) -> dict[str, Any]:
        """The platform's settings for this provider (the SMECLUSTER_OIDC_* variables' values)."""
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_RP_SCOPES": PLATFORM_SCOPES,
        }


def sign_in_at_provider(authorization_url: str, username: str) -> str:
    """What a browser does at the provider: follow the authorization request to its login page, sign in,
    and return the address it sends the person back to (the platform's callback with code and state)."""
    session = requests.Session()
    response = session.get(authorization_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    login_url = urljoin(authorization_url, response.headers["Location"])
    page = session.get(login_url, timeout=10)
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = session.post(
        login_url,
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        headers={"Referer": login_url},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    # Back to the authorization endpoint, now signed in; it answers with the redirect to the platform.
    response = session.get(
        urljoin(login_url, response.headers["Location"]), allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, response.text[:500]
    return str(response.headers["Location"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_provider(workdir: Path) -> Iterator[IdentityProvider]:
    port = free_port()
    provider = IdentityProvider(issuer=f"http://127.0.0.1:{port}", workdir=workdir)
    environment = provider._environment()
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0"], env=environment, check=True, capture_output=True
    )
    log = (workdir / "provider.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the test OpenID provider did not start: {(workdir / 'provider.log').read_text()}"
                )
            time.sleep(0.2)
        yield provider
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
