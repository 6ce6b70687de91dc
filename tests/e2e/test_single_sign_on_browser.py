"""Single sign-on in a real browser (issue 17, "Done when": sign-in through the test OpenID provider lands a
mapped officer on their own pages; an unmapped subject is refused with a message; ADR 0022).

The provider is django-oidc-provider in its own process on loopback (tests/oidc_provider_site), the platform
pytest-django's live server; Playwright drives /usr/bin/chromium (Debian's package), never a downloaded one.
The browser goes from the platform's login page to the provider's, signs in there, and comes back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

# Playwright's sync API runs an event loop in this thread; the test's own database calls are plain
# synchronous ones made between browser steps, which Django would otherwise refuse inside a loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, expect

from factories import PASSWORD
from oidc_provider_site.running import PASSWORD as PROVIDER_PASSWORD
from oidc_provider_site.running import IdentityProvider, running_provider
from smecluster.apps.accounts import single_sign_on
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import Role, User

pytestmark = pytest.mark.django_db(transaction=True)

Path(django_settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

STEP_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def provider(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityProvider]:
    with running_provider(Path(tmp_path_factory.mktemp("provider"))) as running:
        running.register(
            redirect_uri=f"{live_server.url}/accounts/sso/callback/",
            people=[
                {
                    "username": "gz-officer",
                    "last_name": "何",
                    "first_name": "嘉欣",
                    "groups": ["role:city_officer", "division:440100"],
                },
                {"username": "no-role", "last_name": "赵", "first_name": "敏"},
            ],
        )
        yield running


@pytest.fixture
def configured(provider: IdentityProvider, settings: Any) -> IdentityProvider:
    ensure_divisions()
    for name, value in provider.platform_settings().items():
        setattr(settings, name, value)
    return provider


def _sign_on(browser: Browser, base_url: str, username: str) -> Page:
    context = browser.new_context(base_url=base_url, locale="zh-CN")
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="统一身份认证登录").click()
    expect(page.get_by_role("heading", name="统一身份认证（测试）")).to_be_visible()
    page.fill("#id_username", username)
    page.fill("#id_password", PROVIDER_PASSWORD)
    page.get_by_role("button", name="认证").click()
    page.wait_for_url(f"{base_url}/**")
    return page


def test_a_mapped_officer_signs_in_through_the_provider_and_lands_on_their_own_pages(
    browser: Browser, live_server: Any, configured: IdentityProvider
) -> None:
    officer = User.objects.create_user(
        username="guangzhou-officer",
        password=PASSWORD,
        role=Role.CITY_OFFICER,
        jurisdiction_id="440100",
        last_name="何",
        first_name="嘉欣",
    )
    single_sign_on.link_identity(actor=None, user=officer, subject=configured.subject("gz-officer"))
    page = _sign_on(browser, live_server.url, "gz-officer")
    expect(page.locator("header .who")).to_have_text("何嘉欣 · 市级主管部门 · 广州市")
    assert page.url.rstrip("/") == live_server.url
    page.goto("/applications/")  # a city officer's own list opens: the session is theirs
    expect(page.locator("header .who")).to_contain_text("何嘉欣")
    assert "/accounts/login/" not in page.url


def test_an_unmapped_subject_is_refused_with_a_message_in_the_browser(
    browser: Browser, live_server: Any, configured: IdentityProvider
) -> None:
    page = _sign_on(browser, live_server.url, "no-role")
    page.wait_for_url("**/accounts/login/")
    expect(page.get_by_text(str(single_sign_on.NOT_OPENED))).to_be_visible()
    expect(page.locator("header .who")).to_have_count(0)
