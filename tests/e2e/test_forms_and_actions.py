"""Saves that show their outcome, irreversible actions that ask, nothing typed lost (issue 15, findings 1, 2,
3, 5 and the "正在生成" of 11), in a real browser (Debian's chromium driven by Playwright):

- the annual report's figure form answers a refused save (SME output above the total, a negative number)
  with its errors in place, summarised at the top with links to the fields, and the view taken there; a
  save that goes shows "已保存" (finding 1);
- every htmx form and panel of the site, its answer replaced by an injected 400 and 500, shows a message:
  the 400's body in place, the 500 as an alert naming the status (finding 1);
- a refused full-page save (the initial review) lands on its error summary, not at the page's top
  (finding 5);
- submit, withdraw and accept ask in a dialog summarising what will happen, and cancelling sends nothing;
  受理 is a button apart from the tabs; a draft with empty tabs shows the pre-submission check and cannot
  go (finding 2); the selection's, the publication's, the recognition's and the annual report's
  confirmations are walked by the two journeys;
- typed text is not lost switching the tabs of the application form or the annual report (finding 3);
- the official PDF shows "正在生成…" and is disabled while it is made (finding 11).

Runs against pytest-django's live server on the test PostgreSQL database; Playwright launches
/usr/bin/chromium (Debian's package), never a downloaded browser.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from clock import Clock

# Playwright's sync API runs an event loop in this thread; the test's own database calls are plain
# synchronous ones made between browser steps, which Django would otherwise refuse inside a loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from factories import ApplicationFactory
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.applications.models import COUNTY_SECTIONS, Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
from smecluster.apps.registry.services import annual_reports
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
DAY = date(2026, 3, 20)  # inside the seeded holiday calendar; the 2025 report is open and not yet due

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
            connections.close_all()


class Session:
    """One person's browser session."""

    def __init__(self, browser: Browser, base_url: str, username: str) -> None:
        self.context = browser.new_context(base_url=base_url, locale="zh-CN", accept_downloads=True)
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

    def close(self) -> None:
        self.context.close()


def _dialog(page: Page) -> Any:
    return page.locator("#confirm-dialog")


@pytest.fixture
def world(live_server: Any, clock: Clock) -> dict[str, Any]:
    """The demo's accounts and the Guangdong programme; a filled draft of 顺德区 and one in the city's hands;
    a recognized 顺德区 cluster whose 2025 annual report is open."""
    clock.beijing(DAY)
    ensure_divisions()
    users = demo.ensure_accounts()
    _programme, call = demo.ensure_guangdong_programme(users["province-admin"], timezone.localdate())
    draft = ApplicationFactory(call=call, name="佛山市顺德区智能家电产业集群")
    submitted = ApplicationFactory(call=call, name="佛山市顺德区家具产业集群", status=Status.SUBMITTED)
    cluster = RecognizedCluster.objects.create(
        application=ApplicationFactory(call=call, name="佛山市顺德区机器人产业集群"),
        programme=call.programme,
        number="粤中小特色集群〔2024〕001",
        name="佛山市顺德区机器人产业集群",
        county_id="440606",
        leading_industry="机器人",
        year=2024,
        recognized_on=date(2024, 3, 10),
        valid_from=date(2024, 3, 10),
        valid_until=date(2027, 3, 9),
        decided_by=users["province-admin"],
    )
    with transaction.atomic():  # as the daily duty opens it, inside its transaction
        report, _created = annual_reports.report_open(cluster=cluster, year=2025, today=date(2026, 1, 1))
    return {
        "url": live_server.url,
        "call": call,
        "draft": draft,
        "submitted": submitted,
        "report": report,
        "clock": clock,
    }


# --- finding 1: the annual figure form's real 400 ----------------------------------------------------


