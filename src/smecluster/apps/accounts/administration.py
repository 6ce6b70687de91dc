"""账号管理: the services that create, edit, deactivate and re-activate accounts and invite their owners.

Each checks that the actor may do it (``account_reach``: the role it grants, the jurisdiction it reaches),
whatever the form offered, writes in one transaction with its audit event, and queues its mail in that
transaction (delivered after commit). ``actor=None`` is the server's own command line (``smecluster
accounts``): no reach, but the same checks of the account's fields. Accounts are never deleted: audit
events refer to them; a deactivated account cannot sign in and its sessions end at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.apps.accounts import two_factor
from smecluster.apps.accounts.account_reach import can_manage, grantable_roles, may_grant
from smecluster.apps.accounts.invitations import email_change_notice, invitation_mail
from smecluster.apps.accounts.local_login import local_login_allowed
from smecluster.apps.accounts.models import LEVEL_ROLE, ROLE_LEVEL, Jurisdiction, Level, Role, User
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.notifications.mail import mail_deliver_after_commit
from smecluster.apps.notifications.models import MailDelivery

USERNAME_MAX = User._meta.get_field("username").max_length or 150
NAME_MAX = User._meta.get_field("first_name").max_length or 150
ORGANIZATION_MAX = User._meta.get_field("organization").max_length or 128
PHONE_MAX = User._meta.get_field("phone").max_length or 32
DATABASE_SESSIONS = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


@dataclass(frozen=True)
class AccountDetails:
    """What an administrator sets on an account (the username is set once, at creation)."""

    full_name: str
    email: str
    role: str
    jurisdiction: Jurisdiction
    organization: str = ""
    phone: str = ""

    def as_audited(self) -> dict[str, str]:
        return {
            "full_name": self.full_name,
            "email": self.email,
            "role": self.role,
            "jurisdiction": self.jurisdiction.code,
            "organization": self.organization,
            "phone": self.phone,
        }


def details_of(account: User) -> AccountDetails:
    return AccountDetails(
        full_name=account.get_full_name(),
        email=account.email,
        role=account.role,
        jurisdiction=account.jurisdiction,
        organization=account.organization,
        phone=account.phone,
    )


def username_problems(username: str) -> list[str]:
    """What is wrong with a new account's username (empty when it may be used)."""
    if not username:
        return [_("请填写用户名")]
    if len(username) > USERNAME_MAX:
        return [_("用户名不能超过 %(limit)s 个字符") % {"limit": USERNAME_MAX}]
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        return [_("用户名只能包含字母、数字和 @ . + - _")]
    if User.objects.filter(username__iexact=username).exists():
        return [_("用户名“%(username)s”已被使用") % {"username": username}]
    return []


def email_problems(email: str, *, account: User | None = None) -> list[str]:
    """What is wrong with an account's e-mail: empty, not an address, or another account's (case aside)."""
    email = email.strip()
    if not email:
        return [_("请填写电子邮箱：邀请邮件发往这里")]
    try:
        validate_email(email)
    except ValidationError:
        return [_("“%(email)s”不是有效的电子邮箱") % {"email": email}]
    others = User.objects.filter(email__iexact=email)
    if account is not None:
        others = others.exclude(pk=account.pk)
    if others.exists():
        return [_("电子邮箱“%(email)s”已被其他账号使用") % {"email": email}]
    return []


