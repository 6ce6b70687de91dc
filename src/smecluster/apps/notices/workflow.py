"""The states of a public notice and of an objection, declared once: ``take(NOTICE, …)`` and
``take(OBJECTION, …)`` are the only code that assigns their statuses. Every step is the owner's (the last
level of the programme's review chain); an objection is created ``received`` by a member of the public.

Notice (公示)::

    published ──close──▶ closed   (taken when the call's recognition is decided)

Objection (异议)::

    received ──investigate──▶ investigating ──resolve──▶ resolved
        │                       └─investigate (the investigation recorded again)─┘
        └──────────────────resolve──────────────────▶ resolved   (成立 or 不成立, with the finding and its
                                                                  evidence; 成立 takes the application off the
                                                                  list: APPLICATION's remove_on_objection)
    received / investigating ──reject_inadmissible──▶ inadmissible   (不予受理: anonymous, no facts, out of
                                                                     scope; with a reason; does not block
                                                                     recognition)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import User
from smecluster.apps.accounts.permissions import Decision
from smecluster.apps.audit import actions as A
from smecluster.apps.notices.models import Notice, Objection
from smecluster.apps.notices.permissions import can_handle_objection, can_manage_notice
from smecluster.apps.workflow.engine import Actor, Machine, Transition, table, transition


def _notice_guard(user: User, row: Transition, notice: Notice) -> Decision:
    return can_manage_notice(user, notice)


def _objection_guard(user: User, row: Transition, objection: Objection) -> Decision:
    """The notice's owner, until the objection is resolved (the reason names the objection)."""
    return can_handle_objection(user, objection)


N = Notice.Status
NOTICE: Machine[Notice] = Machine(
    name="notice",
    label=_("公示"),
    model=Notice,
    states=Notice.Status,
    initial=N.PUBLISHED,
    transitions=table(
        transition("close", _("结束公示"), {N.PUBLISHED}, N.CLOSED, Actor.OWNER, A.NOTICE_CLOSE),
    ),
    guard=_notice_guard,
)

J = Objection.Status
OBJECTION: Machine[Objection] = Machine(
    name="objection",
    label=_("异议"),
    model=Objection,
    states=Objection.Status,
    initial=J.RECEIVED,
    transitions=table(
        transition(
            "investigate", _("记录核查情况"), {J.RECEIVED, J.INVESTIGATING}, J.INVESTIGATING, Actor.OWNER,
            A.OBJECTION_INVESTIGATE,
        ),
        transition(
            "resolve", _("办结"), {J.RECEIVED, J.INVESTIGATING}, J.RESOLVED, Actor.OWNER, A.OBJECTION_RESOLVE,
            needs_reason=True,
        ),
        transition(
            "reject_inadmissible", _("不予受理"), {J.RECEIVED, J.INVESTIGATING}, J.INADMISSIBLE, Actor.OWNER,
            A.OBJECTION_REJECT_INADMISSIBLE, needs_reason=True,
        ),
    ),
    guard=_objection_guard,
)  # fmt: skip
