"""Writing audit events. Called by services inside their transaction, never by views."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from smecluster.apps.accounts.models import User
from smecluster.apps.audit.actions import AuditAction
from smecluster.apps.audit.middleware import current_request_id
from smecluster.apps.audit.models import AuditEvent


def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Write one event. Must run inside the caller's transaction so a rolled-back change leaves no trace.

    ``action`` is a registered :class:`AuditAction` (``audit.actions``), never a free string."""
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit_record takes an audit.actions.AuditAction, not {action!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    return AuditEvent.objects.create(
        actor=actor,
        role=actor.role if actor else "",
        jurisdiction=actor.jurisdiction_id if actor else "",
        action=action.code,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        before=before,
        after=after,
        reason=reason,
        request_id=current_request_id.get(),
    )


def audit_trail(target: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("actor")
