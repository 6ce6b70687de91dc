"""The pages of single sign-on (统一身份认证): the start, the provider's return, the login page that offers
it, and the logout that also ends the session at the provider (``accounts.single_sign_on``)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from smecluster.apps.accounts import single_sign_on
from smecluster.apps.accounts.local_login import PasswordLoginForm

logger = logging.getLogger(__name__)

ID_TOKEN_SESSION_KEY = "oidc_id_token"  # where mozilla-django-oidc keeps it (OIDC_STORE_ID_TOKEN)


class SignOnStart(OIDCAuthenticationRequestView):  # type: ignore[misc]  # mozilla-django-oidc ships no types
    """To the provider's sign-in page, with a fresh state, nonce and PKCE challenge kept in the session."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not single_sign_on.enabled():
            raise Http404("single sign-on is not configured")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = single_sign_on.provider_endpoints().authorization
        except requests.RequestException as error:
            return _provider_unavailable(request, error)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        response: HttpResponse = super().get(request)
        return response


class SignOnReturn(OIDCAuthenticationCallbackView):  # type: ignore[misc]  # mozilla-django-oidc ships no types
    """The provider's return: the library checks the state (a stranger's is a 400) and the backend the rest;
    a refusal goes back to the login page with its reason."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not single_sign_on.enabled():
            raise Http404("single sign-on is not configured")
        try:
            response: HttpResponse = super().get(request)
        except requests.RequestException as error:  # the token, userinfo or keys endpoint did not answer
            return _provider_unavailable(request, error)
        return response

    def login_success(self) -> HttpResponse:
        response: HttpResponse = super().login_success()
        claims = getattr(self.request, single_sign_on.CLAIMS_ATTRIBUTE, None) or {}
        # After auth.login, which keeps the session's data but not a flag set before it on another user's.
        self.request.session[single_sign_on.IDP_MFA_SESSION_KEY] = single_sign_on.second_factor_done(claims)
        return response

    def login_failure(self) -> HttpResponse:
        refusal = getattr(self.request, single_sign_on.REFUSAL_ATTRIBUTE, None)
        messages.error(self.request, refusal.message if refusal is not None else single_sign_on.FAILED)
        return HttpResponseRedirect(reverse("login"))


class LoginPage(auth_views.LoginView):
    """Django's login page with the password refused for single-sign-on-only roles, and the 统一身份认证
    button when single sign-on is configured."""

    authentication_form = PasswordLoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["single_sign_on"] = single_sign_on.enabled()
        return context


class LogoutPage(auth_views.LogoutView):
    """Django's logout, then, for a session that came through single sign-on and a provider that offers
    ``end_session_endpoint`` (OpenID Connect RP-Initiated Logout 1.0), to the provider to end its session
    too; it sends the person back to the login page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get(ID_TOKEN_SESSION_KEY)
        end_session = ""
        if id_token and single_sign_on.enabled():
            end_session = single_sign_on.provider_endpoints().end_session
        response = super().post(request, *args, **kwargs)
        if not end_session:
            return response
        back = request.build_absolute_uri(reverse("login"))
        query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": back})
        return HttpResponseRedirect(f"{end_session}?{query}")


def _provider_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.warning("single sign-on: the identity provider did not answer: %s", error)
    messages.error(request, single_sign_on.UNAVAILABLE)
    return HttpResponseRedirect(reverse("login"))
