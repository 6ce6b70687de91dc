"""Reads for the city's review pages: the audit trail in words, versions with their changes, the live
verdict beside each criterion, the city's quota. The application itself comes from
``applications.selectors.application_for``, already scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smecluster.apps.accounts.models import Jurisdiction, Role, User
from smecluster.apps.applications.models import (
    Application,
    ApplicationVersion,
    ApplicationYear,
    DeclaredPlanTarget,
    Incident,
    Section,
)
from smecluster.apps.applications.permissions import CONTACT_FIELDS
from smecluster.apps.applications.profiles import eligibility, review_date
from smecluster.apps.applications.selectors import recommended_by_same_office
from smecluster.apps.applications.snapshots import Change, snapshot_changes
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.actions import action_label
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.audit.services import audit_trail
from smecluster.apps.programmes.recommenders import recommendation_quota, recommending_office
from smecluster.apps.reviews.models import InitialReview, SpotCheck
from smecluster.policy.ruleset import Criterion, rule_set
from smecluster.policy.verdict import CriterionResult, with_unit
from smecluster.site.wording import listing

# --- the audit trail in words ---------------------------------------------------------------------

_KEY_LABELS = {
    "status": gettext_lazy("状态"),
    "file": gettext_lazy("文件"),
    "section": gettext_lazy("所属部分"),
    "sha256": gettext_lazy("SHA-256 校验值"),
    "years": gettext_lazy("年度数据"),
    "incidents": gettext_lazy("事故或失信事件"),
    "targets": gettext_lazy("规划目标"),
}


def _field_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for model in (DeclaredPlanTarget, Incident, ApplicationYear, Application):  # Application's names win
        for field in model._meta.get_fields():
            if hasattr(field, "verbose_name"):
                labels[field.name] = str(field.verbose_name)
    labels.update({key: str(label) for key, label in _KEY_LABELS.items()})
    return labels


def display_value(value: Any, key: str = "") -> str:
    """A stored value as a person reads it: 是/否, a status or section in words, — for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if key == "status" and value in Status.values:
        return str(Status(value).label)
    if key == "section" and value in Section.values:
        return str(Section(value).label)
    if isinstance(value, list):
        return "；".join(display_value(item) for item in value)
    if isinstance(value, dict):
        labels = _field_labels()
        return "，".join(
            f"{labels.get(name, name)} {display_value(item, name)}"
            for name, item in value.items()
            if name not in {"pk", "id"} and item is not None
        )
    return str(value)


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str
    after: str


