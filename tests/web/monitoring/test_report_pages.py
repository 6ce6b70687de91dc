"""The evaluation report page: who sees which scope, the figures and their sources, the analyst's texts
(saved through the audited service), and the three downloads."""

from __future__ import annotations

import io

import pytest
from docx import Document
from monitoring_support import MON_YEAR, mon_client
from openpyxl import load_workbook
from pypdf import PdfReader

from smecluster.apps.accounts.models import User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.monitoring.models import ReportDraft
from smecluster.apps.registry.models import RecognizedCluster

pytestmark = pytest.mark.django_db

URL = "/monitoring/report/"


@pytest.mark.parametrize(
    ("person", "scope", "status"),
    [
        ("province_admin", "", 200),
        ("province_admin", "440000", 200),
        ("province_admin", "440600", 200),
        ("province_admin", "330000", 404),
        ("province_admin", "100000", 404),
        ("province_admin", "440606", 404),
        ("province_admin", "999999", 404),
        ("city_officer", "", 200),
        ("city_officer", "440600", 200),
        ("city_officer", "440000", 404),
        ("city_officer", "440100", 404),
        ("other_city_officer", "440600", 404),
        ("other_province_admin", "440000", 404),
        ("ministry_admin", "100000", 200),
        ("ministry_admin", "440000", 200),
        ("ministry_admin", "440100", 200),
        ("county_officer", "", 403),
        ("operator", "", 403),
        ("expert", "", 403),
    ],
)
def test_who_sees_which_scope(
    mon_people: dict[str, User],
    mon_clusters: dict[str, RecognizedCluster],
    person: str,
    scope: str,
    status: int,
) -> None:
    query = f"?scope={scope}&year={MON_YEAR}" if scope else ""
    response = mon_client(mon_people[person]).get(URL + query)
    assert response.status_code == status
    if status == 403:
        assert "仅供工业和信息化部、省级管理员和市级主管部门使用" in response.content.decode()


def test_anonymous_people_are_sent_to_log_in(mon_clusters: dict[str, RecognizedCluster]) -> None:
    response = mon_client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_shows_the_figures_of_the_scope_with_their_sources(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    page = mon_client(mon_people["province_admin"]).get(URL).content.decode()
    assert f"广东省省级中小企业特色产业集群发展评估报告（{MON_YEAR}年度）" in page
    assert "219.00 亿元" in page  # 60.0 + 106.0 + 53.0
    assert "15.3 %" in page  # 219 / 190 − 1
    assert "年度培育情况信息表 1" in page
    assert "认定申报材料（年度数据） 2" in page
    # the city's page: 佛山 only
    city = mon_client(mon_people["city_officer"]).get(URL).content.decode()
    assert "166.00 亿元" in city
    assert "16.5 %" in city
    assert "219.00 亿元" not in city


def test_a_year_without_clusters_says_so(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    response = mon_client(mon_people["province_admin"]).get(f"{URL}?scope=440000&year=2001")
    assert response.status_code == 200
    assert "广东省省级在2001年没有已认定集群的年度数据" in response.content.decode()
    assert "report.pdf" not in response.content.decode()
    download = mon_client(mon_people["province_admin"]).get("/monitoring/report.pdf?scope=440000&year=2001")
    assert download.status_code == 404


def test_a_bad_year_names_the_field(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    response = mon_client(mon_people["province_admin"]).get(f"{URL}?scope=440000&year=二〇二四")
    assert response.status_code == 400
    assert "评估年度" in response.content.decode()
    download = mon_client(mon_people["province_admin"]).get("/monitoring/report.xlsx?scope=440000&year=x")
    assert download.status_code == 400
    assert "评估年度" in download.content.decode()


def test_the_analyst_saves_texts_audited_and_they_print(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    admin = mon_client(mon_people["province_admin"])
    query = f"?scope=440000&year={MON_YEAR}"
    form = admin.get(URL + query).context["texts"]
    posted = {name: form[name].value() for name in form.fields}
    posted["weaknesses"] = "部分集群研发投入偏低，创新平台集中在少数集群。"
    response = admin.post(URL + query, posted)
    assert response.status_code == 302
    draft = ReportDraft.objects.get(scope="440000", year=MON_YEAR)
    # only the block the analyst changed is kept: the others stay drafts that follow the figures
    assert draft.texts == {"weaknesses": "部分集群研发投入偏低，创新平台集中在少数集群。"}
    event = AuditEvent.objects.get(action="monitoring.report_draft.save", target_id=str(draft.pk))
    assert event.actor == mon_people["province_admin"]
    assert event.after == {"weaknesses": "部分集群研发投入偏低，创新平台集中在少数集群。"}
    page = admin.get(URL + query).content.decode()
    assert "已修改" in page
    document = Document(io.BytesIO(admin.get(f"/monitoring/report.docx{query}").content))
    assert "部分集群研发投入偏低，创新平台集中在少数集群。" in [
        paragraph.text for paragraph in document.paragraphs
    ]
    # emptying the block brings the draft back
    posted["weaknesses"] = ""
    admin.post(URL + query, posted)
    assert ReportDraft.objects.get(pk=draft.pk).texts == {}


def test_refused_writes_leave_nothing(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    query = f"?scope=440000&year={MON_YEAR}"
    assert mon_client(mon_people["county_officer"]).post(URL + query, {"measures": "x"}).status_code == 403
    assert mon_client(mon_people["city_officer"]).post(URL + query, {"measures": "x"}).status_code == 404
    too_long = mon_client(mon_people["province_admin"]).post(URL + query, {"measures": "字" * 20001})
    assert too_long.status_code == 200
    assert "20000" in too_long.content.decode()
    assert not ReportDraft.objects.exists()
    assert not AuditEvent.objects.filter(action="monitoring.report_draft.save").exists()


def test_downloads_in_three_formats(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    city = mon_client(mon_people["city_officer"])
    query = f"?year={MON_YEAR}"
    pdf = city.get(f"/monitoring/report.pdf{query}")
    assert pdf["Content-Type"] == "application/pdf"
    assert (
        pdf["Content-Disposition"]
        == f'attachment; filename="evaluation-report-province-440600-{MON_YEAR}.pdf"'
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).replace(" ", "")
    assert "广东省佛山市省级中小企业特色产业集群发展评估报告" in text
    assert "集群总产值166.00亿元" in text
    docx = city.get(f"/monitoring/report.docx{query}")
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    cells = [
        cell.text
        for table in Document(io.BytesIO(docx.content)).tables
        for row in table.rows
        for cell in row.cells
    ]
    assert "166.00" in cells
    xlsx = city.get(f"/monitoring/report.xlsx{query}")
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = list(book["集群年度数据"].iter_rows(min_row=2, values_only=True))
    assert sorted(row[0] for row in rows) == ["粤中小特色集群〔测试〕001", "粤中小特色集群〔测试〕002"]
    assert city.get(f"/monitoring/report.html{query}").status_code == 404
    assert city.get(f"/monitoring/report.pdf?scope=440100&year={MON_YEAR}").status_code == 404
    assert mon_client(mon_people["operator"]).get(f"/monitoring/report.pdf{query}").status_code == 403


def test_a_revoked_cluster_leaves_the_report(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    RecognizedCluster.objects.filter(pk=mon_clusters["tianhe"].pk).update(
        status=RecognizedCluster.Status.REVOKED
    )
    page = mon_client(mon_people["province_admin"]).get(URL).content.decode()
    assert "166.00 亿元" in page  # 顺德 60.0 + 南海 106.0
    assert "219.00 亿元" not in page
