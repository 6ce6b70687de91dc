"""Single sign-on through the province's unified identity service (统一身份认证) by OpenID Connect.

mozilla-django-oidc runs the authorization code flow (state, nonce and PKCE kept in the session and checked
on the way back); this module decides who the person is on this platform (ADR 0022):

- the account is the one linked to the ID token's issuer and subject (``SingleSignOnIdentity``), never one
  found by e-mail or name;
- an unknown subject gets an account at its first sign-in only when its claims name a role listed in
  ``OIDC_CREATE_ROLES`` and a division of that role's level within ``OIDC_DIVISIONS``; otherwise it is
  refused, and the login page says why in Chinese;
- a deactivated account, a division outside ``OIDC_DIVISIONS``, or claims that contradict the linked account
  (a role or division the platform does not record for it) are refused: accounts are kept in the platform,
  and an administrator brings them up to date;
- the IdP's own multi-factor authentication stands in for the platform's second factor when the ID token
  says it was used (``amr``/``acr``, ``OIDC_TRUST_MFA``); otherwise the platform asks for its own code.

Every refusal is audited with its reason and is a failed login for the lockout (counted by address: the
IdP, not a typed username, said who it was).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from smecluster.apps.accounts.models import (
    ROLE_LEVEL,
    Jurisdiction,
    Role,
    SingleSignOnIdentity,
    User,
    division_prefix,
)
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.site.client_address import client_address

logger = logging.getLogger(__name__)

# The session remembers that the IdP did the second factor for this sign-in (TwoFactorMiddleware reads it).
IDP_MFA_SESSION_KEY = "single_sign_on_mfa"
# The refusal of this request's sign-in, for the callback's message.
REFUSAL_ATTRIBUTE = "smecluster_single_sign_on_refusal"
# The claims of this request's accepted sign-in, for the callback (the second factor).
CLAIMS_ATTRIBUTE = "smecluster_single_sign_on_claims"


@dataclass(frozen=True)
class ProviderEndpoints:
    authorization: str
    token: str
    userinfo: str
    jwks: str
    end_session: str  # empty when the provider offers no logout


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


_discovered: dict[str, dict[str, Any]] = {}
_discovery_lock = threading.Lock()


def _discovery(issuer: str) -> dict[str, Any]:
    """The provider's discovery document (OpenID Connect Discovery 1.0), fetched once per process."""
    with _discovery_lock:
        if issuer not in _discovered:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
            )
            response.raise_for_status()
            document = response.json()
            # §4.3: the issuer in the document must be the one asked about, or tokens would be checked
            # against another provider's keys.
            if str(document.get("issuer", "")).rstrip("/") != issuer:
                raise SuspiciousOperation(
                    f"discovery document of {issuer} names issuer {document.get('issuer')}"
                )
            _discovered[issuer] = document
        return _discovered[issuer]


def provider_endpoints() -> ProviderEndpoints:
    """The endpoints from the settings, each one not set there read from the discovery document."""
    configured = {
        "authorization": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token": settings.OIDC_OP_TOKEN_ENDPOINT,
        "userinfo": settings.OIDC_OP_USER_ENDPOINT,
        "jwks": settings.OIDC_OP_JWKS_ENDPOINT,
        "end_session": settings.OIDC_OP_END_SESSION_ENDPOINT,
    }
    if not all(configured.values()):
        document = _discovery(settings.OIDC_ISSUER)
        names = {
            "authorization": "authorization_endpoint",
            "token": "token_endpoint",
            "userinfo": "userinfo_endpoint",
            "jwks": "jwks_uri",
            "end_session": "end_session_endpoint",
        }
        configured = {key: value or str(document.get(names[key], "")) for key, value in configured.items()}
    return ProviderEndpoints(**configured)


# --- who the claims name ------------------------------------------------------------------------------------


class SingleSignOnRefused(Exception):
    """A sign-in the platform refuses: ``reason`` goes to the audit log, ``message`` to the person."""

    def __init__(self, reason: str, message: str | Promise) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message


NOT_OPENED = _("您的统一身份认证账号尚未在本平台开通。请联系本级中小企业主管部门开设账号后再登录。")
OUTSIDE_DIVISIONS = _("您的统一身份认证账号所属地区不在本平台的服务范围内，不能登录本平台。")
DEACTIVATED = _("您在本平台的账号已停用。如需恢复，请联系本级中小企业主管部门。")
CONTRADICTS_ACCOUNT = _(
    "统一身份认证提供的角色或所属地区与您在本平台的账号不一致。请联系本级中小企业主管部门更新账号后再登录。"
)
UNAVAILABLE = _("统一身份认证服务暂时无法访问，请稍后再试；急需办理的，请使用本平台的用户名和密码登录。")
FAILED = _("统一身份认证登录未成功，请重新登录；仍不成功的，请联系本级中小企业主管部门。")


