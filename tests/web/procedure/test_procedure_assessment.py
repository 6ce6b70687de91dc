"""The yearly assessment (issue 13, finding 13): GD 5 and SX 5 "省工业和信息化厅负责…开展认定、
监督和考核工作"; GD 17 and SX 18 "省工业和信息化厅组织开展监督和考核，编制集群发展评估报告", after the
cities follow "发展规划执行情况、目标进展…" and collect the annual report; GD 16 and SX 17 at re-review
"考核集群三年发展规划目标完成情况". The measures give no grades: they are the programme's data
(``assessment_criteria``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from clock import Clock
from factories import annual_report_in
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.registry.metrics import default_target_year
from smecluster.apps.registry.models import AnnualReport, ClusterAssessment, RecognizedCluster
from smecluster.apps.registry.services import assessments, plan_targets, re_reviews

pytestmark = pytest.mark.django_db

FIGURES: dict[str, Any] = {
    "figures": {"output": 120.5, "sme_output": 80, "leading_output": 100, "invention_patents": 150},
    "quality_firms": {"little_giant": 4, "specialized": 20},
    "firms": 300,
}


@pytest.fixture
def cluster(web_application_in: Callable[..., Application], web_users: dict[str, User]) -> RecognizedCluster:
    """A recognized cluster with two plan targets: output well ahead of its way to 121 亿元, invention
    patents (150 of 1000) far behind."""
    recognized: RecognizedCluster = web_application_in("recognized").recognition
    year = recognized.recognized_on.year
    for metric, target in (("output", "121"), ("invention_patents", "1000")):
        plan_targets.plan_target_save(
            actor=web_users["county_officer"],
            cluster=recognized,
            values={
                "metric": metric,
                "baseline_year": year - 1,
                "baseline_value": Decimal(100),
                "target_value": Decimal(target),
                "target_year": default_target_year(recognized.valid_until),
                "note": "",
            },
        )
    return recognized


def _received(cluster: RecognizedCluster, clock: Clock, submitted: date) -> AnnualReport:
    clock.beijing(submitted)
    return annual_report_in(
        cluster, AnnualReport.Status.RECEIVED, year=cluster.recognized_on.year, figures=FIGURES
    )


def test_the_grade_is_proposed_from_the_programmes_criteria_and_the_plan_targets_progress(
    cluster: RecognizedCluster, clock: Clock, web_users: dict[str, User]
) -> None:
    """ "考核集群…发展规划目标完成情况": one target of two on track (50 %) → 合格 under the default criteria;
    the owner records it with findings, audited, and the basis seen is kept."""
    year = cluster.recognized_on.year
    _received(cluster, clock, date(year + 1, 3, 20))
    proposal = assessments.propose(cluster, year)
    assert [line.progress.on_track for line in proposal.lines] == [True, False]
    assert (proposal.on_track, proposal.counted, proposal.grade) == (1, 2, "合格")

    recorded = assessments.assessment_record(
        actor=web_users["province_admin"],
        cluster=cluster,
        year=year,
        grade="合格",
        findings="发明专利进展滞后，须加强研发投入",
        today=date(year + 1, 5, 1),
    )
    assert (recorded.proposed_grade, recorded.grade, recorded.report is not None) == ("合格", "合格", True)
    assert recorded.basis["targets"][1]["on_track"] is False
    assert recorded.basis["criteria"]["grades"][0]["label"] == "优秀"
    assert AuditEvent.objects.filter(action="assessment.record").count() == 1


def test_the_criteria_are_the_programmes_data(cluster: RecognizedCluster, clock: Clock) -> None:
    """The measures fix no grades; the owner sets them as programme data, and invalid ones are refused."""
    year = cluster.recognized_on.year
    _received(cluster, clock, date(year + 1, 3, 20))
    programme = cluster.programme
    programme.assessment_criteria = {
        "grades": [{"label": "达标", "min_on_track_pct": 50}, {"label": "不达标", "min_on_track_pct": 0}]
    }
    programme.full_clean()
    programme.save()
    cluster.refresh_from_db()
    assert assessments.propose(cluster, year).grade == "达标"
    programme.assessment_criteria = {"grades": [{"label": "达标", "min_on_track_pct": 50}]}
    with pytest.raises(ValidationError):
        programme.full_clean()


def test_a_late_report_caps_the_proposal_and_no_report_is_the_lowest_grade(
    cluster: RecognizedCluster, clock: Clock
) -> None:
    """GD 18(三) "未及时报送集群年度培育情况信息表": a late report proposes no better than the programme's
    cap; no received report, the lowest grade."""
    year = cluster.recognized_on.year
    assert assessments.propose(cluster, year).grade == "不合格"
    programme = cluster.programme
    programme.assessment_criteria = {**programme.assessment_criteria, "late_report_max_grade": "不合格"}
    programme.save()
    cluster.refresh_from_db()
    report = _received(cluster, clock, date(year + 1, 4, 2))
    assert report.late is True
    proposal = assessments.propose(cluster, year)
    assert proposal.grade == "不合格"
    assert any("逾期" in reason for reason in proposal.reasons)


def test_only_the_owner_assesses(cluster: RecognizedCluster, web_users: dict[str, User]) -> None:
    """ "省工业和信息化厅组织开展监督和考核": the city follows and reports, the owner assesses."""
    year = cluster.recognized_on.year
    with pytest.raises(PermissionDenied):
        assessments.assessment_record(
            actor=web_users["city_officer"], cluster=cluster, year=year, grade="合格", findings="x",
            today=date(year + 1, 5, 1),
        )  # fmt: skip
    with pytest.raises(ValidationError):  # a year not yet ended
        assessments.assessment_record(
            actor=web_users["province_admin"], cluster=cluster, year=year + 1, grade="合格", findings="x",
            today=date(year + 1, 5, 1),
        )  # fmt: skip


def test_the_page_the_list_its_export_and_the_re_review_show_the_assessment(
    cluster: RecognizedCluster, clock: Clock, client: Client, web_users: dict[str, User]
) -> None:
    """A page per cluster-year where the owner records it, a list with export, and the re-review of the
    validity period shows the assessments of its years (GD 16 "考核集群三年发展规划目标完成情况")."""
    year = cluster.recognized_on.year
    _received(cluster, clock, date(year + 1, 3, 20))
    clock.beijing(date(year + 1, 5, 1))
    url = reverse("registry:assessment", args=[cluster.pk, year])
    client.force_login(web_users["city_officer"])
    page = client.get(url)
    assert page.status_code == 200
    assert "合格" in page.content.decode()
    assert client.post(url, {"grade": "良好", "findings": "x"}).status_code == 403

    client.force_login(web_users["province_admin"])
    response = client.post(url, {"grade": "良好", "findings": "产值增长明显，专利滞后"})
    assert response.status_code == 302
    assert ClusterAssessment.objects.get(cluster=cluster, year=year).grade == "良好"
    exported = client.get(reverse("registry:assessment_list") + "?format=csv").content.decode("utf-8-sig")
    assert cluster.number in exported
    assert "良好" in exported
    assert "产值增长明显" in exported

    client.force_login(web_users["other_city_officer"])
    assert client.get(url).status_code == 404
    assert cluster.number not in client.get(
        reverse("registry:assessment_list") + "?format=csv"
    ).content.decode("utf-8-sig")

    re_review, _created = re_reviews.re_review_open(cluster=cluster, today=date(year + 1, 5, 1))
    client.force_login(web_users["province_admin"])
    page = client.get(re_review.get_absolute_url()).content.decode()
    assert "有效期内的年度考核" in page
    assert "产值增长明显" in page
