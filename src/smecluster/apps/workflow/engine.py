"""State machines declared as tables, and the one place a status field changes.

A :class:`Machine` names its model, its states, its transitions and its *guard*: who may take a transition
on one object (role, level of the programme's review chain, jurisdiction), with the reason when not. The
engine itself checks what every machine shares: the object's current state (read under a row lock, never
from a stale instance), the reason a transition asks for, that only the daily job takes the system's
transitions, the audit event and the notifications. ``tests/web/test_workflow_engine.py`` scans ``src/`` to
find no other assignment of a status field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smecluster.apps.accounts.models import User
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.audit.actions import AuditAction
from smecluster.apps.audit.services import audit_record
from smecluster.apps.notifications.services import notify

M = TypeVar("M", bound=models.Model)


class Actor(models.TextChoices):
    """Who takes a step, by place in the programme's review chain (``Programme.review_chain``).

    A provincial programme runs county → city → province: the city recommends, the province recognizes.
    The national one runs county → province → national: the province recommends, the ministry recognizes.
    The system is the daily job (``smecluster tick``): expiry, overdue flags, proposals on the facts.
    """

    APPLICANT = "applicant", gettext_lazy("申报主体")
    RECOMMENDER = "recommender", gettext_lazy("推荐单位")
    OWNER = "owner", gettext_lazy("认定机关")
    SYSTEM = "system", gettext_lazy("系统（每日任务）")


def acting_level(review_chain: Sequence[str], actor: Actor) -> str:
    """The level of the chain that takes the steps of ``actor``: the first, the one before last, the last."""
    if actor == Actor.APPLICANT:
        return review_chain[0]
    if actor == Actor.RECOMMENDER:
        return review_chain[-2]
    if actor == Actor.OWNER:
        return review_chain[-1]
    raise ValueError("the system acts at no level of the chain")


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    sources: frozenset[str]
    target: str | None  # None: the state stays (a record is added, e.g. a spot check)
    actor: Actor
    audit: AuditAction
    needs_reason: bool = False


def transition(
    action: str,
    label: str | Promise,
    sources: Iterable[str],
    target: str | None,
    actor: Actor,
    audit: AuditAction,
    *,
    needs_reason: bool = False,
) -> Transition:
    """A row of a machine's table (``sources`` as any iterable, for readable tables)."""
    return Transition(action, label, frozenset(sources), target, actor, audit, needs_reason)


NEW_RECORD: frozenset[str] = frozenset()
"""The sources of a row that creates its record (see :func:`create`): drawn from the diagram's start."""


def table(*rows: Transition) -> dict[str, Transition]:
    """A machine's transitions keyed by action, in the order written; an action declared twice is refused."""
    actions = [row.action for row in rows]
    if duplicated := sorted({action for action in actions if actions.count(action) > 1}):
        raise ValueError(f"transitions declared twice: {duplicated}")
    return {row.action: row for row in rows}


Guard = Callable[[User, Transition, M], Decision]


@dataclass(frozen=True)
class Message:
    """A notification a transition sends: a row in the recipients' page now, the e-mail after commit."""

    recipients: Iterable[User]
    text: str
    link: str = ""


