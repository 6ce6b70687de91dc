"""No dead ends (issue 15, findings 8–11), in a real browser (Debian's chromium driven by Playwright) at the
1366 px the officers' laptops have, and axe-core over the twenty most used pages.

- Finding 8: the county's task for a submitted application says what is awaited and from whom (not
  "撤回"); the city's task names its step once (no "初审 · 初审"); an application in 公示 says what is
  still possible instead of "如需修改请先撤回"; the expert has no 申报 menu; the cluster roster's back link
  is the officer's cluster page; the recognition table counts an objection that was not upheld under
  "收到异议", not under "经核查成立".
- Finding 9: the login page names the platform and its issuing department and offers 忘记密码 (a mailed
  one-use link sets a new password, audited); every public page links 登录 and 异议查询; the objector
  looks up the outcome with the receipt number and the telephone given, a wrong telephone being a recorded
  miss.
- Finding 10: discovery's upload card lists the columns the reader requires, its template downloads and
  uploads as a dataset unchanged (prepared by a job whose page turns to 已完成 and links the dataset's
  preparation report: issue 18), and a run's results come 20 to a page with the filters kept.
- Finding 11: a favicon; at 1366 px the province admin's work navigation is one line; the pages carry
  ``<meta name="renderer" content="webkit">`` and ``X-UA-Compatible: IE=edge`` for the domestic browsers.
- axe-core (axe-playwright-python, which bundles axe.min.js: no network): no serious or critical
  violation on the pages of ``MOST_USED``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from captcha.models import CaptchaStore
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connections

# Playwright's sync API runs an event loop in this thread (see test_application_journey.py).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from factories import PASSWORD, ApplicationFactory, YearlyCallFactory, people, take_steps
from smecluster.analytics.discovery.file_columns import REQUIRED_COLUMNS
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.discovery.models import Candidate, Dataset, DiscoveryRun
from smecluster.apps.jobs.models import Job
from smecluster.apps.notices import services as notice_services
from smecluster.apps.notices.models import Notice, Objection, ObjectionLookupMiss
from smecluster.apps.registry.models import RecognizedCluster

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
LAPTOP = {"width": 1366, "height": 768}
OBJECTOR_PHONE = "13800138000"


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


def _page(browser: Browser, live_server: Any) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=LAPTOP)
    context.set_default_timeout(30_000)
    return context.new_page()


def _signed_in(browser: Browser, live_server: Any, user: User, password: str = PASSWORD) -> Page:
    page = _page(browser, live_server)
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.locator("#login").get_by_role("button", name="登录").click()
    expect(page.locator("header .who")).to_be_visible()
    return page


class World:
    """Every state the findings are about, reached through the services (tests/factories.py)."""

    def __init__(self) -> None:
        ensure_divisions()
        self.users = people()
        # Each application in a call of its own: a shortlist is confirmed per call.
        self.submitted = ApplicationFactory(status=Status.SUBMITTED, call=YearlyCallFactory())
        self.accepted = ApplicationFactory(status=Status.ACCEPTED, call=YearlyCallFactory())
        # In 公示, with one objection filed and resolved as not upheld, the notice then over.
        self.in_notice = ApplicationFactory(status=Status.SHORTLISTED, call=YearlyCallFactory())
        take_steps(self.in_notice, ("publish",))
        self.notice = Notice.objects.get(shortlist__call=self.in_notice.call)
        self.objection = notice_services.objection_file(
            notice=self.notice,
            application_id=self.in_notice.pk,
            real_name="张伟",
            phone=OBJECTOR_PHONE,
            email="",
            organization="佛山市某电器有限公司",
            content="该集群的主导产业产值数据与统计年鉴不符，请核查。",
        )
        notice_services.objection_record(
            actor=self.users["province_admin"],
            objection=self.objection,
            investigation="核对了统计年鉴和企业名册。",
            resolution="数据口径不同，申报数据属实。",
            upheld=False,
            resolve=True,
        )
        self.objection.refresh_from_db()
        self.cluster = RecognizedCluster.objects.get(
            application=ApplicationFactory(status=Status.RECOGNIZED, call=YearlyCallFactory())
        )


def test_task_lists_say_the_next_real_step(live_server: Any, browser: Browser) -> None:
    """Finding 8: tasks, the 公示 reason, the expert's menu, the roster's back link, the objection counts."""
    world = World()
    page = _signed_in(browser, live_server, world.users["county_officer"])
    task = page.locator("#tasks tr", has_text=world.submitted.number)
    # The county's next step on a submitted application is nobody's but the city's: it says so.
    expect(task).to_contain_text("等待佛山市主管部门受理")
    expect(task.locator("td").nth(1)).not_to_have_text("撤回")
    # In 公示 the content is final and nothing can be withdrawn: the page says that, not "请先撤回".
    page.goto(f"/applications/{world.in_notice.pk}/")
    expect(page.locator("main")).to_contain_text("申报处于公示期")
    expect(page.locator("main")).not_to_contain_text("如需修改请先撤回")
    expect(page.get_by_role("button", name="撤回")).to_have_count(0)
    page.context.close()

    page = _signed_in(browser, live_server, world.users["city_officer"])
    task = page.locator("#tasks tr", has_text=world.accepted.number)
    expect(task).to_contain_text("待初审")
    detail = task.locator("td").nth(1).inner_text()
    assert not re.search(r"初审\s*·\s*初审", detail), detail
    task.get_by_role("link", name="填写初审意见").click()
    page.wait_for_url(f"**/applications/{world.accepted.pk}/initial-review/")
    page.context.close()

    page = _signed_in(browser, live_server, world.users["expert"])
    expect(page.locator("header nav.main").get_by_role("link", name="申报", exact=True)).to_have_count(0)
    expect(page.locator("header nav.main").get_by_role("link", name="我的评审")).to_be_visible()
    page.context.close()

    page = _signed_in(browser, live_server, world.users["province_admin"])
    page.goto(f"/clusters/{world.cluster.pk}/roster/")
    page.get_by_role("link", name=f"← {world.cluster.name}").click()
    page.wait_for_url(f"**/clusters/{world.cluster.pk}/")
    take_steps(world.in_notice, ("end_notice",))
    page.goto(f"/calls/{world.in_notice.call_id}/recognition/")
    row = page.locator("tr", has_text=world.in_notice.number)
    expect(row.locator("td.objections-received")).to_have_text("1")
    expect(row.locator("td.objections-upheld")).to_have_text("0")
    page.context.close()


def test_login_names_the_platform_and_resets_a_password(
    live_server: Any, browser: Browser, settings: Any, mail_worker_at_commit: None
) -> None:
    """Finding 9: platform, issuing department, 忘记密码 by a mailed one-use link, 登录 on public pages.
    The mail's link is absolute from SMECLUSTER_SITE_URL, here the live server's address."""
    settings.SITE_URL = live_server.url
    ensure_divisions()
    users = people()
    county = users["county_officer"]
    page = _page(browser, live_server)
    page.goto("/public/clusters/")
    page.locator("header").get_by_role("link", name="登录").click()
    page.wait_for_url("**/accounts/login/**")
    expect(page.locator("#login")).to_contain_text("中小企业特色产业集群管理平台")
    expect(page.locator("#issuing-department")).to_contain_text(f"主办单位：{settings.ISSUING_DEPARTMENT}")

    mail.outbox.clear()
    page.get_by_role("link", name="忘记密码？").click()
    page.fill("#id_email", county.email)
    page.get_by_role("button", name="发送重置链接").click()
    expect(page.locator("#reset-sent")).to_be_visible()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [county.email]
    assert "重置密码" in sent.subject
    link = re.search(rf"{re.escape(live_server.url)}/accounts/reset/\S+/", sent.body)
    assert link, sent.body

    page.goto(link.group(0))
    new_password = "新的密码-桂花-2026"
    page.fill("#id_new_password1", new_password)
    page.fill("#id_new_password2", new_password)
    page.get_by_role("button", name="保存新密码").click()
    expect(page.locator("#reset-complete")).to_be_visible()
    assert AuditEvent.objects.filter(action="account.password_reset", target_id=str(county.pk)).count() == 1
    # The link was used once: it is dead now.
    page.goto(link.group(0))
    expect(page.locator("#reset-link-invalid")).to_be_visible()
    page.context.close()
    _signed_in(browser, live_server, county, new_password).context.close()


def test_the_objector_looks_up_the_outcome_by_receipt_and_telephone(
    live_server: Any, browser: Browser
) -> None:
    """Finding 9: 异议查询 on every public page; a wrong telephone is a recorded miss; the right one shows."""
    ensure_divisions()
    people()
    application = ApplicationFactory(status=Status.SHORTLISTED)
    take_steps(application, ("publish",))
    objection = notice_services.objection_file(
        notice=Notice.objects.get(shortlist__call=application.call),
        application_id=application.pk,
        real_name="张伟",
        phone=OBJECTOR_PHONE,
        email="",
        organization="佛山市某电器有限公司",
        content="该集群的主导产业产值数据与统计年鉴不符，请核查。",
    )
    page = _page(browser, live_server)

    def look_up(phone: str) -> None:
        page.goto("/public/notices/")
        page.locator("header").get_by_role("link", name="异议查询").click()
        page.fill("#id_reference", objection.reference)
        page.fill("#id_phone", phone)
        key = page.input_value("#id_captcha_0")
        page.fill("#id_captcha_1", CaptchaStore.objects.get(hashkey=key).response)
        page.get_by_role("button", name="查询").click()

    look_up("13900000000")
    expect(page.locator("[role=alert]")).to_be_visible()
    assert ObjectionLookupMiss.objects.count() == 1
    look_up(OBJECTOR_PHONE)
    expect(page.locator("main")).to_contain_text(objection.reference)
    expect(page.locator("main")).not_to_contain_text(OBJECTOR_PHONE)
    assert ObjectionLookupMiss.objects.count() == 1
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.RECEIVED
    page.context.close()


def test_discovery_says_which_columns_a_file_needs(
    live_server: Any, browser: Browser, tmp_path: Path
) -> None:
    """Finding 10: the columns, the template (accepted by the reader as it is), results 20 to a page."""
    ensure_divisions()
    users = people()
    page = _signed_in(browser, live_server, users["province_admin"])
    page.goto("/discovery/")
    listed = page.locator("#dataset-columns tbody code").all_inner_texts()
    assert [name for name in listed if name in REQUIRED_COLUMNS] == list(REQUIRED_COLUMNS)
    with page.expect_download() as download:
        page.locator("#dataset-template").click()
    template = tmp_path / "enterprise-years-template.csv"
    download.value.save_as(template)
    assert template.read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(REQUIRED_COLUMNS)
    page.fill("#id_name", "模板数据")
    page.set_input_files("#id_file", str(template))
    page.get_by_role("button", name="上传", exact=True).click()
    # Every row is checked by the job that prepares the upload: its page, polling, turns to 已完成.
    page.wait_for_url("**/jobs/*/")
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert Job.objects.get().status == Job.Status.DONE
    expect(page.locator("#job-status")).to_contain_text("已完成", timeout=15_000)
    page.get_by_role("link", name="查看结果").click()
    expect(page.locator("h1")).to_have_text("模板数据")
    expect(page.locator("#rows-accepted")).to_have_text("1")
    expect(page.locator("#rows-rejected")).to_have_text("0")

    run = DiscoveryRun.objects.create(
        dataset=Dataset.objects.get(name="模板数据"),
        year=2024,
        rule_set_id="guangdong-2022",
        province_id="440000",
        top=45,
        pairs=45,
        elapsed_ms=12,
        run_by=users["province_admin"],
    )
    Candidate.objects.bulk_create(
        Candidate(
            run=run,
            rank=rank,
            county_code="440606" if rank % 2 else "440605",
            county_name="顺德区" if rank % 2 else "南海区",
            city_code="440600",
            city_name="佛山市",
            division="38",
            industry="电气机械和器材制造业",
            output_yi_yuan=100.0 - rank,
            lq=2.0,
            strong_cluster=True,
            screens_met=3,
            screens=4,
            reasons=["区位熵 2.00"],
            record={},
        )
        for rank in range(1, 46)
    )
    page.goto(f"/discovery/runs/{run.pk}/?county=440606")
    expect(page.locator("tr[id^=candidate-]")).to_have_count(20)
    expect(page.locator("#candidate-pages")).to_contain_text("第 1 / 2 页，共 23 个")
    page.locator("#candidate-pages").get_by_role("link", name="下一页").click()
    page.wait_for_url("**county=440606&page=2")
    expect(page.locator("tr[id^=candidate-]")).to_have_count(3)
    page.context.close()


def test_favicon_meta_and_a_navigation_that_fits_1366_px(live_server: Any, browser: Browser) -> None:
    """Finding 11: the province admin's fifteen work areas on one line at 1366 px; favicon; renderer meta."""
    ensure_divisions()
    users = people()
    page = _signed_in(browser, live_server, users["province_admin"])
    links = page.locator("header nav.main a")
    assert links.count() >= 14
    tops = set(links.evaluate_all("links => links.map(link => Math.round(link.getBoundingClientRect().top))"))
    assert len(tops) == 1, f"the navigation wraps onto {len(tops)} lines at 1366 px"
    nav_height = page.locator("header nav.main").evaluate("nav => nav.getBoundingClientRect().height")
    link_height = links.first.evaluate("link => link.getBoundingClientRect().height")
    assert nav_height < 2 * link_height, (nav_height, link_height)

    assert page.locator('meta[name="renderer"]').get_attribute("content") == "webkit"
    assert page.locator('meta[http-equiv="X-UA-Compatible"]').get_attribute("content") == "IE=edge"
    icon = page.locator('link[rel="icon"]').first.get_attribute("href")
    assert icon
    response = page.request.get(icon)
    assert response.status == 200
    assert response.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert page.request.get("/favicon.ico").status == 200  # followed to the static file
    page.context.close()


