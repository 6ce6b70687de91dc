"""The register import's pages and command (issue 14, "The register of past recognitions"): the owner's office
uploads, previews the row report and confirms; every role × page; the imported cluster in the pages that
read a cluster (its record, the published list, the county's reach, a revocation's pledge row, re-review's
profile); ``smecluster register import`` exits 2 with the report on bad rows, without a traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from test_register_import import GOOD_ROWS, csv_bytes

from clock import Clock
from factories import annual_report_in
from smecluster.analytics.figures import Source
from smecluster.apps.accounts.models import Jurisdiction, Role, User
from smecluster.apps.monitoring.selectors import cluster_years
from smecluster.apps.programmes.models import Programme
from smecluster.apps.registry.models import RecognizedCluster, RegisterImport
from smecluster.apps.registry.selectors import cluster_for
from smecluster.apps.registry.services.re_reviews import updated_profile_document
from smecluster.apps.registry.services.register_import import register_import
from smecluster.cli import main

BAD_ROW = ["2022", "", "余江眼镜", "360622", "", "", "", "眼镜", "C3587", ""]


@pytest.fixture(autouse=True)
def pages_evidence_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "evidence"
    settings.EVIDENCE_ROOT = root
    return root


@pytest.fixture
def pages_world(web_users: dict[str, User], web_programme: Programme, web_new_user: Any, clock: Clock) -> Any:
    clock.beijing(date(2026, 12, 7), 10)
    national = Programme.objects.create(
        name="国家级中小企业特色产业集群",
        owner=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "province", "national"],
        quota_per_unit=None,
    )
    users = {
        **web_users,
        "ministry_admin": web_new_user("ministry-admin", Role.MINISTRY_ADMIN, "100000"),
        "shenzhen_county": web_new_user("nanshan", Role.COUNTY_OFFICER, "440305"),
    }
    return users, national, web_programme


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_upload_preview_and_confirm(pages_world: Any, django_capture_on_commit_callbacks: Any) -> None:
    users, national, _guangdong = pages_world
    client = client_of(users["ministry_admin"])
    url = reverse("registry:register_programme", args=[national.pk])
    page = client.get(url)
    assert page.status_code == 200
    upload = {"file": _upload(csv_bytes(GOOD_ROWS), "national.csv")}
    preview = client.post(url, upload)
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "新增 3 个集群" in text
    assert "未填有效期" in text  # the assumption, said
    assert RecognizedCluster.objects.count() == 0  # a preview stores nothing
    with django_capture_on_commit_callbacks(execute=True):  # the file moves into place on commit
        confirmed = client.post(url, {"confirm": "1"})
    imported = RegisterImport.objects.get()
    assert confirmed.status_code == 302
    assert confirmed["Location"] == imported.get_absolute_url()
    assert RecognizedCluster.objects.filter(register_import=imported).count() == 3
    detail = client.get(imported.get_absolute_url())
    assert "国中小特色集群〔2022〕001" in detail.content.decode()
    file = client.get(reverse("registry:register_import_file", args=[imported.pk]))
    assert file.status_code == 200
    assert b"".join(file.streaming_content) == csv_bytes(GOOD_ROWS)  # type: ignore[attr-defined]
    # The confirmation is used up: a second one stores nothing more.
    again = client.post(url, {"confirm": "1"}, follow=True)
    assert "没有待确认的名单" in again.content.decode()
    assert RegisterImport.objects.count() == 1


def test_a_bad_row_is_reported_by_row_and_column_and_nothing_can_be_confirmed(pages_world: Any) -> None:
    users, national, _guangdong = pages_world
    client = client_of(users["ministry_admin"])
    url = reverse("registry:register_programme", args=[national.pk])
    response = client.post(url, {"file": _upload(csv_bytes([*GOOD_ROWS, BAD_ROW]), "bad.csv")})
    assert response.status_code == 400
    text = response.content.decode()
    assert "<td>5</td><td>区划代码</td><td>余江县 已于2018年更名为 余江区（360603）" in text
    assert 'name="confirm"' not in text
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert RecognizedCluster.objects.count() == 0


def test_an_unreadable_file_is_refused_with_the_reason(pages_world: Any) -> None:
    users, national, _guangdong = pages_world
    url = reverse("registry:register_programme", args=[national.pk])
    response = client_of(users["ministry_admin"]).post(url, {"file": _upload(b"\x00\x01\x02", "x.csv")})
    assert response.status_code == 400
    assert "文件无法读取" in response.content.decode()


def _upload(data: bytes, name: str) -> Any:
    return SimpleUploadedFile(name, data, content_type="text/csv")


ROLES = (
    "anonymous",
    "province_admin",
    "ministry_admin",
    "city_officer",
    "county_officer",
    "operator",
    "expert",
)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_register_pages(
    pages_world: Any, role: str, django_capture_on_commit_callbacks: Any
) -> None:
    """The programme owner's office only: 广东省's admin for its programme, the ministry for the national
    one; a 403 with the reason for everyone else, and a 404 for an import of a programme it does not own."""
    users, national, guangdong = pages_world
    with django_capture_on_commit_callbacks(execute=True):
        imported = register_import(
            actor=users["ministry_admin"], programme=national, data=csv_bytes(GOOD_ROWS), filename="a.csv"
        ).register_import
    assert imported is not None
    client = client_of(None if role == "anonymous" else users[role])
    owns = {"province_admin": guangdong, "ministry_admin": national}.get(role)
    expected: dict[str, int] = {
        reverse("registry:register_home"): 200 if owns else 403,
        reverse("registry:register_template"): 200 if owns else 403,
        reverse("registry:register_programme", args=[guangdong.pk]): 200 if owns == guangdong else 403,
        reverse("registry:register_programme", args=[national.pk]): 200 if owns == national else 403,
        imported.get_absolute_url(): 200 if owns == national else 404,
        reverse("registry:register_import_file", args=[imported.pk]): 200 if owns == national else 404,
    }
    # The way in: a link on the 动态管理 list, for the owner's office only.
    if role != "anonymous":
        listing = client.get(reverse("oversight:clusters")).content.decode()
        assert ('id="register-import-link"' in listing) == bool(owns), role
    for url, status in expected.items():
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302
            assert "/login" in response["Location"]
            continue
        assert response.status_code == status, (url, response.status_code)
        if status == 403:
            assert "认定机关" in response.content.decode()
    # A POST to another's programme stores nothing, whoever tries.
    if role not in ("anonymous", "province_admin"):
        url = reverse("registry:register_programme", args=[guangdong.pk])
        row = ["2023", "", "佛山市顺德区家电产业集群", "440606", "", "", "", "家电", "C385", ""]
        client.post(url, {"file": _upload(csv_bytes([row]), "gd.csv")})
        client.post(url, {"confirm": "1"})
        assert not RecognizedCluster.objects.filter(programme=guangdong).exists()


def test_an_imported_cluster_in_the_pages_that_read_a_cluster(pages_world: Any) -> None:
    users, national, _guangdong = pages_world
    register_import(
        actor=users["ministry_admin"], programme=national, data=csv_bytes(GOOD_ROWS), filename="a"
    )
    cluster = RecognizedCluster.objects.get(county="440305")
    # The county officer of the cluster's county reaches it as any cluster; another county does not.
    record = client_of(users["shenzhen_county"]).get(cluster.get_absolute_url())
    assert record.status_code == 200
    assert "历史名单导入：工信部企业函〔2023〕5号" in record.content.decode()
    assert client_of(users["county_officer"]).get(cluster.get_absolute_url()).status_code == 404
    assert cluster_for(users["shenzhen_county"], cluster.pk) == cluster
    # The published list and the public page show it, with the source it was published in.
    public = Client()
    assert cluster.name in public.get(reverse("registry:public_list")).content.decode()
    detail = public.get(reverse("registry:public_detail", args=[cluster.pk])).content.decode()
    assert "工信部企业函〔2023〕5号" in detail
    # No certificate is printed for it: the original decision certified it.
    certificate = client_of(users["ministry_admin"]).get(reverse("registry:certificate", args=[cluster.pk]))
    assert certificate.status_code == 403
    assert "原认定文件" in certificate.content.decode()
    # Re-review's profile stands on what the list gave, the missing facts left absent (named, not guessed).
    document = updated_profile_document(cluster, date(2026, 12, 7))
    assert document["counties"] == ["440305"]
    assert document["leading_industry_code"] == "I6520"
    assert "area_km2" not in document


def test_the_command_imports_and_exits_2_with_the_report_on_bad_rows(
    pages_world: Any, tmp_path: Path
) -> None:
    users, national, _guangdong = pages_world
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([*GOOD_ROWS, BAD_ROW]))
    result = CliRunner().invoke(main, ["register", "import", str(bad), "--programme", str(national.pk)])
    assert result.exit_code == 2, result.output
    assert "第5行 区划代码：余江县 已于2018年更名为 余江区（360603）" in result.output
    assert "Traceback" not in result.output
    assert RecognizedCluster.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(GOOD_ROWS))
    dry = CliRunner().invoke(
        main, ["register", "import", str(good), "--programme", str(national.pk), "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert RecognizedCluster.objects.count() == 0
    done = CliRunner().invoke(
        main, ["register", "import", str(good), "--programme", str(national.pk), "--actor", "ministry-admin"]
    )
    assert done.exit_code == 0, done.output
    assert RecognizedCluster.objects.count() == 3
    assert RegisterImport.objects.get().uploaded_by == users["ministry_admin"]
    refused = CliRunner().invoke(
        main, ["register", "import", str(good), "--programme", str(national.pk), "--actor", "province-admin"]
    )
    assert refused.exit_code == 2
    assert "Traceback" not in refused.output


def test_an_imported_cluster_files_annual_reports_and_counts_in_the_monitoring_report(
    web_users: dict[str, User], web_programme: Programme, clock: Clock
) -> None:
    """Imported clusters "take part in annual reports … and reports" (issue 14): 广东省 imports a 顺德区
    cluster of its 2023 list; its 2025 report goes county → city → province like any cluster's, and the
    monitoring report of 广东省 counts it from the received report."""
    clock.beijing(date(2026, 3, 2), 10)
    header = ["批次年度", "集群名称", "区划代码", "主导产业", "主导产业代码", "认定日期"]
    row = ["2023", "佛山市顺德区家电产业集群", "440606", "家电", "C385", "2023-06-01"]
    report = register_import(
        actor=web_users["province_admin"],
        programme=web_programme,
        data=csv_bytes([row], header),
        filename="gd",
    )
    assert report.ok, report.errors
    cluster = RecognizedCluster.objects.get()
    assert cluster.status == RecognizedCluster.Status.VALID
    figures = {
        "figures": {"output": 120.5, "sme_output": 80, "leading_output": 100, "invention_patents": 150},
        "quality_firms": {"little_giant": 4, "specialized": 20},
        "firms": 300,
    }
    received = annual_report_in(cluster, "received", year=2025, figures=figures)
    assert received.status == "received"
    counted = cluster_years(Jurisdiction.objects.get(code="440000"), 2025)
    assert [(fact.number, fact.source) for fact in counted] == [(cluster.number, Source.ANNUAL_REPORT)]
