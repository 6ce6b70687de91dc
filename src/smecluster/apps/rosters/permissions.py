"""Who may see and who may import a roster, with the reason.

A roster is read within jurisdiction (the county's people, its city, its province, the ministry for the
national programme); everyone else gets a 404, so its existence is not disclosed. An application's roster
is imported by the application's county officer while the application is editable (it is part of what
the county declares); a recognized cluster's yearly roster by its county's officer or the cluster
operator, at any time the cluster is on the list.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.applications.models import Application
from smecluster.apps.registry.models import RecognizedCluster


def _in_jurisdiction(user: User, county_code: str, city_code: str | None, national: bool) -> bool:
    if user.role in (Role.COUNTY_OFFICER, Role.OPERATOR):
        return county_code == user.jurisdiction_id
    if user.role == Role.CITY_OFFICER:
        return city_code == user.jurisdiction_id
    if user.role == Role.PROVINCE_ADMIN:
        return county_code[:2] == user.jurisdiction_id[:2]
    if user.role == Role.MINISTRY_ADMIN:
        return national
    return False


def can_view_application_roster(user: User, application: Application) -> Decision:
    """Experts score the application's own pages; the firm-level roster is for the offices."""
    county = application.county
    national = application.call.programme.owner_level == "national"
    if _in_jurisdiction(user, county.code, county.parent_id, national):
        return allow()
    return deny(_("该申报不在您的辖区内"))


def can_import_application_roster(user: User, application: Application) -> Decision:
    if not (seen := can_view_application_roster(user, application)):
        return seen
    if user.role != Role.COUNTY_OFFICER:
        return deny(_("只有申报县的主管部门可以导入申报的企业名册"))
    if not application.editable:
        return deny(
            _("申报已提交（%(status)s），不能导入名册；如需修改请先撤回")
            % {"status": application.get_status_display()}
        )
    return allow()


def can_view_cluster_roster(user: User, cluster: RecognizedCluster) -> Decision:
    county = cluster.county
    national = cluster.programme.owner_level == "national"
    if _in_jurisdiction(user, county.code, county.parent_id, national):
        return allow()
    return deny(_("该集群不在您的辖区内"))


def can_import_cluster_roster(user: User, cluster: RecognizedCluster) -> Decision:
    if not (seen := can_view_cluster_roster(user, cluster)):
        return seen
    if user.role not in (Role.COUNTY_OFFICER, Role.OPERATOR):
        return deny(_("只有集群所在县的主管部门或集群运营管理机构可以导入企业名册"))
    if cluster.status == RecognizedCluster.Status.REVOKED:
        return deny(_("该集群已被撤销认定，不能再导入名册"))
    return allow()
