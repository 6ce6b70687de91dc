"""E-mail out of the platform: one message per address, recorded, retried, and counted as sent only when
the mail server accepted it.

A service queues its mail in its own transaction (:func:`mail_queue`, a :class:`MailDelivery` row per
address) and asks for delivery after commit (:func:`mail_deliver_after_commit`): a rolled-back change mails
nothing. Delivery is the job worker's (``notifications.tasks.deliver_mail``, enqueued when the transaction
commits): no page ever waits for an SMTP server, however slow or unreachable. Delivery tries each message a
few times with a growing pause when the server is unreachable or answers "try later" (4xx); a refusal
(5xx) is final for this run. Whatever is not accepted stays ``failed`` with the server's own words, visible
in the admin, and ``smecluster tick`` tries again (:func:`mail_deliver_pending`) for ``MAIL_RETRY_DAYS``
days.

Links in a mail are absolute (``SITE_URL``): a relative ``/annual-reports/11/`` means nothing in a mail
client.
"""

from __future__ import annotations

import contextlib
import smtplib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from smecluster.apps.accounts.models import User
from smecluster.apps.notifications.models import MailDelivery

SUBJECT_PREFIX = "[smecluster] "
# A claim ("sending") older than this belongs to a process that died mid-delivery: the tick takes it over.
STALE_CLAIM = timedelta(minutes=30)
# The longest reason kept: an SMTP server's reply, or the connection error.
REASON_MAX_CHARS = 1000


@dataclass(frozen=True)
class DeliveryCount:
    """What one delivery run did."""

    sent: int = 0
    failed: int = 0

    def as_json(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed}


def absolute_url(path: str) -> str:
    """``path`` (a site path such as ``/annual-reports/11/``) as a link that works from a mail client."""
    if "://" in path:
        return path
    return f"{settings.SITE_URL}/{path.lstrip('/')}"


def mail_subject(text: str) -> str:
    subject = SUBJECT_PREFIX + " ".join(str(text).split())
    limit = MailDelivery._meta.get_field("subject").max_length or len(subject)
    return subject if len(subject) <= limit else subject[: limit - 1] + "…"


def mail_queue(*, address: str, subject: str, body: str, recipient: User | None = None) -> MailDelivery:
    """Record one message to one address, to be delivered once the caller's transaction commits."""
    return MailDelivery.objects.create(
        recipient=recipient, address=address, subject=mail_subject(subject), body=body
    )


def mail_deliver_after_commit(deliveries: Sequence[MailDelivery]) -> None:
    """Have the job worker deliver ``deliveries`` once the current transaction commits (outside one, at
    once). The request only enqueues: the SMTP conversation, its retries and pauses are the worker's."""
    if not deliveries:
        return
    ids = [delivery.pk for delivery in deliveries]
    # robust: the change is committed whatever happens to its mail; an unforeseen error is logged (the rows
    # stay pending and the tick delivers them), never turned into an error page for the person.
    transaction.on_commit(lambda: _enqueue_delivery(ids), robust=True)


def _enqueue_delivery(ids: list[int]) -> None:
    from smecluster.apps.notifications.tasks import deliver_mail

    deliver_mail.enqueue(ids)


def mail_deliver(ids: Iterable[int]) -> DeliveryCount:
    """Deliver these queued messages, unless another process has them or they were sent already."""
    return _deliver(_claim(MailDelivery.objects.filter(pk__in=list(ids))))


def mail_deliver_pending() -> DeliveryCount:
    """Deliver what is still waiting: failed messages of the last ``MAIL_RETRY_DAYS`` days, messages whose
    delivery after commit never ran, and claims abandoned by a process that died. For the daily tick."""
    now = timezone.now()
    waiting = MailDelivery.objects.filter(created_at__gte=now - timedelta(days=settings.MAIL_RETRY_DAYS))
    return _deliver(_claim(waiting))


def mail_deliveries_purge() -> int:
    """Delete the records of mail sent more than ``MAIL_KEEP_DAYS`` days ago: they hold what the mail said
    (names, numbers, findings), kept only as long as someone may ask whether a mail went out."""
    cutoff = timezone.now() - timedelta(days=settings.MAIL_KEEP_DAYS)
    deleted, _ = MailDelivery.objects.filter(status=MailDelivery.Status.SENT, sent_at__lt=cutoff).delete()
    return deleted


