"""Who may see and who may import a roster, with the reason.

A roster is read within the reach of what it belongs to: an application's roster within
``applications.permissions.application_reach`` (experts excepted: they score the application's own pages),
a cluster's within ``registry.reach.cluster_reach`` (an operator: only what it operates); everyone else
gets a 404, so its existence is not disclosed. An application's roster
is imported by the application's county officer while the application is editable (it is part of what
the county declares); a recognized cluster's yearly roster by its county's officer or the cluster
operator, at any time the cluster is on the list.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.permissions import can_view, not_editable_reason
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.reach import sees_cluster


def can_view_application_roster(user: User, application: Application) -> Decision:
    """Experts score the application's own pages; the firm-level roster is for the offices."""
    if user.role == Role.EXPERT:
        return deny(_("该申报不在您的辖区内"))
    return can_view(user, application)


def can_import_application_roster(user: User, application: Application) -> Decision:
    if not (seen := can_view_application_roster(user, application)):
        return seen
    if user.role != Role.COUNTY_OFFICER:
        return deny(_("只有申报县的主管部门可以导入申报的企业名册"))
    if not application.editable:
        return deny(not_editable_reason(application))
    return allow()


def can_view_cluster_roster(user: User, cluster: RecognizedCluster) -> Decision:
    if sees_cluster(user, cluster):
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
