"""The yearly assessment (考核) of a recognized cluster: its proposal from the programme's criteria and its
record by the owner.

GD 5 and SX 5 give the province "认定、监督和考核工作"; GD 17 and SX 18 "省工业和信息化厅组织开展监督和考核，
编制集群发展评估报告", after the cities have followed "发展规划执行情况、目标进展…" and collected the annual
report. The measures fix no grades, so the grades and their thresholds are the programme's
(``Programme.assessment_criteria``): the proposal is the best grade whose lower bound the share of plan
targets on track reaches, in the figures of the year's received annual report; no received report, the
worst grade; a late report, no better than the programme's cap. The owner records the grade (it may differ
from the proposal) with findings; the basis seen is kept with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.programmes.models import Programme
from smecluster.apps.registry.metrics import number_text
from smecluster.apps.registry.models import AnnualReport, ClusterAssessment, RecognizedCluster
from smecluster.apps.registry.permissions import can_assess
from smecluster.apps.registry.services.plan_targets import TargetLine, progress_against


@dataclass(frozen=True)
class Proposal:
    """What the criteria propose for one cluster-year, and why."""

    year: int
    report: AnnualReport | None
    lines: list[TargetLine]
    on_track: int
    counted: int
    grade: str
    reasons: list[str]

    @property
    def on_track_pct(self) -> Decimal | None:
        if not self.counted:
            return None
        return (Decimal(self.on_track) * 100 / self.counted).quantize(Decimal("0.1"))


def grades(programme: Programme) -> list[str]:
    """The programme's grades, best first."""
    return [grade["label"] for grade in programme.assessment_criteria["grades"]]


def assessable_years(cluster: RecognizedCluster, today: date) -> list[int]:
    """The complete calendar years of the cluster's validity so far: from the recognition year to the last
    year of the validity, and before this year."""
    last = min(cluster.valid_until.year, today.year - 1)
    return list(range(cluster.recognized_on.year, last + 1))


def propose(cluster: RecognizedCluster, year: int) -> Proposal:
    criteria = cluster.programme.assessment_criteria
    ladder = criteria["grades"]
    report = (
        cluster.annual_reports.filter(year=year, status=AnnualReport.Status.RECEIVED)
        .select_related("cluster")
        .first()
    )
    if report is None:
        return Proposal(
            year,
            None,
            [],
            0,
            0,
            ladder[-1]["label"],
            [_("%(year)s年度报告未报送或尚未接收") % {"year": year}],
        )
    lines = progress_against(report)
    counted = [line for line in lines if line.progress.on_track is not None]
    on_track = sum(1 for line in counted if line.progress.on_track)
    reasons = []
    if not lines:
        reasons.append(_("集群未设定发展规划目标，按年报情况评定"))
        pct = Decimal(100)
    elif not counted:
        reasons.append(_("年报数据不足以计算任何规划目标的进展"))
        pct = Decimal(0)
    else:
        pct = Decimal(on_track) * 100 / len(counted)
        reasons.append(
            _("规划目标按期进展 %(on)s / %(all)s 项（%(pct)s%%）")
            % {"on": on_track, "all": len(counted), "pct": number_text(pct.quantize(Decimal("0.1")))}
        )
    grade = next(step["label"] for step in ladder if pct >= Decimal(str(step["min_on_track_pct"])))
    cap = criteria.get("late_report_max_grade")
    labels = [step["label"] for step in ladder]
    if report.late and cap and labels.index(grade) < labels.index(cap):
        reasons.append(_("年报逾期报送，建议等次不高于“%(cap)s”") % {"cap": cap})
        grade = cap
    return Proposal(year, report, lines, on_track, len(counted), grade, reasons)


def _basis(proposal: Proposal, criteria: Any) -> dict[str, Any]:
    report = proposal.report
    return {
        "criteria": criteria,
        "report": None
        if report is None
        else {
            "id": report.pk,
            "late": report.late,
            "received_at": report.received_at.isoformat() if report.received_at else None,
        },
        "targets": [
            {
                "metric": str(line.progress.metric.label),
                "unit": str(line.progress.metric.unit),
                "baseline": number_text(line.progress.baseline_value),
                "target": number_text(line.progress.target_value),
                "target_year": line.progress.target_year,
                "expected": number_text(line.progress.expected_value),
                "achieved": number_text(line.progress.achieved_value),
                "on_track": line.progress.on_track,
            }
            for line in proposal.lines
        ],
        "on_track": proposal.on_track,
        "counted": proposal.counted,
        "proposed_grade": proposal.grade,
        "reasons": [str(reason) for reason in proposal.reasons],
    }


def _plain(assessment: ClusterAssessment) -> dict[str, Any]:
    return {"year": assessment.year, "grade": assessment.grade, "findings": assessment.findings}


@transaction.atomic
def assessment_record(
    *, actor: User, cluster: RecognizedCluster, year: int, grade: str, findings: str, today: date
) -> ClusterAssessment:
    """Record (or revise) the owner's assessment of ``cluster`` for ``year``; audited with before/after."""
    cluster = (
        RecognizedCluster.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=cluster.pk)
    )
    can_assess(actor, cluster).enforce()
    problems: dict[str, str] = {}
    if year not in assessable_years(cluster, today):
        problems["year"] = _("%(year)s年不是该集群有效期内已结束的年度") % {"year": year}
    if grade not in grades(cluster.programme):
        problems["grade"] = _("请从考核标准所列等次中选择")
    findings = findings.strip()
    if not findings:
        problems["findings"] = _("请填写考核意见")
    if problems:
        raise ValidationError(problems)
    proposal = propose(cluster, year)
    existing = ClusterAssessment.objects.filter(cluster=cluster, year=year).first()
    before = _plain(existing) if existing else None
    assessment = existing or ClusterAssessment(cluster=cluster, year=year)
    assessment.report = proposal.report
    assessment.proposed_grade = proposal.grade
    assessment.grade = grade
    assessment.findings = findings
    assessment.basis = _basis(proposal, cluster.programme.assessment_criteria)
    assessment.assessed_by = actor
    assessment.assessed_at = timezone.now()
    assessment.save()
    audit_record(
        actor=actor,
        action=actions.ASSESSMENT_UPDATE if before else actions.ASSESSMENT_RECORD,
        target=cluster,
        before=before,
        after={**_plain(assessment), "proposed_grade": assessment.proposed_grade},
    )
    return assessment


def assessment_rows(
    cluster: RecognizedCluster, today: date, first_year: int | None = None, last_year: int | None = None
) -> list[tuple[int, ClusterAssessment | None]]:
    """Each assessable year (within ``first_year``–``last_year`` when given: a validity period, at
    re-review) with its assessment, or None where the owner has not assessed it yet."""
    years = [
        year
        for year in assessable_years(cluster, today)
        if (first_year is None or year >= first_year) and (last_year is None or year <= last_year)
    ]
    recorded = {assessment.year: assessment for assessment in cluster.assessments.filter(year__in=years)}
    return [(year, recorded.get(year)) for year in years]
