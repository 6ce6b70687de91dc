"""Who may see a cluster's dynamic management and who takes each step, with the reason.

The levels follow the programme's review chain, as the application's workflow does
(``applications.workflow.Actor``): in a provincial programme (county → city → province) the county files
a major change, the city reviews it and the province decides; in the national one (county → province →
national) the province reviews and the ministry decides. Incidents and changes found without a filing are
recorded by the officers above the county: the city, the province, and (national programme) the ministry.
Revocation is decided by the owner's admin only: the province admin of the owning province, or the
ministry admin for the national programme; the owner also records proposals by hand (cases 2 and 5).

Outside the cluster's reach (``registry.reach.cluster_reach``) the pages answer 404
(``selectors.cluster_in_reach``); inside it, a refused step is a 403 with the reason given here.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from smecluster.apps.accounts.divisions import NATIONAL_CODE
from smecluster.apps.accounts.models import LEVEL_ROLE, Role, User
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.applications.workflow import Actor, acting_level
from smecluster.apps.oversight.models import MajorChange, RevocationProposal
from smecluster.apps.programmes.models import Programme
from smecluster.apps.programmes.recommenders import recommending_office
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.reach import sees_cluster

MANUAL_CASES = (2, 3, 5)
"""The cases the owner records by hand from findings: false declaration or violations; refusing monitoring
and supervision (case 3's other limb "不接受、不配合监测监督", with evidence); incidents."""
NON_COOPERATION = 3
"""Recorded by hand, case 3 is the refusal of monitoring; late reports are found by the tick."""


OVERSIGHT_ROLES = (
    Role.COUNTY_OFFICER,
    Role.OPERATOR,
    Role.CITY_OFFICER,
    Role.PROVINCE_ADMIN,
    Role.MINISTRY_ADMIN,
)


def can_see_oversight_lists(user: User) -> Decision:
    """The oversight lists and registers (clusters, incidents, major changes, revocation proposals and
    their downloads): the officers and operators, each over their own reach (an operator: the clusters it
    operates). An expert reviews
    applications and has no part in managing recognized clusters."""
    if user.role not in OVERSIGHT_ROLES:
        return deny(_("动态管理仅对集群运营管理机构和各级主管部门开放，评审专家不参与"))
    return allow()


def reviewer_office(cluster: RecognizedCluster) -> tuple[Role, str]:
    """The role and office that review the cluster's filings: its recommending office (its city; its
    province, or the 计划单列市 it applies through, in the national programme)."""
    office = recommending_office(cluster.programme, cluster.county)
    return office.role, office.jurisdiction


def owner_office(programme: Programme) -> tuple[Role, str]:
    """The role and office of the programme's owner: a province's admin, or the ministry (全国)."""
    role = Role(LEVEL_ROLE[acting_level(programme.review_chain, Actor.OWNER)])
    return role, programme.owner_id or NATIONAL_CODE


def is_owner(user: User, programme: Programme) -> bool:
    role, office = owner_office(programme)
    return user.role == role and user.jurisdiction_id == office


def _not_revoked(cluster: RecognizedCluster) -> Decision:
    if cluster.status == RecognizedCluster.Status.REVOKED:
        return deny(_("该集群已撤销认定"))
    return allow()


def can_file_change(user: User, cluster: RecognizedCluster) -> Decision:
    if user.role != Role.COUNTY_OFFICER or user.jurisdiction_id != cluster.county_id:
        return deny(_("重大变动须由集群所在县的主管部门报备"))
    return _not_revoked(cluster)


def can_resubmit_change(user: User, change: MajorChange) -> Decision:
    if not (filer := can_file_change(user, change.cluster)):
        return filer
    if change.status != MajorChange.Status.RETURNED:
        return deny(
            _("只有被退回的报备可以修改后重新提交（当前：%(status)s）")
            % {"status": change.get_status_display()}
        )
    return allow()


def can_review_change(user: User, change: MajorChange) -> Decision:
    role, office = reviewer_office(change.cluster)
    if user.role != role or user.jurisdiction_id != office:
        return deny(_("重大变动报备须由%(role)s审核") % {"role": role.label})
    if change.status != MajorChange.Status.FILED:
        return deny(_("该报备当前为“%(status)s”，不能审核") % {"status": change.get_status_display()})
    return allow()


def can_decide_change(user: User, change: MajorChange) -> Decision:
    role, _office = owner_office(change.cluster.programme)
    if not is_owner(user, change.cluster.programme):
        return deny(_("重大变动须由认定机关（%(role)s）审批") % {"role": role.label})
    if change.status != MajorChange.Status.FORWARDED:
        return deny(_("该报备当前为“%(status)s”，不能审批") % {"status": change.get_status_display()})
    return allow()


def can_record_findings(user: User, cluster: RecognizedCluster) -> Decision:
    """Record an incident or a change found without a filing: the city, the province, or the ministry for a
    national-programme cluster, each within its reach."""
    if user.role not in (Role.CITY_OFFICER, Role.PROVINCE_ADMIN, Role.MINISTRY_ADMIN) or not sees_cluster(
        user, cluster
    ):
        return deny(_("事件和未报备的变动须由集群所在市、省的主管部门登记"))
    return _not_revoked(cluster)


def can_propose_by_hand(user: User, cluster: RecognizedCluster) -> Decision:
    """Record a revocation proposal from findings (cases 2 and 5): the owner's admin."""
    role, _office = owner_office(cluster.programme)
    if not is_owner(user, cluster.programme):
        return deny(_("撤销建议须由认定机关（%(role)s）登记") % {"role": role.label})
    return _not_revoked(cluster)


def can_decide_revocation(user: User, proposal: RevocationProposal) -> Decision:
    role, _office = owner_office(proposal.cluster.programme)
    if not is_owner(user, proposal.cluster.programme):
        return deny(_("撤销决定须由认定机关（%(role)s）作出") % {"role": role.label})
    if proposal.status != RevocationProposal.Status.OPEN:
        return deny(_("该撤销建议已决定（%(status)s）") % {"status": proposal.get_status_display()})
    return allow()


def can_accept_revocation(user: User, proposal: RevocationProposal) -> Decision:
    if not (decider := can_decide_revocation(user, proposal)):
        return decider
    if not proposal.has_basis:
        return deny(
            _("本项目规则集未载明撤销情形%(case)s的条款，不能据此撤销；请补充规则集或不予撤销")
            % {"case": proposal.case}
        )
    if proposal.cluster.status == RecognizedCluster.Status.REVOKED:
        return deny(_("该集群已撤销认定"))
    return allow()
