"""The check of a cluster profile against a rule set as one JSON document: what ``smecluster check PROFILE
--rule-set ID --json`` prints and what ``POST /api/v1/check`` answers. One function for both, so the
command line and the API cannot drift apart (``tests/web/test_api_check.py`` compares them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from smecluster.policy.evaluator import evaluate
from smecluster.policy.ruleset import RuleSet
from smecluster.profile import ClusterProfile


def check_document(cluster: ClusterProfile, chosen: RuleSet, as_of: date | None = None) -> dict[str, Any]:
    """The verdict with its working: ``rule_set``, ``outcome``, every criterion with its status, value,
    threshold and explanation, and the warnings (see design/cluster-profile.md)."""
    return evaluate(cluster, chosen, as_of).as_json()
