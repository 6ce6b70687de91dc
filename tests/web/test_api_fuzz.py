"""The API fuzzed against its own OpenAPI document (issue 17, "Fuzzed"): schemathesis generates requests
for every operation from /api/v1/openapi.json and calls the WSGI application; no answer may be a server
error (5xx), have a status or content type the document does not declare, or break its response schema.
Runs in ``make test`` like any test file; the examples per operation are few to keep the suite's time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from factories import recognized_cluster

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same requests every run: a failure is reproducible, not a flake
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


# Loaded when the module is collected (pytest-django has configured Django by then; the document needs no
# database). schemathesis' ``from_fixture`` would load it per test, but reads a pytest-internal attribute
# that pytest 9 no longer has.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def api_data(web_users: Any) -> Iterator[None]:
    """Data behind the endpoints: a recognized cluster (list, detail, history) with its programme and call.
    As Django's test client does, the end of a request does not close the test's database connection."""
    recognized_cluster()
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@schema.parametrize()
@FUZZ
def test_public_api_answers_within_its_document(case: Any, api_data: None) -> None:
    case.call_and_validate(checks=CHECKS)
