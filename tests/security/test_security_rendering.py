"""Issue 12, findings 2 and 10: people's text is data in every renderer.

A cluster named (and with a leading industry of) ``$\\x$`` used to make matplotlib parse mathtext and take
the monitoring dashboard and the three report downloads down (500); ``=HYPERLINK("http://x","y")`` became a
live formula in the application workbook and the report XLSX, and the public JSON list carried the CSV
guard's leading ``'``. Here each hostile text goes through the dashboard, the report page and its PDF, DOCX
and XLSX, the application workbook and the public list's CSV, XLSX and JSON: every one answers, every XLSX
cell holding the text is a string cell with the text unchanged, the CSV quotes a formula-like text, and
the JSON carries it exactly.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from factories import ApplicationFactory, ProgrammeFactory, UserFactory, YearlyCallFactory, people
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.documents.cells import csv_text, sheet_bytes, streamed_row
from smecluster.documents.charts import bar_chart, grouped_chart

MATHTEXT = "$\\x$"
FORMULA = '=HYPERLINK("http://x","y")'
MARKUP = "<b>集群</b>"
HOSTILE = (MATHTEXT, FORMULA, MARKUP)
YEAR = timezone.localdate().year - 1  # the last complete year: the one the dashboard and report show


@pytest.fixture(autouse=True)
def static_root() -> None:
    """WhiteNoise warns on every request when STATIC_ROOT is missing (the tests serve from the finders)."""
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _string_cells_holding(data: bytes, text: str) -> list[str]:
    """The value of every cell of an XLSX that holds ``text``, after checking each is a string cell."""
    book = load_workbook(io.BytesIO(data))
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and text in cell.value:
                    assert cell.data_type == "s", f"{sheet.title}!{cell.coordinate} is {cell.data_type}"
                    found.append(cell.value)
    return found


@pytest.mark.parametrize("text", HOSTILE)
def test_a_chart_draws_its_labels_title_ticks_and_legend_as_typed(text: str) -> None:
    """Mathtext is off in the charts' own style: ``$\\x$`` is drawn, in the SVG as text and in the PNG."""
    bars = bar_chart("bars", text, [text, "佛山"], [Fraction(3), Fraction(5)], text)
    groups = grouped_chart("groups", text, [text], [(text, [Fraction(1)]), ("上年", [None])], "个")
    for chart in (bars, groups):
        assert chart.png.startswith(b"\x89PNG")
        svg_text = chart.svg.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        assert svg_text.count(text) >= 2  # title and tick label (and unit or legend)


def test_the_one_guard_types_text_in_xlsx_quotes_it_in_csv_only() -> None:
    from openpyxl import Workbook

    in_memory = Workbook()
    sheet = in_memory.active
    assert sheet is not None
    sheet.append([FORMULA, "+1", "-1", "@SUM(A1)", "\tx", 3])
    streamed = Workbook(write_only=True)
    rows = streamed.create_sheet("s")
    rows.append(streamed_row(rows, [FORMULA, "+1", "-1", "@SUM(A1)", "\tx", 3]))
    for data in (sheet_bytes(in_memory), sheet_bytes(streamed)):
        values = [cell.value for cell in next(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows())]
        assert values == [FORMULA, "+1", "-1", "@SUM(A1)", "\tx", 3]
        assert _string_cells_holding(data, FORMULA) == [FORMULA]
    assert csv_text(FORMULA) == "'" + FORMULA
    assert csv_text(MATHTEXT) == MATHTEXT
    assert csv_text(3) == 3


def _recognize(application: Application, number: str, decided_by: User) -> RecognizedCluster:
    """Recognized directly (the recognition step has its own tests), in this year's call."""
    today = timezone.localdate()
    return RecognizedCluster.objects.create(
        application=application,
        programme=application.call.programme,
        number=number,
        name=application.name,
        county=application.county,
        leading_industry=application.leading_industry,
        year=application.call.year,
        recognized_on=today,
        valid_from=today,
        valid_until=date(today.year + 3, today.month, min(today.day, 28)),
        decided_by=decided_by,
    )


