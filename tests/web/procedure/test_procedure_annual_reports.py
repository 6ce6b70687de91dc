"""Annual reports (issue 13, finding 9): revocation case 3 "未及时报送集群年度培育情况信息表，不接受、
不配合监测监督工作的" (GD 18(三); SX 19(三)) is charged to the cluster by its own (county's or operator's)
submission time; the city's forwarding time is recorded and shown as the city's; an officer can record the
limb "不接受、不配合监测监督" with evidence and a reason, which proposes case 3."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clock import Clock
from factories import annual_report_in, pdf_upload
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.oversight.duties import propose_missing_reports
from smecluster.apps.oversight.models import RevocationProposal
from smecluster.apps.oversight.services import revocation_record
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
from smecluster.apps.registry.services import annual_reports, duties

pytestmark = pytest.mark.django_db

FIGURES: dict[str, Any] = {
    "figures": {"output": 120.5, "sme_output": 80, "leading_output": 100, "invention_patents": 150},
    "quality_firms": {"little_giant": 4, "specialized": 20},
    "firms": 300,
}


@pytest.fixture
def cluster(web_application_in: Callable[..., Application]) -> RecognizedCluster:
    recognized: RecognizedCluster = web_application_in("recognized").recognition
    return recognized


def _submitted_on(cluster: RecognizedCluster, clock: Clock, day: date) -> AnnualReport:
    """The cluster's report on the year of its recognition (due 31 March next year), submitted on ``day``."""
    year = cluster.recognized_on.year
    clock.beijing(day)
    report = annual_report_in(cluster, AnnualReport.Status.SUBMITTED, year=year, figures=FIGURES)
    assert report.due_on == date(year + 1, 3, 31)
    return report


def test_a_late_forward_is_the_citys_lateness_not_the_clusters(
    cluster: RecognizedCluster, clock: Clock, web_users: dict[str, User]
) -> None:
    """The cluster submitted by 31 March; the city forwarded on 2 April: the forward is recorded as the
    city's lateness, and nothing is charged to the cluster under case 3."""
    year = cluster.recognized_on.year
    report = _submitted_on(cluster, clock, date(year + 1, 3, 30))
    clock.beijing(date(year + 1, 4, 2))
    assert duties.flag_overdue_reports(date(year + 1, 4, 2)) == []
    report = annual_reports.report_move(actor=web_users["city_officer"], report=report, action="forward")
    assert (report.late, report.forwarded_late) == (False, True)
    assert propose_missing_reports(date(year + 1, 4, 3)) == []
    assert not RevocationProposal.objects.exists()


def test_the_clusters_own_late_submission_proposes_case_3(
    cluster: RecognizedCluster, clock: Clock, web_users: dict[str, User]
) -> None:
    """ "未及时报送…": the cluster submitted on 1 April, after the due day; the city forwarded that day."""
    year = cluster.recognized_on.year
    report = _submitted_on(cluster, clock, date(year + 1, 4, 1))
    assert report.late is True
    report = annual_reports.report_move(actor=web_users["city_officer"], report=report, action="forward")
    assert report.forwarded_late is True
    assert len(propose_missing_reports(date(year + 1, 4, 3))) == 1
    recorded = RevocationProposal.objects.get()
    assert recorded.case == 3
    assert f"集群逾期至 {year + 1}-04-01 提交" in recorded.grounds


def test_non_cooperation_with_monitoring_is_recorded_with_evidence_and_proposes_case_3(
    cluster: RecognizedCluster, web_users: dict[str, User]
) -> None:
    """ "不接受、不配合监测监督工作的": the officer records it with a reason and evidence; without evidence
    the record is refused naming the field."""
    province = web_users["province_admin"]
    grounds = "拒绝提供2025年度企业名册，两次书面通知均未回复"
    with pytest.raises(ValidationError) as refused:
        revocation_record(actor=province, cluster=cluster, case=3, grounds=grounds)
    assert "evidence" in refused.value.message_dict
    proposal = revocation_record(
        actor=province, cluster=cluster, case=3, grounds=grounds, uploads=[pdf_upload("书面通知及回执.pdf")]
    )
    assert proposal.case == 3
    assert proposal.grounds.startswith("不接受、不配合监测监督：")
    assert "不接受、不配合监测监督" in proposal.clause
    assert proposal.evidence.count() == 1
