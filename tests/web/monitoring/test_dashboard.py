"""The monitoring dashboard: main figures and charts of the scope, the current call's pipeline, overdue
annual reports and open revocation proposals, filtered by year, city and industry, within the person's
reach."""

from __future__ import annotations

import base64
import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import transaction
from monitoring_support import MON_YEAR, mon_client

from smecluster.apps.accounts.models import User
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record, record_login
from smecluster.apps.monitoring.selectors import figures_version
from smecluster.apps.oversight.models import RevocationProposal
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster

pytestmark = pytest.mark.django_db

URL = "/monitoring/"


@pytest.fixture
def mon_overdue(mon_clusters: dict[str, RecognizedCluster]) -> dict[str, object]:
    """南海's report on MON_YEAR flagged overdue (as the tick flags it), still a draft; and an open
    revocation proposal against 天河."""
    report = AnnualReport.objects.create(
        cluster=mon_clusters["nanhai"],
        year=MON_YEAR - 1,
        status=AnnualReport.Status.DRAFT,
        opened_on=date(MON_YEAR, 1, 1),
        due_on=date(MON_YEAR, 3, 31),
        overdue_flagged_on=date(MON_YEAR, 4, 1),
    )
    # a flagged report that has since been received is no longer overdue
    AnnualReport.objects.create(
        cluster=mon_clusters["tianhe"],
        year=MON_YEAR - 1,
        status=AnnualReport.Status.RECEIVED,
        opened_on=date(MON_YEAR, 1, 1),
        due_on=date(MON_YEAR, 3, 31),
        overdue_flagged_on=date(MON_YEAR, 4, 1),
    )
    proposal = RevocationProposal.objects.create(
        cluster=mon_clusters["tianhe"],
        case=2,
        grounds="连续两年未报送年度培育情况信息表",
        source="finding:1",
        proposed_on=date(MON_YEAR + 1, 4, 2),
    )
    return {"report": report, "proposal": proposal}


@pytest.mark.parametrize(
    ("person", "query", "status"),
    [
        ("province_admin", "", 200),
        ("province_admin", "?scope=440600", 200),
        ("province_admin", "?scope=330000", 404),
        ("city_officer", "", 200),
        ("city_officer", "?scope=440100", 404),
        ("other_city_officer", "?scope=440600", 404),
        ("ministry_admin", "?scope=100000", 200),
        ("other_province_admin", "?scope=440000", 404),
        ("county_officer", "", 403),
        ("other_county_officer", "", 403),
        ("operator", "", 403),
        ("expert", "", 403),
    ],
)
def test_who_opens_the_dashboard(
    mon_people: dict[str, User],
    mon_clusters: dict[str, RecognizedCluster],
    person: str,
    query: str,
    status: int,
) -> None:
    assert mon_client(mon_people[person]).get(URL + query).status_code == status


def test_the_province_sees_its_figures_charts_pipeline_and_overdue_items(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster], mon_overdue: dict[str, object]
) -> None:
    response = mon_client(mon_people["province_admin"]).get(URL)
    page = response.content.decode()
    assert response.context["year"] == MON_YEAR
    assert "219.00 亿元" in page
    assert "覆盖集群 3/3" in page
    # server-side SVG charts, as <img> data URIs (the CSP allows no inline style), their text in the CJK font
    charts = re.findall(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(charts) >= 3
    assert all("Noto Sans CJK" in base64.b64decode(chart).decode() for chart in charts)
    # the pipeline of this year's call: the three applications are drafts (recognized directly)
    pipeline = response.context["pipelines"]
    assert [(p.call.year, p.total) for p in pipeline] == [(MON_YEAR + 1, 3)]
    assert pipeline[0].counts == [("draft", "草稿", 3)]
    assert [item.cluster.number for item in response.context["overdue"]] == ["粤中小特色集群〔测试〕002"]
    assert [item.cluster.number for item in response.context["revocations"]] == ["粤中小特色集群〔测试〕003"]
    assert "连续两年" not in page  # the list names the case, the grounds stay on the cluster's record
    assert "情形2" in page


def test_filters_narrow_everything(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster], mon_overdue: dict[str, object]
) -> None:
    admin = mon_client(mon_people["province_admin"])
    foshan = admin.get(f"{URL}?scope=440000&year={MON_YEAR}&city=440600")
    assert "166.00 亿元" in foshan.content.decode()
    assert foshan.context["revocations"] == []
    assert foshan.context["pipelines"][0].total == 2
    smart_home = admin.get(f"{URL}?scope=440000&year={MON_YEAR}&industry=智能家电")
    # all three applications were filled as 智能家电 by the shared factory
    assert smart_home.context["figures"].current["clusters"].value == 3
    assert admin.get(f"{URL}?scope=440000&year={MON_YEAR}&industry=铝型材").status_code == 400
    earlier = admin.get(f"{URL}?scope=440000&year={MON_YEAR - 1}")
    # recognized this year on last year's figures, the clusters do not count in the year before, though
    # their applications declared it
    assert earlier.context["figures"].current["clusters"].value == 0
    assert earlier.context["figures"].current["output"].value is None


