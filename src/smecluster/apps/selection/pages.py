"""The selection's page models: what a template shows for a call's progress, the screening, the indicator
system, the expert pool, the assignments, the score sheets, the ranking and the frozen shortlist, with the
functions that build them from the scoped reads in :mod:`selectors`. The ranking itself is computed by
``smecluster.analytics.scoring``; this module puts names and words to its figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smecluster.analytics.scoring import (
    Aggregate,
    Ranked,
    Ranking,
    Spread,
    content_hash,
    decimal_text,
    verify_content,
)
from smecluster.apps.accounts.models import Jurisdiction, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.profiles import eligibility, review_date
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
from smecluster.apps.selection.selectors import (
    RankingInputs,
    Suggestion,
    call_loads,
    compute_ranking,
    eligible_experts,
    expert_pool,
    pool_index,
    ranking_content,
    ranking_inputs,
    screened_applications,
    sheet_total,
)
from smecluster.policy.numberwords import SYMBOL
from smecluster.policy.ruleset import CriterionKind
from smecluster.policy.verdict import with_unit


@dataclass(frozen=True)
class CallProgress:
    call: YearlyCall
    recommended: int
    screened: int
    screened_out: int
    assignments: int
    submitted: int
    frozen: bool


def calls_progress(calls: list[YearlyCall]) -> list[CallProgress]:
    """Each call's progress through the province's review, counted in four queries for all the calls (the
    ministry's workbench lists every province's calls of every year)."""
    ids = [call.pk for call in calls]
    statuses: dict[int, Counter[str]] = defaultdict(Counter)
    for row in (
        Application.objects.filter(call__in=ids).values("call_id", "status").annotate(count=Count("pk"))
    ):
        statuses[row["call_id"]][row["status"]] = row["count"]
    screened = dict(
        Screening.objects.filter(application__call__in=ids, goes_on=True)
        .values_list("application__call_id")
        .annotate(count=Count("pk"))
    )
    assignments: dict[int, tuple[int, int]] = {
        row["application__call_id"]: (row["total"], row["submitted"])
        for row in Assignment.objects.filter(application__call__in=ids, conflict_declared=False)
        .values("application__call_id")
        .annotate(total=Count("pk"), submitted=Count("pk", filter=Q(submitted_at__isnull=False)))
    }
    frozen = set(Shortlist.objects.filter(call__in=ids).values_list("call_id", flat=True))
    return [
        CallProgress(
            call=call,
            recommended=statuses[call.pk][Status.RECOMMENDED],
            screened=screened.get(call.pk, 0),
            screened_out=statuses[call.pk][Status.SCREENED_OUT],
            assignments=assignments.get(call.pk, (0, 0))[0],
            submitted=assignments.get(call.pk, (0, 0))[1],
            frozen=call.pk in frozen,
        )
        for call in calls
    ]


OUTCOME_LABELS = {
    "eligible": gettext_lazy("符合认定条件"),
    "ineligible": gettext_lazy("不符合认定条件"),
    "incomplete": gettext_lazy("数据不完整"),
    "needs_review": gettext_lazy("量化条件均满足，待专家评审定性条件"),
    # Guizhou's rule set has no quantitative criteria: its verdict never claims them met.
    "needs_review_qualitative_only": gettext_lazy("本规则集没有量化条件，待专家评审定性条件"),
    "unusable": gettext_lazy("数据尚不能用于预检"),
}

STATUS_LABELS = {
    "pass": gettext_lazy("符合"),
    "fail": gettext_lazy("不符合"),
    "missing": gettext_lazy("缺少数据"),
    "review": gettext_lazy("需专家判断"),
}

MARKS = {"pass": "✓", "fail": "✗", "review": "?", "missing": "缺"}


@dataclass(frozen=True)
class ScreeningCheck:
    """The verdict under the programme's rule set, as stored (``Verdict.as_json()``), and whether a
    computed criterion (quantitative, exclusion or scope) fails or lacks its data."""

    verdict: dict[str, Any]
    outcome: str
    flagged: bool
    failing: list[str]

    @property
    def outcome_label(self) -> str:
        criteria = self.verdict.get("criteria", [])
        if self.outcome == "needs_review" and not any(row["kind"] == "quantitative" for row in criteria):
            return str(OUTCOME_LABELS["needs_review_qualitative_only"])
        return str(OUTCOME_LABELS.get(self.outcome, self.outcome))


def screening_check(application: Application) -> ScreeningCheck:
    """Evaluate now, as of the application's latest submission (the same date the city's review used)."""
    as_of = review_date(application)
    verdict, problems = eligibility(application, as_of)
    if verdict is None:
        texts = [str(problem) for problem in problems.problems] if problems else []
        return ScreeningCheck({"as_of": as_of.isoformat(), "problems": texts}, "unusable", True, texts)
    failing = [
        f"{result.criterion.article.cite()} {result.criterion.clause}：{result.explanation}"
        for result in verdict.binding_shortfalls()
    ]
    return ScreeningCheck(verdict.as_json(), verdict.outcome.value, bool(failing), failing)


def stored_check(screening: Screening) -> ScreeningCheck:
    verdict = screening.verdict
    failing = [
        f"{row['article']} {row['clause']}：{row['explanation']}"
        for row in verdict.get("criteria", [])
        if row["kind"] != CriterionKind.QUALITATIVE and row["status"] in ("fail", "missing")
    ] or list(verdict.get("problems", []))
    return ScreeningCheck(verdict, screening.outcome, screening.flagged, failing)


@dataclass(frozen=True)
class VerdictRow:
    article: str
    clause: str
    kind: str
    status: str
    value: str
    threshold: str
    explanation: str

    @property
    def mark(self) -> str:
        return MARKS.get(self.status, self.status)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


def _figure(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return " / ".join(_figure(item) for item in value)
    return str(value)


def verdict_rows(verdict: dict[str, Any]) -> list[VerdictRow]:
    """The criteria of a stored verdict, with their figures and units, as the page lists them."""
    rows = []
    for row in verdict.get("criteria", []):
        value = row.get("value")
        threshold = row.get("threshold")
        comparator = row.get("comparator")
        if isinstance(threshold, list) and isinstance(comparator, list):
            bound = " 或 ".join(
                f"{SYMBOL.get(each, each)}{_figure(limit)}"
                for each, limit in zip(comparator, threshold, strict=False)
            )
        elif threshold is not None and isinstance(comparator, str):
            bound = f"{SYMBOL.get(comparator, comparator)}{_figure(threshold)}"
        else:
            bound = ""
        shown = value is not None and not (isinstance(value, list) and all(item is None for item in value))
        rows.append(
            VerdictRow(
                article=row["article"],
                clause=row["clause"],
                kind=row["kind"],
                status=row["status"],
                value=with_unit(_figure(value), row.get("unit")) if shown else "",
                threshold=with_unit(bound, row.get("unit")),
                explanation=row["explanation"],
            )
        )
    return rows


@dataclass(frozen=True)
class ScreeningRow:
    application: Application
    check: ScreeningCheck
    screening: Screening | None

    @property
    def pending(self) -> bool:
        return self.screening is None


def screening_rows(call: YearlyCall) -> list[ScreeningRow]:
    """Every application recommended to the owner in this call: those waiting with their verdict now,
    and those decided with the verdict stored at the decision."""
    applications = (
        Application.objects.filter(call=call)
        .filter(Q(status=Status.RECOMMENDED) | Q(screening__isnull=False))
        .select_related("county__parent", "call__programme", "screening__decided_by")
        .order_by("number")
    )
    rows = []
    for application in applications:
        screening = getattr(application, "screening", None)
        check = stored_check(screening) if screening else screening_check(application)
        rows.append(ScreeningRow(application, check, screening))
    return rows


@dataclass(frozen=True)
class DimensionBlock:
    name: str
    max_points: Decimal
    indicators: list[Indicator]


def dimensions_of(system: IndicatorSystem) -> list[DimensionBlock]:
    """The indicators grouped by dimension, in the order of the system, with each dimension's points."""
    blocks: dict[str, list[Indicator]] = {}
    for indicator in system.indicators.all():
        blocks.setdefault(indicator.dimension, []).append(indicator)
    return [
        DimensionBlock(name, sum((each.max_points for each in indicators), Decimal(0)), indicators)
        for name, indicators in blocks.items()
    ]


