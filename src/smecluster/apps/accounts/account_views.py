"""账号管理 pages: the administrator's list of the accounts it manages, the new-account and edit forms, the
account's page with its actions (deactivate, re-activate, invite again, reset the second factor), the bulk
import; and the invited owner's set-password page. Thin: ``administration`` and ``account_import`` write."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smecluster.apps.accounts import account_import, administration
from smecluster.apps.accounts.account_forms import AccountFilterForm, AccountForm, ImportForm, ReasonForm
from smecluster.apps.accounts.account_reach import (
    can_administer_accounts,
    can_manage,
    in_scope,
    manageable_accounts,
    managed_account,
)
from smecluster.apps.accounts.invitations import invitation_tokens
from smecluster.apps.accounts.local_login import local_login_allowed
from smecluster.apps.accounts.models import User
from smecluster.apps.accounts.two_factor import is_enrolled
from smecluster.apps.audit import actions
from smecluster.apps.audit.actions import action_label
from smecluster.apps.audit.services import audit_trail
from smecluster.documents.sheets import XLSX_CONTENT_TYPE
from smecluster.errors import UnusableInput
from smecluster.site.csv_export import tabular_response, wanted_download
from smecluster.site.http import AuthenticatedRequest, errors_onto_form, reach_or_404
from smecluster.site.list_query import Column, ListQuery, ListSpec
from smecluster.site.wording import problem_text

PAGE_SIZE = 50
NOT_FOUND = gettext_lazy("没有这个账号，或它不在您管理的范围内")

ACCOUNTS = ListSpec(
    columns=(
        Column(gettext_lazy("用户名"), "username", ("username",)),
        Column(gettext_lazy("姓名"), "name", ("last_name", "first_name")),
        Column(gettext_lazy("角色"), "role", ("role",)),
        Column(gettext_lazy("辖区"), "place", ("jurisdiction__code",)),
        Column(gettext_lazy("单位"), "organization", ("organization",)),
        Column(gettext_lazy("状态"), "status", ("is_active",)),
        Column(gettext_lazy("最近登录"), "last_login", ("last_login",)),
    ),
    text_fields=("username", "first_name", "last_name", "email", "organization", "phone"),
    place="jurisdiction",
    placeholder=gettext_lazy("用户名、姓名、邮箱、单位或辖区（名称或区划代码）"),
)


def _filtered(accounts: QuerySet[User], status: str) -> QuerySet[User]:
    if status == "active":
        return accounts.filter(is_active=True).exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    if status == "pending":
        # An unusable password (Django's prefix "!" and a random string): the owner has not set one yet.
        return accounts.filter(is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)
    if status == "inactive":
        return accounts.filter(is_active=False)
    return accounts


def _managed(request: AuthenticatedRequest, pk: int) -> User:
    """The account ``pk`` the user administers: 403 with the reason for a role that administers none, 404
    for an account outside its reach (whether it exists is not disclosed)."""
    can_administer_accounts(request.user).enforce()
    return reach_or_404(managed_account, request.user, pk, NOT_FOUND)


def _status_label(account: User) -> str:
    if not account.is_active:
        return _("已停用")
    if not local_login_allowed(account):
        return _("启用（通过统一身份认证登录）")
    if administration.invitation_pending(account):
        return _("待设置密码")
    return _("启用")


@login_required
@require_GET
def account_list(request: AuthenticatedRequest) -> HttpResponse:
    can_administer_accounts(request.user).enforce()
    accounts = manageable_accounts(request.user).order_by("jurisdiction__code", "role", "username")
    form = AccountFilterForm(request.GET or None, actor=request.user)
    if form.is_bound and form.is_valid():
        if scope := form.cleaned_data["scope"]:
            accounts = accounts.filter(in_scope(scope))
        if role := form.cleaned_data["role"]:
            accounts = accounts.filter(role=role)
        accounts = _filtered(accounts, form.cleaned_data["status"])
    listing = ListQuery.from_params(ACCOUNTS, request.GET)
    if wanted_download(request):
        # The rows the page lists (search, filters and order kept), every page of them.
        header = [
            _("用户名"), _("姓名"), _("角色"), _("区划代码"), _("辖区"), _("电子邮箱"), _("单位"),
            _("联系电话"), _("状态"), _("最近登录（北京时间）"),
        ]  # fmt: skip
        rows = [
            [
                account.username, account.get_full_name(), account.get_role_display(),
                account.jurisdiction_id, account.jurisdiction.full_name(), account.email,
                account.organization, account.phone, _status_label(account), account.last_login,
            ]
            for account in listing.apply(accounts)
        ]  # fmt: skip
        return tabular_response(request, "accounts", header, rows, sheet_title=_("账号"))
    page = Paginator(listing.apply(accounts), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/admin_list.html",
        {
            "page": page,
            "filter": form,
            "listing": listing,
            "query": listing.url_with()[1:],
            "password_roles": settings.LOCAL_LOGIN_ROLES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_new(request: AuthenticatedRequest) -> HttpResponse:
    can_administer_accounts(request.user).enforce()
    form = AccountForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account = administration.account_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                details=form.details(),
                invite=form.cleaned_data["invite"],
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            if not local_login_allowed(account):
                messages.success(
                    request,
                    _("已创建账号 %(username)s：该角色通过统一身份认证登录，不发送设置密码的邀请")
                    % {"username": account.username},
                )
            elif form.cleaned_data["invite"]:
                messages.success(
                    request,
                    _("已创建账号 %(username)s，邀请邮件已发往 %(email)s")
                    % {"username": account.username, "email": account.email},
                )
            else:
                messages.success(
                    request, _("已创建账号 %(username)s，尚未发送邀请") % {"username": account.username}
                )
            return redirect("accounts:admin_detail", account.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/admin_form.html", {"form": form, "account": None}, status=status)


@login_required
@require_GET
def account_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = _managed(request, pk)
    return render(request, "accounts/admin_detail.html", _detail_context(request, account))


def _detail_context(request: AuthenticatedRequest, account: User, **extra: Any) -> dict[str, Any]:
    events = [(event, action_label(event.action)) for event in audit_trail(account).order_by("-pk")[:20]]
    last_invitation = audit_trail(account).filter(action=actions.USER_INVITE.code).order_by("-pk").first()
    invitation_expires = (
        last_invitation.at + timedelta(seconds=settings.INVITATION_TIMEOUT) if last_invitation else None
    )
    return {
        "account": account,
        "pending": administration.invitation_pending(account),
        "password_login": local_login_allowed(account),
        "invitation": last_invitation,
        "invitation_expires": invitation_expires,
        "invitation_expired": invitation_expires is not None and invitation_expires < timezone.now(),
        "sole_holder": administration.sole_holder(account),
        "enrolled": is_enrolled(account),
        "events": events,
        "deactivate_form": extra.pop("deactivate_form", ReasonForm(prefix="deactivate")),
        "reset_form": extra.pop("reset_form", ReasonForm(prefix="reset")),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = _managed(request, pk)
    can_manage(request.user, account).enforce()
    form = AccountForm(request.POST or None, actor=request.user, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            administration.account_update(actor=request.user, account=account, details=form.details())
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("已保存账号 %(username)s") % {"username": account.username})
            # The account may have left the administrator's reach (moved to another province by the ministry).
            if manageable_accounts(request.user).filter(pk=account.pk).exists():
                return redirect("accounts:admin_detail", account.pk)
            return redirect("accounts:admin_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/admin_form.html", {"form": form, "account": account}, status=status)


def _reason_action(request: AuthenticatedRequest, pk: int, prefix: str, act: Any, done: str) -> HttpResponse:
    account = _managed(request, pk)
    can_manage(request.user, account).enforce()
    form = ReasonForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            act(account, form.cleaned_data["reason"])
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, done % {"username": account.username})
            return redirect("accounts:admin_detail", account.pk)
    context = _detail_context(request, account, **{f"{prefix}_form": form})
    return render(request, "accounts/admin_detail.html", context, status=400)


@login_required
@require_POST
def account_deactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _reason_action(
        request,
        pk,
        "deactivate",
        lambda account, reason: administration.account_deactivate(
            actor=request.user, account=account, reason=reason
        ),
        _("已停用账号 %(username)s，其登录状态已全部结束"),
    )


@login_required
@require_POST
def account_reset_two_factor(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _reason_action(
        request,
        pk,
        "reset",
        lambda account, reason: administration.account_two_factor_reset(
            actor=request.user, account=account, reason=reason
        ),
        _("已重置账号 %(username)s 的两步验证，下次登录时重新绑定"),
    )


@login_required
@require_POST
def account_reactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = _managed(request, pk)
    try:
        administration.account_reactivate(actor=request.user, account=account)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已重新启用账号 %(username)s") % {"username": account.username})
    return redirect("accounts:admin_detail", account.pk)


@login_required
@require_POST
def account_invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = _managed(request, pk)
    try:
        administration.invitation_send(actor=request.user, account=account)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已重新发送邀请邮件至 %(email)s，之前的邀请链接随之失效") % {"email": account.email},
        )
    return redirect("accounts:admin_detail", account.pk)


@login_required
@require_http_methods(["GET", "POST"])
def account_import_page(request: AuthenticatedRequest) -> HttpResponse:
    can_administer_accounts(request.user).enforce()
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "limit": account_import.MAX_ACCOUNTS}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > account_import.MAX_FILE_BYTES:  # bounded before it is read
            form.add_error("file", _("文件过大：账号导入文件不超过 2 MB"))
        else:
            try:
                imported = account_import.accounts_import(
                    actor=request.user, data=upload.read(), file_name=upload.name
                )
            except UnusableInput as error:
                context["problems"] = [problem_text(problem) for problem in error.problems]
            else:
                messages.success(
                    request,
                    _("已导入 %(count)s 个账号，并向每个账号发送了邀请邮件")
                    % {"count": len(imported.accounts)},
                )
                return redirect(reverse("accounts:admin_list") + "?status=pending")
        return render(request, "accounts/admin_import.html", context, status=400)
    return render(
        request, "accounts/admin_import.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
@require_GET
def account_import_template(request: AuthenticatedRequest) -> HttpResponse:
    can_administer_accounts(request.user).enforce()
    response = HttpResponse(account_import.import_template(request.user), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="accounts-template.xlsx"'
    return response


class InvitationAccept(auth_views.PasswordResetConfirmView):
    """The invited owner's page: the link's token is checked (and moved out of the address, as Django's
    reset does), then the password is set through Django's validators and the owner signs in."""

    token_generator = invitation_tokens
    template_name = "accounts/invitation_accept.html"
    success_url = reverse_lazy("login")

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        # A deactivated account's link is dead (the token also signs is_active), and so is that of a role
        # which signs in through 统一身份认证 only: a password would never be asked of it.
        if isinstance(user, User) and user.is_active and local_login_allowed(user):
            return user
        return None

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        administration.invitation_accept(form=form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("密码已设置，请用用户名和新密码登录"))
        return redirect(self.success_url)
