"""The states of an annual report and of a re-review, and the transitions between them, declared once.

``registry.services.annual_reports.report_move`` and ``registry.services.re_reviews.re_review_move`` are the
only code that assigns these statuses. As for applications, each transition names who takes it by place in the
programme's review chain (``applications.workflow.Actor``): in a provincial programme the county files,
the city checks and forwards (or recommends), the province receives (or decides); in the national one the
province forwards and the ministry receives.

Annual report (年度培育情况信息表)::

    draft ──submit──▶ submitted ──forward──▶ forwarded ──receive──▶ received
      ▲                 │  └──return──▶ returned ──submit──▶ submitted
      └────withdraw─────┘

Re-review (复核)::

    draft ──submit──▶ submitted ──recommend──▶ recommended ──decide──▶ decided (outcome passed / failed)
                        └──return──▶ returned ──submit──▶ submitted
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import LEVEL_ROLE, Role, User
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.applications.workflow import Actor
from smecluster.apps.audit import actions
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster, ReReview
from smecluster.apps.workflow.engine import Machine, acting_level, transition
from smecluster.apps.workflow.engine import Transition as EngineTransition


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    actor: Actor
    needs_reason: bool = False


R = AnnualReport.Status
REPORT_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", _("提交"), frozenset({R.DRAFT, R.RETURNED}), R.SUBMITTED, Actor.APPLICANT),
        Transition("withdraw", _("撤回"), frozenset({R.SUBMITTED}), R.DRAFT, Actor.APPLICANT),
        Transition("return", _("退回修改"), frozenset({R.SUBMITTED}), R.RETURNED, Actor.RECOMMENDER, True),
        Transition("forward", _("审核并报送"), frozenset({R.SUBMITTED}), R.FORWARDED, Actor.RECOMMENDER),
        Transition("receive", _("接收"), frozenset({R.FORWARDED}), R.RECEIVED, Actor.OWNER),
    )
}
REPORT_EDITABLE = frozenset({R.DRAFT, R.RETURNED})
REPORT_FILED = frozenset({R.FORWARDED, R.RECEIVED})
"""States of a report that has been filed with the owner: the forwarding is the filing moment."""

V = ReReview.Status
RE_REVIEW_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "submit", _("提交复核申请"), frozenset({V.DRAFT, V.RETURNED}), V.SUBMITTED, Actor.APPLICANT
        ),
        Transition("return", _("退回修改"), frozenset({V.SUBMITTED}), V.RETURNED, Actor.RECOMMENDER, True),
        Transition("recommend", _("推荐"), frozenset({V.SUBMITTED}), V.RECOMMENDED, Actor.RECOMMENDER, True),
        Transition("decide", _("作出复核决定"), frozenset({V.RECOMMENDED}), V.DECIDED, Actor.OWNER, True),
    )
}
RE_REVIEW_EDITABLE = frozenset({V.DRAFT, V.RETURNED})
RE_REVIEW_IN_PROGRESS = frozenset({V.SUBMITTED, V.RETURNED, V.RECOMMENDED})
"""A re-review the county has filed and that is not decided yet: the cluster does not expire meanwhile."""


def _cluster_guard(user: User, row: EngineTransition, cluster: RecognizedCluster) -> Decision:
    """The recognizing office of the cluster's programme: the province that holds the county, or the
    ministry for a national cluster."""
    role = Role(LEVEL_ROLE[acting_level(cluster.programme.review_chain, row.actor)])
    if user.role != role:
        return deny(_("“%(action)s”须由%(role)s操作") % {"action": row.label, "role": role.label})
    if role == Role.PROVINCE_ADMIN and cluster.county_id[:2] != user.jurisdiction_id[:2]:
        return deny(_("该集群不在您的辖区内"))
    return allow()


C = RecognizedCluster.Status
RECOGNIZED_CLUSTER: Machine[RecognizedCluster] = Machine(
    name="recognized_cluster",
    label=_("已认定集群"),
    model=RecognizedCluster,
    states=RecognizedCluster.Status,
    initial=C.VALID,
    transitions={
        row.action: row
        for row in (
            # The daily job: validity ended with no re-review filed and undecided.
            transition("expire", _("有效期届满"), {C.VALID}, C.EXPIRED, Actor.SYSTEM, actions.CLUSTER_EXPIRE),
            # A re-review passed: validity extended by the rule set's extension_years.
            transition(
                "extend", _("复核通过，延长有效期"), {C.VALID, C.EXPIRED}, C.VALID, Actor.OWNER,
                actions.CLUSTER_EXTEND, needs_reason=True,
            ),
            # A revocation proposal accepted (one of the five statutory cases).
            transition(
                "revoke", _("撤销认定"), {C.VALID, C.EXPIRED}, C.REVOKED, Actor.OWNER, actions.CLUSTER_REVOKE,
                needs_reason=True,
            ),
        )
    },
    guard=_cluster_guard,
)  # fmt: skip