def details_problems(
    actor: User | None, details: AccountDetails, *, account: User | None = None
) -> dict[str, list[str]]:
    """What is wrong with ``details`` for an account of ``actor``'s (``account`` when editing), by field:
    ``full_name``, ``email``, ``role``, ``jurisdiction``, ``organization``, ``phone``."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if not details.full_name.strip():
        add("full_name", _("请填写姓名"))
    elif len(details.full_name) > NAME_MAX:
        add("full_name", _("姓名不能超过 %(limit)s 个字符") % {"limit": NAME_MAX})
    for message in email_problems(details.email, account=account):
        add("email", message)
    if details.role not in Role.values:
        add("role", _("没有这个角色"))
    else:
        level = ROLE_LEVEL[Role(details.role)]
        if actor is not None:
            decision = may_grant(actor, details.role, details.jurisdiction)
            if not decision:
                # A role the actor may not grant is the role's fault; otherwise the place is.
                add("role" if details.role not in grantable_roles(actor) else "jurisdiction", decision.reason)
        elif level is not None and details.jurisdiction.level != level:
            add(
                "jurisdiction",
                _("“%(role)s”只能设在%(level)s区划，%(place)s不是")
                % {
                    "role": Role(details.role).label,
                    "level": Level(level).label,
                    "place": details.jurisdiction,
                },
            )
    if len(details.organization) > ORGANIZATION_MAX:
        add("organization", _("单位名称不能超过 %(limit)s 个字符") % {"limit": ORGANIZATION_MAX})
    if len(details.phone) > PHONE_MAX:
        add("phone", _("联系电话不能超过 %(limit)s 个字符") % {"limit": PHONE_MAX})
    return problems


def account_create(
    *, actor: User | None, username: str, details: AccountDetails, invite: bool = True
) -> User:
    """Create an account without a usable password and, with ``invite``, mail its owner the link to set one
    (not for a role that signs in through 统一身份认证 only: ``SMECLUSTER_LOCAL_LOGIN_ROLES``).
    :class:`ValidationError` by field when the actor may not grant the role there or a field is wrong."""
    username = username.strip()
    problems = details_problems(actor, details)
    if found := username_problems(username):
        problems["username"] = found
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        account = User(username=username)
        _apply(account, details)
        account.set_unusable_password()
        try:
            with transaction.atomic():
                account.save()
        except IntegrityError:
            # Another administrator took the username between the check and the save.
            raise ValidationError(
                {"username": username_problems(username) or [_("用户名已被使用")]}
            ) from None
        audit_record(
            actor=actor,
            action=actions.USER_CREATE,
            target=account,
            after={"username": username, **details_of(account).as_audited()},
        )
        if invite and local_login_allowed(account):
            _invite(actor, account)
    return account


def account_update(*, actor: User | None, account: User, details: AccountDetails) -> User:
    """Change an account's name, e-mail, role, jurisdiction, unit or telephone; audited with what changed."""
    if actor is not None:
        can_manage(actor, account).enforce()
    problems = details_problems(actor, details, account=account)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        before = details_of(account).as_audited()
        _apply(account, details)
        after = details_of(account).as_audited()
        changed = {key: value for key, value in after.items() if before[key] != value}
        if not changed:
            return account
        account.save()
        audit_record(
            actor=actor,
            action=actions.USER_UPDATE,
            target=account,
            before={key: before[key] for key in changed},
            after=changed,
        )
        if "email" in changed and before["email"]:
            # The password-reset mail now goes to the new address: the old one is told, so that an address
            # changed behind its owner's back does not go unnoticed.
            mail_deliver_after_commit([email_change_notice(account=account, old_address=before["email"])])
    return account


def account_deactivate(*, actor: User | None, account: User, reason: str) -> int:
    """Deactivate an account (it signs in no more) and end its sessions; returns how many were ended."""
    if actor is not None:
        can_manage(actor, account).enforce()
    if not reason.strip():
        raise ValidationError({"reason": _("请填写停用原因（如调离、退休）")})
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        if not account.is_active:
            raise ValidationError(_("该账号已停用"))
        account.is_active = False
        account.save(update_fields=["is_active"])
        ended = _end_sessions(account)
        audit_record(
            actor=actor,
            action=actions.USER_DEACTIVATE,
            target=account,
            before={"is_active": True},
            after={"is_active": False, "sessions_ended": ended},
            reason=reason.strip(),
        )
    return ended


