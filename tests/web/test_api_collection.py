"""Ministry collection (issue 17, "Ministry collection"): a province's annual figures of its national
clusters reach the ministry's platform by pull. The province's API answers ``GET /api/v1/collection/{year}``
to a token of one of its accounts with the national clusters in that account's reach whose report the
province received; the ministry's platform checks the package (figures through the annual-figures
validation) and records what it received, when and its SHA-256 (``CollectionReceipt``, audited), shown to
the ministry's administrator on 省级数据接收."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from clock import Clock
from factories import ProgrammeFactory, UserFactory, annual_report_in
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.api.collection import collection_receive
from smecluster.apps.api.models import CollectionReceipt
from smecluster.apps.api.services import token_create
from smecluster.apps.applications.models import Application, Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
from smecluster.apps.registry.services import annual_reports
from smecluster.cli import main
from smecluster.errors import UnusableInput

FIGURES = {"figures": {"output": 120.5, "sme_output": 80}, "quality_firms": {"little_giant": 4}, "firms": 300}


@pytest.fixture
def national_cluster(
    web_application_in: Callable[..., Application], web_users: dict[str, User], clock: Clock
) -> RecognizedCluster:
    """A 顺德区 cluster of the national programme whose 2024 report the province has sent on."""
    cluster = RecognizedCluster.objects.get(application=web_application_in(Status.RECOGNIZED))
    national = ProgrammeFactory(
        name="国家级中小企业特色产业集群认定",
        owner_id=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "city", "province", "national"],
    )
    RecognizedCluster.objects.filter(pk=cluster.pk).update(programme=national)
    cluster.refresh_from_db()
    clock.beijing(date(2025, 3, 20))
    # The national programme's chain: the county submits, the province reviews and sends it on (报送).
    with transaction.atomic():  # opened as the daily tick opens it, inside its transaction
        report = annual_report_in(cluster, AnnualReport.Status.DRAFT, year=2024, figures={})
    county, province = web_users["county_officer"], web_users["province_admin"]
    annual_reports.report_save_figures(actor=county, report=report, document=FIGURES)
    annual_reports.report_save_narrative(
        actor=county,
        report=report,
        fields={"work_done": "完成", "experience": "", "problems": "", "measures": ""},
    )
    annual_reports.report_move(actor=county, report=report, action="submit")
    annual_reports.report_move(actor=province, report=report, action="forward")
    return cluster


def _bearer(user: User) -> dict[str, str]:
    _token, secret = token_create(
        actor=user,
        name="部级平台拉取",
        scopes=["annual_reports:read"],
        expires_at=timezone.now() + timedelta(days=30),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_province_answers_its_national_clusters_received_figures(
    client: Client, web_users: dict[str, User], national_cluster: RecognizedCluster
) -> None:
    answer = client.get("/api/v1/collection/2024", **_bearer(web_users["province_admin"]))
    assert answer.status_code == 200
    package = answer.json()
    assert (package["format"], package["province"], package["year"]) == (
        "smecluster-annual-figures",
        "440000",
        2024,
    )
    assert [entry["number"] for entry in package["clusters"]] == [national_cluster.number]
    assert package["clusters"][0]["figures"]["figures"]["output"] == 120.5
    # Another province's account reaches none of it (cluster_reach, as the annual-report pages).
    other = UserFactory(username="zj-admin", role=Role.PROVINCE_ADMIN, jurisdiction_id="330000")
    assert client.get("/api/v1/collection/2024", **_bearer(other)).json()["clusters"] == []


def test_the_ministry_records_what_it_received_and_shows_it(
    client: Client, web_users: dict[str, User], national_cluster: RecognizedCluster
) -> None:
    raw = client.get("/api/v1/collection/2024", **_bearer(web_users["province_admin"])).content
    ministry = UserFactory(username="miit-admin", role=Role.MINISTRY_ADMIN, jurisdiction_id="100000")
    client.force_login(ministry)
    page = client.post("/collection/", {"package": SimpleUploadedFile("gd-2024.json", raw)})
    assert page.status_code == 302
    receipt = CollectionReceipt.objects.get()
    assert (receipt.province_id, receipt.year, receipt.clusters) == ("440000", 2024, 1)
    assert receipt.sha256 == hashlib.sha256(raw).hexdigest()
    assert receipt.received_by == ministry
    assert AuditEvent.objects.filter(action="api.collection_receive", target_id=str(receipt.pk)).exists()
    listing = client.get("/collection/").content.decode()
    assert "gd-2024.json" in listing
    assert receipt.sha256 in listing
    # Only the ministry's administrator sees the page.
    client.force_login(web_users["province_admin"])
    assert client.get("/collection/").status_code == 403


def test_an_oversized_package_is_refused_by_its_size_before_it_is_read(
    client: Client, monkeypatch: pytest.MonkeyPatch, web_divisions: None
) -> None:
    monkeypatch.setattr("smecluster.apps.api.forms.MAX_PACKAGE_BYTES", 1024)
    ministry = UserFactory(username="miit-admin", role=Role.MINISTRY_ADMIN, jurisdiction_id="100000")
    client.force_login(ministry)
    read: list[int] = []
    monkeypatch.setattr("smecluster.apps.api.views.decode_json", lambda raw, **_: read.append(len(raw)))
    page = client.post(
        "/collection/", {"package": SimpleUploadedFile("big.json", b"[" + b"1," * 1024 + b"1]")}
    )
    assert page.status_code == 200
    assert "数据包过大" in page.content.decode()
    assert read == []
    assert not CollectionReceipt.objects.exists()


def test_a_package_with_bad_figures_is_refused_whole_naming_the_field(db: Any, web_divisions: None) -> None:
    bad = {"number": "GD-1", "division_code": "440606", "figures": {**FIGURES, "figures": {"output": -1}}}
    package: dict[str, Any] = {
        "format": "smecluster-annual-figures", "version": 1, "province": "440000", "year": 2024,
        "clusters": [bad],
    }  # fmt: skip
    with pytest.raises(UnusableInput) as refused:
        collection_receive(actor=None, package=package, raw=json.dumps(package).encode(), source="test")
    assert any(problem.field.startswith("clusters[0].figures.") for problem in refused.value.problems)
    assert not CollectionReceipt.objects.exists()


def test_smecluster_collect_pulls_over_http_and_records_it(
    transactional_db: Any,
    live_server: Any,
    web_users: dict[str, User],
    national_cluster: RecognizedCluster,
    tmp_path: Path,
) -> None:
    """The ministry's side by pull: ``smecluster collect URL --year Y --token-file F`` against a running
    platform (the test's live server stands for the province's)."""
    token_file = tmp_path / "gd.token"
    token_file.write_text(_bearer(web_users["province_admin"])["HTTP_AUTHORIZATION"].removeprefix("Bearer "))
    result = CliRunner().invoke(
        main, ["collect", live_server.url, "--year", "2024", "--token-file", str(token_file)]
    )
    assert result.exit_code == 0, result.output
    receipt = CollectionReceipt.objects.get()
    assert (receipt.province_id, receipt.clusters, receipt.received_by) == ("440000", 1, None)
    assert receipt.source == f"{live_server.url}/api/v1/collection/2024"
    assert receipt.sha256 in result.output
    # A wrong token: exit 2 with the reason, nothing recorded.
    token_file.write_text("smc_wrong")
    refused = CliRunner().invoke(
        main, ["collect", live_server.url, "--year", "2024", "--token-file", str(token_file)]
    )
    assert refused.exit_code == 2
    assert "HTTP 401" in refused.output
    assert CollectionReceipt.objects.count() == 1
