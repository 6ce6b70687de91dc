"""The application's journey in a real browser (Debian's chromium driven by Playwright), through the
pages only: the county officer creates an application, fills its tabs, uploads a PDF as evidence and
submits; the city officer returns it with a reason; the county edits and resubmits; the city accepts,
records the initial review and a spot check, and recommends; another county's officer cannot open it.

Runs in `make test` against pytest-django's live server on the test PostgreSQL database. Playwright never
downloads a browser here: it launches /usr/bin/chromium (Debian's package, installed by `make test`).
"""

from __future__ import annotations

import os
import re
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
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.services import audit_trail
from smecluster.site import demo

pytestmark = pytest.mark.django_db(transaction=True)

# WhiteNoise (serving from the finders here) warns on each request when STATIC_ROOT is missing; the live
# server starts before any fixture of this module could make it.
Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

CHROMIUM = "/usr/bin/chromium"
# The flags this machine needs: no sandbox as root, no GPU, and no calls home (the network is closed).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STEP_TIMEOUT_MS = 30_000

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install Debian's chromium (make test does)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
            # Inside Playwright's event loop Django keeps a database connection of its own for this
            # context (asgiref's context-local connections): close it here, or the test database is
            # still in use when pytest-django drops it.
            connections.close_all()


@pytest.fixture
def journey_world(live_server: Any) -> dict[str, Any]:
    """The demo's accounts and the Guangdong programme with this year's open call, made as the demo makes
    them (through the services)."""
    ensure_divisions()
    users = demo.ensure_accounts()
    _programme, call = demo.ensure_guangdong_programme(users["province-admin"], timezone.localdate())
    return {"users": users, "call": call, "url": live_server.url}


