"""Who may publish a public notice, handle its objections and open their files, with the reason.

The notice and everything after it are the owner's steps (``Actor.OWNER`` of the programme's review chain):
the province admin of the owning province for a provincial programme, the ministry admin for the national
one. A call outside the user's reach is a 404 (``notices.selectors``); inside it, a refusal is a 403 that
shows the reason given here. The public side needs no permission: anyone reads a notice and files an
objection while the notice runs (``notice_phase``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smecluster.apps.accounts.divisions import NATIONAL_CODE
from smecluster.apps.accounts.models import LEVEL_ROLE, Role, User
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.applications.workflow import Actor, acting_level
from smecluster.apps.notices.models import Notice, Objection
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.selection.models import Shortlist
from smecluster.workdays import deadline_end, is_on_time


def owner_role(call: YearlyCall) -> Role:
    """The role that takes the owner's steps of this call: the last level of the programme's chain."""
    return Role(LEVEL_ROLE[acting_level(call.programme.review_chain, Actor.OWNER)])


def owner_office(call: YearlyCall) -> str:
    """The code of the owner's jurisdiction: the owning province, or 全国 for the national programme."""
    return call.programme.owner_id or NATIONAL_CODE


def can_act_as_owner(user: User, call: YearlyCall, what: str) -> Decision:
    """May ``user`` take the owner's step ``what`` (a label for the reason) on ``call``?"""
    role = owner_role(call)
    if user.role != role:
        return deny(_("“%(what)s”须由%(role)s操作") % {"what": what, "role": role.label})
    if user.jurisdiction_id != owner_office(call):
        return deny(
            _("“%(what)s”须由%(programme)s的认定机关操作，您不属于该机关")
            % {"what": what, "programme": call.programme.name}
        )
    return allow()


def can_publish(user: User, call: YearlyCall) -> Decision:
    """The owner publishes the notice of the call's frozen shortlist, once."""
    if not (owner := can_act_as_owner(user, call, _("发布公示"))):
        return owner
    shortlist = Shortlist.objects.filter(call=call).first()
    if shortlist is None:
        return deny(_("%(call)s尚未确认拟认定名单：名单确认并冻结后方可公示") % {"call": call})
    existing = Notice.objects.filter(shortlist=shortlist).first()
    if existing is not None:
        return deny(
            _("该名单已于 %(day)s 发布公示“%(title)s”") % {"day": existing.starts_on, "title": existing}
        )
    return allow()


def can_manage_notice(user: User, notice: Notice) -> Decision:
    """The notice's owner sees its objections (with the objectors' contact details) and handles them."""
    return can_act_as_owner(user, notice.shortlist.call, _("处理公示异议"))


def can_handle_objection(user: User, objection: Objection) -> Decision:
    """The owner records the investigation and the resolution, until the objection is resolved."""
    if not (owner := can_manage_notice(user, objection.notice)):
        return owner
    if objection.status == Objection.Status.RESOLVED:
        return deny(_("异议 %(reference)s 已办结，不能再修改") % {"reference": objection.reference})
    if objection.status == Objection.Status.INADMISSIBLE:
        return deny(_("异议 %(reference)s 已不予受理，不能再修改") % {"reference": objection.reference})
    return allow()


def can_open_objection_files(user: User, objection: Objection) -> Decision:
    """Objection evidence is never public: only the notice's owner opens it."""
    return can_manage_notice(user, objection.notice)


class Phase(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    ENDED = "ended"


PHASE_LABELS = {
    Phase.UPCOMING: gettext_lazy("未开始"),
    Phase.OPEN: gettext_lazy("公示中"),
    Phase.ENDED: gettext_lazy("已结束"),
}


def notice_phase(notice: Notice, now: datetime | None = None) -> Phase:
    """Before the first day, during the notice (its last day ends at 23:59:59 Beijing time), or after it."""
    now = now or timezone.now()
    if timezone.localdate(now) < notice.starts_on:
        return Phase.UPCOMING
    if is_on_time(now, notice.ends_on):
        return Phase.OPEN
    return Phase.ENDED


def can_object(notice: Notice, now: datetime | None = None) -> Decision:
    """Anyone may file a real-name objection while the notice runs; not before it, and never after it."""
    phase = notice_phase(notice, now)
    if phase == Phase.UPCOMING:
        return deny(_("公示将于 %(start)s 开始，届时方可提出异议") % {"start": notice.starts_on.isoformat()})
    if phase == Phase.ENDED:
        return deny(
            _("公示已于 %(end)s 23:59:59（北京时间）截止，不再受理异议") % {"end": notice.ends_on.isoformat()}
        )
    return allow()


def closes_at(notice: Notice) -> datetime:
    """The last instant objections are taken: the end of ``ends_on`` in Beijing."""
    return deadline_end(notice.ends_on)
