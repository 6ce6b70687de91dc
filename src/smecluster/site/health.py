"""``GET /healthz``: whether this instance can serve, for the proxy, the load balancer and the monitoring.

Each part is checked for real, cheaply (a few queries, one probe file), so a failure names the part: the
database (reachable, every migration applied), the file stores (evidence and discovery datasets,
writable), the prepared datasets (each one's directory and report in place: one query and a stat each),
the holiday calendar (the current Beijing year loaded: without it no deadline in working days
can be computed), the rule sets (each one reads) and the job queue (no job left waiting by an absent
worker). 200 with ``{"status": "ok", …}`` when every part is usable, 503 with the failing parts otherwise.
Open to anyone and cheap: it says nothing a visitor could use (no paths, no versions of dependencies).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from smecluster import __version__, workdays
from smecluster.apps.applications.services import today_in_china
from smecluster.errors import UnusableInput
from smecluster.policy.ruleset import rule_sets

Check = dict[str, Any]


def _database() -> Check:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return {"ok": False, "error": f"database unreachable: {type(error).__name__}"}
    if pending:
        return {
            "ok": False,
            "error": f"{len(pending)} migration(s) not applied: run `smecluster manage migrate`",
        }
    return {"ok": True, "engine": connection.vendor}


def _writable(directory: Path) -> str | None:
    """Why a file cannot be written to ``directory``, or None: a probe file written and removed."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".healthz-{uuid.uuid4().hex}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        return error.strerror or type(error).__name__
    return None


def _storage() -> Check:
    stores = {"evidence": Path(settings.EVIDENCE_ROOT), "datasets": Path(settings.DISCOVERY_DATASETS_DIR)}
    failures = {name: reason for name, directory in stores.items() if (reason := _writable(directory))}
    if failures:
        return {"ok": False, "error": "; ".join(f"{name}: {reason}" for name, reason in failures.items())}
    return {"ok": True}


def _prepared_datasets() -> Check:
    """Every prepared dataset's directory still holds its report: without it the dataset's runs fail."""
    from smecluster.apps.discovery.models import Dataset

    root = Path(settings.DISCOVERY_DATASETS_DIR)
    directories = Dataset.objects.exclude(prepared_path="").values_list("prepared_path", flat=True)
    missing = sum(1 for directory in directories if not (root / directory / "preparation.json").is_file())
    if missing:
        return {
            "ok": False,
            "prepared": len(directories),
            "error": f"{missing} prepared dataset director(ies) missing: run `smecluster files verify`",
        }
    return {"ok": True, "prepared": len(directories)}


def _holidays() -> Check:
    this_year = today_in_china().year
    years = [arrangement.year for arrangement in workdays.holiday_calendar().years]
    check: Check = {"ok": this_year in years, "years": [year for year in years if year >= this_year - 1]}
    if this_year not in years:
        check["error"] = (
            f"the holiday arrangement of {this_year} is not loaded: `smecluster calendar load FILE`"
        )
    elif this_year + 1 not in years:
        # Not a failure: the State Council publishes next year's arrangement in the autumn, but a period
        # that runs into January cannot be computed until it is loaded.
        check["warning"] = f"the holiday arrangement of {this_year + 1} is not loaded yet"
    return check


def _rule_sets() -> Check:
    """Every rule set reads: a file placed by hand in the data directory that does not would fail every
    page that evaluates one."""
    try:
        count = len(rule_sets())
    except UnusableInput as error:
        return {"ok": False, "error": str(error).splitlines()[0]}
    return {"ok": True, "count": count}


WORKER_LATE = timedelta(minutes=5)
"""A job still waiting this long after it was asked for means no worker is taking jobs."""


def _jobs() -> Check:
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()  # due now (a job deferred to later is not late)
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    if oldest is not None and timezone.now() - oldest > WORKER_LATE:
        return {
            "ok": False,
            "waiting": waiting.count(),
            "error": "jobs have waited over 5 minutes: is `smecluster worker` running?",
        }
    return {"ok": True, "waiting": waiting.count()}


CHECKS: dict[str, Callable[[], Check]] = {
    "database": _database,
    "storage": _storage,
    "prepared_datasets": _prepared_datasets,
    "holidays": _holidays,
    "rule_sets": _rule_sets,
    "jobs": _jobs,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {name: check() for name, check in CHECKS.items()}
    healthy = all(check["ok"] for check in checks.values())
    body = {
        "status": "ok" if healthy else "failing",
        "failing": [name for name, check in checks.items() if not check["ok"]],
        "checks": checks,
        "version": __version__,
    }
    return JsonResponse(body, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
