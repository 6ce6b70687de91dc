"""Dynamic management in a real browser (Debian's chromium driven by Playwright), through the pages: the
daily tick opens the 2025 annual report of a cluster recognized in March 2024; the cluster's operator fills
its figures and work; the due day (31 March 2026) passes and the tick flags it; the county officer submits
it only on 2 April (the cluster's own submission decides case 3, issue 13 finding 9), the city forwards it
that morning, and it shows as filed late (逾期报送) on its page and in the list's "late" filter; the province
receives it. Then the re-review window opens 90 days before the validity ends
(2027-03-09); the county files the re-review, the city recommends it, the province sees each plan target
with its baseline, target and achieved value and the rule set's evaluation, and passes it: the cluster's
page shows the validity extended to 2030-03-09.

Runs against pytest-django's live server on the test PostgreSQL database; Playwright launches
/usr/bin/chromium (Debian's package), never a downloaded browser. The clock is fixed per step.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from clock import Clock

# Playwright's sync API runs an event loop in this thread; the test's own database calls are plain
# synchronous ones made between browser steps, which Django would otherwise refuse inside a loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, expect, sync_playwright

from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.applications import services as application_services
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster, ReReview
from smecluster.apps.registry.services import annual_reports, duties, plan_targets
from smecluster.apps.registry.services import operators as cluster_operators
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


def _tick(clock: Clock, day: date) -> list[Any]:
    """The daily job as cron runs it that morning: the registry's duties in order. The live server runs in
    this process, so the clock moves the pages, the services and the tick alike."""
    clock.beijing(day, 1)
    return [action for duty in duties.DUTIES for action in duty(day)]


class Session:
    """One person's browser session."""

    def __init__(self, browser: Browser, base_url: str, username: str) -> None:
        self.context = browser.new_context(base_url=base_url, locale="zh-CN")
        self.context.set_default_timeout(STEP_TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        page = self.page
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", demo.DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.locator("header .who")).to_be_visible()
        assert "/accounts/login/" not in page.url, f"{username} could not log in"

    def open(self, path: str) -> Page:
        self.page.goto(path)
        return self.page

    def save_tab(self) -> None:
        page = self.page
        page.locator("#tab-form").get_by_role("button", name="保存本页").click()
        expect(page.get_by_text(re.compile("已保存“")).first).to_be_visible()
        expect(page.locator("#tab-form [role=alert]")).to_have_count(0)

    def confirm(self) -> None:
        """Answer the site's confirmation dialog (an irreversible action asks first, issue 15) with 确认."""
        dialog = self.page.locator("#confirm-dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="确认").click()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def world(live_server: Any, clock: Clock) -> dict[str, Any]:
    """The demo's accounts and the Guangdong programme; a 顺德区 cluster recognized on 2024-03-10 (valid
    until 2027-03-09) from an application reporting 2021–2023, with two plan targets, and its 2024 annual
    report received on time."""
    clock.beijing(date(2024, 2, 1))
    ensure_divisions()
    users = demo.ensure_accounts()
    _programme, call = demo.ensure_guangdong_programme(users["province-admin"], timezone.localdate())
    county = users["county-officer"]
    application = application_services.application_create(
        actor=county, call=call, name="佛山市顺德区智能家电产业集群", leading_industry="智能家电"
    )
    application = demo.fill_application(actor=county, application=application)
    cluster = RecognizedCluster.objects.create(
        application=application,
        programme=call.programme,
        number="粤中小特色集群〔2024〕001",
        name=application.name,
        county=application.county,
        leading_industry=application.leading_industry,
        year=2024,
        recognized_on=date(2024, 3, 10),
        valid_from=date(2024, 3, 10),
        valid_until=date(2027, 3, 9),
        decided_by=users["province-admin"],
    )
    # The county binds the demo operator to the cluster: an operator reaches only what it operates.
    cluster_operators.cluster_operator_add(actor=county, cluster=cluster, operator=users["operator"])
    for metric, baseline, target in (("output", "100", "120"), ("little_giant", "3", "8")):
        plan_targets.plan_target_save(
            actor=county,
            cluster=cluster,
            values={
                "metric": metric,
                "baseline_year": 2023,
                "baseline_value": Decimal(baseline),
                "target_value": Decimal(target),
                "target_year": 2026,
                "note": "",
            },
        )
    assert [action.action for action in _tick(clock, date(2025, 1, 1))] == ["opened"]
    clock.beijing(date(2025, 3, 20))
    report = AnnualReport.objects.get(cluster=cluster, year=2024)
    annual_reports.report_save_figures(
        actor=county,
        report=report,
        document={"figures": {"output": 110, "sme_output": 80}, "quality_firms": {"little_giant": 4}},
    )
    annual_reports.report_save_narrative(
        actor=county, report=report, fields={"work_done": "完成2024年度培育任务"}
    )
    annual_reports.report_move(actor=county, report=report, action="submit")
    annual_reports.report_move(actor=users["city-officer"], report=report, action="forward")
    annual_reports.report_move(actor=users["province-admin"], report=report, action="receive")
    return {"url": live_server.url, "cluster": cluster, "clock": clock}


def test_a_late_annual_report_is_flagged_and_a_re_review_extends_the_validity(
    browser: Browser, world: dict[str, Any]
) -> None:
    base, cluster, clock = world["url"], world["cluster"], world["clock"]

    # --- 1 January 2026: the tick opens the 2025 report, due 31 March 2026 --------------------------------
    assert [(action.action, action.subject) for action in _tick(clock, date(2026, 1, 1))] == [
        ("opened", "annual_report")
    ]
    report = AnnualReport.objects.get(cluster=cluster, year=2025)
    assert report.due_on == date(2026, 3, 31)

    # --- the operator fills the figures and the work -------------------------------------------------------
    clock.beijing(date(2026, 3, 20))
    operator = Session(browser, base, "operator")
    page = operator.open("/")
    page.locator(f"a[href='/annual-reports/{report.pk}/']").first.click()
    page.get_by_role("link", name="填写").click()
    page.fill("#id_figures__output", "135.5")
    page.fill("#id_figures__sme_output", "90")
    page.fill("#id_quality_firms__little_giant", "6")
    page.fill("#id_firms", "320")
    operator.save_tab()
    page.get_by_role("link", name="工作情况").click()
    page.fill("#id_work_done", "推进智能家电产业链协同，新增专精特新“小巨人”企业2家")
    page.fill("#id_problems", "高端人才不足")
    operator.save_tab()
    page.get_by_role("link", name="规划目标进展").click()
    expect(page.locator("table.targets")).to_contain_text("135.5 亿元")
    operator.close()

    # --- the due day passes: the tick flags it; the city forwards it on 2 April: late -----------------
    # The due day itself: the county's reminders missed while the tick was not run go out once; not overdue.
    assert [(action.action, action.subject) for action in _tick(clock, date(2026, 3, 31))] == [
        ("reminded", "annual_report")
    ]
    assert [(action.action, action.subject) for action in _tick(clock, date(2026, 4, 1))] == [
        ("flagged", "annual_report")
    ]
    assert _tick(clock, date(2026, 4, 1)) == []
    clock.beijing(date(2026, 4, 2), 9, 0)
    # --- the county officer submits on 2 April, late (the operator may not) -----------------------------
    county = Session(browser, base, "county-officer")
    page = county.open(f"/annual-reports/{report.pk}/")
    page.get_by_role("button", name="提交").click()
    county.confirm()
    expect(page.locator("#report-status")).to_have_text("已提交，待市级审核")
    county.close()

    clock.beijing(date(2026, 4, 2), 9, 30)
    city = Session(browser, base, "city-officer")
    page = city.open(f"/annual-reports/{report.pk}/")
    expect(page.locator("#timeliness")).to_contain_text("逾期报送")
    page.get_by_role("button", name="审核并报送").click()
    city.confirm()
    expect(page.locator(".messages")).to_contain_text("逾期报送")
    expect(page.locator("#timeliness")).to_contain_text("逾期报送")
    expect(page.locator("#report-status")).to_have_text("已报送，待省级接收")
    late_link = f"table a[href='/annual-reports/{report.pk}/']"
    page = city.open("/annual-reports/?late=late")
    expect(page.locator(late_link)).to_have_count(1)
    page = city.open("/annual-reports/?late=on_time")  # only the 2024 report, filed on time
    expect(page.locator(late_link)).to_have_count(0)
    expect(page.locator("table tbody tr")).to_have_count(1)
    report.refresh_from_db()
    assert report.late is True
    assert report.forwarded_at == timezone.make_aware(datetime(2026, 4, 2, 9, 30))

    province = Session(browser, base, "province-admin")
    page = province.open(f"/annual-reports/{report.pk}/")
    page.get_by_role("button", name="接收").click()
    province.confirm()
    expect(page.locator("#report-status")).to_have_text("已接收")
    expect(page.locator("#timeliness")).to_contain_text("逾期报送")
    city.close()
    province.close()  # months pass before the re-review: each signs in again then

    # --- 9 December 2026: 90 days before 2027-03-09 the re-review opens; the county files it ---------------
    assert [(action.action, action.subject) for action in _tick(clock, date(2026, 12, 9))] == [
        ("opened", "re_review")
    ]
    re_review = ReReview.objects.get(cluster=cluster)
    clock.beijing(date(2027, 1, 12))
    county = Session(browser, base, "county-officer")
    page = county.open("/re-reviews/")
    page.get_by_role("link", name=cluster.name).click()
    page.fill("#id_statement", "三年来集群总产值稳步增长，主要目标完成；“小巨人”企业培育未达目标")
    page.get_by_role("button", name="保存说明").click()
    expect(page.locator(".messages")).to_contain_text("已保存复核申请说明")
    page.get_by_role("button", name="提交复核申请").click()
    county.confirm()
    expect(page.locator("#re-review-status")).to_have_text("已提交，待市级审核")
    county.close()

    city = Session(browser, base, "city-officer")
    page = city.open(f"/re-reviews/{re_review.pk}/")
    page.fill("#reason-recommend", "经核实，同意推荐")
    page.get_by_role("button", name="推荐", exact=True).click()
    city.confirm()
    expect(page.locator("#re-review-status")).to_have_text("已推荐，待省级决定")
    city.close()

    # --- the province sees each target with baseline, target and achieved value, and passes it -------
    clock.beijing(date(2027, 2, 1))
    province = Session(browser, base, "province-admin")
    page = province.open(f"/re-reviews/{re_review.pk}/")
    achievement = page.locator("#achievement")
    expect(achievement).to_contain_text("2025年度")
    output_row = achievement.locator("tr", has_text="集群总产值")
    expect(output_row).to_contain_text("100 亿元（2023）")
    expect(output_row).to_contain_text("120 亿元（2026）")
    expect(output_row).to_contain_text("135.5 亿元（2025）")
    expect(output_row).to_contain_text("达成")
    giants = achievement.locator("tr", has_text="小巨人")
    expect(giants).to_contain_text("6 家（2025）")
    expect(giants).to_contain_text("未达成")
    expect(page.locator("#evaluation")).to_contain_text("依据")
    page.get_by_label("复核通过").check()
    page.fill("#id_reason", "主要目标完成，同意延续")
    page.get_by_role("button", name="作出复核决定").click()
    province.confirm()
    expect(page.locator(".messages")).to_contain_text("有效期由 2027-03-09 延续至 2030-03-09")
    expect(page.locator("#extension")).to_contain_text("2030-03-09")
    page = province.open(f"/clusters/{cluster.pk}/")
    expect(page.locator("#validity")).to_contain_text("2030-03-09")
    province.close()

    cluster.refresh_from_db()
    assert (cluster.valid_until, cluster.status) == (date(2030, 3, 9), RecognizedCluster.Status.VALID)
    # the old validity's end passes without expiry: the re-review was decided in time
    assert "expired" not in {action.action for action in _tick(clock, date(2027, 3, 10))}
