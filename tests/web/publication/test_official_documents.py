"""Official documents that read like the department's own (issue 14, "Document templates as data per
programme"): the recognition notice, the public notice and the certificate of a Guangdong and the national
call, read back from the PDFs' text — issuer, 文号 (entered at issue, a draft until then), 主送, level, the
measure as it stands (GD's draft named as 征求意见稿, the national measure with its 文号), dates in Chinese
form (GB/T 9704-2012 §7.3.5.1: 2025年6月22日) and never an expert score."""

from __future__ import annotations

import io
import re
from datetime import date

import pypdf
import pytest
from django.urls import reverse
from pub_support import PubWorld, pub_client, pub_publish

from clock import Clock
from smecluster.apps.accounts.models import Jurisdiction, Level, User
from smecluster.apps.audit import actions
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.programmes.letterhead import letterhead
from smecluster.apps.programmes.models import Programme
from smecluster.apps.programmes.services import programme_update
from smecluster.apps.registry.models import RecognitionNotice, RecognizedCluster
from smecluster.apps.registry.services.recognition import recognition_decide
from smecluster.documents.chinese_dates import chinese_date

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
GD_ISSUER = "广东省工业和信息化厅"
GD_MEASURE = "《广东省促进中小企业特色产业集群发展暂行办法（征求意见稿）》"
NATIONAL_MEASURE = "工信部企业〔2022〕119号"
NATIONAL_ADDRESSEES = "各省、自治区、直辖市及计划单列市、新疆生产建设兵团中小企业主管部门"


def _pdf_text(content: bytes) -> str:
    """The text of every page, without the line breaks a narrow cell or a long line puts inside words."""
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", "", text)


def _recognize(world: PubWorld, clock: Clock, notice_starts: date, recognized_on: date) -> PubWorld:
    pub_publish(world, clock, notice_starts)
    clock.beijing(recognized_on)
    recognition_decide(
        actor=world.owner,
        call=world.call,
        application_ids=[application.pk for application in world.shortlisted],
        decision="recognize",
    )
    return world


@pytest.fixture
def gd_recognized(pub_world: PubWorld, clock: Clock) -> PubWorld:
    """The Guangdong call: notice from 2024-02-19 (7 working days), recognized 2024-03-04."""
    return _recognize(pub_world, clock, date(2024, 2, 19), date(2024, 3, 4))


@pytest.fixture
def national_recognized(pub_national_world: PubWorld, clock: Clock) -> PubWorld:
    """The national call: notice from 2024-02-19 (5 working days), recognized 2024-03-04."""
    return _recognize(pub_national_world, clock, date(2024, 2, 19), date(2024, 3, 4))


def _notice_pdf(world: PubWorld) -> str:
    response = pub_client(world.owner).get(reverse("registry:notice_pdf", args=[world.call.pk]))
    assert response.status_code == 200
    return _pdf_text(response.content)


def _issue(world: PubWorld, number: str, dated: str) -> str:
    response = pub_client(world.owner).post(
        reverse("registry:recognition", args=[world.call.pk]),
        {"issue_notice": "1", "number": number, "dated": dated},
    )
    if response.status_code == 302:
        return ""
    assert response.status_code == 200
    return response.content.decode()


# --- the recognition notice ---------------------------------------------------------------------------


def test_the_guangdong_recognition_notice_is_a_draft_until_its_number_is_entered(
    gd_recognized: PubWorld,
) -> None:
    year = gd_recognized.call.year
    text = _notice_pdf(gd_recognized)
    # Title with issuer and level (GD 17: 省工业和信息化厅), 主送, the measure as it stands: a draft.
    assert f"{GD_ISSUER}关于公布{year}年度省级中小企业特色产业集群名单的通知" in text
    assert "各地级以上市工业和信息化主管部门：" in text
    assert f"根据{GD_MEASURE}" in text
    assert "认定以下2个集群为省级中小企业特色产业集群" in text
    # Never silently missing: the draft says it has no number and no date yet.
    assert "（未编文号）" in text
    assert "草稿" in text
    assert "（成文日期待定）" in text
    # The notice period and validity in Chinese dates, no ISO date anywhere, no score.
    assert "拟认定名单已于2024年2月19日至2024年2月27日公示（7个工作日）" in text
    assert "2024年3月4日至2027年3月3日" in text
    assert not ISO_DATE.search(text), ISO_DATE.findall(text)
    assert "90.00" not in text
    assert "得分" not in text
    # No contact set on the programme: the notice gives the office's contact from the public notice.
    assert "联系方式：省工业和信息化厅中小企业处，电话020-83133000" in text


