"""``smecluster serve`` refuses to serve where production would be unsafe (``cli/serve_commands.py``), and
the settings refuse to fall back to SQLite silently; exit 2 with the reason, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _serve_check(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value for key, value in os.environ.items() if not key.startswith(("SMECLUSTER_", "DJANGO_"))
    }
    clean.pop("DATABASE_URL", None)
    clean |= {"SMECLUSTER_DATA_DIR": str(tmp_path), **environment}
    return subprocess.run(
        [sys.executable, "-m", "smecluster", "serve", "--check"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_secret_it_refuses(tmp_path: Path) -> None:
    result = _serve_check(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert result.returncode == 2
    assert "SMECLUSTER_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_a_database_url_the_settings_refuse_rather_than_use_sqlite(tmp_path: Path) -> None:
    result = _serve_check(tmp_path, SMECLUSTER_SECRET_KEY="k" * 50)
    assert result.returncode == 2
    assert "set DATABASE_URL" in result.stderr
    assert not (tmp_path / "smecluster.sqlite3").exists()


def test_on_sqlite_it_refuses(tmp_path: Path) -> None:
    result = _serve_check(
        tmp_path, SMECLUSTER_SECRET_KEY="k" * 50, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )
    assert result.returncode == 2
    assert "not PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr


def test_with_debugging_on_it_refuses(tmp_path: Path) -> None:
    result = _serve_check(
        tmp_path,
        SMECLUSTER_DEBUG="1",
        SMECLUSTER_SECRET_KEY="k" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 2
    assert "SMECLUSTER_DEBUG is on" in result.stderr


def test_with_smtp_mail_but_no_site_url_it_refuses(tmp_path: Path) -> None:
    """Mails carry absolute links from SMECLUSTER_SITE_URL (issue 16, "SITE_URL for absolute links"):
    without it every password-reset link would lead to 127.0.0.1. Named, exit 2, no traceback."""
    sqlite = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    smtp = {"SMECLUSTER_SECRET_KEY": "k" * 50, "DATABASE_URL": sqlite, "SMECLUSTER_EMAIL_HOST": "mail.test"}
    refused = _serve_check(tmp_path, **smtp)
    assert refused.returncode == 2
    assert "SMECLUSTER_SITE_URL is not set" in refused.stderr
    assert "Traceback" not in refused.stderr
    named = _serve_check(tmp_path, **smtp, SMECLUSTER_SITE_URL="https://cluster.example.gov.cn")
    assert "SMECLUSTER_SITE_URL" not in named.stderr  # refused for SQLite only
    assert "not PostgreSQL" in named.stderr
    console = _serve_check(tmp_path, SMECLUSTER_SECRET_KEY="k" * 50, DATABASE_URL=sqlite)
    assert "SMECLUSTER_SITE_URL" not in console.stderr  # no SMTP, no mail links to fear


@pytest.fixture
def postgres_url(db: None) -> str:
    """The suite's PostgreSQL test database, migrated, as a DATABASE_URL."""
    from django.db import connection

    database = connection.settings_dict
    return (
        f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}"
    )


def test_on_a_migrated_postgresql_it_would_serve(tmp_path: Path, postgres_url: str) -> None:
    result = _serve_check(
        tmp_path, SMECLUSTER_SECRET_KEY="k" * 50, DATABASE_URL=postgres_url, SMECLUSTER_WEB_WORKERS="3"
    )
    assert result.returncode == 0, result.stderr
    assert "3 workers on 127.0.0.1:8000, timeout 120 s" in result.stderr


def test_a_malformed_worker_count_is_named(tmp_path: Path, postgres_url: str) -> None:
    result = _serve_check(
        tmp_path, SMECLUSTER_SECRET_KEY="k" * 50, DATABASE_URL=postgres_url, SMECLUSTER_WEB_WORKERS="many"
    )
    assert result.returncode == 2
    assert "SMECLUSTER_WEB_WORKERS must be a whole number, not 'many'" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_gunicorn_forks_its_workers_with_no_database_connection_open(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Found by the load test (benchmarks/load): the checks ran a query in gunicorn's master, and every
    forked worker inherited that one open socket (the settings keep connections for 60 s); under
    concurrent requests their queries interleaved on it ("lost synchronization with server", a session
    key read as a user id: 500s). When gunicorn starts, no connection may be open."""
    from click.testing import CliRunner
    from django.db import connections

    from smecluster.cli import serve_commands

    open_at_start: list[bool] = []
    monkeypatch.setattr(
        serve_commands,
        "run_gunicorn",
        lambda options: open_at_start.extend(c.connection is not None for c in connections.all()),
    )
    monkeypatch.setattr(serve_commands, "_setup_django", lambda: None)
    monkeypatch.setattr(serve_commands, "_refusals", lambda: _query_then_no_refusal())
    monkeypatch.setenv("SMECLUSTER_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(serve_commands.serve, ["--workers", "2"])
    assert result.exit_code == 0, result.output
    assert open_at_start == [False] * len(connections.all())


def _query_then_no_refusal() -> list[str]:
    """What the real checks do: ask the database something (the migrations applied)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert connection.connection is not None
    return []
