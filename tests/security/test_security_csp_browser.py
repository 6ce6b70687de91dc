"""The Content-Security-Policy in a real browser (Debian's chromium driven by Playwright, as the journeys
are): the pages run under it without a single violation, and what used to be inline handlers works from
``site/static/site.js``: the language selector switches on change, the 404 page's link goes back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

from factories import PASSWORD, people

# Playwright's sync API runs an event loop in this thread (see tests/e2e).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, ConsoleMessage, expect, sync_playwright

from smecluster.apps.accounts.divisions import ensure_divisions

pytestmark = pytest.mark.django_db(transaction=True)

Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install Debian's chromium (make test does)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            launched.close()
            connections.close_all()


def test_pages_run_under_the_csp_and_the_moved_handlers_work(live_server: Any, browser: Browser) -> None:
    ensure_divisions()
    officer = people()["county_officer"]
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", watch)
    page.goto("/accounts/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("header .who")).to_be_visible()

    page.goto("/applications/")
    page.locator("select[name=language]").select_option("en")
    expect(page.locator("header nav").first).to_contain_text("My tasks")
    page.locator("select[name=language]").select_option("zh-hans")
    expect(page.locator("header nav").first).to_contain_text("我的待办")

    page.goto("/applications/")
    page.goto("/applications/999999/")
    page.get_by_role("link", name="返回上一页").click()
    page.wait_for_url("**/applications/")
    assert not violations, violations
    context.close()
