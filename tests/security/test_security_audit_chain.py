"""Finding 8 of issue 12: the audit log is tamper-evident, and logins are audited.

The table owner can still lift the append-only trigger; these tests do exactly that (as the test
database's superuser) and then change an event's reason, delete an event, truncate the table after its
head was recorded, and swap two events' times: ``smecluster audit verify`` exits 1 naming the event each
time, and 0 on the intact log. Logins, failed logins (known or unknown username) and logouts leave events
with the client's address. The chain is also checked under PostgreSQL's concurrency: two transactions
writing at once still form one chain.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client
from django.utils import timezone

from factories import PASSWORD, UserFactory
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import User
from smecluster.apps.audit import actions, sqlite_append_only
from smecluster.apps.audit.chain import chain_head, content_hash_of, verify_chain
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.audit.services import audit_record
from smecluster.cli import main

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="lifts PostgreSQL's trigger; the suite runs on PostgreSQL"
)
TRIGGER_OFF = "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only"
TRIGGER_ON = "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only"


@pytest.fixture
def officer(db: Any) -> User:
    # The GB/T 2260 table comes from a data migration, which a transactional test's flush empties.
    ensure_divisions()
    return UserFactory(county_officer=True)


@pytest.fixture
def five_events(officer: User) -> list[AuditEvent]:
    """Five events, a second apart, with JSON of every shape (floats included) in before/after."""
    events = []
    for number in range(5):
        with transaction.atomic():
            events.append(
                audit_record(
                    actor=officer,
                    action=actions.USER_UPDATE,
                    target=officer,
                    before={"n": number, "ratio": 1.0, "share": 0.1, "big": 1e20, "list": (1, "二")},
                    after={"n": number + 1, "nested": {"b": None, "a": [True, 2.5]}},
                    reason=f"第{number}次修改",
                )
            )
    return events


@pytest.fixture
def trigger_lifted() -> Iterator[None]:
    """As the table owner would, inside the test's transaction (the actor foreign key's deferred checks
    must run first: PostgreSQL alters no table with pending trigger events)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(TRIGGER_OFF)
    yield
    with connection.cursor() as cursor:
        cursor.execute(TRIGGER_ON)


def _verify(*options: str) -> tuple[int, Any]:
    result = CliRunner().invoke(main, ["audit", "verify", "--json", *options])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, json.loads(result.output)


def test_an_intact_chain_verifies(five_events: list[AuditEvent]) -> None:
    code, body = _verify()
    assert code == 0, body
    assert body["intact"]
    assert body["head"]["count"] == 5
    assert body["head"]["hash"] == five_events[-1].content_hash
    assert five_events[0].previous_hash == ""
    for earlier, later in itertools.pairwise(five_events):
        assert later.previous_hash == earlier.content_hash
    # The hash computed before insert is the one recomputed from what the database gives back.
    for event in AuditEvent.objects.order_by("pk"):
        assert content_hash_of(event) == event.content_hash
    assert _verify("--expect-head", five_events[-1].content_hash, "--expect-count", "5")[0] == 0
    # The head recorded earlier stays valid as the log grows.
    assert _verify("--expect-head", five_events[2].content_hash, "--expect-count", "3")[0] == 0
    plain = CliRunner().invoke(main, ["audit", "verify"])
    assert plain.exit_code == 0
    assert "intact: 5 event(s)" in plain.output


def test_the_empty_log_verifies(db: Any) -> None:
    assert _verify() == (
        0,
        {"intact": True, "head": {"hash": "", "count": 0}, "broken_event": None, "problem": ""},
    )


@needs_postgresql
def test_the_trigger_still_refuses_changes(five_events: list[AuditEvent]) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [five_events[0].pk])


