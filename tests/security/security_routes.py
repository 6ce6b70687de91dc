"""The routes a person can open without knowing an object's key: where the security crawls start."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


def routes_without_arguments() -> list[str]:
    """Every named route of the URLconf with no argument, as a path."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groups:
                route = prefix + str(pattern.pattern)
                if "<" not in route and "(" not in route:
                    found.append("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return found
