"""The annual report offline (issue 6): its workbook downloaded by whoever may read the report, filled in
Excel, and uploaded by whoever may edit it now; checked as the figures form is, saved all or nothing."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from clock import Clock
from conftest import reg_client, reg_figures
from smecluster.apps.accounts.models import User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.registry.models import AnnualReport
from smecluster.apps.registry.services import annual_reports, plan_targets
from smecluster.documents.annual_workbook import (
    FIGURE_COLUMNS,
    FIGURES,
    MONITORING,
    MONITORING_COLUMNS,
    read_annual_workbook,
)

pytestmark = pytest.mark.django_db

LABELS = {column.key: column.label for column in (*FIGURE_COLUMNS, *MONITORING_COLUMNS)}


@pytest.fixture
def draft(
    clock: Clock, reg_report_in: Callable[..., AnnualReport], web_users: dict[str, User]
) -> AnnualReport:
    """The 2024 report, drafted with figures (output 120.5 亿元, 300 firms), still editable."""
    clock.beijing(date(2025, 3, 20))
    report = reg_report_in("draft", year=2024)
    annual_reports.report_save_figures(
        actor=web_users["county_officer"],
        report=report,
        document={**reg_figures(2024), "cloud_adoption": 45.5},
    )
    report.refresh_from_db()
    return report


def _download(user: User, report: AnnualReport) -> bytes:
    response = reg_client(user).get(f"/annual-reports/{report.pk}/workbook.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content) if response.streaming else response.content


def _upload(user: User, report: AnnualReport, data: bytes, name: str = "年报.xlsx") -> Any:
    return reg_client(user).post(
        f"/annual-reports/{report.pk}/workbook/upload/", {"file": SimpleUploadedFile(name, data)}
    )


def _value_row(sheet: Any, key: str) -> int:
    for row in range(2, sheet.max_row + 1):
        if str(sheet.cell(row, 1).value).startswith(LABELS[key]):
            return row
    raise AssertionError(f"no row for {key}")


def _with_cell(data: bytes, sheet_title: str, key: str, value: Any) -> tuple[bytes, str]:
    """The workbook with the value of ``key`` replaced, and that cell's coordinate."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[sheet_title]
    cell = sheet.cell(_value_row(sheet, key), 2)
    cell.value = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), cell.coordinate


def test_the_download_holds_the_report_figures(draft: AnnualReport, web_users: dict[str, User]) -> None:
    data = _download(web_users["county_officer"], draft)
    workbook = load_workbook(io.BytesIO(data))
    assert {FIGURES, MONITORING, "优质企业", "填写说明"} <= set(workbook.sheetnames)
    figures = workbook[FIGURES]
    assert figures.cell(_value_row(figures, "year"), 2).value == 2024
    assert figures.cell(_value_row(figures, "output"), 2).value == pytest.approx(120.5)
    monitoring = workbook[MONITORING]
    assert monitoring.cell(_value_row(monitoring, "firms"), 2).value == 300
    assert monitoring.cell(_value_row(monitoring, "cloud_adoption"), 2).value == pytest.approx(45.5)
    assert read_annual_workbook(data, source="x.xlsx").as_document() == draft.figures


def test_a_new_draft_downloads_blank_with_its_year(
    clock: Clock, reg_report_in: Callable[..., AnnualReport], web_users: dict[str, User]
) -> None:
    clock.beijing(date(2025, 3, 20))
    report = reg_report_in("draft", year=2024)
    assert not report.figures
    workbook = load_workbook(io.BytesIO(_download(web_users["operator"], report)))
    figures = workbook[FIGURES]
    assert figures.cell(_value_row(figures, "year"), 2).value == 2024
    assert figures.cell(_value_row(figures, "output"), 2).value is None
    assert workbook[MONITORING].cell(_value_row(workbook[MONITORING], "firms"), 2).value is None


def test_the_report_page_links_the_workbook(draft: AnnualReport, web_users: dict[str, User]) -> None:
    county = reg_client(web_users["county_officer"]).get(draft.get_absolute_url()).content.decode()
    assert f"/annual-reports/{draft.pk}/workbook.xlsx" in county
    assert f"/annual-reports/{draft.pk}/workbook/upload/" in county
    city = reg_client(web_users["city_officer"]).get(draft.get_absolute_url()).content.decode()
    assert f"/annual-reports/{draft.pk}/workbook.xlsx" in city
    assert f"/annual-reports/{draft.pk}/workbook/upload/" not in city


