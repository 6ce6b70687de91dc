"""The published list of recognized clusters (no login): search, filters and pages; downloads as CSV, XLSX
and JSON with the same rows as the page's filter (every page of it) and the same columns; each cluster's
public profile; the recognition notice and certificate PDFs with the CJK font embedded; and anonymous
visitors reach the /public/ pages only."""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pypdf
import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from pub_support import PUB_OBJECTION, PubWorld, pub_client, pub_publish

from clock import Clock
from factories import objection_challenge
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application, ApplicationYear
from smecluster.apps.applications.workflow import Status
from smecluster.apps.notices.models import Objection, ObjectionFile
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.services.recognition import recognition_decide
from smecluster.apps.registry.views.public import PAGE_SIZE

pytestmark = pytest.mark.django_db

# (county, industry, year, status, how many): 佛山 (440600) has 32 clusters, 广州 (440100) 6.
REGISTRY = [
    ("440606", "家具", 2024, "valid", 14),
    ("440605", "家具", 2025, "valid", 9),
    ("440605", "家具", 2025, "revoked", 2),
    ("440606", "智能家电", 2025, "valid", 7),
    ("440106", "家具", 2025, "valid", 4),
    ("440106", "纺织服装", 2024, "valid", 2),
]


@pytest.fixture
def registry(web_users: dict[str, User], web_call: YearlyCall) -> list[RecognizedCluster]:
    """38 recognized clusters written directly (the list reads what recognition wrote)."""
    clusters = []
    admin = web_users["province_admin"]
    serial = 0
    for county, industry, year, status, count in REGISTRY:
        for _index in range(count):
            serial += 1
            application = Application.objects.create(
                call=web_call,
                county_id=county,
                number=f"T{serial:04d}",
                status=Status.RECOGNIZED,
                name=f"测试{industry}产业集群{serial:02d}",
                leading_industry=industry,
                created_by=admin,
            )
            clusters.append(
                RecognizedCluster.objects.create(
                    application=application,
                    programme=web_call.programme,
                    number=f"粤中小特色集群〔{year}〕{serial:03d}",
                    name=application.name,
                    county_id=county,
                    leading_industry=industry,
                    year=year,
                    recognized_on=date(year, 3, 1),
                    valid_from=date(year, 3, 1),
                    valid_until=date(year + 3, 2, 28),
                    status=status,
                    decided_by=admin,
                )
            )
    return clusters


def _as_text(cell: object) -> str:
    return cell.date().isoformat() if isinstance(cell, datetime) else str(cell)


def _page_numbers(client: Client, query: dict[str, Any]) -> tuple[list[str], str]:
    """Every number the page shows across all its pages, and the first page's HTML."""
    numbers: list[str] = []
    first = ""
    page = 1
    while True:
        response = client.get(reverse("registry:public_list"), {**query, "page": page})
        assert response.status_code == 200
        text = response.content.decode()
        first = first or text
        found = re.findall(r"<td>(粤中小特色集群〔\d{4}〕\d{3})</td>", text)
        numbers += found
        if f"page={page + 1}" not in text:
            return numbers, first
        page += 1


FILTER = {"city": "440600", "industry": "家具", "status": "valid"}  # 23 rows: more than one page


