"""Who may administer which accounts (账号管理): the roles each administrator may grant and the jurisdictions
it reaches. ADR 0027 gives the reasons; every page and service of account administration asks here.

- **Roles**: an administrator grants only the roles of :data:`GRANTS` for its own role, never one above its
  own level. The ministry and the provinces are the administrators of their offices and may add colleagues;
  a city or county office is an officer, not an administrator: it adds the offices below it, never its own
  peers, so no office multiplies its own powers. Experts are the province's and the ministry's (they run
  expert review; an expert added by a city could score its own applications).
- **Jurisdictions**: its own jurisdiction and everything inside it (a province its cities and counties, a
  city its counties, a county itself); the ministry reaches everywhere. A role is bound to the level of
  ``ROLE_LEVEL`` (an expert to any level).
- Platform administrators (``is_staff`` / ``is_superuser``) are managed in the admin site only, and nobody
  administers their own account here (账号安全 is theirs).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from smecluster.apps.accounts.divisions import NATIONAL_CODE
from smecluster.apps.accounts.models import ROLE_LEVEL, Jurisdiction, Level, Role, User, division_prefix
from smecluster.apps.accounts.permissions import Decision, allow, deny
from smecluster.reference.offices import office

GRANTS: dict[str, tuple[Role, ...]] = {
    Role.MINISTRY_ADMIN: (
        Role.MINISTRY_ADMIN,
        Role.PROVINCE_ADMIN,
        Role.CITY_OFFICER,
        Role.COUNTY_OFFICER,
        Role.OPERATOR,
        Role.EXPERT,
    ),
    Role.PROVINCE_ADMIN: (
        Role.PROVINCE_ADMIN,
        Role.CITY_OFFICER,
        Role.COUNTY_OFFICER,
        Role.OPERATOR,
        Role.EXPERT,
    ),
    Role.CITY_OFFICER: (Role.COUNTY_OFFICER, Role.OPERATOR),
    Role.COUNTY_OFFICER: (Role.OPERATOR,),
    Role.OPERATOR: (),
    Role.EXPERT: (),
}
"""The roles an account of each role may grant, create, edit, deactivate and invite (ADR 0027's table)."""


def grantable_roles(actor: User) -> tuple[Role, ...]:
    if actor.is_anonymous or not actor.is_active:
        return ()
    return GRANTS.get(actor.role, ())


def jurisdiction_reach(actor: User) -> Q:
    """A filter on ``Jurisdiction`` keeping the actor's own jurisdiction and everything inside it."""
    home = actor.jurisdiction
    if actor.role == Role.MINISTRY_ADMIN:
        return Q()
    if actor.role == Role.PROVINCE_ADMIN:
        return Q(code__startswith=home.code[:2])
    if actor.role == Role.CITY_OFFICER:
        if (beyond := office(home.code)) is not None:
            # An office GB/T 2260 has no division for (the XPCC): itself and the divisions it covers.
            return Q(code=home.code) | Q(code__in=beyond.covers, level=Level.COUNTY)
        return Q(code=home.code) | Q(parent_id=home.code)
    if actor.role == Role.COUNTY_OFFICER:
        return Q(code=home.code)
    return Q(pk__in=[])


def scopes_for(actor: User) -> QuerySet[Jurisdiction]:
    """The offices above county level within the actor's reach: what its account list may be narrowed to."""
    return (
        Jurisdiction.objects.filter(jurisdiction_reach(actor))
        .exclude(level=Level.COUNTY)
        .select_related("parent")
        .order_by("code")
    )


def in_scope(code: str, field: str = "jurisdiction") -> Q:
    """A filter on ``field`` (a foreign key to a jurisdiction): ``code`` and the divisions inside it."""
    if code == NATIONAL_CODE:
        return Q()
    if (beyond := office(code)) is not None:
        return Q(**{f"{field}_id": code}) | Q(**{f"{field}_id__in": beyond.covers})
    return Q(**{f"{field}__code__startswith": division_prefix(code)})


def jurisdictions_for(actor: User, role: Role | str | None = None) -> QuerySet[Jurisdiction]:
    """The jurisdictions the actor may give an account of ``role`` (of any role it grants, without one):
    within its reach and at the role's level (ROLE_LEVEL)."""
    roles = grantable_roles(actor)
    if role is not None:
        roles = tuple(each for each in roles if each == role)
    if not roles:
        return Jurisdiction.objects.none()
    levels = {ROLE_LEVEL[each] for each in roles}
    within = Jurisdiction.objects.filter(jurisdiction_reach(actor))
    if None not in levels:  # an expert may sit at any level
        within = within.filter(level__in=levels)
    return within.order_by("code")


def may_grant(actor: User, role: str, jurisdiction: Jurisdiction) -> Decision:
    """Whether the actor may give an account ``role`` in ``jurisdiction``; the reason names what is wrong."""
    roles = grantable_roles(actor)
    if role not in roles:
        return deny(
            _("您的角色不能授予“%(role)s”角色") % {"role": Role(role).label if role in Role.values else role}
        )
    level = ROLE_LEVEL[Role(role)]
    if level is not None and jurisdiction.level != level:
        return deny(
            _("“%(role)s”只能设在%(level)s区划，%(place)s不是")
            % {"role": Role(role).label, "level": Level(level).label, "place": jurisdiction.name}
        )
    if not Jurisdiction.objects.filter(jurisdiction_reach(actor), code=jurisdiction.code).exists():
        return deny(_("%(place)s不在您的管辖范围内") % {"place": jurisdiction.full_name()})
    return allow()


def can_administer_accounts(actor: User) -> Decision:
    """Whether the actor sees 账号管理 at all."""
    if actor.is_anonymous:
        return deny(_("请先登录"))
    if not grantable_roles(actor):
        return deny(_("您的角色不管理账号：账号由上级主管部门或管理员管理"))
    return allow()


def manageable_accounts(actor: User) -> QuerySet[User]:
    """The accounts the actor administers: of a role it grants, in a jurisdiction it reaches; never a
    platform administrator, never itself."""
    roles = grantable_roles(actor)
    if not roles:
        return User.objects.none()
    reach = Jurisdiction.objects.filter(jurisdiction_reach(actor)).values("code")
    return (
        User.objects.filter(role__in=roles, jurisdiction__in=reach, is_staff=False, is_superuser=False)
        .exclude(pk=actor.pk)
        .select_related("jurisdiction", "jurisdiction__parent")
    )


def can_manage(actor: User, account: User) -> Decision:
    """Whether the actor may edit, deactivate, re-activate, invite or reset ``account``."""
    if account.pk == actor.pk:
        return deny(_("不能在账号管理中修改自己的账号，请使用“账号安全”"))
    if account.is_staff or account.is_superuser:
        return deny(_("平台管理员账号只能在后台管理"))
    return may_grant(actor, account.role, account.jurisdiction)


def managed_account(actor: User, pk: int) -> User:
    """The account ``pk`` if the actor administers it; ``User.DoesNotExist`` otherwise (a 404: whether it
    exists elsewhere is not disclosed)."""
    return manageable_accounts(actor).get(pk=pk)
