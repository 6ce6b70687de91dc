"""County-level divisions renamed or re-coded since a past list named them (撤县设区, 撤县设市).

A recognition list of 2022 may name 余江县 (360622), which has been 余江区 (360603) since 2018. The register
import tells such a row by the division's current name rather than failing with "unknown code". The table
is ``data/division_renames.csv`` with its source beside it; each new code is a division in force
(``reference.divisions``).
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rename:
    old_code: str
    old_name: str
    new_code: str
    new_name: str
    year: int


@functools.cache
def renames() -> tuple[Rename, ...]:
    text = (
        importlib.resources.files("smecluster.reference")
        .joinpath("data/division_renames.csv")
        .read_text(encoding="utf-8")
    )
    return tuple(
        Rename(row["old_code"], row["old_name"], row["new_code"], row["new_name"], int(row["year"]))
        for row in csv.DictReader(text.splitlines())
    )


def renamed_code(code: str) -> Rename | None:
    """The change that retired ``code``, or None when the table does not know it."""
    return next((rename for rename in renames() if rename.old_code == code), None)


def renamed_name(name: str, province_code: str) -> Rename | None:
    """The change that retired the division called ``name`` in the province ``province_code`` (its first
    two digits), or None."""
    return next(
        (
            rename
            for rename in renames()
            if rename.old_name == name and rename.old_code[:2] == province_code[:2]
        ),
        None,
    )
