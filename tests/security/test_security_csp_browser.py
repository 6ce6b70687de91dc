"""The Content-Security-Policy in a real browser (Debian's chromium driven by Playwright, as the journeys
are): the pages run under it without a single violation (scripts and styles only from the site's files),
and what used to be inline handlers works from ``site/static/site.js``: the language selector switches on
change, the 404 page's link goes back. The pages visited: the task dashboard, the application list and an
application's panel, the monitoring dashboard with its charts (images) and a call's ranking."""

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

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect, sync_playwright

from factories import ApplicationFactory, ProgrammeFactory, YearlyCallFactory
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import User
from smecluster.apps.registry.models import RecognizedCluster

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


def _signed_in(
    browser: Browser, live_server: Any, user: User, violations: list[str]
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", watch)
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("header .who")).to_be_visible()
    return context, page


def _recognized_world() -> tuple[dict[str, User], Any, Any]:
    """A call with two applications of 佛山, both recognized (directly) so the dashboard draws charts."""
    ensure_divisions()
    users = people()
    call = YearlyCallFactory(programme=ProgrammeFactory())
    today = timezone.localdate()
    applications = []
    for county, number in (("440606", "001"), ("440605", "002")):
        application = ApplicationFactory(call=call, county=county)
        RecognizedCluster.objects.create(
            application=application,
            programme=call.programme,
            number=f"粤中小特色集群〔测试〕{number}",
            name=application.name,
            county=application.county,
            leading_industry=application.leading_industry,
            year=call.year,
            recognized_on=today,
            valid_from=today,
            valid_until=today.replace(year=today.year + 3, day=min(today.day, 28)),
            decided_by=users["province_admin"],
        )
        applications.append(application)
    return users, call, applications[0]


def test_pages_run_under_the_csp_and_the_moved_handlers_work(live_server: Any, browser: Browser) -> None:
    users, call, application = _recognized_world()
    violations: list[str] = []
    context, page = _signed_in(browser, live_server, users["county_officer"], violations)

    page.goto("/")
    page.goto("/applications/")
    page.locator("select[name=language]").select_option("en")
    expect(page.locator("header nav").first).to_contain_text("My tasks")
    page.locator("select[name=language]").select_option("zh-hans")
    expect(page.locator("header nav").first).to_contain_text("我的待办")

    page.goto(f"/applications/{application.pk}/")
    expect(page.locator("h1")).to_be_visible()
    page.goto("/applications/")
    page.goto("/applications/999999/")
    page.get_by_role("link", name="返回上一页").click()
    page.wait_for_url("**/applications/")
    context.close()

    context, page = _signed_in(browser, live_server, users["province_admin"], violations)
    year = timezone.localdate().year - 1
    page.goto(f"/monitoring/?scope=440000&year={year}")
    charts = page.locator("figure.chart img")
    expect(charts.first).to_be_visible()
    # Each chart image decoded and drew (its own styles apply inside the image, not the page).
    assert all(width > 0 for width in charts.evaluate_all("images => images.map(i => i.naturalWidth)"))
    response = page.goto(reverse("selection:ranking", args=[call.pk]))
    assert response is not None
    assert response.status == 200
    page.goto(f"/applications/{application.pk}/")
    expect(page.locator("h1")).to_be_visible()
    context.close()
    assert not violations, violations