@dataclass(frozen=True)
class PoolRow:
    expert: User
    profile: ExpertProfile | None
    open_assignments: int
    submitted: int
    relations: int


def pool_rows(user: User) -> list[PoolRow]:
    experts = list(expert_pool(user))
    ids = [expert.pk for expert in experts]
    open_counts = Counter(
        Assignment.objects.filter(
            expert__in=ids, conflict_declared=False, submitted_at__isnull=True
        ).values_list("expert_id", flat=True)
    )
    submitted = Counter(
        Assignment.objects.filter(expert__in=ids, submitted_at__isnull=False).values_list(
            "expert_id", flat=True
        )
    )
    relations = Counter(DeclaredRelation.objects.filter(expert__in=ids).values_list("expert_id", flat=True))
    return [
        PoolRow(
            expert=expert,
            profile=getattr(expert, "expert_profile", None),
            open_assignments=open_counts[expert.pk],
            submitted=submitted[expert.pk],
            relations=relations[expert.pk],
        )
        for expert in experts
    ]


@dataclass(frozen=True)
class AssignmentRow:
    application: Application
    assignments: list[Assignment]
    needed: int
    suggestions: list[Suggestion]
    choices: list[Suggestion]

    @property
    def active(self) -> int:
        return sum(1 for assignment in self.assignments if not assignment.conflict_declared)