def test_the_owner_enters_the_number_and_the_notice_prints_it_with_its_date(gd_recognized: PubWorld) -> None:
    assert _issue(gd_recognized, "粤工信融资函〔2024〕12号", "2024-03-04") == ""
    issued = RecognitionNotice.objects.get(call=gd_recognized.call)
    assert (issued.number, issued.dated, issued.entered_by) == (
        "粤工信融资函〔2024〕12号",
        date(2024, 3, 4),
        gd_recognized.owner,
    )
    event = AuditEvent.objects.get(action=actions.RECOGNITION_NOTICE_ISSUE.code)
    assert event.after == {"number": "粤工信融资函〔2024〕12号", "dated": "2024-03-04"}
    text = _notice_pdf(gd_recognized)
    assert "粤工信融资函〔2024〕12号" in text
    assert "未编文号" not in text
    assert "草稿" not in text
    assert text.endswith(f"{GD_ISSUER}2024年3月4日") or f"{GD_ISSUER}2024年3月4日" in text

    # A typing error corrected: the new number replaces the old, and the audit keeps both.
    assert _issue(gd_recognized, "粤工信融资函〔2024〕13号", "2024-03-04") == ""
    corrected = AuditEvent.objects.filter(action=actions.RECOGNITION_NOTICE_ISSUE.code).latest("pk")
    assert corrected.before == {"number": "粤工信融资函〔2024〕12号", "dated": "2024-03-04"}
    assert "粤工信融资函〔2024〕13号" in _notice_pdf(gd_recognized)


@pytest.mark.parametrize(
    ("number", "dated", "told"),
    [
        ("", "2024-03-04", "请填写文号"),
        ("粤工信融资函[2024]12号", "2024-03-04", "文号须为“机关代字〔年份〕序号号”"),
        ("粤工信融资函〔2024〕12", "2024-03-04", "文号须为“机关代字〔年份〕序号号”"),
        ("〔2024〕12号", "2024-03-04", "文号须为“机关代字〔年份〕序号号”"),
        ("粤工信融资函〔2023〕12号", "2024-03-04", "文号中的年份（〔2023〕）与成文日期的年份（2024年）"),
        ("粤工信融资函〔2024〕12号", "", "请填写成文日期"),
        ("粤工信融资函〔2024〕12号", "2024-03-01", "成文日期不能早于名单中最后一个集群的认定之日"),
        ("粤工信融资函〔2024〕12号", "2024-03-05", "成文日期不能晚于今日"),
    ],
)
def test_a_malformed_number_or_date_is_told_at_its_field_and_nothing_is_recorded(
    gd_recognized: PubWorld, number: str, dated: str, told: str
) -> None:
    page = _issue(gd_recognized, number, dated)
    assert told in page
    assert not RecognitionNotice.objects.exists()
    assert not AuditEvent.objects.filter(action=actions.RECOGNITION_NOTICE_ISSUE.code).exists()


def test_only_the_owner_enters_the_number(gd_recognized: PubWorld, web_users: dict[str, User]) -> None:
    response = pub_client(web_users["city_officer"]).post(
        reverse("registry:recognition", args=[gd_recognized.call.pk]),
        {"issue_notice": "1", "number": "粤工信融资函〔2024〕12号", "dated": "2024-03-04"},
    )
    assert response.status_code in (403, 404)
    assert not RecognitionNotice.objects.exists()


