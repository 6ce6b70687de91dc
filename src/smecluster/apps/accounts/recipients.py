"""Whom to tell: the active people of a role in one office. Services name the office and the role (from the
programme's review chain, ``workflow.engine.acting_level``); this is the one query that finds them."""

from __future__ import annotations

from collections.abc import Iterable

from smecluster.apps.accounts.models import LEVEL_ROLE, Role, User


def people_in(jurisdiction: str, *roles: Role | str) -> list[User]:
    """Active users holding one of ``roles`` in ``jurisdiction`` (a GB/T 2260 code), in a stable order."""
    return list(
        User.objects.filter(role__in=roles, jurisdiction_id=jurisdiction, is_active=True).order_by("pk")
    )


def people_at_level(level: str, jurisdiction: str) -> list[User]:
    """The officers who act for ``level`` of a review chain (``county``, ``city``, ``province``,
    ``national``) in ``jurisdiction``."""
    return people_in(jurisdiction, LEVEL_ROLE[level])


def people_of_role(*roles: Role | str, jurisdictions: Iterable[str] | None = None) -> list[User]:
    """Active users of ``roles`` anywhere, or in ``jurisdictions`` when given."""
    people = User.objects.filter(role__in=roles, is_active=True)
    if jurisdictions is not None:
        people = people.filter(jurisdiction_id__in=list(jurisdictions))
    return list(people.order_by("pk"))
