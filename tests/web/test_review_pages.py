"""The city's pages on an application: accept, return, initial review, spot check, recommend, versions and
history; who may open them; the quota; every step audited with the request's id."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories import PLEDGE
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications import services as application_services
from smecluster.apps.applications.models import Application, EvidenceFile, Section
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notifications.models import Notification
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.reviews import services as review_services
from smecluster.apps.reviews.models import InitialReview, SpotCheck
from smecluster.policy.ruleset import rule_set
from smecluster.site.demo import sample_fields, sample_years

pytestmark = pytest.mark.django_db

RULE_SET = "guangdong-2022"


def _png() -> bytes:
    """A real 1×1 PNG: signature, IHDR, IDAT, IEND, with correct CRCs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x2a\x7f\xd4"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def rv_divisions() -> None:
    """The GB/T 2260 rows (a transactional test elsewhere may have flushed them)."""
    ensure_divisions()


@pytest.fixture
def rv_people(rv_divisions: None) -> dict[str, User]:
    people = {
        "province": (Role.PROVINCE_ADMIN, "440000"),
        "city": (Role.CITY_OFFICER, "440600"),  # 佛山市, the application's city
        "other_city": (Role.CITY_OFFICER, "440100"),  # 广州市
        "county": (Role.COUNTY_OFFICER, "440606"),  # 顺德区, the applicant
        "neighbour": (Role.COUNTY_OFFICER, "440605"),  # 南海区, same city
        "far_county": (Role.COUNTY_OFFICER, "440113"),  # 广州市番禺区
    }
    users = {}
    for key, (role, code) in people.items():
        user = User(username=f"rv-{key}", role=role, jurisdiction_id=code, first_name=key)
        user.set_password("rv-password-42")
        user.save()
        users[key] = user
    return users


@pytest.fixture
def rv_call(rv_divisions: None) -> Callable[..., YearlyCall]:
    def make(quota: int | None = 3) -> YearlyCall:
        today = timezone.localdate()
        programme = Programme.objects.create(
            name="广东省中小企业特色产业集群认定（评审页面测试）",
            owner_id="440000",
            owner_level="province",
            rule_set_id=RULE_SET,
            review_chain=["county", "city", "province"],
            quota_per_unit=quota,
        )
        return YearlyCall.objects.create(
            programme=programme,
            year=today.year,
            opens_on=today - timedelta(days=5),
            closes_on=today + timedelta(days=20),
            city_deadline=today + timedelta(days=30),
            province_deadline=today + timedelta(days=60),
            quota=quota,
        )

    return make


def _years(call: YearlyCall, first_output: str) -> list[dict[str, Any]]:
    """The three complete years before the call year, output growing 12 % a year (亿元); the other figures
    as the demo's (every computed criterion can be checked: a missing one bars recommendation)."""
    output = Decimal(first_output)
    rows = []
    for sample in sample_years(call.year - 1):
        rows.append(
            {
                **sample,
                "output": output,
                "sme_output": output * Decimal("0.8"),
                "leading_output": output * Decimal("0.85"),
            }
        )
        output = (output * Decimal("1.12")).quantize(Decimal("0.0001"))
    return rows


@pytest.fixture
def rv_submitted(
    rv_people: dict[str, User], rv_call: Callable[..., YearlyCall]
) -> Callable[..., Application]:
    """A 顺德区 application with a valid profile, submitted by the county officer (through the services)."""
    calls: dict[int | None, YearlyCall] = {}

    def make(name: str = "顺德区智能家电产业集群", *, quota: int | None = 3) -> Application:
        call = calls.get(quota) or calls.setdefault(quota, rv_call(quota))
        county = rv_people["county"]
        application = application_services.application_create(
            actor=county, call=call, name=name, leading_industry="智能家电"
        )
        application_services.application_update(
            actor=county,
            application=application,
            fields={**sample_fields(name, "智能家电"), "area_km2": Decimal("38.5")},
        )
        application_services.application_set_rows(
            actor=county, application=application, kind="years", rows=_years(call, "50")
        )
        application_services.application_submit(actor=county, application=application, pledge=PLEDGE)
        application.refresh_from_db()
        return application

    return make


