"""Who runs the platform: the name and issuing department every page can show (the login page, the foot)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def platform_identity(request: HttpRequest) -> dict[str, str]:
    """The template context processor: ``issuing_department`` from ``SMECLUSTER_ISSUING_DEPARTMENT``."""
    return {"issuing_department": settings.ISSUING_DEPARTMENT}
