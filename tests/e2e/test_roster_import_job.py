"""A roster import in a real browser (issue 16, "Long work runs inside the request"): a county officer
uploads a roster, lands on the import job's progress page, which polls (htmx) while the job worker reads,
checks and writes the file, and turns to "已完成" by itself; its link opens the roster, now with its first
version. Debian's chromium driven by Playwright against pytest-django's live server on PostgreSQL; the
worker is `smecluster worker --batch` (django-tasks' ``db_worker``) run while the page is open."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

# Playwright's sync API runs an event loop in this thread; the test's own database calls are plain
# synchronous ones made between browser steps, which Django would otherwise refuse inside a loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, expect

from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.applications import services as application_services
from smecluster.apps.jobs.models import Job
from smecluster.apps.rosters.demo import demo_roster_csv
from smecluster.apps.rosters.models import RosterVersion
from smecluster.site import demo

pytestmark = pytest.mark.django_db(transaction=True)

Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

STEP_TIMEOUT_MS = 30_000


def _log_in(browser: Browser, base_url: str, username: str) -> Page:
    context = browser.new_context(base_url=base_url, locale="zh-CN")
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("header .who")).to_be_visible()
    return page


def test_an_officer_uploads_a_roster_and_watches_the_job_finish(
    browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    ensure_divisions()
    accounts = demo.ensure_accounts()
    _programme, call = demo.ensure_guangdong_programme(accounts["province-admin"], timezone.localdate())
    county = accounts["county-officer"]
    application = application_services.application_create(
        actor=county, call=call, name="佛山市顺德区智能家电产业集群", leading_industry="智能家电"
    )
    demo.fill_application(actor=county, application=application)
    roster = tmp_path / "顺德名册.csv"
    data = demo_roster_csv(application)
    assert data is not None
    roster.write_bytes(data)

    page = _log_in(browser, live_server.url, "county-officer")
    page.goto(f"/applications/{application.pk}/roster/")
    page.locator("#id_file").set_input_files(str(roster))
    page.get_by_role("button", name="导入").click()
    page.wait_for_url("**/jobs/*/")
    status = page.locator("#job-status")
    expect(status).to_contain_text("排队中")
    expect(page.locator("#job-status progress")).to_be_visible()
    assert not RosterVersion.objects.exists()

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert Job.objects.get().status == Job.Status.DONE
    # The page was not reloaded: its polling finds the job done and stops.
    expect(status).to_contain_text("已完成", timeout=15_000)
    page.get_by_role("link", name="查看结果").click()
    page.wait_for_url(f"**/applications/{application.pk}/roster/")
    expect(page.locator("body")).to_contain_text("当前为第 1 版，11 家企业")
    expect(page.locator("#roster-imports")).to_contain_text("已完成")
