"""What an enterprise-year file must hold, as the upload page shows it and the template file carries it.

The columns, their order, their types and the example row are the reader's own
(``analytics.discovery.file_columns``: ``REQUIRED_COLUMNS``, ``OPTIONAL_COLUMNS``, ``CSV_TYPES``,
``EXAMPLE_ROW``); only the Chinese meaning of each is added here, and :func:`column_guide` fails on a
column the reader reads but no meaning describes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smecluster.analytics.discovery import file_columns

MEANINGS: dict[str, Promise] = {
    "credit_code": _("统一社会信用代码（一家企业一年一行）"),
    "county_code": _("企业所在县级行政区划代码（GB/T 2260，6 位）"),
    "industry_code": _("国民经济行业代码（GB/T 4754-2017，小类如 C3851 或 3851，大类 C38 也可）"),
    "year": _("统计年度"),
    "employees": _("从业人员（人，年平均）"),
    "output": _("工业总产值（万元）"),
    "revenue": _("营业收入（万元）"),
    "assets": _("资产总额（万元）"),
    "rnd": _("研发经费（万元）"),
    "patents": _("有效发明专利（件）"),
    "titles": _(
        "称号，多个用英文分号分隔：champion（单项冠军）、little_giant（专精特新“小巨人”）、"
        "specialized（专精特新）、innovative（创新型）、high_tech（高新技术企业）；没有则留空"
    ),
    "division": _("可选：预先算好的行业大类（两位，如 38）；没有则由行业代码推出"),
    "county_division": _("可选：县代码×100＋行业大类的整数键，大文件预先算好可加快计算"),
}

TYPE_NAMES: dict[str, Promise] = {
    "VARCHAR": _("文本"),
    "INTEGER": _("整数"),
    "BIGINT": _("整数"),
    "DECIMAL(18,4)": _("数值"),
}


@dataclass(frozen=True)
class ColumnGuide:
    name: str
    kind: str
    meaning: str
    example: str
    required: bool


def column_guide() -> list[ColumnGuide]:
    """Every column the reader knows, required ones first, in the reader's order."""
    return [
        ColumnGuide(
            name,
            str(TYPE_NAMES[file_columns.CSV_TYPES[name]]),
            str(MEANINGS[name]),
            str(file_columns.EXAMPLE_ROW.get(name, "")),
            name in file_columns.REQUIRED_COLUMNS,
        )
        for name in (*file_columns.REQUIRED_COLUMNS, *file_columns.OPTIONAL_COLUMNS)
    ]


def template_rows() -> tuple[list[str], list[list[object]]]:
    """The template file's header (the required columns) and its one example row."""
    return list(file_columns.REQUIRED_COLUMNS), [
        [file_columns.EXAMPLE_ROW[name] for name in file_columns.REQUIRED_COLUMNS]
    ]
