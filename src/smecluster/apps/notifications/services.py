"""Notify people of a change: a row in the page now (same transaction), an e-mail to each after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.notifications.mail import absolute_url, mail_deliver_after_commit, mail_queue
from smecluster.apps.notifications.models import MailDelivery, Notification


def notify(*, recipients: Iterable[User], text: str, link: str = "") -> list[Notification]:
    """Must run in the service's transaction: a rolled-back change neither shows nor mails anything.

    ``link`` is the site path shown in the page; the mail carries it as an absolute link (``SITE_URL``).
    Each person gets a message of their own, never a To: line shared with others."""
    created = [Notification.objects.create(recipient=user, text=text, link=link) for user in recipients]
    body = notification_mail_body(text=text, link=link)
    deliveries: list[MailDelivery] = []
    addresses: set[str] = set()
    for notification in created:
        address = notification.recipient.email
        if address and address.lower() not in addresses:
            addresses.add(address.lower())
            deliveries.append(
                mail_queue(address=address, subject=text, body=body, recipient=notification.recipient)
            )
    mail_deliver_after_commit(deliveries)
    return created


def notification_mail_body(*, text: str, link: str) -> str:
    parts = [str(text)]
    if link:
        parts.append(_("查看详情：%(url)s") % {"url": absolute_url(link)})
    parts.append(_("本邮件由中小企业特色产业集群平台自动发送，请勿直接回复。"))
    return "\n\n".join(parts)
