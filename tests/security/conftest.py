"""Fixtures of the security tests: the demo-like people (one per role) of the web tests."""

from __future__ import annotations

from typing import Any

import pytest

from factories import people
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import User


@pytest.fixture
def security_users(db: Any) -> dict[str, User]:
    ensure_divisions()
    return people()
