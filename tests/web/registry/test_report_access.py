"""Who sees and does what with annual reports: the county and its operator, the city of the county, the
province; another county or city, an expert and the public see nothing (404 / login)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from clock import Clock
from conftest import reg_client, reg_figures
from smecluster.apps.accounts.models import User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
from smecluster.apps.registry.services import annual_reports

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(clock: Clock, reg_report_in: Callable[..., AnnualReport]) -> AnnualReport:
    clock.beijing(date(2025, 3, 20))
    return reg_report_in("submitted", year=2024)


PAGES = ("registry:report_detail", "registry:cluster")


@pytest.mark.parametrize(
    ("person", "code"),
    [
        ("county_officer", 200),
        ("operator", 200),
        ("city_officer", 200),
        ("province_admin", 200),
        ("other_county_officer", 404),
        ("other_operator", 404),
        ("other_city_officer", 404),
        ("expert", 404),
    ],
)
def test_a_report_and_its_cluster_are_seen_within_the_jurisdiction_only(
    report: AnnualReport, web_users: dict[str, User], person: str, code: int
) -> None:
    client = reg_client(web_users[person])
    assert client.get(report.get_absolute_url()).status_code == code
    assert client.get(report.cluster.get_absolute_url()).status_code == code
    listed = client.get("/annual-reports/").content.decode()
    assert (report.cluster.name in listed) is (code == 200)
    csv = client.get("/annual-reports/?format=csv").content.decode("utf-8-sig")
    assert (report.cluster.number in csv) is (code == 200)


def test_the_public_is_sent_to_sign_in(report: AnnualReport) -> None:
    response = reg_client().get(report.get_absolute_url())
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_operator_drafts_but_the_county_submits(
    clock: Clock, reg_report_in: Callable[..., AnnualReport], web_users: dict[str, User]
) -> None:
    clock.beijing(date(2025, 3, 20))
    report = reg_report_in("draft", year=2024)
    operator = reg_client(web_users["operator"])
    response = operator.post(f"/annual-reports/{report.pk}/edit/narrative/", {"work_done": "运营机构填写"})
    assert response.status_code == 200
    annual_reports.report_save_figures(actor=web_users["operator"], report=report, document=reg_figures(2024))
    refused = operator.post(f"/annual-reports/{report.pk}/do/submit/")
    assert refused.status_code == 403
    assert "县级主管部门" in refused.content.decode()
    report.refresh_from_db()
    assert report.status == "draft"
    assert not AuditEvent.objects.filter(action="annual_report.submit").exists()
    county = reg_client(web_users["county_officer"])
    assert county.post(f"/annual-reports/{report.pk}/do/submit/").status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"


def test_only_the_city_forwards_and_the_province_receives(
    report: AnnualReport, web_users: dict[str, User]
) -> None:
    assert (
        reg_client(web_users["county_officer"]).post(f"/annual-reports/{report.pk}/do/forward/").status_code
        == 403
    )
    assert (
        reg_client(web_users["province_admin"]).post(f"/annual-reports/{report.pk}/do/forward/").status_code
        == 403
    )
    assert (
        reg_client(web_users["other_city_officer"])
        .post(f"/annual-reports/{report.pk}/do/forward/")
        .status_code
        == 404
    )
    assert (
        reg_client(web_users["city_officer"]).post(f"/annual-reports/{report.pk}/do/forward/").status_code
        == 302
    )
    report.refresh_from_db()
    assert report.status == "forwarded"
    assert report.late is False
    assert (
        reg_client(web_users["city_officer"]).post(f"/annual-reports/{report.pk}/do/receive/").status_code
        == 403
    )
    assert (
        reg_client(web_users["province_admin"]).post(f"/annual-reports/{report.pk}/do/receive/").status_code
        == 302
    )
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.RECEIVED


def test_returning_needs_a_reason_and_tells_the_county(
    report: AnnualReport, web_users: dict[str, User]
) -> None:
    city = reg_client(web_users["city_officer"])
    response = city.post(f"/annual-reports/{report.pk}/do/return/", {"reason": " "}, follow=True)
    assert "请填写理由" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"
    city.post(f"/annual-reports/{report.pk}/do/return/", {"reason": "出口交货值有误"})
    report.refresh_from_db()
    assert (report.status, report.return_reason) == ("returned", "出口交货值有误")
    assert web_users["county_officer"].notifications.filter(text__contains="出口交货值有误").exists()


def test_a_submitted_report_cannot_be_edited(report: AnnualReport, web_users: dict[str, User]) -> None:
    response = reg_client(web_users["county_officer"]).post(
        f"/annual-reports/{report.pk}/edit/narrative/", {"work_done": "改"}
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.work_done == "完成年度培育任务"


def test_the_list_filters_and_its_csv_keep_them(
    clock: Clock, reg_report_in: Callable[..., AnnualReport], web_users: dict[str, User]
) -> None:
    clock.beijing(date(2025, 4, 2))
    late = reg_report_in("forwarded", year=2024)
    clock.beijing(date(2026, 3, 2))
    on_time = reg_report_in("forwarded", year=2025)
    assert (late.late, on_time.late) == (True, False)
    city = reg_client(web_users["city_officer"])
    page = city.get("/annual-reports/?late=late").content.decode()
    assert f"/annual-reports/{late.pk}/" in page
    assert f"/annual-reports/{on_time.pk}/" not in page
    rows = city.get("/annual-reports/?late=late&format=csv").content.decode("utf-8-sig").splitlines()
    assert len(rows) == 2
    assert "逾期报送" in rows[1]
    assert ",2024," in rows[1]
    rows = city.get("/annual-reports/?year=2025&format=csv").content.decode("utf-8-sig").splitlines()
    assert len(rows) == 2
    assert "按时报送" in rows[1]


def test_figures_with_a_mistake_are_refused_naming_the_field(
    clock: Clock, reg_report_in: Callable[..., AnnualReport], web_users: dict[str, User]
) -> None:
    clock.beijing(date(2025, 3, 20))
    report = reg_report_in("draft", year=2024)
    client = reg_client(web_users["county_officer"])
    response = client.post(
        f"/annual-reports/{report.pk}/edit/figures/",
        {"figures__output": "100", "figures__sme_output": "150", "firms": "10", "sme_firms": "20"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="field-figures__sme_output"' in page
    assert "超过了集群总产值 100 亿元" in page
    report.refresh_from_db()
    assert report.figures is None
    # a check across fields (the whole model's) is named by its field too, in the form's words
    response = client.post(
        f"/annual-reports/{report.pk}/edit/figures/",
        {"figures__output": "100", "firms": "10", "sme_firms": "20"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["sme_firms"] == ["中小企业数 20 家超过了集群企业数 10 家"]
    response = client.post(
        f"/annual-reports/{report.pk}/edit/figures/",
        {
            "figures__output": "100",
            "figures__sme_output": "60.5",
            "quality_firms__little_giant": "3",
            "promotion_body": "true",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "已保存" in response.content.decode()
    report.refresh_from_db()
    assert report.figures == {
        "schema": 1,
        "year": 2024,
        "figures": {"year": 2024, "output": 100, "sme_output": 60.5},
        "quality_firms": {"little_giant": 3},
        "promotion_body": True,
    }


def test_a_report_cannot_be_submitted_without_figures_and_work_done(
    clock: Clock, reg_report_in: Callable[..., AnnualReport], web_users: dict[str, User]
) -> None:
    clock.beijing(date(2025, 3, 20))
    report = reg_report_in("draft", year=2024)
    response = reg_client(web_users["county_officer"]).post(
        f"/annual-reports/{report.pk}/do/submit/", follow=True
    )
    page = response.content.decode()
    assert "尚未填写年度数据" in page
    assert "尚未填写年度工作开展情况" in page
    report.refresh_from_db()
    assert report.status == "draft"


def test_evidence_is_checked_stored_and_served_within_reach(
    clock: Clock,
    reg_report_in: Callable[..., AnnualReport],
    web_users: dict[str, User],
    web_pdf_upload: Callable[[str], object],
    django_capture_on_commit_callbacks: Any,
) -> None:
    clock.beijing(date(2025, 3, 20))
    report = reg_report_in("draft", year=2024)
    county = reg_client(web_users["county_officer"])
    with django_capture_on_commit_callbacks(execute=True):  # the file reaches its place on commit
        county.post(f"/annual-reports/{report.pk}/evidence/", {"file": web_pdf_upload("年报附件.pdf")})
    evidence = report.evidence.get()
    assert county.get(f"/annual-report-evidence/{evidence.pk}/").status_code == 200
    assert (
        reg_client(web_users["other_county_officer"])
        .get(f"/annual-report-evidence/{evidence.pk}/")
        .status_code
        == 404
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("假的.pdf", b"not a pdf at all", content_type="application/pdf")
    response = county.post(f"/annual-reports/{report.pk}/evidence/", {"file": fake}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert report.evidence.count() == 1


def test_a_cluster_that_is_not_the_users_is_not_there(
    reg_cluster: RecognizedCluster, web_users: dict[str, User]
) -> None:
    assert reg_client(web_users["other_city_officer"]).get(f"/clusters/{reg_cluster.pk}/").status_code == 404
    assert reg_client(web_users["expert"]).get("/re-reviews/").content.decode().count(reg_cluster.name) == 0


def test_my_tasks_list_the_report_for_whoever_it_waits_on(
    clock: Clock, reg_report_in: Callable[..., AnnualReport], web_users: dict[str, User]
) -> None:
    clock.beijing(date(2025, 3, 20))
    report = reg_report_in("draft", year=2024)
    link = f'href="/annual-reports/{report.pk}/"'
    county_home = reg_client(web_users["county_officer"]).get("/").content.decode()
    assert link in county_home
    assert "还有 11 天" in county_home
    assert link not in reg_client(web_users["city_officer"]).get("/").content.decode()
    annual_reports.report_save_figures(
        actor=web_users["county_officer"], report=report, document=reg_figures(2024)
    )
    annual_reports.report_save_narrative(
        actor=web_users["county_officer"], report=report, fields={"work_done": "工作"}
    )
    annual_reports.report_move(actor=web_users["county_officer"], report=report, action="submit")
    clock.beijing(date(2025, 4, 3))
    city_home = reg_client(web_users["city_officer"]).get("/").content.decode()
    assert link in city_home
    assert "审核并报送" in city_home
    assert "已逾期" in city_home
    assert link not in reg_client(web_users["other_city_officer"]).get("/").content.decode()


def test_in_the_national_chain_the_province_forwards_and_the_ministry_receives(
    clock: Clock,
    reg_report_in: Callable[..., AnnualReport],
    web_users: dict[str, User],
    web_new_user: Callable[..., User],
    web_application_in: Callable[..., object],
) -> None:
    from smecluster.apps.programmes.models import Programme, YearlyCall
    from smecluster.apps.registry.models import RecognizedCluster

    ministry = web_new_user("ministry-admin", "ministry_admin", "100000")
    national = Programme.objects.create(
        name="国家级中小企业特色产业集群认定",
        owner=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "province", "national"],
    )
    call = YearlyCall.objects.create(
        programme=national,
        year=2023,
        opens_on=date(2023, 5, 1),
        closes_on=date(2023, 6, 1),
        city_deadline=date(2023, 6, 15),
    )
    clock.beijing(date(2023, 5, 10))
    application = web_application_in("draft", call=call, name="国家级测试集群")
    cluster = RecognizedCluster.objects.create(
        application=application,
        programme=national,
        number="国中小特色集群〔2023〕001",
        name="国家级测试集群",
        county=application.county,
        leading_industry="智能家电",
        year=2023,
        recognized_on=date(2023, 10, 1),
        valid_from=date(2023, 10, 1),
        valid_until=date(2026, 9, 30),
        decided_by=ministry,
    )
    clock.beijing(date(2024, 4, 20))
    report = reg_report_in("submitted", year=2023, cluster=cluster)
    assert report.due_on == date(2024, 3, 31)  # the national due day from 2024 on
    city, province = reg_client(web_users["city_officer"]), reg_client(web_users["province_admin"])
    assert city.post(f"/annual-reports/{report.pk}/do/forward/").status_code == 403
    assert province.post(f"/annual-reports/{report.pk}/do/forward/").status_code == 302
    report.refresh_from_db()
    assert report.status == "forwarded"
    assert report.late is True
    assert ministry.notifications.filter(text__contains="请接收").exists()
    assert reg_client(ministry).post(f"/annual-reports/{report.pk}/do/receive/").status_code == 302
    report.refresh_from_db()
    assert report.status == "received"


def test_nothing_is_filed_for_a_revoked_cluster(report: AnnualReport, web_users: dict[str, User]) -> None:
    from smecluster.apps.registry.models import RecognizedCluster

    RecognizedCluster.objects.filter(pk=report.cluster_id).update(status=RecognizedCluster.Status.REVOKED)
    response = reg_client(web_users["city_officer"]).post(f"/annual-reports/{report.pk}/do/forward/")
    assert response.status_code == 403
    assert "已撤销" in response.content.decode()
    assert reg_client(web_users["city_officer"]).get(report.get_absolute_url()).status_code == 200
