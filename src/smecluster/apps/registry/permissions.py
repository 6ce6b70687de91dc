"""Who may recognize the clusters of a call and print its documents, with the reason.

Recognition is the owner's step (``notices.permissions.can_act_as_owner``) and waits for the public notice:
it is refused while no notice was published, while the notice runs (until 23:59:59 Beijing time on its last
day), and while any objection to it is unresolved; the reason names the objections. An application against
which an objection was upheld is not recognized in this call ("经公示无异议的"), naming the objection. A
certificate is printed by anyone who may see the application (the owner, the county, its city); outside
that, a 404.

Dynamic management (plan targets, annual reports, re-reviews) is seen by the cluster's county (officer and
operator), its city, its province and, for a national programme, the ministry; experts and the public see
none of it (404). Who takes each step comes from the programme's review chain (``registry.workflow``).
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from smecluster.apps.accounts.divisions import NATIONAL_CODE
from smecluster.apps.accounts.models import LEVEL_ROLE, Role, User
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.permissions import can_view
from smecluster.apps.notices.models import Objection
from smecluster.apps.notices.permissions import Phase, can_act_as_owner, notice_phase
from smecluster.apps.notices.selectors import notice_of_call, unresolved_objections
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.programmes.recommenders import recommending_office
from smecluster.apps.registry.models import (
    RE_REVIEW_EDITABLE,
    REPORT_EDITABLE,
    AnnualReport,
    RecognizedCluster,
    ReReview,
)
from smecluster.apps.registry.reach import sees_cluster
from smecluster.apps.workflow.engine import Actor, Transition, acting_level
from smecluster.site.wording import listing


def recognition_blockers(call: YearlyCall, now: datetime | None = None) -> list[str]:
    """Why the clusters of ``call`` cannot be recognized yet; empty when they can."""
    notice = notice_of_call(call)
    if notice is None:
        return [_("拟认定名单尚未公示：须经公示后方可认定")]
    blockers = []
    phase = notice_phase(notice, now)
    if phase != Phase.ENDED:
        blockers.append(
            _("公示期至 %(end)s 23:59:59（北京时间）结束，公示期满后方可认定")
            % {"end": notice.ends_on.isoformat()}
        )
    unresolved = list(unresolved_objections(notice))
    if unresolved:
        listed = "；".join(
            _("%(reference)s（异议对象：%(name)s，%(status)s）")
            % {
                "reference": objection.reference,
                "name": objection.application.name,
                "status": objection.get_status_display(),
            }
            for objection in unresolved
        )
        blockers.append(
            _("以下 %(count)s 条异议尚未办结，全部办结后方可认定：%(list)s")
            % {"count": len(unresolved), "list": listed}
        )
    return blockers


def can_open_recognition(user: User, call: YearlyCall) -> Decision:
    """The owner's recognition page (it shows the blockers when a decision is not yet possible)."""
    return can_act_as_owner(user, call, _("认定"))


def can_recognize(user: User, call: YearlyCall, now: datetime | None = None) -> Decision:
    """Decide (recognize or reject) the shortlisted applications of ``call``: the owner, after the notice."""
    if not (owner := can_open_recognition(user, call)):
        return owner
    blockers = recognition_blockers(call, now)
    if blockers:
        return deny(_("暂不能认定：%(why)s") % {"why": "；".join(blockers)})
    return allow()


def can_recognize_application(application: Application, upheld: list[Objection]) -> Decision:
    """Only 经公示无异议的 are recognized (Guizhou Q6; SX 16 "经公示无异议后，发布…名单"): an application
    against which an objection was upheld (成立) cannot be recognized in this call; the reason names it.
    ``upheld`` are its upheld objections (``notices.selectors.upheld_objections``)."""
    if upheld:
        return deny(
            _("申报 %(number)s（%(name)s）的异议 %(references)s 经核查成立，已移出拟认定名单，本年度不能认定")
            % {
                "number": application.number,
                "name": application.name,
                "references": listing(objection.reference for objection in upheld),
            }
        )
    return allow()


def can_print_recognition_notice(user: User, call: YearlyCall) -> Decision:
    """The recognition notice (认定名单通知) of a call: the owner, once a cluster is recognized."""
    if not (owner := can_act_as_owner(user, call, _("打印认定名单通知"))):
        return owner
    if not RecognizedCluster.objects.filter(application__call=call).exists():
        return deny(_("%(call)s尚无已认定的集群") % {"call": call})
    return allow()


def can_import_register(user: User, programme: Programme) -> Decision:
    """Import a past list into ``programme``'s register: the owner's office at the owning level (the
    province's admin for its programme, the ministry for the national one, a city for its own)."""
    role = Role(LEVEL_ROLE[acting_level(programme.review_chain, Actor.OWNER)])
    if user.role != role or user.jurisdiction_id != (programme.owner_id or NATIONAL_CODE):
        return deny(_("只有%(programme)s的认定机关可以导入历史认定名单") % {"programme": programme.name})
    return allow()


