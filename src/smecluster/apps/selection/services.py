"""The owner's selection and the experts' scoring: every write, one function per action.

Each function checks permission first (the same check the page uses to show a button, refusing with the
reason), writes in one transaction, records its audit event in that transaction, and notifies people
through ``notify`` (the e-mail goes after commit). Application statuses change only through the application
machine (``take(APPLICATION, ...)``). Once a call's shortlist is confirmed, its screening, indicator
system, assignments and scores are frozen: every function here refuses to change them.

Events about experts (assignment, declaration, scores, reminders) are recorded on the assignment, not on
the application, so the application's history, which the county reads, never names its reviewers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.analytics.scoring import content_hash, decimal_text
from smecluster.apps.accounts.models import Jurisdiction, Level, User
from smecluster.apps.accounts.recipients import people_of_role
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.profiles import binding_refusal
from smecluster.apps.applications.services import county_people
from smecluster.apps.applications.workflow import APPLICATION, Status
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.notifications.services import notify
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.selection.models import (
    Assignment,
    DeclaredRelation,
    ExpertProfile,
    Indicator,
    IndicatorSystem,
    Score,
    Screening,
    Shortlist,
)
from smecluster.apps.selection.pages import screening_check
from smecluster.apps.selection.permissions import (
    can_assign,
    can_change_review,
    can_declare,
    can_declare_relation,
    can_edit_indicators,
    can_manage_experts,
    can_own,
    can_score,
    expert_in_pool_of,
    frozen,
    owner_role,
)
from smecluster.apps.selection.selectors import (
    assignments_to_remind,
    call_loads,
    compute_ranking,
    current_system,
    eligible_experts,
    pool_index,
    ranking_content,
    ranking_inputs,
    reminded_on_or_after,
)
from smecluster.apps.workflow.engine import take
from smecluster.policy.indicators import TOTAL_POINTS, default_indicator_system
from smecluster.site.wording import listing

SETTINGS_FIELDS = ("experts_per_application", "scoring_deadline", "aggregation", "recognition_quota")


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("county__parent", "call__programme")
        .get(pk=application.pk)
    )


def _locked_call(call: YearlyCall) -> YearlyCall:
    return YearlyCall.objects.select_for_update(of=("self",)).select_related("programme").get(pk=call.pk)


def _locked_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("application__county__parent", "application__call__programme", "expert")
        .get(pk=assignment.pk)
    )


def owners(call: YearlyCall) -> list[User]:
    """The people who run the call's selection: its programme's owner role, in the owning province."""
    owning_province = call.programme.owner_id
    return people_of_role(
        owner_role(call), jurisdictions=None if owning_province is None else [owning_province]
    )


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _tell_county(application: Application, text: str) -> None:
    notify(
        recipients=county_people(application),
        text=text,
        link=reverse("applications:detail", args=[application.pk]),
    )


# --- the call's selection settings ----------------------------------------------------------------


@transaction.atomic
def call_settings_update(*, actor: User, call: YearlyCall, fields: dict[str, Any]) -> YearlyCall:
    """Experts per application, the scoring deadline, the aggregation method and the recognition quota."""
    call = _locked_call(call)
    can_change_review(actor, call).enforce()
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    before = {key: getattr(call, key) for key in fields}
    for key, value in fields.items():
        setattr(call, key, value)
    try:
        call.full_clean(validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(
            {key: value for key, value in error.message_dict.items() if key in fields}
        ) from None
    call.save(update_fields=list(fields))
    audit_record(
        actor=actor,
        action=actions.CALL_SELECTION_SETTINGS,
        target=call,
        before={key: None if value is None else str(value) for key, value in before.items()},
        after={key: None if value is None else str(value) for key, value in fields.items()},
    )
    return call


# --- screening ------------------------------------------------------------------------------------


@transaction.atomic
def application_screen(
    *, actor: User, application: Application, goes_on: bool, reason: str = ""
) -> Screening:
    """审核: evaluate under the programme's rule set now, store the verdict, and let the application go
    on to expert review or stop it. A computed criterion that fails or lacks its data (flagged) bars going
    on, whatever the reason ("在符合认定条件的基础上", GD 15(二), SX 15); stopping needs a reason."""
    application = _locked(application)
    can_change_review(actor, application.call).enforce()
    reason = reason.strip()
    check = screening_check(application)
    if goes_on and check.flagged:
        raise ValidationError({"decision": binding_refusal(application) or "；".join(check.failing)})
    if not goes_on and not reason:
        raise ValidationError({"reason": _("请填写审核不通过的理由")})
    take(APPLICATION, application, "screen" if goes_on else "screen_out", actor=actor, reason=reason)
    screening = Screening.objects.create(
        application=application,
        verdict=check.verdict,
        outcome=check.outcome,
        flagged=check.flagged,
        goes_on=goes_on,
        reason=reason,
        decided_by=actor,
    )
    audit_record(
        actor=actor,
        action=actions.SELECTION_SCREENING,
        target=application,
        after={"outcome": check.outcome, "flagged": check.flagged, "goes_on": goes_on},
        reason=reason,
    )
    if goes_on:
        _tell_county(
            application, _("申报 %(number)s 已通过审核，进入专家评审") % {"number": application.number}
        )
    else:
        _tell_county(
            application,
            _("申报 %(number)s 审核未通过：%(reason)s") % {"number": application.number, "reason": reason},
        )
    return screening


@transaction.atomic
def screening_pass_unflagged(*, actor: User, call: YearlyCall) -> list[Screening]:
    """通过审核 for every recommended application of the call that no computed criterion flags."""
    call = _locked_call(call)
    can_change_review(actor, call).enforce()
    passed = []
    for application in call.applications.filter(status=Status.RECOMMENDED).order_by("number"):
        if screening_check(application).flagged:
            continue
        passed.append(application_screen(actor=actor, application=application, goes_on=True))
    return passed


# --- the indicator system -------------------------------------------------------------------------


def _system_rows(system: IndicatorSystem) -> list[dict[str, str]]:
    return [
        {
            "code": indicator.code,
            "dimension": indicator.dimension,
            "name": indicator.name,
            "max_points": decimal_text(indicator.max_points),
        }
        for indicator in system.indicators.order_by("order", "code")
    ]


@transaction.atomic
def indicator_system_ensure(*, actor: User, call: YearlyCall) -> IndicatorSystem:
    """The call's indicator system; on first use, version 1 from the default (``indicators/default.yaml``)."""
    can_own(actor, call).enforce()
    call = _locked_call(call)
    if (existing := current_system(call)) is not None:
        return existing
    can_change_review(actor, call).enforce()
    default = default_indicator_system()
    system = IndicatorSystem.objects.create(
        call=call,
        version=1,
        name=default.name,
        is_default=default.is_default,
        note=default.note,
        created_by=actor,
    )
    for row in default.rows():
        Indicator.objects.create(
            system=system,
            code=row.code,
            dimension=row.dimension,
            name=row.name,
            max_points=row.max_points,
            guidance=row.guidance,
            order=row.order,
        )
    audit_record(
        actor=actor,
        action=actions.INDICATOR_SYSTEM_CREATE,
        target=system,
        after={"version": 1, "source": default.id, "indicators": _system_rows(system)},
    )
    return system