def _reviewed(application: Application, city: User) -> Application:
    review_services.application_accept(actor=city, application=application)
    review_services.initial_review_record(
        actor=city,
        application=application,
        findings=[{"criterion_id": "gd-output", "status": "pass", "note": ""}],
        conclusion="符合条件",
    )
    application.refresh_from_db()
    return application


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, application: Application) -> str:
    return reverse(name, args=[application.pk])


def _audited(application: Application, action: str, request_id: str) -> AuditEvent:
    event = AuditEvent.objects.get(
        target_type="applications.application", target_id=str(application.pk), action=action
    )
    assert event.request_id == request_id
    return event


def _all_findings(note_for_fail: str = "") -> dict[str, str]:
    data = {}
    for criterion in rule_set(RULE_SET).criteria:
        data[f"finding_{criterion.id}"] = "pass"
        data[f"note_{criterion.id}"] = ""
    data["finding_gd-brand"] = "fail"
    data["note_gd-brand"] = note_for_fail
    return data


def test_the_city_path_from_submission_to_recommendation(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application]
) -> None:
    """Given a submitted application, the city returns it with a reason, sees what the county changed in
    the resubmission, accepts, reviews criterion by criterion, records a spot check with a photo and
    recommends it; each step notifies the right people and is audited under the request's id."""
    city, county = rv_people["city"], rv_people["county"]
    application = rv_submitted()
    assert Notification.objects.filter(recipient=city, text__contains=application.number).exists()
    client = _client(city)

    # return, with a reason
    page = client.get(_url("reviews:return", application))
    assert page.status_code == 200
    assert "退回理由" in page.content.decode()
    response = client.post(
        _url("reviews:return", application),
        {"reason": "请补充2023年产值的统计部门证明"},
        headers={"X-Request-Id": "rv-return"},
    )
    assert response.status_code == 302
    assert response.url == _url("applications:detail", application)
    application.refresh_from_db()
    assert application.status == Status.RETURNED
    assert application.return_reason == "请补充2023年产值的统计部门证明"
    assert _audited(application, "application.return", "rv-return").reason == application.return_reason
    assert Notification.objects.filter(recipient=county, text__contains="退回").exists()

    # the county edits and resubmits (its own pages are tested elsewhere)
    application_services.application_update(
        actor=county, application=application, fields={"area_km2": Decimal("41.25")}
    )
    application_services.application_submit(actor=county, application=application, pledge=PLEDGE)
    application.refresh_from_db()
    assert application.versions.count() == 2

    page = client.get(_url("reviews:versions", application))
    text = page.content.decode()
    assert page.status_code == 200
    assert "第 2 版" in text
    assert "占地面积（平方公里）" in text
    assert "38.5000" in text
    assert "41.2500" in text
    assert "请补充2023年产值的统计部门证明" in text  # why the county changed it

    # accept
    response = client.post(_url("reviews:accept", application), headers={"X-Request-Id": "rv-accept"})
    assert response.status_code == 302
    assert response.url == _url("applications:detail", application)
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED
    _audited(application, "application.accept", "rv-accept")
    assert Notification.objects.filter(recipient=county, text__contains="受理").exists()

    # initial review: one row per criterion with the live verdict beside it
    page = client.get(_url("reviews:initial_review", application))
    text = page.content.decode()
    assert page.status_code == 200
    for criterion in rule_set(RULE_SET).criteria:
        assert f'name="finding_{criterion.id}"' in text
        assert criterion.article.cite() in text
    assert "占地面积不超过100平方公里" in text
    assert "41.25 km²" in text or "41.25" in text  # the computed figure beside the criterion

    refused = client.post(
        _url("reviews:initial_review", application), {**_all_findings(), "conclusion": "基本符合"}
    )
    assert refused.status_code == 200
    assert "认定为不符合时，请说明理由" in refused.content.decode()
    assert "基本符合" in refused.content.decode()  # what was entered is kept
    assert not InitialReview.objects.filter(application=application).exists()

    response = client.post(
        _url("reviews:initial_review", application),
        {**_all_findings("品牌知名度材料不足"), "conclusion": "基本符合，品牌知名度待补充"},
        headers={"X-Request-Id": "rv-review"},
    )
    assert response.status_code == 302
    review = InitialReview.objects.get(application=application)
    assert len(review.findings) == len(rule_set(RULE_SET).criteria)
    assert {"criterion_id": "gd-brand", "status": "fail", "note": "品牌知名度材料不足"} in review.findings
    assert review.version_number == 2
    application.refresh_from_db()
    assert application.status == Status.REVIEWED
    _audited(application, "application.review", "rv-review")

    # spot check with a photo
    photo = SimpleUploadedFile("现场照片.png", _png(), content_type="image/png")
    response = client.post(
        _url("reviews:spot_check", application),
        {
            "checked_on": f"{timezone.localdate():%Y-%m-%d}",
            "inspectors": "王五（市工信局）、赵六",
            "findings": "园区与申报范围一致，主要企业在产",
            "conclusion": SpotCheck.Conclusion.CONFIRMED,
            "files": [photo],
        },
        headers={"X-Request-Id": "rv-spot"},
    )
    assert response.status_code == 302
    record = SpotCheck.objects.get(application=application)
    assert [file.original_name for file in record.files.all()] == ["现场照片.png"]
    assert record.files.get().section == Section.SPOT_CHECK
    assert record.files.get().content_type == "image/png"
    _audited(application, "application.spot_check", "rv-spot")
    page = client.get(_url("reviews:spot_check", application))
    assert "现场照片.png" in page.content.decode()

    # recommend
    page = client.get(_url("reviews:recommend", application))
    assert "推荐名额 3 个，已推荐 0 个" in page.content.decode()
    response = client.post(
        _url("reviews:recommend", application),
        {"decision": "recommend", "reason": "产值和增速均达标，抽查相符"},
        headers={"X-Request-Id": "rv-recommend"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    assert application.recommendation.reason == "产值和增速均达标，抽查相符"
    _audited(application, "application.recommend", "rv-recommend")
    assert Notification.objects.filter(recipient=county, text__contains="已推荐至省级").exists()

    # and the whole story is on the history page
    page = client.get(_url("reviews:history", application))
    text = page.content.decode()
    for words in ("提交", "退回修改", "受理", "初审", "实地抽查", "推荐", "rv-return", "请补充2023年产值"):
        assert words in text


def test_a_spot_check_file_that_is_not_what_it_claims_is_refused_at_the_field(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application]
) -> None:
    """A text file named .png is refused at the file field; nothing of the record is kept (not even the
    good photo uploaded with it), and what was typed stays in the form."""
    application = _reviewed(rv_submitted(), rv_people["city"])
    root = Path(settings.EVIDENCE_ROOT)
    files_before = sorted(root.rglob("*")) if root.exists() else []
    response = _client(rv_people["city"]).post(
        _url("reviews:spot_check", application),
        {
            "checked_on": f"{timezone.localdate():%Y-%m-%d}",
            "inspectors": "王五",
            "findings": "现场情况记录",
            "conclusion": SpotCheck.Conclusion.CONFIRMED,
            "files": [
                SimpleUploadedFile("真照片.png", _png(), "image/png"),
                SimpleUploadedFile("假照片.png", b"just some text, not an image", "image/png"),
            ],
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "假照片.png" in text
    assert "只接受" in text
    assert "现场情况记录" in text
    assert not SpotCheck.objects.filter(application=application).exists()
    assert not EvidenceFile.objects.filter(application=application).exists()
    assert sorted(path for path in root.rglob("*") if path.is_file()) == [
        path for path in files_before if path.is_file()
    ]


def test_a_spot_check_date_in_the_future_is_refused(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application]
) -> None:
    application = _reviewed(rv_submitted(), rv_people["city"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = _client(rv_people["city"]).post(
        _url("reviews:spot_check", application),
        {
            "checked_on": f"{tomorrow:%Y-%m-%d}",
            "inspectors": "王五",
            "findings": "x",
            "conclusion": "confirmed",
        },
    )
    assert response.status_code == 200
    assert "抽查日期不能晚于今天" in response.content.decode()


def test_return_without_a_reason_is_refused_at_the_field(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application]
) -> None:
    application = rv_submitted()
    response = _client(rv_people["city"]).post(_url("reviews:return", application), {"reason": "   "})
    text = response.content.decode()
    assert response.status_code == 200
    assert "请填写退回理由" in text
    assert 'class="field has-error"' in text
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert not AuditEvent.objects.filter(action="application.return").exists()


def test_recommend_needs_a_reason_and_a_decision(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application]
) -> None:
    application = _reviewed(rv_submitted(), rv_people["city"])
    response = _client(rv_people["city"]).post(_url("reviews:recommend", application), {"reason": ""})
    text = response.content.decode()
    assert "请选择推荐或不予推荐" in text
    assert "请填写理由" in text
    application.refresh_from_db()
    assert application.status == Status.REVIEWED


def test_not_recommending_records_the_reason_and_tells_the_county(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application]
) -> None:
    application = _reviewed(rv_submitted(), rv_people["city"])
    response = _client(rv_people["city"]).post(
        _url("reviews:recommend", application), {"decision": "not_recommend", "reason": "增速未达标"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.NOT_RECOMMENDED
    assert application.recommendation.recommended is False
    assert Notification.objects.filter(recipient=rv_people["county"], text__contains="未获推荐").exists()


def test_the_quota_is_enforced_with_the_message_at_the_form(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application]
) -> None:
    """Quota 1: once one application of the city is recommended, the second is refused at the form."""
    city = rv_people["city"]
    first = _reviewed(rv_submitted("顺德区家电集群", quota=1), city)
    second = _reviewed(rv_submitted("顺德区家具集群", quota=1), city)
    client = _client(city)
    assert (
        client.post(_url("reviews:recommend", first), {"decision": "recommend", "reason": "达标"}).status_code
        == 302
    )

    page = client.get(_url("reviews:recommend", second))
    assert "推荐名额 1 个，已推荐 1 个，剩余 0 个" in page.content.decode()
    assert first.number in page.content.decode()
    response = client.post(_url("reviews:recommend", second), {"decision": "recommend", "reason": "达标"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "本市本年度推荐名额为 1 个，已推荐 1 个" in text
    assert "errorlist nonfield" in text
    second.refresh_from_db()
    assert second.status == Status.REVIEWED
    # not recommending stays possible when the quota is used up
    response = client.post(
        _url("reviews:recommend", second), {"decision": "not_recommend", "reason": "名额已满"}
    )
    assert response.status_code == 302


CITY_ACTIONS = [
    ("reviews:accept", "post"),
    ("reviews:return", "get"),
    ("reviews:return", "post"),
    ("reviews:initial_review", "get"),
    ("reviews:spot_check", "get"),
    ("reviews:recommend", "get"),
    ("reviews:recommend", "post"),
]
RECORD_PAGES = ["reviews:history", "reviews:versions"]


@pytest.mark.parametrize(("name", "method"), CITY_ACTIONS)
def test_only_the_city_officer_of_the_application_may_take_the_city_steps(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application], name: str, method: str
) -> None:
    """The county, a neighbouring county and the province see the application but may not act (403);
    another city's officer and a county of another city do not see it at all (404)."""
    application = rv_submitted()
    if name in ("reviews:initial_review", "reviews:spot_check", "reviews:recommend"):
        application = _reviewed(application, rv_people["city"])
    expected = {"county": 403, "province": 403, "neighbour": 404, "other_city": 404, "far_county": 404}
    for who, status in expected.items():
        client = _client(rv_people[who])
        response = getattr(client, method)(_url(name, application), {"decision": "recommend", "reason": "x"})
        assert response.status_code == status, who
        if status == 403:
            assert "须由市级主管部门操作" in response.content.decode(), "the 403 page shows the reason"
    application.refresh_from_db()
    assert application.status in (Status.SUBMITTED, Status.REVIEWED)
    assert _client(rv_people["city"]).get(_url(name, application)).status_code in (200, 405)


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_the_record_pages_are_open_to_whoever_may_see_the_application(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application], name: str
) -> None:
    application = rv_submitted()
    for who, status in {
        "county": 200,
        "city": 200,
        "province": 200,
        "neighbour": 404,
        "other_city": 404,
        "far_county": 404,
    }.items():
        assert _client(rv_people[who]).get(_url(name, application)).status_code == status, who


def test_a_city_step_in_the_wrong_state_is_refused_with_the_reason(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application]
) -> None:
    """Recommending before the initial review is a 403 whose reason names the state."""
    application = rv_submitted()
    client = _client(rv_people["city"])
    refused = client.get(_url("reviews:recommend", application))
    assert refused.status_code == 403
    assert "当前状态（已提交，待受理）不能推荐" in refused.content.decode()
    assert client.get(_url("reviews:initial_review", application)).status_code == 403
    assert client.post(_url("reviews:accept", application)).status_code == 302
    assert client.post(_url("reviews:accept", application)).status_code == 403


def test_the_steps_shown_to_the_city_say_why_a_step_is_not_open(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application]
) -> None:
    application = rv_submitted()
    text = _client(rv_people["city"]).get(_url("reviews:versions", application)).content.decode()
    assert reverse("reviews:accept", args=[application.pk]) in text
    assert "当前状态（已提交，待受理）不能推荐" in text


