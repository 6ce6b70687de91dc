"""The county's application pages: list and export, create, the tabs with evidence and the eligibility
panel, submit and withdraw, the PDF; and what other counties and the city may and may not do there."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from weasyprint import HTML

from factories import PLEDGE, PLEDGE_FORM, REQUIRED_SECTIONS_FILLED
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications import pdf as application_pdf
from smecluster.apps.applications import services
from smecluster.apps.applications import views as application_views
from smecluster.apps.applications.models import (
    COUNTY_SECTIONS,
    Application,
    ApplicationVersion,
    ApplicationYear,
    DeclaredPlanTarget,
    EvidenceFile,
    Incident,
)
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.evidence.storage import evidence_path
from smecluster.apps.programmes.models import PoolEntry, Programme, YearlyCall

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


# --- fixtures of this module (the shared conftest is another engineer's) ---------------------------


def _user(username: str, role: Role, jurisdiction: str) -> User:
    return User.objects.create_user(
        username=username, password="pw-not-used", role=role, jurisdiction_id=jurisdiction
    )


@pytest.fixture
def county_officer() -> User:
    return _user("shunde", Role.COUNTY_OFFICER, "440606")


@pytest.fixture
def other_county_officer() -> User:
    return _user("nanhai", Role.COUNTY_OFFICER, "440605")


@pytest.fixture
def city_officer() -> User:
    return _user("foshan", Role.CITY_OFFICER, "440600")


@pytest.fixture
def other_city_officer() -> User:
    return _user("guangzhou", Role.CITY_OFFICER, "440100")


def _programme(pool_required: bool = False) -> Programme:
    return Programme.objects.create(
        name="广东省中小企业特色产业集群认定" + ("（培育库）" if pool_required else ""),
        owner_id="440000",
        owner_level="province",
        rule_set_id="guangdong-2022",
        review_chain=["county", "city", "province"],
        quota_per_unit=3,
        pool_required=pool_required,
    )


def _open_call(programme: Programme) -> YearlyCall:
    today = timezone.localdate()
    return YearlyCall.objects.create(
        programme=programme,
        year=today.year,
        opens_on=today - timedelta(days=5),
        closes_on=today + timedelta(days=25),
        city_deadline=today + timedelta(days=40),
        quota=3,
    )


@pytest.fixture
def call() -> YearlyCall:
    return _open_call(_programme())


@pytest.fixture
def evidence_root(settings: Any, tmp_path: Path) -> Path:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


def _years(call: YearlyCall) -> list[int]:
    return [call.year - 3, call.year - 2, call.year - 1]


def _fill(application: Application, actor: User, *, complete: bool = True) -> Application:
    """Valid data: with ``complete=False`` only what a profile needs (area, output) and something in each tab
    submission requires, the rest missing."""
    fields: dict[str, Any] = {"area_km2": Decimal("12.5"), **REQUIRED_SECTIONS_FILLED}
    if complete:
        fields.update(operating_agency="顺德区智能家电产业集群促进中心", contact_person="陈工")
    application = services.application_update(actor=actor, application=application, fields=fields)
    rows = [
        {
            "year": year,
            "output": Decimal(output),
            **({"sme_output": Decimal(output) * 8 / 10} if complete else {}),
        }
        for year, output in zip(_years(application.call), ("45.5", "52.0", "60.25"), strict=True)
    ]
    return services.application_set_rows(actor=actor, application=application, kind="years", rows=rows)


@pytest.fixture
def application(call: YearlyCall, county_officer: User) -> Application:
    created = services.application_create(
        actor=county_officer, call=call, name="佛山市顺德区智能家电产业集群", leading_industry="智能家电"
    )
    return _fill(created, county_officer)


@pytest.fixture
def empty_application(call: YearlyCall, county_officer: User) -> Application:
    """A new draft: name and leading industry only, no figures."""
    return services.application_create(
        actor=county_officer, call=call, name="佛山市顺德区家具产业集群", leading_industry="家具"
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _real_pdf() -> bytes:
    return HTML(string="<p>Certificate 2024</p>").write_pdf()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


class _ElementText(HTMLParser):
    """The text and attributes inside the element with a given id: where a field's message must appear."""

    def __init__(self, element_id: str) -> None:
        super().__init__()
        self.element_id = element_id
        self.depth = 0
        self.parts: list[str] = []
        self.found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            if tag not in ("input", "br", "img", "meta", "link"):
                self.depth += 1
            self.parts.extend(f" {name}={value}" for name, value in attrs if name == "value")
        elif dict(attrs).get("id") == self.element_id:
            self.found = True
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def element_text(html: str, element_id: str) -> str:
    parser = _ElementText(element_id)
    parser.feed(html)
    assert parser.found, f"no element with id {element_id!r}"
    return "".join(parser.parts)