def test_a_round_trip_changes_nothing_but_records_the_upload(
    draft: AnnualReport, web_users: dict[str, User]
) -> None:
    county = web_users["county_officer"]
    before = draft.figures
    data = _download(county, draft)
    response = _upload(county, draft, data, name="顺德-2024.xlsx")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.figures == before
    event = AuditEvent.objects.get(action="annual_report.import_workbook")
    assert event.after["workbook"] == {"name": "顺德-2024.xlsx", "sha256": hashlib.sha256(data).hexdigest()}
    assert event.after["figures"] == before
    assert event.actor == county
    history = reg_client(county).get(draft.get_absolute_url()).content.decode()
    assert "上传工作簿更新年度数据" in history


def test_an_upload_replaces_the_figures(draft: AnnualReport, web_users: dict[str, User]) -> None:
    county = web_users["operator"]
    data, _cell = _with_cell(_download(county, draft), FIGURES, "output", 130.25)
    data, _cell = _with_cell(data, MONITORING, "firms", 310)
    assert _upload(county, draft, data).status_code == 302
    draft.refresh_from_db()
    assert draft.figures["figures"]["output"] == pytest.approx(130.25)
    assert draft.figures["firms"] == 310
    assert draft.figures["year"] == 2024
    assert AuditEvent.objects.filter(action="annual_report.import_workbook").count() == 1


