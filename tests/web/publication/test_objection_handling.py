"""The owner's handling of objections: the notice's page with its objections, batch steps and the CSV
export; one objection with its investigation, resolution and files. Objection files reach the owner only."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from pub_support import PUB_OBJECTION, PubWorld, pub_client, pub_publish

from clock import Clock
from factories import objection_challenge
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.evidence.storage import evidence_path
from smecluster.apps.notices import views as notice_views
from smecluster.apps.notices.models import Objection, ObjectionFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _file(name: str = "证据.pdf") -> io.BytesIO:
    handle = io.BytesIO(PDF)
    handle.name = name
    return handle


@pytest.fixture
def objected(
    pub_world: PubWorld, clock: Clock, django_capture_on_commit_callbacks: Callable[..., Any]
) -> PubWorld:
    """The Guangdong notice (2023-09-28 … 10-12) with three objections filed from the public page, the first
    with a file (moved into place on commit)."""
    notice = pub_publish(pub_world, clock, date(2023, 9, 28))
    clock.beijing(date(2023, 10, 9))
    url = reverse("notices:public_detail", args=[notice.pk])
    for index, name in enumerate(("张三丰", "李四", "王五")):
        data: dict[str, Any] = {
            **PUB_OBJECTION,
            "real_name": name,
            "application": pub_world.shortlisted[0].pk,
            **objection_challenge(url),
        }
        if index == 0:
            data["files"] = [_file()]
        with django_capture_on_commit_callbacks(execute=True):
            assert pub_client().post(url, data).status_code == 302
    mail.outbox.clear()  # the owner's e-mails of the filings: each test counts its own
    return pub_world


def _objections() -> list[Objection]:
    return list(Objection.objects.order_by("pk"))


def test_the_owner_sees_the_objections_with_their_status_reference_and_target(objected: PubWorld) -> None:
    assert objected.notice is not None
    page = pub_client(objected.owner).get(reverse("notices:manage", args=[objected.notice.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    for objection in _objections():
        assert objection.reference in text
        assert objection.real_name in text
    assert objected.shortlisted[0].name in text
    assert "已受理" in text
    assert "尚有 3 条异议未办结" in text


def test_the_csv_export_has_every_objection_with_its_contact(objected: PubWorld) -> None:
    assert objected.notice is not None
    response = pub_client(objected.owner).get(
        reverse("notices:manage", args=[objected.notice.pk]), {"format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["受理编号", "提交时间（北京时间）", "异议对象申报编号", "异议对象"]
    assert [row[0] for row in rows[1:]] == [objection.reference for objection in _objections()]
    assert rows[1][5] == "13800138000"
    assert rows[1][9] == "1"  # one file


def test_recording_then_resolving_an_objection(objected: PubWorld) -> None:
    first = _objections()[0]
    owner = pub_client(objected.owner)
    url = reverse("notices:objection", args=[first.pk])
    page = owner.get(url).content.decode()
    assert "13800138000" in page  # the owner sees the contact details
    assert "证据.pdf" in page

    assert owner.post(url, {"investigation": "已调取统计数据", "save": "1"}).status_code == 302
    first.refresh_from_db()
    assert (first.status, first.investigation) == (Objection.Status.INVESTIGATING, "已调取统计数据")

    missing = owner.post(url, {"investigation": "已调取统计数据", "resolve": "1"}).content.decode()
    assert "办结须填写处理结果" in missing
    assert "办结须认定异议是否成立" in missing

    done = owner.post(
        url,
        {
            "investigation": "已调取统计数据",
            "resolution": "数据口径一致，异议不成立",
            "upheld": "no",
            "resolve": "1",
        },
    )
    assert done.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.upheld, first.resolved_by) == (
        Objection.Status.RESOLVED,
        False,
        objected.owner,
    )
    assert AuditEvent.objects.filter(action="objection.resolve", target_id=str(first.pk)).exists()

    again = owner.post(url, {"investigation": "改", "resolution": "改", "upheld": "yes", "resolve": "1"})
    assert again.status_code == 403
    assert "已办结，不能再修改" in again.content.decode()


def test_the_objector_who_left_an_email_hears_the_outcome(
    objected: PubWorld,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
    mail_worker_at_commit: None,
) -> None:
    first = _objections()[0]
    with django_capture_on_commit_callbacks(execute=True):
        pub_client(objected.owner).post(
            reverse("notices:objection", args=[first.pk]),
            {"resolution": "异议成立，已不予认定", "upheld": "yes", "resolve": "1"},
        )
    sent = [message for message in mailoutbox if first.reference in message.subject]
    assert len(sent) == 1
    assert sent[0].to == ["zhang@example.test"]
    assert "异议成立" in sent[0].body
    # Issue 16: the link in a mail is absolute (SMECLUSTER_SITE_URL), the page where the receipt number
    # and telephone open the finding.
    assert f"{settings.SITE_URL}{reverse('notices:objection_lookup')}" in sent[0].body


def test_batch_steps_mark_investigating_then_resolve_and_skip_the_resolved(objected: PubWorld) -> None:
    assert objected.notice is not None
    url = reverse("notices:manage", args=[objected.notice.pk])
    owner = pub_client(objected.owner)
    pks = [objection.pk for objection in _objections()]

    assert owner.post(url, {"objections": pks[:2], "action": "investigate"}).status_code == 302
    assert [o.status for o in _objections()] == ["investigating", "investigating", "received"]

    refused = owner.post(url, {"objections": pks, "action": "resolve"}).content.decode()
    assert "办结须填写处理结果" in refused

    owner.post(url, {"objections": [pks[0]], "action": "resolve", "resolution": "不成立", "upheld": "no"})
    response = owner.post(
        url,
        {"objections": pks, "action": "resolve", "resolution": "经核查，异议不成立", "upheld": "no"},
        follow=True,
    )
    text = response.content.decode()
    assert "已处理 2 条异议" in text
    assert "以下异议已办结，未作改动" in text
    assert all(objection.status == Objection.Status.RESOLVED for objection in _objections())
    assert _objections()[0].resolution == "不成立"  # the earlier resolution stands

    assert "请先勾选异议" in owner.post(url, {"action": "investigate"}).content.decode()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("province_admin", 200),
        ("city_officer", 403),
        ("county_officer", 403),
        ("operator", 403),
        ("expert", 403),
        ("hunan_admin", 404),
        ("anonymous", 302),
    ],
)
def test_objection_files_only_for_the_owner(
    objected: PubWorld, web_users: dict[str, User], web_new_user: Callable[..., User], who: str, expected: int
) -> None:
    file = ObjectionFile.objects.get()
    if who == "anonymous":
        user = None
    elif who == "hunan_admin":
        user = web_new_user("hunan-admin", Role.PROVINCE_ADMIN, "430000")
    else:
        user = web_users[who]
    client = pub_client(user)
    download = client.get(reverse("notices:objection_file", args=[file.pk]))
    assert download.status_code == expected
    if expected == 200:
        assert b"".join(download.streaming_content).startswith(b"%PDF")
    if expected == 302:
        assert download["Location"].startswith("/accounts/login/")
    # The objection's own page and the notice's page follow the same rule.
    objection = client.get(reverse("notices:objection", args=[file.objection_id]))
    assert objection.status_code == expected
    assert objected.notice is not None
    manage = client.get(reverse("notices:manage", args=[objected.notice.pk]))
    assert manage.status_code == expected


def test_no_public_page_links_or_shows_an_objection_file(objected: PubWorld) -> None:
    assert objected.notice is not None
    text = pub_client().get(reverse("notices:public_detail", args=[objected.notice.pk])).content.decode()
    assert "/objections/files/" not in text
    assert "证据.pdf" not in text


def test_an_objection_file_missing_from_storage_is_a_404_that_says_so(objected: PubWorld) -> None:
    file = ObjectionFile.objects.get()
    evidence_path(file.stored_name).unlink()
    url = reverse("notices:objection_file", args=[file.pk])
    assert pub_client(objected.owner).get(url).status_code == 404
    request = RequestFactory().get(url)
    request.user = objected.owner
    with pytest.raises(Http404, match="已不在存储中"):
        notice_views.objection_file_download(request, file.pk)
