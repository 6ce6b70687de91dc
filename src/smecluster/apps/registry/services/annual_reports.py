"""Annual reports (年度培育情况信息表): every write, with its audit event and notifications.

A report covers one complete calendar year and is due on the day the programme's rule set gives for the
year it is filed in (``annual_report.due_date(year + 1)``: 31 March in Guangdong and Shaanxi; nationally
30 April for 2022–2023 and 31 March from 2024); a rule set that gives none (Guizhou) leaves the day to the
programme (``Programme.annual_report_due_month/day``). The filing moment is the recommending office
forwarding the report to the owner: forwarded after 23:59:59 Beijing time on the due day, it is **late**
(``workdays.is_on_time``), and stays late whatever happens after.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.annual_figures import AnnualFigures, parse_annual_figures
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.accounts.recipients import people_in, people_of_role
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.evidence import pipeline
from smecluster.apps.notifications.services import notify
from smecluster.apps.programmes.models import Programme
from smecluster.apps.programmes.recommenders import recommending_office
from smecluster.apps.registry.models import AnnualReport, AnnualReportEvidence, RecognizedCluster
from smecluster.apps.registry.permissions import can_edit_report, chain_role
from smecluster.apps.registry.reach import cluster_county_people
from smecluster.apps.registry.workflow import ANNUAL_REPORT
from smecluster.apps.workflow.engine import Actor, Message, take
from smecluster.errors import UnusableInput
from smecluster.policy.ruleset import rule_set
from smecluster.site.wording import listing
from smecluster.workdays import is_on_time

NARRATIVE_FIELDS = ("work_done", "experience", "problems", "measures")


def annual_report_due(programme: Programme, year: int) -> date | None:
    """The due day of the report on ``year``: the rule set's for the filing year, else the programme's."""
    due = rule_set(programme.rule_set_id).annual_report.due_date(year + 1)
    if due is None and programme.annual_report_due_month and programme.annual_report_due_day:
        due = date(year + 1, programme.annual_report_due_month, programme.annual_report_due_day)
    return due


def report_figures(report: AnnualReport) -> AnnualFigures | None:
    """The stored figures as the typed model (they were validated when saved)."""
    if not report.figures:
        return None
    return AnnualFigures.model_validate(report.figures)


# --- who is told -----------------------------------------------------------------------------------


def office_people(cluster: RecognizedCluster, actor: Actor) -> list[User]:
    """The active officers taking ``actor``'s steps for this cluster: the county's drafters, the
    recommending office's, or the owner's."""
    if actor == Actor.APPLICANT:
        return cluster_county_people(cluster)
    role = chain_role(cluster, actor)
    if role == Role.CITY_OFFICER and actor == Actor.RECOMMENDER:
        # Its city, or the separately listed unit it applied through (深圳, the XPCC's office 660000).
        return people_in(recommending_office(cluster.programme, cluster.county).jurisdiction, role)
    if role == Role.CITY_OFFICER:
        return people_in(cluster.county.parent_id or "", role)
    if role == Role.PROVINCE_ADMIN:
        return people_in(cluster.county_id[:2] + "0000", role)
    # The ministry is one office for the whole country.
    return people_of_role(role)


# --- opening ---------------------------------------------------------------------------------------


def report_open(*, cluster: RecognizedCluster, year: int, today: date) -> tuple[AnnualReport, bool]:
    """Open the draft of ``year`` for ``cluster`` unless it exists; ``(report, created)``. The tick's step:
    the caller holds the transaction."""
    report, created = AnnualReport.objects.get_or_create(
        cluster=cluster,
        year=year,
        defaults={"due_on": annual_report_due(cluster.programme, year), "opened_on": today},
    )
    if created:
        audit_record(
            actor=None,
            action=actions.ANNUAL_REPORT_OPEN,
            target=report,
            after={
                "cluster": cluster.number,
                "year": year,
                "due_on": report.due_on and report.due_on.isoformat(),
            },
        )
        notify(
            recipients=office_people(cluster, Actor.APPLICANT),
            text=_("%(cluster)s %(year)s年度培育情况信息表已开启填报，截止 %(due)s")
            % {"cluster": cluster.name, "year": year, "due": report.due_on or _("另行通知")},
            link=report.get_absolute_url(),
        )
    return report, created


# --- editing ---------------------------------------------------------------------------------------


def _locked(actor: User, report: AnnualReport) -> AnnualReport:
    report = (
        AnnualReport.objects.select_for_update(of=("self",))
        .select_related("cluster__county__parent", "cluster__programme")
        .get(pk=report.pk)
    )
    can_edit_report(actor, report).enforce()
    return report


@transaction.atomic
def report_save_figures(*, actor: User, report: AnnualReport, document: dict[str, Any]) -> AnnualReport:
    """Save the figures: ``document`` must make a valid :class:`AnnualFigures` for the report's year;
    otherwise :class:`UnusableInput` names every field at fault and nothing is written."""
    report = _locked(actor, report)
    before = _store_figures(report, document)
    audit_record(
        actor=actor,
        action=actions.ANNUAL_REPORT_SAVE_FIGURES,
        target=report,
        before=before,
        after=report.figures,
    )
    return report


@transaction.atomic
def report_import_workbook(
    *, actor: User, report: AnnualReport, figures: AnnualFigures, name: str, sha256: str
) -> AnnualReport:
    """Save the figures read from an uploaded workbook (``documents.annual_workbook``): checked as the
    form's are, under the same permission; one audit event naming the file by name and SHA-256, so the
    record shows which workbook the figures came from."""
    report = _locked(actor, report)
    before = _store_figures(report, figures.as_document())
    audit_record(
        actor=actor,
        action=actions.ANNUAL_REPORT_IMPORT_WORKBOOK,
        target=report,
        before=before,
        after={"figures": report.figures, "workbook": {"name": name, "sha256": sha256}},
    )
    return report


def _store_figures(report: AnnualReport, document: dict[str, Any]) -> dict[str, Any] | None:
    """Validate ``document`` for the report's year and store it; the figures before. Plan-target progress
    is computed from the stored figures on every read (``plan_targets.progress_against``), so storing
    them is what brings it up to date."""
    document = {**document, "schema": 1, "year": report.year}
    document["figures"] = {**document.get("figures", {}), "year": report.year}
    figures = parse_annual_figures(document, source=str(report))
    before = report.figures
    report.figures = figures.as_document()
    report.save(update_fields=["figures", "updated_at"])
    return before


@transaction.atomic
def report_save_narrative(*, actor: User, report: AnnualReport, fields: dict[str, str]) -> AnnualReport:
    report = _locked(actor, report)
    before = {name: getattr(report, name) for name in NARRATIVE_FIELDS}
    after = {name: fields.get(name, "").strip() for name in NARRATIVE_FIELDS}
    for name, value in after.items():
        setattr(report, name, value)
    report.save(update_fields=[*NARRATIVE_FIELDS, "updated_at"])
    audit_record(
        actor=actor, action=actions.ANNUAL_REPORT_SAVE_NARRATIVE, target=report, before=before, after=after
    )
    return report


@transaction.atomic
def report_save_target_notes(*, actor: User, report: AnnualReport, notes: dict[int, str]) -> AnnualReport:
    """The county's note on each plan target's progress, keyed by the target's id."""
    report = _locked(actor, report)
    known = set(report.cluster.plan_targets.values_list("pk", flat=True))
    stray = [pk for pk in notes if pk not in known]
    if stray:
        raise ValidationError(_("没有这些发展规划目标：%(ids)s") % {"ids": listing(map(str, stray))})
    before = report.target_notes
    report.target_notes = {str(pk): note.strip() for pk, note in notes.items() if note.strip()}
    report.save(update_fields=["target_notes", "updated_at"])
    audit_record(
        actor=actor,
        action=actions.ANNUAL_REPORT_SAVE_TARGET_NOTES,
        target=report,
        before=before,
        after=report.target_notes,
    )
    return report


