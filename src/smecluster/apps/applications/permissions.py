"""Who may do what to an application, with the reason. Pages, services and tests all ask here."""

from __future__ import annotations

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import LEVEL_ROLE, Role, User
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.applications.models import Application
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.workflow.engine import Actor, acting_level

DRAFTERS = frozenset({Role.COUNTY_OFFICER, Role.OPERATOR})


def can_view(user: User, application: Application) -> Decision:
    """Within the user's jurisdiction. Views answer 404 otherwise, so existence is not disclosed."""
    county = application.county
    if user.role in DRAFTERS:
        ok = county.code == user.jurisdiction_id
    elif user.role == Role.CITY_OFFICER:
        ok = county.parent_id == user.jurisdiction_id
    elif user.role == Role.PROVINCE_ADMIN:
        ok = county.code[:2] == user.jurisdiction_id[:2]
    elif user.role == Role.MINISTRY_ADMIN:
        ok = application.call.programme.owner_level == "national"
    elif user.role == Role.EXPERT:
        # An expert sees what they are assigned to and have not declared a conflict on.
        ok = application.assignments.filter(expert=user, conflict_declared=False).exists()
    else:
        ok = False
    return allow() if ok else deny(_("该申报不在您的辖区内"))


def acting_role(application: Application, actor: Actor) -> Role:
    """The role that takes ``actor``'s steps on this application, from its programme's review chain."""
    return Role(LEVEL_ROLE[acting_level(application.call.programme.review_chain, actor)])


def can_edit(user: User, application: Application) -> Decision:
    if not (seen := can_view(user, application)):
        return seen
    if user.role not in DRAFTERS:
        return deny(_("只有申报县的主管部门或集群运营管理机构可以修改申报内容"))
    if not application.editable:
        return deny(
            _("申报已提交（%(status)s），不能修改；如需修改请先撤回")
            % {"status": application.get_status_display()}
        )
    return allow()


def can_create(user: User, call: YearlyCall, today: object) -> Decision:
    if user.role not in DRAFTERS:
        return deny(_("只有县级主管部门或集群运营管理机构可以创建申报"))
    if not call.is_open(today):  # type: ignore[arg-type]
        return deny(
            _("%(call)s的申报时间为 %(opens)s 至 %(closes)s")
            % {"call": call, "opens": call.opens_on, "closes": call.closes_on}
        )
    owner = call.programme.owner
    if owner is not None and owner.code[:2] != user.jurisdiction_id[:2]:
        return deny(_("该认定项目不面向您所在的省份"))
    return allow()