@needs_postgresql
def test_a_changed_reason_is_caught(five_events: list[AuditEvent], trigger_lifted: None) -> None:
    tampered = five_events[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = '无' WHERE id = %s", [tampered.pk])
    code, body = _verify()
    assert code == 1
    assert body["broken_event"] == tampered.pk
    assert f"event #{tampered.pk}" in body["problem"]
    assert "changed" in body["problem"]
    plain = CliRunner().invoke(main, ["audit", "verify"])
    assert plain.exit_code == 1
    assert f"event #{tampered.pk}" in plain.output


@needs_postgresql
def test_a_rewritten_event_with_its_successors_link_is_caught_by_the_recorded_head(
    five_events: list[AuditEvent], trigger_lifted: None
) -> None:
    """A tamperer who rehashes the event and relinks its successor still changes every later hash."""
    recorded = chain_head()
    tampered, successor = five_events[1], five_events[2]
    tampered.reason = "无"
    forged = content_hash_of(tampered)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET reason = '无', content_hash = %s WHERE id = %s",
            [forged, tampered.pk],
        )
        cursor.execute("UPDATE audit_auditevent SET previous_hash = %s WHERE id = %s", [forged, successor.pk])
    code, body = _verify("--expect-head", recorded.hash, "--expect-count", str(recorded.count))
    assert code == 1
    assert body["broken_event"] == successor.pk  # its own hash covered the link that was rewritten


@needs_postgresql
def test_a_deleted_event_is_caught(five_events: list[AuditEvent], trigger_lifted: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [five_events[2].pk])
    code, body = _verify()
    assert code == 1
    assert body["broken_event"] == five_events[3].pk
    assert f"does not follow event #{five_events[1].pk}" in body["problem"]


@needs_postgresql
def test_a_deleted_first_event_is_caught(five_events: list[AuditEvent], trigger_lifted: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [five_events[0].pk])
    code, body = _verify()
    assert code == 1
    assert body["broken_event"] == five_events[1].pk
    assert "the start of the log" in body["problem"]


@needs_postgresql
def test_a_truncated_log_is_caught_against_the_recorded_head(five_events: list[AuditEvent]) -> None:
    """TRUNCATE fires no row trigger, so the trigger need not even be lifted."""
    result = CliRunner().invoke(main, ["tick", "--as-of", timezone.localdate().isoformat(), "--json"])
    assert result.exit_code == 0, result.output
    recorded = json.loads(result.output)["audit_head"]
    assert recorded == {"hash": five_events[-1].content_hash, "count": 5}
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no TRUNCATE with pending foreign-key checks
        cursor.execute("TRUNCATE audit_auditevent")
    code, body = _verify("--expect-head", recorded["hash"], "--expect-count", str(recorded["count"]))
    assert code == 1
    assert recorded["hash"] in body["problem"]
    assert "truncated" in body["problem"]
    # Without the recorded head an empty log is indistinguishable from a new one: that is why tick prints it.
    assert _verify()[0] == 0


@needs_postgresql
def test_deleted_last_events_are_caught_against_the_recorded_head(
    five_events: list[AuditEvent], trigger_lifted: None
) -> None:
    recorded = chain_head()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id >= %s", [five_events[3].pk])
    assert _verify()[0] == 0  # what is left is a valid chain ...
    code, body = _verify("--expect-head", recorded.hash)
    assert code == 1
    assert recorded.hash in body["problem"]


