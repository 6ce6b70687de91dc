"""Who may see the monitoring report and dashboard of which scope and programme, with the reason.

The ministry sees every scope (全国, any province, any city); a province admin their province and its
cities; a city officer their city. Nobody else opens these pages (403 with the reason); a scope outside
the person's reach does not exist for them (404).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import Jurisdiction, Level, Role, User
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.programmes.models import Programme

MONITORING_ROLES = frozenset({Role.MINISTRY_ADMIN, Role.PROVINCE_ADMIN, Role.CITY_OFFICER})
SCOPE_LEVELS = frozenset({Level.NATIONAL, Level.PROVINCE, Level.CITY})


def can_open_monitoring(user: User) -> Decision:
    if not user.is_authenticated:
        return deny(_("请先登录"))
    if user.role not in MONITORING_ROLES:
        return deny(_("集群监测与评估报告仅供工业和信息化部、省级管理员和市级主管部门使用"))
    return allow()


def in_reach(user: User, scope: Jurisdiction) -> bool:
    """Whether ``scope`` (全国, a province or a city) is one the user may report on."""
    if scope.level not in SCOPE_LEVELS or user.role not in MONITORING_ROLES:
        return False
    if user.role == Role.MINISTRY_ADMIN:
        return True
    if user.role == Role.PROVINCE_ADMIN:
        return scope.level != Level.NATIONAL and user.jurisdiction.contains(scope)
    return scope.code == user.jurisdiction_id


def programme_in_reach(user: User, programme: Programme) -> bool:
    """Whether the user may report on ``programme``'s clusters (within their own scopes): the ministry on
    every programme; a province admin on the national programme, the province's own and its cities';
    a city officer on the national programme, their province's and their city's own."""
    if user.role not in MONITORING_ROLES:
        return False
    if user.role == Role.MINISTRY_ADMIN or programme.owner_id is None:
        return True
    home = user.jurisdiction
    if user.role == Role.PROVINCE_ADMIN:
        return programme.owner_id == home.code or (
            programme.owner is not None and programme.owner.parent_id == home.code
        )
    return programme.owner_id in (home.code, home.parent_id)


def can_edit_report(user: User, programme: Programme, scope: Jurisdiction) -> Decision:
    """Write the analyst's texts of ``programme``'s report on ``scope``: whoever may report on both."""
    if not (opened := can_open_monitoring(user)):
        return opened
    if not in_reach(user, scope):
        return deny(_("%(scope)s不在您的辖区内") % {"scope": scope.name})
    if not programme_in_reach(user, programme):
        return deny(_("您不能查看“%(programme)s”的评估报告") % {"programme": programme.name})
    return allow()
