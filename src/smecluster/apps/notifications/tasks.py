"""The job worker's side of mail (django-tasks): the messages a committed change queued are sent here,
never in the request that queued them."""

from __future__ import annotations

from django_tasks import task

from smecluster.apps.notifications.mail import mail_deliver


@task()
def deliver_mail(ids: list[int]) -> dict[str, int]:
    """Deliver these :class:`MailDelivery` rows (those still waiting); what failed waits for the tick."""
    return mail_deliver(ids).as_json()