def _row_problems(rows: list[dict[str, Any]]) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    if not rows:
        return {"__all__": _("请至少填写一项指标")}
    codes = [row["code"] for row in rows]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        problems["__all__"] = [_("指标编号重复：%(codes)s") % {"codes": listing(duplicates)}]
    total = sum((Decimal(row["max_points"]) for row in rows), Decimal(0))
    if total != TOTAL_POINTS:
        problems.setdefault("__all__", []).append(
            _("各项指标满分合计须恰好为 100 分，现为 %(total)s 分") % {"total": decimal_text(total)}
        )
    return problems


@transaction.atomic
def indicator_system_new_version(
    *, actor: User, call: YearlyCall, name: str, note: str, rows: list[dict[str, Any]]
) -> IndicatorSystem:
    """Save the call's indicator system as a new version. ``rows`` (dimension, code, name, max_points,
    guidance) in order; the maximum points must add up to exactly 100. Refused once any expert scored."""
    call = _locked_call(call)
    can_edit_indicators(actor, call).enforce()
    if problems := _row_problems(rows):
        raise ValidationError(problems)
    if not name.strip():
        raise ValidationError({"name": _("请填写指标体系名称")})
    previous = current_system(call)
    system = IndicatorSystem.objects.create(
        call=call,
        version=(previous.version + 1) if previous else 1,
        name=name.strip(),
        is_default=False,
        note=note.strip(),
        created_by=actor,
    )
    for order, row in enumerate(rows, start=1):
        Indicator.objects.create(
            system=system,
            code=row["code"],
            dimension=row["dimension"],
            name=row["name"],
            max_points=row["max_points"],
            guidance=row.get("guidance", ""),
            order=order,
        )
    audit_record(
        actor=actor,
        action=actions.INDICATOR_SYSTEM_NEW_VERSION,
        target=system,
        before={"version": previous.version, "indicators": _system_rows(previous)} if previous else None,
        after={"version": system.version, "indicators": _system_rows(system)},
        reason=note.strip(),
    )
    return system


