"""Who may do what to an application, with the reason. Pages, services and tests all ask here."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import LEVEL_ROLE, Role, User, enclosing_codes
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.apps.accounts.selectors import county_scope
from smecluster.apps.applications.models import Application, Status
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.programmes.recommenders import recommending_office
from smecluster.apps.selection.models import Assignment
from smecluster.apps.workflow.engine import Actor, acting_level

DRAFTERS = frozenset({Role.COUNTY_OFFICER, Role.OPERATOR})


def application_reach(user: User) -> Q:
    """The applications ``user`` may read: the ONE definition of an application's reach.

    Lists, exports, details, history, versions, evidence and PDFs all filter with it (through
    :func:`can_view` or ``applications.selectors.applications_visible_to``), so a row in a list always has a
    detail page and a detail page is always in the list. The county officer sees its county; an operator
    only the applications it operates (``Application.operators``); a city its counties, a province its
    province, the ministry the national programme's applications (every status, as the province does for
    its own programme: it owns that programme). An expert sees what they are assigned to and have not
    declared a conflict on, and only while the assignment is open: once the call's shortlist is confirmed
    (frozen) the review is over and the expert's reach ends.
    """
    if user.role == Role.OPERATOR:
        # Only what it is bound to operate (set by the county, or by creating the application), never the
        # rest of its county. A subquery, not a join, for the reason given for experts below.
        return Q(pk__in=Application.operators.through.objects.filter(user=user).values("application_id"))
    if user.role in (Role.COUNTY_OFFICER, Role.CITY_OFFICER, Role.PROVINCE_ADMIN):
        return county_scope(user)
    if user.role == Role.MINISTRY_ADMIN:
        return Q(call__programme__owner_level="national")
    if user.role == Role.EXPERT:
        # A subquery, not a join: a join on the assignments would repeat rows and couple the two conditions.
        open_assignments = Assignment.objects.filter(
            expert=user, conflict_declared=False, application__call__shortlist__isnull=True
        ).values("application_id")
        return Q(pk__in=open_assignments)
    return Q(pk__in=[])


def can_view(user: User, application: Application) -> Decision:
    """Within :func:`application_reach`. Views answer 404 otherwise, so existence is not disclosed. An
    application fetched through that reach for this user (``selectors.applications_visible_to``) says so."""
    if user.pk is not None and getattr(application, "in_reach_of", None) == user.pk:
        return allow()
    ok = Application.objects.filter(application_reach(user), pk=application.pk).exists()
    return allow() if ok else deny(_("该申报不在您的辖区内"))


CONTACT_FIELDS = frozenset({"contact_person", "contact_phone"})


def can_see_contacts(user: User) -> Decision:
    """Officers' names and telephone numbers (the application's contact, who acted in its history) are for
    the officers; an expert judges the cluster, not the people, and is never shown them."""
    if user.role == Role.EXPERT:
        return deny(_("评审专家不查看经办人员的姓名和联系方式"))
    return allow()


def acting_role(application: Application, actor: Actor) -> Role:
    """The role that takes ``actor``'s steps on this application, from its programme's review chain (the
    recommender's: its province's, or a separately listed city's, ``programmes.recommenders``)."""
    if actor == Actor.RECOMMENDER:
        return recommending_office(application.call.programme, application.county).role
    return Role(LEVEL_ROLE[acting_level(application.call.programme.review_chain, actor)])


def can_edit(user: User, application: Application) -> Decision:
    if not (seen := can_view(user, application)):
        return seen
    if user.role not in DRAFTERS:
        return deny(_("只有申报县的主管部门或集群运营管理机构可以修改申报内容"))
    if not application.editable:
        return deny(not_editable_reason(application))
    return allow()


def not_editable_reason(application: Application) -> str:
    """Why a submitted application cannot be changed, and what can still be done, by state: before it is
    accepted the county may withdraw it; while the recommender reviews, only the recommender can return it
    for changes; once recommended it is in the owner's hands and its content is final (in 公示 only an
    objection, filed by the public, can take it off the list)."""
    status = {"status": application.get_status_display()}
    if application.status == Status.SUBMITTED:
        return _("申报已提交（%(status)s），不能修改；受理前如需修改，请先撤回") % status
    if application.status in (Status.ACCEPTED, Status.REVIEWED):
        return (
            _("申报已受理（%(status)s），不能修改，也不能再撤回；如需修改，请联系受理的主管部门退回修改")
            % status
        )
    if application.status == Status.SHORTLISTED:
        return (
            _(
                "申报处于公示期（%(status)s），内容已定稿，不能修改或撤回；公示期内对公示内容有异议的，由公众向认定机关提出"
            )
            % status
        )
    return _("申报已进入%(status)s阶段，内容已定稿，不能再修改或撤回") % status


def can_create(user: User, call: YearlyCall, today: object) -> Decision:
    if user.role not in DRAFTERS:
        return deny(_("只有县级主管部门或集群运营管理机构可以创建申报"))
    if not call.is_open(today):  # type: ignore[arg-type]
        return deny(
            _("%(call)s的申报时间为 %(opens)s 至 %(closes)s")
            % {"call": call, "opens": call.opens_on, "closes": call.closes_on}
        )
    # A programme is open to the divisions inside its owner: a province's to its counties, a city's
    # (市级集群) to that city's counties only.
    owner = call.programme.owner_id
    if owner is not None and owner not in enclosing_codes(user.jurisdiction_id):
        return deny(_("该认定项目不面向您所在的辖区"))
    return allow()


def can_bind_operators(user: User, county_code: str) -> Decision:
    """Who operates an application or a cluster of ``county_code`` is set by that county's officer."""
    if user.role != Role.COUNTY_OFFICER or user.jurisdiction_id != county_code:
        return deny(_("集群运营管理机构账号须由集群所在县的主管部门指定"))
    return allow()


def can_operate_in(operator: User, county_code: str) -> Decision:
    """An account the county may bind: an active operator account of the same county."""
    if operator.role != Role.OPERATOR or not operator.is_active:
        return deny(_("只能指定启用中的集群运营管理机构账号"))
    if operator.jurisdiction_id != county_code:
        return deny(_("只能指定本县的集群运营管理机构账号"))
    return allow()
