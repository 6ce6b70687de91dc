"""The API's docs page works offline and under the strict CSP (issue 17 brief: ninja's docs page needs
JS/CSS from a CDN by default): in a real browser (Debian's chromium via Playwright) /api/v1/docs renders the
API's title and its operations from the platform's own static files; no request leaves the server and
the browser reports no Content-Security-Policy violation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread (see test_application_journey.py).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Request, expect

pytestmark = pytest.mark.django_db(transaction=True)

Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def test_the_docs_page_renders_offline_under_the_csp(live_server: Any, browser: Browser) -> None:
    page = browser.new_page()
    server = urlsplit(live_server.url).netloc
    outside: list[str] = []
    violations: list[str] = []

    def note(request: Request) -> None:
        if urlsplit(request.url).scheme in {"http", "https"} and urlsplit(request.url).netloc != server:
            outside.append(request.url)

    page.on("request", note)
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("中小企业特色产业集群管理平台 API")
    expect(page.locator(".opblock-summary-path").filter(has_text="/api/v1/check")).to_be_visible()
    assert outside == []
    assert violations == []
    page.close()
