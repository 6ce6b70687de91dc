"""Logs that an operator can search: every record carries the request id, and each request is one record.

The request id is the one the audit trail keeps (``audit.middleware.RequestIdMiddleware``; the proxy may
send it as ``X-Request-Id``), so a log line, the audit events the request wrote and the proxy's access log
meet on one key. In production the records are JSON lines (python-json-logger), one object per line, for
journald or any collector; in development they are plain text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from smecluster.apps.audit.middleware import current_request_id

access_log = logging.getLogger("smecluster.access")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("" outside a request: the tick, the CLI)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class AccessLogMiddleware:
    """One record per request: method, path (never the query string, which may hold what a person
    searched for), status, time taken and the account, at INFO."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response
