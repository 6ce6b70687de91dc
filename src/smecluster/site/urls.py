from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from smecluster.apps.accounts import password_reset, single_sign_on_views
from smecluster.site import dashboard, health

# django-otp's admin pages show an authenticator's secret key and delete devices without an audit event;
# devices are managed by their owner (账号安全) and reset by `smecluster accounts reset-2fa` (audited).
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)

urlpatterns = [
    path("", dashboard.home, name="home"),
    # Browsers ask for /favicon.ico on pages that link none (a PDF, a download): the static file answers.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.ico"), permanent=True)),
    # 忘记密码 with the platform's pages and an audited reset; the other auth pages are Django's own.
    path("accounts/password_reset/", password_reset.PasswordResetRequest.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        password_reset.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path("healthz", health.healthz, name="healthz"),
    # The login page offers 统一身份认证 when configured and refuses passwords of roles that must use it;
    # logout also ends the session at the identity provider (accounts/single_sign_on_views.py).
    path("accounts/login/", single_sign_on_views.LoginPage.as_view(), name="login"),
    path("accounts/logout/", single_sign_on_views.LogoutPage.as_view(), name="logout"),
    path("accounts/sso/", include("smecluster.apps.accounts.single_sign_on_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("smecluster.apps.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("smecluster.apps.applications.urls")),
    path("", include("smecluster.apps.reviews.urls")),
    path("", include("smecluster.apps.programmes.urls")),
    path("", include("smecluster.apps.selection.urls")),
    path("", include("smecluster.apps.notices.urls")),
    path("", include("smecluster.apps.registry.urls")),
    path("", include("smecluster.apps.oversight.urls")),
    path("", include("smecluster.apps.monitoring.urls")),
    path("", include("smecluster.apps.rosters.urls")),
    path("", include("smecluster.apps.notifications.urls")),
    path("", include("smecluster.apps.discovery.urls")),
    path("", include("smecluster.apps.yearly_data.urls")),
    path("", include("smecluster.apps.jobs.urls")),
    path("captcha/", include("captcha.urls")),  # the objection form's challenge image and its refresh
    path("admin/", admin.site.urls),
]

# Refusals and failures in the site's frame and language, with the view's reason (site/error_pages.py).
handler400 = "smecluster.site.error_pages.bad_request"
handler403 = "smecluster.site.error_pages.permission_denied"
handler404 = "smecluster.site.error_pages.not_found"
handler500 = "smecluster.site.error_pages.server_error"