def describe_change(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[ChangeLine]:
    """One line per key of an audit event's before/after, labelled in words."""
    before, after = before or {}, after or {}
    labels = _field_labels()
    keys = list(dict.fromkeys([*before, *after]))
    return [
        ChangeLine(
            labels.get(key, key),
            display_value(before.get(key), key) if key in before else "",
            display_value(after.get(key), key) if key in after else "",
        )
        for key in keys
    ]


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor: str
    role: str
    jurisdiction: str
    action: str
    changes: list[ChangeLine]
    reason: str
    request_id: str

    def changes_text(self) -> str:
        return "；".join(
            f"{line.label}：{line.before} → {line.after}"
            if line.before and line.after
            else f"{line.label}：{line.before or line.after}"
            for line in self.changes
        )


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def _person(actor: User | None) -> str:
    return (actor.get_full_name() or actor.username) if actor else _("系统")


def _without_contacts(values: dict[str, Any] | None, contacts: bool) -> dict[str, Any] | None:
    if contacts or values is None:
        return values
    return {key: value for key, value in values.items() if key not in CONTACT_FIELDS}


def application_history(application: Application, *, contacts: bool = True) -> list[HistoryRow]:
    """The application's audit trail, oldest first, in words (time in Asia/Shanghai). Without
    ``contacts`` (an expert: ``applications.permissions.can_see_contacts``) the people who acted are named by
    their role only and the contact person and telephone are left out of the changes."""
    events: QuerySet[AuditEvent] = audit_trail(application)
    codes = {event.jurisdiction for event in events if event.jurisdiction}
    names = dict(Jurisdiction.objects.filter(code__in=codes).values_list("code", "name"))
    rows = []
    for event in events:
        actor = event.actor
        rows.append(
            HistoryRow(
                at=timezone.localtime(event.at),
                actor=_person(actor) if contacts else _role_label(event.role),
                role=_role_label(event.role),
                jurisdiction=names.get(event.jurisdiction, event.jurisdiction),
                action=action_label(event.action),
                changes=describe_change(
                    _without_contacts(event.before, contacts), _without_contacts(event.after, contacts)
                ),
                reason=event.reason,
                request_id=event.request_id,
            )
        )
    return rows


# --- versions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionRow:
    version: ApplicationVersion
    submitted_at: datetime
    submitted_by: str
    changes: list[Change]
    returned_for: list[str]  # the return reasons given between the previous version and this one

    @property
    def number(self) -> int:
        return self.version.number


def version_history(application: Application, *, contacts: bool = True) -> list[VersionRow]:
    """Every submitted version, and for each after the first what changed and why it was returned. Without
    ``contacts`` the submitter is named by role, and changes of the contact person and telephone are left
    out."""
    hidden = (
        set()
        if contacts
        else {
            str(field.verbose_name)
            for field in Application._meta.concrete_fields
            if field.name in CONTACT_FIELDS
        }
    )
    versions = list(application.versions.select_related("submitted_by").order_by("number"))
    returns = [
        (event.at, event.reason)
        for event in audit_trail(application).filter(action="application.return").order_by("at")
    ]
    rows = []
    previous: ApplicationVersion | None = None
    for version in versions:
        reasons = [
            reason
            for at, reason in returns
            if previous is not None and previous.submitted_at <= at <= version.submitted_at
        ]
        by = version.submitted_by
        rows.append(
            VersionRow(
                version=version,
                submitted_at=timezone.localtime(version.submitted_at),
                submitted_by=(by.get_full_name() or by.username) if contacts else _role_label(by.role),
                changes=[]
                if previous is None
                else [
                    change
                    for change in snapshot_changes(previous.snapshot, version.snapshot)
                    if change.label not in hidden
                ],
                returned_for=reasons,
            )
        )
        previous = version
    return rows


# --- initial review -------------------------------------------------------------------------------

VERDICT_LABELS = {
    "pass": gettext_lazy("符合"),
    "fail": gettext_lazy("不符合"),
    "missing": gettext_lazy("缺少数据"),
    "review": gettext_lazy("需专家判断"),
}


@dataclass(frozen=True)
class CriterionRow:
    criterion: Criterion
    result: CriterionResult | None

    @property
    def status(self) -> str:
        return self.result.status.value if self.result else "missing"

    @property
    def status_label(self) -> str:
        return str(VERDICT_LABELS[self.status])

    @property
    def value(self) -> str:
        """The computed figure with its unit (a list for each-year criteria), or the explanation."""
        if self.result is None or self.result.value is None:
            return ""
        values = self.result.value if isinstance(self.result.value, list) else [self.result.value]
        return listing(
            with_unit(_number(value), self.result.unit) if value is not None else "—" for value in values
        )


def _number(value: Decimal | int) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def criterion_rows(application: Application) -> tuple[list[CriterionRow], list[str]]:
    """Every criterion of the programme's rule set with the live verdict beside it, and the problems
    that prevent a verdict (then every row shows 缺少数据)."""
    rules = rule_set(application.call.programme.rule_set_id)
    verdict, problems = eligibility(application, review_date(application))
    rows = [
        CriterionRow(criterion, verdict.result(criterion.id) if verdict else None)
        for criterion in rules.criteria
    ]
    return rows, [str(problem) for problem in problems.problems] if problems else []


def latest_initial_review(application: Application) -> InitialReview | None:
    return application.initial_reviews.select_related("reviewer").order_by("-at", "-pk").first()


def spot_checks_of(application: Application) -> QuerySet[SpotCheck]:
    return application.spot_checks.select_related("recorded_by").prefetch_related("files")


# --- quota ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CityQuota:
    city: Jurisdiction  # the recommending office: a city, a province, or a 计划单列市 (national programme)
    quota: int | None  # None: neither the rule set nor the call sets a limit
    recommended: list[Application]
    basis: str = ""  # where the limit comes from: the rule set's notice, or the call

    @property
    def used(self) -> int:
        return len(self.recommended)

    @property
    def remaining(self) -> int | None:
        return None if self.quota is None else max(self.quota - self.used, 0)


def city_quota(application: Application) -> CityQuota:
    """The quota of the application's recommending office in its call, and the applications already
    recommended."""
    office = recommending_office(application.call.programme, application.county)
    city = Jurisdiction.objects.get(code=office.quota_holder)
    recommended = list(recommended_by_same_office(application).select_related("county").order_by("number"))
    quota = recommendation_quota(application.call, office)
    return CityQuota(city=city, quota=quota.limit, recommended=recommended, basis=quota.basis)
