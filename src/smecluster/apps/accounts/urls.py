from django.urls import path

from smecluster.apps.accounts import account_views, two_factor_views

app_name = "accounts"
urlpatterns = [
    path("accounts/two-factor/", two_factor_views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/enrol/", two_factor_views.two_factor_enrol, name="two_factor_enrol"),
    path("accounts/security/", two_factor_views.account_security, name="security"),
    # 账号管理 (account_views): the administrators' pages, and the invited owner's set-password link.
    path("accounts/manage/", account_views.account_list, name="admin_list"),
    path("accounts/manage/new/", account_views.account_new, name="admin_new"),
    path("accounts/manage/import/", account_views.account_import_page, name="admin_import"),
    path(
        "accounts/manage/import/template/",
        account_views.account_import_template,
        name="admin_import_template",
    ),
    path("accounts/manage/<int:pk>/", account_views.account_detail, name="admin_detail"),
    path("accounts/manage/<int:pk>/edit/", account_views.account_edit, name="admin_edit"),
    path("accounts/manage/<int:pk>/deactivate/", account_views.account_deactivate, name="admin_deactivate"),
    path("accounts/manage/<int:pk>/reactivate/", account_views.account_reactivate, name="admin_reactivate"),
    path("accounts/manage/<int:pk>/invite/", account_views.account_invite, name="admin_invite"),
    path(
        "accounts/manage/<int:pk>/reset-two-factor/",
        account_views.account_reset_two_factor,
        name="admin_reset_two_factor",
    ),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        account_views.InvitationAccept.as_view(),
        name="invitation_accept",
    ),
]
