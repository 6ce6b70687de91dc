"""Single sign-on through a real OpenID provider (issue 17: "Sign-in through the test OpenID provider lands a
mapped officer on their own pages; an unmapped subject is refused with a message"; ADR 0022).

The provider is django-oidc-provider running as its own process on loopback with its own SQLite database
(tests/oidc_provider_site); the platform's side is the Django test client. What the browser would do at the
provider (its login form) is done by ``sign_in_at_provider`` with requests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from django.http import HttpRequest
from django.test import Client

from factories import PASSWORD
from oidc_provider_site.running import IdentityProvider, free_port, running_provider, sign_in_at_provider
from smecluster.apps.accounts import single_sign_on
from smecluster.apps.accounts.models import Role, SingleSignOnIdentity, User
from smecluster.apps.audit import actions
from smecluster.apps.audit.models import AuditEvent
from smecluster.cli import main

CALLBACK = "http://testserver/accounts/sso/callback/"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityProvider]:
    with running_provider(Path(tmp_path_factory.mktemp("provider"))) as running:
        running.register(
            redirect_uri=CALLBACK,
            people=[
                # Guangzhou's officer, whose account the platform links to this subject (see linked()).
                {
                    "username": "gz-officer",
                    "last_name": "何",
                    "first_name": "嘉欣",
                    "email": "hjx@gz.gov.cn",
                    "groups": ["role:city_officer", "division:440100"],
                },
                # Someone the province's directory knows but gave no role on this platform.
                {"username": "no-role", "last_name": "赵", "first_name": "敏", "email": "zm@gd.gov.cn"},
                # A new city officer in Foshan: an account may be opened at the first sign-in.
                {
                    "username": "fs-officer",
                    "last_name": "陈",
                    "first_name": "立",
                    "email": "cl@fs.gov.cn",
                    "groups": ["role:city_officer", "division:440600"],
                },
                # A city officer of Nanning (Guangxi), outside a Guangdong deployment.
                {
                    "username": "nn-officer",
                    "last_name": "韦",
                    "first_name": "宁",
                    "email": "wn@nn.gov.cn",
                    "groups": ["role:city_officer", "division:450100"],
                },
                # A province administrator whose sign-in at the IdP used a one-time code (amr otp).
                {
                    "username": "gd-admin-mfa",
                    "last_name": "林",
                    "first_name": "峰",
                    "email": "lf@gd.gov.cn",
                    "groups": ["role:province_admin", "division:440000", "amr:otp"],
                },
                {
                    "username": "gd-admin-pwd",
                    "last_name": "林",
                    "first_name": "雨",
                    "email": "ly@gd.gov.cn",
                    "groups": ["role:province_admin", "division:440000"],
                },
            ],
        )
        yield running


@pytest.fixture
def configured(provider: IdentityProvider, settings: Any, web_divisions: None) -> IdentityProvider:
    for name, value in provider.platform_settings().items():
        setattr(settings, name, value)
    settings.OIDC_CREATE_ROLES = frozenset()
    settings.OIDC_DIVISIONS = ()
    return provider


def linked(username: str, role: Role, jurisdiction: str, provider: IdentityProvider, **extra: Any) -> User:
    user = User.objects.create_user(
        username=f"platform-{username}", password=PASSWORD, role=role, jurisdiction_id=jurisdiction, **extra
    )
    single_sign_on.link_identity(
        actor=None, user=user, subject=provider.subject(username), issuer=provider.issuer
    )
    return user


def sign_on(client: Client, username: str) -> Any:
    """Start at the platform, sign in at the provider, come back: the platform's last answer."""
    start = client.get("/accounts/sso/start/")
    assert start.status_code == 302
    back = urlsplit(sign_in_at_provider(start["Location"], username))
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return client.get(back.path, parse_qs(back.query), follow=True)


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=actions.SINGLE_SIGN_ON_REFUSED.code))


def test_a_linked_officer_signs_in_and_lands_on_their_own_pages(configured: IdentityProvider) -> None:
    officer = linked("gz-officer", Role.CITY_OFFICER, "440100", configured, last_name="何", first_name="嘉欣")
    client = Client()
    response = sign_on(client, "gz-officer")
    assert response.wsgi_request.user == officer
    assert response.redirect_chain[-1][0] == "/"
    assert "何嘉欣" in response.content.decode()
    [login] = AuditEvent.objects.filter(action=actions.ACCOUNT_LOGIN.code, actor=officer)
    assert login.after["through"] == "single_sign_on"
    identity = SingleSignOnIdentity.objects.get(user=officer)
    assert identity.issuer == configured.issuer
    assert identity.last_sign_in_at is not None


