"""The call's indicator system: the default (version 1, marked as a default) when the owner adopts it with
the page's button (looking creates nothing),
edits saved as a new version whose points must add up to exactly 100 (the error at the form), and no new
version once any expert has scored."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.selection.models import Assignment, IndicatorSystem
from smecluster.policy.indicators import default_indicator_system

pytestmark = pytest.mark.django_db


def _admin(client: Client, web_users: dict[str, User]) -> Client:
    client.force_login(web_users["province_admin"])
    return client


def _formset(rows: list[tuple[str, str, str, str]], name: str = "广东省细化指标体系") -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "note": "按本省办法调整",
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
    }
    for index, (dimension, code, label, points) in enumerate(rows):
        data.update(
            {
                f"rows-{index}-dimension": dimension,
                f"rows-{index}-code": code,
                f"rows-{index}-name": label,
                f"rows-{index}-max_points": points,
                f"rows-{index}-guidance": f"{label}的评分要点",
            }
        )
    return data


def test_the_first_visit_offers_the_default_and_its_button_creates_version_1(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall
) -> None:
    admin = _admin(client, web_users)
    url = reverse("selection:indicators", args=[sel_call.pk])
    offer = admin.get(url)
    assert offer.status_code == 200
    assert not IndicatorSystem.objects.filter(call=sel_call).exists()  # looking writes nothing
    create_url = reverse("selection:indicators_create", args=[sel_call.pk])
    assert f'action="{create_url}"' in offer.content.decode()
    assert admin.get(create_url).status_code == 405
    assert admin.post(create_url).status_code == 302
    system = IndicatorSystem.objects.get(call=sel_call)
    assert (system.version, system.is_default) == (1, True)
    default = default_indicator_system()
    assert system.name == default.name
    assert [each.code for each in system.indicators.order_by("order")] == [row.code for row in default.rows()]
    assert sum(each.max_points for each in system.indicators.all()) == Decimal(100)
    text = admin.get(url).content.decode()
    assert "系统默认，待本省调整" in text
    assert "未公布" in text  # the note: no official weights
    assert "统筹发展与安全" in text
    assert "具有较强治理和服务能力" in text
    assert AuditEvent.objects.filter(action="indicator_system.create", target_id=str(system.pk)).count() == 1
    admin.post(create_url)
    assert IndicatorSystem.objects.filter(call=sel_call).count() == 1


def test_weights_that_do_not_add_up_to_100_are_refused_at_the_form(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall
) -> None:
    admin = _admin(client, web_users)
    url = reverse("selection:indicators", args=[sel_call.pk])
    admin.post(reverse("selection:indicators_create", args=[sel_call.pk]))
    rows = [("核心竞争力", "K1", "产业规模", "60"), ("协同创新", "X1", "研发投入", "39.5")]
    response = admin.post(url, _formset(rows))
    assert response.status_code == 200
    assert "各项指标满分合计须恰好为 100 分，现为 99.50 分" in response.content.decode()
    assert response.context["formset"].non_form_errors()
    assert IndicatorSystem.objects.filter(call=sel_call).count() == 1


def test_a_duplicate_code_is_refused_at_the_form(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall
) -> None:
    admin = _admin(client, web_users)
    url = reverse("selection:indicators", args=[sel_call.pk])
    rows = [("核心竞争力", "K1", "产业规模", "60"), ("协同创新", "K1", "研发投入", "40")]
    assert "指标编号重复：K1" in admin.post(url, _formset(rows)).content.decode()


def test_an_edit_that_adds_up_is_saved_as_a_new_version(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall
) -> None:
    admin = _admin(client, web_users)
    url = reverse("selection:indicators", args=[sel_call.pk])
    admin.post(reverse("selection:indicators_create", args=[sel_call.pk]))
    edit = admin.get(url, {"edit": "1"})
    assert edit.context["formset"].initial[0]["code"] == "A1"  # starts from the version in force
    rows = [("核心竞争力", "K1", "产业规模", "60"), ("协同创新", "X1", "研发投入", "40")]
    assert admin.post(url, _formset(rows)).status_code == 302
    system = IndicatorSystem.objects.filter(call=sel_call).order_by("-version").first()
    assert (system.version, system.is_default, system.name) == (2, False, "广东省细化指标体系")
    assert [(each.code, each.max_points) for each in system.indicators.order_by("order")] == [
        ("K1", Decimal(60)),
        ("X1", Decimal(40)),
    ]
    event = AuditEvent.objects.get(action="indicator_system.new_version")
    assert event.before["version"] == 1
    assert event.after["version"] == 2
    csv_rows = list(csv.reader(io.StringIO(admin.get(url, {"format": "csv"}).content.decode("utf-8-sig"))))
    assert [row[2] for row in csv_rows[1:]] == ["K1", "X1"]


def test_no_new_version_once_an_expert_has_scored(
    client: Client,
    web_users: dict[str, User],
    sel_call: YearlyCall,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
    sel_score: Callable[..., Assignment],
) -> None:
    sel_score(sel_assign(sel_screened(), sel_experts["gz"]), submit=False)  # a draft is a score too
    admin = _admin(client, web_users)
    url = reverse("selection:indicators", args=[sel_call.pk])
    page = admin.get(url).content.decode()
    assert "本年度已有专家评分，指标体系不能再修改" in page
    assert admin.get(url, {"edit": "1"}).status_code == 403
    rows = [("核心竞争力", "K1", "产业规模", "100")]
    refused = admin.post(url, _formset(rows))
    assert refused.status_code == 403
    assert "已有专家评分" in refused.content.decode()
    assert IndicatorSystem.objects.filter(call=sel_call).count() == 1


def test_only_the_owner_sees_the_indicator_system(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall
) -> None:
    for key in ("city_officer", "expert"):
        client.force_login(web_users[key])
        assert client.get(reverse("selection:indicators", args=[sel_call.pk])).status_code == 403
    assert not IndicatorSystem.objects.exists()


def test_an_edit_posted_before_any_version_is_saved_as_version_1(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall
) -> None:
    admin = _admin(client, web_users)
    url = reverse("selection:indicators", args=[sel_call.pk])
    assert admin.get(url, {"edit": "1"}).status_code == 200
    assert not IndicatorSystem.objects.filter(call=sel_call).exists()
    rows = [("核心竞争力", "K1", "产业规模", "60"), ("协同创新", "X1", "研发投入", "40")]
    assert admin.post(url, _formset(rows)).status_code == 302
    system = IndicatorSystem.objects.get(call=sel_call)
    assert (system.version, system.is_default) == (1, False)