def test_the_annual_figure_form_shows_why_a_save_was_refused(browser: Browser, world: dict[str, Any]) -> None:
    """SME output above the total, then a negative number: each save answers 400 with the errors, which
    the page shows in place, summarised at the top with links to the fields, focused. A valid save says
    "已保存" and nothing is left over."""
    report: AnnualReport = world["report"]
    county = Session(browser, world["url"], "county-officer")
    page = county.open(f"/annual-reports/{report.pk}/edit/figures/")
    page.fill("#id_figures__output", "100")
    page.fill("#id_figures__sme_output", "120")
    with page.expect_response(re.compile(r"/edit/figures/$")) as answer:
        page.locator("#tab-form").get_by_role("button", name="保存本页").click()
    assert answer.value.status == 400
    form = page.locator("#tab-form")
    expect(form.locator("[role=alert]")).to_contain_text("未保存")
    summary = form.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("中小企业")
    expect(summary).to_be_focused()
    expect(form.get_by_text("已保存")).to_have_count(0)
    expect(page.locator("#id_figures__sme_output")).to_have_value("120")  # nothing typed is lost
    report.refresh_from_db()
    assert not report.figures

    page.fill("#id_figures__sme_output", "-5")
    with page.expect_response(re.compile(r"/edit/figures/$")) as answer:
        page.locator("#tab-form").get_by_role("button", name="保存本页").click()
    assert answer.value.status == 400
    summary = page.locator("#tab-form .error-summary")
    expect(summary).to_be_visible()
    link = summary.locator("a[href='#id_figures__sme_output']")
    expect(link).to_have_count(1)
    expect(link).to_contain_text("中小企业")
    link.click()
    expect(page.locator("#id_figures__sme_output")).to_be_focused()

    page.fill("#id_figures__sme_output", "80")
    page.locator("#tab-form").get_by_role("button", name="保存本页").click()
    expect(page.locator("#tab-form [role=status]")).to_contain_text("已保存")
    expect(page.locator("#tab-form .error-summary")).to_have_count(0)
    report.refresh_from_db()
    assert report.figures["figures"]["sme_output"] == 80
    county.close()


# --- finding 1: every htmx request's failure is shown ------------------------------------------------

INJECTED_400 = '<form id="tab-form" class="card"><p role="alert" class="fail">注入的校验错误</p></form>'


def _inject(page: Page, pattern: str, status: int, method: str, body: str) -> None:
    def answer(route: Route) -> None:
        if route.request.method == method and route.request.headers.get("hx-request") == "true":
            route.fulfill(status=status, body=body, content_type="text/html; charset=utf-8")
        else:
            route.continue_()

    page.route(re.compile(pattern), answer)


def _htmx_cases(world: dict[str, Any]) -> list[tuple[str, str, str, str, Any]]:
    """(page, request to fail, method, what the test does, where the message shows) for every htmx form and
    panel: the application's eleven tabs, its evidence upload and removal, its pre-check panel (refreshed
    after a save); the annual
    report's three tabs and its evidence upload."""
    draft: Application = world["draft"]
    report: AnnualReport = world["report"]
    pk = draft.pk
    cases: list[tuple[str, str, str, str, Any]] = []
    for section in COUNTY_SECTIONS:
        cases.append(
            (f"/applications/{pk}/edit/{section.value}/", rf"/applications/{pk}/edit/{section.value}/$",
             "POST", "save", "#tab-form")
        )  # fmt: skip
    cases += [
        (f"/applications/{pk}/edit/figures/", rf"/applications/{pk}/evidence/figures/", "POST", "upload",
         "#evidence-figures"),
        (f"/applications/{pk}/edit/figures/", r"/evidence/\d+/delete/$", "POST", "delete",
         "#evidence-figures"),
        (f"/applications/{pk}/edit/basics/", rf"/applications/{pk}/eligibility/", "GET", "save",
         "#eligibility"),
    ]  # fmt: skip
    for section in ("figures", "narrative", "targets"):
        cases.append(
            (f"/annual-reports/{report.pk}/edit/{section}/", rf"/annual-reports/{report.pk}/edit/{section}/$",
             "POST", "save", "#tab-form")
        )  # fmt: skip
    cases.append(
        (f"/annual-reports/{report.pk}/edit/evidence/", rf"/annual-reports/{report.pk}/evidence/", "POST",
         "upload", "#report-evidence")
    )  # fmt: skip
    return cases


def _act(page: Page, action: str, where: str, evidence: Path) -> None:
    if action == "save":
        page.locator("#tab-form").get_by_role("button", name="保存本页").click()
    elif action == "upload":
        page.locator(where).locator("input[type=file]").set_input_files(str(evidence))
        page.locator(where).get_by_role("button", name="上传").click()
    elif action == "delete":
        page.locator(where).get_by_role("button", name="删除").first.click()
        _dialog(page).get_by_role("button", name="确认").click()  # its hx-confirm, in the site's dialog


def test_every_htmx_request_that_fails_shows_a_message(
    browser: Browser, world: dict[str, Any], tmp_path: Path
) -> None:
    """A 400 answer is the form with its errors: swapped in. A 500 (or any other failure) is an alert
    beside the form naming the status, and what was typed stays."""
    evidence = tmp_path / "统计年报.pdf"
    evidence.write_bytes(PDF)
    county = Session(browser, world["url"], "county-officer")
    page = county.page
    # One evidence file to remove, uploaded through the page (the removal's failure is injected below).
    page.goto(f"/applications/{world['draft'].pk}/edit/figures/")
    page.locator("#evidence-figures input[type=file]").set_input_files(str(evidence))
    page.locator("#evidence-figures").get_by_role("button", name="上传").click()
    expect(page.locator("#evidence-figures")).to_contain_text(evidence.name)
    cases = _htmx_cases(world)
    assert len(cases) == 11 + 3 + 3 + 1
    seen: list[str] = []
    for path, pattern, method, action, where in cases:
        for status in (400, 500):
            page.unroute_all()
            page.goto(path)
            _inject(page, pattern, status, method, INJECTED_400.replace("tab-form", where.lstrip("#")))
            _act(page, action, where, evidence)
            if status == 400:
                expect(page.locator(where)).to_contain_text("注入的校验错误")
            else:
                alert = page.locator(".request-failure[role=alert]")
                expect(alert).to_be_visible()
                expect(alert).to_contain_text("HTTP 500")
            seen.append(f"{path} {action} {status}")
    assert len(seen) == 2 * len(cases)
    county.close()


