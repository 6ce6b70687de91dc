"""The address a request came from: the one place that decides it (login lockout, audit, rate limits).

Behind reverse proxies, REMOTE_ADDR is the nearest proxy's address; each trusted proxy appends the address
it received the request from to the configured header (``X-Forwarded-For``). Only the entries the trusted
proxies wrote can be believed: a client may send the header with any addresses it likes, and those end up
on its left. So the client is the entry ``TRUSTED_PROXY_COUNT`` from the right, never the left-most.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str:
    """The client's address as the trusted proxies saw it, else as the server saw it ("" without a request).

    A request that carries fewer entries than there are trusted proxies did not pass through all of them
    (or the header is missing): its REMOTE_ADDR is the only address known to be true. So is it when the
    entry is no IP address (a miscounted proxy chain passing on the client's text): the lockout stores
    addresses in an address column, where text would be a server error.
    """
    if request is None:
        return ""
    header: str = settings.TRUSTED_PROXY_HEADER  # as sent, e.g. X-Forwarded-For
    if header:
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        hops = [hop.strip() for hop in str(request.META.get(meta_key, "")).split(",") if hop.strip()]
        count: int = settings.TRUSTED_PROXY_COUNT
        if count >= 1 and len(hops) >= count and _is_ip_address(hops[-count]):
            return hops[-count]
    return str(request.META.get("REMOTE_ADDR", ""))


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
