"""Ranked candidates as files: CSV (UTF-8 with BOM, so Excel opens the Chinese right), XLSX and JSON.

One column list, in Chinese with units, for the CLI and the web downloads alike.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from smecluster.analytics.discovery.screens import Discovery, candidate_record
from smecluster.documents.cells import csv_text, sheet_bytes

COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "排名"),
    ("county_code", "县级区划代码"),
    ("county", "县（市、区）"),
    ("city", "地市"),
    ("province", "省份"),
    ("industry", "行业大类（GB/T 4754）"),
    ("year", "年度"),
    ("firms", "企业数（家）"),
    ("smes", "中小企业数（家）"),
    ("employees", "从业人员（人）"),
    ("output_yi_yuan", "产值（亿元）"),
    ("lq", "区位熵"),
    ("strong_cluster", "强集群"),
    ("sme_output_share_percent", "中小企业产值占比（%）"),
    ("leading_class", "主导产业（行业小类）"),
    ("output_cagr_percent", "产值3年年均增速（%）"),
    ("rnd_intensity_percent", "研发投入强度（%）"),
    ("patents_per_10k_employees", "每万名从业人员有效发明专利（件）"),
    ("titled_firms", "优质企业（家）"),
    ("screens_met", "满足的量化条件（项）"),
    ("screens", "可筛查的量化条件（项）"),
    ("reasons", "理由"),
)


def records(discovery: Discovery) -> list[dict[str, Any]]:
    return [candidate_record(candidate) for candidate in discovery.candidates]


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "；".join(str(item) for item in value)
    return value


def _rows(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    return [[_cell(row[key]) for key, _ in COLUMNS] for row in rows]


def to_csv(discovery: Discovery) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for _, title in COLUMNS])
    writer.writerows([csv_text(cell) for cell in row] for row in _rows(records(discovery)))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(discovery: Discovery) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"候选集群 {discovery.year}"
    sheet.append([title for _, title in COLUMNS])
    for row in _rows(records(discovery)):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    return sheet_bytes(workbook)


def to_json(discovery: Discovery) -> str:
    document = {
        "year": discovery.year,
        "rule_set": discovery.rule_set_id,
        "province": discovery.province,
        "pairs_considered": discovery.pairs,
        "candidates": records(discovery),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


WRITERS = {".csv": to_csv, ".xlsx": to_xlsx}