def _claim(candidates: QuerySet[MailDelivery]) -> list[MailDelivery]:
    """Mark the deliverable ones ``sending`` in a transaction of their own and return them: rows another
    process holds (locked or freshly claimed) are left to it, so no message goes out twice."""
    now = timezone.now()
    deliverable = Q(status__in=[MailDelivery.Status.PENDING, MailDelivery.Status.FAILED]) | Q(
        status=MailDelivery.Status.SENDING, last_attempt_at__lt=now - STALE_CLAIM
    )
    with transaction.atomic():
        # of=self: the recipient's row comes along (an outer join), unlocked.
        claimed = list(
            candidates.filter(deliverable)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
        )
        MailDelivery.objects.filter(pk__in=[delivery.pk for delivery in claimed]).update(
            status=MailDelivery.Status.SENDING, last_attempt_at=now
        )
    claimed.sort(key=lambda delivery: delivery.pk)
    return claimed


@dataclass(frozen=True)
class _Failure:
    reason: str
    # The server said no to this message for good (5xx): trying it again in this run is pointless.
    final: bool
    # Nothing can go out in this run (no connection, refused login): the rest of the batch is not tried.
    whole_run: bool


def _deliver(deliveries: list[MailDelivery]) -> DeliveryCount:
    if not deliveries:
        return DeliveryCount()
    connection = get_connection(fail_silently=False)
    sent = failed = 0
    unreachable: str | None = None
    try:
        for delivery in deliveries:
            if delivery.recipient is not None and delivery.recipient.email:
                # The account's address now: an address corrected since the first try is the one to use.
                delivery.address = delivery.recipient.email
            failure = (
                _Failure(reason=unreachable, final=True, whole_run=True)
                if unreachable is not None
                else _send_with_retries(connection, delivery)
            )
            now = timezone.now()
            delivery.last_attempt_at = now
            if failure is None:
                delivery.status = MailDelivery.Status.SENT
                delivery.sent_at = now
                delivery.last_error = ""
                sent += 1
            else:
                delivery.status = MailDelivery.Status.FAILED
                delivery.last_error = failure.reason
                failed += 1
                if failure.whole_run:
                    unreachable = failure.reason
            delivery.save(
                update_fields=["address", "status", "attempts", "last_error", "last_attempt_at", "sent_at"]
            )
    finally:
        _close(connection)
    return DeliveryCount(sent=sent, failed=failed)


def _send_with_retries(connection: BaseEmailBackend, delivery: MailDelivery) -> _Failure | None:
    failure: _Failure | None = None
    for attempt in range(settings.MAIL_DELIVERY_ATTEMPTS):
        if attempt:
            time.sleep(settings.MAIL_RETRY_SECONDS * 2 ** (attempt - 1))
        delivery.attempts += 1
        message = EmailMessage(
            subject=delivery.subject,
            body=delivery.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.address],
            connection=connection,
        )
        try:
            connection.open()
            if message.send() == 1:
                return None
            failure = _Failure(reason="the mail backend accepted nothing", final=False, whole_run=False)
        except (smtplib.SMTPException, OSError) as error:
            failure = _failure(error)
            # A connection in an unknown state is not reused: the next attempt connects again.
            _close(connection)
        except ValueError as error:
            # The message cannot be written (an address Django cannot encode): no server would take it.
            return _Failure(reason=_cut(f"{type(error).__name__}: {error}"), final=True, whole_run=False)
        if failure.final:
            return failure
    return failure


def _failure(error: smtplib.SMTPException | OSError) -> _Failure:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
        reason = "; ".join(f"{code} {_text(text)}" for code, text in replies)
        final = all(code >= 500 for code, _ in replies)
        return _Failure(reason=_cut(reason or str(error)), final=final, whole_run=False)
    whole_run = isinstance(
        error,
        smtplib.SMTPConnectError
        | smtplib.SMTPServerDisconnected
        | smtplib.SMTPAuthenticationError
        | smtplib.SMTPHeloError
        | smtplib.SMTPNotSupportedError,
    ) or not isinstance(error, smtplib.SMTPException)
    if isinstance(error, smtplib.SMTPResponseException):
        reason = f"{error.smtp_code} {_text(error.smtp_error)}"
        # A refused login will not be accepted on a second try either.
        final = error.smtp_code >= 500
        return _Failure(reason=_cut(f"{type(error).__name__}: {reason}"), final=final, whole_run=whole_run)
    # A server that does not answer within EMAIL_TIMEOUT is not waited for again in this run: the worker
    # (and the jobs queued behind it) would wait each timeout out. The tick tries again.
    final = _timed_out(error)
    return _Failure(reason=_cut(f"{type(error).__name__}: {error}"), final=final, whole_run=whole_run)


def _timed_out(error: BaseException) -> bool:
    """Whether a timeout is behind ``error`` (smtplib reports one in a reply as a disconnection)."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, TimeoutError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _cut(reason: str) -> str:
    return reason if len(reason) <= REASON_MAX_CHARS else reason[: REASON_MAX_CHARS - 1] + "…"


def _close(connection: BaseEmailBackend) -> None:
    # Closing a connection that already broke can raise again; there is nothing left to save in it.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.close()
