"""No writes on GET (issue 12, finding 12): every page reachable by GET, as every role, leaves the row
count of every table unchanged. The pages are found the way a person finds them: from the URLconf's routes
without arguments and the routes of a world's call and applications, then every link on every page opened,
breadth first. Also: the indicator system is made by a button (POST), never by opening its page."""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404
from security_routes import routes_without_arguments

from factories import (
    ApplicationFactory,
    PoolEntryFactory,
    ProgrammeFactory,
    YearlyCallFactory,
    recognized_cluster,
)
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.workflow import Status
from smecluster.apps.selection.models import IndicatorSystem

pytestmark = pytest.mark.django_db

# Not pages: the admin is Django's own, logout and the language switch are forms that POST.
SKIPPED = ("/admin/", "/accounts/logout/", "/i18n/", "/static/")
PAGES_PER_ROLE = 250
# The objection form's challenge (django-simple-captcha) is a row made when the form is drawn: the library
# keeps the answer on the server, not in the page. It is no record of the platform (a one-use key, deleted
# when answered or by `smecluster tick` when expired), so showing the form may add one.
NOT_RECORDS = {"captcha_captchastore"}
HREF = re.compile(r'href="([^"#]+)"')


def _row_counts() -> dict[str, int]:
    tables = sorted({model._meta.db_table for model in apps.get_models()} - NOT_RECORDS)
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _crawl(client: Client, starts: list[str]) -> dict[str, int]:
    """Every page reached from ``starts`` by links, with its status."""
    seen: dict[str, int] = {}
    queue = deque(starts)
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen or url.startswith(SKIPPED):
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            target, _fragment = urldefrag(href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target:
                continue
            if not target.startswith("/"):
                target = urlsplit(url).path + target
            try:
                resolve(urlsplit(target).path)
            except Resolver404:
                continue
            if target not in seen:
                queue.append(target)
    return seen


def test_no_get_of_any_page_as_any_role_changes_a_row_count(
    security_users: dict[str, User], settings: Any, tmp_path: Any
) -> None:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    call = YearlyCallFactory(programme=ProgrammeFactory())
    PoolEntryFactory()
    draft = ApplicationFactory(call=call, status=Status.DRAFT)
    screened = ApplicationFactory(call=call, status=Status.SCREENED, name="佛山市测试家具产业集群")
    assert not IndicatorSystem.objects.exists()  # the page that used to make one on GET is crawled too
    cluster = recognized_cluster(name="佛山市测试陶瓷产业集群")  # dynamic management's pages too
    starts = [
        *routes_without_arguments(),
        reverse("selection:indicators", args=[call.pk]),
        reverse("selection:assignments", args=[call.pk]),
        *(f"/applications/{application.pk}/" for application in (draft, screened, cluster.application)),
        reverse("registry:cluster", args=[cluster.pk]),
    ]
    reached: set[str] = set()
    for role, user in security_users.items():
        client = Client()
        client.force_login(user)  # logging in writes (last_login, the session); looking must not
        before = _row_counts()
        pages = _crawl(client, starts)
        after = _row_counts()
        changed = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
        assert not changed, f"GET as {role} changed row counts: {changed}"
        assert not [url for url, status in pages.items() if status >= 500], role
        reached |= {resolve(urlsplit(url).path).view_name for url, status in pages.items() if status == 200}
    anonymous = Client()
    before = _row_counts()
    _crawl(anonymous, starts)
    assert _row_counts() == before
    # The crawl really went through the workflow's pages, not just the home page.
    assert {"home", "applications:list", "selection:indicators", "selection:assignments"} <= reached
    assert len(reached) >= 30, sorted(reached)


def test_the_indicator_page_offers_a_button_and_only_its_post_creates_the_system(
    security_users: dict[str, User],
) -> None:
    call = YearlyCallFactory(programme=ProgrammeFactory())
    client = Client()
    client.force_login(security_users["province_admin"])
    page = client.get(reverse("selection:indicators", args=[call.pk]))
    create = reverse("selection:indicators_create", args=[call.pk])
    assert page.status_code == 200
    assert f'action="{create}"' in page.content.decode()
    assert client.get(reverse("selection:assignments", args=[call.pk])).status_code == 200
    assert not IndicatorSystem.objects.filter(call=call).exists()
    assert client.get(create).status_code == 405
    assert client.post(create).status_code == 302
    assert IndicatorSystem.objects.filter(call=call).count() == 1
