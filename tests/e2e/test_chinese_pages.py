"""No English on a zh-Hans page (issue 15, finding 7 and its done-when): in a real browser (Debian's
chromium driven by Playwright), each role of the demo world signs in and visits its main pages — the task
list, every page of its navigation, the first record each list links to — and the public visits the public
pages; the text a person sees (and the placeholders and labels of the controls) is collected and any English
word outside a short allow-list of names that are not translated (PDF, XLSX, GB/T, YYYY-MM-DD …) fails
the test, naming the page and the word.

Data is not the interface: codes (9144…, C3857, 440606), e-mail addresses and web addresses are left out
before the words are looked at; a word is a run of two or more Latin letters.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections

# Playwright's sync API runs an event loop in this thread (see test_application_journey.py).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, expect, sync_playwright

from smecluster.analytics.discovery.file_columns import TITLE_KEYS
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.policy.ruleset import rule_sets
from smecluster.site import demo

pytestmark = pytest.mark.django_db(transaction=True)

Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

# The roles of the demo world, one account each (the demo's README lists them).
ACCOUNTS = (
    "county-officer",
    "operator",
    "city-officer",
    "dongguan-officer",
    "province-admin",
    "ministry-admin",
    "expert",
)
PUBLIC_PAGES = ("/public/notices/", "/public/clusters/", "/public/objections/outcome/", "/accounts/login/")

ALLOWED = frozenset(
    {
        # formats, standards and products named as such in Chinese text
        "PDF", "XLSX", "CSV", "JSON", "DOCX", "XLS", "ZIP", "JPG", "PNG", "Parquet", "UTF", "SHA", "GB",
        "YYYY", "MM", "DD", "HH", "WPS", "Office",
        # a product in a real cluster's name on the national list (咸阳市秦都区LCD面板显示产业集群)
        "LCD",
        # the language switch offers English by its own name
        "English",
        # units and marks
        "km", "MB", "KB", "TOTP", "CO",
    }
)  # fmt: skip

_DATA = re.compile(
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+"  # e-mail addresses
    r"|https?://\S+"  # web addresses
    r"|[A-Za-z]*\d[\w/.-]*"  # codes and numbers: 91440606MA…, C3857, 440606, 2025-03-31, v1
)
_WORD = re.compile(r"[A-Za-z]{2,}")


# A rule set is named by its file's identifier (guangdong-2022), as the command line takes it: data.
# Likewise the title keys a discovery file holds (little_giant), which its column guide names.
_RULE_SET_IDS = re.compile(
    "|".join(sorted(map(re.escape, [*rule_sets(), *TITLE_KEYS]), key=len, reverse=True))
)


def english_words(text: str) -> set[str]:
    """The Latin words of ``text`` that are neither data nor allowed names."""
    text = _DATA.sub(" ", _RULE_SET_IDS.sub(" ", text))
    return {word for word in _WORD.findall(text) if word not in ALLOWED}


def test_the_allow_list_does_not_hide_english() -> None:
    """The check itself can fail: English interface text is found, codes and addresses are not."""
    assert english_words("申报 Not Found 返回") == {"Not", "Found"}
    assert english_words("'ZZ' is not a GB/T 4754-2017 code") == {"ZZ", "is", "not", "code"}
    assert english_words("代码 C3857、440606、91440606MA4UQXYZ1A；邮箱 a.b@example.com，模板 XLSX") == set()
    assert english_words("规则集：guangdong-2022 广东省") == set()


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


def _seen_text(page: Page) -> str:
    """What a person reads on the page: its visible text, its title, and the placeholders and accessible
    labels of its controls."""
    controls = page.eval_on_selector_all(
        "input, textarea, select, button, a, img",
        """elements => elements.flatMap(element => [
            element.getAttribute('placeholder') || '',
            element.getAttribute('aria-label') || '',
            element.getAttribute('title') || '',
            element.getAttribute('alt') || '',
            // An input button shows its value; a <button>'s value is sent, never shown.
            element.tagName === 'INPUT' && (element.type === 'submit' || element.type === 'button')
                ? element.value || '' : '',
        ])""",
    )
    # Text set as code (a file's column names, a command) is data, as codes and addresses are.
    prose = page.evaluate(
        """() => {
            const body = document.body.cloneNode(true);
            body.querySelectorAll('code, kbd, samp').forEach(element => element.remove());
            document.documentElement.appendChild(body);  // innerText needs a rendered element
            body.hidden = false;
            const text = body.innerText;
            body.remove();
            return text;
        }"""
    )
    return "\n".join([page.title(), prose, *controls])


def _main_pages(page: Page) -> list[str]:
    """The navigation's pages, then on each the first record its main content links to."""
    return sorted(
        {
            path
            for href in page.eval_on_selector_all("header nav a[href]", "links => links.map(a => a.href)")
            if (path := urlsplit(href).path) != "/"
        }
    )


def _first_record(page: Page, list_path: str) -> str | None:
    for href in page.eval_on_selector_all("main table a[href]", "links => links.map(a => a.href)"):
        path: str = urlsplit(str(href)).path
        if path.startswith(list_path) and path != list_path and not path.endswith((".csv", ".xlsx", ".pdf")):
            return path
    return None


def _visit(page: Page, path: str, found: dict[str, set[str]]) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status < 500, f"{path} answered {response.status}"
    words = english_words(_seen_text(page))
    if words:
        found[path] = words


def test_no_english_on_the_main_pages_of_any_role(live_server: Any, browser: Browser) -> None:
    ensure_divisions()
    demo.build_demo()
    found: dict[str, set[str]] = {}
    for username in ACCOUNTS:
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", demo.DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.locator("header .who")).to_be_visible()
        _visit(page, "/", found)
        for path in _main_pages(page):
            _visit(page, path, found)
            record = _first_record(page, path)
            if record is not None:
                _visit(page, record, found)
        _visit(page, "/no-such-page/", found)
        context.close()
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    for path in PUBLIC_PAGES:
        _visit(page, path, found)
    context.close()
    report = "\n".join(f"{path}: {', '.join(sorted(words))}" for path, words in sorted(found.items()))
    assert not found, f"English on zh-Hans pages:\n{report}"
