"""Experts: the pool, declared relations, assignments with conflicts of interest excluded automatically
(their own city or county, a declared relation), the declaration before scoring (a declared conflict
releases the assignment and the application is gone for them), scoring with a comment per indicator,
independence until one's own submission, and the idempotent reminders."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from mail_server import SITE, running_mail_server

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.audit.services import audit_trail
from smecluster.apps.notifications.models import Notification
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.selection import selectors, services
from smecluster.apps.selection.models import Assignment, DeclaredRelation, ExpertProfile, Score
from smecluster.apps.selection.permissions import conflict_of
from smecluster.cli import main

pytestmark = pytest.mark.django_db


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# --- the pool -------------------------------------------------------------------------------------


def test_the_pool_lists_the_provinces_experts_and_exports_them(
    client: Client,
    web_users: dict[str, User],
    web_new_user: Callable[..., User],
    sel_experts: dict[str, User],
) -> None:
    outsider = web_new_user("expert-zj", Role.EXPERT, "330100")  # 杭州市: another province's pool
    admin = _login(client, web_users["province_admin"])
    page = admin.get(reverse("selection:experts"))
    assert page.status_code == 200
    listed = {row.expert.username for row in page.context["rows"]}
    assert {"expert-gz", "expert-shunde", "expert"} <= listed
    assert outsider.username not in listed
    rows = list(
        csv.reader(
            io.StringIO(
                admin.get(reverse("selection:experts"), {"format": "csv"}).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[0][0] == "用户名"
    assert {row[0] for row in rows[1:]} == listed
    assert admin.get(reverse("selection:expert_edit", args=[outsider.pk])).status_code == 404


def test_the_owner_keeps_an_experts_fields_and_status(
    client: Client, web_users: dict[str, User], sel_experts: dict[str, User]
) -> None:
    expert = web_users["expert"]  # no profile yet
    admin = _login(client, web_users["province_admin"])
    url = reverse("selection:expert_edit", args=[expert.pk])
    assert "请填写专业领域" in admin.post(url, {"expertise": " ", "organization": "x"}).content.decode()
    response = admin.post(
        url, {"expertise": "智能家电、工业设计", "organization": "广东工业大学", "active": "on"}
    )
    assert response.status_code == 302
    profile = ExpertProfile.objects.get(user=expert)
    assert (profile.fields, profile.organization, profile.active) == (
        "智能家电、工业设计",
        "广东工业大学",
        True,
    )
    admin.post(url, {"expertise": "智能家电", "organization": "广东工业大学"})
    profile.refresh_from_db()
    assert profile.active is False
    assert AuditEvent.objects.filter(action="expert.profile").count() == 2
    for key in ("city_officer", "expert"):
        client.force_login(web_users[key])
        assert client.get(reverse("selection:experts")).status_code == 403
        assert client.post(url, {"expertise": "x"}).status_code == 403


# --- relations and conflicts ----------------------------------------------------------------------


def test_an_expert_declares_a_relation_to_a_county(
    client: Client, sel_experts: dict[str, User], web_users: dict[str, User]
) -> None:
    expert = sel_experts["gz"]
    page = _login(client, expert)
    url = reverse("selection:relations")
    assert "请填写县级行政区划代码" in page.post(url, {"county": "440600", "note": "顾问"}).content.decode()
    assert "请说明利益关系" in page.post(url, {"county": "440606", "note": ""}).content.decode()
    assert page.post(url, {"county": "440606", "note": "近亲属在顺德区经促局任职"}).status_code == 302
    relation = DeclaredRelation.objects.get(expert=expert)
    assert relation.county_id == "440606"
    assert "已申明" in page.post(url, {"county": "440606", "note": "again"}).content.decode()
    assert "佛山市顺德区" in page.get(url).content.decode()
    client.force_login(web_users["province_admin"])
    assert client.get(url).status_code == 403


def test_conflicted_experts_are_not_offered_and_cannot_be_assigned(
    client: Client,
    web_users: dict[str, User],
    sel_call: YearlyCall,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
) -> None:
    services.relation_declare(actor=sel_experts["sz"], county_code="440606", note="曾在该县集群企业任职")
    application = sel_screened()  # 顺德区, 佛山市
    admin = web_users["province_admin"]
    offered = {each.expert.username for each in selectors.eligible_experts(admin, application)}
    assert offered == {"expert-gz", "expert-zh"}
    page = _login(client, admin).get(reverse("selection:assignments", args=[sel_call.pk])).content.decode()
    assert "专家gz（" in page
    assert "专家zh（" in page
    for key in ("foshan", "shunde", "nanhai", "sz"):
        assert f"专家{key}（" not in page, key
    reasons = {
        "foshan": "即申报集群所在市",
        "shunde": "即申报集群所在县",
        "nanhai": "与申报集群同属一个市",
        "sz": "申明与广东省佛山市顺德区存在利益关系",
    }
    for key, reason in reasons.items():
        with pytest.raises(ValidationError) as refused:
            services.assignment_create(actor=admin, application=application, expert=sel_experts[key])
        assert reason in str(refused.value), key
        response = client.post(
            reverse("selection:assign", args=[application.pk]),
            {f"a{application.pk}-expert": sel_experts[key].pk},
        )
        assert response.status_code == 302
    assert not Assignment.objects.exists()
    # The conflicted expert cannot open the application by its URL either.
    for key in ("shunde", "sz"):
        client.force_login(sel_experts[key])
        assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 404


def test_a_cluster_of_a_city_without_counties_conflicts_only_with_that_citys_experts(
    web_new_user: Callable[..., User],
) -> None:
    """东莞 has no counties: its cluster is declared by the city, whose parent is the province. Found by the
    province-scale seed (benchmarks/province_seed.py): experts of 广东省 itself and of every other city
    (广州市, its district 天河区) were refused as "同属一个市", leaving two experts for every 东莞 cluster."""
    application = Application(county_id="441900", other_counties=[])
    for home in ("440000", "440100", "440106", "442000"):
        expert = web_new_user(f"expert-{home}", Role.EXPERT, home)
        assert conflict_of(expert, application, declared=False) == "", home
    own = web_new_user("expert-441900", Role.EXPERT, "441900")
    assert "即申报集群所在县" in conflict_of(own, application, declared=False)


def test_assigning_by_hand_notifies_the_expert_who_then_reads_the_application(
    client: Client,
    web_users: dict[str, User],
    sel_call: YearlyCall,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
) -> None:
    application = sel_screened()
    expert = sel_experts["gz"]
    admin = _login(client, web_users["province_admin"])
    response = admin.post(
        reverse("selection:assign", args=[application.pk]), {f"a{application.pk}-expert": expert.pk}
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(application=application, expert=expert)
    assert assignment.due_on == sel_call.scoring_deadline
    assert Notification.objects.filter(recipient=expert, text__contains=application.number).exists()
    # Events about reviewers are on the assignment: the application's history, which the county reads,
    # does not name them.
    assert not audit_trail(application).filter(action__startswith="assignment.").exists()
    assert AuditEvent.objects.filter(action="assignment.create", target_id=str(assignment.pk)).exists()

    client.force_login(expert)
    detail = client.get(reverse("applications:detail", args=[application.pk]))
    assert detail.status_code == 200
    assert application.name in detail.content.decode()
    assert detail.context["can_edit"] is False
    assert detail.context["actions"] == []
    assert client.get(reverse("applications:edit", args=[application.pk, "basics"])).status_code == 403


def test_assign_suggested_fills_every_application_by_field_and_load(
    client: Client,
    web_users: dict[str, User],
    sel_call: YearlyCall,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
) -> None:
    first, second = sel_screened(), sel_screened(county="440605")
    due = timezone.localdate() + timedelta(days=5)
    admin = _login(client, web_users["province_admin"])
    response = admin.post(
        reverse("selection:assign_suggested", args=[sel_call.pk]), {"due_on": due.isoformat()}
    )
    assert response.status_code == 302
    for application in (first, second):
        assigned = set(
            Assignment.objects.filter(application=application).values_list("expert__username", flat=True)
        )
        # 广州 and 深圳 match 智能家电 (家电); 珠海 (装备制造) does not; 佛山's experts conflict.
        assert assigned == {"expert-gz", "expert-sz"}
    assert set(Assignment.objects.values_list("due_on", flat=True)) == {due}
    admin.post(reverse("selection:assign_suggested", args=[sel_call.pk]))
    assert Assignment.objects.count() == 4  # already full: nothing more
    rows = list(
        csv.reader(
            io.StringIO(
                admin.get(
                    reverse("selection:assignments", args=[sel_call.pk]), {"format": "csv"}
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert len(rows) == 5
    assert rows[0][0] == "申报编号"


def test_an_unsubmitted_assignment_can_be_withdrawn(
    client: Client,
    web_users: dict[str, User],
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
    sel_score: Callable[..., Assignment],
) -> None:
    application = sel_screened()
    open_one = sel_assign(application, sel_experts["gz"])
    done = sel_score(sel_assign(application, sel_experts["sz"]))
    admin = _login(client, web_users["province_admin"])
    assert admin.post(reverse("selection:unassign", args=[open_one.pk])).status_code == 302
    assert not Assignment.objects.filter(pk=open_one.pk).exists()
    admin.post(reverse("selection:unassign", args=[done.pk]))
    assert Assignment.objects.filter(pk=done.pk).exists()
    client.force_login(sel_experts["gz"])
    assert client.post(reverse("selection:unassign", args=[done.pk])).status_code == 403


# --- declaration and scoring ----------------------------------------------------------------------


def test_a_declared_conflict_releases_the_assignment_and_closes_the_application(
    client: Client,
    web_users: dict[str, User],
    sel_call: YearlyCall,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
) -> None:
    application = sel_screened()
    expert = sel_experts["gz"]
    assignment = sel_assign(application, expert)
    page = _login(client, expert)
    url = reverse("selection:score", args=[assignment.pk])
    assert page.get(reverse("applications:detail", args=[application.pk])).status_code == 200
    assert "利益冲突声明" in page.get(url).content.decode()
    assert "请说明存在的利益冲突" in page.post(url, {"conflict": "yes", "note": ""}).content.decode()
    assert page.post(url, {"conflict": "yes", "note": "本人持有集群内企业股份"}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.conflict_declared
    assert assignment.conflict_note == "本人持有集群内企业股份"
    assert page.get(reverse("applications:detail", args=[application.pk])).status_code == 404
    assert "分配已解除" in page.get(url).content.decode()
    assert page.post(url, {"save": "1"}).status_code == 403
    assert Notification.objects.filter(
        recipient=web_users["province_admin"], text__contains="存在利益冲突"
    ).exists()
    # Never offered again for this application.
    offered = {
        each.expert.pk for each in selectors.eligible_experts(web_users["province_admin"], application)
    }
    assert expert.pk not in offered
    with pytest.raises(ValidationError):
        services.assignment_create(actor=web_users["province_admin"], application=application, expert=expert)


def test_declaring_a_relation_releases_open_assignments_in_that_county(
    web_users: dict[str, User],
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
) -> None:
    shunde, nanhai = sel_screened(), sel_screened(county="440605")
    expert = sel_experts["gz"]
    in_shunde, in_nanhai = sel_assign(shunde, expert), sel_assign(nanhai, expert)
    services.relation_declare(actor=expert, county_code="440606", note="近亲属在该县集群企业任职")
    in_shunde.refresh_from_db()
    in_nanhai.refresh_from_db()
    assert in_shunde.conflict_declared
    assert not in_nanhai.conflict_declared


def test_scoring_needs_the_declaration_then_every_indicator_and_a_comment(
    client: Client,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
) -> None:
    application = sel_screened()
    expert = sel_experts["gz"]
    assignment = sel_assign(application, expert)
    page = _login(client, expert)
    url = reverse("selection:score", args=[assignment.pk])
    assert page.post(url, {"save": "1"}).status_code == 200  # the declaration form, not a score
    assert not Score.objects.exists()
    page.post(url, {"conflict": "no"})
    assignment.refresh_from_db()
    assert assignment.no_conflict_declared_at is not None
    indicators = list(application.call.indicator_systems.get().indicators.order_by("order"))
    first, second = indicators[0], indicators[1]
    draft = {f"points_{first.pk}": "3.5", f"comment_{first.pk}": "制度健全", "save": "1"}
    assert page.post(url, draft).status_code == 302
    assert Score.objects.get(assignment=assignment).points == Decimal("3.50")
    too_high = {f"points_{second.pk}": str(second.max_points + 1), "save": "1"}
    assert "得分不能超过满分" in page.post(url, too_high).content.decode()
    incomplete = page.post(url, {**draft, "submit": "1"})
    assert "请填写得分" in incomplete.content.decode()
    assert "请填写评语" in incomplete.content.decode()
    assignment.refresh_from_db()
    assert assignment.submitted_at is None
    full = {"submit": "1"}
    for indicator in indicators:
        full[f"points_{indicator.pk}"] = str(indicator.max_points - 1)
        full[f"comment_{indicator.pk}"] = f"{indicator.name}：基本符合"
    assert page.post(url, full).status_code == 302
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None
    assert Score.objects.filter(assignment=assignment).count() == len(indicators)
    assert AuditEvent.objects.filter(action="assignment.submit", target_id=str(assignment.pk)).exists()
    # Read-only from now on.
    page_text = page.get(url).content.decode()
    assert 'name="submit"' not in page_text
    assert page.post(url, {**full, "save": "1"}).status_code == 403


def test_an_expert_cannot_see_another_experts_scores_before_submitting(
    client: Client,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
    sel_score: Callable[..., Assignment],
) -> None:
    application = sel_screened()
    a = sel_assign(application, sel_experts["gz"])
    b = sel_assign(application, sel_experts["sz"])
    system = application.call.indicator_systems.get()
    secret = {
        indicator.pk: services.ScoreEntry(indicator.max_points, f"专家乙的独立意见{indicator.code}")
        for indicator in system.indicators.all()
    }
    sel_score(b, entries=secret)
    services.assignment_declare(actor=sel_experts["gz"], assignment=a, conflict=False)
    page = _login(client, sel_experts["gz"])
    before = page.get(reverse("selection:score", args=[a.pk])).content.decode()
    assert "专家乙的独立意见" not in before
    assert "其他专家" not in before
    # Another expert's assignment does not exist for A, nor does B's sheet through the owner's page.
    assert page.get(reverse("selection:score", args=[b.pk])).status_code == 404
    assert page.get(reverse("selection:application_scores", args=[application.pk])).status_code == 403
    sel_score(a.__class__.objects.get(pk=a.pk), "0.6")
    after = page.get(reverse("selection:score", args=[a.pk])).content.decode()
    assert "专家乙的独立意见A1" in after
    assert "其他专家 1" in after


def test_the_owner_sees_every_experts_sheet_with_comments(
    client: Client,
    web_users: dict[str, User],
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
    sel_score: Callable[..., Assignment],
) -> None:
    application = sel_screened()
    sel_score(sel_assign(application, sel_experts["gz"]), "0.9")
    sel_score(sel_assign(application, sel_experts["sz"]), "0.5", submit=False)
    text = (
        _login(client, web_users["province_admin"])
        .get(reverse("selection:application_scores", args=[application.pk]))
        .content.decode()
    )
    assert "A1 评语" in text
    assert "已提交评分" in text
    assert "评分中" in text


def test_my_reviews_lists_the_experts_assignments_with_due_dates(
    client: Client,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
) -> None:
    assignment = sel_assign(sel_screened(), sel_experts["gz"])
    page = _login(client, sel_experts["gz"])
    text = page.get(reverse("selection:my_reviews")).content.decode()
    assert assignment.application.number in text
    assert f"{assignment.due_on:%Y-%m-%d}" in text
    rows = list(
        csv.reader(
            io.StringIO(
                page.get(reverse("selection:my_reviews"), {"format": "csv"}).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[1][0] == assignment.application.number
    assert _login(client, sel_experts["sz"]).get(reverse("selection:my_reviews")).context["rows"] == []


# --- reminders ------------------------------------------------------------------------------------


def test_remind_experts_is_idempotent_on_a_second_run(
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
    sel_score: Callable[..., Assignment],
) -> None:
    application = sel_screened()
    soon = sel_assign(application, sel_experts["gz"])
    done = sel_score(sel_assign(application, sel_experts["sz"]))
    later = sel_assign(sel_screened(county="440605"), sel_experts["zh"])
    today = timezone.localdate()
    Assignment.objects.filter(pk=soon.pk).update(due_on=today + timedelta(days=2))
    Assignment.objects.filter(pk=done.pk).update(due_on=today)
    Assignment.objects.filter(pk=later.pk).update(due_on=today + timedelta(days=9))
    runner = CliRunner()
    first = runner.invoke(main, ["remind-experts", "--json"])
    assert first.exit_code == 0, first.output
    sent = json.loads(first.output)["reminders"]
    assert [(each["assignment"], each["days_left"], each["overdue"]) for each in sent] == [
        (soon.pk, 2, False)
    ]
    assert Notification.objects.filter(recipient=sel_experts["gz"], text__contains="还剩 2 天").count() == 1
    second = runner.invoke(main, ["remind-experts"])
    assert second.exit_code == 0
    assert "0 reminder(s) sent" in second.output
    assert Notification.objects.filter(recipient=sel_experts["gz"], text__contains="还剩").count() == 1
    # A week later the other assignment is overdue too; each is reminded once that day.
    as_of = (today + timedelta(days=12)).isoformat()
    third = runner.invoke(main, ["remind-experts", "--as-of", as_of])
    assert third.exit_code == 0
    assert "overdue by 10 day(s)" in third.output
    assert "overdue by 3 day(s)" in third.output
    assert "2 reminder(s) sent" in third.output
    again = runner.invoke(main, ["remind-experts", "--as-of", as_of])
    assert "0 reminder(s) sent" in again.output
    assert AuditEvent.objects.filter(action="assignment.remind").count() == 3


# --- the pool's search and sort (issue 15, finding 6) --------------------------------------------------


def _pool_usernames(client: Client, query: dict[str, str], fmt: str = "csv") -> list[str]:
    response = client.get(reverse("selection:experts"), {**query, "format": fmt})
    assert response.status_code == 200
    return [row[0] for row in list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]]


def test_the_pool_searches_sorts_and_downloads_what_it_lists(
    client: Client,
    web_users: dict[str, User],
    web_new_user: Callable[..., User],
    sel_experts: dict[str, User],
) -> None:
    """q narrows by name, place (name or code), organization or field; each column sorts both ways; an
    unknown key is ignored; another province's expert is never found."""
    web_new_user("expert-zj", Role.EXPERT, "330100")  # 杭州市: another province's pool
    admin = _login(client, web_users["province_admin"])
    everyone = _pool_usernames(admin, {})
    assert everyone == sorted(everyone)  # the pool's own order: by user name
    assert _pool_usernames(admin, {"q": "深圳大学"}) == ["expert-sz"]
    assert _pool_usernames(admin, {"q": "440605"}) == ["expert-nanhai"]
    assert _pool_usernames(admin, {"q": "佛山市 智能家电"}) == [
        "expert-foshan",
        "expert-nanhai",
        "expert-shunde",
    ]
    assert _pool_usernames(admin, {"q": "装备制造"}) == ["expert-zh"]
    assert _pool_usernames(admin, {"q": "杭州"}) == []
    assert _pool_usernames(admin, {"q": "expert-zj"}) == []
    for key in ("name", "place", "organization", "fields", "state", "assignments", "relations"):
        for direction in ("asc", "desc"):
            assert sorted(_pool_usernames(admin, {"sort": key, "dir": direction})) == sorted(everyone), key
    by_place = _pool_usernames(admin, {"sort": "place"})
    assert by_place.index("expert-gz") < by_place.index("expert-sz") < by_place.index("expert-nanhai")
    assert _pool_usernames(admin, {"sort": "place", "dir": "desc"}).index("expert-nanhai") < (
        _pool_usernames(admin, {"sort": "place", "dir": "desc"}).index("expert-gz")
    )
    assert _pool_usernames(admin, {"sort": "password"}) == everyone
    page = admin.get(
        reverse("selection:experts"), {"q": "深圳", "sort": "name", "dir": "desc"}
    ).content.decode()
    assert 'aria-sort="descending"' in page
    assert "format=xlsx" in page
    assert "q=%E6%B7%B1%E5%9C%B3&amp;sort=name&amp;dir=desc&amp;format=csv" in page


