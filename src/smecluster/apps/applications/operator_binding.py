"""Binding an operator account to what it operates: an application or a recognized cluster.

The county officer decides (``permissions.can_bind_operators``); only an active operator account of the
same county can be bound (``permissions.can_operate_in``). The binding is the operator's whole reach over
the record, so each change is audited. Both kinds go through these two functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.permissions import can_bind_operators, can_operate_in
from smecluster.apps.audit.actions import AuditAction
from smecluster.apps.audit.services import audit_record

if TYPE_CHECKING:  # registry builds on applications: its model is only named here, not imported
    from smecluster.apps.registry.models import RecognizedCluster

    Operated = Application | RecognizedCluster


def bind(*, actor: User, target: Operated, operator: User, action: AuditAction) -> None:
    """Add ``operator`` to ``target``'s operators; binding one already bound changes nothing."""
    can_bind_operators(actor, target.county_id).enforce()
    can_operate_in(operator, target.county_id).enforce()
    if target.operators.filter(pk=operator.pk).exists():
        return
    target.operators.add(operator)
    audit_record(actor=actor, action=action, target=target, after={"operator": operator.username})


def unbind(*, actor: User, target: Operated, operator: User, action: AuditAction) -> None:
    """Remove ``operator`` from ``target``'s operators; removing one not bound changes nothing."""
    can_bind_operators(actor, target.county_id).enforce()
    if not target.operators.filter(pk=operator.pk).exists():
        return
    target.operators.remove(operator)
    audit_record(actor=actor, action=action, target=target, before={"operator": operator.username})
