"""The city's writes: accept or return, initial review, spot check, recommendation within the quota."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import Jurisdiction, User
from smecluster.apps.applications.models import Application, Section
from smecluster.apps.applications.profiles import binding_refusal, onsite_check_refusal
from smecluster.apps.applications.selectors import recommended_by_same_office
from smecluster.apps.applications.services import county_people, evidence_attach
from smecluster.apps.applications.workflow import APPLICATION, Actor, acting_level
from smecluster.apps.audit import actions as A
from smecluster.apps.notifications.services import notify
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.programmes.recommenders import recommendation_quota, recommending_office
from smecluster.apps.reviews.models import InitialReview, Recommendation, SpotCheck
from smecluster.apps.workflow.engine import take
from smecluster.policy.ruleset import rule_set

FINDING_STATUSES = {"pass", "fail", "review"}


def _locked(application: Application) -> Application:
    # of=("self",): lock the application row only; the quota takes its own lock on the call.
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("county", "call__programme")
        .get(pk=application.pk)
    )


def _tell_county(application: Application, text: str) -> None:
    notify(recipients=county_people(application), text=text, link=application.get_absolute_url())


@transaction.atomic
def application_accept(*, actor: User, application: Application) -> Application:
    application = take(APPLICATION, _locked(application), "accept", actor=actor)
    _tell_county(application, _("申报 %(number)s 已被市级受理") % {"number": application.number})
    return application


@transaction.atomic
def application_return(*, actor: User, application: Application, reason: str) -> Application:
    application = take(APPLICATION, _locked(application), "return", actor=actor, reason=reason)
    application.return_reason = reason
    application.save(update_fields=["return_reason"])
    _tell_county(
        application,
        _("申报 %(number)s 被退回修改：%(reason)s") % {"number": application.number, "reason": reason},
    )
    return application


@transaction.atomic
def initial_review_record(
    *, actor: User, application: Application, findings: list[dict[str, Any]], conclusion: str
) -> InitialReview:
    """初审: one finding per criterion of the programme's rule set; unknown criteria are refused."""
    application = _locked(application)
    criteria = {criterion.id for criterion in rule_set(application.call.programme.rule_set_id).criteria}
    problems = {}
    for index, finding in enumerate(findings):
        if finding.get("criterion_id") not in criteria:
            problems[f"findings[{index}]"] = _("不是本项目规则集中的条件")
        elif finding.get("status") not in FINDING_STATUSES:
            problems[f"findings[{index}]"] = _("意见须为符合、不符合或待定")
    if not conclusion.strip():
        problems["conclusion"] = _("请填写初审结论")
    if problems:
        raise ValidationError(problems)
    take(APPLICATION, application, "review", actor=actor, reason=conclusion)
    return InitialReview.objects.create(
        application=application,
        reviewer=actor,
        findings=findings,
        conclusion=conclusion,
        version_number=application.versions.count(),
    )


@transaction.atomic
def spot_check_record(
    *,
    actor: User,
    application: Application,
    checked_on: date,
    inspectors: str,
    findings: str,
    conclusion: str,
    uploads: Sequence[UploadedFile[Any]] = (),
) -> SpotCheck:
    """实地抽查 by the recommending level (实地核查 where the programme has it verify every application, and
    recorded as such): the record and its photos and files (spot_check evidence), all or nothing.

    A rejected upload (wrong type, too large) raises a ValidationError on ``files`` naming the file, and
    nothing of the record is kept.
    """
    return _spot_check(
        "spot_check",
        actor=actor,
        application=application,
        checked_on=checked_on,
        inspectors=inspectors,
        findings=findings,
        conclusion=conclusion,
        uploads=uploads,
    )