def _figures_post(call: YearlyCall, **overrides: str) -> dict[str, str]:
    data = {
        "years-TOTAL_FORMS": "3",
        "years-INITIAL_FORMS": "0",
        "years-MIN_NUM_FORMS": "3",
        "years-MAX_NUM_FORMS": "3",
    }
    for index, output in enumerate(("45.5", "52", "60.25")):
        data[f"years-{index}-output"] = output
        data[f"years-{index}-invention_patents"] = str(300 + index)
    data.update(overrides)
    return data


def _basics_post(**overrides: str) -> dict[str, str]:
    data = {
        "name": "佛山市顺德区智能家电产业集群",
        "other_counties": "",
        "leading_industry": "智能家电",
        "leading_industry_code": "C38",
        "area_km2": "12.5",
        "energy_efficiency_better_than_benchmark": "unknown",
        "water_efficiency_better_than_benchmark": "unknown",
        "operating_agency": "顺德区智能家电产业集群促进中心",
        "contact_person": "陈工",
        "contact_phone": "0757-22381234",
    }
    data.update(overrides)
    return data


def _pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def _pdf_fonts(content: bytes) -> set[str]:
    fonts = set()
    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            fonts.add(str(font.get("/BaseFont")))
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None:
                    fonts.add(str(descriptor.get_object().get("/FontName")))
    return fonts


# --- pages render -----------------------------------------------------------------------------------


