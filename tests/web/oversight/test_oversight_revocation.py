"""The incident register and revocation: each of the five cases detected or recorded, proposed with its
article and verbatim clause from the programme's rule set, and decided (accepted or dismissed) by the owner
only; a revoked cluster is marked on its public page and on the published list with its downloads."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from smecluster.apps.accounts.models import User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.evidence.storage import evidence_path
from smecluster.apps.notifications.models import Notification
from smecluster.apps.oversight import services
from smecluster.apps.oversight import views as oversight_views
from smecluster.apps.oversight.duties import propose_expired, propose_for_incidents, propose_missing_reports
from smecluster.apps.oversight.models import ClusterIncident, Revocation, RevocationProposal
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster, ReReview
from smecluster.policy.ruleset import rule_set
from smecluster.workdays import CHINA_TZ

pytestmark = pytest.mark.django_db

GUANGDONG = {case.case: case for case in rule_set("guangdong-2022").revocation_cases}


def _incident(
    users: dict[str, User], cluster: RecognizedCluster, kind: str, level: str, who: str = "city_officer"
):  # type: ignore[no-untyped-def]
    return services.incident_record(
        actor=users[who],
        cluster=cluster,
        kind=kind,
        level=level,
        occurred_on=timezone.localdate(),
        source="区应急管理局通报",
        description="车间火灾，3 人受伤",
    )


def _assert_basis(proposal: RevocationProposal, case: int) -> None:
    assert proposal.case == case
    assert proposal.article == GUANGDONG[case].article.cite()
    assert proposal.clause == GUANGDONG[case].clause


# --- case 5: incidents --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "level", "counts"),
    [
        ("safety_accident", "一般", False),
        ("safety_accident", "较大", True),
        ("environment_accident", "特别重大", True),
        ("cyber_security_event", "较大", False),
        ("data_security_event", "重大", True),
        ("tax_evasion", "", True),
        ("serious_dishonesty", "", True),
    ],
)
def test_an_incident_proposes_case_5_at_the_rule_sets_threshold(
    web_users: dict[str, User], ov_cluster: RecognizedCluster, kind: str, level: str, counts: bool
) -> None:
    incident = _incident(web_users, ov_cluster, kind, level)
    assert incident.meets_threshold is counts
    proposals = list(RevocationProposal.objects.all())
    if not counts:
        assert proposals == []
        return
    (proposal,) = proposals
    _assert_basis(proposal, 5)
    assert proposal.source == f"incident:{incident.pk}"
    assert incident.counted_words in proposal.grounds
    assert Notification.objects.filter(
        recipient=web_users["province_admin"], link=f"/revocations/{proposal.pk}/"
    )
    assert Notification.objects.filter(
        recipient=web_users["county_officer"], link=f"/revocations/{proposal.pk}/"
    )


def test_an_incident_before_recognition_is_registered_but_proposes_nothing(
    web_users: dict[str, User], ov_cluster: RecognizedCluster
) -> None:
    incident = services.incident_record(
        actor=web_users["province_admin"],
        cluster=ov_cluster,
        kind="tax_evasion",
        level="",
        occurred_on=ov_cluster.recognized_on - timedelta(days=200),
        source="税务稽查",
        description="申报前少缴税款",
    )
    assert incident.meets_threshold is True
    assert not RevocationProposal.objects.exists()
    assert propose_for_incidents(timezone.localdate()) == []


def test_a_graded_incident_needs_its_level(web_users: dict[str, User], ov_cluster: RecognizedCluster) -> None:
    with pytest.raises(ValidationError) as error:
        _incident(web_users, ov_cluster, "quality_accident", "")
    assert "level" in error.value.message_dict
    assert not ClusterIncident.objects.exists()


@pytest.mark.parametrize("who", ["county_officer", "operator", "other_city_officer", "expert"])
def test_only_the_city_and_province_record_incidents(
    web_users: dict[str, User], ov_cluster: RecognizedCluster, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        _incident(web_users, ov_cluster, "tax_evasion", "", who=who)
    assert not ClusterIncident.objects.exists()
    assert not RevocationProposal.objects.exists()


# --- deciding -----------------------------------------------------------------------------------------


def test_accepting_revokes_the_cluster_and_publishes_it(
    web_users: dict[str, User], ov_cluster: RecognizedCluster, client: Client
) -> None:
    _incident(web_users, ov_cluster, "safety_accident", "重大")
    _incident(web_users, ov_cluster, "tax_evasion", "")
    proposal, other = RevocationProposal.objects.order_by("pk")
    with pytest.raises(ValidationError):
        services.revocation_decide(
            actor=web_users["province_admin"], proposal=proposal, accept=True, reason=" "
        )
    decided = services.revocation_decide(
        actor=web_users["province_admin"], proposal=proposal, accept=True, reason="经核查，事故等级为重大"
    )
    assert decided.status == RevocationProposal.Status.ACCEPTED
    ov_cluster.refresh_from_db()
    assert ov_cluster.status == RecognizedCluster.Status.REVOKED
    revocation = Revocation.objects.get(cluster=ov_cluster)
    assert (revocation.case, revocation.article) == (5, "第十八条第（五）项")
    assert revocation.revoked_on == timezone.localdate()
    other.refresh_from_db()
    assert other.status == RevocationProposal.Status.DISMISSED  # nothing left to decide on its own
    assert AuditEvent.objects.filter(action="cluster.revoke", target_id=str(ov_cluster.pk)).exists()
    # A revoked cluster takes no more findings, and a second revocation is refused.
    with pytest.raises(PermissionDenied):
        _incident(web_users, ov_cluster, "violation", "")
    assert (
        services.propose_revocation(
            ov_cluster, 2, grounds="x", source="finding:9", as_of=timezone.localdate()
        )
        is None
    )
    # Public: the cluster's page and the list (and its downloads) show the revocation.
    page = client.get(f"/public/clusters/{ov_cluster.pk}/").content.decode()
    assert "第十八条第（五）项" in page
    assert "经核查，事故等级为重大" in page
    listing = client.get("/public/clusters/").content.decode()
    assert "第十八条第（五）项（情形5）撤销" in listing
    body = json.loads(client.get("/public/clusters/?format=json").content)
    assert body["results"][0]["status"] == "已撤销"
    csv_text = client.get("/public/clusters/?format=csv").content.decode("utf-8-sig")
    assert "已撤销" in csv_text
    assert client.get("/public/clusters/?format=xlsx").status_code == 200


def test_dismissing_keeps_the_cluster_and_records_the_reason(
    web_users: dict[str, User], ov_cluster: RecognizedCluster
) -> None:
    _incident(web_users, ov_cluster, "violation", "")
    proposal = RevocationProposal.objects.get()
    services.revocation_decide(
        actor=web_users["province_admin"], proposal=proposal, accept=False, reason="已整改，情节轻微"
    )
    proposal.refresh_from_db()
    assert proposal.status == RevocationProposal.Status.DISMISSED
    assert proposal.decision_reason == "已整改，情节轻微"
    ov_cluster.refresh_from_db()
    assert ov_cluster.status == RecognizedCluster.Status.VALID
    with pytest.raises(PermissionDenied):  # decided once
        services.revocation_decide(
            actor=web_users["province_admin"], proposal=proposal, accept=True, reason="再议"
        )


@pytest.mark.parametrize(
    "who", ["city_officer", "county_officer", "other_province_admin", "ministry_admin", "expert"]
)
def test_only_the_owners_admin_decides(
    ov_people: dict[str, User], ov_cluster: RecognizedCluster, who: str
) -> None:
    _incident(ov_people, ov_cluster, "violation", "")
    proposal = RevocationProposal.objects.get()
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.revocation_decide(actor=ov_people[who], proposal=proposal, accept=True, reason="撤销")
    proposal.refresh_from_db()
    assert proposal.status == RevocationProposal.Status.OPEN
    assert AuditEvent.objects.count() == events
    assert not Revocation.objects.exists()


# --- case 2 (and 5) recorded by hand ------------------------------------------------------------------------


def test_the_province_records_case_2_from_findings_with_evidence(
    web_users: dict[str, User], ov_cluster: RecognizedCluster, web_pdf_upload: object
) -> None:
    proposal = services.revocation_record(
        actor=web_users["province_admin"],
        cluster=ov_cluster,
        case=2,
        grounds="审计发现申报产值虚报 12 亿元",
        uploads=[web_pdf_upload("审计报告.pdf")],  # type: ignore[operator]
    )
    _assert_basis(proposal, 2)
    assert proposal.proposed_by == web_users["province_admin"]
    assert proposal.evidence.get().original_name == "审计报告.pdf"
    again = services.revocation_record(
        actor=web_users["province_admin"], cluster=ov_cluster, case=5, grounds="另查实严重失信"
    )
    assert again.source != proposal.source
    with pytest.raises(ValidationError) as error:
        # Case 4 is found by the tick; case 3 may be recorded by hand for its limb "不接受、不配合监测监督"
        # (issue 13, finding 9: tests/web/procedure/test_procedure_annual_reports.py).
        services.revocation_record(actor=web_users["province_admin"], cluster=ov_cluster, case=4, grounds="x")
    assert "case" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.revocation_record(actor=web_users["city_officer"], cluster=ov_cluster, case=2, grounds="x")
    assert RevocationProposal.objects.count() == 2


def test_propose_revocation_is_idempotent_per_cluster_case_and_source(ov_cluster: RecognizedCluster) -> None:
    today = timezone.localdate()
    first = services.propose_revocation(ov_cluster, 3, grounds="逾期", source="annual_report:1", as_of=today)
    assert first is not None
    assert (
        services.propose_revocation(ov_cluster, 3, grounds="逾期", source="annual_report:1", as_of=today)
        is None
    )
    assert services.propose_revocation(ov_cluster, 4, grounds="未报备", source="annual_report:1", as_of=today)
    assert RevocationProposal.objects.count() == 2


# --- cases 1 and 3 from the registry's records ------------------------------------------------------------


def test_case_1_an_expired_cluster_without_a_re_review_and_a_failed_re_review(
    ov_cluster: RecognizedCluster,
    ov_more_clusters: Callable[[], RecognizedCluster],
    web_users: dict[str, User],
) -> None:
    today = timezone.localdate()
    RecognizedCluster.objects.filter(pk=ov_cluster.pk).update(
        status=RecognizedCluster.Status.EXPIRED, valid_until=today - timedelta(days=1)
    )
    actions = propose_expired(today)
    assert [(action.action, action.subject, action.cluster) for action in actions] == [
        ("proposed", "revocation", ov_cluster.number)
    ]
    proposal = RevocationProposal.objects.get()
    _assert_basis(proposal, 1)
    assert proposal.source == f"cluster_expired:{(today - timedelta(days=1)).isoformat()}"
    assert propose_expired(today) == []
    failing = ov_more_clusters()
    review = ReReview.objects.create(
        cluster=failing,
        period_valid_until=failing.valid_until,
        opened_on=today - timedelta(days=90),
        status=ReReview.Status.DECIDED,
        outcome=ReReview.Outcome.FAILED,
        decided_on=today,
        decided_by=web_users["province_admin"],
        reason="产值连续下降，未达到认定标准",
    )
    (action,) = propose_expired(today)
    assert action.cluster == failing.number
    failed = RevocationProposal.objects.get(cluster=failing)
    assert failed.source == f"re_review:{review.pk}"
    assert "产值连续下降" in failed.grounds


def test_an_expired_cluster_whose_re_review_is_under_way_waits_for_its_outcome(
    ov_cluster: RecognizedCluster,
) -> None:
    today = timezone.localdate()
    RecognizedCluster.objects.filter(pk=ov_cluster.pk).update(status=RecognizedCluster.Status.EXPIRED)
    ov_cluster.refresh_from_db()
    ReReview.objects.create(
        cluster=ov_cluster,
        period_valid_until=ov_cluster.valid_until,
        opened_on=today - timedelta(days=90),
        status=ReReview.Status.RECOMMENDED,
    )
    assert propose_expired(today) == []


def test_case_3_an_overdue_report_and_a_late_one(ov_cluster: RecognizedCluster) -> None:
    today = timezone.localdate()
    overdue = AnnualReport.objects.create(
        cluster=ov_cluster, year=2024, due_on=today - timedelta(days=5), opened_on=today - timedelta(days=60),
        overdue_flagged_on=today - timedelta(days=4),
    )  # fmt: skip
    late = AnnualReport.objects.create(
        cluster=ov_cluster, year=2023, due_on=date(2024, 3, 31), opened_on=date(2024, 1, 1),
        status=AnnualReport.Status.RECEIVED, late=True,
        submitted_at=datetime(2024, 4, 1, 0, 0, tzinfo=CHINA_TZ),
        forwarded_at=datetime(2024, 4, 2, 0, 0, tzinfo=CHINA_TZ),
    )  # fmt: skip
    actions = propose_missing_reports(today)
    assert len(actions) == 2
    by_source = {proposal.source: proposal for proposal in RevocationProposal.objects.all()}
    _assert_basis(by_source[f"annual_report:{overdue.pk}"], 3)
    assert "未报送" in by_source[f"annual_report:{overdue.pk}"].grounds
    # The cluster's own submission day, not the city's forwarding (issue 13, finding 9).
    assert "集群逾期至 2024-04-01 提交" in by_source[f"annual_report:{late.pk}"].grounds
    assert propose_missing_reports(today) == []


# --- a rule set without revocation articles ----------------------------------------------------------------


def test_a_case_the_rule_set_does_not_name_is_flagged_and_cannot_be_accepted(
    ov_people: dict[str, User], ov_national_cluster: RecognizedCluster
) -> None:
    """The national rule set names cases 4 and 5 as reported, not case 3 (annual reports): an overdue
    report of a national cluster is proposed, flagged without an article, and cannot be accepted."""
    today = timezone.localdate()
    AnnualReport.objects.create(
        cluster=ov_national_cluster, year=2024, due_on=today - timedelta(days=5),
        opened_on=today - timedelta(days=60), overdue_flagged_on=today - timedelta(days=4),
    )  # fmt: skip
    propose_missing_reports(today)
    proposal = RevocationProposal.objects.get()
    assert proposal.case == 3
    assert proposal.has_basis is False
    assert proposal.article == ""
    with pytest.raises(PermissionDenied):  # the province does not decide for the ministry
        services.revocation_decide(
            actor=ov_people["province_admin"], proposal=proposal, accept=False, reason="x"
        )
    with pytest.raises(PermissionDenied) as refused:
        services.revocation_decide(
            actor=ov_people["ministry_admin"], proposal=proposal, accept=True, reason="撤销"
        )
    assert "规则集未载明" in str(refused.value)
    services.revocation_decide(
        actor=ov_people["ministry_admin"], proposal=proposal, accept=False, reason="规则集未载明，转人工核实"
    )
    proposal.refresh_from_db()
    assert proposal.status == RevocationProposal.Status.DISMISSED


def test_an_evidence_file_missing_from_storage_is_a_404_that_says_so(
    web_users: dict[str, User],
    ov_cluster: RecognizedCluster,
    web_pdf_upload: Callable[[str], object],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.revocation_record(
            actor=web_users["province_admin"],
            cluster=ov_cluster,
            case=2,
            grounds="审计发现申报产值虚报 12 亿元",
            uploads=[web_pdf_upload("审计报告.pdf")],  # type: ignore[list-item]
        )
    evidence = proposal.evidence.get()
    url = reverse("oversight:evidence", args=[evidence.pk])
    owner = Client()
    owner.force_login(web_users["province_admin"])
    assert owner.get(url).status_code == 200
    evidence_path(evidence.stored_name).unlink()
    assert owner.get(url).status_code == 404
    request = RequestFactory().get(url)
    request.user = web_users["province_admin"]
    with pytest.raises(Http404, match="已不在存储中"):
        oversight_views.evidence_download(request, evidence.pk)
