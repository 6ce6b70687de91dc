"""Who calls the API and how often: ``Authorization: Bearer <token>`` (``ApiToken``), the scope an endpoint
needs, and the rate limits.

Rate limits are ninja's throttles (a sliding window of request times in Django's cache), counted per token
and per client address (``site.client_address``: the address the trusted proxies saw, not a header the
client writes). The cache is the process's memory unless ``CACHES`` names a shared one, so with several
server processes each counts its own requests: a brake on a runaway script or a scan, not an exact quota,
which is all the API needs (its reads are the pages' own queries; nothing it offers is costly per call).
A database counter would make every read a write; a shared cache would add a service the deployment does
not otherwise need (see ADR 0026)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from smecluster.apps.accounts.models import User
from smecluster.apps.api.models import ApiToken
from smecluster.apps.api.services import token_in_use, token_used
from smecluster.site.client_address import client_address


class BearerToken(HttpBearer):
    """A live token's ``ApiToken`` (ninja puts it in ``request.auth``); anything else is a 401."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token or len(token) > 200:
            return None
        found = token_in_use(token.strip())
        if found is None:
            return None
        token_used(found, client_address(request))
        return found


def account_with(request: HttpRequest, scope: str) -> User:
    """The token's account, if the token carries ``scope`` (``applications:read`` …); else a 403 that
    names the scope. What the account then reaches is decided by the pages' own reach rules."""
    token: Any = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        raise HttpError(401, "需要有效的接口令牌")
    if scope not in token.scopes:
        raise HttpError(403, f"令牌没有 {scope} 权限")
    return token.owner


class PerToken(SimpleRateThrottle):
    scope = "token"

    def __init__(self) -> None:
        super().__init__(settings.API_RATE_PER_TOKEN)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token: Any = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class PerAddress(SimpleRateThrottle):
    scope = "address"

    def __init__(self) -> None:
        super().__init__(settings.API_RATE_PER_ADDRESS)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request) or "unknown"}


# The one instance of each: ninja keeps the objects it is given, so a test can lower their limits.
PER_TOKEN = PerToken()
PER_ADDRESS = PerAddress()
