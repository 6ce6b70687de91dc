"""Notify people of a change: a row in the page now (same transaction), the e-mail after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from smecluster.apps.accounts.models import User
from smecluster.apps.notifications.models import Notification


def notify(*, recipients: Iterable[User], text: str, link: str = "") -> list[Notification]:
    """Must run in the service's transaction: a rolled-back change neither shows nor mails anything."""
    created = [Notification.objects.create(recipient=user, text=text, link=link) for user in recipients]
    addresses = [notification.recipient.email for notification in created if notification.recipient.email]
    if addresses:
        transaction.on_commit(
            lambda: send_mail(
                subject=f"[smecluster] {text}",
                message=f"{text}\n\n{link}",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=addresses,
                fail_silently=True,
            )
        )
    return created