def test_an_unmapped_subject_is_refused_with_a_message(configured: IdentityProvider) -> None:
    response = sign_on(Client(), "no-role")
    assert not response.wsgi_request.user.is_authenticated
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert str(single_sign_on.NOT_OPENED) in response.content.decode()
    [refusal] = refusals()
    assert refusal.after["subject"] == configured.subject("no-role")
    assert refusal.reason
    assert not User.objects.filter(email="zm@gd.gov.cn").exists()


def test_an_account_with_the_same_email_is_not_taken_over(configured: IdentityProvider) -> None:
    """Matched on iss+sub, never on e-mail alone (ADR 0022): an account that merely shares the address
    the provider gives is not signed into."""
    User.objects.create_user(
        username="same-mail",
        password=PASSWORD,
        role=Role.CITY_OFFICER,
        jurisdiction_id="440100",
        email="hjx@gz.gov.cn",
    )
    response = sign_on(Client(), "gz-officer")
    assert not response.wsgi_request.user.is_authenticated
    assert str(single_sign_on.NOT_OPENED) in response.content.decode()


def test_an_account_is_opened_at_the_first_sign_in_only_where_the_mapping_allows(
    configured: IdentityProvider, settings: Any
) -> None:
    refused = sign_on(Client(), "fs-officer")  # city_officer not yet listed in OIDC_CREATE_ROLES
    assert not refused.wsgi_request.user.is_authenticated
    assert str(single_sign_on.NOT_OPENED) in refused.content.decode()

    settings.OIDC_CREATE_ROLES = frozenset({"city_officer"})
    response = sign_on(Client(), "fs-officer")
    user = response.wsgi_request.user
    assert isinstance(user, User)
    assert user.is_authenticated
    assert (user.role, user.jurisdiction_id, user.get_full_name()) == ("city_officer", "440600", "陈立")
    assert user.username == "fs-officer"
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(
        action=actions.SINGLE_SIGN_ON_ACCOUNT_CREATE.code, target_id=str(user.pk)
    )
    again = sign_on(Client(), "fs-officer")
    assert again.wsgi_request.user == user
    assert User.objects.filter(jurisdiction_id="440600", role="city_officer").count() == 1


def test_a_deactivated_account_is_refused(configured: IdentityProvider) -> None:
    officer = linked("gz-officer", Role.CITY_OFFICER, "440100", configured)
    officer.is_active = False
    officer.save()
    response = sign_on(Client(), "gz-officer")
    assert not response.wsgi_request.user.is_authenticated
    assert str(single_sign_on.DEACTIVATED) in response.content.decode()
    assert refusals()[0].target_id == str(officer.pk)


def test_claims_naming_a_division_outside_the_allowed_ones_are_refused(
    configured: IdentityProvider, settings: Any
) -> None:
    settings.OIDC_DIVISIONS = ("440000",)  # a Guangdong deployment
    settings.OIDC_CREATE_ROLES = frozenset({"city_officer"})
    response = sign_on(Client(), "nn-officer")
    assert not response.wsgi_request.user.is_authenticated
    assert str(single_sign_on.OUTSIDE_DIVISIONS) in response.content.decode()
    assert not User.objects.filter(jurisdiction_id="450100").exists()
    # Guangdong's own officer is let in by the same setting.
    assert sign_on(Client(), "fs-officer").wsgi_request.user.is_authenticated


def test_claims_that_contradict_the_linked_account_are_refused(configured: IdentityProvider) -> None:
    linked("gz-officer", Role.COUNTY_OFFICER, "440106", configured)  # the IdP says city officer of 440100
    response = sign_on(Client(), "gz-officer")
    assert not response.wsgi_request.user.is_authenticated
    assert str(single_sign_on.CONTRADICTS_ACCOUNT) in response.content.decode()


