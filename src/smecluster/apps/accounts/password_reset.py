"""忘记密码: Django's password reset (a signed one-day link sent to the account's e-mail), with the
platform's Chinese pages and the new password audited.

The mail goes the way of every other mail (``notifications.mail``): a :class:`MailDelivery` record for the
one address, delivered by the job worker after commit, retried, recorded sent only when the server accepted
it. Its link is absolute from ``SITE_URL`` (the address people use), never from the request's Host header,
which a forged request could choose.

The request page answers alike whether or not an account has the address, so it tells nobody which
addresses are registered; the link dies once used, after ``PASSWORD_RESET_TIMEOUT``, or when the password
changes otherwise. Resetting the password does not pass the second factor: an administrator still signs in
with the code.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.db import transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse_lazy

from smecluster.apps.accounts.models import User
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.notifications.mail import mail_deliver_after_commit, mail_queue


def password_reset_complete(*, form: SetPasswordForm[User]) -> User:
    """Sets the password the reset link's owner chose (the form is valid) and records it: one transaction,
    one audit event, never the password."""
    with transaction.atomic():
        user = form.save()
        audit_record(actor=user, action=actions.ACCOUNT_PASSWORD_RESET, target=user)
    return user


class PasswordResetMailForm(PasswordResetForm):
    """Django's form, its mail queued as a delivery record instead of sent during the request."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # A subject is one line whatever the template's line ends.
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        with transaction.atomic():
            delivery = mail_queue(address=to_email, subject=subject, body=body, recipient=context["user"])
            mail_deliver_after_commit([delivery])


class PasswordResetRequest(auth_views.PasswordResetView):
    form_class = PasswordResetMailForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # The mail is rendered without a request, so the context processors' names are handed over here.
        self.extra_email_context = {
            "issuing_department": settings.ISSUING_DEPARTMENT,
            "site_url": settings.SITE_URL,
        }
        return super().form_valid(form)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        password_reset_complete(form=form)
        # What Django's own form_valid does after saving: the one-use token is spent with the session key.
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return super(auth_views.PasswordResetConfirmView, self).form_valid(form)
