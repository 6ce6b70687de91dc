"""On SQLite, triggers refuse to change or delete an audit row, as PostgreSQL's does (migration 0002).

Created by migration 0004 for the sqlite vendor. Kept here because the test suite, whose transactional
tests empty every table with ``DELETE`` between tests (PostgreSQL's ``TRUNCATE`` fires no row trigger),
lifts them for that flush only.
"""

from __future__ import annotations

CREATE = [
    """
    CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END
    """,
]
DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]
