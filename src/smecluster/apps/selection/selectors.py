"""Reads for the owner's selection and the experts' pages, scoped to what the user may see.

A call comes from :func:`call_for` (404 outside the user's reach); an expert's assignment from
:func:`assignment_for_expert` (404 unless it is theirs). The ranking is computed by
``smecluster.analytics.scoring`` from the submitted scores: this module only gathers the inputs. The page
models that put names and words to the figures are in :mod:`smecluster.apps.selection.pages`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.analytics.scoring import (
    METHODS,
    Candidate,
    ExpertScores,
    IndicatorSpec,
    Method,
    Ranking,
    rank,
)
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
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
from smecluster.apps.selection.permissions import (
    PROVINCIAL_POOL_USERS,
    call_reachable,
    can_own,
    conflict_of,
    expert_in_pool_of,
)
from smecluster.site.wording import listing

# --- calls ----------------------------------------------------------------------------------------


def call_for(user: User, pk: int) -> YearlyCall:
    """A call the user can reach, or :class:`YearlyCall.DoesNotExist` (a 404)."""
    call = YearlyCall.objects.select_related("programme__owner").get(pk=pk)
    if not call_reachable(user, call):
        raise YearlyCall.DoesNotExist
    return call


def owned_calls(user: User) -> list[YearlyCall]:
    """The calls whose selection this user runs, newest first."""
    calls = YearlyCall.objects.select_related("programme__owner").order_by("-year", "programme__name", "pk")
    return [call for call in calls if call_reachable(user, call) and can_own(user, call)]


# --- screening ------------------------------------------------------------------------------------


def screening_for(application: Application) -> Screening | None:
    return Screening.objects.filter(application=application).select_related("decided_by").first()


# --- the indicator system -------------------------------------------------------------------------


def current_system(call: YearlyCall) -> IndicatorSystem | None:
    """The call's indicator system in force: its latest version."""
    return (
        IndicatorSystem.objects.filter(call=call)
        .select_related("created_by")
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("order", "code")))
        .order_by("-version")
        .first()
    )


def system_versions(call: YearlyCall) -> QuerySet[IndicatorSystem]:
    return (
        IndicatorSystem.objects.filter(call=call)
        .select_related("created_by")
        .annotate(count=Count("indicators"))
        .order_by("-version")
    )


def system_total(system: IndicatorSystem) -> Decimal:
    return sum((indicator.max_points for indicator in system.indicators.all()), Decimal(0))


def call_has_scores(call: YearlyCall) -> bool:
    return Score.objects.filter(assignment__application__call=call).exists()


# --- the expert pool ------------------------------------------------------------------------------


_FIELD_SPLIT = re.compile(r"[、，,；;/\s]+")


def field_words(fields: str) -> list[str]:
    """``"智能家电、装备制造"`` → ``["智能家电", "装备制造"]``."""
    return [word for word in _FIELD_SPLIT.split(fields or "") if word]


def matched_fields(profile: ExpertProfile | None, application: Application) -> list[str]:
    """The expert's fields that name the application's leading industry (one inside the other), or that
    occur in the cluster's name."""
    if profile is None:
        return []
    industry = application.leading_industry
    return [
        word
        for word in field_words(profile.fields)
        if word in industry or (industry and industry in word) or word in application.name
    ]


def expert_pool(user: User) -> QuerySet[User]:
    """The experts of the user's pool (a province's experts, or all for the ministry), with profiles."""
    experts = User.objects.filter(role=Role.EXPERT).select_related("jurisdiction__parent", "expert_profile")
    if user.role == Role.MINISTRY_ADMIN:
        return experts.order_by("username")
    if user.role in PROVINCIAL_POOL_USERS:
        return experts.filter(jurisdiction__code__startswith=user.jurisdiction_id[:2]).order_by("username")
    return experts.none()


def expert_for(user: User, pk: int) -> User:
    """An expert of the user's pool, or :class:`User.DoesNotExist` (a 404)."""
    expert = User.objects.select_related("jurisdiction", "expert_profile").get(pk=pk)
    if not expert_in_pool_of(user, expert):
        raise User.DoesNotExist
    return expert


def profile_of(expert: User) -> ExpertProfile | None:
    return ExpertProfile.objects.filter(user=expert).first()


def relations_of(expert: User) -> QuerySet[DeclaredRelation]:
    return (
        DeclaredRelation.objects.filter(expert=expert)
        .select_related("county__parent")
        .order_by("-declared_at")
    )


# --- assignments ----------------------------------------------------------------------------------


def screened_applications(call: YearlyCall) -> QuerySet[Application]:
    """The applications of the call that passed screening (whatever happened to them later)."""
    return (
        Application.objects.filter(call=call, screening__goes_on=True)
        .select_related("county__parent", "call__programme")
        .order_by("number")
    )


