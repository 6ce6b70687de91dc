"""The application form offline: download the pre-filled workbook, fill it, upload it; errors name the
sheet and cell and nothing is written; the upload is one audited save; only the drafting county may."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.documents.sheets import workbook_bytes

pytestmark = pytest.mark.django_db


HOLDERS = "持有专精特新中小企业、创新型中小企业、高新技术企业任一称号的企业"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _workbook(client: Client, application: Application) -> object:
    response = client.get(reverse("applications:workbook", args=[application.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _post(client: Client, application: Application, workbook: object) -> object:
    handle = io.BytesIO(workbook_bytes(workbook))
    handle.name = "申报表.xlsx"
    return client.post(reverse("applications:workbook_upload", args=[application.pk]), {"file": handle})


def _cell_of(sheet: object, label: str) -> str:
    for row in sheet.iter_rows(min_row=2):
        if str(row[0].value).startswith(label):
            return row[1].coordinate
    raise AssertionError(label)


def test_the_downloaded_form_holds_the_current_data_and_an_edit_is_saved_once(
    web_users: dict[str, User], web_application: Application
) -> None:
    client = _client(web_users["county_officer"])
    workbook = _workbook(client, web_application)
    years = workbook["年度数据"]
    assert [years.cell(row, 2).value for row in (2, 3, 4)] == [42, 47.5, 53]
    years["C4"] = 41.5  # SME output of the latest year
    quality = workbook["优质企业"]
    quality[_cell_of(quality, "专精特新中小企业")] = 9
    quality[_cell_of(quality, HOLDERS)] = 11  # 16 title holdings, 11 firms
    workbook["事故事件"]["A2"] = web_application.call.opens_on
    workbook["事故事件"]["B2"] = "违法违规行为"
    response = _post(client, web_application, workbook)
    assert response.status_code == 302

    web_application.refresh_from_db()
    assert web_application.years.order_by("-year").first().sme_output == Decimal("41.5")
    assert web_application.specialized == 9
    assert web_application.quality_holders == [
        {"titles": ["specialized", "innovative", "high_tech"], "firms": 11}
    ]
    assert [incident.kind for incident in web_application.incidents.all()] == ["violation"]
    assert AuditEvent.objects.filter(action="application.import_profile").count() == 1


def test_more_专精特新_firms_than_firms_holding_any_of_the_titles_is_refused_at_its_cell(
    web_users: dict[str, User], web_application: Application
) -> None:
    """The form's 8 firms hold 专精特新, 创新型 or 高新 (13 holdings); 9 专精特新 firms cannot be among 8."""
    client = _client(web_users["county_officer"])
    workbook = _workbook(client, web_application)
    quality = workbook["优质企业"]
    quality[_cell_of(quality, "专精特新中小企业")] = 9
    response = _post(client, web_application, workbook)
    assert response.status_code == 200
    assert f"优质企业!{_cell_of(quality, HOLDERS)}" in response.content.decode()
    web_application.refresh_from_db()
    assert web_application.specialized == 6


def test_a_bad_cell_is_named_and_nothing_is_written(
    web_users: dict[str, User], web_application: Application
) -> None:
    client = _client(web_users["county_officer"])
    workbook = _workbook(client, web_application)
    workbook["年度数据"]["C4"] = 99  # SME output above the total of 53
    basics = workbook["基本信息"]
    basics[_cell_of(basics, "集群名称")] = "新名称"
    response = _post(client, web_application, workbook)
    assert response.status_code == 200
    page = response.content.decode()
    assert "年度数据!C4 中小企业产值：99 亿元超过了集群总产值" in page
    web_application.refresh_from_db()
    assert web_application.name != "新名称"
    assert not AuditEvent.objects.filter(action="application.import_profile").exists()


def test_a_file_that_is_not_a_workbook_is_refused(
    web_users: dict[str, User], web_application: Application
) -> None:
    handle = io.BytesIO("集群名称,产值\n".encode())
    handle.name = "form.xlsx"
    response = _client(web_users["county_officer"]).post(
        reverse("applications:workbook_upload", args=[web_application.pk]), {"file": handle}
    )
    assert "不是 Excel 工作簿" in response.content.decode()


def test_who_may_download_and_upload(
    web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    draft = web_application_in(Status.DRAFT)
    submitted = web_application_in(Status.SUBMITTED)
    city = _client(web_users["city_officer"])
    assert city.get(reverse("applications:workbook", args=[submitted.pk])).status_code == 200
    assert city.get(reverse("applications:workbook_upload", args=[draft.pk])).status_code == 403
    other = _client(web_users["other_county_officer"])
    assert other.get(reverse("applications:workbook", args=[draft.pk])).status_code == 404
    assert other.get(reverse("applications:workbook_upload", args=[draft.pk])).status_code == 404
    county = _client(web_users["county_officer"])
    workbook = _workbook(county, submitted)
    assert _post(county, submitted, workbook).status_code == 403
