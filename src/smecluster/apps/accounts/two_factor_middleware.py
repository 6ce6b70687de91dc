"""Holds back a signed-in user whose session has not passed the second factor it needs.

A middleware rather than a decorator so that no page can be forgotten: every URL but the sign-in pages,
logout, the code and enrolment pages, static files and the public site sends such a user to the code page
(they have an authenticator) or to enrolment (their role requires one and they have none yet). A user
who need not and has not enrolled passes untouched. Runs after django-otp's ``OTPMiddleware``, which
tells whether this session was verified.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from smecluster.apps.accounts.models import User
from smecluster.apps.accounts.two_factor import is_enrolled, two_factor_required

# Reached without the second factor: the public's pages and what a visitor needs to sign in or out.
OPEN_PREFIXES = ("/public/", "/i18n/", "/healthz", "/favicon.ico")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._open(request.path_info):
            user = request.user
            if isinstance(user, User) and user.is_authenticated and not _session_verified(request):
                if is_enrolled(user):
                    return _send_to(request, reverse("accounts:two_factor_verify"))
                if two_factor_required(user):
                    return _send_to(request, reverse("accounts:two_factor_enrol"))
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        own_pages = (
            settings.STATIC_URL,
            settings.LOGIN_URL,
            reverse("logout"),
            reverse("accounts:two_factor_verify"),
            reverse("accounts:two_factor_enrol"),
        )
        return path.startswith(OPEN_PREFIXES) or any(path.startswith(str(page)) for page in own_pages)


def _session_verified(request: HttpRequest) -> bool:
    # OTPMiddleware gives the user is_verified(); a user object without it was not passed through it.
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def _send_to(request: HttpRequest, page: str) -> HttpResponse:
    target = f"{page}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        # htmx would follow a redirect and swap the code page into a fragment: have it load the page.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)