def account_reactivate(*, actor: User | None, account: User, reason: str = "") -> User:
    """Let a deactivated account sign in again (with its old password, or through a new invitation)."""
    if actor is not None:
        can_manage(actor, account).enforce()
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        if account.is_active:
            raise ValidationError(_("该账号已是启用状态"))
        account.is_active = True
        account.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action=actions.USER_REACTIVATE,
            target=account,
            before={"is_active": False},
            after={"is_active": True},
            reason=reason.strip(),
        )
    return account


def invitation_send(*, actor: User | None, account: User) -> MailDelivery:
    """Send (again) the invitation to an account whose owner has not set a password yet: the previous
    invitation's link dies."""
    if actor is not None:
        can_manage(actor, account).enforce()
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        if not account.is_active:
            raise ValidationError(_("该账号已停用，请先重新启用"))
        if not local_login_allowed(account):
            raise ValidationError(_("该账号的角色通过统一身份认证登录，不设本平台密码，无需邀请"))
        if account.has_usable_password():
            raise ValidationError(_("该账号已设置密码：忘记密码时请本人在登录页“忘记密码”重置"))
        if not account.email:
            raise ValidationError(_("该账号没有电子邮箱，请先填写"))
        return _invite(actor, account)


def invitation_accept(*, form: SetPasswordForm[User]) -> User:
    """The invited owner sets the account's password (the form applies the password validators); audited,
    never the password. The invitation's link dies with it."""
    with transaction.atomic():
        account = form.save()
        audit_record(actor=account, action=actions.USER_INVITATION_ACCEPT, target=account)
    return account


def account_two_factor_reset(*, actor: User, account: User, reason: str) -> int:
    """The administrator above removes an account's second factor (a lost phone): two_factor.two_factor_reset,
    within the actor's reach."""
    can_manage(actor, account).enforce()
    if not reason.strip():
        raise ValidationError({"reason": _("请填写重置原因（如手机丢失）")})
    return two_factor.two_factor_reset(user=account, actor=actor, reason=reason.strip())


def sole_holder(account: User) -> bool:
    """Whether ``account`` is the only active officer of its office (its role acts for a review level):
    deactivated, the office's tasks and notices would reach nobody until another is added."""
    if account.role not in LEVEL_ROLE.values() or not account.is_active:
        return False
    others = User.objects.filter(role=account.role, jurisdiction_id=account.jurisdiction_id, is_active=True)
    return not others.exclude(pk=account.pk).exists()


def invitation_pending(account: User) -> bool:
    """The owner has not set a password yet."""
    return not account.has_usable_password()


def _apply(account: User, details: AccountDetails) -> None:
    # A Chinese name is kept whole (family name first): get_full_name() reads last_name + first_name.
    account.first_name = details.full_name.strip()
    account.last_name = ""
    account.email = details.email.strip()
    account.role = details.role
    account.jurisdiction = details.jurisdiction
    account.organization = details.organization.strip()
    account.phone = details.phone.strip()


def _invite(actor: User | None, account: User) -> MailDelivery:
    """A new unusable password (the previous link dies), the mail, and the audit event; in the caller's
    transaction."""
    account.set_unusable_password()
    account.save(update_fields=["password"])
    delivery = invitation_mail(user=account, inviter=actor)
    audit_record(
        actor=actor,
        action=actions.USER_INVITE,
        target=account,
        after={"email": account.email, "valid_days": settings.INVITATION_TIMEOUT // (24 * 3600)},
    )
    mail_deliver_after_commit([delivery])
    return delivery


def _end_sessions(account: User) -> int:
    """Delete the account's live sessions (the database session store). Without it the account is signed
    out at its next request anyway: Django's ModelBackend refuses an inactive account's session."""
    if settings.SESSION_ENGINE not in DATABASE_SESSIONS:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(account.pk):
            store(session_key=session.session_key).delete()  # the cached copy too (cached_db)
            ended += 1
    return ended
