"""Publishing the public notice (公示): the owner publishes the frozen shortlist; the end date is computed in
working days by the holiday calendar, with the start date counting as day 1 when it is a working day."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pub_support import PubWorld, pub_build_world, pub_client, pub_publish

from clock import Clock
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.audit import actions
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notices.models import Notice
from smecluster.apps.notices.services import next_working_day, notice_close, notice_end, notice_length
from smecluster.apps.notices.workflow import NOTICE
from smecluster.apps.notifications.models import Notification
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.selection.models import Shortlist
from smecluster.apps.selection.workflow import SHORTLIST
from smecluster.apps.workflow.engine import take

pytestmark = pytest.mark.django_db

CONTACT = "省工业和信息化厅中小企业处 020-83133000"


def _post(world: PubWorld, user: User, starts_on: str, **extra: str) -> Any:
    return pub_client(user).post(
        reverse("notices:publish", args=[world.call.pk]),
        {"title": "拟认定名单公示", "starts_on": starts_on, "contact": CONTACT, **extra},
    )


def test_the_national_notice_of_2023_09_28_runs_five_working_days_to_2023_10_10(
    pub_national_world: PubWorld, clock: Clock
) -> None:
    """The ministry's real notice: 2023-09-28 (day 1), the 中秋/国庆 holiday, the make-up Saturday and
    Sunday 10-07 and 10-08, then 10-09 and 10-10."""
    clock.beijing(date(2023, 9, 27))
    response = _post(pub_national_world, pub_national_world.owner, "2023-09-28")
    notice = Notice.objects.get(shortlist=pub_national_world.shortlist)
    assert response.status_code == 302
    assert response["Location"] == reverse("notices:manage", args=[notice.pk])
    assert (notice.starts_on, notice.working_days, notice.ends_on) == (
        date(2023, 9, 28),
        5,
        date(2023, 10, 10),
    )


def test_the_guangdong_notice_counts_the_seven_working_days_of_its_rule_set(
    pub_world: PubWorld, clock: Clock
) -> None:
    notice = pub_publish(pub_world, clock, date(2023, 9, 28))
    assert (notice.working_days, notice.ends_on) == (7, date(2023, 10, 12))
    # A start on a day off: day 1 is the next working day, the make-up Saturday 2023-10-07.
    assert notice_end(date(2023, 10, 1), 7) == date(2023, 10, 13)


def test_the_page_shows_the_hash_the_length_and_a_default_start_on_the_next_working_day(
    pub_world: PubWorld, clock: Clock
) -> None:
    clock.beijing(date(2023, 9, 27))  # a Wednesday before the National Day holiday
    page = pub_client(pub_world.owner).get(reverse("notices:publish", args=[pub_world.call.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert pub_world.shortlist.content_hash in text
    assert "名单内容与此哈希一致" in text
    assert "7 个工作日" in text
    assert 'value="2023-09-28"' in text
    assert "2023-10-12" in text  # the end the default start gives
    for application in pub_world.shortlisted:
        assert application.name in text
    # After the holiday's eve: the next working day is the make-up Saturday 2023-10-07.
    assert next_working_day(date(2023, 9, 28)) == date(2023, 10, 7)


def test_the_period_preview_answers_htmx_with_the_end_date(pub_world: PubWorld, clock: Clock) -> None:
    clock.beijing(date(2023, 9, 20))
    response = pub_client(pub_world.owner).get(
        reverse("notices:publish", args=[pub_world.call.pk]),
        {"preview": "1", "starts_on": "2023-09-28"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "2023-10-12" in response.content.decode()


def test_a_year_without_holiday_data_is_named_in_the_form_with_how_to_load_it(
    pub_world: PubWorld, clock: Clock
) -> None:
    clock.beijing(date(2099, 2, 20))
    response = _post(pub_world, pub_world.owner, "2099-03-02")
    text = response.content.decode()
    assert response.status_code == 200
    assert "缺少 2099 年的节假日安排" in text
    assert "smecluster calendar load FILE" in text
    assert not Notice.objects.exists()


def test_without_a_length_in_the_rule_set_the_call_gives_it_else_the_form_says_so(
    web_divisions: None, web_new_user: Callable[..., User], clock: Clock
) -> None:
    """Shaanxi's measure leaves the length to the yearly call (公示期天数由当年认定工作通知确定)."""
    programme = Programme.objects.create(
        name="陕西省中小企业特色产业集群认定",
        owner_id="610000",
        owner_level="province",
        rule_set_id="shaanxi-2023",
        review_chain=["county", "city", "province"],
    )
    today = timezone.localdate()
    call = YearlyCall.objects.create(
        programme=programme,
        year=today.year,
        opens_on=today - timedelta(days=5),
        closes_on=today + timedelta(days=5),
        city_deadline=today + timedelta(days=10),
    )
    with pytest.raises(ValidationError, match="未规定公示期天数") as refused:
        notice_length(call)
    assert "公示期（工作日）" in str(refused.value)

    admin = web_new_user("shaanxi-admin", Role.PROVINCE_ADMIN, "610000")
    web_new_user("beilin-county", Role.COUNTY_OFFICER, "610103")
    world = pub_build_world(call=call, owner=admin, county="610103", not_shortlisted=0)
    clock.beijing(date(2023, 9, 27))
    page = _post(world, admin, "2023-09-28")
    assert page.status_code == 200
    assert "未规定公示期天数" in page.content.decode()

    call.notice_working_days = 5
    call.save()
    assert _post(world, admin, "2023-09-28").status_code == 302
    assert Notice.objects.get(shortlist=world.shortlist).ends_on == date(2023, 10, 10)