@transaction.atomic
def owner_spot_check_record(
    *,
    actor: User,
    application: Application,
    checked_on: date,
    inspectors: str,
    findings: str,
    conclusion: str,
    uploads: Sequence[UploadedFile[Any]] = (),
) -> SpotCheck:
    """实地抽查 by the owner (Guizhou 第六问: the province "必要时可实地抽查") of a recommended application:
    the same record as the recommending level's, optional, taken by the owner's own transition."""
    return _spot_check(
        "owner_spot_check",
        actor=actor,
        application=application,
        checked_on=checked_on,
        inspectors=inspectors,
        findings=findings,
        conclusion=conclusion,
        uploads=uploads,
    )


def _spot_check(
    action: str,
    *,
    actor: User,
    application: Application,
    checked_on: date,
    inspectors: str,
    findings: str,
    conclusion: str,
    uploads: Sequence[UploadedFile[Any]],
) -> SpotCheck:
    application = _locked(application)
    problems = {}
    if not inspectors.strip():
        problems["inspectors"] = _("请填写检查人员")
    if not findings.strip():
        problems["findings"] = _("请填写发现的情况")
    if conclusion not in SpotCheck.Conclusion.values:
        problems["conclusion"] = _("请选择结论")
    if problems:
        raise ValidationError(problems)
    label = SpotCheck.Conclusion(conclusion).label
    every_application = action == "spot_check" and application.call.programme.onsite_check_every_application
    take(
        APPLICATION,
        application,
        action,
        actor=actor,
        reason=f"{checked_on:%Y-%m-%d} {label}（{inspectors}）",
        recorded_as=A.APPLICATION_ONSITE_CHECK if every_application else None,
    )
    record = SpotCheck.objects.create(
        application=application,
        checked_on=checked_on,
        inspectors=inspectors,
        findings=findings,
        conclusion=conclusion,
        recorded_by=actor,
    )
    # All or nothing: a rejected file (EvidenceRejected on ``files``, naming it) rolls the record back,
    # and the files staged before it with it.
    record.files.add(
        *evidence_attach(actor=actor, application=application, section=Section.SPOT_CHECK, uploads=uploads)
    )
    return record


def recommended_count(application: Application) -> int:
    """How many applications of the same recommending office in the same call were recommended."""
    return recommended_by_same_office(application).count()


@transaction.atomic
def application_recommend(
    *, actor: User, application: Application, recommended: bool, reason: str
) -> Recommendation:
    application = _locked(application)
    if recommended:
        if refusal := binding_refusal(application) or onsite_check_refusal(application):
            raise ValidationError({"decision": refusal})
        # Recommendations within one call queue on the call's row, so two officers cannot both take
        # the last place (locking the recommended rows would not do: there may be none yet).
        call = YearlyCall.objects.select_for_update().select_related("programme").get(pk=application.call_id)
        office = recommending_office(call.programme, application.county)
        quota = recommendation_quota(call, office)
        used = recommended_count(application)
        if quota.limit is not None and used >= quota.limit:
            if quota.law is not None and quota.law.max_recommended == quota.limit:
                raise ValidationError(
                    _("%(office)s本年度推荐名额为 %(quota)s 个（%(basis)s），已推荐 %(used)s 个")
                    % {
                        "office": Jurisdiction.objects.get(code=office.quota_holder).name,
                        "quota": quota.limit,
                        "basis": quota.basis,
                        "used": used,
                    }
                )
            raise ValidationError(
                _("本市本年度推荐名额为 %(quota)s 个，已推荐 %(used)s 个")
                % {"quota": quota.limit, "used": used}
            )
    take(
        APPLICATION, application, "recommend" if recommended else "not_recommend", actor=actor, reason=reason
    )
    decision = Recommendation.objects.create(
        application=application, recommended=recommended, reason=reason, decided_by=actor
    )
    owner = acting_level(application.call.programme.review_chain, Actor.OWNER)
    verdict = (
        (_("已推荐至工业和信息化部") if owner == "national" else _("已推荐至省级"))
        if recommended
        else _("未获推荐")
    )
    _tell_county(
        application, _("申报 %(number)s %(verdict)s") % {"number": application.number, "verdict": verdict}
    )
    return decision
