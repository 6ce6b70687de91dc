"""Issue 14, reports scoped by programme: the page picks the programme, the issuer is the programme's, the
analyst's texts are kept per programme, clusters without figures are counted (n of N) and listed, a
malformed stored record is named and the report still renders, and the dynamic-management chapter counts
the scope's records."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import connection
from monitoring_support import MON_YEAR, mon_client
from pypdf import PdfReader

from smecluster.apps.accounts.models import User
from smecluster.apps.monitoring.models import ReportDraft
from smecluster.apps.oversight.models import ChangeKind, ClusterIncident, MajorChange
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.profile import IncidentKind

pytestmark = pytest.mark.django_db

URL = "/monitoring/report/"


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace(" ", "")


def test_a_malformed_stored_form_is_named_and_the_report_still_renders(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    """Issue 14 (done when: "a report on a scope with a malformed stored record still renders and names
    the record"): a received form whose figures fail validation, written behind the services' back."""
    shunde = mon_clusters["shunde"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_annualreport SET figures = %s::jsonb WHERE cluster_id = %s AND year = %s",
            [
                f'{{"schema": 1, "year": {MON_YEAR}, "figures": {{"year": {MON_YEAR}, "output": "lots"}},'
                ' "quality_firms": {}}',
                shunde.pk,
                MON_YEAR,
            ],
        )
        # and an application's year that cannot be read (a sum below zero): 天河's previous year
        cursor.execute(
            "UPDATE applications_applicationyear SET output = -1 WHERE application_id = %s AND year = %s",
            [mon_clusters["tianhe"].application.pk, MON_YEAR - 1],
        )
    admin = mon_client(mon_people["province_admin"])
    page = admin.get(f"{URL}?scope=440000&year={MON_YEAR}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "无法读取的数据记录" in html
    assert f"{shunde.number} {MON_YEAR} 年度培育情况信息表：figures.output" in html
    assert f"{mon_clusters['tianhe'].number} {MON_YEAR - 1} 认定申报材料（年度数据）：figures.output" in html
    # 顺德 counts as without figures: 南海 106.0 + 天河 53.0, two of three
    assert "159.00 亿元" in html
    assert "3 个集群中 2 个有本年数据" in html
    text = _pdf_text(admin.get(f"/monitoring/report.pdf?scope=440000&year={MON_YEAR}").content)
    assert "附表3　无法读取的数据记录".replace("　", "") in text.replace("　", "")
    assert shunde.number in text
    assert "figures.output" in text


def test_clusters_without_figures_are_counted_and_listed(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    """Issue 14: a cluster without figures for the year is never dropped silently: the page and the
    overview say n of N and the annex lists it."""
    tianhe = mon_clusters["tianhe"]
    tianhe.application.years.filter(year=MON_YEAR).delete()
    admin = mon_client(mon_people["province_admin"])
    response = admin.get(f"{URL}?scope=440000&year={MON_YEAR}")
    html = response.content.decode()
    assert "3 个集群中 2 个有本年数据" in html
    assert f"{tianhe.number} {tianhe.name}" in html
    overview = response.context["report"].texts["overview"]
    assert "共3个，其中2个有" in overview
    assert "1个未报送（见附表2）" in overview
    text = _pdf_text(admin.get(f"/monitoring/report.pdf?scope=440000&year={MON_YEAR}").content)
    assert f"附表2未报送{MON_YEAR}年度数据的集群" in text.replace("　", "")
    assert tianhe.number in text


def test_the_programme_is_picked_its_issuer_signs_and_texts_are_kept_per_programme(
    mon_people: dict[str, User],
    mon_clusters: dict[str, RecognizedCluster],
    mon_national_cluster: RecognizedCluster,
) -> None:
    """Issue 14: the national report is signed by the ministry and counts the national cluster only; the
    province's report is signed 广东省工业和信息化厅 (GD 17), never "XX中小企业主管部门"; a text saved on one
    programme's report is not the other's."""
    ministry = mon_client(mon_people["ministry_admin"])
    national = ministry.get(f"{URL}?scope=100000&year={MON_YEAR}")
    assert national.status_code == 200
    report = national.context["report"]
    assert report.title == f"国家级中小企业特色产业集群发展评估报告（{MON_YEAR}年度）"
    assert report.prepared_by == "工业和信息化部"
    assert [fact.number for fact in report.current.facts] == [mon_national_cluster.number]
    province = mon_client(mon_people["province_admin"])
    provincial = province.get(f"{URL}?scope=440000&year={MON_YEAR}").context["report"]
    assert provincial.prepared_by == "广东省工业和信息化厅"
    assert "中小企业主管部门" not in provincial.subtitle
    assert mon_national_cluster.number not in [fact.number for fact in provincial.current.facts]
    # the province admin may read the national programme's clusters in 广东
    query = f"?programme={mon_national_cluster.programme_id}&scope=440000&year={MON_YEAR}"
    narrowed = province.get(URL + query)
    assert (
        narrowed.context["report"].title == f"广东省国家级中小企业特色产业集群发展评估报告（{MON_YEAR}年度）"
    )
    form = narrowed.context["texts"]
    posted = {name: form[name].value() for name in form.fields}
    posted["measures"] = "国家级集群的对策。"
    assert province.post(URL + query, posted).status_code == 302
    draft = ReportDraft.objects.get()
    assert (draft.programme_id, draft.scope_id, draft.year) == (
        mon_national_cluster.programme_id,
        "440000",
        MON_YEAR,
    )
    assert "国家级集群的对策。" not in provincial.texts["measures"]
    again = province.get(f"{URL}?scope=440000&year={MON_YEAR}").context["report"]
    assert "国家级集群的对策。" not in again.texts["measures"]
    # another province's programme is not in reach: 404, and not offered
    other = mon_client(mon_people["other_province_admin"])
    assert other.get(f"{URL}?programme={mon_clusters['shunde'].programme_id}&scope=330000").status_code == 404


def test_the_dynamic_management_chapter_counts_the_scopes_records(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    """Issue 14: annual reports due/received, major changes (found unfiled) and incidents of the year, for
    the scope and the programme, in the chapter before 存在问题."""
    nanhai = mon_clusters["nanhai"]
    MajorChange.objects.create(
        cluster=nanhai,
        kind=ChangeKind.LEADING_INDUSTRY,
        old_value={"leading_industry": "铝型材"},
        new_value={"leading_industry": "家具"},
        effective_on=date(MON_YEAR, 5, 1),
        status=MajorChange.Status.FOUND_UNFILED,
        filing_due_on=date(MON_YEAR, 5, 31),
        found_on=date(MON_YEAR, 9, 1),
        source="实地核查",
    )
    ClusterIncident.objects.create(
        cluster=nanhai,
        kind=IncidentKind.SAFETY_ACCIDENT,
        level="较大",
        occurred_on=date(MON_YEAR, 7, 1),
        source="应急管理局通报",
        description="车间火灾",
        meets_threshold=True,
        recorded_by=mon_people["province_admin"],
    )
    report = (
        mon_client(mon_people["province_admin"]).get(f"{URL}?scope=440000&year={MON_YEAR}").context["report"]
    )
    dynamic = report.dynamic
    assert (dynamic.reports_due, dynamic.reports_filed, dynamic.reports_received) == (1, 1, 1)
    assert dynamic.changes_total == 1
    assert dynamic.changes_unfiled == 1
    assert (dynamic.incidents_total, dynamic.incidents_meeting_threshold) == (1, 1)
    text = report.texts["dynamic"]
    assert f"{MON_YEAR}年度培育情况信息表应报送1份，已报送1份" in text
    assert "主导产业变动1项" in text
    assert "其中达到撤销情形的1起" in text
    # the city of 广州 has none of 佛山's records
    city = (
        mon_client(mon_people["ministry_admin"]).get(f"{URL}?scope=440100&year={MON_YEAR}").context["report"]
    )
    assert city.dynamic.changes_total == 0
    assert city.dynamic.incidents_total == 0