@dataclass(frozen=True)
class Machine(Generic[M]):
    """One state machine: ``model.<field>`` takes values of ``states`` and changes only by ``transitions``."""

    name: str
    label: str | Promise
    model: type[M]
    states: type[models.TextChoices]
    initial: str
    transitions: Mapping[str, Transition]
    guard: Guard[M]
    field: str = "status"

    def __post_init__(self) -> None:
        known = set(self.states.values)
        for row in self.transitions.values():
            named = row.sources | ({row.target} if row.target is not None else set())
            if unknown := named - known:
                raise ValueError(f"{self.name}.{row.action}: states {sorted(unknown)} are not {self.states}")

    def opening_state(self, action: str) -> str:
        """The state a record is created in by ``action``, a row without sources (a filing, a proposal)."""
        row = self.transition(action)
        if row.sources or row.target is None:
            raise ValueError(f"{self.name}.{action} does not create a record")
        return row.target

    def transition(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise ValidationError({"action": _("没有这个操作")}) from None

    def state_of(self, obj: M) -> str:
        return str(getattr(obj, self.field))

    def can(self, user: User | None, action: str, obj: M) -> Decision:
        """May ``user`` (``None``: the daily job) take ``action`` on ``obj`` now, and if not, why."""
        row = self.transition(action)
        if not (decision := self._may_act(user, row, obj)):
            return decision
        state = self.state_of(obj)
        if state not in row.sources:
            return deny(
                _("当前状态（%(status)s）不能%(action)s")
                % {"status": self.states(state).label, "action": row.label}
            )
        return allow()

    def _may_act(self, user: User | None, row: Transition, obj: M) -> Decision:
        if user is None:
            if row.actor != Actor.SYSTEM:
                return deny(_("“%(action)s”须由人工操作") % {"action": row.label})
        elif row.actor == Actor.SYSTEM:
            return deny(_("“%(action)s”由系统每日任务完成") % {"action": row.label})
        elif not (decision := self.guard(user, row, obj)):
            return decision
        return allow()

    def available(self, user: User, obj: M) -> list[Transition]:
        """The transitions ``user`` may take on ``obj`` now, in the table's order (for the page's buttons).
        Only the transitions from the object's state are asked about: their guards read the database, and
        the task lists ask this of every application in reach."""
        state = self.state_of(obj)
        return [
            row
            for action, row in self.transitions.items()
            if state in row.sources and self.can(user, action, obj)
        ]


def create(
    machine: Machine[M],
    action: str,
    *,
    actor: User | None,
    fields: Mapping[str, Any],
    reason: str = "",
    after: Mapping[str, Any] | None = None,
    messages: Iterable[Message] = (),
) -> M:
    """Create a record by ``action``, a row without sources (a filing, a proposal): the other half of the
    engine, so the creating step is guarded, audited and drawn like every other.

    The guard is asked about the unsaved record (its foreign keys set from ``fields``); the record is saved
    in the row's target state and the audit event records ``fields``' summary ``after``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("workflow.create must be called inside the service's transaction")
    state = machine.opening_state(action)
    row = machine.transition(action)
    obj = machine.model(**fields)
    setattr(obj, machine.field, state)
    if not (decision := machine._may_act(actor, row, obj)):
        raise PermissionDenied(decision.reason)
    reason = reason.strip()
    if row.needs_reason and not reason:
        raise ValidationError({"reason": _("请填写理由")})
    obj.save(force_insert=True)
    audit_record(
        actor=actor,
        action=row.audit,
        target=obj,
        after={machine.field: state, **(after or {})},
        reason=reason,
    )
    for message in messages:
        notify(recipients=message.recipients, text=message.text, link=message.link)
    return obj


def take(
    machine: Machine[M],
    obj: M,
    action: str,
    *,
    actor: User | None,
    reason: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    update_fields: Sequence[str] = (),
    messages: Iterable[Message] = (),
    recorded_as: AuditAction | None = None,
) -> M:
    """Take ``action`` on ``obj``: the only code that assigns a machine's status field.

    Runs inside the caller's transaction (the caller owns the rest of the write). Locks the row and reads
    the current state under the lock, checks the guard and the state (:class:`PermissionDenied` with the
    reason), asks for the reason when the transition needs one (:class:`ValidationError` on ``reason``),
    saves the new state together with ``update_fields`` the caller has set on ``obj``, writes the audit event
    (``before`` and ``after`` add to the recorded states) and sends ``messages``. ``recorded_as`` names the
    event more precisely than the transition's own action where the programme calls the same step otherwise
    (a 实地核查 of every application is recorded as such, not as a 实地抽查).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("workflow.take must be called inside the service's transaction")
    row = machine.transition(action)
    manager = machine.model._default_manager
    current = manager.select_for_update().filter(pk=obj.pk).values_list(machine.field, flat=True).get()
    setattr(obj, machine.field, current)
    if not (decision := machine.can(actor, action, obj)):
        raise PermissionDenied(decision.reason)
    reason = reason.strip()
    if row.needs_reason and not reason:
        raise ValidationError({"reason": _("请填写理由")})
    fields = list(update_fields)
    if row.target is not None:
        setattr(obj, machine.field, row.target)
        fields.append(machine.field)
    if fields:
        if any(f.name == "updated_at" for f in machine.model._meta.get_fields()):
            fields.append("updated_at")
        obj.save(update_fields=sorted(set(fields)))
    audit_record(
        actor=actor,
        action=recorded_as or row.audit,
        target=obj,
        before={machine.field: current, **(before or {})},
        after={machine.field: machine.state_of(obj), **(after or {})},
        reason=reason,
    )
    for message in messages:
        notify(recipients=message.recipients, text=message.text, link=message.link)
    return obj
