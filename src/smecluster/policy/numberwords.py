"""Number words are law: the word a text uses for a bound decides the comparator.

Chinese legal usage (Civil Code art. 1259): 以上, 以下, 以内, 不超过, 不低于, 不少于 include the number;
高于, 低于, 超过, 不满, 多于, 少于 exclude it. A rule-set file states both the word and the comparator, and
the schema refuses a file where they disagree, so a comparator can never be a guess. A document that
defines a word its own way (the SME size standard reads 以下 as "below") says so with a citation.
"""

from __future__ import annotations

from typing import Literal

Comparator = Literal[">=", ">", "<=", "<"]

COMPARATOR_OF_WORD: dict[str, Comparator] = {
    "以上": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "以下": "<=",
    "以内": "<=",
    "不超过": "<=",
    "不高于": "<=",
    "高于": ">",
    "超过": ">",
    "多于": ">",
    "低于": "<",
    "少于": "<",
    "不满": "<",
}

SYMBOL: dict[str, str] = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
"""How a comparator is printed for people."""