def test_the_assignment_page_searches_and_its_downloads_hold_what_it_lists(
    client: Client,
    web_users: dict[str, User],
    sel_call: YearlyCall,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
) -> None:
    """q narrows the applications by number, name or place; the CSV holds only their assignments."""
    shunde, nanhai = sel_screened(), sel_screened(county="440605")
    admin = _login(client, web_users["province_admin"])
    admin.post(reverse("selection:assign_suggested", args=[sel_call.pk]))
    url = reverse("selection:assignments", args=[sel_call.pk])
    page = admin.get(url, {"q": "南海区"})
    assert [item["row"].application.pk for item in page.context["items"]] == [nanhai.pk]
    assert f'id="application-{shunde.pk}"' not in page.content.decode()
    assert "q=%E5%8D%97%E6%B5%B7%E5%8C%BA&amp;format=csv" in page.content.decode()
    rows = list(
        csv.reader(io.StringIO(admin.get(url, {"q": "440605", "format": "csv"}).content.decode("utf-8-sig")))
    )
    assert {row[0] for row in rows[1:]} == {nanhai.number}
    assert len(rows) == 3  # its two experts
    assert admin.get(url, {"q": "没有这件申报"}).context["items"] == []


def test_the_expert_reminder_arrives_by_mail_with_an_absolute_link_to_the_scoring_page(
    settings: Any,
    sel_experts: dict[str, User],
    sel_screened: Callable[..., Application],
    sel_assign: Callable[..., Assignment],
    django_capture_on_commit_callbacks: Any,
    mail_worker_at_commit: None,
) -> None:
    """Issue 16 ("Mail that arrives": cli remind-experts): the reminder reaches a real SMTP server, addressed
    to the expert alone, with the scoring page as an absolute link (SMECLUSTER_SITE_URL)."""
    assignment = sel_assign(sel_screened(), sel_experts["gz"])
    Assignment.objects.filter(pk=assignment.pk).update(due_on=timezone.localdate() + timedelta(days=1))
    with running_mail_server(settings) as server, django_capture_on_commit_callbacks(execute=True):
        result = CliRunner().invoke(main, ["remind-experts"])
        assert result.exit_code == 0, result.output
    reminders = [
        item for item in server.received if assignment.application.number in str(item.message["Subject"])
    ]
    assert [item.recipients for item in reminders] == [[sel_experts["gz"].email]]
    body = reminders[0].message.get_content()
    assert f"{SITE}{reverse('selection:score', args=[assignment.pk])}" in body
