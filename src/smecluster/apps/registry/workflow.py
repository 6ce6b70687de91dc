"""The state machines of dynamic management, declared once: the recognized cluster, its annual report and its
re-review. ``workflow.engine.take`` is the only code that assigns their statuses; the services of
``registry.services`` own the fields each step sets besides. As for applications, each transition names who
takes it by place in the programme's review chain (``workflow.engine.Actor``): in a provincial programme the
county files, the city checks and forwards (or recommends), the province receives (or decides); in the
national one the province forwards and the ministry receives.

Annual report (年度培育情况信息表)::

    draft ──submit──▶ submitted ──forward──▶ forwarded ──receive──▶ received
      ▲                 │  └──return──▶ returned ──submit──▶ submitted
      └────withdraw─────┘

Re-review (复核)::

    draft ──submit──▶ submitted ──recommend──▶ recommended ──decide──▶ decided (outcome passed / failed)
                        └──return──▶ returned ──submit──▶ submitted
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import LEVEL_ROLE, Role, User
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.audit import actions
from smecluster.apps.registry.models import (
    RE_REVIEW_EDITABLE,
    RE_REVIEW_IN_PROGRESS,
    REPORT_EDITABLE,
    REPORT_FILED,
    AnnualReport,
    RecognizedCluster,
    ReReview,
)
from smecluster.apps.registry.permissions import may_take_re_review_step, may_take_report_step
from smecluster.apps.workflow.engine import Actor, Machine, Transition, acting_level, table, transition

__all__ = [
    "ANNUAL_REPORT",
    "RECOGNIZED_CLUSTER",
    "REPORT_EDITABLE",
    "REPORT_FILED",
    "RE_REVIEW",
    "RE_REVIEW_EDITABLE",
    "RE_REVIEW_IN_PROGRESS",
]

R = AnnualReport.Status
ANNUAL_REPORT: Machine[AnnualReport] = Machine(
    name="annual_report",
    label=_("年度培育情况信息表"),
    model=AnnualReport,
    states=AnnualReport.Status,
    initial=R.DRAFT,
    transitions=table(
        transition("submit", _("提交"), {R.DRAFT, R.RETURNED}, R.SUBMITTED, Actor.APPLICANT,
                   actions.ANNUAL_REPORT_SUBMIT),
        transition("withdraw", _("撤回"), {R.SUBMITTED}, R.DRAFT, Actor.APPLICANT,
                   actions.ANNUAL_REPORT_WITHDRAW),
        transition("return", _("退回修改"), {R.SUBMITTED}, R.RETURNED, Actor.RECOMMENDER,
                   actions.ANNUAL_REPORT_RETURN, needs_reason=True),
        # The filing moment: forwarded after the due day, the report is late.
        transition("forward", _("审核并报送"), {R.SUBMITTED}, R.FORWARDED, Actor.RECOMMENDER,
                   actions.ANNUAL_REPORT_FORWARD),
        transition("receive", _("接收"), {R.FORWARDED}, R.RECEIVED, Actor.OWNER,
                   actions.ANNUAL_REPORT_RECEIVE),
    ),
    guard=may_take_report_step,
)  # fmt: skip

V = ReReview.Status
RE_REVIEW: Machine[ReReview] = Machine(
    name="re_review",
    label=_("复核"),
    model=ReReview,
    states=ReReview.Status,
    initial=V.DRAFT,
    transitions=table(
        transition("submit", _("提交复核申请"), {V.DRAFT, V.RETURNED}, V.SUBMITTED, Actor.APPLICANT,
                   actions.RE_REVIEW_SUBMIT),
        transition("return", _("退回修改"), {V.SUBMITTED}, V.RETURNED, Actor.RECOMMENDER,
                   actions.RE_REVIEW_RETURN, needs_reason=True),
        transition("recommend", _("推荐"), {V.SUBMITTED}, V.RECOMMENDED, Actor.RECOMMENDER,
                   actions.RE_REVIEW_RECOMMEND, needs_reason=True),
        # The outcome (passed / failed) is a field of its own; a pass extends the cluster (``extend``).
        transition("decide", _("作出复核决定"), {V.RECOMMENDED}, V.DECIDED, Actor.OWNER,
                   actions.RE_REVIEW_DECIDE, needs_reason=True),
    ),
    guard=may_take_re_review_step,
)  # fmt: skip


def _cluster_guard(user: User, row: Transition, cluster: RecognizedCluster) -> Decision:
    """The recognizing office of the cluster's programme: the province that holds the county, or the
    ministry for a national cluster."""
    role = Role(LEVEL_ROLE[acting_level(cluster.programme.review_chain, row.actor)])
    if user.role != role:
        return deny(gettext("“%(action)s”须由%(role)s操作") % {"action": row.label, "role": role.label})
    if role == Role.PROVINCE_ADMIN and cluster.county_id[:2] != user.jurisdiction_id[:2]:
        return deny(gettext("该集群不在您的辖区内"))
    return allow()


C = RecognizedCluster.Status
RECOGNIZED_CLUSTER: Machine[RecognizedCluster] = Machine(
    name="recognized_cluster",
    label=_("已认定集群"),
    model=RecognizedCluster,
    states=RecognizedCluster.Status,
    initial=C.VALID,
    transitions=table(
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
    ),
    guard=_cluster_guard,
)  # fmt: skip
