"""Re-review (复核) at the end of a validity period: every write, with its audit event and notifications.

The tick opens a re-review ``Programme.re_review_window_days`` before ``valid_until``
(``registry.services.duties``).
The county files it: a statement, and an **updated profile** built from what the cluster has reported —
the application's profile with the cluster's current leading industry and spatial scope (after major
changes), and the yearly figures and quality-firm counts of the received annual reports
(so the figures the province judges are the ones it received, not new ones typed for the occasion) — plus
the achievement of each plan target against the latest received report. The city recommends (or returns);
the province sees the rule set's evaluation of the profile and decides with a reason.

**Extension arithmetic**: a pass adds the rule set's ``recognition_validity.extension_years`` (or, where the
rule set names none, its ``years``: a passed re-review gives a new period of the same length) as whole
years after the old period: ``new_valid_until = add_years(old_valid_until + 1 day, N) − 1 day``.
2028-03-09 → 2031-03-09; 2028-02-29 → 2031-02-28 (the period begins 1 March 2028 and runs three years).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.profiles import profile_document
from smecluster.apps.applications.services import today_in_china
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.evidence import pipeline
from smecluster.apps.notifications.services import notify
from smecluster.apps.oversight.facts import current_facts
from smecluster.apps.programmes.models import Programme
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster, ReReview, ReReviewEvidence
from smecluster.apps.registry.permissions import can_edit_re_review
from smecluster.apps.registry.services.annual_reports import office_people
from smecluster.apps.registry.services.recognition import add_years
from smecluster.apps.registry.workflow import RE_REVIEW, RECOGNIZED_CLUSTER
from smecluster.apps.workflow.engine import Actor, Message, take
from smecluster.errors import UnusableInput
from smecluster.policy.evaluator import evaluate
from smecluster.policy.ruleset import rule_set
from smecluster.policy.verdict import Verdict
from smecluster.profile import ClusterProfile, parse_profile
from smecluster.site.wording import problem_text

PROFILE_YEARS = 3
"""The profile carries the last three complete years, as an application does."""


def extension_years(programme: Programme) -> int:
    validity = rule_set(programme.rule_set_id).recognition_validity
    return validity.extension_years or validity.years


def extended_until(valid_until: date, years: int) -> date:
    """The last day of the period of ``years`` whole years that follows the one ending on ``valid_until``."""
    return add_years(valid_until + timedelta(days=1), years) - timedelta(days=1)


def window_opens_on(cluster: RecognizedCluster) -> date:
    return cluster.valid_until - timedelta(days=cluster.programme.re_review_window_days)


# --- the updated profile ---------------------------------------------------------------------------


def updated_profile_document(cluster: RecognizedCluster, as_of: date) -> dict[str, Any]:
    """The application's profile brought up to date with the received annual reports (see the module)."""
    if cluster.application is None:
        document = imported_profile_document(cluster, as_of)
    else:
        document = profile_document(cluster.application, as_of)
    # The cluster as it stands now: major changes approved (or found) since recognition move its leading
    # industry and spatial scope (``oversight.facts``).
    facts = current_facts(cluster)
    document["name"] = cluster.name
    document["leading_industry"] = facts.leading_industry
    document["counties"] = list(facts.counties) or document["counties"]
    if facts.area_km2 is not None:
        document["area_km2"] = facts.area_km2
    years = {entry["year"]: entry for entry in document["years"]}
    received: list[tuple[int, dict[str, Any]]] = [
        (report.year, report.figures)
        for report in cluster.annual_reports.filter(status=AnnualReport.Status.RECEIVED).order_by("year")
        if report.figures is not None  # received without figures: nothing to bring in
    ]
    for year, figures in received:
        years[year] = dict(figures["figures"])
    document["years"] = [years[year] for year in _latest_run(set(years))]
    if received:
        document["quality_firms"] = dict(received[-1][1].get("quality_firms", {}))
    document["application_date"] = as_of.isoformat()
    updated: dict[str, Any] = _json_numbers(document)
    return updated


def imported_profile_document(cluster: RecognizedCluster, as_of: date) -> dict[str, Any]:
    """What stands for the application's profile of a cluster imported from a past list: what the list
    gave (name, place, leading industry). Area and the energy and water flags were never filed with the
    platform, so they stay absent and the evaluation names them as missing rather than guessing them."""
    province = cluster.county
    while province.parent is not None:
        province = province.parent
    document: dict[str, Any] = {
        "schema": 1,
        "name": cluster.name,
        "province": province.name,
        "counties": [cluster.county_id],
        "leading_industry": cluster.leading_industry,
        "application_date": as_of.isoformat(),
        "last_complete_year": as_of.year - 1,
        "years": [],
        "quality_firms": {},
        "incidents": [],
    }
    if cluster.leading_industry_code:
        document["leading_industry_code"] = cluster.leading_industry_code
    if cluster.places:
        document["places"] = [dict(place) for place in cluster.places]
    return document


