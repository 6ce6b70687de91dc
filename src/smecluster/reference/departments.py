"""Who signs a programme's documents by default (``data/industry_departments.csv``): the department of
industry and information technology of a province-level office, by its own name (广东省工业和信息化厅,
浙江省经济和信息化厅, 北京市经济和信息化局), and a city's 工业和信息化局. Only defaults: a programme's owner
may name another issuer (``data/industry_departments.source.txt``)."""

from __future__ import annotations

import csv
import functools
import importlib.resources

MINISTRY = "工业和信息化部"
CITY_DEPARTMENT_SUFFIX = "工业和信息化局"


@functools.cache
def province_departments() -> dict[str, str]:
    """The department's name by the two-digit province prefix (66: the XPCC's platform code)."""
    text = (
        importlib.resources.files("smecluster.reference")
        .joinpath("data/industry_departments.csv")
        .read_text(encoding="utf-8")
    )
    return {row["province"]: row["department"] for row in csv.DictReader(text.splitlines())}


def province_department(code: str) -> str:
    """The department of the province-level office whose code starts ``code[:2]``; KeyError if unknown."""
    return province_departments()[code[:2]]


def city_department(city_name: str) -> str:
    """A city's department in the most common form, e.g. 佛山市 → 佛山市工业和信息化局."""
    return f"{city_name}{CITY_DEPARTMENT_SUFFIX}"
