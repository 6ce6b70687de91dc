"""The API with a token (issue 17, "A REST API with OpenAPI", the token bullets; design/interfaces.md:
"everything else under /api/v1/ needs a token and has exactly the reach the token's account has on the
pages"): tokens created on 账号安全 (secret shown once, only its SHA-256 kept, audited), revoked (audited),
expiring; the scope an endpoint needs; the matrix of each role's token on each endpoint, which must agree
with the pages' reach; writes through the pages' services with their validation; rate limits."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from factories import annual_report_in
from factories import api_bearer as bearer
from smecluster.apps.accounts.models import User
from smecluster.apps.api import access
from smecluster.apps.api.models import ApiToken
from smecluster.apps.applications.models import Application, Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = (REPO / "examples" / "profile-example.json").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def fresh_rate_counts() -> Iterator[None]:
    cache.clear()  # the rate limits count in the cache: each test starts with none spent
    yield
    cache.clear()


# --- the token page --------------------------------------------------------------------------------------


def test_a_token_is_shown_once_kept_as_a_digest_and_audited(
    client: Client, web_users: dict[str, User]
) -> None:
    officer = web_users["county_officer"]
    client.force_login(officer)
    page = client.post(
        "/accounts/security/tokens/",
        {"name": "区级平台", "scopes": ["applications:read"], "validity_days": "90"},
    )
    assert page.status_code == 200
    secret = re.search(r'<code id="token-secret">([^<]+)</code>', page.content.decode())
    assert secret is not None
    token = ApiToken.objects.get(owner=officer)
    assert token.digest == hashlib.sha256(secret.group(1).encode()).hexdigest()
    assert secret.group(1) not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert page["Cache-Control"] == "no-store"
    # Listed afterwards by its beginning only.
    # Its use is noted (when, from where) for the list.
    client.get("/api/v1/applications/none/profile", HTTP_AUTHORIZATION=f"Bearer {secret.group(1)}")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_from == "127.0.0.1"
    listing = client.get("/accounts/security/tokens/").content.decode()
    assert token.prefix in listing
    assert secret.group(1) not in listing
    assert AuditEvent.objects.filter(action="api.token_create", target_id=str(token.pk)).exists()
    assert client.get("/accounts/security/").content.decode().count("/accounts/security/tokens/") == 1


def test_a_revoked_or_expired_token_is_refused(client: Client, web_users: dict[str, User]) -> None:
    officer = web_users["county_officer"]
    headers = bearer(officer)
    assert client.get("/api/v1/applications/none/profile", **headers).status_code == 404  # accepted
    token = ApiToken.objects.get(owner=officer)
    client.force_login(officer)
    assert client.post(f"/accounts/security/tokens/{token.pk}/revoke/").status_code == 302
    assert AuditEvent.objects.filter(action="api.token_revoke", target_id=str(token.pk)).exists()
    assert client.get("/api/v1/applications/none/profile", **headers).status_code == 401
    expired = bearer(officer)
    ApiToken.objects.filter(revoked_at__isnull=True).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/applications/none/profile", **expired).status_code == 401
    # A deactivated account's tokens stop with it.
    active = bearer(officer)
    User.objects.filter(pk=officer.pk).update(is_active=False)
    assert client.get("/api/v1/applications/none/profile", **active).status_code == 401
    # Someone else's token cannot be revoked through the page.
    other = web_users["city_officer"]
    client.force_login(other)
    assert client.post(f"/accounts/security/tokens/{token.pk}/revoke/").status_code == 404


def test_no_token_is_a_401_and_a_missing_scope_a_403(client: Client, web_users: dict[str, User]) -> None:
    assert client.get("/api/v1/applications/x/profile").status_code == 401
    assert (
        client.get("/api/v1/applications/x/profile", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    )
    narrow = bearer(web_users["county_officer"], ("rosters:read",))
    answer = client.get("/api/v1/applications/x/profile", **narrow)
    assert answer.status_code == 403
    assert "applications:read" in answer.json()["detail"]


# --- the matrix: each role's token on each endpoint ---------------------------------------------------------

IN_REACH = {"province_admin", "city_officer", "county_officer", "operator"}
ROLES = ("province_admin", "city_officer", "other_city_officer", "county_officer", "other_county_officer",
         "operator", "other_operator", "expert")  # fmt: skip


@pytest.fixture
def cluster(web_application_in: Callable[..., Application]) -> RecognizedCluster:
    application = web_application_in(Status.RECOGNIZED)
    return RecognizedCluster.objects.get(application=application)


@pytest.mark.parametrize("role", ROLES)
def test_matrix_application_profile_read(
    client: Client, web_users: dict[str, User], web_application: Application, role: str
) -> None:
    """applications.permissions.application_reach, as the application pages apply it."""
    answer = client.get(f"/api/v1/applications/{web_application.number}/profile", **bearer(web_users[role]))
    assert answer.status_code == (200 if role in IN_REACH else 404)
    if answer.status_code == 200:
        assert answer.json()["counties"] == ["440606"]


@pytest.mark.parametrize("role", ROLES)
def test_matrix_annual_report_read(
    client: Client, web_users: dict[str, User], cluster: RecognizedCluster, role: str
) -> None:
    """registry.reach.cluster_reach, as the annual-report pages apply it."""
    annual_report_in(cluster, AnnualReport.Status.DRAFT, year=2024, figures={})
    answer = client.get(f"/api/v1/clusters/{cluster.number}/annual-reports/2024", **bearer(web_users[role]))
    assert answer.status_code == (200 if role in IN_REACH else 404)


@pytest.mark.parametrize("role", ROLES)
def test_matrix_roster_read(
    client: Client, web_users: dict[str, User], cluster: RecognizedCluster, role: str
) -> None:
    """rosters.permissions (the roster pages' reach): in reach, the cluster has no roster for the year;
    out of reach, the cluster is not disclosed."""
    answer = client.get(f"/api/v1/clusters/{cluster.number}/rosters/2024", **bearer(web_users[role]))
    assert answer.status_code == 404
    expected = "没有该年度的企业名单" if role in IN_REACH else "不在您的辖区内"
    assert expected in answer.json()["detail"]


MONITORING = {"province_admin": 200, "city_officer": 404, "other_city_officer": 404}


@pytest.mark.parametrize("role", ROLES)
def test_matrix_monitoring_figures(
    client: Client, web_users: dict[str, User], cluster: RecognizedCluster, role: str
) -> None:
    """monitoring.permissions: the ministry, provinces and cities only; a city cannot ask for its
    province's scope (404, as the report page); the others are refused outright (403)."""
    query = {"scope": "440000", "year": "2024", "programme": str(cluster.programme_id)}
    answer = client.get("/api/v1/monitoring/figures", query, **bearer(web_users[role]))
    assert answer.status_code == MONITORING.get(role, 403)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("county_officer", 200), ("operator", 200), ("city_officer", 403), ("other_county_officer", 404)],
)
def test_matrix_profile_import_into_a_draft(
    client: Client, web_users: dict[str, User], web_application: Application, role: str, expected: int
) -> None:
    """applications.permissions.can_edit through services.application_import_profile (audited)."""
    body = EXAMPLE
    answer = client.put(
        f"/api/v1/applications/{web_application.number}/profile",
        body,
        content_type="application/json",
        **bearer(web_users[role]),
    )
    assert answer.status_code == expected, answer.content
    imported = AuditEvent.objects.filter(
        action="application.import_profile", target_id=str(web_application.pk)
    )
    assert imported.exists() == (expected == 200)