class Session:
    """One person's browser session."""

    def __init__(self, browser: Browser, base_url: str, username: str) -> None:
        self.context = browser.new_context(base_url=base_url, locale="zh-CN")
        self.context.set_default_timeout(STEP_TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        self.username = username
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

    def status(self) -> str:
        return self.page.locator(".card .status").first.inner_text()

    def close(self) -> None:
        self.context.close()


def test_application_journey(browser: Browser, journey_world: dict[str, Any], tmp_path: Path) -> None:
    base, call = journey_world["url"], journey_world["call"]
    evidence = tmp_path / "2025年度统计年报.pdf"
    evidence.write_bytes(PDF)
    last = call.year - 1

    # --- the county officer of 顺德区 creates the application, fills the tabs, uploads, submits ---------
    county = Session(browser, base, "county-officer")
    page = county.open("/applications/")
    page.locator(f"a[href$='?call={call.pk}']").first.click()
    page.fill("#id_name", "佛山市顺德区智能家电产业集群")
    page.fill("#id_leading_industry", "智能家电")
    page.get_by_role("button", name="创建申报").click()
    expect(page.locator("h1")).to_have_text("佛山市顺德区智能家电产业集群")
    match = re.search(r"/applications/(\d+)/$", page.url)
    assert match, page.url
    pk = int(match[1])
    detail = f"/applications/{pk}/"

    county.open(f"/applications/{pk}/edit/basics/")
    page.fill("#id_leading_industry_code", "38")
    page.fill("#id_area_km2", "60")
    page.fill("#id_operating_agency", "佛山市顺德区家电产业集群促进中心")
    page.fill("#id_contact_person", "何嘉欣")
    page.fill("#id_contact_phone", "0757-22830000")
    county.save_tab()

    county.open(f"/applications/{pk}/edit/figures/")
    for index, row in enumerate(demo.sample_years(last, "1.6")):
        assert row["year"] == last - 2 + index
        for field in ("output", "sme_output", "leading_output", "sme_rnd", "invention_patents", "employees"):
            page.fill(f"#id_years-{index}-{field}", str(row[field]))
        page.fill(f"#id_years-{index}-iip_penetration", str(row["iip_penetration"]))
        page.fill(f"#id_years-{index}-co2_intensity", str(row["co2_intensity"]))
    county.save_tab()
    # The statistical report as evidence of the figures: a PDF, sniffed by its content.
    block = page.locator("#evidence-figures")
    block.locator("input[type=file]").set_input_files(str(evidence))
    block.get_by_role("button", name="上传").click()
    expect(page.locator("#evidence-figures")).to_contain_text(evidence.name)

    county.open(f"/applications/{pk}/edit/quality/")
    for field, value in (("champion", 0), ("little_giant", 2), ("specialized", 6), ("innovative", 3)):
        page.fill(f"#id_{field}", str(value))
    page.fill("#id_high_tech", "4")
    county.save_tab()

    county.open(f"/applications/{pk}/edit/supply_chain/")
    page.fill("#id_supply_chain", "以整机企业为链主，带动本地 300 余家配套企业协作，本地配套率约六成。")
    county.save_tab()

    county.open(f"/applications/{pk}/edit/plan/")
    page.fill("#id_plan_summary", "未来三年围绕高端化、智能化、绿色化发展，完善产业链配套。")
    target = {
        "indicator": "集群总产值",
        "unit": "亿元",
        "baseline": "84.8",
        "target_value": "110",
        "target_year": str(call.year + 3),
    }
    for field, value in target.items():
        page.fill(f"#id_targets-0-{field}", value)
    county.save_tab()

    page = county.open(detail)
    expect(page.locator("aside")).to_contain_text("量化条件均满足")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("ul.messages")).to_contain_text("已提交申报")
    assert county.status() == Status.SUBMITTED.label

    # --- the city officer of 佛山市 returns it with a reason ---------------------------------------------
    city = Session(browser, base, "city-officer")
    page = city.open("/")
    page.locator("#tasks").get_by_role("link", name=re.compile("佛山市顺德区智能家电产业集群")).click()
    page.get_by_role("link", name="退回修改").click()
    reason = "请补充“小巨人”企业的认定文件，并核对 2024 年专精特新企业数量。"
    page.fill("#id_reason", reason)
    page.get_by_role("button", name="退回修改").click()
    expect(page.locator("ul.messages")).to_contain_text("已退回申报")
    assert city.status() == Status.RETURNED.label

    # --- the county sees the reason, edits and resubmits -------------------------------------------------
    page = county.open(detail)
    expect(page.locator("[role=alert]").first).to_contain_text(reason)
    county.open(f"/applications/{pk}/edit/quality/")
    page.fill("#id_little_giant", "3")
    county.save_tab()
    page = county.open(detail)
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("ul.messages")).to_contain_text("第 2 版")
    county.close()

    # --- the city accepts, reviews, spot-checks and recommends -----------------------------------------
    page = city.open(detail)
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator("ul.messages")).to_contain_text("已受理")
    assert city.status() == Status.ACCEPTED.label

    page.get_by_role("link", name="初审", exact=True).click()
    page.fill("#id_conclusion", "材料齐全，量化指标符合认定条件，同意实地抽查。")
    page.get_by_role("button", name="保存初审意见").click()
    expect(page.locator("ul.messages")).to_contain_text("初审意见")
    assert city.status() == Status.REVIEWED.label

    page.get_by_role("link", name="实地抽查", exact=True).click()
    page.fill("#id_checked_on", f"{timezone.localdate():%Y-%m-%d}")
    page.fill("#id_inspectors", "李婉清（佛山市工业和信息化局）、张振宇")
    page.fill("#id_findings", "实地查看 5 家企业和检测公共服务平台，生产经营正常，产值与纳税记录相符。")
    page.select_option("#id_conclusion", "confirmed")
    page.locator("#id_files").set_input_files(str(evidence))
    page.get_by_role("button", name="保存抽查记录").click()
    expect(page.locator("ul.messages")).to_contain_text("实地抽查")

    page = city.open(f"/applications/{pk}/recommend/")
    page.check("input[name=decision][value=recommend]")
    page.fill("#id_reason", "产业特色鲜明，龙头带动作用强，同意推荐。")
    page.get_by_role("button", name="提交推荐意见").click()
    expect(page.locator("ul.messages")).to_contain_text("推荐至省级")
    assert city.status() == Status.RECOMMENDED.label

    # The versions page shows what changed between the two submissions.
    page = city.open(f"/applications/{pk}/versions/")
    expect(page.locator("main")).to_contain_text("专精特新“小巨人”企业")
    city.close()

    # --- 南海区's officer cannot open 顺德区's application -----------------------------------------------
    neighbour = Session(browser, base, "county-officer-2")
    response = neighbour.page.goto(detail)
    assert response is not None
    assert response.status == 404
    assert neighbour.page.goto(f"/applications/{pk}/pdf/").status == 404
    listing = neighbour.open("/applications/")
    expect(listing.locator("main")).not_to_contain_text("佛山市顺德区智能家电产业集群")
    neighbour.close()

    # What the pages did is on record: the states, the versions, the audit trail.
    application = Application.objects.get(pk=pk)
    assert application.status == Status.RECOMMENDED
    assert application.versions.count() == 2
    assert application.evidence.count() == 2  # the statistical report and the spot-check file
    actions = list(audit_trail(application).values_list("action", flat=True))
    for action in ("submit", "return", "accept", "review", "spot_check", "recommend"):
        assert f"application.{action}" in actions, actions
    assert actions.count("application.submit") == 2