def test_the_start_cannot_lie_in_the_past_and_the_fields_are_required(
    pub_world: PubWorld, clock: Clock
) -> None:
    clock.beijing(date(2023, 10, 9))
    text = _post(pub_world, pub_world.owner, "2023-09-28").content.decode()
    assert "公示开始日期不能早于今天（北京时间 2023-10-09）" in text
    empty = pub_client(pub_world.owner).post(reverse("notices:publish", args=[pub_world.call.pk]), {})
    text = empty.content.decode()
    for message in ("请填写标题", "请填写公示开始日期", "请填写受理异议的联系方式"):
        assert message in text
    assert not Notice.objects.exists()


def test_publishing_is_recorded_notifies_the_counties_and_happens_once(
    pub_world: PubWorld, clock: Clock
) -> None:
    notice = pub_publish(pub_world, clock, date(2023, 9, 28))
    event = AuditEvent.objects.get(action="notice.publish", target_id=str(notice.pk))
    assert event.actor == pub_world.owner
    assert event.after["ends_on"] == "2023-10-12"
    assert event.after["shortlist_hash"] == pub_world.shortlist.content_hash
    county = User.objects.get(username="county-officer")
    assert Notification.objects.filter(recipient=county, text__contains="已列入拟认定名单").count() == 2

    again = pub_client(pub_world.owner).get(reverse("notices:publish", args=[pub_world.call.pk]))
    assert again.status_code == 403
    assert "已于 2023-09-28 发布公示" in again.content.decode()


def test_no_notice_without_a_frozen_shortlist(web_users: dict[str, User], web_call: YearlyCall) -> None:
    response = pub_client(web_users["province_admin"]).get(reverse("notices:publish", args=[web_call.pk]))
    assert response.status_code == 403
    assert "尚未确认拟认定名单" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("city_officer", 403),
        ("county_officer", 403),
        ("expert", 403),
        ("anonymous", 302),
    ],
)
def test_only_the_owner_publishes(
    pub_world: PubWorld, web_users: dict[str, User], who: str, expected: int
) -> None:
    client = pub_client(None if who == "anonymous" else web_users[who])
    response = client.get(reverse("notices:publish", args=[pub_world.call.pk]))
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert "省级管理员" in response.content.decode()


def test_the_national_notice_is_the_ministrys_a_province_admin_cannot_publish_it(
    pub_national_world: PubWorld, pub_world: PubWorld, web_users: dict[str, User], pub_ministry: User
) -> None:
    refused = pub_client(web_users["province_admin"]).get(
        reverse("notices:publish", args=[pub_national_world.call.pk])
    )
    assert refused.status_code == 403
    assert "工业和信息化部" in refused.content.decode()
    # The ministry has no say over a provincial programme: the call is not in its reach at all.
    assert (
        pub_client(pub_ministry).get(reverse("notices:publish", args=[pub_world.call.pk])).status_code == 404
    )


def test_a_province_admin_of_another_province_does_not_see_the_call(
    pub_world: PubWorld, web_new_user: Callable[..., User]
) -> None:
    other = web_new_user("hunan-admin", Role.PROVINCE_ADMIN, "430000")
    assert pub_client(other).get(reverse("notices:publish", args=[pub_world.call.pk])).status_code == 404


def test_the_owner_list_offers_the_calls_to_publish_and_the_notices(
    pub_world: PubWorld, clock: Clock, web_users: dict[str, User]
) -> None:
    owner = pub_client(pub_world.owner)
    listing = owner.get(reverse("notices:list")).content.decode()
    assert reverse("notices:publish", args=[pub_world.call.pk]) in listing
    notice = pub_publish(pub_world, clock, date(2023, 9, 28))
    listing = owner.get(reverse("notices:list")).content.decode()
    assert reverse("notices:manage", args=[notice.pk]) in listing
    assert pub_client(web_users["city_officer"]).get(reverse("notices:list")).status_code == 403


