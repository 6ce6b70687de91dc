"""The audit log as a hash chain, so a change made behind the application's back can be detected.

Each event stores ``content_hash``, the SHA-256 of its canonical content, and ``previous_hash``, the
``content_hash`` of the event written before it ("" for the first). The canonical content covers the
event's fields and ``previous_hash`` itself: the head's hash therefore commits to the whole history, so a
head hash kept elsewhere (``smecluster tick`` prints it daily) also exposes an event rewritten in the
middle together with its successor's link. The chain runs in insertion order (primary key):
``audit_record`` serializes writers on a lock before reading the head, so ids follow the chain, while
``at`` can go backwards between two app servers whose clocks differ by a millisecond.

``verify_chain`` recomputes every hash and names the first event that no longer fits: its content
changed, an event before it was deleted, or two events were reordered; with the head recorded earlier it
also notices that the log was truncated.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from smecluster.apps.audit.models import AuditEvent

CHAIN_LOCK_KEY = 7_301_845_906_201_513_527
"""The PostgreSQL advisory lock writers of the chain take (an arbitrary constant, unique in this project)."""


def json_as_stored(value: Any) -> Any:
    """``value`` as the database gives it back: JSON round-tripped, and a whole-number float as an integer
    (PostgreSQL's jsonb returns ``1e20`` as ``100000000000000000000``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(key): json_as_stored(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_as_stored(item) for item in value]
    return value


def content_hash_of(event: Any) -> str:
    """The SHA-256 (hex) of ``event``'s canonical content: sorted keys, no whitespace, UTF-8.

    ``event`` is an :class:`AuditEvent` or a migration's historical one (only its attributes are read)."""
    at: datetime = event.at
    content = {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "role": event.role,
        "jurisdiction": event.jurisdiction,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "before": json_as_stored(event.before),
        "after": json_as_stored(event.after),
        "reason": event.reason,
        "request_id": event.request_id,
        "previous_hash": event.previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def lock_chain() -> None:
    """Hold the chain until the current transaction ends, so two writers never chain onto the same head.

    SQLite needs nothing: its single writer lock already serializes the transactions that write."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def head_hash() -> str:
    """The hash of the last event written ("" for an empty log)."""
    return AuditEvent.objects.order_by("-pk").values_list("content_hash", flat=True).first() or ""


@dataclass(frozen=True)
class ChainHead:
    hash: str
    count: int

    def as_json(self) -> dict[str, Any]:
        return {"hash": self.hash, "count": self.count}


def chain_head() -> ChainHead:
    return ChainHead(hash=head_hash(), count=AuditEvent.objects.count())


@dataclass(frozen=True)
class ChainVerdict:
    head: ChainHead
    broken_event: int | None
    """The id of the first event that does not fit (None when the chain is intact or was truncated)."""
    problem: str
    """What is wrong, naming the event; "" when intact."""

    @property
    def intact(self) -> bool:
        return not self.problem

    def as_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "head": self.head.as_json(),
            "broken_event": self.broken_event,
            "problem": self.problem,
        }


def _named(event: AuditEvent) -> str:
    target = f"{event.target_type} {event.target_id or '-'}"
    return f"event #{event.pk} ({event.action} on {target}, {event.at.isoformat()})"


def verify_chain(*, expect_head: str = "", expect_count: int | None = None) -> ChainVerdict:
    """Recompute the chain in insertion order and compare it with ``expect_head`` (and the number of events
    there were then, ``expect_count``) when given: the head printed by an earlier ``smecluster tick``."""
    previous: AuditEvent | None = None
    count = 0
    head_position: int | None = None
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000):
        count += 1
        expected_previous = previous.content_hash if previous else ""
        if event.previous_hash != expected_previous:
            after = f"event #{previous.pk}" if previous else "the start of the log"
            problem = (
                f"{_named(event)} does not follow {after}: an event between them was deleted, "
                "or events were reordered"
            )
            return ChainVerdict(chain_head(), event.pk, problem)
        if content_hash_of(event) != event.content_hash:
            problem = (
                f"{_named(event)} was changed after it was written: its content no longer matches its hash"
            )
            return ChainVerdict(chain_head(), event.pk, problem)
        if expect_head and event.content_hash == expect_head:
            head_position = count
        previous = event
    head = ChainHead(hash=previous.content_hash if previous else "", count=count)
    if expect_head and head_position is None:
        problem = (
            f"the recorded head {expect_head} is no longer in the log ({count} event(s) now): "
            "the log was truncated or its last events deleted"
        )
        return ChainVerdict(head, None, problem)
    if expect_count is not None and head_position is not None and head_position != expect_count:
        problem = (
            f"the recorded head {expect_head} is event {head_position} of the log, not event {expect_count}: "
            "events before it were removed"
        )
        return ChainVerdict(head, None, problem)
    if expect_count is not None and not expect_head and count < expect_count:
        problem = f"the log holds {count} event(s), fewer than the {expect_count} recorded: it was truncated"
        return ChainVerdict(head, None, problem)
    return ChainVerdict(head, None, "")
