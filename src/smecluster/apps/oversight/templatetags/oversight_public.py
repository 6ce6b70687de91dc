"""What the public pages of the registry show of dynamic management: the cluster's record as it stands
(after approved or found major changes) and, for a revoked cluster, the revocation with its article."""

from __future__ import annotations

from django import template

from smecluster.apps.oversight.facts import ClusterFacts, current_facts, describe_value
from smecluster.apps.oversight.models import ChangeKind
from smecluster.apps.registry.models import RecognizedCluster

register = template.Library()


@register.simple_tag
def public_facts(cluster: RecognizedCluster) -> dict[str, str]:
    """The current spatial scope and operating agency, as one line each."""
    facts: ClusterFacts = current_facts(cluster)
    return {
        "spatial_scope": describe_value(ChangeKind.SPATIAL_SCOPE, facts.value_of(ChangeKind.SPATIAL_SCOPE)),
        "operating_agency": facts.operating_agency,
    }
