"""Permission answers carry a reason: the page shows it, the audit log keeps it (Hypha's pattern)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed

    def enforce(self) -> None:
        """Raise :class:`PermissionDenied` with the reason when not allowed (pages answer 403)."""
        if not self.allowed:
            raise PermissionDenied(self.reason)


def allow(reason: str = "") -> Decision:
    return Decision(True, reason)


def deny(reason: str) -> Decision:
    return Decision(False, reason)