def _latest_run(years: set[int]) -> list[int]:
    """The last :data:`PROFILE_YEARS` consecutive years ending with the latest one: a year nobody reported
    ends the run (the profile's years must be consecutive), so older figures never skip over a gap."""
    if not years:
        return []
    run = [max(years)]
    while len(run) < PROFILE_YEARS and run[0] - 1 in years:
        run.insert(0, run[0] - 1)
    return run


def _json_numbers(node: Any) -> Any:
    """Decimals read from the database as JSON numbers, so the document can be stored and read back
    (the profile's number fields refuse numbers written as strings)."""
    if isinstance(node, dict):
        return {key: _json_numbers(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_json_numbers(value) for value in node]
    if isinstance(node, Decimal):
        return int(node) if node == node.to_integral_value() else float(node)
    return node


def evaluation(
    document: dict[str, Any], programme: Programme, source: str
) -> tuple[Verdict | None, UnusableInput | None]:
    """The rule set's verdict on the profile, or the problems that keep the data from making one."""
    try:
        profile: ClusterProfile = parse_profile(document, source=source)
    except UnusableInput as problems:
        return None, problems
    return evaluate(profile, rule_set(programme.rule_set_id)), None


# --- opening ---------------------------------------------------------------------------------------


def re_review_open(*, cluster: RecognizedCluster, today: date) -> tuple[ReReview, bool]:
    """Open the re-review of the cluster's current validity period unless it exists (the tick's step)."""
    re_review, created = ReReview.objects.get_or_create(
        cluster=cluster, period_valid_until=cluster.valid_until, defaults={"opened_on": today}
    )
    if created:
        audit_record(
            actor=None,
            action=actions.RE_REVIEW_OPEN,
            target=re_review,
            after={"cluster": cluster.number, "valid_until": cluster.valid_until.isoformat()},
        )
        notify(
            recipients=office_people(cluster, Actor.APPLICANT),
            text=_("%(cluster)s 有效期至 %(until)s，复核申请已开启，请在有效期届满前提交")
            % {"cluster": cluster.name, "until": cluster.valid_until},
            link=re_review.get_absolute_url(),
        )
    return re_review, created


# --- the county's filing ---------------------------------------------------------------------------


def _locked(re_review: ReReview) -> ReReview:
    return (
        ReReview.objects.select_for_update(of=("self",))
        .select_related(
            "cluster__county__parent", "cluster__programme", "cluster__application__call__programme"
        )
        .get(pk=re_review.pk)
    )


@transaction.atomic
def re_review_save(*, actor: User, re_review: ReReview, statement: str) -> ReReview:
    re_review = _locked(re_review)
    can_edit_re_review(actor, re_review).enforce()
    before = re_review.statement
    re_review.statement = statement.strip()
    re_review.save(update_fields=["statement", "updated_at"])
    audit_record(
        actor=actor,
        action=actions.RE_REVIEW_SAVE,
        target=re_review,
        before={"statement": before},
        after={"statement": re_review.statement},
    )
    return re_review


@transaction.atomic
def re_review_evidence_add(
    *, actor: User, re_review: ReReview, upload: UploadedFile[Any]
) -> ReReviewEvidence:
    """Raises ``EvidenceRejected`` (a message for the field) when the file is not an accepted document."""
    re_review = _locked(re_review)
    can_edit_re_review(actor, re_review).enforce()
    [evidence] = pipeline.attach(
        ReReviewEvidence,
        [upload],
        actor=actor,
        audit=actions.RE_REVIEW_EVIDENCE_ADD,
        audit_target=re_review,
        owner={"re_review": re_review},
        field="file",
    )
    return evidence


@transaction.atomic
def re_review_evidence_remove(*, actor: User, evidence: ReReviewEvidence) -> None:
    re_review = _locked(evidence.re_review)
    can_edit_re_review(actor, re_review).enforce()
    pipeline.detach(evidence, actor=actor, audit=actions.RE_REVIEW_EVIDENCE_REMOVE, audit_target=re_review)


@transaction.atomic
def re_review_move(
    *, actor: User, re_review: ReReview, action: str, reason: str = "", outcome: str | None = None
) -> ReReview:
    """Take a step of ``registry.workflow.RE_REVIEW`` with the fields it sets. ``decide`` needs ``outcome``
    (passed / failed) and a reason; a pass extends the cluster's validity (``RECOGNIZED_CLUSTER``'s
    ``extend``)."""
    re_review = _locked(re_review)
    # Who may, before what is missing: a stranger learns nothing about the re-review's content.
    RE_REVIEW.can(actor, action, re_review).enforce()
    reason = reason.strip()
    if action == "decide" and outcome not in ReReview.Outcome.values:
        raise ValidationError({"outcome": _("请选择复核通过或复核未通过")})
    if RE_REVIEW.transition(action).needs_reason and not reason:
        raise ValidationError({"reason": _("请填写理由")})
    cluster = RecognizedCluster.objects.select_for_update(of=("self",)).get(pk=re_review.cluster_id)
    now, today = timezone.now(), today_in_china()
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    changed: list[str] = []
    if action == "submit":
        if not re_review.statement:
            raise ValidationError({"statement": _("请填写复核申请说明")})
        re_review.profile = updated_profile_document(re_review.cluster, today)
        _verdict, problems = evaluation(re_review.profile, cluster.programme, str(re_review))
        if problems is not None:
            raise ValidationError(
                _("集群数据不能用于复核评价：%(problems)s")
                % {"problems": "；".join(problem_text(problem) for problem in problems.problems)}
            )
        re_review.submitted_at, re_review.return_reason = now, ""
        changed += ["profile", "submitted_at", "return_reason"]
    elif action == "return":
        re_review.return_reason = reason
        changed.append("return_reason")
    elif action == "recommend":
        re_review.city_opinion, re_review.recommended_at = reason, now
        changed += ["city_opinion", "recommended_at"]
    elif action == "decide":
        re_review.outcome, re_review.reason = outcome, reason
        re_review.decided_on, re_review.decided_by = today, actor
        changed += ["outcome", "reason", "decided_on", "decided_by"]
        if outcome == ReReview.Outcome.PASSED:
            years = extension_years(cluster.programme)
            previous = cluster.valid_until
            re_review.previous_valid_until = previous
            re_review.new_valid_until = extended_until(previous, years)
            changed += ["previous_valid_until", "new_valid_until"]
            cluster.valid_until = re_review.new_valid_until
            take(
                RECOGNIZED_CLUSTER,
                cluster,
                "extend",
                actor=actor,
                reason=reason,
                before={"valid_until": previous.isoformat()},
                after={"valid_until": cluster.valid_until.isoformat(), "re_review": re_review.pk},
                update_fields=["valid_until"],
            )
            before["valid_until"] = previous.isoformat()
            after |= {"valid_until": cluster.valid_until.isoformat(), "extension_years": years}
        after["outcome"] = outcome
    return take(
        RE_REVIEW,
        re_review,
        action,
        actor=actor,
        reason=reason,
        before=before,
        after=after,
        update_fields=changed,
        messages=_messages(re_review, action, reason),
    )


def _messages(re_review: ReReview, action: str, reason: str) -> list[Message]:
    cluster, link = re_review.cluster, re_review.get_absolute_url()
    if action == "submit":
        return [
            Message(
                office_people(cluster, Actor.RECOMMENDER),
                _("%(cluster)s 已提交复核申请，请审核推荐") % {"cluster": cluster.name},
                link,
            )
        ]
    if action == "return":
        return [
            Message(
                office_people(cluster, Actor.APPLICANT),
                _("%(cluster)s 复核申请被退回：%(reason)s")
                % {"cluster": cluster.name, "reason": reason[:180]},
                link,
            )
        ]
    if action == "recommend":
        return [
            Message(
                office_people(cluster, Actor.OWNER),
                _("%(cluster)s 复核申请已推荐，请作出复核决定") % {"cluster": cluster.name},
                link,
            )
        ]
    if action == "decide":
        if re_review.outcome == ReReview.Outcome.PASSED:
            text = _("%(cluster)s 复核通过，有效期延续至 %(until)s") % {
                "cluster": cluster.name,
                "until": re_review.new_valid_until,
            }
        else:
            text = _("%(cluster)s 复核未通过：%(reason)s") % {"cluster": cluster.name, "reason": reason[:180]}
        return [
            Message(
                [*office_people(cluster, Actor.APPLICANT), *office_people(cluster, Actor.RECOMMENDER)],
                text,
                link,
            )
        ]
    return []
