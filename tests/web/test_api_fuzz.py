"""The API fuzzed against its own OpenAPI document (issue 17, "Fuzzed"): schemathesis generates requests
for every operation from /api/v1/openapi.json and calls the WSGI application; no answer may be a server
error (5xx), have a status or content type the document does not declare, or break its response schema.
Runs in ``make test`` like any test file; the examples per operation are few to keep the suite's time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from factories import recognized_cluster
from smecluster.apps.accounts.models import User
from smecluster.apps.api.access import PER_ADDRESS, PER_TOKEN
from smecluster.apps.api.models import SCOPES, ApiToken
from smecluster.apps.api.services import token_create

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
# WhiteNoise warns on every request when STATIC_ROOT is missing (tests/web/conftest.py makes it later).
Path(django_settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def api_data(web_users: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Data behind the endpoints: a recognized cluster (list, detail, history) with its programme and call.
    As Django's test client does, the end of a request does not close the test's database connection; the
    rate limits are lifted (a 429 is declared, but would leave the operations behind it untried)."""
    recognized_cluster()
    cache.clear()
    for throttle in (PER_ADDRESS, PER_TOKEN):
        monkeypatch.setattr(throttle, "num_requests", 1_000_000)
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


@schema.parametrize()
@FUZZ
def test_api_with_a_token_answers_within_its_document(
    case: Any, api_data: None, web_users: dict[str, User]
) -> None:
    """The same with the province administrator's token carrying every scope (the widest reach a token of
    the fixtures has): the token endpoints' own answers (404s out of reach, 422s of the services) too."""
    case.call_and_validate(checks=CHECKS, headers=_bearer(web_users["province_admin"]))


_SECRETS: dict[int, str] = {}


def _bearer(user: User) -> dict[str, str]:
    # One token per test (hypothesis runs the body many times; the database is the test's own).
    if user.pk not in _SECRETS or not ApiToken.objects.filter(owner=user).exists():
        _token, _SECRETS[user.pk] = token_create(
            actor=user, name="fuzz", scopes=list(SCOPES), expires_at=timezone.now() + timedelta(days=1)
        )
    return {"Authorization": f"Bearer {_SECRETS[user.pk]}"}
