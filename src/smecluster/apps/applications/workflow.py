"""The application's states and the transitions between them, declared once.

The states are the model's (``models.Status``); ``workflow.engine.take(APPLICATION, …)`` is the only
code that assigns ``Application.status``. The table is drawn in ``docs/workflow.md``; each transition
names who takes it by place in the programme's review chain, so the same table runs a provincial
programme and the national one.

    (the recommender is the city in a provincial programme, the province in the national one)
    draft ──submit──▶ submitted ──accept──▶ accepted ──review──▶ reviewed ──recommend──▶ recommended
      ▲                 │  │                  │                    │  │ └──not_recommend──▶ not_recommended
      └────withdraw─────┘  └──return──▶ returned ◀──return─────────┴──┘
                                          └──submit (resubmit)──▶ submitted
    reviewed ──spot_check──▶ reviewed (a record is added; the state stays)

    then at the owner (the province, or the ministry):
    recommended, screened ──owner_spot_check──▶ the same state (a record is added, where needed)
    recommended ──screen──▶ screened ──shortlist──▶ shortlisted ──recognize──▶ recognized
         └──screen_out──▶ screened_out   └──not_shortlist──▶ not_shortlisted   └──reject──▶ rejected
    shortlisted ──remove_on_objection──▶ rejected   (taken with the owner's finding that an objection is
                                                     upheld: "经公示无异议的" only are recognized)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.applications.models import EDITABLE, Application, Status
from smecluster.apps.applications.permissions import acting_role, can_view
from smecluster.apps.applications.profiles import binding_refusal, onsite_check_refusal
from smecluster.apps.audit import actions
from smecluster.apps.notices.models import UPHELD
from smecluster.apps.workflow.engine import Actor, Machine, Transition, acting_level, table, transition

__all__ = [
    "APPLICATION",
    "EDITABLE",
    "RECOMMENDED_OR_LATER",
    "TRANSITIONS",
    "Actor",
    "Status",
    "acting_level",
]


RECOMMENDED_OR_LATER = frozenset(
    {
        Status.RECOMMENDED, Status.SCREENED, Status.SCREENED_OUT, Status.SHORTLISTED,
        Status.NOT_SHORTLISTED, Status.RECOGNIZED, Status.REJECTED,
    }
)  # fmt: skip
"""States of an application its recommender has recommended: each takes one place of the quota."""


def _guard(user: User, row: Transition, application: Application) -> Decision:
    """Within reach, and the role that acts for the transition's place in the programme's review chain."""
    if not (seen := can_view(user, application)):
        return seen
    # The county department is the applicant (申报主体); the operator drafts but does not submit.
    role = Role.COUNTY_OFFICER if row.actor == Actor.APPLICANT else acting_role(application, row.actor)
    if user.role != role:
        return deny(_("“%(action)s”须由%(role)s操作") % {"action": row.label, "role": role.label})
    # A failing or unchecked computed criterion binds (在符合认定条件的基础上): only evaluated where the
    # transition could be taken, so pages listing buttons do not evaluate every application.
    binding = row.action in BINDING_ACTIONS and application.status in row.sources
    if binding and (refusal := binding_refusal(application)):
        return deny(refusal)
    if binding and row.action == "recommend" and (refusal := onsite_check_refusal(application)):
        return deny(refusal)
    if row.action == "remove_on_objection" and not application.objections.filter(UPHELD).exists():
        # Taken only with the finding that an objection is upheld, never on its own.
        return deny(str(_("只有公示异议经核查成立时，才能将申报移出拟认定名单")))
    return allow()


BINDING_ACTIONS = frozenset({"recommend", "screen"})
"""The transitions that declare an application 符合认定条件: the criteria that are computed bind them."""


S = Status
A = actions
TRANSITIONS: dict[str, Transition] = table(
    transition(
        "submit", _("提交"), {S.DRAFT, S.RETURNED}, S.SUBMITTED, Actor.APPLICANT, A.APPLICATION_SUBMIT
    ),
    transition("withdraw", _("撤回"), {S.SUBMITTED}, S.DRAFT, Actor.APPLICANT, A.APPLICATION_WITHDRAW),
    transition("accept", _("受理"), {S.SUBMITTED}, S.ACCEPTED, Actor.RECOMMENDER, A.APPLICATION_ACCEPT),
    transition(
        "return",
        _("退回修改"),
        {S.SUBMITTED, S.ACCEPTED, S.REVIEWED},
        S.RETURNED,
        Actor.RECOMMENDER,
        A.APPLICATION_RETURN,
        needs_reason=True,
    ),
    transition(
        "review", _("初审"), {S.ACCEPTED, S.REVIEWED}, S.REVIEWED, Actor.RECOMMENDER, A.APPLICATION_REVIEW
    ),
    transition(
        "spot_check",
        _("实地抽查"),
        {S.ACCEPTED, S.REVIEWED},
        None,
        Actor.RECOMMENDER,
        A.APPLICATION_SPOT_CHECK,
    ),
    transition(
        "recommend",
        _("推荐"),
        {S.REVIEWED},
        S.RECOMMENDED,
        Actor.RECOMMENDER,
        A.APPLICATION_RECOMMEND,
        needs_reason=True,
    ),
    transition(
        "not_recommend",
        _("不予推荐"),
        {S.REVIEWED},
        S.NOT_RECOMMENDED,
        Actor.RECOMMENDER,
        A.APPLICATION_NOT_RECOMMEND,
        needs_reason=True,
    ),
    transition("screen", _("审核通过"), {S.RECOMMENDED}, S.SCREENED, Actor.OWNER, A.APPLICATION_SCREEN),
    # Guizhou 第六问: the province "必要时可实地抽查" the recommended applications; optional, a record only.
    transition(
        "owner_spot_check",
        _("认定单位实地抽查"),
        {S.RECOMMENDED, S.SCREENED},
        None,
        Actor.OWNER,
        A.APPLICATION_OWNER_SPOT_CHECK,
    ),
    transition(
        "screen_out",
        _("审核不通过"),
        {S.RECOMMENDED},
        S.SCREENED_OUT,
        Actor.OWNER,
        A.APPLICATION_SCREEN_OUT,
        needs_reason=True,
    ),
    transition(
        "shortlist",
        _("列入拟认定名单"),
        {S.SCREENED},
        S.SHORTLISTED,
        Actor.OWNER,
        A.APPLICATION_SHORTLIST,
    ),
    transition(
        "not_shortlist",
        _("未列入拟认定名单"),
        {S.SCREENED},
        S.NOT_SHORTLISTED,
        Actor.OWNER,
        A.APPLICATION_NOT_SHORTLIST,
        needs_reason=True,
    ),
    transition("recognize", _("认定"), {S.SHORTLISTED}, S.RECOGNIZED, Actor.OWNER, A.APPLICATION_RECOGNIZE),
    transition(
        "reject",
        _("不予认定"),
        {S.SHORTLISTED},
        S.REJECTED,
        Actor.OWNER,
        A.APPLICATION_REJECT,
        needs_reason=True,
    ),
    transition(
        "remove_on_objection",
        _("异议成立，移出拟认定名单"),
        {S.SHORTLISTED},
        S.REJECTED,
        Actor.OWNER,
        A.APPLICATION_REMOVE_ON_OBJECTION,
        needs_reason=True,
    ),
)

APPLICATION: Machine[Application] = Machine(
    name="application",
    label=_("申报"),
    model=Application,
    states=Status,
    initial=Status.DRAFT,
    transitions=TRANSITIONS,
    guard=_guard,
)