def test_a_failed_panel_request_or_a_lost_connection_shows_a_message(
    browser: Browser, world: dict[str, Any]
) -> None:
    """The GET requests htmx makes on its own (the pre-check panel refreshing after a save) fail as visibly
    as the forms: a 502 names its status, a dropped connection says the server could not be reached."""
    draft: Application = world["draft"]
    county = Session(browser, world["url"], "county-officer")
    page = county.page
    for failure in ("502", "connectionreset"):
        page.unroute_all()
        page.goto(f"/applications/{draft.pk}/edit/basics/")
        page.route(re.compile(rf"/applications/{draft.pk}/eligibility/"), _failing(failure))
        page.locator("#tab-form").get_by_role("button", name="保存本页").click()
        expect(page.locator("#tab-form [role=status]")).to_contain_text("已保存")
        alert = page.locator("#eligibility .request-failure[role=alert]")
        expect(alert).to_be_visible()
        expect(alert).to_contain_text("HTTP 502" if failure == "502" else "无法连接服务器")
    county.close()


def _failing(failure: str) -> Any:
    def answer(route: Route) -> None:
        if route.request.headers.get("hx-request") != "true":
            route.continue_()
        elif failure.isdigit():
            route.fulfill(status=int(failure), body="Bad Gateway")
        else:
            route.abort(failure)

    return answer


# --- finding 5: a refused full-page save lands on its errors -----------------------------------------


def test_a_refused_initial_review_lands_on_its_error_summary(browser: Browser, world: dict[str, Any]) -> None:
    """The initial-review page is long (the verdict table, the criteria): a save refused for an empty
    conclusion used to reload at the top with the only error far below. The summary now sits at the form's
    top, in view and focused, and links to the field."""
    application: Application = ApplicationFactory(
        call=world["call"], name="佛山市顺德区照明产业集群", status=Status.ACCEPTED
    )
    city = Session(browser, world["url"], "city-officer")
    page = city.open(f"/applications/{application.pk}/initial-review/")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.fill("#id_conclusion", "")
    page.get_by_role("button", name="保存初审意见").click()
    summary = page.locator("form .error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary.locator("a[href='#id_conclusion']")).to_have_count(1)
    city.close()


# --- finding 2: irreversible actions ask first; submission checks completeness ----------------------


def test_submit_withdraw_and_accept_ask_first_and_cancelling_sends_nothing(
    browser: Browser, world: dict[str, Any]
) -> None:
    draft: Application = world["draft"]
    county = Session(browser, world["url"], "county-officer")
    page = county.open(f"/applications/{draft.pk}/")
    expect(page.locator("#submission-check")).to_contain_text("各必填部分均已填写")
    expect(page.locator("#submission-check")).to_contain_text("认定条件预检")
    page.fill("#id_pledge_signer_name", "李建国")
    page.fill("#id_pledge_signer_position", "区工业和信息化局局长")
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.get_by_role("button", name="提交", exact=True).click()
    dialog = _dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"确认提交申报 {draft.number}")
    expect(dialog).to_contain_text("提交佛山市受理")
    expect(dialog).to_contain_text("提交后不能再修改")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    assert posts == []
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT

    page.get_by_role("button", name="提交", exact=True).click()
    _dialog(page).get_by_role("button", name="确认").click()
    expect(page.locator("ul.messages")).to_contain_text("已提交申报")
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED

    page.get_by_role("button", name="撤回").click()
    expect(_dialog(page)).to_contain_text("回到草稿状态")
    _dialog(page).get_by_role("button", name="确认").click()
    expect(page.locator("ul.messages")).to_contain_text("已撤回申报")
    county.close()

    submitted: Application = world["submitted"]
    city = Session(browser, world["url"], "city-officer")
    page = city.open(f"/applications/{submitted.pk}/return/")
    # 受理 acts at once: a button of its own, not one of the tabs that open the review's pages.
    expect(page.locator("nav.tabs button")).to_have_count(0)
    accept = page.locator(".step-actions").get_by_role("button", name="受理")
    expect(accept).to_be_visible()
    accept.click()
    expect(_dialog(page)).to_contain_text("不能再撤回或修改申报材料")
    _dialog(page).get_by_role("button", name="取消").click()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    accept.click()
    _dialog(page).get_by_role("button", name="确认").click()
    expect(page.locator("ul.messages")).to_contain_text("已受理")
    submitted.refresh_from_db()
    assert submitted.status == Status.ACCEPTED
    city.close()


