"""Mail off the request (issue 16: "long work runs inside the request"; sending must never make a page
wait for an SMTP server): a change's mail is queued in its transaction and enqueued for the job worker at
commit; the request that made the change opens no SMTP connection, however slow the server. The worker
(`smecluster worker`, here `db_worker --batch`) delivers it to a real SMTP server on loopback."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from mail_server import SITE, MailServer, running_mail_server

from factories import people
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.notifications.models import MailDelivery

# The worker closes its database connections between jobs: the test commits for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[MailServer]:
    with running_mail_server(settings) as server:
        yield server


def _work() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_a_password_reset_page_only_enqueues_its_mail_and_the_worker_delivers_it(
    smtp_server: MailServer,
) -> None:
    """The reset page answers without talking to the mail server; the worker sends the one message, with
    its absolute link from SMECLUSTER_SITE_URL, and records it sent (accepted)."""
    ensure_divisions()
    county = people()["county_officer"]
    response = Client().post("/accounts/password_reset/", {"email": county.email})
    assert response.status_code == 302
    assert smtp_server.received == [], "the request sent mail itself"
    delivery = MailDelivery.objects.get(address=county.email)
    assert (delivery.status, delivery.attempts) == (MailDelivery.Status.PENDING, 0)
    assert DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path="smecluster.apps.notifications.tasks.deliver_mail"
    ).exists()

    _work()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (MailDelivery.Status.SENT, 1)
    [arrived] = smtp_server.received
    assert arrived.recipients == [county.email]
    assert "重置密码" in str(arrived.message["Subject"])
    assert f"{SITE}/accounts/reset/" in arrived.message.get_content()


def test_a_mail_server_that_never_answers_does_not_hold_the_page(settings: Any) -> None:
    """A server that accepts the connection and never greets would hold a sending request for
    EMAIL_TIMEOUT per try; the page answers at once, and the message waits, pending, for the worker."""
    ensure_divisions()
    county = people()["county_officer"]
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = silent.getsockname()[1]
        settings.EMAIL_TIMEOUT = 5
        started = time.monotonic()
        response = Client().post("/accounts/password_reset/", {"email": county.email})
        took = time.monotonic() - started
    assert response.status_code == 302
    assert took < settings.EMAIL_TIMEOUT, f"the page waited {took:.1f} s for the mail server"
    assert MailDelivery.objects.get(address=county.email).status == MailDelivery.Status.PENDING
