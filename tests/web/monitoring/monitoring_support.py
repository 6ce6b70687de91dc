"""Constants and helpers of the monitoring tests (a module of its own: every conftest is named conftest)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from smecluster.apps.accounts.models import User

MON_YEAR = timezone.localdate().year - 1


def mon_client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def mon_annual_figures(year: int, **extra: Any) -> dict[str, Any]:
    """The stored form of 顺德区 (JSON numbers, aliases, absent figures left out)."""
    return {
        "schema": 1,
        "year": year,
        "figures": {
            "year": year,
            "output": 60.0,
            "sme_output": 45.5,
            "leading_output": 50,
            "invention_patents": 610,
        },
        "quality_firms": {"little_giant": 3, "specialized": 12, "innovative": 30},
        "firms": 320,
        "sme_firms": 312,
        "platforms_national": 1,
        "platforms_provincial": 9,
        "cloud_adoption": 58.5,
        "promotion_body": True,
        "rights_protection": True,
        "public_service_assessed": False,
        **extra,
    }
