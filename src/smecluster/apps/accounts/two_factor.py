"""Two-factor sign-in: who must use it, and the services that enrol, verify, remove and reset it.

The second factor is a TOTP authenticator (django-otp's ``TOTPDevice``) with recovery codes (its
``StaticDevice``, each token deleted when used). Enrolment creates an unconfirmed authenticator; a correct
code confirms it and creates ten recovery codes, shown once. A session is verified once a code was
accepted in it (``django_otp.login``); ``TwoFactorMiddleware`` holds back anyone who must be and is not.

A wrong code is a failed login: it sends Django's ``user_login_failed`` signal, so django-axes counts it
against the account and the address (and locks them out at the same limit) and ``audit.login_events``
records it, exactly as for a wrong password.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from enum import Enum

import segno
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from smecluster.apps.accounts.models import User
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_CODES_NAME = "recovery codes"
PLATFORM_ADMIN = "platform_admin"  # the name settings.TWO_FACTOR_REQUIRED_ROLES gives is_staff/is_superuser


def two_factor_required(user: User) -> bool:
    """Whether this user's role (settings.TWO_FACTOR_REQUIRED_ROLES) obliges them to sign in with a code."""
    required = settings.TWO_FACTOR_REQUIRED_ROLES
    if PLATFORM_ADMIN in required and (user.is_staff or user.is_superuser):
        return True
    return bool(user.role) and user.role in required


def authenticator(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they have enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def secret_in_base32(device: TOTPDevice) -> str:
    """The key as authenticator apps and ``oathtool --totp -b`` take it."""
    return base64.b32encode(binascii.unhexlify(device.key)).decode("ascii")


def qr_code_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` address as an inline SVG QR code: no image file, no script, no style element."""
    svg: str = segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)
    return svg


PENDING_KEY_SESSION = "two_factor_pending_key"


def pending_enrolment(request: HttpRequest, user: User) -> TOTPDevice:
    """The authenticator this enrolment shows, not saved: its key is kept in the session until a code
    confirms it, so opening the page writes no row and a reload shows the same QR code."""
    key = request.session.get(PENDING_KEY_SESSION)
    if not isinstance(key, str):
        key = request.session[PENDING_KEY_SESSION] = random_hex(20)
    return TOTPDevice(user=user, key=key, name=AUTHENTICATOR_NAME, confirmed=False)


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str]


def enrolment_confirm(*, request: HttpRequest, user: User, code: str) -> Enrolment | None:
    """Confirm the pending authenticator with a code from it: it replaces any earlier one, ten new recovery
    codes are made (returned here, shown once), the session counts as verified, and the enrolment is
    audited. A wrong code changes nothing and returns None (not a failed login: this is not a sign-in)."""
    if not isinstance(request.session.get(PENDING_KEY_SESSION), str):
        return None
    device = pending_enrolment(request, user)
    digits = _digits(code)
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    clock.time = time.time()
    if not digits.isdigit() or not clock.verify(int(digits), device.tolerance):
        return None
    device.confirmed = True
    device.last_t = clock.t()  # the code just used cannot sign in again
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        device.save()
        static = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=static, token=token) for token in codes])
        audit_record(actor=user, action=actions.TWO_FACTOR_ENROL, target=user, after={"device": device.pk})
    del request.session[PENDING_KEY_SESSION]
    _verified(request, device)
    return Enrolment(device=device, recovery_codes=codes)


def authenticator_preenrol(*, user: User, reason: str) -> TOTPDevice:
    """An authenticator set up for the user by the platform (the demo's administrators, whose secret the
    demo prints): confirmed at once, no recovery codes. An existing one is kept. Audited when created."""
    device = authenticator(user)
    if device is not None:
        return device
    with transaction.atomic():
        device = TOTPDevice.objects.create(user=user, confirmed=True, name=AUTHENTICATOR_NAME)
        audit_record(
            actor=None,
            action=actions.TWO_FACTOR_ENROL,
            target=user,
            after={"device": device.pk},
            reason=reason,
        )
    return device


class Outcome(Enum):
    AUTHENTICATOR = "authenticator"
    RECOVERY_CODE = "recovery_code"
    REFUSED = "refused"


def sign_in_verify(*, request: HttpRequest, user: User, code: str) -> Outcome:
    """Check the second factor of a sign-in: a code from the authenticator, else a recovery code (used up
    by this). Accepted, the session is verified; a recovery code is audited. Refused, it is a failed login
    (django-axes counts it, the audit records it)."""
    cleaned = code.strip().replace(" ", "").lower()
    device = authenticator(user)
    if device is not None and cleaned.isdigit() and device.verify_token(cleaned):
        _verified(request, device)
        return Outcome.AUTHENTICATOR
    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and static is not None and cleaned and static.verify_token(cleaned):
        with transaction.atomic():
            audit_record(
                actor=user,
                action=actions.TWO_FACTOR_RECOVERY_CODE,
                target=user,
                after={"codes_left": static.token_set.count()},
            )
        _verified(request, static)
        return Outcome.RECOVERY_CODE
    user_login_failed.send(
        sender=__name__, credentials={User.USERNAME_FIELD: user.get_username()}, request=request
    )
    return Outcome.REFUSED


def two_factor_remove(*, user: User, code: str) -> bool:
    """The user removes their own second factor, proving it with a current authenticator code (not a
    recovery code: removal must be done with the authenticator in hand). Audited; False when the code is
    wrong (nothing removed)."""
    device = authenticator(user)
    if device is None or not device.verify_token(_digits(code)):
        return False
    with transaction.atomic():
        _remove_devices(user)
        audit_record(actor=user, action=actions.TWO_FACTOR_REMOVE, target=user, before={"device": device.pk})
    return True


def two_factor_reset(*, user: User, actor: User | None, reason: str = "") -> int:
    """An administrator removes a user's second factor (a lost phone): they enrol again at their next
    sign-in (if required) or may do so. Audited with the devices removed; returns how many there were."""
    with transaction.atomic():
        removed = _remove_devices(user)
        audit_record(
            actor=actor,
            action=actions.TWO_FACTOR_RESET,
            target=user,
            before={"devices": removed},
            reason=reason,
        )
    return removed


def _remove_devices(user: User) -> int:
    authenticators = TOTPDevice.objects.filter(user=user)
    recovery = StaticDevice.objects.filter(user=user)
    count = int(authenticators.count() + recovery.count())
    authenticators.delete()
    recovery.delete()  # and its tokens
    return count


def _verified(request: HttpRequest, device: TOTPDevice | StaticDevice) -> None:
    # A new session key once verified, as on a password login: a key seen before the second factor (on
    # a shared computer, in a log) does not carry the verified session.
    request.session.cycle_key()
    otp_login(request, device)


def _digits(code: str) -> str:
    return code.strip().replace(" ", "")
