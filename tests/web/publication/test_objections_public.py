"""The public notice page and the real-name objection form: no login, nothing private shown, validated at
the fields, refused after 23:59:59 Beijing time on the last day (the form is gone and a POST is refused
too), acknowledged with a reference whose page shows nothing personal beyond the name's first character."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from pub_support import PUB_OBJECTION, PubWorld, pub_client, pub_publish

from clock import Clock
from factories import objection_challenge
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notices.models import Objection
from smecluster.apps.notices.services import objection_file
from smecluster.apps.notifications.models import Notification

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
START = date(2023, 9, 28)  # Guangdong's 7 working days: to 2023-10-12
END = date(2023, 10, 12)


def _file(name: str = "证据.pdf", content: bytes = PDF) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


@pytest.fixture
def published(pub_world: PubWorld, clock: Clock) -> PubWorld:
    pub_publish(pub_world, clock, START)
    clock.beijing(date(2023, 10, 9))  # in the middle of the notice
    return pub_world


def _url(world: PubWorld) -> str:
    assert world.notice is not None
    return reverse("notices:public_detail", args=[world.notice.pk])


def _object(world: PubWorld, *, form_shown: bool = True, **changes: Any) -> Any:
    """Posts an objection; with the form shown, as a citizen does: open the page and answer its challenge."""
    client = pub_client()
    challenge = objection_challenge(_url(world), client) if form_shown else {}
    data = {**PUB_OBJECTION, "application": str(world.shortlisted[0].pk), **challenge, **changes}
    return client.post(_url(world), {key: value for key, value in data.items() if value is not None})


def test_anyone_reads_the_notice_its_clusters_period_hash_and_how_to_object(published: PubWorld) -> None:
    page = pub_client().get(_url(published))
    text = page.content.decode()
    assert page.status_code == 200
    for application in published.shortlisted:
        assert application.name in text
        assert application.county.full_name() in text
        assert application.leading_industry in text
    assert published.others[0].name not in text  # left off the shortlist: not on the notice
    assert published.shortlist.content_hash in text
    assert "2023-09-28" in text
    assert "2023-10-12" in text
    # Scores stay internal (issue 14: real notices never publish them): not rank 1's aggregate either.
    assert "90.00" not in text
    assert "专家评审得分" not in text
    # The formal text, as the PDF beside the page says it: the period in Chinese dates with its working
    # days, objections in writing under a real name, an organisation's with its seal, none anonymous.
    assert "公示期为2023年9月28日至2023年10月12日（" in text
    assert "加盖单位公章" in text
    assert "匿名异议不予受理" in text
    assert reverse("notices:public_pdf", args=[published.notice.pk]) in text
    assert "如何提出异议" in text
    assert "020-83133000" in text  # the owner's contact for objections
    assert 'name="real_name"' in text
    # Never the applicants' own contacts, nor the experts' individual scores.
    assert "0757-22830000" not in text
    assert "points" not in text


def test_the_published_list_is_checked_again_after_any_change_to_its_row(published: PubWorld) -> None:
    """The verdict on the list's hash is kept per row version (shortlist_intact): a change made by hand in
    the database, bypassing the platform, moves the version and is caught at the next view."""
    assert "名单内容与此哈希一致（已校验）" in pub_client().get(_url(published)).content.decode()
    assert "名单内容与此哈希一致（已校验）" in pub_client().get(_url(published)).content.decode()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE selection_shortlist SET content = jsonb_set(content::jsonb, '{tampered}', 'true')"
            " WHERE id = %s",
            [published.shortlist.pk],
        )
    assert "名单内容与此哈希一致（已校验）" not in pub_client().get(_url(published)).content.decode()


def test_the_list_of_notices_is_public(published: PubWorld) -> None:
    page = pub_client().get(reverse("notices:public_list"))
    assert page.status_code == 200
    assert _url(published) in page.content.decode()
    assert "公示中" in page.content.decode()


def test_the_form_reports_each_problem_at_its_field(published: PubWorld) -> None:
    empty = pub_client().post(_url(published), {})
    text = empty.content.decode()
    assert empty.status_code == 200
    for message in (
        "请填写真实姓名",
        "请填写联系电话",
        "请填写工作单位",
        "请选择异议针对的集群",
        "请填写异议内容",
        "请确认承诺",
        "请填写验证码",
    ):
        assert message in text, message

    text = _object(
        published, phone="12345", email="not-an-address", content="太短了", real_name="A1"
    ).content.decode()
    assert "请填写有效的手机号码或带区号的固定电话" in text
    assert "请填写有效的电子邮箱地址" in text
    assert "异议内容过短" in text
    assert "请填写真实姓名（至少 2 个字，不含数字）" in text

    # A cluster not on the notice (left off the shortlist) cannot be objected to here.
    text = _object(published, application=str(published.others[0].pk)).content.decode()
    assert "请选择本次公示名单中的集群" in text

    # A file whose content is not what its name says is refused, and nothing is kept.
    response = pub_client().post(
        _url(published),
        {
            **PUB_OBJECTION,
            "application": published.shortlisted[0].pk,
            "files": [_file("照片.jpg")],
            **objection_challenge(_url(published)),
        },
    )
    assert "文件名后缀（.jpg）与文件内容（pdf）不符" in response.content.decode()
    assert not Objection.objects.exists()


def test_a_landline_with_its_area_code_and_no_email_is_fine(published: PubWorld) -> None:
    response = _object(published, phone="0757-2283 0000", email="")
    assert response.status_code == 302
    assert Objection.objects.get().phone == "0757-22830000"


def test_a_valid_objection_is_acknowledged_with_a_reference_and_nothing_personal(
    published: PubWorld, pub_evidence_root: Any
) -> None:
    response = pub_client().post(
        _url(published),
        {
            **PUB_OBJECTION,
            "application": published.shortlisted[1].pk,
            "files": [_file(), _file("第二份.pdf")],
            **objection_challenge(_url(published)),
        },
    )
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("notices:objection_ack", args=[objection.reference])
    assert re.fullmatch(r"23-\d+-001-[2-9A-HJ-NP-Z]{4}", objection.reference), objection.reference
    assert objection.application == published.shortlisted[1]
    assert objection.status == Objection.Status.RECEIVED
    assert [file.original_name for file in objection.files.order_by("pk")] == ["证据.pdf", "第二份.pdf"]
    assert all(file.content_type == "application/pdf" for file in objection.files.all())

    ack = pub_client().get(response["Location"])
    text = ack.content.decode()
    assert ack.status_code == 200
    assert objection.reference in text
    assert "已受理" in text
    assert "张**" in text
    for private in ("张三丰", "13800138000", "zhang@example.test", "某某家电", "中小企业产值占比"):
        assert private not in text, private

    # The owner's officers are told; the audit event has no actor and names the objector, not the phone.
    assert Notification.objects.filter(recipient=published.owner, text__contains=objection.reference).exists()
    event = AuditEvent.objects.get(action="objection.file")
    assert event.actor is None
    assert event.after["real_name"] == "张三丰"
    assert "13800138000" not in str(event.after)
    assert len(event.after["files"]) == 2


def test_references_count_per_notice_and_an_unknown_one_is_not_found(published: PubWorld) -> None:
    _object(published)
    _object(published, real_name="李四")
    references = list(Objection.objects.order_by("pk").values_list("reference", flat=True))
    assert [reference.split("-")[2] for reference in references] == ["001", "002"]
    assert pub_client().get(reverse("notices:objection_ack", args=["23-1-001-AAAA"])).status_code == 404


def test_after_the_end_the_form_is_gone_and_a_post_is_refused(published: PubWorld, clock: Clock) -> None:
    # 23:59:59 Beijing time on the last day is still in time.
    clock.beijing(END, 23, 59, 59)
    assert "real_name" in pub_client().get(_url(published)).content.decode()
    assert _object(published).status_code == 302

    # One second later (2023-10-12 16:00:00 UTC) it is over: no form, a clear message, the POST refused.
    clock.move_to(datetime(2023, 10, 12, 16, 0, 0, tzinfo=UTC))
    page = pub_client().get(_url(published))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'name="real_name"' not in text
    assert "公示已于 2023-10-12 23:59:59（北京时间）截止，不再受理异议" in text

    refused = _object(published, form_shown=False, real_name="王五")
    assert refused.status_code == 403
    assert "公示已于 2023-10-12 23:59:59（北京时间）截止" in refused.content.decode()
    assert Objection.objects.count() == 1
    assert not Objection.objects.filter(real_name="王五").exists()


def test_the_service_refuses_late_objections_too(published: PubWorld, clock: Clock) -> None:
    clock.beijing(date(2023, 10, 13), 8)
    assert published.notice is not None
    with pytest.raises(PermissionDenied, match="截止"):
        objection_file(
            notice=published.notice,
            application_id=published.shortlisted[0].pk,
            real_name="王五",
            phone="13800138000",
            email="",
            organization="某单位",
            content="迟到的异议，应被拒绝受理。",
        )


def test_before_the_start_objections_wait(pub_world: PubWorld, clock: Clock) -> None:
    pub_publish(pub_world, clock, START)  # the clock is on the day before the start
    text = pub_client().get(_url(pub_world)).content.decode()
    assert "公示将于 2023-09-28 开始" in text
    assert 'name="real_name"' not in text
    assert _object(pub_world, form_shown=False).status_code == 403
    assert not Objection.objects.exists()


def test_too_many_objections_from_one_address_are_slowed_down(published: PubWorld, settings: Any) -> None:
    settings.OBJECTIONS_PER_ADDRESS_PER_HOUR = 2
    assert _object(published).status_code == 302
    assert _object(published).status_code == 302
    slowed = _object(published)
    assert slowed.status_code == 429
    assert "提交过于频繁" in slowed.content.decode()
    assert Objection.objects.count() == 2