@pytest.fixture(params=HOSTILE, ids=["mathtext", "formula", "markup"])
def hostile(request: pytest.FixtureRequest) -> str:
    text: str = request.param
    return text


@dataclass(frozen=True)
class HostileWorld:
    users: dict[str, User]
    shunde: Application


@pytest.fixture
def hostile_world(db: None, hostile: str) -> HostileWorld:
    """Two recognized clusters of 佛山 named ``hostile``, one of them with ``hostile`` as leading industry."""
    ensure_divisions()
    users = people()
    users["ministry_admin"] = UserFactory(
        username="ministry-admin", role=Role.MINISTRY_ADMIN, jurisdiction_id="100000"
    )
    call = YearlyCallFactory(programme=ProgrammeFactory())
    shunde = ApplicationFactory(call=call, county="440606", name=hostile, leading_industry=hostile)
    nanhai = ApplicationFactory(
        call=call, county="440605", name=hostile + "铝型材", leading_industry="铝型材"
    )
    for application, number in ((shunde, "001"), (nanhai, "002")):
        _recognize(application, f"粤中小特色集群〔测试〕{number}", users["province_admin"])
    return HostileWorld(users, shunde)


def test_monitoring_pages_answer_and_escape(hostile_world: HostileWorld, hostile: str) -> None:
    users = hostile_world.users
    for person, scope in (("city_officer", "440600"), ("province_admin", "440000"), ("ministry_admin", "")):
        client = _client(users[person])
        query = f"?year={YEAR}" + (f"&scope={scope}" if scope else "")
        for url in ("/monitoring/", "/monitoring/report/"):
            response = client.get(url + query)
            assert response.status_code == 200, (person, url)
            page = response.content.decode()
            assert "<b>集群</b>" not in page
            assert page.count("data:image/svg+xml;base64,") >= 1 or url.endswith("report/")
        industry = client.get("/monitoring/", {"year": str(YEAR), "industry": hostile})
        assert industry.status_code == 200


def test_the_three_report_downloads_carry_the_text_inert(hostile_world: HostileWorld, hostile: str) -> None:
    users = hostile_world.users
    city = _client(users["city_officer"])
    query = f"?year={YEAR}"

    pdf = city.get(f"/monitoring/report.pdf{query}")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert hostile.replace(" ", "") in text.replace(" ", "").replace("\n", "")

    docx = city.get(f"/monitoring/report.docx{query}")
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert hostile in cells
    assert not any(field.tag.endswith("fldSimple") for field in document.element.body.iter())

    xlsx = city.get(f"/monitoring/report.xlsx{query}")
    assert xlsx.status_code == 200
    assert _string_cells_holding(xlsx.content, hostile).count(hostile) >= 2  # name and leading industry


def test_the_application_workbook_keeps_the_name_as_text(hostile_world: HostileWorld, hostile: str) -> None:
    users, application = hostile_world.users, hostile_world.shunde
    response = _client(users["county_officer"]).get(f"/applications/{application.pk}/form.xlsx")
    assert response.status_code == 200
    assert _string_cells_holding(response.content, hostile).count(hostile) >= 2  # name and leading industry


def test_the_public_list_exports_carry_the_text(hostile_world: HostileWorld, hostile: str) -> None:
    public = Client()
    page = public.get("/public/clusters/")
    assert page.status_code == 200
    assert "<b>集群</b>" not in page.content.decode()

    as_csv = public.get("/public/clusters/", {"format": "csv"})
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    names = {row[1] for row in rows[1:]}
    assert (("'" + hostile) if hostile.startswith("=") else hostile) in names

    as_xlsx = public.get("/public/clusters/", {"format": "xlsx"})
    assert _string_cells_holding(as_xlsx.content, hostile).count(hostile) == 2  # name and leading industry

    as_json = json.loads(public.get("/public/clusters/", {"format": "json"}).content)
    shunde = next(row for row in as_json["results"] if row["number"].endswith("001"))
    assert shunde["name"] == hostile
    assert shunde["leading_industry"] == hostile
    assert not any(str(value).startswith("'") for row in as_json["results"] for value in row.values())