@transaction.atomic
def report_evidence_add(
    *, actor: User, report: AnnualReport, upload: UploadedFile[Any]
) -> AnnualReportEvidence:
    """Raises ``EvidenceRejected`` (a message for the field) when the file is not an accepted document."""
    report = _locked(actor, report)
    [evidence] = pipeline.attach(
        AnnualReportEvidence,
        [upload],
        actor=actor,
        audit=actions.ANNUAL_REPORT_EVIDENCE_ADD,
        audit_target=report,
        owner={"report": report},
        field="file",
    )
    return evidence


@transaction.atomic
def report_evidence_remove(*, actor: User, evidence: AnnualReportEvidence) -> None:
    report = _locked(actor, evidence.report)
    pipeline.detach(evidence, actor=actor, audit=actions.ANNUAL_REPORT_EVIDENCE_REMOVE, audit_target=report)


# --- the workflow ----------------------------------------------------------------------------------


def submission_problems(report: AnnualReport) -> list[str]:
    """What keeps a report from being submitted: the figures and the account of the work are required."""
    problems = []
    if not report.figures:
        problems.append(_("尚未填写年度数据（至少须填写集群总产值）"))
    if not report.work_done.strip():
        problems.append(_("尚未填写年度工作开展情况"))
    return problems


@transaction.atomic
def report_move(*, actor: User, report: AnnualReport, action: str, reason: str = "") -> AnnualReport:
    """Take a step of ``registry.workflow.ANNUAL_REPORT`` with the fields it sets: submitting needs the
    figures and the account of the work; forwarding records the filing moment and whether it was late."""
    report = (
        AnnualReport.objects.select_for_update(of=("self",))
        .select_related("cluster__county__parent", "cluster__programme")
        .get(pk=report.pk)
    )
    # Who may, before what is missing: a stranger learns nothing about the report's content.
    ANNUAL_REPORT.can(actor, action, report).enforce()
    if action == "submit" and (problems := submission_problems(report)):
        raise ValidationError("；".join(problems))
    now = timezone.now()
    changed: list[str] = []
    after: dict[str, Any] = {}
    if action == "submit":
        if report.submitted_at is None:  # the cluster's first submission decides its timeliness
            report.late = report.due_on is not None and not is_on_time(now, report.due_on)
            changed.append("late")
            after = {"submitted_at": now.isoformat(), "late": report.late}
        report.submitted_at, report.return_reason = now, ""
        changed += ["submitted_at", "return_reason"]
    elif action == "return":
        report.return_reason = reason.strip()
        changed.append("return_reason")
    elif action == "forward":
        report.forwarded_at = now
        report.forwarded_late = report.due_on is not None and not is_on_time(now, report.due_on)
        changed += ["forwarded_at", "forwarded_late"]
        after = {"forwarded_at": now.isoformat(), "forwarded_late": report.forwarded_late}
    elif action == "receive":
        report.received_at = now
        changed.append("received_at")
    return take(
        ANNUAL_REPORT,
        report,
        action,
        actor=actor,
        reason=reason,
        after=after,
        update_fields=changed,
        messages=_messages(report, action, reason.strip()),
    )


