"""The refusal pages say why: a 404 shows the message of the view that looked (not in your jurisdiction,
the file is gone), a 403 the permission check's reason; a path that matches no route says only that."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application

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
