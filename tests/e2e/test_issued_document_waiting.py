"""An official document the worker has not made yet, in a real browser (Debian's chromium driven by
Playwright): the download address shows 正在生成, polls itself with htmx, and offers the file as soon as
the worker has stored it — no reload (issue 16: "official PDFs … as jobs with a progress page (htmx
polling)"; ADR 0024)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

from playwright.sync_api import Browser, expect

from factories import ApplicationFactory, YearlyCallFactory, people, take_steps
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.applications.models import Status
from smecluster.apps.issued_documents.models import IssuedDocument
from smecluster.apps.notices.models import Notice

pytestmark = pytest.mark.django_db(transaction=True)

Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def test_the_public_notice_pdf_waits_for_the_worker_then_is_offered(
    live_server: Any, browser: Browser, settings: Any
) -> None:
    settings.ISSUED_DOCUMENTS_RENDER_IN_REQUEST = False  # as deployed: the worker renders
    ensure_divisions()
    people()
    application = ApplicationFactory(status=Status.SHORTLISTED, call=YearlyCallFactory())
    take_steps(application, ("publish",))  # publication asks the worker for the notice's PDF
    notice = Notice.objects.get(shortlist__call=application.call)
    document = IssuedDocument.objects.get(kind="public_notice", object_id=notice.pk)
    url = reverse("notices:public_pdf", args=[notice.pk])

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(url)  # anonymous: the public notice is public
    expect(page.locator("#document-status")).to_contain_text("正在生成")

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    offered = page.get_by_role("link", name=f"打开 {document.file_name}")
    expect(offered).to_be_visible()  # the page polled and swapped in the link, no reload
    assert offered.get_attribute("href") == url

    response = context.request.get(url)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    document.refresh_from_db()
    assert hashlib.sha256(response.body()).hexdigest() == document.sha256
    context.close()
