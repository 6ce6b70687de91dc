"""The owner's page of their API tokens, under 账号安全: create (the secret shown once), list, revoke."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smecluster.apps.api.collection import can_receive, collection_receive, receipts
from smecluster.apps.api.forms import PackageForm, TokenForm, scope_choices
from smecluster.apps.api.models import ApiToken
from smecluster.apps.api.services import token_create, token_revoke
from smecluster.errors import UnusableInput
from smecluster.profile import decode_json
from smecluster.site.http import AuthenticatedRequest, errors_onto_form


@login_required
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = token_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=timezone.now() + timedelta(days=form.cleaned_data["validity_days"]),
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            form = TokenForm()
    labels = dict(scope_choices())
    listed = [
        (token, [labels.get(scope, scope) for scope in token.scopes])
        for token in ApiToken.objects.filter(owner=request.user)
    ]
    context = {"form": form, "secret": secret, "tokens": listed, "now": timezone.now()}
    response = render(request, "api/tokens.html", context)
    if secret:
        response["Cache-Control"] = "no-store"  # the page shows the secret: no copy may be kept
    return response


@login_required
@require_POST
def token_revoke_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(owner=request.user, pk=pk).first()
    if token is None:
        raise Http404(_("没有这个令牌"))
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("已撤销令牌“%(name)s”。") % {"name": token.name})
    return redirect("tokens:list")


# --- ministry collection (the ministry's side) ---------------------------------------------------------


@login_required
def collection_receipts(request: AuthenticatedRequest) -> HttpResponse:
    """省级数据接收: what each province's package brought and when; a saved package can be uploaded here."""
    if not can_receive(request.user):
        raise PermissionDenied(_("省级年度数据的接收记录仅供工业和信息化部管理员查看"))
    form = PackageForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["package"]
        raw = upload.read()
        try:
            receipt = collection_receive(
                actor=request.user,
                package=decode_json(raw, source=upload.name),
                raw=raw,
                source=upload.name,
            )
        except UnusableInput as refused:
            for problem in refused.problems[:20]:
                form.add_error("package", str(problem))
            status = 400
        else:
            messages.success(
                request,
                _("已接收 %(province)s %(year)s 年度数据（%(count)s 个集群）。")
                % {"province": receipt.province.name, "year": receipt.year, "count": receipt.clusters},
            )
            return redirect("tokens:collection")
    return render(request, "api/collection.html", {"form": form, "receipts": receipts()[:200]}, status=status)
