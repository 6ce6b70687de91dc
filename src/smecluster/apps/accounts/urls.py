from django.urls import path

from smecluster.apps.accounts import two_factor_views

app_name = "accounts"
urlpatterns = [
    path("accounts/two-factor/", two_factor_views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/enrol/", two_factor_views.two_factor_enrol, name="two_factor_enrol"),
    path("accounts/security/", two_factor_views.account_security, name="security"),
]
