"""Logins, failed logins and logouts go into the audit log, with the address they came from.

Django's authentication signals are the one place every way in passes (the login page, the admin's, the
test client); each receiver hands over to a service in ``audit.services``. The address is the one the
login lockout counts by (``site.client_address``), so the audit and the lockout agree on who tried.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from smecluster.apps.accounts.models import User
from smecluster.apps.audit import services
from smecluster.site.client_address import client_address


def _logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    # auth.login notes the backend that let the person in: the single sign-on's is recorded as such.
    through = "single_sign_on" if getattr(user, "backend", "").endswith(".SingleSignOnBackend") else ""
    services.record_login(user=user, address=client_address(request), through=through)


def _logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:  # logging out an anonymous visitor changes nothing worth recording
        services.record_logout(user=user, address=client_address(request))


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = credentials.get(get_user_model().USERNAME_FIELD, "")
    services.record_login_failed(username=str(username or ""), address=client_address(request))


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="smecluster.audit.login")
    user_logged_out.connect(_logged_out, dispatch_uid="smecluster.audit.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="smecluster.audit.login_failed")