@dataclass(frozen=True)
class ClaimedPlace:
    """The role and division the claims give, each None when the claim is absent or names nothing known."""

    role: str | None
    division_code: str | None


def claimed_place(claims: Mapping[str, Any]) -> ClaimedPlace:
    raw_role = claims.get(settings.OIDC_ROLE_CLAIM)
    raw_division = claims.get(settings.OIDC_DIVISION_CLAIM)
    role = None
    if isinstance(raw_role, str) and raw_role:
        mapped = settings.OIDC_ROLE_VALUES.get(raw_role, raw_role)
        role = mapped if mapped in Role.values else None
    division = str(raw_division).strip() if isinstance(raw_division, str | int) else ""
    return ClaimedPlace(
        role=role, division_code=division if len(division) == 6 and division.isdigit() else None
    )


def within_allowed_divisions(code: str) -> bool:
    """Whether a division is one this platform serves by single sign-on (``OIDC_DIVISIONS``; unset: all):
    a listed code covers the divisions inside it."""
    allowed: tuple[str, ...] = settings.OIDC_DIVISIONS
    return not allowed or any(code.startswith(division_prefix(listed)) for listed in allowed)


def second_factor_done(claims: Mapping[str, Any]) -> bool:
    """Whether the IdP's sign-in counts as the platform's second factor (``OIDC_TRUST_MFA``)."""
    trust = settings.OIDC_TRUST_MFA
    if trust != "claims":
        return bool(trust == "always")
    methods = claims.get("amr") or []
    if isinstance(methods, str):
        methods = [methods]
    acr = claims.get("acr")
    return bool(set(map(str, methods)) & settings.OIDC_MFA_AMR) or (
        isinstance(acr, str) and acr in settings.OIDC_MFA_ACR
    )


def sign_in(claims: Mapping[str, Any], *, address: str) -> User:
    """The account the verified claims (with the ID token's ``iss`` and ``sub``) sign in as, created if the
    mapping allows; raises :class:`SingleSignOnRefused`, audited, otherwise."""
    try:
        with transaction.atomic():
            return _sign_in(claims, address=address)
    except SingleSignOnRefused as refusal:
        record_refusal(claims, refusal, address=address)
        raise