def can_print_certificate(user: User, cluster: RecognizedCluster) -> Decision:
    """Whoever may see the application prints its certificate; the views answer 404 otherwise. A cluster
    imported from a past list was certified by the document that recognized it: the platform prints none."""
    if cluster.application is None:
        return deny(_("该集群由历史认定名单导入，证书以原认定文件为准，平台不另行出具"))
    return can_view(user, cluster.application)


# --- dynamic management ---------------------------------------------------------------------------

DRAFTERS = frozenset({Role.COUNTY_OFFICER, Role.OPERATOR})


def revoked_reason() -> str:
    return _("该集群的认定已撤销，年度报告和复核不再办理")


def can_see_cluster_records(user: User, cluster: RecognizedCluster) -> Decision:
    """The cluster's plan targets, annual reports and re-reviews, within ``registry.reach.cluster_reach``;
    views answer 404 otherwise."""
    return allow() if sees_cluster(user, cluster) else deny(_("该集群不在您的辖区内"))


def chain_role(cluster: RecognizedCluster, actor: Actor) -> Role:
    """The role that takes ``actor``'s steps for this cluster, from its programme's review chain (the
    recommender's: its province's, or a separately listed city's, ``programmes.recommenders``)."""
    if actor == Actor.RECOMMENDER:
        return recommending_office(cluster.programme, cluster.county).role
    return Role(LEVEL_ROLE[acting_level(cluster.programme.review_chain, actor)])


def can_edit_plan_targets(user: User, cluster: RecognizedCluster, locked: bool) -> Decision:
    if not (seen := can_see_cluster_records(user, cluster)):
        return seen
    if user.role not in DRAFTERS:
        return deny(_("发展规划目标由集群所在县的主管部门或运营管理机构填写"))
    if cluster.status != RecognizedCluster.Status.VALID:
        return deny(_("集群已不在有效期内（%(status)s）") % {"status": cluster.get_status_display()})
    if locked:
        return deny(_("首份年度报告已接收，发展规划目标已锁定，不能再修改"))
    return allow()


def _may_take_step(user: User, cluster: RecognizedCluster, row: Transition) -> Decision:
    """Within reach, the cluster not revoked, and the role that acts for the step's place in the programme's
    review chain. The state is the engine's to check (``registry.workflow``)."""
    if not (seen := can_see_cluster_records(user, cluster)):
        return seen
    if cluster.status == RecognizedCluster.Status.REVOKED:
        return deny(revoked_reason())
    # The county department files; the operator drafts but does not submit (as for applications).
    role = Role.COUNTY_OFFICER if row.actor == Actor.APPLICANT else chain_role(cluster, row.actor)
    if user.role != role:
        return deny(_("“%(action)s”须由%(role)s操作") % {"action": row.label, "role": role.label})
    return allow()


def can_edit_report(user: User, report: AnnualReport) -> Decision:
    if not (seen := can_see_cluster_records(user, report.cluster)):
        return seen
    if user.role not in DRAFTERS:
        return deny(_("年度报告由集群所在县的主管部门或运营管理机构填写"))
    if report.cluster.status == RecognizedCluster.Status.REVOKED:
        return deny(revoked_reason())
    if report.status not in REPORT_EDITABLE:
        return deny(
            _("年度报告已提交（%(status)s），不能修改；如需修改请先撤回")
            % {"status": report.get_status_display()}
        )
    return allow()


def may_take_report_step(user: User, row: Transition, report: AnnualReport) -> Decision:
    """The guard of ``registry.workflow.ANNUAL_REPORT``."""
    return _may_take_step(user, report.cluster, row)


def can_edit_re_review(user: User, re_review: ReReview) -> Decision:
    if not (seen := can_see_cluster_records(user, re_review.cluster)):
        return seen
    if user.role not in DRAFTERS:
        return deny(_("复核申请由集群所在县的主管部门或运营管理机构填写"))
    if re_review.cluster.status == RecognizedCluster.Status.REVOKED:
        return deny(revoked_reason())
    if re_review.status not in RE_REVIEW_EDITABLE:
        return deny(_("复核申请已提交（%(status)s），不能修改") % {"status": re_review.get_status_display()})
    return allow()


def can_assess(user: User, cluster: RecognizedCluster) -> Decision:
    """The yearly assessment is the owner's (GD 5 / SX 5 "开展认定、监督和考核工作"): the level that ends the
    programme's review chain, in the owner's own office (a province, the ministry, or a city for a
    city-level programme)."""
    programme = cluster.programme
    role = chain_role(cluster, Actor.OWNER)
    if user.role != role or user.jurisdiction_id != (programme.owner_id or NATIONAL_CODE):
        return deny(_("年度考核须由%(programme)s的认定机关作出") % {"programme": programme.name})
    return allow()


def may_take_re_review_step(user: User, row: Transition, re_review: ReReview) -> Decision:
    """The guard of ``registry.workflow.RE_REVIEW``."""
    return _may_take_step(user, re_review.cluster, row)
