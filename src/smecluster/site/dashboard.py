"""The home page: "my tasks" for the signed-in user's role, each a link to the page where it is done;
beside them the user's applications counted by status, the deadlines of the calls under way, and for
cities (and the province) the recommendation quota used in each call."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smecluster.apps.accounts.models import Jurisdiction, Role, User
from smecluster.apps.accounts.selectors import cities_of
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.selectors import applications_visible_to
from smecluster.apps.applications.workflow import (
    APPLICATION,
    RECOMMENDED_OR_LATER,
    Actor,
    Status,
    acting_level,
)
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.programmes.recommenders import recommending_office
from smecluster.apps.programmes.selectors import active_calls_for, open_calls_for
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster, ReReview
from smecluster.apps.registry.selectors import re_reviews_visible_to, reports_visible_to
from smecluster.apps.registry.workflow import (
    ANNUAL_REPORT,
    RE_REVIEW,
    RE_REVIEW_EDITABLE,
    REPORT_EDITABLE,
)
from smecluster.site.csv_export import tabular_response, wanted_download
from smecluster.site.http import AuthenticatedRequest
from smecluster.site.wording import listing


@dataclass(frozen=True)
class Task:
    title: str
    detail: str
    url: str
    step_url: str = ""
    step_label: str = ""


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class CallDeadlines:
    call: YearlyCall
    mine: date | None  # the deadline this user's level works to
    days_left: int | None


@dataclass(frozen=True)
class QuotaUse:
    call: YearlyCall
    city: str
    quota: int | None
    used: int

    @property
    def remaining(self) -> int | None:
        return None if self.quota is None else max(self.quota - self.used, 0)


# Which states ask something of which role: the dashboard lists those applications as tasks.
WAITING_ON = {
    Role.COUNTY_OFFICER: {
        Status.DRAFT: gettext_lazy("完善并提交"),
        Status.RETURNED: gettext_lazy("按退回意见修改后重新提交"),
    },
    Role.OPERATOR: {
        Status.DRAFT: gettext_lazy("完善申报内容"),
        Status.RETURNED: gettext_lazy("按退回意见修改"),
    },
    Role.CITY_OFFICER: {
        Status.SUBMITTED: gettext_lazy("受理或退回"),
        Status.ACCEPTED: gettext_lazy("待初审：审查申报材料，必要时实地抽查"),
        Status.REVIEWED: gettext_lazy("已初审：决定推荐或不予推荐"),
    },
}

# For the recommender (the city, or the province in the national chain), the page where the step is taken
# (accepting is a button on the application's page). The link names the page, never the task again.
RECOMMENDER_STEP_PAGE = {
    Status.SUBMITTED: ("reviews:versions", gettext_lazy("查看提交版本")),
    Status.ACCEPTED: ("reviews:initial_review", gettext_lazy("填写初审意见")),
    Status.REVIEWED: ("reviews:recommend", gettext_lazy("填写推荐意见")),
}


def awaited_from_recommender(application: Application, names: dict[str, str | None]) -> str:
    """For the applicant, a submitted application's next step is the recommender's, not its own: the task
    says who is to accept it, and that withdrawing (the applicant's one possible step) is for corrections.
    ``names`` keeps the offices' names already read (a county's applications share one office)."""
    office = recommending_office(application.call.programme, application.county)
    if office.jurisdiction not in names:
        names[office.jurisdiction] = (
            Jurisdiction.objects.filter(code=office.jurisdiction).values_list("name", flat=True).first()
        )
    name = names[office.jurisdiction]
    return _("已提交，等待%(office)s主管部门受理；受理前发现需要修改的，可在申报页撤回后修改再提交") % {
        "office": name or office.jurisdiction
    }


def my_tasks(user: User) -> list[Task]:
    """Every application on which the user may take a workflow step now, whatever the programme's chain
    (the province recommends in the national programme, the city in a provincial one), plus open calls for
    applicants and unscored assignments for experts."""
    tasks = []
    office_names: dict[str, str | None] = {}
    waiting = WAITING_ON.get(Role(user.role), {})
    actionable = {status for row in APPLICATION.transitions.values() for status in row.sources}
    for application in (
        applications_visible_to(user).filter(status__in=list(actionable)).order_by("updated_at", "pk")
    ):
        available = APPLICATION.available(user, application)
        steps = [str(row.label) for row in available]
        if not steps and application.status not in waiting:
            continue
        step_url, step_label = "", ""
        recommending = any(row.actor == Actor.RECOMMENDER for row in available)
        if recommending and application.status in RECOMMENDER_STEP_PAGE:
            name, label = RECOMMENDER_STEP_PAGE[Status(application.status)]
            step_url, step_label = reverse(name, args=[application.pk]), str(label)
        detail = str(waiting.get(Status(application.status), "")) or listing(steps)
        if application.status == Status.SUBMITTED and not recommending:
            detail = awaited_from_recommender(application, office_names)
        tasks.append(
            Task(
                f"{application.number} {application.name}",
                detail,
                reverse("applications:detail", args=[application.pk]),
                step_url,
                step_label,
            )
        )
    if user.role in (Role.COUNTY_OFFICER, Role.OPERATOR):
        for call in open_calls_for(user):
            tasks.append(
                Task(
                    str(call),
                    _("申报截止 %(date)s（北京时间）") % {"date": f"{call.closes_on:%Y-%m-%d}"},
                    reverse("applications:new") + f"?call={call.pk}",
                )
            )
    tasks += dynamic_management_tasks(user, timezone.localdate())
    if user.role == Role.EXPERT:
        for assignment in user.assignments.filter(
            submitted_at__isnull=True, conflict_declared=False
        ).select_related("application"):
            tasks.append(
                Task(
                    f"{assignment.application.number} {assignment.application.name}",
                    _("专家评分，截止 %(date)s") % {"date": f"{assignment.due_on:%Y-%m-%d}"},
                    reverse("selection:score", args=[assignment.pk]),
                )
            )
    return tasks


def _due_text(due: date | None, today: date) -> str:
    if due is None:
        return ""
    if due < today:
        return _("，已逾期（截止 %(date)s）") % {"date": f"{due:%Y-%m-%d}"}
    return _("，截止 %(date)s（北京时间），还有 %(days)s 天") % {
        "date": f"{due:%Y-%m-%d}",
        "days": (due - today).days,
    }


def dynamic_management_tasks(user: User, today: date) -> list[Task]:
    """Annual reports and re-reviews waiting on this user: to fill and submit (the county and the operator),
    to forward or return (the city), to receive (the province); re-reviews to file, recommend, decide."""
    tasks = []
    drafter = user.role in (Role.COUNTY_OFFICER, Role.OPERATOR)
    for report in (
        reports_visible_to(user)
        .exclude(status=AnnualReport.Status.RECEIVED)
        .exclude(cluster__status=RecognizedCluster.Status.REVOKED)
        .order_by("due_on", "pk")
    ):
        steps = [str(row.label) for row in ANNUAL_REPORT.available(user, report)]
        if drafter and report.status in REPORT_EDITABLE:
            steps.insert(0, _("填报"))
        if not steps:
            continue
        tasks.append(
            Task(
                _("%(name)s %(year)s年度培育情况信息表") % {"name": report.cluster.name, "year": report.year},
                listing(dict.fromkeys(steps)) + _due_text(report.due_on, today),
                report.get_absolute_url(),
            )
        )
    for re_review in (
        re_reviews_visible_to(user)
        .exclude(status=ReReview.Status.DECIDED)
        .exclude(cluster__status=RecognizedCluster.Status.REVOKED)
        .order_by("period_valid_until", "pk")
    ):
        steps = [str(row.label) for row in RE_REVIEW.available(user, re_review)]
        if drafter and re_review.status in RE_REVIEW_EDITABLE:
            steps.insert(0, _("填写复核申请"))
        if not steps:
            continue
        tasks.append(
            Task(
                _("%(name)s 复核") % {"name": re_review.cluster.name},
                listing(dict.fromkeys(steps)) + _due_text(re_review.period_valid_until, today),
                re_review.get_absolute_url(),
            )
        )
    return tasks


def status_counts(user: User) -> list[StatusCount]:
    """The user's applications by status, in the order of the workflow; states with none left out."""
    counts = dict(applications_visible_to(user).order_by().values_list("status").annotate(count=Count("pk")))
    return [
        StatusCount(status.value, str(status.label), counts[status.value])
        for status in Status
        if counts.get(status.value)
    ]