def test_a_city_sees_only_its_own(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster], mon_overdue: dict[str, object]
) -> None:
    guangzhou = mon_client(mon_people["other_city_officer"]).get(URL)
    assert guangzhou.context["scope"].code == "440100"
    assert "53.00 亿元" in guangzhou.content.decode()
    assert guangzhou.context["overdue"] == []
    assert [item.cluster.number for item in guangzhou.context["revocations"]] == ["粤中小特色集群〔测试〕003"]
    foshan = mon_client(mon_people["city_officer"]).get(URL)
    assert foshan.context["revocations"] == []
    assert [item.cluster.number for item in foshan.context["overdue"]] == ["粤中小特色集群〔测试〕002"]


def test_bad_filters_name_the_field(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    admin = mon_client(mon_people["province_admin"])
    response = admin.get(f"{URL}?scope=440000&year={MON_YEAR}&city=330100")
    assert response.status_code == 400
    assert "市" in response.content.decode()
    assert "330100" in response.content.decode()
    assert admin.get(f"{URL}?scope=440000&year=abc").status_code == 400


def test_a_year_without_data_says_so(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    response = mon_client(mon_people["province_admin"]).get(f"{URL}?scope=440000&year=2001")
    assert response.status_code == 200
    assert "该范围该年度没有集群数据。" in response.content.decode()
    assert "data:image/svg+xml" not in response.content.decode()


def test_the_programme_filter_narrows_the_figures(
    mon_people: dict[str, User],
    mon_clusters: dict[str, RecognizedCluster],
    mon_national_cluster: RecognizedCluster,
) -> None:
    """Issue 14: the dashboard counts every programme's clusters in the scope unless a programme is chosen;
    chosen, only that programme's (the national cluster in 顺德 apart from the three provincial ones)."""
    admin = mon_client(mon_people["province_admin"])
    every = admin.get(f"{URL}?scope=440000&year={MON_YEAR}")
    assert every.context["figures"].current["clusters"].value == 4
    provincial = mon_clusters["shunde"].programme_id
    own = admin.get(f"{URL}?scope=440000&year={MON_YEAR}&programme={provincial}")
    assert own.context["figures"].current["clusters"].value == 3
    national = admin.get(f"{URL}?scope=440000&year={MON_YEAR}&programme={mon_national_cluster.programme_id}")
    assert [fact.number for fact in national.context["figures"].current.facts] == [
        mon_national_cluster.number
    ]
    # another province's admin is not offered 广东's programme
    other = mon_client(mon_people["other_province_admin"])
    assert other.get(f"{URL}?scope=330000&year={MON_YEAR}&programme={provincial}").status_code == 400


def test_the_figures_are_drawn_once_and_again_after_a_write(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster], mon_overdue: dict[str, object]
) -> None:
    """The headline figures and charts are kept (Django's cache) until something is written: a second
    visit computes none of them, a sign-in or a write elsewhere changes nothing, and the next audited
    write to a cluster (every service writes one in its transaction: tests/web/test_workflow_engine.py)
    has them computed again."""
    cache.clear()
    admin = mon_client(mon_people["province_admin"])
    first = admin.get(f"{URL}?scope=440000&year={MON_YEAR}")
    assert "current" in first.context["figures"].__dict__  # computed for the first visit
    record_login(user=mon_people["city_officer"], address="127.0.0.1")
    cluster = next(iter(mon_clusters.values()))
    with transaction.atomic():  # a write outside the figures' sources (a draft saved, say)
        audit_record(
            actor=mon_people["county_officer"], action=actions.APPLICATION_UPDATE, target=cluster.application
        )
    again = admin.get(f"{URL}?scope=440000&year={MON_YEAR}")
    assert "current" not in again.context["figures"].__dict__  # served from the cached fragment
    assert again.content.decode().count("figure-value") == first.content.decode().count("figure-value")
    version = figures_version()
    with transaction.atomic():
        audit_record(actor=mon_people["province_admin"], action=actions.CLUSTER_REVOKE, target=cluster)
    assert figures_version() > version
    after = admin.get(f"{URL}?scope=440000&year={MON_YEAR}")
    assert "current" in after.context["figures"].__dict__  # a write: computed again