def test_the_downloads_have_the_same_rows_and_columns_as_the_page(registry: list[RecognizedCluster]) -> None:
    client = Client()
    numbers, page = _page_numbers(client, FILTER)
    assert len(numbers) == 23 > PAGE_SIZE
    assert "第 1 / 2 页，共 23 个" in page
    headers = re.findall(r"<th>([^<]+)</th>", page.split("<thead>")[1].split("</thead>")[0])

    as_csv = client.get(reverse("registry:public_list"), {**FILTER, "format": "csv"})
    assert as_csv["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0] == headers
    assert [row[0] for row in rows[1:]] == numbers

    as_xlsx = client.get(reverse("registry:public_list"), {**FILTER, "format": "xlsx"})
    assert as_xlsx["Content-Disposition"].endswith('clusters.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert list(cells[0]) == headers
    assert [row[0] for row in cells[1:]] == numbers
    # Dates are date cells in the workbook (YYYY-MM-DD in the CSV).
    assert [[_as_text(cell) for cell in row] for row in cells[1:]] == rows[1:]

    as_json = client.get(reverse("registry:public_list"), {**FILTER, "format": "json"})
    body = json.loads(as_json.content)
    assert body["count"] == 23
    assert [column["label"] for column in body["columns"]] == headers
    assert [row["number"] for row in body["results"]] == numbers
    assert [[str(row[column["key"]]) for column in body["columns"]] for row in body["results"]] == rows[1:]
    first = body["results"][0]
    assert (first["year"], first["location"]) == (2025, "广东省佛山市南海区")  # the newest year first
    assert first["valid_until"] == "2028-02-28"


def test_search_and_each_filter(registry: list[RecognizedCluster], web_call: YearlyCall) -> None:
    client = Client()

    def count(**query: Any) -> int:
        return len(
            json.loads(client.get(reverse("registry:public_list"), {**query, "format": "json"}).content)[
                "results"
            ]
        )

    assert count() == 38
    assert count(q="智能家电") == 7  # by industry
    assert count(q="产业集群05") == 1  # by name
    assert count(year="2024") == 16
    assert count(city="440100") == 6
    assert count(industry="纺织服装") == 2
    assert count(status="revoked") == 2
    assert count(programme=str(web_call.programme_id)) == 38
    national = Programme.objects.create(
        name="国家级", owner=None, owner_level="national", rule_set_id="national-2022", review_chain=[]
    )
    assert count(programme=str(national.pk)) == 38  # not a programme with clusters: the filter is ignored
    page = client.get(reverse("registry:public_list"), {"city": "999999"}).content.decode()
    assert "共 38 个" in page  # an unknown value is marked and ignored, never an error page


def test_the_public_profile_shows_the_public_figures_with_units_and_nothing_private(
    registry: list[RecognizedCluster],
) -> None:
    cluster = registry[0]
    application = cluster.application
    application.contact_person, application.contact_phone = "联系人甲", "0757-22830000"
    application.operating_agency = "顺德区家具产业集群促进中心"
    application.save()
    ApplicationYear.objects.create(application=application, year=2022, output=Decimal("40"))
    ApplicationYear.objects.create(
        application=application,
        year=2023,
        output=Decimal("48.4000"),
        leading_output=Decimal("40.1"),
        employees=52000,
        invention_patents=130,
        iip_penetration=Decimal("21.5"),
    )
    page = Client().get(reverse("registry:public_detail", args=[cluster.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    for shown in (
        cluster.name,
        cluster.number,
        "广东省佛山市顺德区",
        "家具",
        "广东省中小企业特色产业集群认定",
        "2024-03-01",
        "2027-02-28",
        "有效",
        "2023 年",
        "48.4 亿元",
        "52000 人",
        "130 件",
        "21.5 %",
        "顺德区家具产业集群促进中心",
    ):
        assert shown in text, shown
    assert "0757-22830000" not in text
    assert "联系人甲" not in text
    assert Client().get(reverse("registry:public_detail", args=[999999])).status_code == 404


# --- the PDFs -------------------------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    """The text of every page, without the line breaks a narrow table cell puts inside a name."""
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", "", text)


def _pdf_fonts(content: bytes) -> set[str]:
    fonts = set()
    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            fonts.add(str(font.get("/BaseFont")))
    return fonts


@pytest.fixture
def recognized(pub_world: PubWorld, clock: Clock) -> PubWorld:
    pub_publish(pub_world, clock, date(2024, 2, 19))
    clock.beijing(date(2024, 3, 4))
    recognition_decide(
        actor=pub_world.owner,
        call=pub_world.call,
        application_ids=[application.pk for application in pub_world.shortlisted],
        decision="recognize",
    )
    return pub_world


def test_the_recognition_notice_and_the_certificate_embed_a_cjk_font(
    recognized: PubWorld, web_users: dict[str, User]
) -> None:
    owner = pub_client(recognized.owner)
    notice = owner.get(reverse("registry:notice_pdf", args=[recognized.call.pk]))
    assert notice.status_code == 200
    assert notice["Content-Type"] == "application/pdf"
    notice_fonts = {font.replace("-", "") for font in _pdf_fonts(notice.content)}
    assert any("NotoSansCJKSC" in font for font in notice_fonts), notice_fonts  # SC, not the JP face
    assert not any("JP" in font for font in notice_fonts), notice_fonts
    text = _pdf_text(notice.content)
    for application in recognized.shortlisted:
        assert application.name in text
    assert "广东省工业和信息化厅" in text

    cluster = RecognizedCluster.objects.order_by("number").first()
    assert cluster is not None
    # The county whose cluster it is prints its certificate too; another county's officer does not see it.
    for user in (recognized.owner, web_users["county_officer"], web_users["city_officer"]):
        certificate = pub_client(user).get(reverse("registry:certificate", args=[cluster.pk]))
        assert certificate.status_code == 200
    certificate_fonts = {font.replace("-", "") for font in _pdf_fonts(certificate.content)}
    assert any("NotoSansCJKSC" in font for font in certificate_fonts), certificate_fonts
    assert not any("JP" in font for font in certificate_fonts), certificate_fonts
    text = _pdf_text(certificate.content)
    assert cluster.name in text
    assert cluster.number in text
    assert "2027年3月3日" in text
    other = pub_client(web_users["other_county_officer"]).get(
        reverse("registry:certificate", args=[cluster.pk])
    )
    assert other.status_code == 404
    assert (
        pub_client(web_users["city_officer"])
        .get(reverse("registry:notice_pdf", args=[recognized.call.pk]))
        .status_code
        == 403
    )


def test_no_recognition_notice_before_a_recognition(pub_world: PubWorld) -> None:
    response = pub_client(pub_world.owner).get(reverse("registry:notice_pdf", args=[pub_world.call.pk]))
    assert response.status_code == 403
    assert "尚无已认定的集群" in response.content.decode()


# --- anonymous visitors -----------------------------------------------------------------------------


def _patterns(namespace: str) -> list[URLPattern]:
    return list(importlib.import_module(f"smecluster.apps.{namespace}.urls").urlpatterns)


def test_anonymous_visitors_reach_only_the_public_pages(recognized: PubWorld, clock: Clock) -> None:
    assert recognized.notice is not None
    clock.beijing(date(2024, 2, 21))
    url = reverse("notices:public_detail", args=[recognized.notice.pk])
    Client().post(
        url, {**PUB_OBJECTION, "application": recognized.shortlisted[0].pk, **objection_challenge(url)}
    )
    objection = Objection.objects.first()
    cluster = RecognizedCluster.objects.first()
    assert objection is not None
    assert cluster is not None
    file = ObjectionFile.objects.create(
        objection=objection,
        original_name="x.pdf",
        stored_name="ab" * 16 + ".pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    arguments = {
        "call_pk": recognized.call.pk,
        "pk": None,  # per app, below
        "reference": objection.reference,
        # Private pages send an anonymous visitor to log in before they look anything up.
        "section": "figures",
        "action": "submit",
        "format": "pdf",
        "year": recognized.call.year,  # a cluster's yearly assessment
        "rank": 1,  # a discovery run's candidate (its firms)
        # The finding's evidence through a signed link: without a good one, a 404 (never a login page); the
        # good link's download is tested in tests/web/procedure/test_procedure_objections.py.
        "token": "unsigned",
    }
    pks = {
        "notices:manage": recognized.notice.pk,
        "notices:objection": objection.pk,
        "notices:objection_file": file.pk,
        "notices:public_detail": recognized.notice.pk,
        "notices:public_pdf": recognized.notice.pk,
        "registry:certificate": cluster.pk,
        "registry:public_detail": cluster.pk,
    }
    client = Client()
    seen = []
    for namespace in ("notices", "registry", "oversight", "rosters", "monitoring", "discovery"):
        for pattern in _patterns(namespace):
            name = f"{namespace}:{pattern.name}"
            kwargs = {
                key: pks.get(name, cluster.pk) if key == "pk" else arguments[key]
                for key in pattern.pattern.converters
            }
            url = reverse(name, kwargs=kwargs)
            response = client.get(url)
            seen.append(name)
            if name == "notices:finding_file":
                assert response.status_code == 404, (name, response.status_code)
            elif url.startswith("/public/"):
                assert response.status_code == 200, (name, response.status_code)
            else:
                assert response.status_code == 302, (name, response.status_code)
                assert response["Location"].startswith("/accounts/login/"), name
    assert {"notices:public_list", "notices:public_detail", "notices:objection_ack"} <= set(seen)
    assert {"registry:public_list", "registry:public_detail", "registry:recognition"} <= set(seen)


def test_the_public_pages_make_a_few_small_queries_whatever_the_number_of_rows(
    registry: list[RecognizedCluster], django_assert_max_num_queries: Any
) -> None:
    """Public pages are hit by anyone: no query per row."""
    client = Client()
    with django_assert_max_num_queries(8):
        assert client.get(reverse("registry:public_list"), {"city": "440600"}).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("registry:public_list"), {"format": "json"}).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(reverse("registry:public_detail", args=[registry[0].pk])).status_code == 200


def test_the_public_notice_makes_a_few_small_queries(
    pub_world: PubWorld, clock: Clock, django_assert_max_num_queries: Any
) -> None:
    notice = pub_publish(pub_world, clock, date(2024, 2, 19))
    clock.beijing(date(2024, 2, 20))
    client = Client()
    with django_assert_max_num_queries(4):
        assert client.get(reverse("notices:public_detail", args=[notice.pk])).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse("notices:public_list")).status_code == 200