def test_every_page_renders_for_the_county_officer(
    application: Application,
    county_officer: User,
    evidence_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """List, new, detail, every tab, the eligibility panel and the PDF all answer 200 for the county."""
    client = _client(county_officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_add(
            actor=county_officer,
            application=application,
            section="basics",
            upload=SimpleUploadedFile("营业执照.pdf", _real_pdf()),
        )
    pages = [
        reverse("applications:list"),
        reverse("applications:new") + f"?call={application.call_id}",
        reverse("applications:detail", args=[application.pk]),
        reverse("applications:eligibility", args=[application.pk]),
        *(reverse("applications:edit", args=[application.pk, section.value]) for section in COUNTY_SECTIONS),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert application.number in detail
    assert "草稿" in detail  # the status label
    assert reverse("applications:submit", args=[application.pk]) in detail
    assert reverse("reviews:history", args=[application.pk]) in detail
    assert reverse("reviews:versions", args=[application.pk]) in detail
    assert "营业执照.pdf" in detail
    assert "60.25" in detail
    assert "亿元" in detail
    response = client.get(reverse("applications:pdf", args=[application.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_the_detail_page_offers_the_city_its_actions(application: Application, city_officer: User) -> None:
    """Once submitted, the city sees 受理 as a button posting to reviews:accept and 退回 as a link."""
    services.application_submit(actor=application.created_by, application=application, pledge=PLEDGE)
    detail = _client(city_officer).get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert f'action="{reverse("reviews:accept", args=[application.pk])}"' in detail
    assert f'href="{reverse("reviews:return", args=[application.pk])}"' in detail
    assert reverse("applications:submit", args=[application.pk]) not in detail


def test_a_returned_application_shows_the_reason(application: Application, city_officer: User) -> None:
    from smecluster.apps.reviews.services import application_return

    services.application_submit(actor=application.created_by, application=application, pledge=PLEDGE)
    application_return(actor=city_officer, application=application, reason="请补充近三年产值的统计证明")
    detail = (
        _client(application.created_by)
        .get(reverse("applications:detail", args=[application.pk]))
        .content.decode()
    )
    assert "请补充近三年产值的统计证明" in detail
    assert reverse("applications:submit", args=[application.pk]) in detail  # resubmit


# --- jurisdiction: 404 outside it, 403 with a reason inside it ------------------------------------------


def test_another_county_gets_404_on_every_url(
    application: Application,
    county_officer: User,
    other_county_officer: User,
    evidence_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """南海区 cannot learn that 顺德区's application exists: every URL answers 404, reads and writes."""
    with django_capture_on_commit_callbacks(execute=True):
        evidence = services.evidence_add(
            actor=county_officer,
            application=application,
            section="basics",
            upload=SimpleUploadedFile("a.pdf", _real_pdf()),
        )
    client = _client(other_county_officer)
    pk = application.pk
    gets = [
        reverse("applications:detail", args=[pk]),
        reverse("applications:edit", args=[pk, "basics"]),
        reverse("applications:eligibility", args=[pk]),
        reverse("applications:pdf", args=[pk]),
        reverse("applications:evidence_download", args=[evidence.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        (reverse("applications:submit", args=[pk]), {}),
        (reverse("applications:withdraw", args=[pk]), {}),
        (reverse("applications:edit", args=[pk, "basics"]), _basics_post(name="改名")),
        (
            reverse("applications:evidence_upload", args=[pk, "basics"]),
            {"file": SimpleUploadedFile("b.pdf", _real_pdf())},
        ),
        (reverse("applications:evidence_delete", args=[evidence.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert application.name == "佛山市顺德区智能家电产业集群"
    assert EvidenceFile.objects.filter(application=application).count() == 1
    export = client.get(reverse("applications:export")).content.decode("utf-8-sig")
    assert application.number not in export


def test_another_city_gets_404(application: Application, other_city_officer: User) -> None:
    client = _client(other_city_officer)
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 404


def test_the_city_can_view_but_not_edit(
    application: Application,
    city_officer: User,
    county_officer: User,
    evidence_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """佛山市 reads the application and its evidence; editing it is refused with the reason."""
    with django_capture_on_commit_callbacks(execute=True):
        evidence = services.evidence_add(
            actor=county_officer,
            application=application,
            section="basics",
            upload=SimpleUploadedFile("a.pdf", _real_pdf()),
        )
    client = _client(city_officer)
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 200
    assert client.get(reverse("applications:pdf", args=[application.pk])).status_code == 200
    assert client.get(reverse("applications:evidence_download", args=[evidence.pk])).status_code == 200
    reason = "只有申报县的主管部门或集群运营管理机构可以修改申报内容"
    for response in (
        client.get(reverse("applications:edit", args=[application.pk, "basics"])),
        client.post(reverse("applications:edit", args=[application.pk, "basics"]), _basics_post(name="改名")),
        client.post(
            reverse("applications:evidence_upload", args=[application.pk, "basics"]),
            {"file": SimpleUploadedFile("b.pdf", _real_pdf())},
        ),
        client.post(reverse("applications:evidence_delete", args=[evidence.pk])),
    ):
        assert response.status_code == 403
        assert reason in response.content.decode()
    response = client.post(reverse("applications:submit", args=[application.pk]))
    assert response.status_code == 403
    assert "须由县级主管部门操作" in response.content.decode()
    application.refresh_from_db()
    assert application.name == "佛山市顺德区智能家电产业集群"
    assert application.evidence.count() == 1


def test_a_submitted_application_cannot_be_edited_until_withdrawn(
    application: Application, county_officer: User
) -> None:
    services.application_submit(actor=county_officer, application=application, pledge=PLEDGE)
    client = _client(county_officer)
    response = client.get(reverse("applications:edit", args=[application.pk, "basics"]))
    assert response.status_code == 403
    assert "受理前如需修改，请先撤回" in response.content.decode()
    client.post(reverse("applications:withdraw", args=[application.pk]))
    assert client.get(reverse("applications:edit", args=[application.pk, "basics"])).status_code == 200


def test_an_unknown_tab_is_404(application: Application, county_officer: User) -> None:
    client = _client(county_officer)
    assert client.get(reverse("applications:edit", args=[application.pk, "spot_check"])).status_code == 404
    assert client.get(reverse("applications:edit", args=[application.pk, "nonsense"])).status_code == 404


# --- tabs: bad input at the field, nothing lost, nothing stored ------------------------------------


def test_figures_with_bad_input_show_the_message_at_the_field_and_store_nothing(
    empty_application: Application, county_officer: User
) -> None:
    """A negative output and an SME output above the total: each message beside its field, the other
    entered values still in the form, and no row and no audit event written."""
    url = reverse("applications:edit", args=[empty_application.pk, "figures"])
    client = _client(county_officer)  # signing in is audited: before the count
    events_before = AuditEvent.objects.count()
    data = _figures_post(
        empty_application.call,
        **{"years-0-output": "-3", "years-1-sme_output": "70", "years-2-leading_output": "41.75"},
    )
    for headers in ({}, HTMX):
        response = client.post(url, data, **headers)
        assert response.status_code == 200
        html = response.content.decode()
        assert "大于或等于0" in element_text(html, "field-years-0-output")
        assert "超过了集群总产值 52 亿元" in element_text(html, "field-years-1-sme_output")
        assert "value=41.75" in element_text(html, "field-years-2-leading_output")
        assert "value=60.25" in element_text(html, "field-years-2-output")
        assert "value=301" in element_text(html, "field-years-1-invention_patents")
        assert "未保存" in html
    assert not ApplicationYear.objects.filter(application=empty_application).exists()
    assert AuditEvent.objects.count() == events_before


def test_basics_with_a_bad_county_code_keep_what_was_entered(
    empty_application: Application, county_officer: User
) -> None:
    url = reverse("applications:edit", args=[empty_application.pk, "basics"])
    response = _client(county_officer).post(
        url, _basics_post(name="佛山市顺德区新名称产业集群", other_counties="440605、999999、440600")
    )
    html = response.content.decode()
    message = element_text(html, "field-other_counties")
    assert "999999 不是现行的 GB/T 2260 区划代码" in message
    assert "440600 是佛山市，不是县级行政区划" in message
    assert "440605" not in message.replace("value=440605、999999、440600", "")  # 南海区 is a fine code
    assert "value=佛山市顺德区新名称产业集群" in element_text(html, "field-name")
    assert "value=12.5" in element_text(html, "field-area_km2")
    empty_application.refresh_from_db()
    assert empty_application.name == "佛山市顺德区家具产业集群"
    assert empty_application.area_km2 is None
    assert not AuditEvent.objects.filter(action="application.update").exists()


def test_a_good_tab_save_writes_an_audit_event_and_refreshes_the_panel(
    empty_application: Application, county_officer: User
) -> None:
    client = _client(county_officer)
    url = reverse("applications:edit", args=[empty_application.pk, "basics"])
    response = client.post(url, _basics_post(other_counties="440605"), **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "eligibility-changed"
    assert "已保存" in response.content.decode()
    empty_application.refresh_from_db()
    assert empty_application.other_counties == ["440605"]
    assert empty_application.area_km2 == Decimal("12.5")
    event = AuditEvent.objects.get(action="application.update", target_id=str(empty_application.pk))
    assert event.actor == county_officer
    assert event.after["other_counties"] == ["440605"]

    response = client.post(
        reverse("applications:edit", args=[empty_application.pk, "figures"]),
        _figures_post(empty_application.call),
    )
    assert response.status_code == 302  # without htmx: POST, redirect, GET
    assert sorted(empty_application.years.values_list("year", flat=True)) == _years(empty_application.call)
    assert AuditEvent.objects.filter(action="application.set_years").count() == 1
    panel = client.get(reverse("applications:eligibility", args=[empty_application.pk])).content.decode()
    assert "✓" in panel
    assert "亿元" in panel
    assert "60.25" in panel


def test_the_panel_lists_the_problems_when_the_data_is_unusable(
    empty_application: Application, county_officer: User
) -> None:
    panel = _client(county_officer).get(reverse("applications:eligibility", args=[empty_application.pk]))
    html = panel.content.decode()
    assert "数据尚不能用于预检" in html
    assert "近三年数据（years）" in html
    assert "占地面积（平方公里）（area_km2）" in html


def test_narrative_tabs_show_the_rule_sets_evidence_guidance(
    application: Application, county_officer: User
) -> None:
    html = (
        _client(county_officer)
        .get(reverse("applications:edit", args=[application.pk, "supply_chain"]))
        .content.decode()
    )
    assert "产业链图谱及上下游企业名单" in html  # guangdong-2022, gd-chain-layout
    response = _client(county_officer).post(
        reverse("applications:edit", args=[application.pk, "supply_chain"]),
        {"supply_chain": "上下游配套率 75%"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.supply_chain == "上下游配套率 75%"


def test_an_accident_needs_a_level(empty_application: Application, county_officer: User) -> None:
    url = reverse("applications:edit", args=[empty_application.pk, "safety"])
    data = {
        "incidents-TOTAL_FORMS": "2",
        "incidents-INITIAL_FORMS": "0",
        "incidents-MIN_NUM_FORMS": "0",
        "incidents-MAX_NUM_FORMS": "50",
        "incidents-0-date": str(timezone.localdate() - timedelta(days=400)),
        "incidents-0-kind": "safety_accident",
        "incidents-0-level": "",
        "incidents-0-note": "车间火灾",
    }
    html = _client(county_officer).post(url, data).content.decode()
    assert "安全事故须填写等级" in element_text(html, "field-incidents-0-level")
    assert "value=车间火灾" in element_text(html, "field-incidents-0-note")
    assert not Incident.objects.exists()
    data["incidents-0-level"] = "一般"
    assert _client(county_officer).post(url, data).status_code == 302
    incident = Incident.objects.get()
    assert (incident.kind, incident.level, incident.get_kind_display()) == (
        "safety_accident",
        "一般",
        "安全事故",
    )


def test_plan_targets_fall_in_the_three_years_after_the_call(
    empty_application: Application, county_officer: User
) -> None:
    year = empty_application.call.year
    url = reverse("applications:edit", args=[empty_application.pk, "plan"])
    data = {
        "plan_summary": "到三年末产值翻番",
        "targets-TOTAL_FORMS": "2",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "50",
        "targets-0-indicator": "集群总产值",
        "targets-0-unit": "亿元",
        "targets-0-baseline": "60.25",
        "targets-0-target_value": "120",
        "targets-0-target_year": str(year + 5),
    }
    html = _client(county_officer).post(url, data).content.decode()
    assert f"{year + 1}—{year + 3}" in element_text(html, "field-targets-0-target_year")
    assert "value=到三年末产值翻番" not in html  # a textarea keeps its text as content:
    assert "到三年末产值翻番" in element_text(html, "field-plan_summary")
    assert not DeclaredPlanTarget.objects.exists()
    empty_application.refresh_from_db()
    assert empty_application.plan_summary == ""
    data["targets-0-target_year"] = str(year + 3)
    assert _client(county_officer).post(url, data).status_code == 302
    assert DeclaredPlanTarget.objects.get().target_value == Decimal("120")


# --- evidence ----------------------------------------------------------------------------------------


def test_evidence_a_real_pdf_is_stored_outside_the_web_root_and_served_to_permitted_users(
    application: Application,
    county_officer: User,
    city_officer: User,
    other_county_officer: User,
    evidence_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    content = _real_pdf()
    url = reverse("applications:evidence_upload", args=[application.pk, "innovation"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(county_officer).post(
            url, {"file": SimpleUploadedFile("专利证书.pdf", content)}, **HTMX
        )
    assert response.status_code == 200
    assert "已上传“专利证书.pdf”" in response.content.decode()
    evidence = EvidenceFile.objects.get(application=application)
    stored = list(evidence_root.rglob("*"))
    assert [path.read_bytes() for path in stored if path.is_file()] == [content]
    assert evidence.section == "innovation"
    assert evidence.content_type == "application/pdf"
    assert AuditEvent.objects.filter(action="evidence.add").count() == 1

    for user in (county_officer, city_officer):
        download = _client(user).get(reverse("applications:evidence_download", args=[evidence.pk]))
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == content
        assert download["Content-Disposition"].startswith("attachment;")
        assert "%E4%B8%93%E5%88%A9%E8%AF%81%E4%B9%A6.pdf" in download["Content-Disposition"]  # 专利证书.pdf
    assert (
        _client(other_county_officer)
        .get(reverse("applications:evidence_download", args=[evidence.pk]))
        .status_code
        == 404
    )

    response = _client(county_officer).post(reverse("applications:evidence_delete", args=[evidence.pk]))
    assert response.status_code == 302
    assert not EvidenceFile.objects.exists()


def test_evidence_missing_from_storage_is_a_404_that_says_so(
    application: Application,
    county_officer: User,
    evidence_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The row is there but the file behind it has gone: a 404 that tells the user to call the admin."""
    with django_capture_on_commit_callbacks(execute=True):
        evidence = services.evidence_add(
            actor=county_officer,
            application=application,
            section="basics",
            upload=SimpleUploadedFile("营业执照.pdf", _real_pdf()),
        )
    evidence_path(evidence.stored_name).unlink()
    url = reverse("applications:evidence_download", args=[evidence.pk])
    assert _client(county_officer).get(url).status_code == 404
    # The page a 404 renders is the site's; the message is the exception's, read at the view.
    request = RequestFactory().get(url)
    request.user = county_officer
    with pytest.raises(Http404, match=re.escape("材料文件“营业执照.pdf”已不在存储中，请联系管理员")):
        application_views.evidence_download(request, evidence.pk)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("扫描件.pdf", "png", "文件名后缀（.pdf）与文件内容（png）不符"),
        ("空白.pdf", "empty", "所提交的是空文件"),
        ("脚本.pdf", "text", "该文件的内容不属于这些类型"),
    ],
)
def test_evidence_is_judged_by_its_content(
    application: Application, county_officer: User, evidence_root: Path, name: str, content: str, message: str
) -> None:
    body = {"png": _png(), "empty": b"", "text": b"#!/bin/sh\necho hello\n"}[content]
    url = reverse("applications:evidence_upload", args=[application.pk, "basics"])
    for headers in ({}, HTMX):
        response = _client(county_officer).post(url, {"file": SimpleUploadedFile(name, body)}, **headers)
        assert response.status_code == 200
        assert message in element_text(response.content.decode(), "field-file")
    assert not EvidenceFile.objects.exists()
    assert not any(path.is_file() for path in evidence_root.rglob("*"))


def test_evidence_over_the_size_limit_is_refused(
    application: Application, county_officer: User, evidence_root: Path, settings: Any
) -> None:
    settings.EVIDENCE_MAX_BYTES = 2 * 1024 * 1024
    big = _real_pdf() + b"%" + b"0" * (2 * 1024 * 1024)
    url = reverse("applications:evidence_upload", args=[application.pk, "basics"])
    response = _client(county_officer).post(url, {"file": SimpleUploadedFile("大文件.pdf", big)}, **HTMX)
    assert "文件超过 2 MB 的上限" in element_text(response.content.decode(), "field-file")
    assert not EvidenceFile.objects.exists()


# --- submit and withdraw -------------------------------------------------------------------------------


def test_submit_incomplete_but_valid_data_keeps_a_version(
    call: YearlyCall, county_officer: User, city_officer: User
) -> None:
    """Figures may be missing (the verdict says 缺); the data only has to be a valid profile."""
    application = services.application_create(
        actor=county_officer, call=call, name="佛山市顺德区机器人产业集群", leading_industry="机器人"
    )
    application = _fill(application, county_officer, complete=False)
    client = _client(county_officer)
    panel = client.get(reverse("applications:eligibility", args=[application.pk])).content.decode()
    assert "数据不完整" in panel
    assert "缺" in panel
    response = client.post(reverse("applications:submit", args=[application.pk]), PLEDGE_FORM, follow=True)
    assert "已提交申报" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    version = ApplicationVersion.objects.get(application=application)
    assert version.number == 1
    assert version.submitted_by == county_officer
    assert city_officer.notifications.count() == 1


def test_submit_without_years_is_refused_naming_the_field(
    empty_application: Application, county_officer: User
) -> None:
    services.application_update(
        actor=county_officer, application=empty_application, fields={"area_km2": Decimal("10")}
    )
    response = _client(county_officer).post(
        reverse("applications:submit", args=[empty_application.pk]), PLEDGE_FORM, follow=True
    )
    html = response.content.decode()
    assert "未能提交" in html
    assert "近三年数据（years）：尚未填写" in html
    empty_application.refresh_from_db()
    assert empty_application.status == Status.DRAFT
    assert not ApplicationVersion.objects.exists()


def test_withdraw_returns_the_application_to_draft(application: Application, county_officer: User) -> None:
    client = _client(county_officer)
    client.post(reverse("applications:submit", args=[application.pk]), PLEDGE_FORM)
    response = client.post(reverse("applications:withdraw", args=[application.pk]), follow=True)
    assert "已撤回申报" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert AuditEvent.objects.filter(action="application.withdraw").count() == 1


# --- create --------------------------------------------------------------------------------------------


def test_create_an_application_from_the_form(call: YearlyCall, county_officer: User) -> None:
    client = _client(county_officer)
    url = reverse("applications:new") + f"?call={call.pk}"
    response = client.post(url, {"name": "", "leading_industry": "陶瓷"})
    assert "这个字段是必填项" in element_text(response.content.decode(), "field-name")
    assert "value=陶瓷" in element_text(response.content.decode(), "field-leading_industry")
    response = client.post(url, {"name": "佛山市顺德区陶瓷产业集群", "leading_industry": "陶瓷"})
    created = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:detail", args=[created.pk])
    assert created.number == f"{call.year}-440606-01"


def test_a_pool_programme_takes_only_the_countys_pool_entries(county_officer: User) -> None:
    call = _open_call(_programme(pool_required=True))
    own = PoolEntry.objects.create(
        city_id="440600", county_id="440606", name="顺德家电集群", leading_industry="家电"
    )
    other = PoolEntry.objects.create(
        city_id="440600", county_id="440605", name="南海铝材集群", leading_industry="铝材"
    )
    client = _client(county_officer)
    url = reverse("applications:new") + f"?call={call.pk}"
    form = client.get(url).content.decode()
    assert "顺德家电集群" in form
    assert "南海铝材集群" not in form
    response = client.post(url, {"name": "佛山市顺德区家电产业集群", "leading_industry": "家电"})
    assert "须从培育库中申报" in element_text(response.content.decode(), "field-pool_entry")
    response = client.post(
        url, {"name": "佛山市顺德区铝材产业集群", "leading_industry": "铝材", "pool_entry": other.pk}
    )
    assert "field-pool_entry" in response.content.decode()
    assert not Application.objects.exists()
    client.post(url, {"name": "佛山市顺德区家电产业集群", "leading_industry": "家电", "pool_entry": own.pk})
    assert Application.objects.get().pool_entry == own


def test_the_service_refuses_another_countys_pool_entry(county_officer: User) -> None:
    from django.core.exceptions import ValidationError

    call = _open_call(_programme(pool_required=True))
    other = PoolEntry.objects.create(
        city_id="440600", county_id="440605", name="南海铝材集群", leading_industry="铝材"
    )
    with pytest.raises(ValidationError) as refused:
        services.application_create(
            actor=county_officer, call=call, name="x", leading_industry="铝材", pool_entry=other
        )
    assert "pool_entry" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.application_create(actor=county_officer, call=call, name="x", leading_industry="铝材")


def test_a_city_officer_cannot_create(call: YearlyCall, city_officer: User) -> None:
    response = _client(city_officer).get(reverse("applications:new") + f"?call={call.pk}")
    assert response.status_code == 403
    assert "只有县级主管部门或集群运营管理机构可以创建申报" in response.content.decode()


# --- list and export -----------------------------------------------------------------------------------


def test_list_and_export_show_only_visible_rows(
    application: Application,
    call: YearlyCall,
    county_officer: User,
    other_county_officer: User,
    city_officer: User,
    other_city_officer: User,
) -> None:
    nanhai = services.application_create(
        actor=other_county_officer, call=call, name='=HYPERLINK("x")南海铝材产业集群', leading_industry="铝材"
    )
    services.application_submit(actor=county_officer, application=application, pledge=PLEDGE)

    def export(user: User, query: str = "") -> list[list[str]]:
        response = _client(user).get(reverse("applications:export") + query)
        assert response["Content-Type"].startswith("text/csv")
        assert response.content.startswith("\ufeff".encode())
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    county_rows = export(county_officer)
    assert county_rows[0][0] == "申报编号"
    assert [row[0] for row in county_rows[1:]] == [application.number]
    assert county_rows[1][5] == "已提交，待受理"
    city_rows = export(city_officer)
    assert sorted(row[0] for row in city_rows[1:]) == sorted([application.number, nanhai.number])
    assert "'=HYPERLINK" in "".join(row[1] for row in city_rows)  # never a formula in Excel
    assert [row[0] for row in export(city_officer, "?status=draft")[1:]] == [nanhai.number]
    assert export(other_city_officer)[1:] == []

    listing = _client(city_officer).get(reverse("applications:list") + "?status=submitted").content.decode()
    assert application.number in listing
    assert nanhai.number not in listing
    listing = _client(county_officer).get(reverse("applications:list")).content.decode()
    assert application.number in listing
    assert nanhai.number not in listing
    assert reverse("applications:new") + f"?call={call.pk}" in listing


# --- the PDF -------------------------------------------------------------------------------------------


def test_the_pdf_embeds_a_cjk_font_names_the_number_on_every_page_and_is_a_draft_until_submitted(
    application: Application, county_officer: User
) -> None:
    client = _client(county_officer)
    url = reverse("applications:pdf", args=[application.pk])
    services.application_update(
        actor=county_officer, application=application, fields={"supply_chain": "产业链协作说明。\n" * 120}
    )
    draft = client.get(url).content
    pages = _pdf_pages(draft)
    assert len(pages) >= 2
    assert all(application.number in page for page in pages)
    assert all("草稿" in page for page in pages)
    assert "佛山市顺德区智能家电产业集群" in pages[0]
    assert "集群总产值" in "".join(pages)
    assert "亿元" in "".join(pages)
    fonts = {font.replace("-", "") for font in _pdf_fonts(draft)}
    # The Simplified Chinese face (issue 14): the collection's first face, JP, prints 直 骨 令 in JP forms.
    assert any("NotoSansCJKSC" in font for font in fonts), fonts
    assert not any("JP" in font for font in fonts), fonts

    client.post(reverse("applications:submit", args=[application.pk]), PLEDGE_FORM)
    submitted = _pdf_pages(client.get(url).content)
    assert all(application.number in page for page in submitted)
    assert not any("草稿" in page for page in submitted)


def test_the_pdf_fails_loudly_without_a_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(application_pdf, "KNOWN_FONT_FILES", (Path("/nonexistent/NotoSansCJK-Regular.ttc"),))
    monkeypatch.setattr(application_pdf, "_fontconfig_chinese_files", list)
    with pytest.raises(application_pdf.CJKFontMissing, match="fonts-noto-cjk"):
        application_pdf.render_pdf("<p>草稿</p>")
