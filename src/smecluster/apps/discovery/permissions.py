"""Who may use candidate discovery, with the reason.

Datasets are the province's (or, for a national extract, the ministry's): a province admin or the ministry
uploads and registers them. Runs and their results are for the province admin (the whole province), the
city officer (the province's runs, seen only for their city's counties) and the ministry (every province).
County officers, operators and experts have no part in it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.accounts.permissions import Decision, allow, deny

DISCOVERY_ROLES = (Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.MINISTRY_ADMIN)


def can_use_discovery(user: User) -> Decision:
    if user.role not in DISCOVERY_ROLES:
        return deny(_("候选集群发现供省级管理员、市级主管部门和工业和信息化部使用"))
    return allow()


def can_manage_datasets(user: User) -> Decision:
    if user.role not in (Role.PROVINCE_ADMIN, Role.MINISTRY_ADMIN):
        return deny(_("企业数据集由省级管理员或工业和信息化部上传和登记"))
    return allow()


def can_run_discovery(user: User, province_code: str | None) -> Decision:
    """Province admins and city officers run on their own province; the ministry on any or all."""
    if not (use := can_use_discovery(user)):
        return use
    if user.role == Role.MINISTRY_ADMIN:
        return allow()
    if province_code is None or province_code[:2] != user.jurisdiction_id[:2]:
        return deny(_("只能在本省范围内发现候选集群"))
    return allow()
