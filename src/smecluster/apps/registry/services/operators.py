"""Which operator accounts operate a recognized cluster: set by the cluster's county officer.

Recognition carries the application's operators over (``services.recognition``); the county then adds or
removes one. The binding is the whole of an operator's reach over the cluster and its records
(``registry.reach.cluster_reach``).
"""

from __future__ import annotations

from django.db import transaction

from smecluster.apps.accounts.models import User
from smecluster.apps.applications import operator_binding
from smecluster.apps.audit import actions
from smecluster.apps.registry.models import RecognizedCluster


@transaction.atomic
def cluster_operator_add(*, actor: User, cluster: RecognizedCluster, operator: User) -> None:
    operator_binding.bind(actor=actor, target=cluster, operator=operator, action=actions.CLUSTER_OPERATOR_ADD)


@transaction.atomic
def cluster_operator_remove(*, actor: User, cluster: RecognizedCluster, operator: User) -> None:
    operator_binding.unbind(
        actor=actor, target=cluster, operator=operator, action=actions.CLUSTER_OPERATOR_REMOVE
    )
