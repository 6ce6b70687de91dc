"""Issue 13, finding 5: objections that count. Only an application that passed its public notice without an
objection found valid is recognized:

* 陕西省促进中小企业特色产业集群发展实施办法（暂行） 第十六条: "择优形成集群名单，经公示无异议后，发布陕西省
  中小企业特色产业集群名单";
* 贵州省促进中小企业特色产业集群发展暂行办法解读 六: "择优形成集群名单，经公示无异议的，确定为“贵州省中小企业
  特色产业集群”，并向社会公布".

The owner's finding on an admissible objection is 成立 or 不成立, with its text and evidence; 成立 takes the
application off the call's list (not recognizable in this call, said on the notice and the published list
without naming the objector), 不成立 lets it proceed; the objector reads the outcome with the receipt number
and the telephone left with the objection.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.test import Client, TestCase
from django.urls import reverse

from clock import Clock
from factories import (
    ApplicationFactory,
    YearlyCallFactory,
    objection_challenge,
    pdf_file,
    pdf_upload,
    take_step,
)
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notices import finding_links
from smecluster.apps.notices import services as notice_services
from smecluster.apps.notices.finding_links import finding_file_token
from smecluster.apps.notices.models import Notice, Objection, ObjectionFile
from smecluster.apps.notices.selectors import upheld_objections
from smecluster.apps.notifications.models import Notification
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.permissions import can_recognize_application
from smecluster.apps.registry.services import recognition as registry_services
from smecluster.apps.selection.models import Shortlist

pytestmark = pytest.mark.django_db

OBJECTOR: dict[str, Any] = {
    "real_name": "欧阳明远",
    "phone": "13800138000",
    "email": "",
    "organization": "佛山市某家电配套企业",
    "content": "申报材料所列主导产业产值明显高于统计部门公布的数据，请核实是否虚报。",
}
FINDING = "经核查，申报产值较统计数据高约 18%，异议成立。"


class World:
    """Two shortlisted 顺德区 applications of one call, on a public notice that runs from today."""

    def __init__(self) -> None:
        self.call = YearlyCallFactory()
        self.first = ApplicationFactory(call=self.call, status=Status.SCREENED)
        self.second = ApplicationFactory(call=self.call, status=Status.SCREENED)
        for application in (self.first, self.second):
            take_step(application, "assign")
            take_step(application, "score")
        take_step(self.first, "shortlist")
        self.notice: Notice = take_step(self.first, "publish")
        self.owner = User.objects.get(role=Role.PROVINCE_ADMIN, jurisdiction="440000")
        for application in (self.first, self.second):
            application.refresh_from_db()
            assert application.status == Status.SHORTLISTED

    def object_to(self, application: Application, *, client_address: str = "203.0.113.9") -> Objection:
        return notice_services.objection_file(
            notice=self.notice, application_id=application.pk, client_address=client_address, **OBJECTOR
        )

    def find(self, objection: Objection, *, upheld: bool, files: int = 0) -> Objection:
        return notice_services.objection_record(
            actor=self.owner,
            objection=objection,
            investigation="调取区统计局规上工业产值逐家核对",
            resolution=FINDING if upheld else "经核查，申报数据与统计数据一致，异议不成立。",
            upheld=upheld,
            resolve=True,
            uploads=[pdf_upload(f"核对表{index + 1}.pdf") for index in range(files)],
        )

    def end_notice(self) -> None:
        take_step(self.first, "end_notice")


@pytest.fixture
def world(web_users: dict[str, User], clock: Clock, settings: Any, tmp_path: Any) -> World:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    clock.beijing(date(2025, 6, 10))  # a Tuesday: the notice starts on a working day
    return World()


def test_an_upheld_objection_takes_the_application_off_the_list_with_its_finding_and_evidence(
    world: World,
) -> None:
    """SX 16 "经公示无异议后，发布…名单"; 贵州 解读六 "经公示无异议的，确定为…": the owner's finding 成立
    takes the application off the call's list through the workflow (application.remove_on_objection, reason
    naming the objection), keeps the finding's text and evidence with the objection, and tells the county."""
    objection = world.object_to(world.first)
    world.find(objection, upheld=True, files=2)

    world.first.refresh_from_db()
    objection.refresh_from_db()
    assert world.first.status == Status.REJECTED
    assert (objection.status, objection.upheld, objection.resolution) == (
        Objection.Status.RESOLVED,
        True,
        FINDING,
    )
    evidence = ObjectionFile.objects.filter(objection=objection, kind=ObjectionFile.Kind.FINDING)
    assert sorted(evidence.values_list("original_name", flat=True)) == ["核对表1.pdf", "核对表2.pdf"]
    assert all(file.uploaded_by == world.owner for file in evidence)
    removal = AuditEvent.objects.get(action="application.remove_on_objection", target_id=str(world.first.pk))
    assert objection.reference in removal.reason
    assert FINDING in removal.reason
    assert AuditEvent.objects.filter(action="objection.finding_evidence_add").count() == 2
    assert AuditEvent.objects.filter(action="objection.resolve", target_id=str(objection.pk)).exists()
    county = User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction="440606")
    told = Notification.objects.get(recipient=county, text__contains="移出拟认定名单")
    assert FINDING in told.text
    assert objection.reference not in told.text  # the receipt number opens the outcome: the objector's only


