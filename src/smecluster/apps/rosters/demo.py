"""Demo rosters: firms that add up to what a demo application declares for its roster year, so the demo
shows the panel; one demo application's SMEs are given less output than declared, so it shows the flag and
the computed-figures switch turning the verdict."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from stdnum.cn import uscc

from smecluster.analytics.roster.reading import ROSTER_COLUMNS
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.rosters.services import application_roster_import, application_roster_year

SMES = 10
# The demo's quality-firm counts (site.demo.sample_fields): 2 小巨人, 6 专精特新, 3 创新型, 4 高新技术企业.
TITLES = (
    "小巨人", "小巨人", "专精特新", "专精特新", "专精特新", "专精特新、创新型",
    "专精特新、创新型、高新技术企业", "专精特新、创新型、高新技术企业", "高新技术企业", "高新技术企业",
)  # fmt: skip
WAN = Decimal(10_000)  # 万元 per 亿元


def demo_roster_csv(application: Application, *, sme_output_factor: Decimal = Decimal(1)) -> bytes | None:
    """A CSV roster matching the application's declared figures for the roster year (None without them):
    one large firm outside the leading industry and ten medium-sized firms in it."""
    declared = application.years.filter(year=application_roster_year(application)).first()
    if declared is None:
        return None
    employees = declared.employees
    if declared.sme_output is None or declared.sme_rnd is None or employees is None:
        return None
    total = declared.output * WAN
    sme_each = (declared.sme_output * WAN * sme_output_factor / SMES).quantize(Decimal("0.0001"))
    rnd_each = (declared.sme_rnd * WAN / SMES).quantize(Decimal("0.0001"))
    staff_each = employees * 6 // 100
    patents = declared.invention_patents or 0
    patents_each = patents * 8 // 100
    county = application.county_id

    def code(serial: int) -> str:
        body = f"91{county}{serial:09d}"
        return body + uscc.calc_check_digit(body)

    # The large firm: ≥ 1,000 persons and ≥ 40,000 万元 revenue (工业); the SMEs: revenue under 40,000 万元.
    rows = [[
        code(1), f"{application.county.name}示范龙头制造有限公司", county, "C3311",
        employees - SMES * staff_each, "200000", "", total - SMES * sme_each, "0",
        patents - SMES * patents_each, "", "否",
    ]]  # fmt: skip
    for index in range(SMES):
        rows.append([
            code(index + 2), f"{application.county.name}示范配套企业{index + 1}有限公司", county, "C3854",
            staff_each, "30000", "", sme_each, rnd_each, patents_each, TITLES[index], "是",
        ])  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.header_zh for column in ROSTER_COLUMNS])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def import_demo_roster(
    application: Application, officer: User, *, sme_output_factor: Decimal = Decimal(1)
) -> None:
    data = demo_roster_csv(application, sme_output_factor=sme_output_factor)
    if data is None:
        return
    outcome = application_roster_import(
        actor=officer, application=application, data=data, filename=f"{application.number}-企业名册.csv"
    )
    if outcome.version is None:
        raise ValueError(f"the demo roster of {application.number} has errors: {outcome.errors[:3]}")
