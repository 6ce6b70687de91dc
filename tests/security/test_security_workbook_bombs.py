"""Workbook bombs (issue 12, findings 1 and 3): each is refused before any parser sees it, quickly, with a
message naming the limit, through the roster page and through the service; an ordinary roster still
imports. The bombs are built here, small on disk: only what their zip directory and XML declare is huge."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from stdnum.cn import uscc

from factories import ApplicationFactory, ProgrammeFactory, YearlyCallFactory, people
from smecluster.analytics.roster.reading import ROSTER_COLUMNS, read_roster
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.rosters.models import Roster
from smecluster.apps.rosters.services import application_roster_import
from smecluster.documents.annual_workbook import read_annual_workbook
from smecluster.documents.profile_workbook import read_profile_workbook
from smecluster.documents.workbook_limits import WorkbookLimits, check_workbook
from smecluster.errors import UnusableInput

SECONDS_ALLOWED = 2.0

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="企业名录" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    "</Relationships>"
)
_SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _xlsx(sheet: Callable[[Any], None], shared: Callable[[Any], None] | None = None) -> bytes:
    """A workbook written by hand, so that its sheet and shared strings are exactly what a test writes:
    ``sheet(handle)`` and ``shared(handle)`` write those members' XML, streamed and deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as handle:
            sheet(handle)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as handle:
            if shared is None:
                handle.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
            else:
                shared(handle)
    return out.getvalue()


def far_cell_bomb(*, declared: bool = True) -> bytes:
    """One cell at XFD1048576; with ``declared``, a dimension spanning A1:XFD1048576 (finding 1)."""

    def sheet(handle: Any) -> None:
        handle.write(_SHEET_OPEN.encode())
        if declared:
            handle.write(b'<dimension ref="A1:XFD1048576"/>')
        handle.write(
            b'<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
        )

    return _xlsx(sheet)


def shared_string_bomb(megabytes: int = 200) -> bytes:
    """A shared string of ``megabytes`` MB of one character, a few hundred KB once deflated (finding 3)."""

    def sheet(handle: Any) -> None:
        handle.write(_SHEET_OPEN.encode())
        handle.write(b'<dimension ref="A1"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>')
        handle.write(b"</sheetData></worksheet>")

    def shared(handle: Any) -> None:
        handle.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
        block = b"a" * (1024 * 1024)
        for _ in range(megabytes):
            handle.write(block)
        handle.write(b"</t></si></sst>")

    return _xlsx(sheet, shared)


def million_rows_bomb(rows: int = 1_000_000) -> bytes:
    """A sheet of ``rows`` rows and no dimension, a few MB deflated (finding 3)."""

    def sheet(handle: Any) -> None:
        handle.write(_SHEET_OPEN.encode())
        handle.write(b"<sheetData>")
        batch: list[bytes] = []
        for number in range(1, rows + 1):
            batch.append(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (number, number, number))
            if len(batch) == 10_000:
                handle.write(b"".join(batch))
                batch.clear()
        handle.write(b"".join(batch))
        handle.write(b"</sheetData></worksheet>")

    return _xlsx(sheet)


BOMBS: dict[str, tuple[Callable[[], bytes], str]] = {
    "far cell": (far_cell_bomb, "行数上限 250000 行"),
    "far cell, no dimension": (lambda: far_cell_bomb(declared=False), "行数上限 250000 行"),
    "shared string of 200 MB": (shared_string_bomb, "解压后大小上限 200 MB"),
    "shared string of 20 MB": (lambda: shared_string_bomb(20), "压缩比上限 100:1"),
    "million rows": (million_rows_bomb, "行数上限 250000 行"),
}


@pytest.fixture(scope="module", params=list(BOMBS))
def bomb(request: pytest.FixtureRequest) -> tuple[bytes, str]:
    build, message = BOMBS[request.param]
    return build(), message


