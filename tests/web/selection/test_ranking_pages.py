"""Ranking and the frozen shortlist: the page's numbers are the analytics module's, the quota line and the
tie-break are shown, confirming needs every score in, stores the ranked list with its SHA-256 hash and
moves each application in one transaction, and then freezes the call; the shortlist page verifies the
hash and shows when a stored score was changed afterwards."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from smecluster.analytics.scoring import content_hash, rank, verify_content
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notifications.models import Notification
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.selection import pages, selectors, services
from smecluster.apps.selection.models import Assignment, Score, Shortlist

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_call(
    sel_call: YearlyCall,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
    sel_score: Callable[..., Assignment],
) -> dict[str, Application]:
    """Three screened applications, each scored by 广州 and 深圳 experts: A high, B middle, C low."""
    shares = {"A": ("0.9", "0.8"), "B": ("0.7", "0.75"), "C": ("0.5", "0.6")}
    apps = {}
    for key, (first, second) in shares.items():
        application = sel_screened(name=f"佛山市测试{key}集群")
        sel_score(sel_assign(application, sel_experts["gz"]), first)
        sel_score(sel_assign(application, sel_experts["sz"]), second)
        apps[key] = application
    return apps


def _admin(client: Client, web_users: dict[str, User]) -> Client:
    client.force_login(web_users["province_admin"])
    return client


def test_the_ranking_page_shows_the_analytics_modules_numbers(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall, scored_call: dict[str, Application]
) -> None:
    inputs = selectors.ranking_inputs(sel_call)
    expected = rank(
        inputs.candidates,
        selectors.indicator_specs(inputs.system),
        sel_call.aggregation,
        sel_call.recognition_quota,
    )
    page = _admin(client, web_users).get(reverse("selection:ranking", args=[sel_call.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    view = page.context["view"]
    assert [row.application.number for row in view.rows] == [e.scored.number for e in expected.entries]
    assert [row.entry.scored.aggregate.value for row in view.rows] == [
        e.scored.aggregate.value for e in expected.entries
    ]
    assert [row.application.pk for row in view.rows] == [scored_call[key].pk for key in "ABC"]
    for entry in expected.entries:
        assert str(entry.scored.aggregate.value) in text
        for total in entry.scored.totals:  # every expert's total, not only the average
            assert str(total) in text
    assert "拟认定名额线：前 2 名" in text
    assert "汇总得分高者在前" in text
    assert "按申报编号升序" in text
    assert "2 位专家的算术平均" in text


def test_the_ranking_csv_has_the_pages_rows(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall, scored_call: dict[str, Application]
) -> None:
    response = _admin(client, web_users).get(
        reverse("selection:ranking", args=[sel_call.pk]), {"format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["排名", "申报编号", "集群名称"]
    assert [row[1] for row in rows[1:]] == [scored_call[key].number for key in "ABC"]
    assert [row[-1] for row in rows[1:]] == ["是", "是", "否"]


def test_confirm_is_refused_while_an_assignment_is_unsubmitted(
    web_users: dict[str, User],
    sel_call: YearlyCall,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
    sel_score: Callable[..., Assignment],
) -> None:
    application = sel_screened()
    sel_score(sel_assign(application, sel_experts["gz"]))
    pending = sel_assign(application, sel_experts["sz"])
    sel_score(pending, submit=False)  # a draft does not count
    with pytest.raises(ValidationError) as refused:
        services.shortlist_confirm(actor=web_users["province_admin"], call=sel_call)
    assert any("未提交评分" in message for message in refused.value.messages)
    assert not Shortlist.objects.exists()
    application.refresh_from_db()
    assert application.status == Status.SCREENED


def test_a_released_assignment_does_not_hold_up_the_confirmation(
    web_users: dict[str, User],
    sel_call: YearlyCall,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
    sel_score: Callable[..., Assignment],
) -> None:
    application = sel_screened()
    sel_score(sel_assign(application, sel_experts["gz"]))
    released = sel_assign(application, sel_experts["sz"])
    services.assignment_declare(actor=sel_experts["sz"], assignment=released, conflict=True, note="曾任顾问")
    shortlist = services.shortlist_confirm(actor=web_users["province_admin"], call=sel_call)
    assert [entry["number"] for entry in shortlist.content["entries"]] == [application.number]
    assert len(shortlist.content["entries"][0]["experts"]) == 1


def test_confirming_freezes_the_list_with_a_hash_and_moves_every_application(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall, scored_call: dict[str, Application]
) -> None:
    admin = _admin(client, web_users)
    response = admin.post(reverse("selection:shortlist_confirm", args=[sel_call.pk]))
    assert response.status_code == 302
    shortlist = Shortlist.objects.get(call=sel_call)
    assert verify_content(shortlist.content, shortlist.content_hash)
    assert shortlist.content_hash == content_hash(shortlist.content)
    statuses = {key: Application.objects.get(pk=app.pk).status for key, app in scored_call.items()}
    assert statuses == {"A": Status.SHORTLISTED, "B": Status.SHORTLISTED, "C": Status.NOT_SHORTLISTED}
    reason = AuditEvent.objects.get(
        action="application.not_shortlist", target_id=str(scored_call["C"].pk)
    ).reason
    assert "排名第 3 名（共 3 件），超出拟认定名额 2 名" in reason
    confirm_event = AuditEvent.objects.get(action="shortlist.confirm")
    assert confirm_event.after["content_hash"] == shortlist.content_hash
    assert Notification.objects.filter(text__contains="已列入拟认定名单").count() >= 2

    page = admin.get(reverse("selection:shortlist", args=[sel_call.pk]))
    text = page.content.decode()
    assert shortlist.content_hash in text
    assert "冻结内容与哈希一致" in text
    assert "结果与冻结内容一致" in text
    download = admin.get(reverse("selection:shortlist", args=[sel_call.pk]), {"format": "json"})
    assert content_hash(json.loads(download.content)) == shortlist.content_hash


def test_after_confirmation_the_review_is_frozen(
    web_users: dict[str, User],
    sel_call: YearlyCall,
    sel_experts: dict[str, User],
    scored_call: dict[str, Application],
) -> None:
    admin = web_users["province_admin"]
    services.shortlist_confirm(actor=admin, call=sel_call)
    with pytest.raises(PermissionDenied, match="已确认"):
        services.shortlist_confirm(actor=admin, call=sel_call)
    with pytest.raises(PermissionDenied, match="冻结"):
        services.indicator_system_new_version(actor=admin, call=sel_call, name="x", note="", rows=[])
    with pytest.raises(PermissionDenied, match="冻结"):
        services.assignment_create(actor=admin, application=scored_call["A"], expert=sel_experts["zh"])
    assignment = Assignment.objects.filter(application=scored_call["A"]).first()
    with pytest.raises(PermissionDenied, match="冻结"):
        services.assignment_remove(actor=admin, assignment=assignment)
    with pytest.raises(PermissionDenied):
        services.scores_save(actor=assignment.expert, assignment=assignment, entries={}, submit=False)


def test_a_score_changed_after_confirmation_is_detected(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall, scored_call: dict[str, Application]
) -> None:
    shortlist = services.shortlist_confirm(actor=web_users["province_admin"], call=sel_call)
    stored_hash = shortlist.content_hash
    check = pages.shortlist_check(shortlist)
    assert check.content_verified
    assert check.records_match

    score = Score.objects.filter(assignment__application=scored_call["B"]).first()
    Score.objects.filter(pk=score.pk).update(
        points=score.points - Decimal("0.50")
    )  # tampered in the database
    check = pages.shortlist_check(shortlist)
    assert check.content_verified  # the frozen content itself is untouched
    assert not check.records_match
    assert check.recomputed_hash != stored_hash
    text = _admin(client, web_users).get(reverse("selection:shortlist", args=[sel_call.pk])).content.decode()
    assert "结果与冻结内容不一致" in text

    content = shortlist.content
    content["entries"][0]["experts"][0]["points"]["A1"] = "0.00"
    Shortlist.objects.filter(pk=shortlist.pk).update(content=content)
    shortlist.refresh_from_db()
    assert not pages.shortlist_check(shortlist).content_verified
    assert shortlist.content_hash == stored_hash
    text = client.get(reverse("selection:shortlist", args=[sel_call.pk])).content.decode()
    assert "冻结内容与哈希不一致" in text


def test_a_tie_at_the_quota_line_is_stated_on_the_page(
    client: Client,
    web_users: dict[str, User],
    sel_call: YearlyCall,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
    sel_score: Callable[..., Assignment],
) -> None:
    sel_call.recognition_quota = 1
    sel_call.experts_per_application = 1
    sel_call.save()
    first = sel_screened(name="佛山市甲集群")
    second = sel_screened(name="佛山市乙集群")
    sel_score(sel_assign(first, sel_experts["gz"]), "0.8")
    sel_score(sel_assign(second, sel_experts["gz"]), "0.8")
    view = pages.ranking_view(sel_call)
    assert view.ranking is not None
    # Same scores and spread: the earlier first submission (the first made) takes the one place.
    assert [row.application.pk for row in view.rows] == [first.pk, second.pk]
    assert view.ranking.quota_line_level == 4
    text = _admin(client, web_users).get(reverse("selection:ranking", args=[sel_call.pk])).content.decode()
    assert "名额线上下汇总得分相同" in text
    assert "按首次提交时间排定（第 4 级）" in text


def test_ranking_and_shortlist_are_the_owners_only(
    client: Client, web_users: dict[str, User], web_new_user: Callable[..., User], sel_call: YearlyCall
) -> None:
    for key in ("city_officer", "county_officer", "expert"):
        client.force_login(web_users[key])
        for name in (
            "selection:ranking",
            "selection:shortlist",
            "selection:screening",
            "selection:assignments",
        ):
            response = client.get(reverse(name, args=[sel_call.pk]))
            assert response.status_code == 403, (key, name)
            assert "省级管理员" in response.content.decode()
    client.force_login(web_new_user("sx-admin", "province_admin", "610000"))  # 陕西省
    assert client.get(reverse("selection:ranking", args=[sel_call.pk])).status_code == 404
    assert client.post(reverse("selection:shortlist_confirm", args=[sel_call.pk])).status_code == 404


def test_the_owner_sets_the_review_settings_until_the_list_is_frozen(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall, scored_call: dict[str, Application]
) -> None:
    admin = _admin(client, web_users)
    url = reverse("selection:settings", args=[sel_call.pk])
    form = {
        "experts_per_application": "5",
        "scoring_deadline": "",
        "aggregation": "trimmed_mean",
        "recognition_quota": "1",
    }
    assert admin.post(url, {**form, "experts_per_application": "0"}).status_code == 200
    assert admin.post(url, form).status_code == 302
    sel_call.refresh_from_db()
    assert (sel_call.experts_per_application, sel_call.aggregation, sel_call.recognition_quota) == (
        5,
        "trimmed_mean",
        1,
    )
    assert sel_call.scoring_deadline is None
    assert AuditEvent.objects.filter(action="call.selection_settings").count() == 1
    # With two experts each, the trimmed mean falls back to the mean and the page says so.
    assert (
        "仅 2 位专家（少于 5 位），不去掉最高分和最低分"
        in admin.get(reverse("selection:ranking", args=[sel_call.pk])).content.decode()
    )
    services.shortlist_confirm(actor=web_users["province_admin"], call=sel_call)
    assert admin.post(url, form).status_code == 403
    client.force_login(web_users["city_officer"])
    assert client.get(url).status_code == 403


def test_the_workbench_lists_the_owners_calls_with_their_progress(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall, scored_call: dict[str, Application]
) -> None:
    page = _admin(client, web_users).get(reverse("selection:calls"))
    (progress,) = page.context["progress"]
    assert progress.call == sel_call
    assert (progress.screened, progress.assignments, progress.submitted, progress.frozen) == (3, 6, 6, False)
    client.force_login(web_users["expert"])
    assert client.get(reverse("selection:calls")).status_code == 403
