"""The second step of signing in (a code), enrolment (QR code, secret, recovery codes) and the account's
security page, where anyone may enrol or remove their authenticator. The services in ``two_factor`` do
the work; ``TwoFactorMiddleware`` sends people here."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smecluster.apps.accounts import two_factor
from smecluster.apps.accounts.models import User
from smecluster.site.http import AuthenticatedRequest
from smecluster.site.lockout import locked_out


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def _next_page(request: AuthenticatedRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else str(settings.LOGIN_REDIRECT_URL)


def _verified(request: AuthenticatedRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def _credentials(user: User) -> dict[str, str]:
    return {User.USERNAME_FIELD: user.get_username()}


@login_required
def two_factor_verify(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if _verified(request):
        return redirect(_next_page(request))
    if not two_factor.is_enrolled(user):
        return redirect("accounts:two_factor_enrol" if two_factor.two_factor_required(user) else "home")
    # The account or the address may have been locked out since the password was accepted (by wrong
    # codes, or wrong passwords elsewhere): the half-done sign-in ends with the lockout page.
    if not AxesProxyHandler.is_allowed(request, _credentials(user)):
        logout(request)
        return locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = two_factor.sign_in_verify(request=request, user=user, code=form.cleaned_data["code"])
        if outcome is two_factor.Outcome.RECOVERY_CODE:
            left = two_factor.recovery_codes_left(user)
            messages.warning(request, _("已使用一个恢复码，还剩 %(left)d 个。") % {"left": left})
        if outcome is not two_factor.Outcome.REFUSED:
            return redirect(_next_page(request))
        if getattr(request, "axes_locked_out", False):
            logout(request)  # django-axes' middleware answers with the lockout page
        form.add_error("code", _("验证码不正确或已过期。"))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_page(request)})


@login_required
def two_factor_enrol(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if two_factor.is_enrolled(user):
        # Enrolling again would replace the authenticator: only once it was removed (with a code).
        return redirect("accounts:security" if _verified(request) else "accounts:two_factor_verify")
    device = two_factor.pending_enrolment(request, user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolment = two_factor.enrolment_confirm(request=request, user=user, code=form.cleaned_data["code"])
        if enrolment is not None:
            # Shown in this response only, never stored in the clear nor shown again.
            shown: dict[str, object] = {
                "recovery_codes": enrolment.recovery_codes,
                "next": _next_page(request),
            }
            return render(request, "accounts/two_factor_recovery_codes.html", shown)
        form.add_error("code", _("验证码不正确或已过期，请按验证器当前显示的验证码再试。"))
    context: dict[str, object] = {
        "form": form,
        "qr_svg": two_factor.qr_code_svg(device),
        "secret": two_factor.secret_in_base32(device),
        "issuer": settings.OTP_TOTP_ISSUER,
        "required": two_factor.two_factor_required(user),
        "next": _next_page(request),
    }
    return render(request, "accounts/two_factor_enrol.html", context)


@login_required
def account_security(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.two_factor_remove(user=user, code=form.cleaned_data["code"]):
            messages.success(request, _("已停用两步验证。"))
            return redirect("accounts:security")
        form.add_error("code", _("验证码不正确或已过期。"))
    context = {
        "form": form,
        "enrolled": two_factor.is_enrolled(user),
        "required": two_factor.two_factor_required(user),
        "recovery_codes_left": two_factor.recovery_codes_left(user),
    }
    return render(request, "accounts/security.html", context)