def test_a_draft_with_empty_tabs_shows_the_check_and_cannot_go(
    browser: Browser, world: dict[str, Any]
) -> None:
    draft: Application = world["draft"]
    Application.objects.filter(pk=draft.pk).update(innovation="", digital="", plan_summary="")
    draft.targets.all().delete()
    county = Session(browser, world["url"], "county-officer")
    page = county.open(f"/applications/{draft.pk}/")
    check = page.locator("#submission-check")
    expect(check).to_contain_text("以下填报部分尚未填写")
    empty = check.locator("ul").first
    for label in ("协同创新", "数字化转型", "三年发展规划"):
        expect(empty.get_by_role("link", name=label)).to_be_visible()
    expect(empty.get_by_role("link")).to_have_count(3)
    expect(page.get_by_role("button", name="提交", exact=True)).to_be_disabled()
    empty.get_by_role("link", name="协同创新").click()
    expect(page).to_have_url(re.compile(rf"/applications/{draft.pk}/edit/innovation/$"))
    county.close()


# --- finding 3: nothing typed is lost switching tabs ---------------------------------------------------


@pytest.mark.parametrize("form", ["application", "annual_report"])
def test_switching_tabs_with_unsaved_changes_asks_first(
    browser: Browser, world: dict[str, Any], form: str
) -> None:
    if form == "application":
        first, field, other = (
            f"/applications/{world['draft'].pk}/edit/supply_chain/",
            "#id_supply_chain",
            "协同创新",
        )
    else:
        first, field, other = (
            f"/annual-reports/{world['report'].pk}/edit/narrative/",
            "#id_work_done",
            "年度数据",
        )
    county = Session(browser, world["url"], "county-officer")
    page = county.open(first)
    page.fill(field, "刚刚输入、尚未保存的内容")
    page.locator("nav.tabs").get_by_role("link", name=other).click()
    dialog = _dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("有尚未保存的修改")
    dialog.get_by_role("button", name="取消").click()
    expect(page).to_have_url(re.compile(re.escape(first) + "$"))
    expect(page.locator(field)).to_have_value("刚刚输入、尚未保存的内容")

    # Leaving the page altogether (closing it, another address) asks the browser's own question.
    asked: list[str] = []
    page.on("dialog", lambda prompt: (asked.append(prompt.type), prompt.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]

    # Saved, the tabs switch without a question.
    page = county.context.new_page()
    page.goto(first)
    page.fill(field, "保存后再切换")
    page.locator("#tab-form").get_by_role("button", name="保存本页").click()
    expect(page.locator("#tab-form [role=status]")).to_contain_text("已保存")
    page.locator("nav.tabs").get_by_role("link", name=other).click()
    expect(page).not_to_have_url(re.compile(re.escape(first) + "$"))
    expect(_dialog(page)).to_be_hidden()

    # Confirmed, the switch goes and the unsaved text is given up knowingly.
    page.goto(first)
    page.fill(field, "放弃的内容")
    page.locator("nav.tabs").get_by_role("link", name=other).click()
    _dialog(page).get_by_role("button", name="确认").click()
    expect(page).not_to_have_url(re.compile(re.escape(first) + "$"))
    county.close()


# --- finding 11: the official PDF says it is being made ----------------------------------------------


def test_a_slow_pdf_shows_generating_and_is_disabled_until_it_arrives(
    browser: Browser, world: dict[str, Any]
) -> None:
    draft: Application = world["draft"]
    county = Session(browser, world["url"], "county-officer")
    page = county.open(f"/applications/{draft.pk}/")
    # The server is busy: the answer is held back until the test has seen the link while it waits.
    held: list[Route] = []
    page.route(re.compile(rf"/applications/{draft.pk}/pdf/$"), lambda route: held.append(route))
    link = page.locator(f"a[href='/applications/{draft.pk}/pdf/']")
    expect(link).to_have_attribute("data-slow-download", "")
    with page.expect_download() as download:
        link.click()
        expect(link).to_have_text("正在生成…")
        expect(link).to_have_attribute("aria-disabled", "true")
        link.click(force=True)  # a second click while it is made starts nothing more
        assert len(held) == 1
        held[0].continue_()
    assert download.value.suggested_filename.endswith(".pdf")
    expect(link).to_have_text("打印版（PDF）")
    expect(link).not_to_have_attribute("aria-disabled", "true")
    county.close()