def _roster_xlsx(firms: int) -> bytes:
    """An ordinary roster of ``firms`` small firms of 顺德区, as Excel writes it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("企业名录")
    sheet.append([column.header_zh for column in ROSTER_COLUMNS])
    for index in range(1, firms + 1):
        body = f"91440606{index:09d}"
        code = body + uscc.calc_check_digit(body + "0")
        sheet.append(
            [
                code,
                f"佛山市测试企业{index}有限公司",
                "440606",
                "C3857",
                100,
                5000,
                None,
                4000,
                100,
                2,
                None,
                "是",
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------- the domain core


def test_each_bomb_is_refused_by_the_check_quickly_naming_the_limit(bomb: tuple[bytes, str]) -> None:
    data, message = bomb
    started = time.perf_counter()
    with pytest.raises(UnusableInput) as refused:
        check_workbook(data, WorkbookLimits(), source="bomb.xlsx")
    assert time.perf_counter() - started < SECONDS_ALLOWED
    assert message in str(refused.value)
    assert refused.value.source == "bomb.xlsx"


def test_the_check_reads_a_path_as_well_as_bytes(tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell_bomb())
    with pytest.raises(UnusableInput, match="声明 1048576 行"):
        check_workbook(path, WorkbookLimits())


def test_each_limit_is_named_when_it_is_the_one_exceeded() -> None:
    wide = far_cell_bomb()
    with pytest.raises(UnusableInput, match="列数上限 200 列"):
        check_workbook(wide, WorkbookLimits(max_rows=2_000_000))
    with pytest.raises(UnusableInput, match="解压后大小上限 1 MB"):
        check_workbook(shared_string_bomb(2), WorkbookLimits(max_uncompressed_bytes=1024 * 1024))


def test_a_file_that_is_not_a_zip_is_left_to_the_parser() -> None:
    check_workbook(b"credit_code,name\n", WorkbookLimits())


def test_the_readers_of_every_uploaded_workbook_refuse_a_bomb() -> None:
    data = far_cell_bomb()
    for read in (
        lambda: read_roster(data, "名册.xlsx"),
        lambda: read_annual_workbook(data, source="年报.xlsx"),
        lambda: read_profile_workbook(data, source="申报.xlsx"),
    ):
        with pytest.raises(UnusableInput, match="行数上限"):
            read()


def test_an_ordinary_roster_passes_the_check() -> None:
    check_workbook(_roster_xlsx(2_000), WorkbookLimits())


# ---------------------------------------------------------------------------------------- service and page


@pytest.fixture
def sec_people(db: Any) -> dict[str, User]:
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # else WhiteNoise warns on every request
    ensure_divisions()
    return people()


@pytest.fixture
def sec_application(sec_people: dict[str, User]) -> Application:
    call = YearlyCallFactory(programme=ProgrammeFactory())
    return ApplicationFactory(county="440606", call=call, name="佛山市测试智能家电产业集群")


def _post(client: Client, application: Application, data: bytes, name: str) -> Any:
    handle = io.BytesIO(data)
    handle.name = name
    return client.post(reverse("rosters:application", args=[application.pk]), {"file": handle})


def test_each_bomb_is_refused_by_the_roster_service_and_page_and_the_server_keeps_answering(
    bomb: tuple[bytes, str], sec_people: dict[str, User], sec_application: Application
) -> None:
    data, message = bomb
    officer = sec_people["county_officer"]
    started = time.perf_counter()
    with pytest.raises(UnusableInput, match=message):
        application_roster_import(actor=officer, application=sec_application, data=data, filename="b.xlsx")
    assert time.perf_counter() - started < SECONDS_ALLOWED

    client = Client()
    client.force_login(officer)
    page = client.get(reverse("rosters:application", args=[sec_application.pk]))
    assert page.status_code == 200  # and the first request's one-off loading is not timed below
    started = time.perf_counter()
    response = _post(client, sec_application, data, "炸弹.xlsx")
    assert time.perf_counter() - started < SECONDS_ALLOWED
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Roster.objects.filter(application=sec_application, versions__isnull=False).exists()
    page = client.get(reverse("rosters:application", args=[sec_application.pk]))
    assert page.status_code == 200


def test_an_ordinary_xlsx_roster_still_imports_through_the_page(
    sec_people: dict[str, User], sec_application: Application
) -> None:
    client = Client()
    client.force_login(sec_people["county_officer"])
    response = _post(client, sec_application, _roster_xlsx(50), "名册.xlsx")
    assert response.status_code == 302, response.content.decode()[:2000]
    version = Roster.objects.get(application=sec_application).versions.get()
    assert version.row_count == 50