# --- the expert pool and declared relations -------------------------------------------------------


@transaction.atomic
def expert_profile_save(
    *, actor: User, expert: User, fields: str, organization: str, active: bool
) -> ExpertProfile:
    can_manage_experts(actor).enforce()
    if not expert_in_pool_of(actor, expert):
        raise PermissionDenied(_("该专家不在您的专家库中"))
    if not fields.strip():
        raise ValidationError({"fields": _("请填写专业领域")})
    profile = ExpertProfile.objects.select_for_update().filter(user=expert).first()
    before = (
        {"fields": profile.fields, "organization": profile.organization, "active": profile.active}
        if profile
        else None
    )
    if profile is None:
        profile = ExpertProfile(user=expert)
    profile.fields = fields.strip()
    profile.organization = organization.strip()
    profile.active = active
    profile.save()
    audit_record(
        actor=actor,
        action=actions.EXPERT_PROFILE,
        target=profile,
        before=before,
        after={"fields": profile.fields, "organization": profile.organization, "active": active},
    )
    return profile


def _release(assignment: Assignment, actor: User, note: str) -> None:
    """The assignment no longer counts: a conflict of interest was declared."""
    assignment.conflict_declared = True
    assignment.conflict_note = note[:256]
    assignment.save(update_fields=["conflict_declared", "conflict_note"])
    assignment.scores.all().delete()  # drafts only: a submitted assignment is never released
    audit_record(
        actor=actor,
        action=actions.ASSIGNMENT_CONFLICT,
        target=assignment,
        after={"application": assignment.application.number, "conflict_declared": True},
        reason=note,
    )
    application = assignment.application
    notify(
        recipients=owners(application.call),
        text=_("专家%(expert)s申明与申报 %(number)s 存在利益冲突，分配已解除，请另行分配专家")
        % {"expert": _name(assignment.expert), "number": application.number},
        link=reverse("selection:assignments", args=[application.call_id]),
    )


@transaction.atomic
def relation_declare(*, actor: User, county_code: str, note: str) -> DeclaredRelation:
    """An expert declares a relation to a county's clusters. Their open assignments on that county's
    applications are released at once, and the owners told."""
    can_declare_relation(actor).enforce()
    note = note.strip()
    problems: dict[str, Any] = {}
    county = (
        Jurisdiction.objects.filter(code=county_code, level=Level.COUNTY).select_related("parent").first()
    )
    if county is None:
        problems["county"] = _("请填写县级行政区划代码（6 位数字），如 440606")
    elif DeclaredRelation.objects.filter(expert=actor, county=county).exists():
        problems["county"] = _("您已申明与%(county)s的利益关系") % {"county": county.full_name()}
    if not note:
        problems["note"] = _("请说明利益关系（如任职、持股、亲属关系）")
    if problems:
        raise ValidationError(problems)
    assert county is not None
    relation = DeclaredRelation.objects.create(expert=actor, county=county, note=note)
    audit_record(
        actor=actor,
        action=actions.EXPERT_RELATION,
        target=relation,
        after={"county": county.code, "note": note},
    )
    open_assignments = Assignment.objects.filter(
        expert=actor, submitted_at__isnull=True, conflict_declared=False, application__status=Status.SCREENED
    ).select_related("application__call__programme", "expert")
    for assignment in open_assignments:
        if county.code in assignment.application.counties and not frozen(assignment.application.call):
            _release(
                assignment,
                actor,
                _("申明与%(county)s存在利益关系：%(note)s") % {"county": county.full_name(), "note": note},
            )
    return relation


# --- assignments ----------------------------------------------------------------------------------