@needs_postgresql
def test_events_deleted_before_the_recorded_head_and_relinked_are_caught_by_the_count(
    five_events: list[AuditEvent], trigger_lifted: None
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert _verify("--expect-count", "5")[0] == 1


@needs_postgresql
def test_two_swapped_times_are_caught(five_events: list[AuditEvent], trigger_lifted: None) -> None:
    first, second = five_events[1], five_events[3]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET at = %s WHERE id = %s", [second.at, first.pk])
        cursor.execute("UPDATE audit_auditevent SET at = %s WHERE id = %s", [first.at, second.pk])
    code, body = _verify()
    assert code == 1
    assert body["broken_event"] == first.pk
    assert f"event #{first.pk}" in body["problem"]


@needs_postgresql
def test_two_swapped_rows_are_caught(five_events: list[AuditEvent], trigger_lifted: None) -> None:
    """Reordering by swapping the ids: the link of the one now first no longer fits."""
    first, second = five_events[1], five_events[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET id = -1 WHERE id = %s", [first.pk])
        cursor.execute("UPDATE audit_auditevent SET id = %s WHERE id = %s", [first.pk, second.pk])
        cursor.execute("UPDATE audit_auditevent SET id = %s WHERE id = -1", [second.pk])
    code, body = _verify()
    assert code == 1
    assert body["broken_event"] == first.pk


def test_the_chain_survives_a_clock_going_back(officer: User, clock: Any) -> None:
    """Two app servers' clocks differ: a later event may carry an earlier time, and the chain still holds."""
    now = timezone.now()
    for moment in (now, now - timedelta(seconds=5), now + timedelta(seconds=1)):
        clock.move_to(moment)
        with transaction.atomic():
            audit_record(actor=officer, action=actions.USER_UPDATE, target=officer)
    assert verify_chain().intact


def test_sqlite_refuses_to_change_or_delete_an_audit_row() -> None:
    """The triggers migration 0004 creates on SQLite, on a scratch database (the suite runs on PostgreSQL)."""
    database = sqlite3.connect(":memory:")
    database.execute("CREATE TABLE audit_auditevent (id INTEGER PRIMARY KEY, reason TEXT)")
    for statement in sqlite_append_only.CREATE:
        database.execute(statement)
    database.execute("INSERT INTO audit_auditevent (reason) VALUES ('理由')")
    for change in ("UPDATE audit_auditevent SET reason = '无'", "DELETE FROM audit_auditevent"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            database.execute(change)
    assert database.execute("SELECT reason FROM audit_auditevent").fetchall() == [("理由",)]


def test_events_are_written_only_by_audit_record(officer: User) -> None:
    with pytest.raises(RuntimeError, match="audit_record"):
        AuditEvent(action="user.update", target_type="accounts.user", target_id="1").save()


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_form_one_chain(officer: User) -> None:
    """Ten threads each write an event while holding their transaction open: the advisory lock makes them
    chain one after the other, never two onto the same head."""
    start = threading.Barrier(10)
    failures: list[BaseException] = []

    def write() -> None:
        try:
            start.wait()
            with transaction.atomic():
                audit_record(actor=officer, action=actions.USER_UPDATE, target=officer)
                # Keep the transaction open a moment, so an unserialized writer would read the same head.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(0.02)")
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    previous = list(AuditEvent.objects.values_list("previous_hash", flat=True))
    assert len(previous) == len(set(previous)) == 10
    assert verify_chain().intact


def _address(event: AuditEvent) -> str:
    assert event.after is not None
    return str(event.after["address"])


def test_login_failed_login_and_logout_are_audited_with_the_address(officer: User) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    page = client.post("/accounts/login/", {"username": officer.username, "password": "wrong-password"})
    assert page.status_code == 200
    failed = AuditEvent.objects.get(action=actions.ACCOUNT_LOGIN_FAILED.code)
    assert (failed.actor_id, failed.target_type, failed.target_id) == (None, "accounts.user", str(officer.pk))
    assert failed.after == {"username": officer.username, "address": "203.0.113.7"}
    assert "wrong-password" not in json.dumps(failed.after) + failed.reason

    page = client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})
    assert page.status_code == 302
    login = AuditEvent.objects.get(action=actions.ACCOUNT_LOGIN.code)
    assert (login.actor_id, login.target_id, _address(login)) == (officer.pk, str(officer.pk), "203.0.113.7")
    assert login.role == officer.role

    assert client.post("/accounts/logout/").status_code == 302
    logout = AuditEvent.objects.get(action=actions.ACCOUNT_LOGOUT.code)
    assert (logout.actor_id, logout.target_id, _address(logout)) == (
        officer.pk,
        str(officer.pk),
        "203.0.113.7",
    )
    assert [event.action for event in AuditEvent.objects.order_by("pk")] == [
        "account.login_failed", "account.login", "account.logout",
    ]  # fmt: skip
    assert verify_chain().intact


def test_a_failed_login_for_an_unknown_username_targets_no_account(db: Any) -> None:
    client = Client(REMOTE_ADDR="198.51.100.9")
    attempted = "无此人" + "x" * 300
    client.post("/accounts/login/", {"username": attempted, "password": "whatever"})
    failed = AuditEvent.objects.get(action=actions.ACCOUNT_LOGIN_FAILED.code)
    assert (failed.actor_id, failed.target_type, failed.target_id) == (None, "accounts.user", "")
    assert failed.after == {"username": attempted[:150], "address": "198.51.100.9"}


def test_logging_out_without_a_session_records_nothing(db: Any) -> None:
    assert Client().post("/accounts/logout/").status_code == 302
    assert not AuditEvent.objects.exists()


def test_the_login_actions_are_administration(db: Any) -> None:
    for action in (actions.ACCOUNT_LOGIN, actions.ACCOUNT_LOGIN_FAILED, actions.ACCOUNT_LOGOUT):
        assert action.category == actions.Category.ADMINISTRATION
