"""Who may take the owner's selection steps and the experts' steps, with the reason.

The owner of a call is the last level of its programme's review chain (``Actor.OWNER``): the province
admin of the owning province for a provincial programme, the ministry admin for the national one. A call
the user cannot reach at all (another province's programme; a provincial programme for the ministry) does
not exist for them: selectors raise ``DoesNotExist`` and pages answer 404. Inside their reach, a step they
may not take is refused here with the reason (403).

Conflicts of interest are decided here too: an expert never reviews a cluster of their own city or county
(their home jurisdiction is the cluster's county, its city, or another county of that city), nor one in a
county they declared a relation to, nor one they declared a conflict on.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import LEVEL_ROLE, Role, User, division_prefix, enclosing_codes
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Actor, Status, acting_level
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.selection.models import Assignment, DeclaredRelation, ExpertProfile, Score, Shortlist
from smecluster.reference.divisions import city_above

OWNER_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.MINISTRY_ADMIN})


def owner_role(call: YearlyCall) -> Role:
    """The role that takes the owner's steps in this call: from the programme's review chain."""
    return Role(LEVEL_ROLE[acting_level(call.programme.review_chain, Actor.OWNER)])


def call_reachable(user: User, call: YearlyCall) -> bool:
    """May the user know of this call at all? The national programme's calls reach everyone but a
    ministry admin sees only those; an owned programme's calls reach the people of the owner's jurisdiction
    (a province's its province, a city's its counties only), the offices above it, and the experts of the
    pool it draws on (its province's)."""
    programme = call.programme
    owner = programme.owner_id
    if owner is None:
        return True
    if user.role == Role.MINISTRY_ADMIN:
        return False
    if user.role == Role.EXPERT:
        return owner[:2] == user.jurisdiction_id[:2]
    code = user.jurisdiction_id
    return owner in enclosing_codes(code) or owner.startswith(division_prefix(code))


def can_own(user: User, call: YearlyCall) -> Decision:
    """The owner's steps in ``call``: screening, indicators, assignments, ranking, the shortlist."""
    role = owner_role(call)
    if user.role != role:
        return deny(_("评审工作须由%(role)s操作") % {"role": role.label})
    owner = call.programme.owner_id
    if owner is not None and owner != user.jurisdiction_id:
        return deny(_("该认定项目不属于您所在的辖区"))
    return allow()


def frozen(call: YearlyCall) -> bool:
    """Has the call's shortlist been confirmed? Then its ranking, scores and assignments are frozen."""
    return Shortlist.objects.filter(call=call).exists()


def can_change_review(user: User, call: YearlyCall) -> Decision:
    """The owner's changes to screening, indicators and assignments: only until the shortlist is frozen."""
    if not (owning := can_own(user, call)):
        return owning
    if frozen(call):
        return deny(_("拟认定名单已确认并冻结，评审记录不能再修改"))
    return allow()


def can_edit_indicators(user: User, call: YearlyCall) -> Decision:
    """A new version of the indicator system: only before any expert has scored in this call."""
    if not (changing := can_change_review(user, call)):
        return changing
    if Score.objects.filter(assignment__application__call=call).exists():
        return deny(_("本年度已有专家评分，指标体系不能再修改"))
    return allow()


# --- the expert pool ------------------------------------------------------------------------------


def can_manage_experts(user: User) -> Decision:
    if user.role not in OWNER_ROLES:
        return deny(_("专家库由省级管理员或工业和信息化部管理"))
    return allow()


PROVINCIAL_POOL_USERS = frozenset({Role.PROVINCE_ADMIN, Role.CITY_OFFICER})


def expert_in_pool_of(user: User, expert: User) -> bool:
    """The ministry's pool is every expert; a province's pool, the experts homed in that province; a city
    owning its own programme (市级集群, GD 6 / SX 6) draws on its province's pool."""
    if expert.role != Role.EXPERT:
        return False
    if user.role == Role.MINISTRY_ADMIN:
        return True
    return user.role in PROVINCIAL_POOL_USERS and expert.jurisdiction_id[:2] == user.jurisdiction_id[:2]


def can_declare_relation(user: User) -> Decision:
    if user.role != Role.EXPERT:
        return deny(_("只有评审专家需要申明利益关系"))
    return allow()


# --- conflicts of interest ------------------------------------------------------------------------


def conflict_of(
    expert: User,
    application: Application,
    *,
    relations: Iterable[DeclaredRelation] | None = None,
    declared: bool | None = None,
) -> str:
    """Why ``expert`` may not review ``application``, or "" when nothing stands in the way.

    ``relations`` (the expert's declared relations) and ``declared`` (whether the expert declared a
    conflict on this application) may be given when a page checks many pairs at once; else they are read.
    """
    home = expert.jurisdiction
    # The city the cluster lies in. A 不设区的地级市 (东莞, 中山) is a city acting at county level, caught by
    # the county test; its parent is the province, which is not "the same city" as every other city's.
    above = city_above(application.county_id)
    city = above.code if above is not None else None
    counties = application.counties
    if home.code in counties:
        return _("专家所在地（%(home)s）即申报集群所在县") % {"home": home.name}
    if city is not None and home.code == city:
        return _("专家所在地（%(home)s）即申报集群所在市") % {"home": home.name}
    if city is not None and home.parent_id == city:
        return _("专家所在地（%(home)s）与申报集群同属一个市") % {"home": home.name}
    if relations is None:
        relations = DeclaredRelation.objects.filter(expert=expert, county__in=counties).select_related(
            "county__parent"
        )
    for relation in relations:
        if relation.county_id in counties:
            return _("专家申明与%(county)s存在利益关系：%(note)s") % {
                "county": relation.county.full_name(),
                "note": relation.note,
            }
    if declared is None:
        declared = Assignment.objects.filter(
            expert=expert, application=application, conflict_declared=True
        ).exists()
    if declared:
        return _("专家已申明与该申报存在利益冲突")
    return ""


def can_assign(actor: User, expert: User, application: Application) -> Decision:
    """May ``actor`` (the owner) assign ``expert`` to ``application``? The expert must be in the actor's
    pool, active, and free of any conflict of interest."""
    if not (owning := can_own(actor, application.call)):
        return owning
    if not expert_in_pool_of(actor, expert):
        return deny(_("%(expert)s不在您的专家库中") % {"expert": expert.get_full_name() or expert.username})
    profile = ExpertProfile.objects.filter(user=expert).first()
    if profile is None or not profile.active or not expert.is_active:
        return deny(
            _("%(expert)s未在专家库中建档或已停用") % {"expert": expert.get_full_name() or expert.username}
        )
    if reason := conflict_of(expert, application):
        return deny(reason)
    return allow()


# --- scoring --------------------------------------------------------------------------------------


def _assignment_open(assignment: Assignment) -> Decision:
    if assignment.conflict_declared:
        return deny(_("您已申明存在利益冲突，该评审分配已解除"))
    if assignment.submitted_at is not None:
        return deny(_("评分已提交，不能再修改"))
    if assignment.application.status != Status.SCREENED or frozen(assignment.application.call):
        return deny(_("该申报的专家评审已结束"))
    return allow()


def can_declare(user: User, assignment: Assignment) -> Decision:
    """Before scoring, the assigned expert declares whether they have a conflict of interest."""
    if assignment.expert_id != user.pk:
        return deny(_("这不是您的评审分配"))
    if not (open_ := _assignment_open(assignment)):
        return open_
    if assignment.no_conflict_declared_at is not None:
        return deny(_("您已声明无利益冲突"))
    return allow()


def can_score(user: User, assignment: Assignment) -> Decision:
    if assignment.expert_id != user.pk:
        return deny(_("这不是您的评审分配"))
    if not (open_ := _assignment_open(assignment)):
        return open_
    if assignment.no_conflict_declared_at is None:
        return deny(_("请先声明是否存在利益冲突"))
    return allow()


def can_see_other_scores(user: User, assignment: Assignment) -> Decision:
    """Independence: an expert sees the other experts' scores on an application only after submitting
    their own; the owner sees every score."""
    if can_own(user, assignment.application.call):
        return allow()
    if assignment.expert_id == user.pk and assignment.submitted_at is not None:
        return allow()
    return deny(_("提交本人评分之前，不能查看其他专家的评分"))
