"""Passwords on this platform, per role: a role left out of ``settings.LOCAL_LOGIN_ROLES``
(SMECLUSTER_LOCAL_LOGIN_ROLES) signs in through the unified identity service (统一身份认证) only.

The refusal is in the authentication backend, so every way a password is checked (the login page, the
admin's, a test client's ``login``) refuses alike; the login form then tells such a person, once their
password was right, where to sign in instead. A refused password counts as a failed login for the lockout.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import User

PLATFORM_ADMIN = "platform_admin"  # is_staff or is_superuser, as in SMECLUSTER_TWO_FACTOR_ROLES
# Set on the request when a right password was refused for the role: the form's message needs it, and
# only then may the form say more than "wrong username or password".
REFUSED_FOR_ROLE = "smecluster_local_login_refused"


def local_login_allowed(user: User) -> bool:
    allowed = settings.LOCAL_LOGIN_ROLES
    if PLATFORM_ADMIN in allowed and (user.is_staff or user.is_superuser):
        return True
    return user.role in allowed


class PasswordBackend(ModelBackend):
    """Django's username and password, refused for a role that must use single sign-on."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if isinstance(user, User) and not local_login_allowed(user):
            if request is not None:
                setattr(request, REFUSED_FOR_ROLE, True)
            return None
        return user


class PasswordLoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "single_sign_on_only": _("本账号不使用本平台密码登录，请点击“统一身份认证登录”。"),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            if self.request is not None and getattr(self.request, REFUSED_FOR_ROLE, False):
                raise forms.ValidationError(
                    self.error_messages["single_sign_on_only"], code="single_sign_on_only"
                ) from None
            raise