def _sign_in(claims: Mapping[str, Any], *, address: str) -> User:
    issuer, subject = str(claims["iss"]).rstrip("/"), str(claims["sub"])
    place = claimed_place(claims)
    if place.division_code is not None and not within_allowed_divisions(place.division_code):
        raise SingleSignOnRefused("division outside SMECLUSTER_OIDC_DIVISIONS", OUTSIDE_DIVISIONS)
    identity = (
        SingleSignOnIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is None:
        return _open_account(claims, issuer=issuer, subject=subject, place=place, address=address)
    user = identity.user
    if not user.is_active:
        raise SingleSignOnRefused("account deactivated", DEACTIVATED)
    if not within_allowed_divisions(user.jurisdiction_id):
        raise SingleSignOnRefused("account's division outside SMECLUSTER_OIDC_DIVISIONS", OUTSIDE_DIVISIONS)
    if (place.role is not None and place.role != user.role) or (
        place.division_code is not None and place.division_code != user.jurisdiction_id
    ):
        raise SingleSignOnRefused(
            f"claims name {place.role}/{place.division_code}, "
            f"the account is {user.role}/{user.jurisdiction_id}",
            CONTRADICTS_ACCOUNT,
        )
    identity.last_sign_in_at = timezone.now()
    identity.save(update_fields=["last_sign_in_at"])
    return user


def _open_account(
    claims: Mapping[str, Any], *, issuer: str, subject: str, place: ClaimedPlace, address: str
) -> User:
    if place.role is None or place.division_code is None:
        raise SingleSignOnRefused("unknown subject without a role and division in its claims", NOT_OPENED)
    if place.role not in settings.OIDC_CREATE_ROLES:
        raise SingleSignOnRefused(f"role {place.role} not in SMECLUSTER_OIDC_CREATE_ROLES", NOT_OPENED)
    jurisdiction = Jurisdiction.objects.filter(code=place.division_code).first()
    level = ROLE_LEVEL[Role(place.role)]
    if jurisdiction is None or (level is not None and jurisdiction.level != level):
        raise SingleSignOnRefused(
            f"division {place.division_code} is not a {level} division for role {place.role}", NOT_OPENED
        )
    user = User(
        username=_free_username(claims, subject),
        role=place.role,
        jurisdiction=jurisdiction,
        last_name=str(claims.get("family_name") or claims.get("name") or "")[:150],
        first_name=str(claims.get("given_name") or "")[:150] if claims.get("family_name") else "",
        email=str(claims.get("email") or "")[:254],
        organization=str(claims.get("organization") or "")[:128],
    )
    user.set_unusable_password()  # signs in through the IdP; a password can be set by a reset mail only
    user.save()
    now = timezone.now()
    SingleSignOnIdentity.objects.create(
        user=user, issuer=issuer, subject=subject, linked_at=now, last_sign_in_at=now
    )
    audit_record(
        actor=None,
        action=actions.SINGLE_SIGN_ON_ACCOUNT_CREATE,
        target=user,
        after={
            "username": user.username,
            "role": user.role,
            "jurisdiction": user.jurisdiction_id,
            "issuer": issuer,
            "subject": subject,
            "address": address,
        },
    )
    return user


def _free_username(claims: Mapping[str, Any], subject: str) -> str:
    """The IdP's ``preferred_username`` when no account has it, else one made from the subject: a new
    account never takes over an existing one's name."""
    wanted = str(claims.get("preferred_username") or "")[:150]
    if wanted and not User.objects.filter(username=wanted).exists():
        return wanted
    return "sso-" + hashlib.sha256(subject.encode()).hexdigest()[:16]


def link_identity(*, actor: User | None, user: User, subject: str, issuer: str = "") -> SingleSignOnIdentity:
    """Link an existing account to a subject at the IdP (``smecluster manage link_single_sign_on``), so
    that the person signs in as it: how accounts opened before single sign-on, or by an administrator, are
    matched. The issuer defaults to the configured one."""
    issuer = (issuer or settings.OIDC_ISSUER).rstrip("/")
    if not issuer or not subject:
        raise ValueError("an issuer (SMECLUSTER_OIDC_ISSUER) and a subject are needed")
    with transaction.atomic():
        identity, created = SingleSignOnIdentity.objects.get_or_create(
            issuer=issuer, subject=subject, defaults={"user": user, "linked_at": timezone.now()}
        )
        if not created and identity.user_id != user.pk:
            raise ValueError(f"{subject} at {issuer} is already linked to {identity.user.username}")
        if created:
            audit_record(
                actor=actor,
                action=actions.SINGLE_SIGN_ON_LINK,
                target=user,
                after={"issuer": issuer, "subject": subject},
            )
        return identity


def record_refusal(claims: Mapping[str, Any], refusal: SingleSignOnRefused, *, address: str) -> None:
    issuer, subject = str(claims.get("iss", "")), str(claims.get("sub", ""))
    identity = SingleSignOnIdentity.objects.filter(issuer=issuer.rstrip("/"), subject=subject).first()
    with transaction.atomic():
        audit_record(
            actor=None,
            action=actions.SINGLE_SIGN_ON_REFUSED,
            target=identity.user if identity is not None else User,
            after={"issuer": issuer, "subject": subject, "address": address},
            reason=refusal.reason,
        )


# --- the authentication backend -------------------------------------------------------------------------


class SingleSignOnBackend(OIDCAuthenticationBackend):  # type: ignore[misc]  # mozilla-django-oidc ships no types
    """mozilla-django-oidc's backend, with the account found by :func:`sign_in` and the ID token's issuer
    and audience checked (the library checks signature, expiry and nonce only)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Built for every password login too: no settings read, no provider asked until a callback comes.
        self.UserModel = User

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        # Only the callback passes a nonce (mozilla_django_oidc.views); a password login never reaches here.
        if request is None or "nonce" not in kwargs or not enabled():
            return None
        endpoints = provider_endpoints()
        self.OIDC_OP_TOKEN_ENDPOINT = endpoints.token
        self.OIDC_OP_USER_ENDPOINT = endpoints.userinfo
        self.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        # OpenID Connect Core §3.1.3.7: the issuer must be ours, and we must be among the audience.
        if str(payload.get("iss", "")).rstrip("/") != settings.OIDC_ISSUER:
            raise SuspiciousOperation(f"ID token from issuer {payload.get('iss')!r}")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation(f"ID token for audience {audience!r}")
        if len(audiences) > 1 and payload.get("azp") != settings.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation(f"ID token authorized for {payload.get('azp')!r}")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub")) != str(payload.get("sub")):
            # §5.3.2: a userinfo answer about someone else must not be used.
            raise SuspiciousOperation("userinfo sub differs from the ID token's")
        # The ID token's own claims (iss, sub, amr, acr) win over anything userinfo says.
        claims = {**userinfo, **{key: payload[key] for key in ("iss", "sub", "amr", "acr") if key in payload}}
        try:
            user = sign_in(claims, address=client_address(self.request))
        except SingleSignOnRefused as refusal:
            setattr(self.request, REFUSAL_ATTRIBUTE, refusal)
            return None
        setattr(self.request, CLAIMS_ATTRIBUTE, claims)
        return user

    def get_user(self, user_id: int) -> User | None:
        # As ModelBackend: a deactivated account's session ends at its next request.
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