def test_plan_target_progress_follows_the_uploaded_figures(
    draft: AnnualReport, web_users: dict[str, User]
) -> None:
    county = web_users["county_officer"]
    plan_targets.plan_target_save(
        actor=county,
        cluster=draft.cluster,
        values={"metric": "output", "baseline_year": 2023, "baseline_value": Decimal(100),
                "target_value": Decimal(150), "target_year": 2026},
    )  # fmt: skip
    (line,) = plan_targets.progress_against(draft)
    assert line.progress.achieved_value == Decimal("120.5")
    data, _cell = _with_cell(_download(county, draft), FIGURES, "output", 140)
    assert _upload(county, draft, data).status_code == 302
    draft.refresh_from_db()
    (line,) = plan_targets.progress_against(draft)
    assert line.progress.achieved_value == Decimal(140)
    assert "140" in reg_client(county).get(draft.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("sheet", "key", "value"),
    [
        (FIGURES, "output", "一百多"),
        (MONITORING, "cloud_adoption", 120),
        (MONITORING, "sme_firms", 400),
    ],
)
def test_a_bad_cell_is_refused_by_sheet_cell_and_field(
    draft: AnnualReport, web_users: dict[str, User], sheet: str, key: str, value: Any
) -> None:
    county = web_users["county_officer"]
    before = draft.figures
    data, coordinate = _with_cell(_download(county, draft), sheet, key, value)
    response = _upload(county, draft, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "未保存任何内容" in page
    assert f"{sheet}!{coordinate} {LABELS[key]}" in page, "the sheet, the cell and the field's label"
    assert f"{key}:" not in page, "never the internal key"
    draft.refresh_from_db()
    assert draft.figures == before
    assert not AuditEvent.objects.filter(action="annual_report.import_workbook").exists()


def test_more_smes_than_firms_is_said_in_the_form_words(
    draft: AnnualReport, web_users: dict[str, User]
) -> None:
    county = web_users["county_officer"]
    data, _cell = _with_cell(_download(county, draft), MONITORING, "sme_firms", 400)
    assert "中小企业数 400 家超过了集群企业数 300 家" in _upload(county, draft, data).content.decode()


def test_a_workbook_of_another_year_is_refused(draft: AnnualReport, web_users: dict[str, User]) -> None:
    county = web_users["county_officer"]
    data, coordinate = _with_cell(_download(county, draft), FIGURES, "year", 2023)
    response = _upload(county, draft, data)
    assert response.status_code == 400
    assert f"{FIGURES}!{coordinate} 填报年度" in response.content.decode()
    assert "填报年度应为 2024" in response.content.decode()
    draft.refresh_from_db()
    assert draft.figures["year"] == 2024


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("年报.xlsx", b"%PDF-1.7\n" + b"0" * 2048),
        ("年报.xlsx", "集群企业数,300\n".encode()),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused_whatever_its_name(
    draft: AnnualReport, web_users: dict[str, User], name: str, data: bytes
) -> None:
    before = draft.figures
    response = _upload(web_users["county_officer"], draft, data, name=name)
    assert response.status_code == 400
    assert "不是 Excel 工作簿" in response.content.decode()
    draft.refresh_from_db()
    assert draft.figures == before


def test_an_oversized_file_is_refused(
    draft: AnnualReport, web_users: dict[str, User], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("smecluster.apps.registry.forms.MAX_WORKBOOK_BYTES", 1024)
    data = _download(web_users["county_officer"], draft)
    response = _upload(web_users["county_officer"], draft, data)
    assert response.status_code == 400
    assert "超过上限 1024 字节" in response.content.decode()


@pytest.mark.parametrize("person", ["other_county_officer", "other_operator", "expert"])
def test_outsiders_get_404_on_download_and_upload(
    draft: AnnualReport, web_users: dict[str, User], person: str
) -> None:
    client = reg_client(web_users[person])
    assert client.get(f"/annual-reports/{draft.pk}/workbook.xlsx").status_code == 404
    upload_url = f"/annual-reports/{draft.pk}/workbook/upload/"
    assert client.get(upload_url).status_code == 404
    data = _download(web_users["county_officer"], draft)
    assert client.post(upload_url, {"file": SimpleUploadedFile("x.xlsx", data)}).status_code == 404


def test_the_city_downloads_but_does_not_upload(draft: AnnualReport, web_users: dict[str, User]) -> None:
    data = _download(web_users["city_officer"], draft)
    changed, _cell = _with_cell(data, FIGURES, "output", 99)
    response = _upload(web_users["city_officer"], draft, changed)
    assert response.status_code == 403
    assert "县的主管部门或运营管理机构" in response.content.decode()
    draft.refresh_from_db()
    assert draft.figures["figures"]["output"] == pytest.approx(120.5)
    assert not AuditEvent.objects.filter(action="annual_report.import_workbook").exists()


def test_no_upload_once_the_report_is_forwarded(
    clock: Clock, reg_report_in: Callable[..., AnnualReport], web_users: dict[str, User]
) -> None:
    clock.beijing(date(2025, 3, 20))
    report = reg_report_in("forwarded", year=2024)
    county = web_users["county_officer"]
    data, _cell = _with_cell(_download(county, report), FIGURES, "output", 99)
    response = _upload(county, report, data)
    assert response.status_code == 403
    assert "不能修改" in response.content.decode()
    report.refresh_from_db()
    assert report.figures["figures"]["output"] == pytest.approx(120.5)
    assert not AuditEvent.objects.filter(action="annual_report.import_workbook").exists()
    assert _download(web_users["province_admin"], report)


def test_the_page_and_the_upload_refuse_1e30_yi_yuan_alike(
    draft: AnnualReport, web_users: dict[str, User]
) -> None:
    """Issue 15, finding 4: 1e30 亿元 was accepted by the upload while the page refused it."""
    county = web_users["county_officer"]
    before = draft.figures
    page = reg_client(county).post(
        f"/annual-reports/{draft.pk}/edit/figures/", {"figures__output": "1e30", "figures__year": "2024"}
    )
    assert page.status_code == 400
    data, coordinate = _with_cell(_download(county, draft), FIGURES, "output", 1e30)
    upload = _upload(county, draft, data)
    assert upload.status_code == 400
    assert f"{FIGURES}!{coordinate} {LABELS['output']}" in upload.content.decode()
    assert "超出可填写的范围" in upload.content.decode()
    draft.refresh_from_db()
    assert draft.figures == before


def test_the_upload_tells_every_problem_at_once_in_english_too(
    draft: AnnualReport, web_users: dict[str, User]
) -> None:
    county = web_users["county_officer"]
    data, year_cell = _with_cell(_download(county, draft), FIGURES, "year", 2023)
    data, employees_cell = _with_cell(data, FIGURES, "employees", "三万人")
    data, _firms_cell = _with_cell(data, MONITORING, "sme_firms", 400)
    client = reg_client(county)
    client.cookies["django_language"] = "en"
    page = client.post(
        f"/annual-reports/{draft.pk}/workbook/upload/", {"file": SimpleUploadedFile("年报.xlsx", data)}
    ).content.decode()
    assert f"{FIGURES}!{year_cell}" in page
    assert f"{FIGURES}!{employees_cell}" in page
    assert "400" in page
    for chinese in ("填报年度应为", "不是整数", "超过了集群企业数"):
        assert chinese not in page
