"""``smecluster serve``: the production web server (gunicorn), configured from the environment.

Refuses to start where production would be unsafe or would lose data: without SMECLUSTER_SECRET_KEY, on
SQLite (a file database does not survive several workers writing, nor a second machine), with debugging
on, or with migrations not applied (pages would fail on missing columns). Static files are served by
WhiteNoise inside the application, so the proxy needs no file paths. The settings are documented in the
README (生产部署); ``deploy/`` has the nginx site and the systemd units that run it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from smecluster.cli.web_commands import SETTINGS_MODULE, _fail, _setup_django

# A request's own work (a PDF, an export) may take a while on a busy machine; the proxy's read timeout
# (deploy/nginx/smecluster.conf: proxy_read_timeout 150s) is longer so gunicorn, not nginx, gives up first.
DEFAULT_TIMEOUT_SECONDS = 120


def _default_workers() -> int:
    """gunicorn's rule of thumb, (2 × cores) + 1, capped: each worker holds a database connection."""
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def _env_int(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        _fail(f"{name} must be a whole number, not {text!r}")
    if value < 1:
        _fail(f"{name} must be at least 1, not {value}")
    return value


def _refusals() -> list[str]:
    """Why this configuration must not serve the public, read from the loaded settings."""
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    problems = []
    if settings.DEBUG:
        problems.append("SMECLUSTER_DEBUG is on: it shows tracebacks and settings to anyone")
    if (
        settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
        and not os.environ.get("SMECLUSTER_SITE_URL", "").strip()
    ):
        problems.append(
            "mail goes out by SMTP but SMECLUSTER_SITE_URL is not set: every link in a mail (password "
            "reset, notifications) would point at http://127.0.0.1:8000; set it to the address people use, "
            "e.g. https://cluster.example.gov.cn"
        )
    if connection.vendor != "postgresql":
        problems.append(
            f"the database is {connection.vendor}, not PostgreSQL: set DATABASE_URL=postgres://… "
            "(SQLite is for the demo only)"
        )
    else:
        executor = MigrationExecutor(connection)
        if pending := executor.migration_plan(executor.loader.graph.leaf_nodes()):
            problems.append(f"{len(pending)} migration(s) not applied: run `smecluster manage migrate` first")
    return problems


def gunicorn_options(bind: str, workers: int, timeout: int) -> dict[str, Any]:
    return {
        "bind": bind,
        "workers": workers,
        "timeout": timeout,
        "graceful_timeout": 30,
        # Recycled now and then, so that a slow leak in a library never grows without bound.
        "max_requests": 2000,
        "max_requests_jitter": 200,
        # Behind nginx on the same machine: only its forwarded headers are believed.
        "forwarded_allow_ips": os.environ.get("SMECLUSTER_FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        # The application logs each request itself (smecluster.access, with the request id, as JSON).
        "accesslog": None,
        "errorlog": "-",
        "loglevel": os.environ.get("SMECLUSTER_LOG_LEVEL", "info").lower(),
        "proc_name": "smecluster",
        "limit_request_line": 8190,
        # gunicorn 27's control socket would live in the service account's home, which the systemd unit
        # keeps read-only; reloads go through signals (systemctl reload) instead.
        "control_socket_disable": True,
    }


def run_gunicorn(options: dict[str, Any]) -> None:
    from gunicorn.app.base import BaseApplication

    from smecluster.site.wsgi import application

    class _Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    _Server().run()


@click.command("serve")
@click.option(
    "--bind",
    default=lambda: os.environ.get("SMECLUSTER_BIND", "127.0.0.1:8000"),
    show_default="$SMECLUSTER_BIND or 127.0.0.1:8000",
    help="Address and port (or unix:/path) to listen on; the proxy forwards to it.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes [default: $SMECLUSTER_WEB_WORKERS, or 2 × cores + 1, at most 9].",
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=None,
    help=f"Seconds a request may take [default: $SMECLUSTER_WEB_TIMEOUT or {DEFAULT_TIMEOUT_SECONDS}].",
)
@click.option("--check", "check_only", is_flag=True, help="Check the configuration, print it and exit.")
def serve(bind: str, workers: int | None, timeout: int | None, check_only: bool) -> None:
    """Serve the platform in production with gunicorn, behind a TLS-terminating proxy (deploy/nginx)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    _setup_django()
    if problems := _refusals():
        _fail("refusing to serve in production:\n  - " + "\n  - ".join(problems))
    options = gunicorn_options(
        bind,
        workers or _env_int("SMECLUSTER_WEB_WORKERS", _default_workers()),
        timeout or _env_int("SMECLUSTER_WEB_TIMEOUT", DEFAULT_TIMEOUT_SECONDS),
    )
    click.echo(
        f"smecluster serve: {options['workers']} workers on {options['bind']}, "
        f"timeout {options['timeout']} s",
        err=True,
    )
    if check_only:
        return
    from django.conf import settings
    from django.db import connections

    # The checks above connected to the database in this (master) process. gunicorn forks its workers
    # from it: each would inherit the same socket, and their queries would interleave on one connection
    # (answers read by the wrong worker, "lost synchronization with server"). Closed here, each worker
    # opens its own on its first request.
    connections.close_all()

    # WhiteNoise serves the static files from the package (WHITENOISE_USE_FINDERS); it only wants the root.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    run_gunicorn(options)


@click.command("worker")
@click.option("--batch", is_flag=True, help="Run the jobs waiting now, then exit (for a test or a cron job).")
def worker(batch: bool) -> None:
    """Run the job worker: reports, exports and other long work asked for on the pages (django-tasks'
    database backend; several workers may run side by side). Runs under systemd as smecluster-worker."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    _setup_django()
    from django.core.management import call_command

    options = ["--no-reload", "--no-startup-delay"] + (["--batch"] if batch else [])
    call_command("db_worker", *options)
