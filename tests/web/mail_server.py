"""A real SMTP server on loopback for the mail tests (aiosmtpd): it keeps what it accepts, parsed, and can
be told to refuse an address (550) or to answer "try later" (451) a number of times."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

SITE = "https://cluster.example.gov.cn"
"""SITE_URL while the server runs: the links in the mails it receives start with it."""


@dataclass
class Received:
    """One message as the server stored it: the envelope's recipients and the parsed message."""

    recipients: list[str]
    message: EmailMessage


@dataclass
class MailServer:
    """An SMTP server on loopback that keeps what it accepts; ``refuse`` holds addresses it answers 550
    for, ``busy`` how many DATA commands it still answers 451 (try later)."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    busy: int = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: 用户不存在 (mailbox unavailable)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.busy:
            self.busy -= 1
            return "451 4.3.0 try again later"
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(recipients=list(envelope.rcpt_tos), message=message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_mail_server(settings: Any) -> Iterator[MailServer]:
    """The platform's SMTP settings (pytest-django's ``settings``) point at a real server on 127.0.0.1, as
    SMECLUSTER_EMAIL_HOST/_PORT would, and SITE_URL at :data:`SITE`."""
    server = MailServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = SITE
    try:
        yield server
    finally:
        controller.stop()