def _assignment_problems(application: Application, due_on: date | None) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    if application.status != Status.SCREENED:
        problems["__all__"] = _("只能为已通过审核、待专家评审的申报分配专家")
    elif (
        application.assignments.filter(conflict_declared=False).count()
        >= application.call.experts_per_application
    ):
        problems["__all__"] = _("该申报已分配 %(n)s 名专家（每件申报 %(n)s 名）") % {
            "n": application.call.experts_per_application
        }
    if due_on is None:
        problems["due_on"] = _("请填写评分截止日期（或在评审设置中设定专家评分截止日期）")
    elif due_on < timezone.localdate():
        problems["due_on"] = _("评分截止日期不能早于今天（北京时间）")
    return problems


@transaction.atomic
def assignment_create(
    *, actor: User, application: Application, expert: User, due_on: date | None = None
) -> Assignment:
    """Assign an expert to score an application. Refused, with the reason, for an expert with a conflict
    of interest (their own city or county, a declared relation) or outside the owner's pool."""
    application = _locked(application)
    call = application.call
    can_change_review(actor, call).enforce()
    due_on = due_on or call.scoring_deadline
    if problems := _assignment_problems(application, due_on):
        raise ValidationError(problems)
    if not (decision := can_assign(actor, expert, application)):
        raise ValidationError({"expert": decision.reason})
    indicator_system_ensure(actor=actor, call=call)
    assert due_on is not None
    assignment = Assignment.objects.create(
        application=application, expert=expert, assigned_by=actor, due_on=due_on
    )
    audit_record(
        actor=actor,
        action=actions.ASSIGNMENT_CREATE,
        target=assignment,
        after={"application": application.number, "expert": expert.username, "due_on": due_on.isoformat()},
    )
    notify(
        recipients=[expert],
        text=_("请评审申报 %(number)s（%(name)s），评分截止 %(due)s（北京时间）")
        % {"number": application.number, "name": application.name, "due": f"{due_on:%Y-%m-%d}"},
        link=reverse("selection:score", args=[assignment.pk]),
    )
    return assignment


@transaction.atomic
def assignments_create_suggested(
    *, actor: User, call: YearlyCall, due_on: date | None = None
) -> list[Assignment]:
    """For every screened application still short of experts, assign the suggested ones (matching field,
    no conflict, fewest assignments in the call) up to the call's number of experts per application."""
    call = _locked_call(call)
    can_change_review(actor, call).enforce()
    due_on = due_on or call.scoring_deadline
    if due_on is None:
        raise ValidationError({"due_on": _("请填写评分截止日期（或在评审设置中设定专家评分截止日期）")})
    created = []
    loads = call_loads(call)
    index = pool_index(actor, call)
    for application in (
        call.applications.filter(status=Status.SCREENED).select_related("county__parent").order_by("number")
    ):
        short = call.experts_per_application - application.assignments.filter(conflict_declared=False).count()
        if short <= 0:
            continue
        for suggestion in eligible_experts(actor, application, loads, index)[:short]:
            created.append(
                assignment_create(
                    actor=actor, application=application, expert=suggestion.expert, due_on=due_on
                )
            )
            loads[suggestion.expert.pk] += 1
    return created


@transaction.atomic
def assignment_remove(*, actor: User, assignment: Assignment) -> None:
    """Withdraw an assignment before the expert submits (a released one stays, as the record of the
    conflict)."""
    assignment = _locked_assignment(assignment)
    can_change_review(actor, assignment.application.call).enforce()
    if assignment.submitted_at is not None:
        raise ValidationError(_("专家已提交评分，不能撤销该分配"))
    if assignment.conflict_declared:
        raise ValidationError(_("专家已申明利益冲突，该记录须保留"))
    audit_record(
        actor=actor,
        action=actions.ASSIGNMENT_REMOVE,
        target=assignment,
        before={"application": assignment.application.number, "expert": assignment.expert.username},
    )
    notify(
        recipients=[assignment.expert],
        text=_("申报 %(number)s 的评审分配已撤销") % {"number": assignment.application.number},
        link=reverse("selection:my_reviews"),
    )
    assignment.delete()


# --- the expert's declaration and scores ----------------------------------------------------------


@transaction.atomic
def assignment_declare(*, actor: User, assignment: Assignment, conflict: bool, note: str = "") -> Assignment:
    """Before scoring: the expert declares no conflict of interest, or declares one (with a note), which
    releases the assignment: the expert can no longer open the application, and the owners are told."""
    assignment = _locked_assignment(assignment)
    can_declare(actor, assignment).enforce()
    note = note.strip()
    if conflict:
        if not note:
            raise ValidationError({"note": _("请说明存在的利益冲突")})
        _release(assignment, actor, note)
        return assignment
    assignment.no_conflict_declared_at = timezone.now()
    assignment.save(update_fields=["no_conflict_declared_at"])
    audit_record(
        actor=actor,
        action=actions.ASSIGNMENT_NO_CONFLICT,
        target=assignment,
        after={"application": assignment.application.number, "no_conflict_declared": True},
    )
    return assignment