def _my_deadline(user: User, call: YearlyCall) -> date | None:
    if user.role in (Role.COUNTY_OFFICER, Role.OPERATOR):
        return call.closes_on
    if user.role == Role.CITY_OFFICER:
        return call.city_deadline
    if user.role == Role.PROVINCE_ADMIN:
        return call.province_deadline
    return None


def call_deadlines(user: User, today: date) -> list[CallDeadlines]:
    if user.role == Role.EXPERT:
        return []
    rows = []
    for call in active_calls_for(user, today):
        mine = _my_deadline(user, call)
        rows.append(CallDeadlines(call, mine, (mine - today).days if mine and mine >= today else None))
    return rows


def quota_use(user: User, calls: list[YearlyCall]) -> list[QuotaUse]:
    """City officers: their city in each call. Province admins: each city with applications in the call.
    Only calls in which cities recommend: in a city's own programme (市级集群) its counties recommend.
    Counted in one query for all the calls."""
    if user.role not in (Role.CITY_OFFICER, Role.PROVINCE_ADMIN):
        return []
    calls = [call for call in calls if acting_level(call.programme.review_chain, Actor.RECOMMENDER) == "city"]
    if not calls:
        return []
    cities = {city.code: city for city in cities_of(user)}
    applying: set[tuple[int, str]] = set()
    used: Counter[tuple[int, str]] = Counter()
    for row in (
        Application.objects.filter(call__in=calls, county__parent__in=list(cities))
        .values("call_id", "county__parent")
        .annotate(recommended=Count("pk", filter=Q(status__in=RECOMMENDED_OR_LATER)))
    ):
        # Filtered to the cities' counties above, so every row names a city.
        key = (row["call_id"], str(row["county__parent"]))
        applying.add(key)
        used[key] = row["recommended"]
    return [
        QuotaUse(call, city.name, call.effective_quota(), used[(call.pk, code)])
        for call in calls
        for code, city in cities.items()
        if user.role == Role.CITY_OFFICER or (call.pk, code) in applying
    ]


def operates_nothing(user: User) -> bool:
    """An operator account no county has bound to an application or a cluster: it reaches nothing, and its
    dashboard says so rather than looking empty for no reason."""
    return user.role == Role.OPERATOR and not (
        user.operated_applications.exists() or user.operated_clusters.exists()
    )


TASK_HEADER = [gettext_lazy("事项"), gettext_lazy("需要做的"), gettext_lazy("链接")]


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    tasks = my_tasks(user)
    if wanted_download(request):
        return tabular_response(
            request,
            "tasks",
            TASK_HEADER,
            ([task.title, task.detail, request.build_absolute_uri(task.url)] for task in tasks),
        )
    today = timezone.localdate()
    deadlines = call_deadlines(user, today)
    return render(
        request,
        "dashboard.html",
        {
            "tasks": tasks,
            "counts": status_counts(user),
            "deadlines": deadlines,
            "quotas": quota_use(user, [row.call for row in deadlines]),
            "today": today,
            "operates_nothing": operates_nothing(user),
        },
    )