@dataclass(frozen=True)
class Suggestion:
    expert: User
    profile: ExpertProfile
    matched: list[str]
    load: int

    @property
    def label(self) -> str:
        name = self.expert.get_full_name() or self.expert.username
        fields = listing(self.matched) if self.matched else _("领域不匹配")
        return _("%(name)s（%(organization)s；%(fields)s；本年度已分配 %(load)s 件）") % {
            "name": name,
            "organization": self.profile.organization or self.expert.jurisdiction.name,
            "fields": fields,
            "load": self.load,
        }


@dataclass(frozen=True)
class PoolIndex:
    """What the conflict checks of one call need, read once for a page of many applications."""

    experts: list[User]
    """The actor's pool: active experts with an active profile."""
    relations: dict[int, list[DeclaredRelation]]
    assigned: dict[int, set[int]]
    """By application: the experts assigned to it (released ones included)."""
    declared: set[tuple[int, int]]
    """(expert, application) pairs with a declared conflict."""


def pool_index(actor: User, call: YearlyCall) -> PoolIndex:
    experts = list(expert_pool(actor).filter(is_active=True, expert_profile__active=True))
    relations: dict[int, list[DeclaredRelation]] = defaultdict(list)
    for relation in DeclaredRelation.objects.filter(expert__in=experts).select_related("county__parent"):
        relations[relation.expert_id].append(relation)
    assigned: dict[int, set[int]] = defaultdict(set)
    declared = set()
    for expert_id, application_id, conflict in Assignment.objects.filter(application__call=call).values_list(
        "expert_id", "application_id", "conflict_declared"
    ):
        assigned[application_id].add(expert_id)
        if conflict:
            declared.add((expert_id, application_id))
    return PoolIndex(experts, relations, assigned, declared)


def eligible_experts(
    actor: User,
    application: Application,
    loads: Counter[int] | None = None,
    index: PoolIndex | None = None,
) -> list[Suggestion]:
    """Every expert the owner may assign to ``application`` now (in the pool, active, no conflict of
    interest, not yet assigned), best first: more matching fields, then fewer assignments in the call,
    then by user name."""
    if loads is None:
        loads = call_loads(application.call)
    if index is None:
        index = pool_index(actor, application.call)
    found = []
    for expert in index.experts:
        if expert.pk in index.assigned.get(application.pk, set()):
            continue
        conflict = conflict_of(
            expert,
            application,
            relations=index.relations.get(expert.pk, []),
            declared=(expert.pk, application.pk) in index.declared,
        )
        if conflict:
            continue
        profile = expert.expert_profile
        found.append(Suggestion(expert, profile, matched_fields(profile, application), loads[expert.pk]))
    found.sort(key=lambda each: (-len(each.matched), each.load, each.expert.username))
    return found


def call_loads(call: YearlyCall) -> Counter[int]:
    """How many applications of the call each expert is assigned to (released assignments not counted)."""
    return Counter(
        Assignment.objects.filter(application__call=call, conflict_declared=False).values_list(
            "expert_id", flat=True
        )
    )


def active_assignments(application: Application) -> QuerySet[Assignment]:
    """The application's assignments that count: not released by a declared conflict."""
    return application.assignments.filter(conflict_declared=False)


# --- the expert's assignments ---------------------------------------------------------------------


def my_assignments(user: User) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(expert=user)
        .select_related("application__county__parent", "application__call__programme")
        .order_by("submitted_at", "due_on", "pk")
    )


def assignment_for_expert(user: User, pk: int) -> Assignment:
    """The user's own assignment, or :class:`Assignment.DoesNotExist` (a 404)."""
    return Assignment.objects.select_related(
        "application__county__parent", "application__call__programme", "expert"
    ).get(pk=pk, expert=user)


def assignment_for_owner(user: User, pk: int) -> Assignment:
    """An assignment of a call the user can reach, or :class:`Assignment.DoesNotExist` (a 404)."""
    assignment = Assignment.objects.select_related(
        "application__county__parent", "application__call__programme__owner", "expert"
    ).get(pk=pk)
    if not call_reachable(user, assignment.application.call):
        raise Assignment.DoesNotExist
    return assignment


def sheet_total(assignment: Assignment) -> Decimal:
    return sum((score.points for score in assignment.scores.all()), Decimal(0))


def application_sheets(application: Application) -> list[tuple[Assignment, dict[int, Score]]]:
    """Every expert's sheet on an application, for the owner."""
    assignments = (
        Assignment.objects.filter(application=application)
        .select_related("expert")
        .prefetch_related("scores")
        .order_by("assigned_at", "pk")
    )
    return [(each, {score.indicator_id: score for score in each.scores.all()}) for each in assignments]


# --- ranking --------------------------------------------------------------------------------------


def indicator_specs(system: IndicatorSystem) -> list[IndicatorSpec]:
    return [
        IndicatorSpec(indicator.code, indicator.dimension, indicator.max_points)
        for indicator in system.indicators.all()
    ]