# The twenty most used pages, by who uses them: the public's, the county's, the city's, the province's and
# the expert's. Each path is formatted with the world's objects.
MOST_USED: list[tuple[str | None, str]] = [
    (None, "/accounts/login/"),
    (None, "/accounts/password_reset/"),
    (None, "/public/notices/"),
    (None, "/public/notices/{notice}/"),
    (None, "/public/clusters/"),
    (None, "/public/clusters/{cluster}/"),
    (None, "/public/objections/outcome/"),
    ("county_officer", "/"),
    ("county_officer", "/applications/"),
    ("county_officer", "/applications/{submitted}/"),
    ("county_officer", "/applications/{draft}/edit/basics/"),
    ("county_officer", "/annual-reports/"),
    ("city_officer", "/"),
    ("city_officer", "/applications/{accepted}/initial-review/"),
    ("city_officer", "/rosters/"),
    ("province_admin", "/selection/"),
    ("province_admin", "/calls/{recognition_call}/recognition/"),
    ("province_admin", "/oversight/clusters/"),
    ("province_admin", "/clusters/{cluster}/"),
    ("province_admin", "/monitoring/"),
    ("province_admin", "/discovery/"),
    ("expert", "/reviews/mine/"),
    # issue 17: 账号管理
    ("city_officer", "/accounts/manage/"),
    ("city_officer", "/accounts/manage/new/"),
    ("city_officer", "/accounts/manage/{county_account}/"),
    ("province_admin", "/accounts/manage/import/"),
]
BLOCKING_IMPACTS = {"serious", "critical"}