def test_a_bad_profile_import_names_the_field(
    client: Client, web_users: dict[str, User], web_application: Application
) -> None:
    body = EXAMPLE.replace('"counties": ["440606"]', '"counties": ["440605"]')
    answer = client.put(
        f"/api/v1/applications/{web_application.number}/profile",
        body,
        content_type="application/json",
        **bearer(web_users["county_officer"]),
    )
    assert answer.status_code == 422
    assert answer.json()[0]["path"] == "counties[0]"


@pytest.mark.parametrize(
    ("role", "expected"), [("county_officer", 200), ("city_officer", 403), ("other_operator", 404)]
)
def test_matrix_annual_figures_submit(
    client: Client, web_users: dict[str, User], cluster: RecognizedCluster, role: str, expected: int
) -> None:
    """registry.permissions.can_edit_report through services.report_save_figures (the page's validation)."""
    report = annual_report_in(cluster, AnnualReport.Status.DRAFT, year=2024, figures={})
    body = {
        "figures": {"output": 120.5, "sme_output": 80},
        "quality_firms": {"little_giant": 4},
        "firms": 300,
    }
    answer = client.put(
        f"/api/v1/clusters/{cluster.number}/annual-reports/2024/figures",
        body,
        content_type="application/json",
        **bearer(web_users[role]),
    )
    assert answer.status_code == expected, answer.content
    report.refresh_from_db()
    assert (report.figures is not None) == (expected == 200)
    if expected == 200:
        assert answer.json()["figures"]["figures"]["output"] == 120.5


def test_annual_figures_refused_as_the_page_refuses_them(
    client: Client, web_users: dict[str, User], cluster: RecognizedCluster
) -> None:
    annual_report_in(cluster, AnnualReport.Status.DRAFT, year=2024, figures={})
    body = {"figures": {"output": 10, "sme_output": 80}}
    answer = client.put(
        f"/api/v1/clusters/{cluster.number}/annual-reports/2024/figures",
        body,
        content_type="application/json",
        **bearer(web_users["county_officer"]),
    )
    assert answer.status_code == 422
    assert any(problem["path"].startswith("figures.") for problem in answer.json())


# --- rate limits -------------------------------------------------------------------------------------------


def test_a_token_over_its_rate_is_told_to_wait(
    client: Client, web_users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(access.PER_TOKEN, "num_requests", 3)
    monkeypatch.setattr(access.PER_ADDRESS, "num_requests", 5)
    headers = bearer(web_users["county_officer"])
    answers = [client.get("/api/v1/applications/none/profile", **headers).status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]
    assert int(client.get("/api/v1/applications/none/profile", **headers)["Retry-After"]) >= 1
    # The address's own limit (5: spent by the five requests above) holds for the public endpoints too.
    assert client.get("/api/v1/rule-sets").status_code == 429
