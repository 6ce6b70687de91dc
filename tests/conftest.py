"""Fixtures for every test.

``clock``: the suite's one clock (tests/clock.py), time-machine frozen wherever a test puts it::

    def test_the_notice_ends(clock: Clock) -> None:
        clock.beijing(date(2024, 2, 29), 23, 59, 59)   # Beijing time
        clock.move_to(datetime(2024, 3, 1, 16, 0, tzinfo=UTC))
        clock.shift(timedelta(days=1))

Until the test first moves it, the clock is the real time. Every reader follows it: Django's
``timezone.now``/``localdate`` (so ``auto_now`` fields, session expiry and the services' "today"),
``datetime.now``, ``date.today`` and ``time.time``, in every thread (the live server of the browser tests).

Every test starts in the site's language (zh-Hans): a request through the test client activates the
visitor's language in the test's own thread and Django does not undo it, so without this a service called
after an English page would write its notifications in English, depending on which tests ran before on
the same worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db.backends.sqlite3.base import DatabaseOperations as SQLiteOperations
from django.utils import translation

from clock import Clock
from smecluster.apps.audit import sqlite_append_only


@pytest.fixture
def clock(time_machine: time_machine.TimeMachineFixture) -> Clock:
    return Clock(time_machine)


@pytest.fixture(autouse=True)
def site_language() -> Iterator[None]:
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with an empty cache: what one test's world cached (the dashboard's figures, keyed
    by the last audit event's id) must never answer in another's."""
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def audit_rows_flushable_on_sqlite() -> Iterator[None]:
    """A transactional test ends by emptying every table; on SQLite that is a ``DELETE``, which the audit
    log's append-only trigger refuses (PostgreSQL's ``TRUNCATE`` fires no row trigger). The flush alone
    lifts the trigger and puts it back; every test still runs under it."""
    flush = SQLiteOperations.execute_sql_flush

    def flush_lifting_the_audit_trigger(self: SQLiteOperations, sql_list: Any) -> None:
        with self.connection.cursor() as cursor:
            for statement in sqlite_append_only.DROP:
                cursor.execute(statement)
        try:
            flush(self, sql_list)
        finally:
            with self.connection.cursor() as cursor:
                for statement in sqlite_append_only.CREATE:
                    cursor.execute(statement)

    SQLiteOperations.execute_sql_flush = flush_lifting_the_audit_trigger  # type: ignore[method-assign]
    yield
    SQLiteOperations.execute_sql_flush = flush  # type: ignore[method-assign]


@pytest.fixture
def mail_worker_at_commit(settings: Any) -> None:
    """The job worker's tasks run at once when enqueued (django-tasks' immediate backend), as if a worker
    stood by: mail queued by a change is delivered when its transaction commits, so a test reads what
    arrived without running ``db_worker`` (which needs a transactional test). That the request itself
    only enqueues is tests/web/test_mail_delivery.py's to show, with the real database queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