def _messages(report: AnnualReport, action: str, reason: str) -> list[Message]:
    cluster, link = report.cluster, report.get_absolute_url()
    names = {"cluster": cluster.name, "year": report.year}
    if action == "submit":
        return [
            Message(
                office_people(cluster, Actor.RECOMMENDER),
                _("%(cluster)s %(year)s年度培育情况信息表已提交，请审核报送") % names,
                link,
            )
        ]
    if action == "return":
        return [
            Message(
                office_people(cluster, Actor.APPLICANT),
                _("%(cluster)s %(year)s年度培育情况信息表被退回：%(reason)s")
                % {**names, "reason": reason[:180]},
                link,
            )
        ]
    if action == "forward":
        text = _("%(cluster)s %(year)s年度培育情况信息表已报送，请接收") % names
        if report.late:
            text += _("（集群逾期提交，截止日 %(due)s）") % {"due": report.due_on}
        if report.forwarded_late:
            text += _("（市级逾期报送，截止日 %(due)s）") % {"due": report.due_on}
        return [
            Message(office_people(cluster, Actor.OWNER), text, link),
            Message(office_people(cluster, Actor.APPLICANT), text, link),
        ]
    if action == "receive":
        return [
            Message(
                office_people(cluster, Actor.APPLICANT),
                _("%(cluster)s %(year)s年度培育情况信息表已接收") % names,
                link,
            )
        ]
    return []


def figures_problems(error: UnusableInput) -> dict[str, list[str]]:
    """Problems keyed by the field path the form names its inputs after (``figures.output``)."""
    found: dict[str, list[str]] = {}
    for problem in error.problems:
        found.setdefault(problem.field, []).append(problem.message)
    return found