@dataclass
class RankingInputs:
    """What the ranking is computed from, and what stands in the way of confirming it."""

    call: YearlyCall
    system: IndicatorSystem | None
    applications: list[Application] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    submitted: dict[int, list[Assignment]] = field(default_factory=dict)
    pending: dict[int, list[Assignment]] = field(default_factory=dict)
    released: dict[int, list[Assignment]] = field(default_factory=dict)
    unscored: list[Application] = field(default_factory=list)
    unscreened: int = 0

    def problems(self) -> list[str]:
        """Why the shortlist cannot be confirmed yet (empty: it can)."""
        problems = []
        if self.system is None:
            problems.append(_("尚未建立指标体系"))
        if self.unscreened:
            problems.append(_("还有 %(n)s 件推荐的申报未审核") % {"n": self.unscreened})
        if not self.applications:
            problems.append(_("没有通过审核的申报"))
        waiting = sum(len(each) for each in self.pending.values())
        if waiting:
            problems.append(_("还有 %(n)s 个评审分配未提交评分（或未申明利益冲突）") % {"n": waiting})
        for application in self.unscored:
            problems.append(_("申报 %(number)s 还没有任何专家提交评分") % {"number": application.number})
        return problems


def _first_submissions(applications: list[Application]) -> dict[int, datetime]:
    rows = (
        Application.objects.filter(pk__in=[each.pk for each in applications])
        .annotate(first=Min("versions__submitted_at"))
        .values_list("pk", "first")
    )
    return dict(rows)


def ranking_inputs(call: YearlyCall) -> RankingInputs:
    system = current_system(call)
    inputs = RankingInputs(call=call, system=system)
    inputs.unscreened = call.applications.filter(status=Status.RECOMMENDED).count()
    inputs.applications = list(screened_applications(call))
    if system is None:
        return inputs
    codes = {indicator.pk: indicator.code for indicator in system.indicators.all()}
    assignments = (
        Assignment.objects.filter(application__in=inputs.applications)
        .select_related("expert")
        .prefetch_related("scores")
        .order_by("pk")
    )
    by_application: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_application[assignment.application_id].append(assignment)
    firsts = _first_submissions(inputs.applications)
    for application in inputs.applications:
        mine = by_application[application.pk]
        inputs.released[application.pk] = [each for each in mine if each.conflict_declared]
        inputs.submitted[application.pk] = [
            each for each in mine if not each.conflict_declared and each.submitted_at is not None
        ]
        inputs.pending[application.pk] = [
            each for each in mine if not each.conflict_declared and each.submitted_at is None
        ]
        if not inputs.submitted[application.pk]:
            inputs.unscored.append(application)
            continue
        experts = [
            ExpertScores(
                str(each.expert_id),
                {
                    codes[score.indicator_id]: score.points
                    for score in each.scores.all()
                    if score.indicator_id in codes
                },
            )
            for each in inputs.submitted[application.pk]
        ]
        inputs.candidates.append(
            Candidate(
                number=application.number,
                first_submitted=firsts.get(application.pk)
                or application.submitted_at
                or application.created_at,
                experts=experts,
                attributes={
                    "application_id": str(application.pk),
                    "name": application.name,
                    "county": application.county_id,
                },
            )
        )
    return inputs


def aggregation_method(call: YearlyCall) -> Method:
    """The call's aggregation as the scoring core names it (the field's choices are the core's methods)."""
    for method in METHODS:
        if method == call.aggregation:
            return method
    raise ValueError(f"unknown aggregation method {call.aggregation!r}")


def compute_ranking(inputs: RankingInputs) -> Ranking | None:
    if inputs.system is None or not inputs.candidates:
        return None
    call = inputs.call
    return rank(
        inputs.candidates, indicator_specs(inputs.system), aggregation_method(call), call.recognition_quota
    )


def ranking_content(inputs: RankingInputs, ranking: Ranking) -> dict[str, Any]:
    """The content a confirmed shortlist stores and hashes: the ranking and the call it belongs to."""
    call = inputs.call
    assert inputs.system is not None
    return ranking.content(
        {
            "call": {"id": call.pk, "year": call.year, "programme": call.programme_id},
            "indicator_system": {"id": inputs.system.pk, "version": inputs.system.version},
        }
    )


# --- the frozen shortlist -------------------------------------------------------------------------


def shortlist_of(call: YearlyCall) -> Shortlist | None:
    return Shortlist.objects.filter(call=call).select_related("confirmed_by").first()


# --- reminders ------------------------------------------------------------------------------------


REMIND_DAYS_AHEAD = 3


def assignments_to_remind(as_of: date) -> QuerySet[Assignment]:
    """Unsubmitted, unreleased assignments of calls still under review, due within three days of
    ``as_of`` or overdue, not yet reminded on or after ``as_of``."""
    return (
        Assignment.objects.filter(
            submitted_at__isnull=True,
            conflict_declared=False,
            application__status=Status.SCREENED,
            due_on__lte=as_of + timedelta(days=REMIND_DAYS_AHEAD),
            application__call__shortlist__isnull=True,
        )
        .select_related("expert", "application__call__programme")
        .order_by("due_on", "pk")
    )


def reminded_on_or_after(assignment: Assignment, as_of: date) -> bool:
    return assignment.reminded_at is not None and timezone.localdate(assignment.reminded_at) >= as_of