def assignment_rows(actor: User, call: YearlyCall, *, with_choices: bool = True) -> list[AssignmentRow]:
    loads = call_loads(call)
    index = pool_index(actor, call) if with_choices else None
    rows = []
    for application in screened_applications(call).prefetch_related(
        Prefetch(
            "assignments", queryset=Assignment.objects.select_related("expert").order_by("assigned_at", "pk")
        )
    ):
        assignments = list(application.assignments.all())
        active = sum(1 for assignment in assignments if not assignment.conflict_declared)
        needed = max(call.experts_per_application - active, 0)
        choices = eligible_experts(actor, application, loads, index) if index is not None else []
        rows.append(AssignmentRow(application, assignments, needed, choices[:needed], choices))
    return rows


def assignment_state(assignment: Assignment) -> str:
    if assignment.conflict_declared:
        return str(_("已申明利益冲突，分配已解除"))
    if assignment.submitted_at is not None:
        return str(_("已提交评分"))
    if assignment.no_conflict_declared_at is not None:
        return str(_("评分中"))
    return str(_("待声明利益冲突"))


@dataclass(frozen=True)
class SheetLine:
    indicator: Indicator
    score: Score | None


def score_sheet(assignment: Assignment, system: IndicatorSystem) -> list[SheetLine]:
    scores = {score.indicator_id: score for score in assignment.scores.all()}
    return [SheetLine(indicator, scores.get(indicator.pk)) for indicator in system.indicators.all()]


@dataclass(frozen=True)
class OtherSheet:
    label: str
    total: Decimal
    points: dict[int, Score]


def other_sheets(assignment: Assignment) -> list[OtherSheet]:
    """The other experts' submitted scores on the same application, without their names."""
    others = (
        Assignment.objects.filter(application=assignment.application, submitted_at__isnull=False)
        .exclude(pk=assignment.pk)
        .exclude(conflict_declared=True)
        .prefetch_related("scores")
        .order_by("submitted_at", "pk")
    )
    return [
        OtherSheet(
            _("其他专家 %(n)s") % {"n": index},
            sheet_total(other),
            {score.indicator_id: score for score in other.scores.all()},
        )
        for index, other in enumerate(others, start=1)
    ]


TIE_BREAK_WORDS = (
    (1, gettext_lazy("汇总得分高者在前")),
    (
        2,
        gettext_lazy(
            "汇总得分相同的，依次比较满分最高的维度、满分次高的维度……的汇总得分（满分相同的维度按指标体系中的顺序），高者在前"
        ),
    ),
    (3, gettext_lazy("仍相同的，专家总分的极差（最高分减最低分）小者在前，即专家意见更一致者在前")),
    (4, gettext_lazy("仍相同的，首次提交申报的时间早者在前")),
    (5, gettext_lazy("仍相同的，按申报编号升序")),
)

DECIDED_BY_WORDS = {
    2: gettext_lazy("与上一名汇总得分相同，按维度得分排定（第 2 级）"),
    3: gettext_lazy("与上一名汇总得分和维度得分均相同，按专家总分极差排定（第 3 级）"),
    4: gettext_lazy("与上一名得分和极差均相同，按首次提交时间排定（第 4 级）"),
    5: gettext_lazy("与上一名各项均相同，按申报编号排定（第 5 级）"),
}

METHOD_LABELS = {
    "mean": gettext_lazy("算术平均"),
    "trimmed_mean": gettext_lazy("去掉一个最高分和一个最低分后平均"),
}


def aggregate_text(found: Aggregate) -> str:
    """How an aggregate was reached, in words (the method applied, the figures left out)."""
    value = decimal_text(found.value)
    if found.applied == "trimmed_mean":
        low, high = found.dropped
        return _(
            "%(count)s 位专家，去掉一个最高分 %(high)s 分和一个最低分 %(low)s 分，"
            "其余 %(rest)s 位的平均分为 %(value)s 分"
        ) % {
            "count": found.count,
            "high": decimal_text(high),
            "low": decimal_text(low),
            "rest": found.count - 2,
            "value": value,
        }
    if found.fell_back:
        return _("仅 %(count)s 位专家（少于 5 位），不去掉最高分和最低分，取算术平均 %(value)s 分") % {
            "count": found.count,
            "value": value,
        }
    return _("%(count)s 位专家的算术平均 %(value)s 分") % {"count": found.count, "value": value}