def test_publishing_publishes_the_shortlist_and_the_decision_closes_both(
    pub_world: PubWorld, clock: Clock, web_users: dict[str, User]
) -> None:
    """The shortlist goes confirmed → published with its notice; at recognition the shortlist is decided
    and the notice closed (both the owner's steps, each on record); nobody else may take them."""
    shortlist = pub_world.call.shortlist
    assert shortlist.status == Shortlist.Status.CONFIRMED
    notice = pub_publish(pub_world, clock, date(2023, 9, 28))
    shortlist.refresh_from_db()
    assert (notice.status, shortlist.status) == (Notice.Status.PUBLISHED, Shortlist.Status.PUBLISHED)
    assert AuditEvent.objects.filter(action=actions.SHORTLIST_PUBLISH.code).count() == 1

    assert not NOTICE.can(web_users["city_officer"], "close", notice)
    with pytest.raises(PermissionDenied), transaction.atomic():
        notice_close(actor=web_users["city_officer"], notice=notice)
    with transaction.atomic():
        take(SHORTLIST, shortlist, "decide", actor=pub_world.owner)
    notice_close(actor=pub_world.owner, notice=notice)
    notice.refresh_from_db()
    shortlist.refresh_from_db()
    assert (notice.status, shortlist.status) == (Notice.Status.CLOSED, Shortlist.Status.DECIDED)
    assert AuditEvent.objects.filter(action=actions.NOTICE_CLOSE.code, actor=pub_world.owner).count() == 1
    assert not NOTICE.can(pub_world.owner, "close", notice)


# --- the owner's list: search, sort, downloads (issue 15, finding 6) -------------------------------------


def _owner_titles(client: Any, query: dict[str, str], fmt: str = "csv") -> list[str]:
    response = client.get(reverse("notices:list"), {**query, "format": fmt})
    assert response.status_code == 200
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        return [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    return [row[0] for row in list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]]


def test_the_owner_list_searches_sorts_and_downloads_what_it_lists(
    pub_world: PubWorld, clock: Clock, web_users: dict[str, User]
) -> None:
    """Two notices of the province (this year's call and last year's): q narrows by title, programme or
    year; each column sorts both ways; an unknown key is ignored; CSV and XLSX hold the listed rows."""
    older_call = YearlyCall.objects.create(
        programme=pub_world.call.programme,
        year=pub_world.call.year - 1,
        opens_on=pub_world.call.opens_on,
        closes_on=pub_world.call.closes_on,
        city_deadline=pub_world.call.city_deadline,
        province_deadline=pub_world.call.province_deadline,
        quota=3,
    )
    older = pub_build_world(call=older_call, owner=pub_world.owner, county="440605", prefix="往年")
    first = pub_publish(older, clock, date(2023, 9, 4))
    second = pub_publish(pub_world, clock, date(2023, 9, 28))
    owner = pub_client(pub_world.owner)
    assert _owner_titles(owner, {}) == [second.title, first.title]  # the newest first
    assert _owner_titles(owner, {"q": str(older_call.year)}) == [first.title]
    assert _owner_titles(owner, {"q": str(older_call.year)}, "xlsx") == [first.title]
    assert _owner_titles(owner, {"q": "没有这个公示"}) == []
    assert _owner_titles(owner, {"sort": "period", "dir": "asc"}) == [first.title, second.title]
    assert _owner_titles(owner, {"sort": "period", "dir": "desc"}) == [second.title, first.title]
    assert _owner_titles(owner, {"sort": "call"}) == [first.title, second.title]
    assert _owner_titles(owner, {"sort": "call", "dir": "desc"}) == [second.title, first.title]
    for key in ("title", "phase", "objections", "unresolved"):
        for direction in ("asc", "desc"):
            assert sorted(_owner_titles(owner, {"sort": key, "dir": direction})) == sorted(
                [first.title, second.title]
            )
    for unknown in ("published_by__password", "pk", ""):
        assert _owner_titles(owner, {"sort": unknown}) == [second.title, first.title]
    page = owner.get(reverse("notices:list"), {"q": str(older_call.year), "sort": "period"}).content.decode()
    assert reverse("notices:manage", args=[first.pk]) in page
    assert reverse("notices:manage", args=[second.pk]) not in page
    assert 'aria-sort="ascending"' in page
    assert "format=csv" in page