def test_the_owner_records_the_finding_and_its_evidence_on_the_objection_page(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """The objection page takes the finding (成立), its text and its evidence files in one step; the files
    are kept as the finding's, apart from the objector's, and open to the owner."""
    objection = world.object_to(world.first)
    owner = Client()
    owner.force_login(world.owner)
    url = reverse("notices:objection", args=[objection.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the upload is moved into place on commit
        done = owner.post(
            url,
            {"resolution": FINDING, "upheld": "yes", "resolve": "1", "files": [pdf_file("核对表.pdf")]},
            follow=True,
        )
    page = done.content.decode()
    assert "异议成立，该集群已移出拟认定名单" in page
    assert "核对表.pdf" in page
    kept = ObjectionFile.objects.get(objection=objection)
    assert (kept.kind, kept.uploaded_by) == (ObjectionFile.Kind.FINDING, world.owner)
    opened = owner.get(reverse("notices:objection_file", args=[kept.pk]))
    assert opened.status_code == 200
    world.first.refresh_from_db()
    assert world.first.status == Status.REJECTED


def test_an_application_with_an_upheld_objection_cannot_be_recognized_in_this_call(world: World) -> None:
    """Only 经公示无异议的 (SX 16, 贵州 解读六): the recognition service and its guard refuse the
    application whose objection was upheld, naming the objection; "认定全部无异议的" recognizes the other,
    the call's counts follow (one recognized, one not), and the notice closes."""
    objection = world.object_to(world.first)
    world.find(objection, upheld=True)
    world.end_notice()

    refusal = can_recognize_application(world.first, upheld_objections(world.call)[world.first.pk])
    assert not refusal
    assert objection.reference in refusal.reason
    with pytest.raises(PermissionDenied, match=objection.reference):
        registry_services.recognition_decide(
            actor=world.owner,
            call=world.call,
            application_ids=[world.first.pk],
            decision=registry_services.RECOGNIZE,
        )
    assert not RecognizedCluster.objects.exists()

    owner = Client()
    owner.force_login(world.owner)
    page = owner.get(reverse("registry:recognition", args=[world.call.pk])).content.decode()
    assert "没有成立异议的申报共 1 件" in page
    registry_services.recognize_unobjected(actor=world.owner, call=world.call)
    assert list(RecognizedCluster.objects.values_list("application", flat=True)) == [world.second.pk]
    assert Shortlist.objects.get(call=world.call).status == Shortlist.Status.DECIDED
    assert Notice.objects.get(pk=world.notice.pk).status == Notice.Status.CLOSED
    # The decision, its finding and evidence are kept.
    objection.refresh_from_db()
    assert (objection.upheld, objection.resolution) == (True, FINDING)


def test_an_objection_not_upheld_lets_the_application_proceed(world: World) -> None:
    """Not upheld (不成立): the application stays on the list and is recognized after the notice."""
    objection = world.find(world.object_to(world.first), upheld=False)
    world.first.refresh_from_db()
    assert world.first.status == Status.SHORTLISTED
    assert not AuditEvent.objects.filter(action="application.remove_on_objection").exists()
    world.end_notice()
    registry_services.recognition_decide(
        actor=world.owner,
        call=world.call,
        application_ids=[world.first.pk],
        decision=registry_services.RECOGNIZE,
    )
    assert RecognizedCluster.objects.filter(application=world.first).exists()
    assert objection.upheld is False


def test_a_batch_finding_of_upheld_takes_each_application_off_the_list(world: World) -> None:
    """The notice's batch step resolves as the single finding does: 成立 takes each application off."""
    objections = [world.object_to(world.first), world.object_to(world.second)]
    result = notice_services.objections_batch(
        actor=world.owner,
        notice=world.notice,
        objection_ids=[objection.pk for objection in objections],
        resolve=True,
        resolution=FINDING,
        upheld=True,
    )
    assert len(result.changed) == 2
    assert set(Application.objects.filter(call=world.call).values_list("status", flat=True)) == {
        Status.REJECTED
    }


def test_the_notice_and_the_published_list_say_so_without_naming_the_objector(world: World) -> None:
    """Made public (贵州 解读六 "并向社会公布"): the public notice marks the application taken off
    the list and the published list names it under "经公示异议成立、未予认定"; neither shows who objected
    nor how to reach them."""
    world.find(world.object_to(world.first), upheld=True)
    world.end_notice()
    registry_services.recognize_unobjected(actor=world.owner, call=world.call)
    public = Client()
    notice_page = public.get(reverse("notices:public_detail", args=[world.notice.pk])).content.decode()
    listing = public.get(reverse("registry:public_list")).content.decode()
    assert "经公示异议成立，已移出名单，本年度不予认定" in notice_page
    assert "经公示异议成立、未予认定的集群" in listing
    assert world.first.name in listing.split("经公示异议成立、未予认定的集群")[1]
    assert world.second.name not in listing.split("经公示异议成立、未予认定的集群")[1]
    for page in (notice_page, listing):
        assert OBJECTOR["real_name"] not in page
        assert OBJECTOR["phone"] not in page
        assert OBJECTOR["organization"] not in page


def _look_up(client: Client, reference: str, phone: str) -> Any:
    url = reverse("notices:objection_lookup")
    return client.post(url, {"reference": reference, "phone": phone, **objection_challenge(url, client)})


def test_the_objector_reads_the_outcome_with_the_receipt_number_and_telephone(world: World) -> None:
    """The decision, its finding and evidence are shown to the objector through the receipt number (issue 13,
    objection outcomes), with the telephone left with the objection as the second factor; a wrong number and
    a wrong telephone get the same answer and show nothing."""
    objection = world.find(world.object_to(world.first), upheld=True, files=1)
    client = Client()
    shown = _look_up(client, objection.reference.lower(), "+86 138 0013 8000")
    text = shown.content.decode()
    assert shown.status_code == 200
    assert "异议成立" in text
    assert FINDING in text
    assert "核对表1.pdf" in text
    assert world.first.name in text
    assert OBJECTOR["phone"] not in text

    wrong_phone = _look_up(client, objection.reference, "13900000000").content.decode()
    wrong_number = _look_up(client, "25-1-001-ZZZZ", OBJECTOR["phone"]).content.decode()
    for text in (wrong_phone, wrong_number):
        assert "受理编号或联系电话不正确" in text
        assert FINDING not in text
    # Only the status, as before, on the acknowledgement any holder of the number opens.
    ack = client.get(reverse("notices:objection_ack", args=[objection.reference])).content.decode()
    assert FINDING not in ack


def test_look_ups_that_miss_are_limited_per_address(world: World, settings: Any) -> None:
    """Like the objection form, a limit per client address counted in the database: past the misses allowed
    in an hour, even the right number and telephone are refused, so the limit cannot be probed."""
    settings.OBJECTION_LOOKUP_MISSES_PER_ADDRESS_PER_HOUR = 2
    objection = world.object_to(world.first)
    find = notice_services.objection_lookup_by_receipt
    assert find(reference=objection.reference, phone=OBJECTOR["phone"], client_address="198.51.100.7")
    for _attempt in range(2):
        assert find(reference=objection.reference, phone="13900000000", client_address="198.51.100.7") is None
    with pytest.raises(notice_services.TooManyLookups):
        find(reference=objection.reference, phone=OBJECTOR["phone"], client_address="198.51.100.7")
    assert find(reference=objection.reference, phone=OBJECTOR["phone"], client_address="198.51.100.8")
    refused = _look_up(Client(REMOTE_ADDR="198.51.100.7"), objection.reference, OBJECTOR["phone"])
    assert refused.status_code == 429
    assert "查询失败次数过多" in refused.content.decode()


def test_the_misses_are_purged_after_the_hour(world: World, clock: Clock) -> None:
    find = notice_services.objection_lookup_by_receipt
    assert find(reference="25-1-001-ZZZZ", phone="13900000000", client_address="198.51.100.7") is None
    clock.beijing(date(2025, 6, 10) + timedelta(days=1))
    assert notice_services.objection_lookup_misses_purge() == 1


def _finding_links(page: str) -> list[str]:
    return re.findall(r'<a class="finding-file" href="([^"]+)">', page)


def test_the_objector_downloads_the_findings_evidence_through_signed_links(
    world: World, clock: Clock, settings: Any
) -> None:
    """Issue 13, objection outcomes: "the decision, its finding and evidence are kept and shown to the
    objector through the receipt number". Without an account, the outcome page gives one signed link per
    evidence file of the finding, served like every other download; the link lasts
    ``OBJECTION_FINDING_LINK_MINUTES`` and no longer."""
    settings.OBJECTION_FINDING_LINK_MINUTES = 30
    with TestCase.captureOnCommitCallbacks(execute=True):  # the files reach their place on commit
        objection = world.find(world.object_to(world.first), upheld=True, files=2)
    client = Client()
    page = _look_up(client, objection.reference, OBJECTOR["phone"]).content.decode()
    links = _finding_links(page)
    assert len(links) == 2
    assert "30 分钟内有效" in page
    first = ObjectionFile.objects.get(objection=objection, original_name="核对表1.pdf")
    served = Client().get(links[0])
    assert served.status_code == 200
    assert served.getvalue() == pdf_file().getvalue()
    assert served["Content-Type"] == first.content_type
    assert "attachment" in served["Content-Disposition"]
    # Past its lifetime the same link is refused, and a fresh look-up gives a fresh one.
    clock.beijing(date(2025, 6, 10) + timedelta(days=1))
    assert Client().get(links[0]).status_code == 404
    fresh = _finding_links(_look_up(Client(), objection.reference, OBJECTOR["phone"]).content.decode())
    assert Client().get(fresh[0]).status_code == 200


def test_a_forged_or_foreign_link_is_refused_and_the_objectors_own_files_are_never_linked(
    world: World,
) -> None:
    """Only a link the site signed for this objection's finding serves a file: a forged token, one signed
    under another salt, one naming another objection, one naming the objector's own evidence (served to the
    notice's owner only) or a finding not yet resolved are the same 404."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        mine = notice_services.objection_file(
            notice=world.notice,
            application_id=world.first.pk,
            client_address="203.0.113.9",
            uploads=[pdf_upload("异议人证明.pdf")],
            **OBJECTOR,
        )
        mine = world.find(mine, upheld=False, files=1)
        other = world.find(world.object_to(world.second), upheld=True, files=1)
    finding = ObjectionFile.objects.get(objection=mine, kind=ObjectionFile.Kind.FINDING)
    own = ObjectionFile.objects.get(objection=mine, kind=ObjectionFile.Kind.OBJECTOR)
    elsewhere = ObjectionFile.objects.get(objection=other, kind=ObjectionFile.Kind.FINDING)

    page = _look_up(Client(), mine.reference, OBJECTOR["phone"]).content.decode()
    assert len(_finding_links(page)) == 1
    assert "异议人证明.pdf" not in page

    def url(token: str) -> str:
        return reverse("notices:finding_file", args=[token])

    good = finding_file_token(finding)
    assert Client().get(url(good)).status_code == 200
    refused = [
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),  # the signature altered
        "forged",
        signing.dumps({"objection": mine.pk, "file": finding.pk}, salt="another.purpose"),
        signing.dumps({"objection": mine.pk, "file": elsewhere.pk}, salt=finding_links.SALT),
        signing.dumps({"objection": mine.pk, "file": own.pk}, salt=finding_links.SALT),
        signing.dumps([mine.pk, finding.pk], salt=finding_links.SALT),
    ]
    for token in refused:
        assert Client().get(url(token)).status_code == 404, token
    # The objector's own files: only the notice's owner opens them.
    assert Client().get(reverse("notices:objection_file", args=[own.pk])).status_code == 302  # to login
    owner = Client()
    owner.force_login(world.owner)
    assert owner.get(reverse("notices:objection_file", args=[own.pk])).status_code == 200
    # Reopened (not resolved): the finding's evidence is no longer served.
    Objection.objects.filter(pk=mine.pk).update(status=Objection.Status.INVESTIGATING)
    assert Client().get(url(good)).status_code == 404
