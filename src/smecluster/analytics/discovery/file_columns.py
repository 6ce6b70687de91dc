"""The columns of an enterprise-year file (one row per firm and year), their types, and one example row.

Kept apart from ``source`` (which opens and checks a file with Ibis and DuckDB) so that a page showing what a
file needs, or handing out the template file, does not load the engine. ``source``'s docstring explains
each column and its unit.
"""

from __future__ import annotations

from typing import Final

REQUIRED_COLUMNS: Final = (
    "credit_code",
    "county_code",
    "industry_code",
    "year",
    "employees",
    "output",
    "revenue",
    "assets",
    "rnd",
    "patents",
    "titles",
)
NUMERIC_COLUMNS: Final = ("year", "employees", "output", "revenue", "assets", "rnd", "patents")
FIGURES: Final = tuple(name for name in NUMERIC_COLUMNS if name != "year")
"""A firm-year's figures: persons, 万元 and 件 (``year`` aside)."""
TITLE_KEYS: Final = ("champion", "little_giant", "specialized", "innovative", "high_tech")
# Title membership is tested with a substring search (fast on dictionary-encoded text); that is only
# right while no key is part of another.
assert not any(a != b and a in b for a in TITLE_KEYS for b in TITLE_KEYS)

# How a CSV is read: codes as text (leading zeros matter), money as exact decimals.
CSV_TYPES: Final = {
    "credit_code": "VARCHAR",
    "county_code": "VARCHAR",
    "industry_code": "VARCHAR",
    "division": "VARCHAR",
    "county_division": "INTEGER",
    "year": "INTEGER",
    "employees": "BIGINT",
    "output": "DECIMAL(18,4)",
    "revenue": "DECIMAL(18,4)",
    "assets": "DECIMAL(18,4)",
    "rnd": "DECIMAL(18,4)",
    "patents": "BIGINT",
    "titles": "VARCHAR",
}
OPTIONAL_COLUMNS: Final = ("division", "county_division")
# One firm-year as a file holds it: the upload page's template file is this row under REQUIRED_COLUMNS, and a
# test reads that template back through source.open_enterprise_years, so the two cannot drift apart.
EXAMPLE_ROW: Final = {
    "credit_code": "91440606MA51XXXX0K",
    "county_code": "440606",
    "industry_code": "C3851",
    "year": 2024,
    "employees": 320,
    "output": "52000.5",
    "revenue": "48800",
    "assets": "36500",
    "rnd": "1900",
    "patents": 14,
    "titles": "specialized;innovative",
}
assert tuple(EXAMPLE_ROW) == REQUIRED_COLUMNS