def test_axe_finds_no_serious_or_critical_violation(live_server: Any, browser: Browser) -> None:
    world = World()
    draft = ApplicationFactory(call=YearlyCallFactory())
    names = {
        "notice": world.notice.pk,
        "cluster": world.cluster.pk,
        "submitted": world.submitted.pk,
        "draft": draft.pk,
        "accepted": world.accepted.pk,
        "recognition_call": world.in_notice.call_id,
        "county_account": world.users["county_officer"].pk,
    }
    axe = Axe()
    pages: dict[str | None, Page] = {}
    found: list[str] = []
    for who, path in MOST_USED:
        if who not in pages:
            signed_in = who is not None
            pages[who] = (
                _signed_in(browser, live_server, world.users[who])
                if signed_in
                else _page(browser, live_server)
            )
        page = pages[who]
        url = path.format(**names)
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, (who, url)
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in BLOCKING_IMPACTS:
                targets = [" ".join(node["target"]) for node in violation["nodes"]][:5]
                found.append(f"{who or 'public'} {url}: {violation['id']} ({violation['impact']}) {targets}")
    # The check can fail: the last page, given a field without a label and an image without text, is caught.
    page = pages["expert"]
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            main.append(document.createElement("input"));
            const image = document.createElement("img");
            image.src = "/favicon.ico";
            main.append(image);
        }"""
    )
    caught = {row["id"] for row in axe.run(page).response["violations"] if row["impact"] in BLOCKING_IMPACTS}
    assert {"label", "image-alt"} <= caught, caught
    for page in pages.values():
        page.context.close()
    assert len(MOST_USED) >= 20
    assert found == [], "\n".join(found)