def decided_by_text(level: int | None) -> str:
    return str(DECIDED_BY_WORDS[level]) if level in DECIDED_BY_WORDS else ""


@dataclass(frozen=True)
class RankingRow:
    entry: Ranked
    application: Application
    totals: list[tuple[str, Decimal]]
    explanation: str
    decided_by: str
    spreads: list[tuple[Indicator, Spread]]
    submitted: int
    pending: int
    released: int
    needed: int

    @property
    def under_staffed(self) -> bool:
        return self.submitted < self.needed


@dataclass(frozen=True)
class RankingView:
    inputs: RankingInputs
    ranking: Ranking | None
    rows: list[RankingRow]

    @property
    def problems(self) -> list[str]:
        return self.inputs.problems()

    @property
    def quota_line_text(self) -> str:
        if self.ranking is None:
            return ""
        return decided_by_text(self.ranking.quota_line_level)


def ranking_view(call: YearlyCall) -> RankingView:
    inputs = ranking_inputs(call)
    ranking = compute_ranking(inputs)
    if ranking is None:
        return RankingView(inputs, None, [])
    applications = {application.number: application for application in inputs.applications}
    names = {
        str(user.pk): user.get_full_name() or user.username
        for user in User.objects.filter(assignments__application__call=call).distinct()
    }
    assert inputs.system is not None
    indicators = {indicator.code: indicator for indicator in inputs.system.indicators.all()}
    rows = []
    for entry in ranking.entries:
        scored = entry.scored
        application = applications[scored.number]
        rows.append(
            RankingRow(
                entry=entry,
                application=application,
                totals=[
                    (names.get(expert.expert, expert.expert), total)
                    for expert, total in zip(scored.experts, scored.totals, strict=True)
                ],
                explanation=aggregate_text(scored.aggregate),
                decided_by=decided_by_text(entry.decided_by),
                spreads=[(indicators[code], each) for code, each in scored.indicator_spreads.items()],
                submitted=len(inputs.submitted[application.pk]),
                pending=len(inputs.pending[application.pk]),
                released=len(inputs.released[application.pk]),
                needed=call.experts_per_application,
            )
        )
    return RankingView(inputs, ranking, rows)


@dataclass(frozen=True)
class ShortlistCheck:
    content_verified: bool
    """The stored content still hashes to the stored hash."""
    recomputed_hash: str
    """The hash of the ranking recomputed now from the scores on record ("" when it cannot be)."""
    stored_hash: str

    @property
    def records_match(self) -> bool:
        return self.recomputed_hash == self.stored_hash


def shortlist_check(shortlist: Shortlist) -> ShortlistCheck:
    """Verify a frozen shortlist twice: its content against its hash, and the scores on record now
    against the content (a score changed in the database after confirmation shows here)."""
    inputs = ranking_inputs(shortlist.call)
    ranking = compute_ranking(inputs)
    try:
        recomputed = content_hash(ranking_content(inputs, ranking)) if ranking is not None else ""
    except ValueError:
        recomputed = ""
    return ShortlistCheck(
        content_verified=verify_content(shortlist.content, shortlist.content_hash),
        recomputed_hash=recomputed,
        stored_hash=shortlist.content_hash,
    )


@dataclass(frozen=True)
class ShortlistEntry:
    rank: int
    number: str
    name: str
    county: str
    aggregate: str
    shortlisted: bool
    decided_by: str
    experts: list[tuple[str, str]]
    application_id: int | None


def shortlist_entries(shortlist: Shortlist) -> list[ShortlistEntry]:
    """The frozen entries as stored, with place and expert names looked up for the page."""
    entries = shortlist.content.get("entries", [])
    expert_ids = {int(expert["expert"]) for entry in entries for expert in entry.get("experts", [])}
    names = {
        str(user.pk): user.get_full_name() or user.username for user in User.objects.filter(pk__in=expert_ids)
    }
    counties = {
        each.code: each.full_name()
        for each in Jurisdiction.objects.filter(code__in=[e.get("county") for e in entries])
    }
    return [
        ShortlistEntry(
            rank=entry["rank"],
            number=entry["number"],
            name=entry.get("name", ""),
            county=counties.get(entry.get("county", ""), entry.get("county", "")),
            aggregate=entry["aggregate"],
            shortlisted=entry["shortlisted"],
            decided_by=decided_by_text(entry.get("decided_by")),
            experts=[
                (names.get(each["expert"], each["expert"]), each["total"])
                for each in entry.get("experts", [])
            ],
            application_id=int(entry["application_id"]) if entry.get("application_id") else None,
        )
        for entry in entries
    ]
