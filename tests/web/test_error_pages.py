"""The refusal pages say why: a 404 shows the message of the view that looked (not in your jurisdiction,
the file is gone), a 403 the permission check's reason; a path that matches no route says only that.
Issue 15, finding 7: every 404 was Django's bare English "Not Found" without navigation. Each page is in the
site's frame (its navigation) and language, with a way back (上一页, 首页); a CSRF refusal and a server
error too, the 500 page without touching the request's user or session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.programmes.models import Programme
from smecluster.site import dashboard, error_pages

pytestmark = pytest.mark.django_db


def test_a_404_shows_the_views_message(
    client: Client, web_users: dict[str, User], web_application: Application
) -> None:
    client.force_login(web_users["other_county_officer"])
    response = client.get(reverse("applications:detail", args=[web_application.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "没有这份申报，或它不在您的辖区内" in page
    assert web_application.name not in page


def test_an_unknown_path_says_only_not_found(client: Client, web_users: dict[str, User]) -> None:
    client.force_login(web_users["county_officer"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "没有这个页面" in page
    assert "Resolver404" not in page


def test_a_403_shows_the_reason(
    client: Client, web_users: dict[str, User], web_application: Application
) -> None:
    client.force_login(web_users["city_officer"])
    response = client.post(reverse("applications:submit", args=[web_application.pk]))
    assert response.status_code == 403
    assert "须由" in response.content.decode()


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_404_is_in_the_sites_frame_with_a_way_back(
    client: Client, web_users: dict[str, User], web_application: Application
) -> None:
    client.force_login(web_users["other_county_officer"])
    page = client.get(reverse("applications:detail", args=[web_application.pk])).content.decode()
    assert "Not Found" not in page
    assert f'href="{reverse("applications:list")}"' in page, "the navigation of base.html"
    assert "返回上一页" in page
    assert "首页" in page
    assert "data-history-back" in page


def test_a_404_in_english_gives_the_views_reason_in_english(
    client: Client, web_users: dict[str, User], web_application: Application
) -> None:
    client.force_login(web_users["other_county_officer"])
    response = _english(client).get(reverse("applications:detail", args=[web_application.pk]))
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en">' in page
    assert "This application does not exist or is not in your jurisdiction" in page
    assert "没有这份申报" not in page
    assert "Back to the previous page" in page
    assert "Home" in page


def test_a_lazy_reason_is_not_swallowed_into_the_class_name() -> None:
    """Django's own handler shows "Http404" for a reason that is not a plain str (a lazy translation)."""
    request = RequestFactory().get("/somewhere/")
    with translation.override("zh-hans"):
        response = error_pages.not_found(request, Http404(gettext_lazy("没有这个集群，或它不在您的辖区内")))
    page = response.content.decode()
    assert response.status_code == 404
    assert "没有这个集群，或它不在您的辖区内" in page
    assert ">Http404<" not in page


def test_a_403_in_english_gives_the_reason_in_english(
    client: Client, web_users: dict[str, User], web_application: Application
) -> None:
    client.force_login(web_users["city_officer"])
    response = _english(client).post(reverse("applications:submit", args=[web_application.pk]))
    page = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="en">' in page
    assert "须由" not in page
    assert "Back to the previous page" in page


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [("zh-hans", "页面已过期", "CSRF verification failed"), ("en", "The page has expired", "页面已过期")],
)
def test_a_form_refused_by_the_csrf_check_says_what_to_do_in_the_persons_language(
    web_users: dict[str, User], language: str, expected: str, absent: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(web_users["county_officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("logout"))
    page = response.content.decode()
    assert response.status_code == 403
    assert expected in page
    assert absent not in page
    assert "Forbidden" not in page


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [("zh-hans", "服务器出错", "Server Error"), ("en", "Server error", "服务器出错")],
)
def test_a_server_error_renders_the_sites_500_page_in_the_persons_language(
    client: Client,
    web_users: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    expected: str,
    absent: str,
) -> None:
    def failing_render(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug in the view")

    monkeypatch.setattr(dashboard, "render", failing_render)
    client.raise_request_exception = False
    client.force_login(web_users["county_officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 500
    assert expected in page
    assert absent not in page
    assert "a bug in the view" not in page
    assert "RuntimeError" not in page
    # Static-safe: rendered without the request, so nothing of the person or the session is on it.
    assert web_users["county_officer"].username not in page
    assert "csrfmiddlewaretoken" not in page
    assert 'href="/" data-history-back' in page


def test_in_english_the_task_list_joins_its_steps_with_commas(
    web_users: dict[str, User],
    web_application_in: Callable[..., Application],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 15, finding 7: in English mode the steps of a task read "Fill in、Submit". (The task's own
    wording for the city is set aside, so that the task shows the steps the workflow offers.)"""
    monkeypatch.setattr(dashboard, "WAITING_ON", {})
    application = web_application_in(Status.SUBMITTED)
    pages = {}
    for language in ("zh-hans", "en"):
        client = Client()
        client.force_login(web_users["city_officer"])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(reverse("home")).content.decode()
        assert application.number in page
        pages[language] = page
    assert "、" in pages["zh-hans"], "the city has several steps for a submitted application"
    assert "、" not in pages["en"]


def test_in_english_labels_take_an_ascii_colon_and_chains_their_level_names(
    web_users: dict[str, User], web_programme: Programme
) -> None:
    """Issue 15, finding 7: punctuation follows the language (审核链：县级 → … in Chinese, "Review chain:
    County → …" in English), and the review chain names its levels, not their stored keys."""
    pages = {}
    for language in ("zh-hans", "en"):
        client = Client()
        client.force_login(web_users["province_admin"])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        pages[language] = client.get(reverse("programmes:list")).content.decode()
    assert "审核链：县级 → 市级 → 省级" in pages["zh-hans"]
    assert "Review chain: County → City → Province" in pages["en"]
    assert "：" not in pages["en"]
    assert "county → city" not in pages["zh-hans"]


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "请求无效"), ("en", "Invalid request")])
def test_a_bad_request_is_answered_in_the_frame_in_the_language(language: str, expected: str) -> None:
    request = RequestFactory().get("/somewhere/")
    with translation.override(language):
        response = error_pages.bad_request(request, Exception())
    page = response.content.decode()
    assert response.status_code == 400
    assert expected in page
    assert "Bad Request (400)" not in page
