"""A world built once and shared by many test cases, each case inside a savepoint rolled back after it:
Django's ``TestCase.setUpTestData`` semantics for pytest functions (the permission matrices).

Levels, outermost first: a class-scoped fixture opens a transaction and builds what every case shares
(people, programmes); ``WorldPerKey`` keeps one world per key (a matrix's page) in a savepoint of its own,
rolled back when the next key comes; ``rolled_back()`` wraps each case. Postgres sequences are not rolled
back, so primary keys never repeat between cases. Nothing is ever committed.

The cases must not use pytest-django's ``db`` fixture (its per-test transaction would sit inside the page's
savepoint, which a case may have to close): the class fixture unblocks the database itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from django.db import connection, transaction

World = TypeVar("World")


class WorldPerKey(Generic[World]):
    """``worlds.get(key, build)``: the world of ``key``, made by ``build()`` in a savepoint on the first call
    and kept until a call with another key (another object: compared by identity) or ``close()`` rolls it
    back."""

    def __init__(self) -> None:
        self._key: object = None
        self._world: World | None = None
        self._atomic: transaction.Atomic | None = None

    def get(self, key: object, build: Callable[[], World]) -> World:
        if self._atomic is None or self._key is not key:
            self.close()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            try:
                self._world = build()
            except BaseException:
                self.close()
                raise
            self._key = key
        assert self._world is not None
        return self._world

    def close(self) -> None:
        if self._atomic is not None:
            atomic, self._atomic, self._key, self._world = self._atomic, None, None, None
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@contextmanager
def rolled_back() -> Iterator[None]:
    """One case: whatever it writes is rolled back after it, deferred constraints checked first (as
    Django's TestCase does)."""
    with transaction.atomic():
        yield
        connection.check_constraints()
        transaction.set_rollback(True)