def test_the_national_recognition_notice_reads_like_the_ministrys(national_recognized: PubWorld) -> None:
    year = national_recognized.call.year
    assert _issue(national_recognized, "工信部企业函〔2024〕58号", "2024-03-04") == ""
    text = _notice_pdf(national_recognized)
    # The ministry's titles name no level (its notices: "…中小企业特色产业集群名单的通知").
    assert f"工业和信息化部关于公布{year}年度中小企业特色产业集群名单的通知" in text
    assert "工信部企业函〔2024〕58号" in text
    assert f"{NATIONAL_ADDRESSEES}：" in text
    assert NATIONAL_MEASURE in text
    assert "征求意见稿" not in text  # the national measure is in force: said as it stands
    assert "认定以下2个集群为中小企业特色产业集群" in text
    assert "拟认定名单已于2024年2月19日至2024年2月23日公示（5个工作日）" in text
    assert "工业和信息化部2024年3月4日" in text
    assert not ISO_DATE.search(text), ISO_DATE.findall(text)
    assert "90.00" not in text


# --- the certificate ----------------------------------------------------------------------------------


def _certificate(world: PubWorld) -> str:
    cluster = RecognizedCluster.objects.filter(application__call=world.call).order_by("number").first()
    assert cluster is not None
    response = pub_client(world.owner).get(reverse("registry:certificate", args=[cluster.pk]))
    assert response.status_code == 200
    return _pdf_text(response.content)


def test_the_certificates_name_the_level_and_the_issuer_with_chinese_dates(
    gd_recognized: PubWorld, national_recognized: PubWorld
) -> None:
    gd = _certificate(gd_recognized)
    assert f"经{GD_ISSUER}认定为省级中小企业特色产业集群" in gd
    assert "2024年3月4日至2027年3月3日" in gd
    assert not ISO_DATE.search(gd)
    national = _certificate(national_recognized)
    assert "经工业和信息化部认定为国家级中小企业特色产业集群" in national
    assert not ISO_DATE.search(national)


# --- the public notice --------------------------------------------------------------------------------


def _public_notice_pdf(world: PubWorld) -> str:
    assert world.notice is not None
    response = pub_client().get(reverse("notices:public_pdf", args=[world.notice.pk]))  # no login
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return _pdf_text(response.content)


def test_the_guangdong_public_notice_pdf_is_a_formal_notice_without_scores(gd_recognized: PubWorld) -> None:
    year = gd_recognized.call.year
    text = _public_notice_pdf(gd_recognized)
    assert f"关于{year}年度省级中小企业特色产业集群拟认定名单的公示" in text
    assert f"根据{GD_MEASURE}，按照申报、审核推荐、专家评审等程序" in text
    for application in gd_recognized.shortlisted:
        assert application.name in text
        assert application.leading_industry in text
    assert gd_recognized.others[0].name not in text
    assert "公示期为2024年2月19日至2024年2月27日（7个工作日）" in text
    # How to object: in writing, real name, an organisation's seal, no anonymous objection, the form.
    for said in ("以书面形式实名提出", "须签署真实姓名并注明联系方式", "须加盖单位公章", "匿名异议不予受理"):
        assert said in text, said
    assert "网上异议表" in text
    assert "020-83133000" in text  # the contact the owner gave when publishing
    assert f"{GD_ISSUER}2024年2月18日" in text  # 落款 and the day it was published
    assert not ISO_DATE.search(text), ISO_DATE.findall(text)
    assert "90.00" not in text
    assert "得分" not in text


def test_the_national_public_notice_pdf_cites_the_measure_in_force(national_recognized: PubWorld) -> None:
    year = national_recognized.call.year
    text = _public_notice_pdf(national_recognized)
    assert f"关于{year}年度中小企业特色产业集群拟认定名单的公示" in text
    assert NATIONAL_MEASURE in text
    assert "征求意见稿" not in text
    assert "公示期为2024年2月19日至2024年2月23日（5个工作日）" in text
    assert "工业和信息化部" in text
    assert "90.00" not in text


def test_scores_stay_on_the_owners_notice_page(gd_recognized: PubWorld) -> None:
    assert gd_recognized.notice is not None
    page = pub_client(gd_recognized.owner).get(reverse("notices:manage", args=[gd_recognized.notice.pk]))
    assert page.status_code == 200
    assert "90.00" in page.content.decode()


