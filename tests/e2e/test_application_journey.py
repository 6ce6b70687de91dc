"""The application's journey in a real browser (Debian's chromium driven by Playwright), through the
pages only: the county officer creates an application, fills its tabs, uploads a PDF as evidence and
submits; the city officer returns it with a reason; the county edits and resubmits; the city accepts,
records the initial review and a spot check, and recommends; another county's officer cannot open it.
Then the province selects: screening, the default indicator system, two experts assigned (an expert of
佛山市 is never offered and cannot open the application), each declares no conflict and scores every
indicator; the province confirms the frozen shortlist, publishes the notice, a member of the public files
an objection from the public page, the province investigates and resolves it, and after the notice period
recognizes the cluster, which then shows on the public list /public/clusters/ with its number.

Runs in `make test` against pytest-django's live server on the test PostgreSQL database. Playwright never
downloads a browser here: it launches /usr/bin/chromium (Debian's package, installed by `make test`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from captcha.models import CaptchaStore
from django.conf import settings
from django.db import connections
from django.utils import timezone

from clock import Clock

# Playwright's sync API runs an event loop in this thread; the test's own database calls are plain
# synchronous ones made between browser steps, which Django would otherwise refuse inside a loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, expect, sync_playwright

from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.services import audit_trail
from smecluster.apps.notices.models import Notice, Objection
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.selection.models import Assignment, Score, Shortlist
from smecluster.apps.selection.services import expert_profile_save
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


# The journey runs on a fixed day inside the seeded holiday calendar (chinesecalendar ends with 2026), so
# its notice period is the same whatever day the suite runs and never needs a year not yet loaded.
JOURNEY_DAY = date(2026, 6, 15)  # a Monday


@pytest.fixture
def clock(clock: Clock) -> Clock:
    """The suite's clock (tests/conftest.py), on the journey's day. The live server runs in this process (a
    thread of pytest-django's), so the clock moves the pages and services too. The notice period is a real
    span of working days: the test cannot wait for it, and ``notice_publish`` refuses a start in the past,
    so the test moves the clock instead of rewriting dates in the database."""
    clock.beijing(JOURNEY_DAY)
    return clock


@pytest.fixture
def journey_world(live_server: Any, clock: Clock) -> dict[str, Any]:
    """The demo's accounts and the Guangdong programme with this year's open call, made as the demo makes
    them (through the services)."""
    ensure_divisions()
    users = demo.ensure_accounts()
    _programme, call = demo.ensure_guangdong_programme(users["province-admin"], timezone.localdate())
    # The province's expert pool: two experts outside 佛山市 (no conflict with a 顺德区 cluster) and one
    # whose home is 佛山市 itself (a conflict the platform must see without being told).
    experts = {
        username: _expert(users["province-admin"], username, *details)
        for username, *details in (
            ("journey-expert-1", "440106", "吴丽华", "华南理工大学机械与汽车工程学院", "智能家电、装备制造"),
            ("journey-expert-2", "440304", "郑国栋", "深圳市智能制造研究院", "智能家电、电子信息"),
            ("journey-expert-foshan", FOSHAN_CITY, "冯志强", "佛山科学技术学院", "智能家电"),
        )
    }
    return {"users": users, "call": call, "url": live_server.url, "experts": experts}


FOSHAN_CITY = "440600"


def _expert(admin: User, username: str, home: str, name: str, organization: str, fields: str) -> User:
    """An expert account (made here: the pages have no sign-up) with the profile the province keeps."""
    expert = User(
        username=username,
        role=Role.EXPERT,
        jurisdiction_id=home,
        first_name=name,
        organization=organization,
        email=f"{username}@example.com",
    )
    expert.set_password(demo.DEMO_PASSWORD)
    expert.save()
    expert_profile_save(actor=admin, expert=expert, fields=fields, organization=organization, active=True)
    return expert


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

    def confirm(self) -> None:
        """Answer the site's confirmation dialog (an irreversible action asks first, issue 15) with 确认."""
        dialog = self.page.locator("#confirm-dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="确认").click()

    def status(self) -> str:
        return self.page.locator(".card .status").first.inner_text()

    def close(self) -> None:
        self.context.close()


def test_application_journey(
    browser: Browser, journey_world: dict[str, Any], tmp_path: Path, clock: Clock
) -> None:
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

    # The tabs the review judges: none may be empty at submission (issue 15, finding 2).
    for section, text in (
        ("innovation", "建有省级工程技术研究中心，与高校共建联合实验室。"),
        ("digital", "推广工业互联网平台应用，规上企业数字化改造覆盖率超过八成。"),
        ("green", "开展绿色工厂创建，单位产值能耗逐年下降。"),
        ("openness", "产品出口东南亚、欧洲等地。"),
        ("governance", "运营管理机构提供检验检测、人才培训等公共服务。"),
    ):
        county.open(f"/applications/{pk}/edit/{section}/")
        page.fill(f"#id_{section}", text)
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
    # The declaring department signs the programme's 承诺书 (GD 15(一)) with the submission.
    expect(page.locator("#pledge")).to_contain_text("申报单位应如实填写申报材料")
    page.fill("#id_pledge_signer_name", "李建国")
    page.fill("#id_pledge_signer_position", "区工业和信息化局局长")
    expect(page.locator("#submission-check")).to_contain_text("各必填部分均已填写")
    page.get_by_role("button", name="提交", exact=True).click()
    county.confirm()
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
    expect(page.locator("#id_pledge_signer_name")).to_have_value("李建国")  # the last signer, offered again
    page.get_by_role("button", name="提交", exact=True).click()
    county.confirm()
    expect(page.locator("ul.messages")).to_contain_text("第 2 版")
    county.close()

    # --- the city accepts, reviews, spot-checks and recommends -----------------------------------------
    page = city.open(detail)
    page.get_by_role("button", name="受理", exact=True).click()
    city.confirm()
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

    _select_recognize_and_publish(browser, journey_world, application, clock)


def _select_recognize_and_publish(
    browser: Browser, world: dict[str, Any], application: Application, clock: Clock
) -> None:
    """From the city's recommendation to the published list, through the pages only."""
    base, call, experts = world["url"], world["call"], world["experts"]
    pk = application.pk
    today = timezone.localdate()

    # --- the province: review settings, screening, the indicator system -----------------------------
    province = Session(browser, base, "province-admin")
    page = province.open(f"/calls/{call.pk}/selection-settings/")
    page.fill("#id_experts_per_application", "2")
    page.fill("#id_scoring_deadline", f"{today + timedelta(days=14):%Y-%m-%d}")
    page.get_by_role("button", name="保存评审设置").click()
    expect(page.locator("ul.messages")).to_contain_text("已保存评审设置")

    page = province.open(f"/calls/{call.pk}/screening/")
    row = page.locator(f"#screening-{pk}")
    expect(row).to_contain_text("待审核")
    page.get_by_role("button", name=re.compile("通过审核")).click()
    province.confirm()
    expect(page.locator("ul.messages")).to_contain_text("已审核通过 1 件")
    expect(page.locator(f"#screening-{pk}")).to_contain_text("通过")
    assert Application.objects.get(pk=pk).status == Status.SCREENED

    # The first visit offers the default indicator system (the nine criterion groups, 100 points); its
    # button adopts it as version 1.
    page = province.open(f"/calls/{call.pk}/indicators/")
    page.get_by_role("button", name=re.compile("采用系统默认指标体系")).click()
    expect(page.locator("main")).to_contain_text("系统默认，待本省调整")

    # --- assignments: two experts by hand; the 佛山市 expert is in the pool but never offered -----------
    page = province.open("/experts/")
    expect(page.locator("main")).to_contain_text("冯志强")
    page = province.open(f"/calls/{call.pk}/assignments/")
    select = f"#id_a{pk}-expert"
    conflicted = experts["journey-expert-foshan"]
    expect(page.locator(f"{select} option[value='{conflicted.pk}']")).to_have_count(0)
    for username in ("journey-expert-1", "journey-expert-2"):
        expert = experts[username]
        page.locator(select).select_option(str(expert.pk))
        page.locator(f"#application-{pk}").get_by_role("button", name="分配", exact=True).click()
        expect(page.locator("ul.messages")).to_contain_text(f"专家{expert.first_name}")
    expect(page.locator(f"#application-{pk}")).to_contain_text("已分配 2 / 2 名")
    expect(page.locator(select)).to_have_count(0)  # no place left to fill

    # The conflicted expert cannot open the application by its address either.
    outsider = Session(browser, base, "journey-expert-foshan")
    assert outsider.page.goto(f"/applications/{pk}/").status == 404
    assert outsider.page.goto(f"/applications/{pk}/pdf/").status == 404
    outsider.close()

    # --- each expert declares no conflict and scores every indicator with a comment -----------------
    for number, username in enumerate(("journey-expert-1", "journey-expert-2")):
        reviewer = Session(browser, base, username)
        page = reviewer.open("/reviews/mine/")
        expect(page.locator("main")).to_contain_text(application.name)
        page.get_by_role("link", name="评分", exact=True).click()
        page.check("input[name=conflict][value=no]")
        page.get_by_role("button", name="提交声明").click()
        expect(page.locator("ul.messages")).to_contain_text("已声明无利益冲突")
        points = page.locator("input[name^=points_]")
        assert points.count() >= 9
        for index in range(points.count()):
            field = points.nth(index)
            maximum = float(field.get_attribute("max") or "0")
            # Different sheets from the two experts: 80 % and 90 % of each indicator's maximum.
            field.fill(f"{maximum * (0.8 + 0.1 * number):.2f}")
        comments = page.locator("textarea[name^=comment_]")
        for index in range(comments.count()):
            comments.nth(index).fill(f"第 {index + 1} 项：材料翔实，数据可信，特色鲜明。")
        page.get_by_role("button", name=re.compile("提交评分")).click()
        reviewer.confirm()
        expect(page.locator("ul.messages")).to_contain_text("评分已提交")
        reviewer.close()
    assert Assignment.objects.filter(application_id=pk, submitted_at__isnull=False).count() == 2
    assert not Score.objects.filter(assignment__application_id=pk, comment="").exists()

    # --- the ranking, and the shortlist confirmed and frozen with its hash --------------------------
    page = province.open(f"/calls/{call.pk}/ranking/")
    expect(page.locator("#rank-1")).to_contain_text(application.name)
    page.get_by_role("button", name="确认拟认定名单").click()
    province.confirm()
    expect(page.locator("ul.messages")).to_contain_text("已确认拟认定名单并冻结")
    shortlist = Shortlist.objects.get(call=call)
    assert re.fullmatch(r"[0-9a-f]{64}", shortlist.content_hash)
    expect(page.locator("main")).to_contain_text(shortlist.content_hash)

    # --- the notice: published from the next working day, its end computed in working days ----------
    page = province.open(f"/calls/{call.pk}/notice/new/")
    page.fill("#id_contact", "广东省工业和信息化厅中小企业处，电话 020-83133080")
    page.get_by_role("button", name="发布公示").click()
    province.confirm()
    expect(page.locator("ul.messages")).to_contain_text("已发布公示")
    notice = Notice.objects.get(shortlist=shortlist)
    assert notice.working_days == 7  # the Guangdong rule set
    assert notice.starts_on > today
    expect(page.locator("main")).to_contain_text(shortlist.content_hash)
    province.close()

    # --- during the notice a member of the public files a real-name objection -----------------------
    clock.beijing(notice.starts_on)
    public = browser.new_context(base_url=base, locale="zh-CN")
    public.set_default_timeout(STEP_TIMEOUT_MS)
    visitor = page = public.new_page()
    page.goto("/public/notices/")
    page.get_by_role("link", name=notice.title).click()
    expect(page.locator("main")).to_contain_text(shortlist.content_hash)
    expect(page.locator("main")).to_contain_text("公示中")
    page.fill("#id_real_name", "张伟")
    page.fill("#id_phone", "13800138000")
    page.fill("#id_email", "zhangwei@example.com")
    page.fill("#id_organization", "佛山市某家电配套企业")
    page.select_option("#id_application", str(pk))
    page.fill("#id_content", "申报材料所列本地配套率约六成，与我单位了解的情况不符，请核实配套企业名单。")
    page.check("#id_pledge")
    # The challenge: 换一张 fetches another in place (site.js, under the CSP) without losing what was typed;
    # the answer is read from the challenge's row, as a person would read it from the image.
    first_key = page.input_value("#id_captcha_0")
    page.get_by_role("link", name="看不清，换一张").click()
    expect(page.locator("#id_captcha_0")).not_to_have_value(first_key)
    expect(page.locator("#id_real_name")).to_have_value("张伟")
    key = page.input_value("#id_captcha_0")
    page.fill("#id_captcha_1", CaptchaStore.objects.get(hashkey=key).response)
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator("h1")).to_have_text("异议回执")
    objection = Objection.objects.get(notice=notice)
    expect(page.locator("main")).to_contain_text(objection.reference)
    expect(page.locator("main")).not_to_contain_text("13800138000")

    # --- an objection in time blocks recognition; the province investigates and resolves it --------
    province = Session(browser, base, "province-admin")
    page = province.open(f"/calls/{call.pk}/recognition/")
    expect(page.locator("[role=alert]").first).to_contain_text(objection.reference)
    page = province.open(f"/objections/{objection.pk}/")
    page.fill("#id_investigation", "电话核实 20 家配套企业，本地配套率 58%，与申报材料相符。")
    page.get_by_role("button", name="保存核查情况").click()
    expect(page.locator("ul.messages")).to_contain_text("已保存异议")
    page.fill("#id_resolution", "经核查，申报材料所列本地配套率属实，异议不成立，维持拟认定。")
    page.select_option("#id_upheld", "no")
    page.get_by_role("button", name="办结").click()
    expect(page.locator("ul.messages")).to_contain_text("已办结")
    objection.refresh_from_db()
    assert (objection.status, objection.upheld) == (Objection.Status.RESOLVED, False)
    province.close()

    # --- after the notice's end: an objection is refused, and the province recognizes the cluster ----
    clock.beijing(notice.ends_on + timedelta(days=1), 9)
    page = visitor
    page.goto(f"/public/notices/{notice.pk}/")
    expect(page.locator("main")).to_contain_text("不再受理异议")
    expect(page.locator("#id_real_name")).to_have_count(0)

    province = Session(browser, base, "province-admin")  # a new login: the period may outlast a session
    page = province.open(f"/calls/{call.pk}/recognition/")
    expect(page.locator("main")).to_contain_text("公示期已满，异议均已办结，可以认定")
    page.get_by_role("button", name="认定", exact=True).click()
    province.confirm()
    expect(page.locator("ul.messages")).to_contain_text("已认定 1 个集群")
    cluster = RecognizedCluster.objects.get(application_id=pk)
    assert cluster.recognized_on == notice.ends_on + timedelta(days=1)
    expect(page.locator("main")).to_contain_text(cluster.number)
    province.close()

    # --- the published list, for anyone --------------------------------------------------------------
    page = visitor
    page.goto("/public/clusters/")
    expect(page.locator("main")).to_contain_text(application.name)
    expect(page.locator("main")).to_contain_text(cluster.number)
    public.close()
