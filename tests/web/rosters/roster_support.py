"""Roster files for the web tests: real CSV bytes with valid credit codes, built from a few numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from stdnum.cn import uscc

from smecluster.analytics.roster.reading import ROSTER_COLUMNS


def credit_code(serial: int) -> str:
    """A unified social credit code with a correct check character (91 = enterprise, 440606 = 顺德区)."""
    body = f"91440606{serial:09d}"
    return body + uscc.calc_check_digit(body)


@dataclass(frozen=True)
class Firm:
    employees: int
    revenue: str  # 万元
    output: str  # 万元
    rnd: str = "0"
    patents: int = 0
    titles: str = ""
    leading: bool = True
    industry: str = "C3854"
    county: str = "440606"


def roster_csv(firms: list[Firm], *, bad_cells: dict[tuple[int, str], str] | None = None) -> bytes:
    """A CSV roster of ``firms``; ``bad_cells`` puts a value into (0-based firm, column key)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.header_zh for column in ROSTER_COLUMNS])
    for index, firm in enumerate(firms):
        values = {
            "credit_code": credit_code(index + 1),
            "name": f"佛山市测试企业{index + 1}有限公司",
            "county_code": firm.county,
            "industry_code": firm.industry,
            "employees": str(firm.employees),
            "revenue": firm.revenue,
            "assets": "",
            "output": firm.output,
            "rnd": firm.rnd,
            "invention_patents": str(firm.patents),
            "titles": firm.titles,
            "leading": "是" if firm.leading else "否",
        }
        for (row, key), value in (bad_cells or {}).items():
            if row == index:
                values[key] = value
        writer.writerow([values[column.key] for column in ROSTER_COLUMNS])
    return out.getvalue().encode("utf-8")


def matching_declared() -> list[Firm]:
    """Firms adding up to the web fixtures' declared latest year (the demo's sample application): output
    53 亿元 (530,000 万元), SME output 40 亿元, SME R&D 1.32 亿元, 540 patents, 30,000 persons; 2 小巨人 in
    the leading industry, 6 专精特新, 3 创新型, 4 高新."""
    titles = [
        "小巨人", "小巨人", "专精特新", "专精特新", "专精特新", "专精特新、创新型",
        "专精特新、创新型、高新技术企业", "专精特新、创新型、高新技术企业", "高新技术企业", "高新技术企业",
    ]  # fmt: skip
    # One large firm (≥ 1,000 persons and ≥ 40,000 万元 revenue: 工业) with the non-SME output 13 亿元.
    firms = [Firm(employees=10000, revenue="200000", output="130000", rnd="0", patents=100, leading=False,
                  industry="C3311")]  # fmt: skip
    # Ten SMEs (revenue 30,000 万元 is under the 工业 ceiling of 40,000) sharing 40 亿元 of output, all in the
    # leading industry: leading output 40 亿元 against 41 declared, within the default 5 % tolerance.
    for index in range(10):
        firms.append(
            Firm(
                employees=2000, revenue="30000", output="40000", rnd="1320", patents=44, titles=titles[index]
            )
        )
    return firms
