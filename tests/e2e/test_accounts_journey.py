"""账号管理 in a real browser (issue 17, first "Done when"): a province administrator creates a city officer
through the page (the jurisdiction picked by typing into the searchable picker); the officer receives the
invitation at a real SMTP server on loopback (aiosmtpd, tests/web/mail_server.py), opens the link, sets a
password, signs in and sees their own pages; and a city officer cannot create a province account, not even
by adding the option to the form's role list by hand.

Runs against pytest-django's live server on the test PostgreSQL database; Playwright launches
/usr/bin/chromium (Debian's package), never a downloaded browser.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the test's own database calls are plain
# synchronous ones made between browser steps, which Django would otherwise refuse inside a loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, expect

from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import User
from smecluster.site import demo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))
from mail_server import MailServer, running_mail_server

pytestmark = pytest.mark.django_db(transaction=True)

Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

STEP_TIMEOUT_MS = 30_000
NEW_PASSWORD = "西樵山上看云海-2718"


@pytest.fixture
def accounts(live_server: Any) -> dict[str, Any]:
    ensure_divisions()
    return demo.ensure_accounts()


@pytest.fixture
def smtp_server(settings: Any, mail_worker_at_commit: None) -> Iterator[MailServer]:
    with running_mail_server(settings) as server:
        yield server


def _page(browser: Browser, base_url: str) -> Page:
    context = browser.new_context(base_url=base_url, locale="zh-CN")
    context.set_default_timeout(STEP_TIMEOUT_MS)
    return context.new_page()


def _log_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("header .who")).to_be_visible()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def test_a_province_administrator_creates_a_city_officer_who_sets_a_password_and_works(
    browser: Browser, live_server: Any, accounts: Any, smtp_server: MailServer
) -> None:
    admin = _page(browser, live_server.url)
    _log_in(admin, "province-admin", demo.DEMO_PASSWORD)
    admin.get_by_role("link", name="账号管理").click()
    admin.get_by_role("link", name="新建账号").click()
    admin.fill("#id_username", "foshan-new")
    admin.fill("#id_full_name", "梁美玲")
    admin.fill("#id_email", "foshan-new@example.gov.cn")
    admin.select_option("#id_role", "city_officer")
    admin.get_by_role("searchbox", name="筛选辖区").fill("佛山市")
    expect(admin.locator("select#id_jurisdiction")).to_have_value("440600")
    admin.fill("#id_organization", "佛山市工业和信息化局")
    admin.get_by_role("button", name="创建账号").click()
    expect(admin.locator("#account-status")).to_contain_text("待设置密码")
    expect(admin.locator(".messages")).to_contain_text("foshan-new@example.gov.cn")

    # The mail reached the SMTP server, addressed to the officer alone, with an absolute link.
    mine = [item for item in smtp_server.received if item.recipients == ["foshan-new@example.gov.cn"]]
    assert len(mine) == 1, [item.recipients for item in smtp_server.received]
    body = mine[0].message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    found = re.search(r"https://cluster\.example\.gov\.cn(/accounts/invitation/\S+/)", text)
    assert found, text
    assert "foshan-new" in text

    officer = _page(browser, live_server.url)
    officer.goto(found.group(1))
    expect(officer.get_by_role("heading", name="设置登录密码")).to_be_visible()
    assert "set-password" in officer.url  # the token left the address bar
    officer.fill("#id_new_password1", NEW_PASSWORD)
    officer.fill("#id_new_password2", NEW_PASSWORD)
    officer.get_by_role("button", name="设置密码").click()
    expect(officer.locator(".messages")).to_contain_text("密码已设置")
    _log_in(officer, "foshan-new", NEW_PASSWORD)
    expect(officer.locator("header .who")).to_contain_text("梁美玲")
    officer.get_by_role("link", name="申报").first.click()
    expect(officer.get_by_role("heading", level=1)).to_be_visible()
    assert officer.url.endswith("/applications/")
    # A city officer administers the county officers and operators of its city.
    officer.get_by_role("link", name="账号管理").click()
    expect(officer.locator("#accounts")).to_contain_text("county-officer")
    expect(officer.locator("#accounts")).not_to_contain_text("county-officer-3")  # 番禺区 is 广州市's

    # The link is spent.
    again = _page(browser, live_server.url)
    again.goto(found.group(1))
    expect(again.locator("#invitation-invalid")).to_be_visible()


def test_a_city_officer_cannot_create_a_province_account(
    browser: Browser, live_server: Any, accounts: Any
) -> None:
    page = _page(browser, live_server.url)
    _log_in(page, "city-officer", demo.DEMO_PASSWORD)
    page.goto("/accounts/manage/new/")
    roles = page.locator("#id_role option").all_inner_texts()
    assert "省级管理员" not in roles
    assert "县级主管部门" in roles
    # Crafted: the province role and the province's code added to the form by hand, then submitted.
    page.fill("#id_username", "crafted-province")
    page.fill("#id_full_name", "冒名")
    page.fill("#id_email", "crafted@example.gov.cn")
    page.locator("#id_role").evaluate(
        "select => { select.add(new Option('省级管理员', 'province_admin'));"
        " select.value = 'province_admin'; }"
    )
    page.locator("#id_jurisdiction").evaluate(
        "select => { select.add(new Option('广东省', '440000')); select.value = '440000'; }"
    )
    page.get_by_role("button", name="创建账号").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert not User.objects.filter(username="crafted-province").exists()