def test_the_history_is_exported_as_csv_with_a_bom(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application]
) -> None:
    application = rv_submitted()
    client = _client(rv_people["city"])
    client.post(
        _url("reviews:return", application), {"reason": "材料不全"}, headers={"X-Request-Id": "rv-csv"}
    )
    response = client.get(_url("reviews:history", application), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff时间（北京时间）,操作人,角色")
    rows = body.splitlines()
    assert len(rows) == 1 + AuditEvent.objects.filter(target_id=str(application.pk)).count()
    returned = next(row for row in rows if "rv-csv" in row)
    assert "退回修改" in returned
    assert "材料不全" in returned
    assert "市级主管部门" in returned
    assert "已提交，待受理 → 已退回修改" in returned
    # Beijing time: the event's moment in UTC+8
    event = AuditEvent.objects.get(request_id="rv-csv")
    assert f"{timezone.localtime(event.at):%Y-%m-%d %H:%M}" in returned


def test_the_versions_are_exported_as_csv(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application]
) -> None:
    application = rv_submitted()
    response = _client(rv_people["county"]).get(_url("reviews:versions", application), {"format": "csv"})
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff版本,")
    assert len(body.splitlines()) == 2


def test_a_second_initial_review_starts_from_the_first(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application]
) -> None:
    """After new facts (a spot check), the city may review again: the page starts from its last findings
    and the new review is kept beside the old one."""
    application = _reviewed(rv_submitted(), rv_people["city"])
    client = _client(rv_people["city"])
    page = client.get(_url("reviews:initial_review", application))
    form = page.context["form"]
    assert form["conclusion"].value() == "符合条件"
    assert form["finding_gd-output"].value() == "pass"
    assert form["finding_gd-brand"].value() == "review"  # not judged the first time
    response = client.post(
        _url("reviews:initial_review", application),
        {**_all_findings("缺少品牌证明"), "conclusion": "复核后维持"},
    )
    assert response.status_code == 302
    assert InitialReview.objects.filter(application=application).count() == 2


def test_the_initial_review_page_suggests_the_rule_engines_verdicts(
    rv_people: dict[str, User], rv_submitted: Callable[..., Application]
) -> None:
    application = rv_submitted()
    review_services.application_accept(actor=rv_people["city"], application=application)
    form = _client(rv_people["city"]).get(_url("reviews:initial_review", application)).context["form"]
    assert form["finding_gd-area"].value() == "pass"  # 38.5 km² ≤ 100 km²
    assert form["finding_gd-brand"].value() == "review"  # qualitative: the officer judges
