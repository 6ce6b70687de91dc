"""The states of a major change and of a revocation proposal, and the transitions between them, declared once.

``workflow.engine.take(MAJOR_CHANGE, …)`` and ``take(REVOCATION_PROPOSAL, …)`` are the only code that assigns
these statuses; the revocation itself is ``take(registry.workflow.RECOGNIZED_CLUSTER, cluster, "revoke", …)``.
Each transition names who takes it by place in the programme's review chain (``workflow.engine.Actor``): in a
provincial programme the county files, the city reviews and the province decides; in the national one the
province reviews and the ministry decides.

A row without sources creates its record (``workflow.engine.create``): guarded and audited like a move.

Major change (重大变动报备)::

    ──file──▶ filed ──forward──▶ forwarded ──approve──▶ approved
                │  ▲                  └──reject──▶ rejected
           return  resubmit
                ▼  │
              returned
    ──found──▶ unfiled (recorded by an officer without a filing; the record takes it at once)

Revocation proposal (撤销建议)::

    ──propose (the daily job, or the owner from findings)──▶ open ──accept──▶ accepted
                                                               └──dismiss──▶ dismissed

Incidents have no machine: recording one is a single step (``services.incident_record``) whose outcome,
whether it meets the rule set's threshold, is computed from the rule set and proposes revocation case 5.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import User
from smecluster.apps.accounts.permissions import Decision
from smecluster.apps.audit import actions as A
from smecluster.apps.oversight.models import MajorChange, RevocationProposal
from smecluster.apps.oversight.permissions import (
    can_accept_revocation,
    can_decide_change,
    can_decide_revocation,
    can_file_change,
    can_propose_by_hand,
    can_record_findings,
    can_resubmit_change,
    can_review_change,
)
from smecluster.apps.workflow.engine import NEW_RECORD, Actor, Machine, Transition, table, transition


def _change_guard(user: User, row: Transition, change: MajorChange) -> Decision:
    """The permission of each step, with its reason (they also name the state a step needs)."""
    if row.action == "file":
        return can_file_change(user, change.cluster)
    if row.action == "found":
        return can_record_findings(user, change.cluster)
    if row.action == "resubmit":
        return can_resubmit_change(user, change)
    if row.action in ("forward", "return"):
        return can_review_change(user, change)
    return can_decide_change(user, change)


C = MajorChange.Status
MAJOR_CHANGE: Machine[MajorChange] = Machine(
    name="major_change",
    label=_("重大变动报备"),
    model=MajorChange,
    states=MajorChange.Status,
    initial=C.FILED,
    transitions=table(
        transition("file", _("报备重大变动"), NEW_RECORD, C.FILED, Actor.APPLICANT, A.MAJOR_CHANGE_FILE),
        transition(
            "found", _("登记未报备的重大变动"), NEW_RECORD, C.FOUND_UNFILED, Actor.RECOMMENDER,
            A.MAJOR_CHANGE_FOUND,
        ),
        transition(
            "resubmit", _("修改后重新报备"), {C.RETURNED}, C.FILED, Actor.APPLICANT,
            A.MAJOR_CHANGE_RESUBMIT,
        ),
        transition(
            "forward", _("审核并报送"), {C.FILED}, C.FORWARDED, Actor.RECOMMENDER, A.MAJOR_CHANGE_FORWARD
        ),
        transition(
            "return", _("退回修改"), {C.FILED}, C.RETURNED, Actor.RECOMMENDER, A.MAJOR_CHANGE_RETURN,
            needs_reason=True,
        ),
        transition(
            "approve", _("批准"), {C.FORWARDED}, C.APPROVED, Actor.OWNER, A.MAJOR_CHANGE_APPROVE,
            needs_reason=True,
        ),
        transition(
            "reject", _("不予批准"), {C.FORWARDED}, C.REJECTED, Actor.OWNER, A.MAJOR_CHANGE_REJECT,
            needs_reason=True,
        ),
    ),
    guard=_change_guard,
)  # fmt: skip
"""``found`` is taken by the officers above the county (city, province, ministry: ``can_record_findings``);
its actor names the lowest of them."""


def _proposal_guard(user: User, row: Transition, proposal: RevocationProposal) -> Decision:
    if row.action == "propose_by_hand":
        return can_propose_by_hand(user, proposal.cluster)
    if row.action == "accept":
        return can_accept_revocation(user, proposal)
    return can_decide_revocation(user, proposal)


P = RevocationProposal.Status
REVOCATION_PROPOSAL: Machine[RevocationProposal] = Machine(
    name="revocation_proposal",
    label=_("撤销建议"),
    model=RevocationProposal,
    states=RevocationProposal.Status,
    initial=P.OPEN,
    transitions=table(
        # The facts propose (cases 1, 3, 4, 5), or the owner records one from its findings (cases 2, 5).
        transition("propose", _("提出撤销建议"), NEW_RECORD, P.OPEN, Actor.SYSTEM, A.REVOCATION_PROPOSE),
        transition(
            "propose_by_hand", _("登记撤销建议"), NEW_RECORD, P.OPEN, Actor.OWNER, A.REVOCATION_PROPOSE
        ),
        transition(
            "accept", _("撤销认定"), {P.OPEN}, P.ACCEPTED, Actor.OWNER, A.REVOCATION_ACCEPT,
            needs_reason=True,
        ),
        transition(
            "dismiss", _("不予撤销"), {P.OPEN}, P.DISMISSED, Actor.OWNER, A.REVOCATION_DISMISS,
            needs_reason=True,
        ),
    ),
    guard=_proposal_guard,
)  # fmt: skip
