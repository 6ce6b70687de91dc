"""Recommending offices that GB/T 2260 has no division for (``data/offices.csv``).

The national programme's notices address 新疆生产建设兵团 beside the provinces and the 计划单列市: it
recommends to the ministry itself, under the separately listed quota. GB/T 2260 has no code for it (its
county-level cities, 6590xx, sit under 新疆 650000), so the platform gives its office a code of its own that
no GB/T 2260 division can take (``data/offices.source.txt`` says which and why) and lists, as data, the
county-level divisions it covers. The divisions themselves stay where GB/T 2260 files them: 石河子 is still
a county directly under 新疆 (``divisions.city_above`` answers None), so it validates and declares as before.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Office:
    """An office beyond GB/T 2260, at city level in the jurisdiction table, and the county-level divisions
    whose applications it receives."""

    code: str
    name: str
    covers: tuple[str, ...]
    source: str


@functools.cache
def offices() -> dict[str, Office]:
    """Every office beyond GB/T 2260, by its platform code."""
    text = (
        importlib.resources.files("smecluster.reference")
        .joinpath("data/offices.csv")
        .read_text(encoding="utf-8")
    )
    return {
        row["code"]: Office(row["code"], row["name"], tuple(row["covers"].split()), row["source"])
        for row in csv.DictReader(text.splitlines())
    }


def office(code: str) -> Office | None:
    """The office beyond GB/T 2260 with this code, None for a GB/T 2260 code."""
    return offices().get(code)