# --- the particulars as the owner sets them, and their defaults ----------------------------------------


def test_the_owners_particulars_replace_the_defaults_in_every_document(gd_recognized: PubWorld) -> None:
    Programme.objects.filter(pk=gd_recognized.call.programme_id).update(
        document_issuer="广东省中小企业局",
        document_addressees="各地级以上市中小企业主管部门",
        document_contact_person="王五",
        document_contact_phone="020-83133999",
        objection_mailing_address="广州市越秀区东风中路 305 号，邮政编码 510031",
    )
    notice = _notice_pdf(gd_recognized)
    assert "广东省中小企业局关于公布" in notice
    assert "各地级以上市中小企业主管部门：" in notice
    assert "联系人：王五，电话：020-83133999" in notice
    public = _public_notice_pdf(gd_recognized)
    assert "书面材料请寄送：广州市越秀区东风中路305号，邮政编码510031" in public
    assert "广东省中小企业局" in public
    assert "经广东省中小企业局认定为省级中小企业特色产业集群" in _certificate(gd_recognized)


def test_the_default_issuer_is_a_real_department_never_an_invented_one(web_divisions: None) -> None:
    """GD's own rule set: its issuer; a province running the national rule set: its own department by its
    name (浙江 says 经济和信息化厅); a city's programme: the city's 工业和信息化局; the national one: the
    ministry. Never "…中小企业主管部门"."""
    guangdong = Jurisdiction.objects.get(code="440000")
    foshan = Jurisdiction.objects.get(code="440600")
    zhejiang, _created = Jurisdiction.objects.get_or_create(
        code="330000", defaults={"name": "浙江省", "level": Level.PROVINCE}
    )
    zhejiang_department = "浙江省经济和信息化厅"
    cases = [
        (Programme(owner=guangdong, owner_level="province", rule_set_id="guangdong-2022"), GD_ISSUER),
        (Programme(owner=zhejiang, owner_level="province", rule_set_id="national-2022"), zhejiang_department),
        (Programme(owner=guangdong, owner_level="province", rule_set_id="national-2022"), GD_ISSUER),
        (Programme(owner=foshan, owner_level="city", rule_set_id="guangdong-2022"), "佛山市工业和信息化局"),
        (Programme(owner=None, owner_level="national", rule_set_id="national-2022"), "工业和信息化部"),
    ]
    for programme, issuer in cases:
        heading = letterhead(programme)
        assert heading.issuer == issuer, (programme.owner, programme.rule_set_id)
        assert "中小企业主管部门" not in heading.issuer
    assert letterhead(cases[3][0]).title_level == "市级"
    assert letterhead(cases[4][0]).addressees == NATIONAL_ADDRESSEES
    assert (letterhead(cases[4][0]).title_level, letterhead(cases[4][0]).certificate_level) == ("", "国家级")


def test_chinese_dates_have_no_leading_zeros() -> None:
    """GB/T 9704-2012 §7.3.5.1: 月、日不编虚位."""
    assert chinese_date(date(2025, 6, 22)) == "2025年6月22日"
    assert chinese_date(date(2025, 1, 5)) == "2025年1月5日"


def test_the_owner_edits_the_particulars_on_the_programme_page_and_the_change_is_audited(
    pub_world: PubWorld,
) -> None:
    programme = pub_world.call.programme
    page = pub_client(pub_world.owner).get(reverse("programmes:edit", args=[programme.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'name="document_issuer"' in text
    assert f"发文机关“{GD_ISSUER}”" in text  # the default it falls back to, shown beside the field
    programme_update(
        actor=pub_world.owner,
        programme=programme,
        fields={"document_issuer": "广东省中小企业局", "document_contact_phone": "020-83133999"},
    )
    event = AuditEvent.objects.filter(action=actions.PROGRAMME_UPDATE.code).latest("pk")
    assert event.before == {"document_issuer": "", "document_contact_phone": ""}
    assert event.after == {"document_issuer": "广东省中小企业局", "document_contact_phone": "020-83133999"}
    programme.refresh_from_db()
    assert letterhead(programme).issuer == "广东省中小企业局"
