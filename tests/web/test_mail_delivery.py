"""Mail that arrives (issue 16, "Mail that arrives"): delivered to a real SMTP server on loopback
(aiosmtpd) and read back there: one message per recipient, the subject in Chinese, an absolute link
(SMECLUSTER_SITE_URL), recorded as sent only once the server accepted it; a refusal (550) or an
unreachable server leaves it recorded failed with the reason, visible to the platform admin, and the next
`smecluster tick` delivers it."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import transaction
from django.test import Client
from django.urls import reverse
from mail_server import SITE, MailServer, free_port, running_mail_server

from factories import PLEDGE
from smecluster.apps.accounts.models import User
from smecluster.apps.applications import services as application_services
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.notifications import mail as mail_module
from smecluster.apps.notifications.mail import absolute_url, mail_deliver_pending
from smecluster.apps.notifications.models import MailDelivery
from smecluster.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_server(settings: Any, mail_worker_at_commit: None) -> Iterator[MailServer]:
    """The server, and the worker's delivery run at each commit (test_mail_off_request.py shows that a
    request itself only enqueues it)."""
    with running_mail_server(settings) as server:
        yield server


def _submit(
    web_users: dict[str, User], web_application_in: Callable[..., Application], capture: Any
) -> Application:
    application = web_application_in(Status.DRAFT)
    with capture(execute=True):
        application_services.application_submit(
            actor=web_users["county_officer"], application=application, pledge=PLEDGE
        )
    return application


def _city_decision(
    web_application_in: Callable[..., Application],
    web_take_step: Callable[[Application, str], Any],
    capture: Any,
) -> Application:
    """The city returns an application: its county officer and its operator are told (two people)."""
    application = web_application_in(Status.SUBMITTED)
    MailDelivery.objects.all().delete()
    with capture(execute=True):
        web_take_step(application, "return")
    return application


def test_each_recipient_gets_a_message_of_their_own_with_a_chinese_subject_and_an_absolute_link(
    smtp_server: MailServer,
    web_users: dict[str, User],
    web_application_in: Callable[..., Application],
    web_take_step: Callable[[Application, str], Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Issue 16: "one message per recipient (never several people on one To: line)", "absolute links in
    every mail (no relative /annual-reports/11/ links)"."""
    application = _city_decision(web_application_in, web_take_step, django_capture_on_commit_callbacks)
    people = {web_users["county_officer"].email, web_users["operator"].email}
    mine = [item for item in smtp_server.received if application.number in str(item.message["Subject"])]
    assert sorted(address for item in mine for address in item.recipients) == sorted(people)
    link = f"{SITE}{application.get_absolute_url()}"
    for item in mine:
        assert len(item.recipients) == 1
        assert item.message["To"] == item.recipients[0]
        subject = str(item.message["Subject"]).strip()
        assert subject.startswith("[smecluster] "), subject
        assert "退回" in subject, subject
        body = item.message.get_content()
        assert link in body
        assert "查看详情" in body
    deliveries = MailDelivery.objects.filter(subject__contains=application.number)
    assert sorted(deliveries.values_list("address", "status", "attempts")) == sorted(
        (address, MailDelivery.Status.SENT, 1) for address in people
    )
    assert all(delivery.sent_at is not None for delivery in deliveries)


