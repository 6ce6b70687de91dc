"""Recognition (认定) after the public notice: refused while the notice runs or an objection is unresolved
(the reason says which), then each shortlisted application is recognized (a number, the date, three years
of validity) or rejected with a reason the county is told; the counties left off the shortlist are told why.
The national chain: the ministry publishes and recognizes; a province admin cannot."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pub_support import (
    PUB_NOT_SHORTLISTED_REASON,
    PUB_OBJECTION,
    PubWorld,
    pub_client,
    pub_publish,
)

from clock import Clock
from factories import objection_challenge
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notices.models import Objection
from smecluster.apps.notices.services import objection_record
from smecluster.apps.notifications.models import Notification
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.services.recognition import add_years, recognition_decide, validity

pytestmark = pytest.mark.django_db

START, END = date(2024, 2, 19), date(2024, 2, 27)  # 7 working days after the 2024 Spring Festival


@pytest.fixture
def noticed(pub_world: PubWorld, clock: Clock) -> PubWorld:
    notice = pub_publish(pub_world, clock, START)
    assert notice.ends_on == END
    return pub_world


def _url(world: PubWorld) -> str:
    return reverse("registry:recognition", args=[world.call.pk])


def _object(world: PubWorld, clock: Clock, application_index: int = 0) -> Objection:
    assert world.notice is not None
    clock.beijing(date(2024, 2, 21))
    url = reverse("notices:public_detail", args=[world.notice.pk])
    response = pub_client().post(
        url,
        {**PUB_OBJECTION, "application": world.shortlisted[application_index].pk, **objection_challenge(url)},
    )
    assert response.status_code == 302
    return Objection.objects.latest("pk")


def test_validity_is_n_years_less_a_day_from_the_day_of_recognition() -> None:
    assert validity(date(2025, 3, 10), 3) == (date(2025, 3, 10), date(2028, 3, 9))
    assert validity(date(2024, 2, 29), 3) == (date(2024, 2, 29), date(2027, 2, 28))
    assert validity(date(2024, 3, 1), 3) == (date(2024, 3, 1), date(2027, 2, 28))
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_recognition_waits_for_the_end_of_the_notice(noticed: PubWorld, clock: Clock) -> None:
    clock.beijing(END, 23, 59, 59)
    page = pub_client(noticed.owner).get(_url(noticed))
    text = page.content.decode()
    assert page.status_code == 200
    assert "公示期至 2024-02-27 23:59:59（北京时间）结束" in text
    refused = pub_client(noticed.owner).post(_url(noticed), {"all_unobjected": "1"})
    assert refused.status_code == 403
    assert "公示期至 2024-02-27" in refused.content.decode()
    assert not RecognizedCluster.objects.exists()


def test_an_objection_filed_in_time_blocks_recognition_until_resolved(
    noticed: PubWorld, clock: Clock
) -> None:
    objection = _object(noticed, clock)
    clock.beijing(date(2024, 2, 28))
    text = pub_client(noticed.owner).get(_url(noticed)).content.decode()
    assert "以下 1 条异议尚未办结" in text
    assert objection.reference in text
    with pytest.raises(PermissionDenied, match=objection.reference):
        recognition_decide(
            actor=noticed.owner,
            call=noticed.call,
            application_ids=[noticed.shortlisted[1].pk],
            decision="recognize",
        )
    objection_record(actor=noticed.owner, objection=objection, investigation="已核查")
    with pytest.raises(PermissionDenied, match="核查中"):
        recognition_decide(
            actor=noticed.owner,
            call=noticed.call,
            application_ids=[noticed.shortlisted[1].pk],
            decision="recognize",
        )
    objection_record(
        actor=noticed.owner,
        objection=objection,
        investigation="已核查",
        resolution="异议不成立",
        upheld=False,
        resolve=True,
    )
    decided = recognition_decide(
        actor=noticed.owner,
        call=noticed.call,
        application_ids=[noticed.shortlisted[1].pk],
        decision="recognize",
    )
    assert [cluster.application for cluster in decided.recognized] == [noticed.shortlisted[1]]


def test_recognizing_all_numbers_them_in_rank_order_with_three_years_of_validity(
    noticed: PubWorld, clock: Clock
) -> None:
    clock.beijing(date(2024, 2, 29))
    response = pub_client(noticed.owner).post(_url(noticed), {"all_unobjected": "1"}, follow=True)
    assert response.status_code == 200
    year = noticed.call.year
    clusters = list(RecognizedCluster.objects.order_by("number"))
    assert [cluster.number for cluster in clusters] == [
        f"粤中小特色集群〔{year}〕001",
        f"粤中小特色集群〔{year}〕002",
    ]
    assert [cluster.application for cluster in clusters] == noticed.shortlisted  # rank 1 first
    first = clusters[0]
    assert (first.recognized_on, first.valid_from, first.valid_until) == (
        date(2024, 2, 29),
        date(2024, 2, 29),
        date(2027, 2, 28),
    )
    assert first.name == noticed.shortlisted[0].name
    assert first.county_id == "440606"
    assert first.leading_industry == noticed.shortlisted[0].leading_industry
    assert first.leading_industry_code == noticed.shortlisted[0].leading_industry_code == "38"  # carried
    assert first.sector == "机械"  # reports count it by sector: 38 电气机械和器材制造业
    assert first.decided_by == noticed.owner
    assert first.application.status == Status.RECOGNIZED
    text = response.content.decode()
    assert f"粤中小特色集群〔{year}〕001" in text
    assert "已认定 2 个集群" in text
    event = AuditEvent.objects.get(action="cluster.recognize", target_id=str(first.pk))
    assert event.after["valid_until"] == "2027-02-28"
    assert AuditEvent.objects.filter(action="application.recognize").count() == 2
    county = User.objects.get(username="county-officer")
    assert Notification.objects.filter(recipient=county, text__contains=first.number).exists()


def test_the_unobjected_are_recognized_together_and_the_upheld_objection_took_its_application_off(
    noticed: PubWorld, clock: Clock
) -> None:
    """Issue 13, finding 5 (SX 16 "经公示无异议后"): the upheld objection's application is no longer left to
    a decision; it left the list when the objection was found upheld (tests/web/procedure/
    test_procedure_objections.py has the rest)."""
    objection = _object(noticed, clock, application_index=0)
    objection_record(
        actor=noticed.owner,
        objection=objection,
        investigation="核实存在虚报",
        resolution="异议成立",
        upheld=True,
        resolve=True,
    )
    clock.beijing(date(2024, 3, 1))
    owner = pub_client(noticed.owner)
    page = owner.get(_url(noticed)).content.decode()
    assert "没有成立异议的申报共 1 件" in page

    owner.post(_url(noticed), {"all_unobjected": "1"})
    assert list(RecognizedCluster.objects.values_list("application", flat=True)) == [
        noticed.shortlisted[1].pk
    ]
    first = noticed.shortlisted[0]
    first.refresh_from_db()
    assert first.status == Status.REJECTED


def test_rejection_needs_a_reason_and_tells_the_county_why(noticed: PubWorld, clock: Clock) -> None:
    clock.beijing(date(2024, 3, 1))
    owner = pub_client(noticed.owner)
    target = noticed.shortlisted[0]
    missing = owner.post(_url(noticed), {"applications": [target.pk], "decision": "reject"})
    assert "不予认定须填写理由" in missing.content.decode()
    with pytest.raises(ValidationError):
        recognition_decide(
            actor=noticed.owner, call=noticed.call, application_ids=[target.pk], decision="reject"
        )

    reason = "公示期间核实：中小企业产值占比低于 70%"
    response = owner.post(
        _url(noticed), {"applications": [target.pk], "decision": "reject", "reason": reason}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == Status.REJECTED
    county = User.objects.get(username="county-officer")
    told = Notification.objects.filter(recipient=county, text__contains="未予认定").get()
    assert target.number in told.text
    assert reason in told.text
    assert AuditEvent.objects.get(action="application.reject", target_id=str(target.pk)).reason == reason
    assert reason in owner.get(_url(noticed)).content.decode()


def test_once_all_are_decided_the_counties_left_off_the_shortlist_are_told_why(
    noticed: PubWorld, clock: Clock
) -> None:
    clock.beijing(date(2024, 3, 1))
    county = User.objects.get(username="county-officer")
    left_off = noticed.others[0]
    recognition_decide(
        actor=noticed.owner,
        call=noticed.call,
        application_ids=[noticed.shortlisted[0].pk],
        decision="recognize",
    )
    assert not Notification.objects.filter(recipient=county, text__contains=left_off.number).exists()
    recognition_decide(
        actor=noticed.owner,
        call=noticed.call,
        application_ids=[noticed.shortlisted[1].pk],
        decision="reject",
        reason="放弃认定",
    )
    told = Notification.objects.get(recipient=county, text__contains=left_off.number)
    assert PUB_NOT_SHORTLISTED_REASON in told.text


def test_only_shortlisted_applications_of_the_call_are_decided(noticed: PubWorld, clock: Clock) -> None:
    clock.beijing(date(2024, 3, 1))
    with pytest.raises(ValidationError, match="只能对本年度拟认定名单中待认定的申报"):
        recognition_decide(
            actor=noticed.owner,
            call=noticed.call,
            application_ids=[noticed.others[0].pk],
            decision="recognize",
        )


@pytest.mark.parametrize("who", ["city_officer", "county_officer", "expert"])
def test_recognition_is_the_owners(noticed: PubWorld, web_users: dict[str, User], who: str) -> None:
    response = pub_client(web_users[who]).get(_url(noticed))
    assert response.status_code == 403
    assert "省级管理员" in response.content.decode()


def test_the_national_chain_the_ministry_publishes_and_recognizes_a_province_admin_cannot(
    pub_national_world: PubWorld, clock: Clock, web_users: dict[str, User], pub_ministry: User
) -> None:
    world = pub_national_world
    province = pub_client(web_users["province_admin"])
    ministry = pub_client(pub_ministry)

    clock.beijing(date(2023, 9, 27))
    publish_url = reverse("notices:publish", args=[world.call.pk])
    refused = province.post(
        publish_url, {"title": "公示", "starts_on": "2023-09-28", "contact": "010-68205000"}
    )
    assert refused.status_code == 403
    published = ministry.post(
        publish_url, {"title": "国家级拟认定名单公示", "starts_on": "2023-09-28", "contact": "010-68205000"}
    )
    assert published.status_code == 302
    notice = world.shortlist.notice
    assert notice.ends_on == date(2023, 10, 10)
    assert notice.published_by == pub_ministry

    clock.beijing(date(2023, 10, 11))
    # A fortnight later the idle sessions have ended (SMECLUSTER_SESSION_IDLE_MINUTES): both sign in again.
    province, ministry = pub_client(web_users["province_admin"]), pub_client(pub_ministry)
    assert province.get(_url(world)).status_code == 403
    assert province.post(_url(world), {"all_unobjected": "1"}).status_code == 403
    assert ministry.post(_url(world), {"all_unobjected": "1"}).status_code == 302
    numbers = list(RecognizedCluster.objects.order_by("number").values_list("number", flat=True))
    assert numbers == [f"国中小特色集群〔{world.call.year}〕001", f"国中小特色集群〔{world.call.year}〕002"]
    cluster = RecognizedCluster.objects.get(number=numbers[0])
    # The national notices state whole calendar years from the year after the batch ("2023年至2025年").
    year = world.call.year
    assert (cluster.valid_from, cluster.valid_until) == (date(year + 1, 1, 1), date(year + 3, 12, 31))
    assert cluster.decided_by == pub_ministry
    # The province admin reads the certificate of a cluster in its province; the ministry too.
    assert province.get(reverse("registry:certificate", args=[cluster.pk])).status_code == 200
    assert ministry.get(reverse("registry:notice_pdf", args=[world.call.pk])).status_code == 200
    assert province.get(reverse("registry:notice_pdf", args=[world.call.pk])).status_code == 403


def test_numbers_continue_under_the_same_prefix(noticed: PubWorld, clock: Clock) -> None:
    clock.beijing(date(2024, 3, 1))
    recognition_decide(
        actor=noticed.owner,
        call=noticed.call,
        application_ids=[noticed.shortlisted[1].pk],
        decision="recognize",
    )
    clock.beijing(date(2024, 3, 1) + timedelta(days=1))
    recognition_decide(
        actor=noticed.owner,
        call=noticed.call,
        application_ids=[noticed.shortlisted[0].pk],
        decision="recognize",
    )
    year = noticed.call.year
    assert RecognizedCluster.objects.get(application=noticed.shortlisted[1]).number.endswith(f"〔{year}〕001")
    assert RecognizedCluster.objects.get(application=noticed.shortlisted[0]).number.endswith(f"〔{year}〕002")
