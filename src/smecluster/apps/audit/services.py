"""Writing audit events. Called by services inside their transaction, never by views."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from smecluster.apps.accounts.models import User
from smecluster.apps.audit import actions
from smecluster.apps.audit.actions import AuditAction
from smecluster.apps.audit.chain import content_hash_of, head_hash, json_as_stored, lock_chain
from smecluster.apps.audit.middleware import current_request_id
from smecluster.apps.audit.models import AuditEvent

ATTEMPTED_USERNAME_MAX = 150
"""A failed login keeps at most this much of the username typed (the length of a real one)."""


def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    target: models.Model | type[models.Model],
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Write one event. Must run inside the caller's transaction so a rolled-back change leaves no trace.

    ``action`` is a registered :class:`AuditAction` (``audit.actions``), never a free string. ``target`` is
    the row acted on, or a model class when there is no row (a failed login for a username no account
    has): the event then names the kind with an empty id. The event is chained onto the last one
    (``audit.chain``) under a lock held until the caller's transaction ends."""
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit_record takes an audit.actions.AuditAction, not {action!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    lock_chain()
    event = AuditEvent(
        actor=actor,
        role=actor.role if actor else "",
        jurisdiction=actor.jurisdiction_id if actor else "",
        action=action.code,
        target_type=target._meta.label_lower,
        target_id="" if isinstance(target, type) else str(target.pk),
        # Stored as the database will give them back, so the hash computed now is the one verified later.
        before=json_as_stored(before),
        after=json_as_stored(after),
        reason=reason,
        request_id=current_request_id.get(),
        previous_hash=head_hash(),
    )
    event.content_hash = content_hash_of(event)
    event.save(force_insert=True)
    return event


def audit_trail(target: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("actor")


def record_login(*, user: User, address: str, through: str = "") -> AuditEvent:
    """A login; ``through`` names the way in when it was not the password ("single_sign_on")."""
    after = {"address": address, **({"through": through} if through else {})}
    with transaction.atomic():
        return audit_record(actor=user, action=actions.ACCOUNT_LOGIN, target=user, after=after)


def record_logout(*, user: User, address: str) -> AuditEvent:
    with transaction.atomic():
        return audit_record(
            actor=user, action=actions.ACCOUNT_LOGOUT, target=user, after={"address": address}
        )


def record_login_failed(*, username: str, address: str) -> AuditEvent:
    """A failed login, by nobody known: it targets the account of that username when there is one, else
    the user kind with an empty id; the username typed (shortened) is kept either way. Never a password."""
    username = username[:ATTEMPTED_USERNAME_MAX]
    account = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    with transaction.atomic():
        return audit_record(
            actor=None,
            action=actions.ACCOUNT_LOGIN_FAILED,
            target=account if account is not None else User,
            after={"username": username, "address": address},
        )
