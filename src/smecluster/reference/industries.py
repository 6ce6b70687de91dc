"""GB/T 4754-2017 national economic industry classification (国民经济行业分类): codes and names.

The table is ``data/gbt4754_2017.csv`` (``data/gbt4754_2017.source.txt`` says where it comes from): all
20 sections (门类, letters A–T) and 97 divisions (大类, two digits 01–97), plus the groups (中类, three
digits) and classes (小类, four digits) under 59 and 70, the two divisions the SME size standard splits.

Codes are written in practice in several ways; all of these are accepted, with surrounding spaces and a
lower-case letter tolerated:

* ``38``, ``385``, ``3857`` — digits only: a division, group or class;
* ``C38``, ``C385``, ``C3857`` — the same with the section letter in front (as in business registration
  records and the 统计联网直报 forms); the letter must be the division's own section;
* ``C`` — a section alone. :func:`industry` answers it, but :func:`validate_industry_code` refuses it,
  because a section does not say which size-standard group a firm is in (G holds 交通运输业, 仓储业 and
  邮政业).

Below division level the table holds only 59's and 70's groups and classes, so ``3857`` is checked as far
as its division (38 电气机械和器材制造业 exists) and named by it; ``5980`` or ``7050`` are refused,
since the table knows every group and class under those two divisions.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import re
from dataclasses import dataclass
from typing import Literal

from smecluster.i18n import Listing, Text
from smecluster.i18n import Text as _

Level = Literal["section", "division", "group", "class"]

_LEVELS: dict[str, Level] = {"section": "section", "division": "division", "group": "group", "class": "class"}
_LEVEL_BY_DIGITS: dict[int, Level] = {2: "division", 3: "group", 4: "class"}
_LEVEL_NAMES: dict[Level, Text] = {
    "section": _("门类"),
    "division": _("大类"),
    "group": _("中类"),
    "class": _("小类"),
}
_CODE = re.compile(r"(?P<section>[A-T])?(?P<digits>\d{2,4})?")


@dataclass(frozen=True, slots=True)
class Industry:
    """An industry code as given, normalised and named.

    ``code`` is the section letter for a section and the digits otherwise (``C3857`` → ``3857``);
    ``name`` is the name of the most detailed table entry the code falls under, ``named_by`` that entry's
    code (``3857`` is named by ``38`` 电气机械和器材制造业 when the table has no finer entry for it).
    """

    code: str
    name: str
    section: str
    level: Level
    named_by: str

    @property
    def division(self) -> str | None:
        """The two-digit division, None for a section."""
        return None if self.level == "section" else self.code[:2]

    @property
    def display(self) -> str:
        """The code with its section letter, as people write it: ``C3857``, ``G591``, ``C``."""
        return self.code if self.level == "section" else f"{self.section}{self.code}"


@dataclass(frozen=True, slots=True)
class _Entry:
    code: str
    level: Level
    name: str
    section: str


class UnknownIndustryError(LookupError):
    """A code that is not a GB/T 4754-2017 code in the table; the message says why."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(reason)


@functools.cache
def _table() -> dict[str, _Entry]:
    text = (
        importlib.resources.files("smecluster.reference")
        .joinpath("data/gbt4754_2017.csv")
        .read_text(encoding="utf-8")
    )
    return {
        row["code"]: _Entry(row["code"], _LEVELS[row["level"]], row["name"], row["section"])
        for row in csv.DictReader(text.splitlines())
    }


def entries(level: Level | None = None) -> tuple[Industry, ...]:
    """Every table entry, or every entry of one level, in the table's order (sections before their
    divisions)."""
    return tuple(
        Industry(entry.code, entry.name, entry.section, entry.level, entry.code)
        for entry in _table().values()
        if level is None or entry.level == level
    )


@functools.cache
def finer_entries(code: str) -> tuple[str, ...]:
    """The codes of the table's most detailed entries strictly under ``code`` (digits or a section
    letter): ``59`` → ``5910 … 5990``; empty when the table holds nothing finer."""
    table = _table()
    if code.isalpha():
        under = [entry.code for entry in table.values() if entry.section == code and entry.level != "section"]
    else:
        under = [other for other in table if other != code and other.startswith(code) and other.isdigit()]
    return tuple(other for other in under if not any(x != other and x.startswith(other) for x in under))


def industry(code: str) -> Industry:
    """The industry a code names; raises :class:`UnknownIndustryError` saying what is wrong with it."""
    given = code
    text = code.strip().upper()
    if not text:
        raise UnknownIndustryError(given, _("行业代码为空"))
    if not text.isascii():
        raise UnknownIndustryError(
            given, _("“%(code)s”含全角或其他非 ASCII 字符，请写作 C3857 或 3857 这样的形式", code=given)
        )
    match = _CODE.fullmatch(text)
    if match is None or (match["section"] is None and match["digits"] is None):
        raise UnknownIndustryError(
            given,
            _(
                "“%(code)s”不是 GB/T 4754-2017 行业代码：应写门类字母 A–T 和/或 2 至 4 位数字的大类、中类或"
                "小类代码，如 C38、C3857 或 3857",
                code=given,
            ),
        )
    table = _table()
    letter, digits = match["section"], match["digits"]
    if digits is None:
        section = table[letter]
        return Industry(letter, section.name, letter, "section", letter)
    division = table.get(digits[:2])
    if division is None:
        raise UnknownIndustryError(
            given,
            _(
                "“%(code)s”：GB/T 4754-2017 没有大类 %(division)s（大类为 01–97）",
                code=given,
                division=digits[:2],
            ),
        )
    if letter is not None and letter != division.section:
        raise UnknownIndustryError(
            given,
            _(
                "“%(code)s”：大类 %(division)s %(name)s 属于门类 %(section)s，不属于门类 %(letter)s",
                code=given,
                division=digits[:2],
                name=division.name,
                section=division.section,
                letter=letter,
            ),
        )
    # Where the table lists a division's groups and classes, it lists all of them, so a finer code
    # that is not there does not exist; elsewhere only the division can be checked.
    named_by = division
    for length in range(3, len(digits) + 1):
        prefix = digits[:length]
        found = table.get(prefix)
        if found is not None:
            named_by = found
        elif finer_entries(named_by.code):
            raise UnknownIndustryError(
                given,
                _(
                    "“%(code)s”：%(parent)s %(name)s 下没有%(level)s %(prefix)s，其下有：%(listed)s",
                    code=given,
                    parent=named_by.code,
                    name=named_by.name,
                    level=_LEVEL_NAMES[_LEVEL_BY_DIGITS[length]],
                    prefix=prefix,
                    listed=Listing(f"{c} {table[c].name}" for c in finer_entries(named_by.code)),
                ),
            )
    return Industry(digits, named_by.name, division.section, _LEVEL_BY_DIGITS[len(digits)], named_by.code)


def validate_industry_code(code: str) -> str | None:
    """Why ``code`` cannot name a firm's industry, or None if it can: a GB/T 4754-2017 division, group or
    class, with or without its section letter (see the module's docstring)."""
    try:
        found = industry(code)
    except UnknownIndustryError as error:
        return error.reason
    if found.level == "section":
        return _(
            "“%(code)s”是整个门类“%(name)s”，请至少写到两位数字的大类，如 %(example)s",
            code=code.strip(),
            name=found.name,
            example=_first_division(found.section),
        )
    return None


def _first_division(section: str) -> str:
    first = next(
        entry for entry in _table().values() if entry.section == section and entry.level == "division"
    )
    return f"{section}{first.code} {first.name}"
