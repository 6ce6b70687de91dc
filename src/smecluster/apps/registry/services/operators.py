"""Which operator accounts operate a recognized cluster: set by the cluster's county officer.

Recognition carries the application's operators over (``services.recognition``); the county then adds or
removes one. The binding is the whole of an operator's reach over the cluster and its records
(``registry.reach.cluster_reach``).
"""

from __future__ import annotations

from django.db import transaction

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.permissions import can_bind_operators, can_operate_in
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.registry.models import RecognizedCluster


@transaction.atomic
def cluster_operator_add(*, actor: User, cluster: RecognizedCluster, operator: User) -> None:
    can_bind_operators(actor, cluster.county_id).enforce()
    can_operate_in(operator, cluster.county_id).enforce()
    if cluster.operators.filter(pk=operator.pk).exists():
        return
    cluster.operators.add(operator)
    audit_record(
        actor=actor,
        action=actions.CLUSTER_OPERATOR_ADD,
        target=cluster,
        after={"operator": operator.username},
    )


@transaction.atomic
def cluster_operator_remove(*, actor: User, cluster: RecognizedCluster, operator: User) -> None:
    can_bind_operators(actor, cluster.county_id).enforce()
    if not cluster.operators.filter(pk=operator.pk).exists():
        return
    cluster.operators.remove(operator)
    audit_record(
        actor=actor,
        action=actions.CLUSTER_OPERATOR_REMOVE,
        target=cluster,
        before={"operator": operator.username},
    )
