"""The owner's page of their API tokens, under 账号安全: create (the secret shown once), list, revoke."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smecluster.apps.api.forms import TokenForm, scope_choices
from smecluster.apps.api.models import ApiToken
from smecluster.apps.api.services import token_create, token_revoke
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