def test_a_forged_state_is_refused(configured: IdentityProvider) -> None:
    """mozilla-django-oidc keeps the state in the session: a callback with another one is a 400."""
    linked("gz-officer", Role.CITY_OFFICER, "440100", configured)
    client = Client()
    start = client.get("/accounts/sso/start/")
    back = urlsplit(sign_in_at_provider(start["Location"], "gz-officer"))
    query = {key: values[0] for key, values in parse_qs(back.query).items()}
    response = client.get(back.path, {**query, "state": "forged-state"})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_token_for_another_nonce_is_refused(configured: IdentityProvider) -> None:
    """The ID token carries the nonce of the request that started this sign-in, kept in the session."""
    linked("gz-officer", Role.CITY_OFFICER, "440100", configured)
    client = Client()
    start = client.get("/accounts/sso/start/")
    back = urlsplit(sign_in_at_provider(start["Location"], "gz-officer"))
    session = client.session
    state = parse_qs(back.query)["state"][0]
    session["oidc_states"][state]["nonce"] = "another-nonce"
    session.save()
    response = client.get(back.path, parse_qs(back.query))
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_token_from_another_issuer_is_refused(configured: IdentityProvider, settings: Any) -> None:
    """The library checks signature, expiry and nonce; the issuer and audience are checked here."""
    endpoints = single_sign_on.provider_endpoints()
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = endpoints.authorization
    settings.OIDC_OP_TOKEN_ENDPOINT = endpoints.token
    settings.OIDC_OP_USER_ENDPOINT = endpoints.userinfo
    settings.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks
    settings.OIDC_OP_END_SESSION_ENDPOINT = endpoints.end_session
    settings.OIDC_ISSUER = "https://idp.example.gov.cn"
    linked("gz-officer", Role.CITY_OFFICER, "440100", configured)
    client = Client()
    start = client.get("/accounts/sso/start/")
    back = urlsplit(sign_in_at_provider(start["Location"], "gz-officer"))
    assert client.get(back.path, parse_qs(back.query)).status_code == 400
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("person", "asked_for_a_code"), [("gd-admin-mfa", False), ("gd-admin-pwd", True)])
def test_the_idps_second_factor_stands_in_for_ours_when_the_token_says_so(
    configured: IdentityProvider, settings: Any, person: str, asked_for_a_code: bool
) -> None:
    """A role that must pass a second factor (SMECLUSTER_TWO_FACTOR_ROLES) is not asked for the platform's
    own when the ID token's amr names one (RFC 8176 otp), and is when it says password only."""
    settings.TWO_FACTOR_REQUIRED_ROLES = frozenset({"province_admin"})
    linked(person, Role.PROVINCE_ADMIN, "440000", configured)
    response = sign_on(Client(), person)
    assert response.wsgi_request.user.is_authenticated
    landed = response.redirect_chain[-1][0]
    assert landed.startswith("/accounts/two-factor/enrol/") is asked_for_a_code


