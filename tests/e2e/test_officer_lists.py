"""Officers' lists and the scope picker in a real browser (Debian's chromium driven by Playwright; issue 15,
finding 6): the ministry types into the monitoring scope's filter box (its list has about 370 entries) and
the matching scope is picked and submitted; a city officer searches the applications list, sorts it by a
column header both ways, and downloads what it lists.

Runs against pytest-django's live server on the test PostgreSQL database; Playwright launches
/usr/bin/chromium (Debian's package), never a downloaded browser.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

# Playwright's sync API runs an event loop in this thread; the test's own database calls are plain
# synchronous ones made between browser steps, which Django would otherwise refuse inside a loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, expect, sync_playwright

from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.applications import services as application_services
from smecluster.site import demo

pytestmark = pytest.mark.django_db(transaction=True)

Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STEP_TIMEOUT_MS = 30_000


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install Debian's chromium (make test does)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
            connections.close_all()


@pytest.fixture
def accounts(live_server: Any) -> dict[str, Any]:
    ensure_divisions()
    return demo.ensure_accounts()


def _log_in(browser: Browser, base_url: str, username: str) -> Page:
    context = browser.new_context(base_url=base_url, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("header .who")).to_be_visible()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"
    return page


def test_the_ministry_types_into_the_scope_picker(browser: Browser, live_server: Any, accounts: Any) -> None:
    demo.ensure_national_programme(timezone.localdate())  # a report is of a programme: the ministry's own
    page = _log_in(browser, live_server.url, "ministry-admin")
    page.goto("/monitoring/report/")
    scope = page.locator("select#id_scope")
    assert scope.locator("option").count() > 300  # 全国, every province, every city
    box = page.get_by_role("searchbox", name="筛选报告范围")
    expect(box).to_be_visible()
    box.fill("佛山")
    expect(scope).to_have_value("440600")
    visible = scope.locator("option:not([hidden])")
    expect(visible).to_have_count(1)
    assert "佛山" in visible.first.inner_text()
    # Two words, name and code alike: 广东 and 4401 leave 广州市 alone.
    box.fill("广东 4401")
    expect(scope).to_have_value("440100")
    box.fill("没有这个地方")
    expect(page.get_by_text("没有匹配的范围")).to_be_visible()
    box.fill("4406")
    expect(scope).to_have_value("440600")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**scope=440600**")
    expect(page.locator("select#id_scope")).to_have_value("440600")


def test_a_city_officer_searches_sorts_and_downloads_the_applications(
    browser: Browser, live_server: Any, accounts: dict[str, Any]
) -> None:
    _programme, call = demo.ensure_guangdong_programme(accounts["province-admin"], timezone.localdate())
    county = accounts["county-officer"]
    for name in (
        "佛山市顺德区智能家电产业集群",
        "佛山市顺德区家具制造产业集群",
        "佛山市顺德区五金制品产业集群",
    ):
        application_services.application_create(
            actor=county, call=call, name=name, leading_industry="智能家电"
        )
    page = _log_in(browser, live_server.url, "city-officer")
    page.goto("/applications/")
    page.get_by_role("searchbox", name="搜索").fill("家具")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**q=**")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("佛山市顺德区家具制造产业集群")

    page.get_by_role("searchbox", name="搜索").fill("顺德")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(3)
    page.get_by_role("link", name="集群名称").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("集群名称")
    ascending = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)]
    assert ascending == sorted(ascending)
    page.get_by_role("link", name="集群名称").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("集群名称")
    descending = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)]
    assert descending == ascending[::-1]
    assert "q=%E9%A1%BA%E5%BE%B7" in page.url  # the search stays in the URL while sorting

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    names = [row[1] for row in list(csv.reader(io.StringIO(text)))[1:]]
    assert names == descending