def test_a_refused_recipient_is_recorded_failed_with_the_servers_reason_and_the_tick_delivers_it_later(
    smtp_server: MailServer,
    web_users: dict[str, User],
    web_application_in: Callable[..., Application],
    web_take_step: Callable[[Application, str], Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Issue 16: "recorded as sent only when the server accepted it (no fail_silently=True hiding failures:
    a failed delivery is recorded as failed with the reason, retried by the next tick)"."""
    operator = web_users["operator"].email
    smtp_server.refuse.add(operator)
    application = _city_decision(web_application_in, web_take_step, django_capture_on_commit_callbacks)
    refused = MailDelivery.objects.get(address=operator, subject__contains=application.number)
    assert refused.status == MailDelivery.Status.FAILED
    assert refused.sent_at is None
    assert refused.last_error.startswith("550 5.1.1"), refused.last_error
    assert refused.attempts == 1, "a 550 is final: trying it again at once is pointless"
    # The refusal is the operator's alone: the county officer's message went out.
    officer = MailDelivery.objects.get(
        address=web_users["county_officer"].email, subject__contains=application.number
    )
    assert officer.status == MailDelivery.Status.SENT
    assert [item.recipients for item in smtp_server.received] == [[officer.address]]

    smtp_server.refuse.clear()
    result = CliRunner().invoke(main, ["tick", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["mail"] == {"sent": 1, "failed": 0}
    refused.refresh_from_db()
    assert refused.status == MailDelivery.Status.SENT
    assert refused.attempts == 2
    assert [item.recipients for item in smtp_server.received] == [[officer.address], [operator]]
    assert f"{SITE}{application.get_absolute_url()}" in smtp_server.received[1].message.get_content()
    # Delivered once: a further tick sends nothing again.
    assert mail_deliver_pending().as_json() == {"sent": 0, "failed": 0}
    assert len(smtp_server.received) == 2


def test_an_unreachable_server_leaves_every_message_failed_after_retries_and_the_tick_delivers_them(
    smtp_server: MailServer,
    settings: Any,
    web_users: dict[str, User],
    web_application_in: Callable[..., Application],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Issue 16: "delivery retried (a few attempts with backoff on SMTP/connection errors)"; nothing is
    counted sent while the server cannot be reached."""
    settings.EMAIL_PORT = free_port()  # nobody listens there: connection refused
    application = _submit(web_users, web_application_in, django_capture_on_commit_callbacks)
    failed = MailDelivery.objects.get(subject__contains=application.number)
    assert failed.status == MailDelivery.Status.FAILED
    assert failed.attempts == settings.MAIL_DELIVERY_ATTEMPTS == 3
    assert "ConnectionRefusedError" in failed.last_error
    assert smtp_server.received == []

    settings.EMAIL_PORT = smtp_server.port
    assert mail_deliver_pending().sent >= 1
    failed.refresh_from_db()
    assert failed.status == MailDelivery.Status.SENT
    assert [item.recipients for item in smtp_server.received] == [[web_users["city_officer"].email]]


def test_a_busy_server_is_tried_again_with_growing_pauses(
    smtp_server: MailServer,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    web_users: dict[str, User],
    web_application_in: Callable[..., Application],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A 451 ("try again later") is retried in the same run after SMECLUSTER_EMAIL_RETRY_SECONDS, then
    twice that: the third try is accepted and the message is recorded sent once."""
    settings.MAIL_RETRY_SECONDS = 2.0
    pauses: list[float] = []
    monkeypatch.setattr(mail_module.time, "sleep", pauses.append)
    smtp_server.busy = 2
    application = _submit(web_users, web_application_in, django_capture_on_commit_callbacks)
    delivery = MailDelivery.objects.get(subject__contains=application.number)
    assert (delivery.status, delivery.attempts) == (MailDelivery.Status.SENT, 3)
    assert pauses == [2.0, 4.0]
    assert len(smtp_server.received) == 1


def test_a_rolled_back_change_queues_no_mail(
    web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    """The delivery record is written in the service's transaction: no change, no mail to send later."""
    application = web_application_in(Status.DRAFT)
    before = MailDelivery.objects.count()
    queued_inside: list[int] = []

    def submit_then_roll_back() -> None:
        with transaction.atomic():
            application_services.application_submit(
                actor=web_users["county_officer"], application=application, pledge=PLEDGE
            )
            queued_inside.append(MailDelivery.objects.count())
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        submit_then_roll_back()
    assert queued_inside == [before + 1]
    assert MailDelivery.objects.count() == before


def test_the_platform_admin_sees_failed_deliveries_with_their_reason(
    smtp_server: MailServer,
    web_users: dict[str, User],
    web_application_in: Callable[..., Application],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Issue 16: a failed delivery is "visible to the platform admin" (the admin's 邮件投递 list)."""
    smtp_server.refuse.add(web_users["city_officer"].email)
    application = _submit(web_users, web_application_in, django_capture_on_commit_callbacks)
    admin = web_users["province_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("admin:notifications_maildelivery_changelist"), {"status__exact": "failed"})
    assert page.status_code == 200
    text = page.content.decode()
    assert application.number in text
    assert "550 5.1.1" in text
    assert web_users["city_officer"].email in text


def test_absolute_url_puts_the_site_address_before_a_path(settings: Any) -> None:
    settings.SITE_URL = SITE
    assert absolute_url("/annual-reports/11/") == f"{SITE}/annual-reports/11/"
    assert absolute_url("annual-reports/11/") == f"{SITE}/annual-reports/11/"
    assert absolute_url("https://elsewhere.example/x") == "https://elsewhere.example/x"


def test_the_records_of_mail_sent_long_ago_are_deleted_and_failed_ones_kept(settings: Any) -> None:
    """A sent mail's record holds what it said: kept SMECLUSTER_EMAIL_KEEP_DAYS, then deleted by the tick;
    a failed one stays in the admin's sight."""
    from datetime import timedelta

    from django.utils import timezone

    from smecluster.apps.notifications.mail import mail_deliveries_purge

    now = timezone.now()
    settings.MAIL_KEEP_DAYS = 180
    old, recent, failed = (
        MailDelivery.objects.create(address=f"{name}@example.test", subject=name, body=name, status=status)
        for name, status in [
            ("old", MailDelivery.Status.SENT),
            ("recent", MailDelivery.Status.SENT),
            ("failed", MailDelivery.Status.FAILED),
        ]
    )
    MailDelivery.objects.filter(pk=old.pk).update(sent_at=now - timedelta(days=181))
    MailDelivery.objects.filter(pk=recent.pk).update(sent_at=now - timedelta(days=179))
    assert mail_deliveries_purge() == 1
    assert set(MailDelivery.objects.values_list("subject", flat=True)) >= {"recent", "failed"}
    assert not MailDelivery.objects.filter(pk=old.pk).exists()
    assert MailDelivery.objects.filter(pk=failed.pk, status=MailDelivery.Status.FAILED).exists()


def test_a_server_that_does_not_answer_is_not_waited_for_twice(settings: Any) -> None:
    """A server that accepts the connection and never greets: one EMAIL_TIMEOUT, recorded failed, the rest
    of the run not tried (the person whose request sent it would wait out every timeout)."""
    from smecluster.apps.notifications.mail import mail_deliver, mail_queue

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = silent.getsockname()[1]
        settings.EMAIL_TIMEOUT = 1
        first, second = (
            mail_queue(address=f"{name}@example.test", subject="提醒", body="正文") for name in ("a", "b")
        )
        assert mail_deliver([first.pk, second.pk]).as_json() == {"sent": 0, "failed": 2}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts) == (MailDelivery.Status.FAILED, 1)
    assert "timed out" in first.last_error
    assert (second.status, second.attempts) == (MailDelivery.Status.FAILED, 0)
    assert second.last_error == first.last_error


def _mail_settings(environment: dict[str, str], tmp_path: Any) -> Any:
    """The mail settings as ``smecluster.site.settings`` reads them from ``environment``, in a process of
    its own (settings are read once per process)."""
    import os
    import subprocess
    import sys

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SMECLUSTER_EMAIL")
        and key not in {"SMECLUSTER_SITE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {
        "SMECLUSTER_SECRET_KEY": "test-only-not-secret",
        "SMECLUSTER_DATA_DIR": str(tmp_path),
        **environment,
    }
    names = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
             "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT", "SITE_URL"]  # fmt: skip
    script = (
        "import json, smecluster.site.settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {names!r}}}))"
    )
    return subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False, timeout=120
    )


def test_smtp_settings_come_from_the_environment(tmp_path: Any) -> None:
    """Issue 16: "SMTP settings from the environment (SMECLUSTER_EMAIL_HOST, _PORT, _HOST_USER,
    _HOST_PASSWORD, _USE_TLS, _USE_SSL, _TIMEOUT)", the console default kept for the demo."""
    demo = _mail_settings({}, tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert json.loads(demo.stdout)["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"

    relay = _mail_settings(
        {
            "SMECLUSTER_EMAIL_HOST": "smtp.gd.gov.cn",
            "SMECLUSTER_EMAIL_USE_TLS": "1",
            "SMECLUSTER_EMAIL_HOST_USER": "cluster-platform",
            "SMECLUSTER_EMAIL_HOST_PASSWORD": "s3cret",
            "SMECLUSTER_EMAIL_TIMEOUT": "20",
            "SMECLUSTER_SITE_URL": "https://cluster.example.gov.cn/",
        },
        tmp_path,
    )
    assert relay.returncode == 0, relay.stderr
    assert json.loads(relay.stdout) == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.gd.gov.cn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "cluster-platform",
        "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 20,
        "SITE_URL": "https://cluster.example.gov.cn",
    }
    ssl = _mail_settings(
        {"SMECLUSTER_EMAIL_HOST": "smtp.gd.gov.cn", "SMECLUSTER_EMAIL_USE_SSL": "1"}, tmp_path
    )
    assert json.loads(ssl.stdout)["EMAIL_PORT"] == 465

    both = _mail_settings({"SMECLUSTER_EMAIL_USE_TLS": "1", "SMECLUSTER_EMAIL_USE_SSL": "1"}, tmp_path)
    assert both.returncode != 0
    assert "not both" in both.stderr
    relative = _mail_settings({"SMECLUSTER_SITE_URL": "cluster.example.gov.cn"}, tmp_path)
    assert relative.returncode != 0
    assert "SMECLUSTER_SITE_URL must start with https://" in relative.stderr