@dataclass(frozen=True)
class ScoreEntry:
    points: Decimal | None
    comment: str


@transaction.atomic
def scores_save(
    *, actor: User, assignment: Assignment, entries: dict[int, ScoreEntry], submit: bool
) -> Assignment:
    """Save the expert's points and comments (by indicator id) as a draft, or submit them: then every
    indicator needs points within 0 and its maximum and a comment, and the sheet becomes read-only."""
    assignment = _locked_assignment(assignment)
    can_score(actor, assignment).enforce()
    system = current_system(assignment.application.call)
    if system is None:
        raise ValidationError(_("尚未建立指标体系"))
    problems: dict[str, Any] = {}
    indicators = list(system.indicators.all())
    known = {indicator.pk for indicator in indicators}
    if set(entries) - known:
        raise ValidationError(_("评分含有不属于本指标体系的指标"))
    for indicator in indicators:
        entry = entries.get(indicator.pk, ScoreEntry(None, ""))
        points_key, comment_key = f"points_{indicator.pk}", f"comment_{indicator.pk}"
        if entry.points is None:
            if submit:
                problems[points_key] = _("请填写得分")
            elif entry.comment.strip():
                problems[points_key] = _("填写了评语，请同时填写得分")
        elif not Decimal(0) <= entry.points <= indicator.max_points:
            problems[points_key] = _("得分须在 0 至 %(max)s 分之间") % {
                "max": decimal_text(indicator.max_points)
            }
        elif entry.points != entry.points.quantize(Decimal("0.01")):
            problems[points_key] = _("得分最多保留两位小数")
        if submit and not entry.comment.strip():
            problems[comment_key] = _("请填写评语")
    if problems:
        raise ValidationError(problems)
    existing = {score.indicator_id: score for score in assignment.scores.all()}
    for indicator in indicators:
        entry = entries.get(indicator.pk, ScoreEntry(None, ""))
        score = existing.get(indicator.pk)
        if entry.points is None:
            if score is not None:
                score.delete()
            continue
        if score is None:
            Score.objects.create(
                assignment=assignment, indicator=indicator, points=entry.points, comment=entry.comment.strip()
            )
        elif score.points != entry.points or score.comment != entry.comment.strip():
            score.points = entry.points
            score.comment = entry.comment.strip()
            score.save(update_fields=["points", "comment"])
    points = {
        indicator.code: decimal_text(given.points)
        for indicator in indicators
        if (given := entries.get(indicator.pk)) is not None and given.points is not None
    }
    if submit:
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["submitted_at"])
    audit_record(
        actor=actor,
        action=actions.ASSIGNMENT_SUBMIT if submit else actions.ASSIGNMENT_DRAFT,
        target=assignment,
        after={
            "application": assignment.application.number,
            "points": points,
            "total": decimal_text(sum((Decimal(value) for value in points.values()), Decimal(0))),
        },
    )
    if submit:
        application = assignment.application
        waiting = application.assignments.filter(conflict_declared=False, submitted_at__isnull=True).exists()
        if not waiting:
            notify(
                recipients=owners(application.call),
                text=_("申报 %(number)s 的专家评分已全部提交") % {"number": application.number},
                link=reverse("selection:ranking", args=[application.call_id]),
            )
    return assignment


# --- the shortlist --------------------------------------------------------------------------------


