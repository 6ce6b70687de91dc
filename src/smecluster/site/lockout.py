"""The page a locked-out login gets (django-axes' ``AXES_LOCKOUT_CALLABLE``).

It says when to try again and nothing about the account: a username that exists and one that does not are
locked and answered alike, so the page cannot be used to find out which usernames exist.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

# The length of django-axes' username columns: a longer username typed at the login page would otherwise
# make the failure's record fail (a server error instead of a refused login).
RECORDED_USERNAME_MAX = 255


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The username django-axes counts an attempt against (``AXES_USERNAME_CALLABLE``): what was typed, cut
    to the length it records."""
    field = get_user_model().USERNAME_FIELD  # the login form's field is named after it
    typed = credentials.get(field) if credentials else request.POST.get(field)
    return str(typed or "")[:RECORDED_USERNAME_MAX]


def lockout_parameters(request: Any, credentials: dict[str, Any] | None = None) -> list[str]:
    """What failures are counted by (``AXES_LOCKOUT_PARAMETERS``): the username typed and the address, but
    the address alone for a single sign-on callback (its credentials carry the flow's nonce): no username was
    typed, and counting every such failure under the empty one would lock single sign-on out for everyone."""
    if credentials and "nonce" in credentials:
        return ["ip_address"]
    return ["username", "ip_address"]


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    # Every attempt during a lockout starts the cool-off again (axes' default), this one included.
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "retry_at": timezone.localtime(timezone.now() + cooloff),
        "cooloff_minutes": int(cooloff.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)