def test_trust_never_asks_for_the_platforms_code_anyway(configured: IdentityProvider, settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = frozenset({"province_admin"})
    settings.OIDC_TRUST_MFA = "never"
    linked("gd-admin-mfa", Role.PROVINCE_ADMIN, "440000", configured)
    response = sign_on(Client(), "gd-admin-mfa")
    assert response.redirect_chain[-1][0].startswith("/accounts/two-factor/enrol/")


def test_logout_ends_the_session_at_the_provider(configured: IdentityProvider) -> None:
    linked("gz-officer", Role.CITY_OFFICER, "440100", configured)
    client = Client()
    sign_on(client, "gz-officer")
    response = client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{configured.issuer}/end-session"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert query["id_token_hint"][0].count(".") == 2  # the ID token, a JWS


def test_the_login_page_offers_single_sign_on_only_when_configured(
    configured: IdentityProvider, settings: Any
) -> None:
    assert "统一身份认证登录" in Client().get("/accounts/login/").content.decode()
    settings.OIDC_ISSUER = ""
    assert "统一身份认证登录" not in Client().get("/accounts/login/").content.decode()
    assert Client().get("/accounts/sso/start/").status_code == 404


def test_a_role_without_local_passwords_is_pointed_to_single_sign_on(
    settings: Any, web_new_user: Callable[..., User]
) -> None:
    settings.LOCAL_LOGIN_ROLES = frozenset({"province_admin", "platform_admin"})
    web_new_user("city-pwd", Role.CITY_OFFICER, "440100")
    web_new_user("province-pwd", Role.PROVINCE_ADMIN, "440000")
    client = Client()
    refused = client.post("/accounts/login/", {"username": "city-pwd", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "请点击“统一身份认证登录”" in refused.content.decode()
    # A wrong password says nothing about the account's role.
    wrong = client.post("/accounts/login/", {"username": "city-pwd", "password": "wrong-password-1"})
    assert "统一身份认证" not in wrong.content.decode().split("</h1>")[1].split("忘记密码")[0]
    # Every way a password is checked refuses alike (the backend, not just the form).
    assert not Client().login(username="city-pwd", password=PASSWORD, request=HttpRequest())
    allowed = Client()
    allowed.post("/accounts/login/", {"username": "province-pwd", "password": PASSWORD})
    assert "_auth_user_id" in allowed.session


def test_the_link_command_links_an_account_once_and_is_audited(
    settings: Any, web_new_user: Callable[..., User]
) -> None:
    """`smecluster accounts link-sso`: how an account opened before single sign-on is matched (by the
    subject the provider gives, never by e-mail)."""
    settings.OIDC_ISSUER = "https://idp.example.gov.cn"
    officer = web_new_user("link-me", Role.CITY_OFFICER, "440100")
    other = web_new_user("someone-else", Role.CITY_OFFICER, "440100")
    result = CliRunner().invoke(main, ["accounts", "link-sso", "link-me", "S-0001"])
    assert result.exit_code == 0, result.output
    identity = SingleSignOnIdentity.objects.get(user=officer)
    assert (identity.issuer, identity.subject) == ("https://idp.example.gov.cn", "S-0001")
    assert AuditEvent.objects.filter(
        action=actions.SINGLE_SIGN_ON_LINK.code, target_id=str(officer.pk)
    ).exists()
    taken = CliRunner().invoke(main, ["accounts", "link-sso", "someone-else", "S-0001"])
    assert taken.exit_code == 2
    assert "already linked to link-me" in taken.output
    assert not SingleSignOnIdentity.objects.filter(user=other).exists()


def test_refusals_count_against_the_address_not_everyone(configured: IdentityProvider, settings: Any) -> None:
    """A refused sign-on is a failed login for the lockout (django-axes), counted by address only: no
    username was typed, and counting under the empty one would lock single sign-on out for everybody."""
    settings.AXES_FAILURE_LIMIT = 2
    officer = linked("gz-officer", Role.CITY_OFFICER, "440100", configured)
    for _attempt in range(2):
        refused = sign_on(Client(REMOTE_ADDR="10.1.1.1"), "no-role")
        assert not refused.wsgi_request.user.is_authenticated
    # That address is locked out now, whoever signs on from it ...
    locked = sign_on(Client(REMOTE_ADDR="10.1.1.1"), "gz-officer")
    assert not locked.wsgi_request.user.is_authenticated
    # ... and another address is not.
    assert sign_on(Client(REMOTE_ADDR="10.2.2.2"), "gz-officer").wsgi_request.user == officer


def test_an_unreachable_provider_is_said_so_on_the_login_page(settings: Any, web_divisions: None) -> None:
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.OIDC_RP_CLIENT_ID = "smecluster-test"
    response = Client().get("/accounts/sso/start/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert str(single_sign_on.UNAVAILABLE) in response.content.decode()


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("SMECLUSTER_LOCAL_LOGIN_ROLES", "province_admin,city_oficer", "unknown role(s) city_oficer"),
        ("SMECLUSTER_OIDC_CREATE_ROLES", "city_officer,superuser", "unknown role(s) superuser"),
        ("SMECLUSTER_OIDC_ROLE_VALUES", "市级=city", "unknown role(s) city"),
        ("SMECLUSTER_OIDC_DIVISIONS", "440000,广东", "not GB/T 2260 codes: 广东"),
        ("SMECLUSTER_OIDC_TRUST_MFA", "sometimes", "must be claims, always or never"),
    ],
)
def test_a_mistyped_setting_stops_the_start_up(variable: str, value: str, complaint: str) -> None:
    """A typo would otherwise refuse everyone, or open no account, without a word."""
    environment = {**os.environ, variable: value}
    script = "import smecluster.site.settings"
    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_the_settings_come_from_the_environment() -> None:
    environment = {
        **os.environ,
        "SMECLUSTER_LOCAL_LOGIN_ROLES": "platform_admin, province_admin",
        "SMECLUSTER_OIDC_ISSUER": "https://sso.example.gov.cn/oidc/",
        "SMECLUSTER_OIDC_ROLE_VALUES": "市级主管部门=city_officer,县级主管部门=county_officer",
        "SMECLUSTER_OIDC_DIVISIONS": "440000, 450000",
    }
    script = (
        "from smecluster.site import settings as s; "
        "print(sorted(s.LOCAL_LOGIN_ROLES), s.OIDC_ISSUER, s.OIDC_ROLE_VALUES, s.OIDC_DIVISIONS)"
    )
    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True)
    assert result.stdout.strip() == (
        "['platform_admin', 'province_admin'] https://sso.example.gov.cn/oidc "
        "{'市级主管部门': 'city_officer', '县级主管部门': 'county_officer'} ('440000', '450000')"
    ), result.stderr