@transaction.atomic
def shortlist_confirm(*, actor: User, call: YearlyCall) -> Shortlist:
    """确认拟认定名单: every assignment submitted (or released by a declared conflict), every screened
    application scored. The ranked list with its scores is stored with its SHA-256 hash, and each
    application is shortlisted (within the quota) or not (with its rank and the quota as the reason),
    in this one transaction. From then on the call's ranking is frozen."""
    call = _locked_call(call)
    can_own(actor, call).enforce()
    if Shortlist.objects.filter(call=call).exists():
        raise PermissionDenied(_("本年度拟认定名单已确认"))
    inputs = ranking_inputs(call)
    if problems := inputs.problems():
        raise ValidationError(problems)
    ranking = compute_ranking(inputs)
    assert ranking is not None
    content = ranking_content(inputs, ranking)
    shortlist = Shortlist.objects.create(
        call=call, content=content, content_hash=content_hash(content), confirmed_by=actor
    )
    total = len(ranking.entries)
    quota = call.recognition_quota
    audit_record(
        actor=actor,
        action=actions.SHORTLIST_CONFIRM,
        target=shortlist,
        after={
            "content_hash": shortlist.content_hash,
            "quota": quota,
            "method": call.aggregation,
            "shortlisted": [entry.scored.number for entry in ranking.entries if entry.shortlisted],
            "not_shortlisted": [entry.scored.number for entry in ranking.entries if not entry.shortlisted],
        },
    )
    applications = {application.number: application for application in inputs.applications}
    for entry in ranking.entries:
        application = _locked(applications[entry.scored.number])
        words = {
            "rank": entry.rank,
            "total": total,
            "quota": quota,
            "score": decimal_text(entry.scored.aggregate.value),
        }
        if entry.shortlisted:
            reason = (
                _(
                    "专家评审汇总得分 %(score)s 分，排名第 %(rank)s 名"
                    "（共 %(total)s 件），在拟认定名额 %(quota)s 名以内"
                )
                if quota is not None
                else _(
                    "专家评审汇总得分 %(score)s 分，排名第 %(rank)s 名"
                    "（共 %(total)s 件），本年度未设拟认定名额上限"
                )
            ) % words
            take(APPLICATION, application, "shortlist", actor=actor, reason=reason)
            _tell_county(
                application, _("申报 %(number)s 已列入拟认定名单，待公示") % {"number": application.number}
            )
        else:
            reason = (
                _(
                    "专家评审汇总得分 %(score)s 分，排名第 %(rank)s 名"
                    "（共 %(total)s 件），超出拟认定名额 %(quota)s 名"
                )
                % words
            )
            take(APPLICATION, application, "not_shortlist", actor=actor, reason=reason)
            _tell_county(
                application,
                _("申报 %(number)s 未列入拟认定名单：%(reason)s")
                % {"number": application.number, "reason": reason},
            )
    return shortlist


# --- reminders ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    assignment: int
    expert: str
    application: str
    due_on: date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    def as_json(self) -> dict[str, Any]:
        return {
            "assignment": self.assignment,
            "expert": self.expert,
            "application": self.application,
            "due_on": self.due_on.isoformat(),
            "days_left": self.days_left,
            "overdue": self.overdue,
        }


@transaction.atomic
def experts_remind(*, as_of: date) -> list[Reminder]:
    """Remind each expert of every unsubmitted assignment due within three days of ``as_of`` or overdue,
    once per day per assignment (``reminded_at``): running it again the same day does nothing."""
    now = timezone.localtime()
    moment = (
        now
        if as_of == now.date()
        else timezone.make_aware(datetime.combine(as_of, time(now.hour, now.minute)))
    )
    reminders = []
    for assignment in assignments_to_remind(as_of).select_for_update(of=("self",)):
        if reminded_on_or_after(assignment, as_of):
            continue
        application = assignment.application
        days_left = (assignment.due_on - as_of).days
        if days_left < 0:
            text = _("申报 %(number)s 的评分已逾期 %(days)s 天（截止 %(due)s），请尽快提交") % {
                "number": application.number,
                "days": -days_left,
                "due": f"{assignment.due_on:%Y-%m-%d}",
            }
        else:
            text = _("请于 %(due)s（北京时间）前提交申报 %(number)s 的评分，还剩 %(days)s 天") % {
                "number": application.number,
                "days": days_left,
                "due": f"{assignment.due_on:%Y-%m-%d}",
            }
        notify(
            recipients=[assignment.expert], text=text, link=reverse("selection:score", args=[assignment.pk])
        )
        assignment.reminded_at = moment
        assignment.save(update_fields=["reminded_at"])
        audit_record(
            actor=None,
            action=actions.ASSIGNMENT_REMIND,
            target=assignment,
            after={
                "as_of": as_of.isoformat(),
                "due_on": assignment.due_on.isoformat(),
                "days_left": days_left,
            },
        )
        reminders.append(
            Reminder(
                assignment.pk, assignment.expert.username, application.number, assignment.due_on, days_left
            )
        )
    return reminders
