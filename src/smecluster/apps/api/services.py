"""Every write of the API's own records, each in its transaction and with its audit event: tokens created
and revoked by their owner. Recording a token's last use is bookkeeping of the kind a login lockout keeps
(no audit event: every request would write one)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.api.models import SCOPES, ApiToken
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record

TOKEN_PREFIX = "smc_"
LONGEST_VALIDITY = timedelta(days=366)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, actor: User, name: str, scopes: list[str], expires_at: datetime) -> tuple[ApiToken, str]:
    """A new token of ``actor`` and its secret, which is not kept and so is shown only now."""
    problems: dict[str, str] = {}
    if not name.strip():
        problems["name"] = _("请填写令牌名称")
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown or not scopes:
        problems["scopes"] = _("请选择至少一项权限范围")
    now = timezone.now()
    if not now < expires_at <= now + LONGEST_VALIDITY:
        problems["expires_at"] = _("到期时间须在今后一年之内")
    if problems:
        raise ValidationError(problems)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        owner=actor,
        name=name.strip(),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=token_digest(secret),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action=actions.API_TOKEN_CREATE,
        target=token,
        after={
            "name": token.name,
            "prefix": token.prefix,
            "scopes": token.scopes,
            "expires_at": str(expires_at),
        },
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token of one's own; revoking it again changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.owner_id != actor.pk:
        raise PermissionDenied(_("只能撤销自己的令牌"))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=actions.API_TOKEN_REVOKE,
        target=token,
        before={"revoked_at": None},
        after={"revoked_at": str(token.revoked_at)},
    )
    return token


# The last use is noted at most once a minute per token and address: a busy token's reads stay reads.
LAST_USE_RESOLUTION = timedelta(minutes=1)


def token_used(token: ApiToken, address: str) -> None:
    """Note when and from where a token was last used (shown in its owner's list)."""
    now, address_or_none = timezone.now(), address or None
    recent = token.last_used_at is not None and now - token.last_used_at < LAST_USE_RESOLUTION
    if recent and token.last_used_from == address_or_none:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_from=address_or_none)


def token_in_use(secret: str) -> ApiToken | None:
    """The live token of ``secret``: not revoked, not expired, its account active; else None."""
    token = (
        ApiToken.objects.select_related("owner__jurisdiction")
        .filter(digest=token_digest(secret), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.owner.is_active:
        return None
    return token
