"""The states of a confirmed shortlist, declared once: ``take(SHORTLIST, …)`` is the only code that
assigns ``Shortlist.status``.

    confirmed ──publish──▶ published ──decide──▶ decided

The shortlist is created ``confirmed`` when the owner freezes the ranking; the notice's publication
(``notices.services.notice_publish``) takes ``publish``; the recognition of the call takes ``decide``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import User
from smecluster.apps.accounts.permissions import Decision
from smecluster.apps.audit import actions as A
from smecluster.apps.selection.models import Shortlist
from smecluster.apps.selection.permissions import can_own
from smecluster.apps.workflow.engine import Actor, Machine, Transition, table, transition


def _guard(user: User, row: Transition, shortlist: Shortlist) -> Decision:
    """The owner of the shortlist's call (its province's admin, or the ministry's)."""
    return can_own(user, shortlist.call)


S = Shortlist.Status
SHORTLIST: Machine[Shortlist] = Machine(
    name="shortlist",
    label=_("拟认定名单"),
    model=Shortlist,
    states=Shortlist.Status,
    initial=S.CONFIRMED,
    transitions=table(
        transition("publish", _("公示"), {S.CONFIRMED}, S.PUBLISHED, Actor.OWNER, A.SHORTLIST_PUBLISH),
        transition("decide", _("作出认定决定"), {S.PUBLISHED}, S.DECIDED, Actor.OWNER, A.SHORTLIST_DECIDE),
    ),
    guard=_guard,
)
