"""The invitation to a new account: a mail with a one-time link to set its password.

The link is built like Django's password-reset link (the account's id and a signed, timestamped token) with
a salt of its own, so a reset token is no invitation and the other way round. It dies:

- once used: the token signs the account's password hash, which setting a password changes;
- on a new invitation: each invitation gives the account a new unusable password (a new random hash), so
  only the latest mail's link works;
- when the account is deactivated (the token signs ``is_active``);
- after ``INVITATION_TIMEOUT`` (``SMECLUSTER_INVITATION_DAYS``, 7 days).

An invited account has no usable password until its owner sets one, so nobody signs in with it before.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.notifications.mail import absolute_url, mail_queue
from smecluster.apps.notifications.models import MailDelivery


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "smecluster.apps.accounts.invitations.InvitationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        # Signs is_active too: a deactivated account's invitation is dead.
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"

    def check_token(self, user: User | None, token: str | None) -> bool:
        """Django's check with the invitation's own lifetime instead of ``PASSWORD_RESET_TIMEOUT``."""
        if not (user and token):
            return False
        try:
            stamp, _hash = token.split("-")
            timestamp = base36_to_int(stamp)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return bool(self._num_seconds(self._now()) - timestamp <= settings.INVITATION_TIMEOUT)


invitation_tokens = InvitationTokenGenerator()


def invitation_path(user: User) -> str:
    """The site path of a new invitation link for ``user`` (its token valid from now)."""
    return reverse(
        "accounts:invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )


def invitation_mail(*, user: User, inviter: User | None) -> MailDelivery:
    """Queue the invitation to ``user``'s address (the caller's transaction delivers it after commit)."""
    days = settings.INVITATION_TIMEOUT // (24 * 3600)
    inviter_name = (
        f"{inviter.jurisdiction.name}{inviter.get_role_display()}" if inviter else settings.ISSUING_DEPARTMENT
    )
    subject = _("中小企业特色产业集群平台账号开通通知")
    body = "\n\n".join(
        [
            _("%(name)s：") % {"name": user.get_full_name() or user.username},
            _(
                "%(inviter)s为您开通了中小企业特色产业集群平台账号（角色：%(role)s，辖区：%(place)s）。"
                "请在 %(days)s 天内打开下面的链接设置登录密码，链接只能使用一次："
            )
            % {
                "inviter": inviter_name,
                "role": user.get_role_display(),
                "place": user.jurisdiction.full_name(),
                "days": days,
            },
            absolute_url(invitation_path(user)),
            _("您的用户名：%(username)s") % {"username": user.username},
            _("链接过期或失效时，请联系为您开通账号的部门重新发送邀请。"),
            _("本邮件由中小企业特色产业集群平台自动发送，请勿直接回复。"),
            str(settings.ISSUING_DEPARTMENT),
        ]
    )
    return mail_queue(address=user.email, subject=subject, body=body, recipient=user)


def email_change_notice(*, account: User, old_address: str) -> MailDelivery:
    """Queue a notice to the address an account had: its e-mail was changed by an administrator. Sent to
    the old address itself (no recipient account: delivery would use the account's new address)."""
    subject = _("您的平台账号电子邮箱已变更")
    body = "\n\n".join(
        [
            _("%(name)s：") % {"name": account.get_full_name() or account.username},
            _(
                "您在中小企业特色产业集群平台的账号（用户名：%(username)s）的电子邮箱"
                "已由管理员改为 %(address)s，今后的通知和重置密码邮件将发往新邮箱。"
                "如非您本人知情，请立即联系为您开通账号的部门。"
            )
            % {"username": account.username, "address": account.email},
            _("本邮件由中小企业特色产业集群平台自动发送，请勿直接回复。"),
            str(settings.ISSUING_DEPARTMENT),
        ]
    )
    return mail_queue(address=old_address, subject=subject, body=body)
