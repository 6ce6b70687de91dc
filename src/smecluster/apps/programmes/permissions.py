"""Who may configure programmes, calls and the cultivation pool, with the reason.

Programmes and their yearly calls are their owner's policy: a province admin edits their own province's
programmes, a city officer their own city's 市级集群 programme (GD 6 / SX 6 "培育一批市级集群"); the national
programme is the ministry's and read-only for them, and a province reads, but does not edit, its cities'.
The cultivation pool belongs to a city: its city officer adds and removes entries; the province admin reads
every city's pool.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import DevelopmentZone, Jurisdiction, Level, Role, User
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.programmes.models import Programme

# The offices that own programmes, with the level of the programmes they own.
OWNING_LEVEL = {Role.PROVINCE_ADMIN: Level.PROVINCE, Role.CITY_OFFICER: Level.CITY}


def can_configure(user: User) -> Decision:
    """The programme pages are for the offices that own programmes: province admins and city officers."""
    if user.role not in OWNING_LEVEL:
        return deny(_("只有省级管理员和市级主管部门可以查看和配置认定项目与年度申报"))
    return allow()


def can_edit_programme(user: User, programme: Programme) -> Decision:
    """The owner edits its programme and its calls: the office of the programme's owner, at its level."""
    if not (configure := can_configure(user)):
        return configure
    if programme.owner_id is None:
        return deny(_("国家级认定项目由工业和信息化部设置，只能查看"))
    if programme.owner_id != user.jurisdiction_id or programme.owner_level != OWNING_LEVEL[Role(user.role)]:
        return deny(_("该认定项目不由您所在的部门设置，只能查看"))
    return allow()


def can_view_pool(user: User) -> Decision:
    if user.role not in (Role.CITY_OFFICER, Role.PROVINCE_ADMIN):
        return deny(_("培育库由市级主管部门维护，省级管理员查看"))
    return allow()


def can_manage_pool(user: User, city: Jurisdiction | str) -> Decision:
    """Only the city officer of that city adds to or removes from its cultivation pool."""
    code = city if isinstance(city, str) else city.code
    if user.role != Role.CITY_OFFICER:
        return deny(_("培育库只能由所在市的市级主管部门增删"))
    if user.jurisdiction_id != code:
        return deny(_("只能维护本市的培育库"))
    return allow()


def can_add_county_to_pool(user: User, county: Jurisdiction) -> Decision:
    """Adding a discovered candidate: the city officer for a county of their city, or the province admin for
    any county of their province (the entry still belongs to the county's city)."""
    if user.role == Role.CITY_OFFICER:
        if county.parent_id != user.jurisdiction_id:
            return deny(_("只能把本市所辖县（市、区）的候选集群加入培育库"))
        return allow()
    if user.role == Role.PROVINCE_ADMIN:
        if county.code[:2] != user.jurisdiction_id[:2]:
            return deny(_("只能把本省所辖县（市、区）的候选集群加入培育库"))
        return allow()
    return deny(_("候选集群只能由市级主管部门或省级管理员加入培育库"))


def can_register_zones(user: User) -> Decision:
    """Development zones are registered by the province (the zones a province's clusters may name)."""
    if user.role != Role.PROVINCE_ADMIN:
        return deny(_("开发区由省级管理员登记和维护"))
    return allow()


def can_edit_zone(user: User, zone: DevelopmentZone) -> Decision:
    """A province edits the zones lying in its own province: every division a zone spans is its own."""
    if not (register := can_register_zones(user)):
        return register
    province = user.jurisdiction_id[:2]
    if any(code[:2] != province for code in zone.counties.values_list("code", flat=True)):
        return deny(_("该开发区所跨区划不在本省，只能由所在省份维护"))
    return allow()
