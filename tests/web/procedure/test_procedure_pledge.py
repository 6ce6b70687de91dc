"""The truthfulness pledge (issue 13, finding 10): GD 15(一) "申报单位应如实填写申报材料，并对资料的真实性和
完整性负全部责任" (SX 14: "申报时应如实填写申报材料，对资料的真实性和完整性负全部责任"). Submission needs the
declaring department's 承诺书 — the programme's text, the signer's name and position, the time — kept with
the submitted version, printed in the application PDF, and shown by a revocation proposal for 虚假申报."""

from __future__ import annotations

import io
from collections.abc import Callable

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from factories import PLEDGE, PLEDGE_FORM
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application, ApplicationVersion
from smecluster.apps.applications.services import Pledge, application_submit
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.oversight.services import revocation_record
from smecluster.apps.programmes.models import DEFAULT_PLEDGE_TEXT

pytestmark = pytest.mark.django_db

CLAUSE = "申报单位应如实填写申报材料，并对资料的真实性和完整性负全部责任"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_the_default_pledge_quotes_the_clause() -> None:
    """A programme's 承诺书 by default quotes GD 15(一) word for word."""
    assert CLAUSE in DEFAULT_PLEDGE_TEXT


@pytest.mark.parametrize(
    ("pledge", "fields"),
    [
        (None, {"pledge_signer_name", "pledge_signer_position"}),
        (Pledge(signer_name=" ", signer_position="区工业和信息化局局长"), {"pledge_signer_name"}),
        (Pledge(signer_name="李建国", signer_position=""), {"pledge_signer_position"}),
    ],
)
def test_submission_without_the_pledge_is_refused_naming_the_field(
    web_users: dict[str, User], web_application: Application, pledge: Pledge | None, fields: set[str]
) -> None:
    """ "申报单位应如实填写申报材料，并对资料的真实性和完整性负全部责任": no signed 承诺书, no submission."""
    with pytest.raises(ValidationError) as refused:
        application_submit(actor=web_users["county_officer"], application=web_application, pledge=pledge)
    assert set(refused.value.message_dict) == fields
    web_application.refresh_from_db()
    assert web_application.status == Status.DRAFT
    assert not ApplicationVersion.objects.exists()


def test_the_version_keeps_the_pledge_as_signed(
    web_users: dict[str, User], web_application: Application
) -> None:
    """The 承诺书 is kept with the submitted version: the programme's text at that time, who signed it, in
    which position, when; a later change of the programme's text does not rewrite it."""
    programme = web_application.call.programme
    programme.pledge_text = "本单位承诺如实填写申报材料。（" + CLAUSE + "）"
    programme.save()
    version = application_submit(
        actor=web_users["county_officer"], application=web_application, pledge=PLEDGE
    )
    programme.pledge_text = "另一段文字"
    programme.save()
    version.refresh_from_db()
    assert version.pledge_text == "本单位承诺如实填写申报材料。（" + CLAUSE + "）"
    assert (version.pledge_signer_name, version.pledge_signer_position) == ("李建国", "区工业和信息化局局长")
    assert version.pledged_at is not None
    assert abs((version.pledged_at - version.submitted_at).total_seconds()) < 1
    event = AuditEvent.objects.filter(action="application.submit").latest("pk")
    assert event.after["pledge_signer"] == "李建国"


def test_the_page_asks_for_the_pledge_and_refuses_without_it(
    web_users: dict[str, User], web_application: Application
) -> None:
    """The submit button sits under the programme's 承诺书 with the signer's fields; without them the page
    says the pledge is missing and names the field."""
    county = _client(web_users["county_officer"])
    detail = county.get(reverse("applications:detail", args=[web_application.pk])).content.decode()
    assert 'id="pledge"' in detail
    assert CLAUSE in detail
    assert 'name="pledge_signer_name"' in detail
    assert 'name="pledge_signer_position"' in detail
    url = reverse("applications:submit", args=[web_application.pk])
    refused = county.post(url, {}, follow=True).content.decode()
    assert "未能提交：须由申报单位签署申报承诺书" in refused
    assert "请填写承诺人姓名" in refused
    web_application.refresh_from_db()
    assert web_application.status == Status.DRAFT
    county.post(url, PLEDGE_FORM)
    web_application.refresh_from_db()
    assert web_application.status == Status.SUBMITTED
    assert web_application.versions.get().pledge_signer_name == "李建国"


def test_the_application_pdf_prints_the_pledge(
    web_users: dict[str, User], web_application: Application
) -> None:
    application_submit(actor=web_users["county_officer"], application=web_application, pledge=PLEDGE)
    content = _client(web_users["county_officer"]).get(reverse("applications:pdf", args=[web_application.pk]))
    text = "".join(_pdf_text(content.content).split())
    assert "申报承诺书" in text
    assert "".join(CLAUSE.split()) in text
    assert "李建国（区工业和信息化局局长）" in text


def test_a_revocation_for_false_declaration_points_to_the_pledge(
    web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    """Case 2 "发现虚假申报…" rests on the signed 承诺书: the proposal shows it and links the versions."""
    cluster = web_application_in("recognized").recognition
    proposal = revocation_record(
        actor=web_users["province_admin"],
        cluster=cluster,
        case=2,
        grounds="核查发现申报的近三年产值与统计部门数据严重不符",
    )
    page = (
        _client(web_users["province_admin"])
        .get(reverse("oversight:revocation_detail", args=[proposal.pk]))
        .content.decode()
    )
    assert 'id="pledge"' in page
    assert CLAUSE in page
    assert "李建国（区工业和信息化局局长）" in page
    assert reverse("reviews:versions", args=[cluster.application_id]) in page
