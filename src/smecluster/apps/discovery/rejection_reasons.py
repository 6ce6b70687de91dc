"""What each reason a preparation rejects a row for (``analytics.discovery.prepare.reasons()``) is called on
the dataset's page.

The keys are the preparation's own and stable (they are stored on the dataset); :func:`reason_label` fails
on a key no label describes, so a check added to the preparation cannot reach the page unnamed.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smecluster.analytics.discovery import prepare

FIGURE_NAMES: dict[str, Promise] = {
    "employees": _("从业人员"),
    "output": _("工业总产值"),
    "revenue": _("营业收入"),
    "assets": _("资产总额"),
    "rnd": _("研发经费"),
    "patents": _("有效发明专利"),
}

_FIXED: dict[str, Promise] = {
    "line_malformed": _("CSV 行的字段数不对（多于或少于列名）"),
    "county_code_unknown": _("县级区划代码不是 GB/T 2260 中的县级行政区划"),
    "industry_code_invalid": _("行业代码不是 GB/T 4754-2017 的大类、中类或小类，或门类字母与大类不符"),
    "year_implausible": _("年度缺失、不是整数或超出合理范围"),
    "credit_code_malformed": _("统一社会信用代码不符合 GB 32100 的格式"),
}

_FIGURE_REASONS: tuple[tuple[str, Promise], ...] = (
    ("_not_a_number", _("%(figure)s不是数值")),
    ("_negative", _("%(figure)s为负数")),
)


def reason_label(key: str) -> str:
    """The reason's words on the page, e.g. ``output_negative`` → 工业总产值为负数."""
    if key in _FIXED:
        return str(_FIXED[key])
    for suffix, words in _FIGURE_REASONS:
        figure = key.removesuffix(suffix)
        if figure != key and figure in FIGURE_NAMES:
            return str(words) % {"figure": FIGURE_NAMES[figure]}
    raise KeyError(
        f"no label for the rejection reason {key!r}: add one to apps/discovery/rejection_reasons.py"
    )


def rejected_rows(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(key, label, rows) for each reason with rows, in the order the checks run."""
    return [(key, reason_label(key), counts[key]) for key in prepare.reasons() if counts.get(key)]
