"""The jurisdictions table filled from the project's GB/T 2260 reference data (reference/divisions.py), and
the recommending offices GB/T 2260 has no division for (reference/offices.py: 新疆生产建设兵团)."""

from __future__ import annotations

from typing import Any

from smecluster.reference.divisions import divisions
from smecluster.reference.offices import offices

NATIONAL_CODE = "100000"
"""全国: the home jurisdiction of the ministry's users, the level above the provinces."""


def ensure_divisions(model: Any = None) -> None:
    """Insert every division not yet in the table, the national level and the offices beyond GB/T 2260.
    ``model`` is the Jurisdiction model (a migration passes its historical one). Idempotent: data migrations
    call it, and so do tests after a flush emptied the table."""
    if model is None:
        from smecluster.apps.accounts.models import Jurisdiction as model
    if model.objects.count() >= len(divisions()) + 1 + len(offices()):
        return
    model.objects.get_or_create(code=NATIONAL_CODE, defaults={"name": "全国", "level": "national"})
    # Sorted by code, a parent always comes before its children.
    model.objects.bulk_create(
        [
            model(code=d.code, name=d.name, level=d.level, parent_id=d.parent or None)
            for d in sorted(divisions(), key=lambda d: d.code)
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    # An office beyond GB/T 2260 recommends beside the 计划单列市, at city level; it has no parent: the
    # divisions it covers stay under their province (reference/offices.py).
    model.objects.bulk_create(
        [model(code=o.code, name=o.name, level="city", parent_id=None) for o in offices().values()],
        ignore_conflicts=True,
    )
