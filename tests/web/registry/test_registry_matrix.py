"""Every role × every page and action of dynamic management: allowed, refused with the reason (403), not
there (404 for a record outside the user's reach), or the login page for anonymous visitors. Refused and
hidden requests write nothing.

The roles of one case share its world, built by the first; each role's request runs in a savepoint rolled
back after it (tests/shared_world.py), so every role meets the case as if it were the first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from clock import Clock
from conftest import reg_client, reg_figures, reg_make_cluster
from factories import ApplicationFactory, UserFactory, YearlyCallFactory, annual_report_in, people
from shared_world import WorldPerKey, rolled_back
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.registry.models import (
    AnnualReport,
    AnnualReportEvidence,
    ClusterAssessment,
    ClusterPlanTarget,
    RecognizedCluster,
    ReReview,
    ReReviewEvidence,
)
from smecluster.apps.registry.services import annual_reports, duties, plan_targets, re_reviews
from smecluster.documents.annual_workbook import write_annual_workbook

ROLES = (
    "anonymous", "province_admin", "ministry_admin", "city_officer", "other_city_officer", "county_officer",
    "other_county_officer", "operator", "other_operator", "expert",
)  # fmt: skip
OUTSIDE = {"ministry_admin", "other_city_officer", "other_county_officer", "other_operator", "expert"}
LOGIN = "login"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _expect(allowed: set[str], refused: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    """200/302 for ``allowed``, 403 for ``refused``, 404 for the rest, login for anonymous visitors."""
    return {
        role: LOGIN if role == "anonymous" else "ok" if role in allowed else 403 if role in refused else 404
        for role in ROLES
    }


IN_REACH = {"province_admin", "city_officer", "county_officer", "operator"}
EVERYONE = set(ROLES) - {"anonymous"}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    state: str  # what the world holds: a report in this state, or "re_review:<state>"
    url: Callable[[dict[str, Any]], str]
    expected: dict[str, Any]
    data: Callable[[dict[str, Any]], dict[str, Any]] = lambda world: {}


DRAFTERS = {"county_officer", "operator"}
OFFICIALS = {"province_admin", "city_officer"}
CASES = (
    Case("cluster", "get", "draft", lambda w: f"/clusters/{w['cluster'].pk}/", _expect(IN_REACH)),
    # The yearly 考核 (GD 17 / SX 18): everyone in reach reads a cluster-year; only the owner (the province
    # for a provincial programme) records it; the list is scoped by reach (empty, not refused, outside it).
    Case(
        "assessment",
        "get",
        "draft",
        lambda w: f"/clusters/{w['cluster'].pk}/assessments/2024/",
        _expect(IN_REACH),
    ),
    Case(
        "assessment_record",
        "post",
        "draft",
        lambda w: f"/clusters/{w['cluster'].pk}/assessments/2024/",
        _expect({"province_admin"}, IN_REACH - {"province_admin"}),
        lambda w: {"grade": "合格", "findings": "年报按期报送，规划目标按期推进"},
    ),
    Case("assessment_list", "get", "draft", lambda w: "/assessments/", _expect(EVERYONE)),
    # Who operates the cluster is the county officer's to set; its operator and the offices above are refused.
    Case(
        "cluster_operators",
        "post",
        "draft",
        lambda w: f"/clusters/{w['cluster'].pk}/operators/",
        _expect({"county_officer"}, {"operator", *OFFICIALS}),
        lambda w: {"operator": str(w["users"]["operator"].pk), "remove": "on"},
    ),
    Case(
        "plan_target_add",
        "post",
        "draft",
        lambda w: f"/clusters/{w['cluster'].pk}/targets/",
        _expect(DRAFTERS, OFFICIALS),
        lambda w: {
            "metric": "firms",
            "baseline_year": "2023",
            "baseline_value": "280",
            "target_value": "350",
            "target_year": "2026",
        },
    ),
    Case(
        "plan_target_edit",
        "post",
        "target",
        lambda w: f"/plan-targets/{w['target'].pk}/",
        _expect(DRAFTERS, OFFICIALS),
        lambda w: {
            "metric": "output",
            "baseline_year": "2023",
            "baseline_value": "100",
            "target_value": "140",
            "target_year": "2026",
        },
    ),
    Case(
        "plan_target_delete",
        "post",
        "target",
        lambda w: f"/plan-targets/{w['target'].pk}/delete/",
        _expect(DRAFTERS, OFFICIALS),
    ),
    Case(
        "report_evidence_download",
        "get",
        "evidence",
        lambda w: f"/annual-report-evidence/{w['evidence'].pk}/",
        _expect(IN_REACH),
    ),
    Case(
        "report_evidence_delete",
        "post",
        "evidence",
        lambda w: f"/annual-report-evidence/{w['evidence'].pk}/delete/",
        _expect(DRAFTERS, OFFICIALS),
    ),
    Case("report_list", "get", "draft", lambda w: "/annual-reports/", _expect(EVERYONE)),
    Case("report_csv", "get", "draft", lambda w: "/annual-reports/?format=csv", _expect(EVERYONE)),
    Case("report_detail", "get", "draft", lambda w: f"/annual-reports/{w['report'].pk}/", _expect(IN_REACH)),
    Case(
        "report_edit",
        "get",
        "draft",
        lambda w: f"/annual-reports/{w['report'].pk}/edit/figures/",
        _expect(DRAFTERS, OFFICIALS),
    ),
    Case(
        "report_save",
        "post",
        "draft",
        lambda w: f"/annual-reports/{w['report'].pk}/edit/narrative/",
        _expect(DRAFTERS, OFFICIALS),
        lambda w: {"work_done": "矩阵测试"},
    ),
    Case(
        "report_evidence",
        "post",
        "draft",
        lambda w: f"/annual-reports/{w['report'].pk}/evidence/",
        _expect(DRAFTERS, OFFICIALS),
        lambda w: {"file": SimpleUploadedFile("附件.pdf", PDF, content_type="application/pdf")},
    ),
    Case(
        "report_workbook",
        "get",
        "filled",
        lambda w: f"/annual-reports/{w['report'].pk}/workbook.xlsx",
        _expect(IN_REACH),
    ),
    Case(
        "report_workbook_upload",
        "post",
        "filled",
        lambda w: f"/annual-reports/{w['report'].pk}/workbook/upload/",
        _expect(DRAFTERS, OFFICIALS),
        lambda w: {
            "file": SimpleUploadedFile(
                "年报.xlsx", write_annual_workbook({**w["report"].figures, "year": w["report"].year})
            )
        },
    ),
    Case(
        "report_submit",
        "post",
        "filled",
        lambda w: f"/annual-reports/{w['report'].pk}/do/submit/",
        _expect({"county_officer"}, {"operator", *OFFICIALS}),
    ),
    Case(
        "report_forward",
        "post",
        "submitted",
        lambda w: f"/annual-reports/{w['report'].pk}/do/forward/",
        _expect({"city_officer"}, {"province_admin", *DRAFTERS}),
    ),
    Case(
        "report_return",
        "post",
        "submitted",
        lambda w: f"/annual-reports/{w['report'].pk}/do/return/",
        _expect({"city_officer"}, {"province_admin", *DRAFTERS}),
        lambda w: {"reason": "数据需核实"},
    ),
    Case(
        "report_receive",
        "post",
        "forwarded",
        lambda w: f"/annual-reports/{w['report'].pk}/do/receive/",
        _expect({"province_admin"}, {"city_officer", *DRAFTERS}),
    ),
    Case("re_review_list", "get", "re_review:draft", lambda w: "/re-reviews/", _expect(EVERYONE)),
    Case(
        "re_review_detail",
        "get",
        "re_review:draft",
        lambda w: f"/re-reviews/{w['re_review'].pk}/",
        _expect(IN_REACH),
    ),
    Case(
        "re_review_save",
        "post",
        "re_review:draft",
        lambda w: f"/re-reviews/{w['re_review'].pk}/statement/",
        _expect(DRAFTERS, OFFICIALS),
        lambda w: {"statement": "复核说明"},
    ),
    Case(
        "re_review_evidence_upload",
        "post",
        "re_review:draft",
        lambda w: f"/re-reviews/{w['re_review'].pk}/evidence/",
        _expect(DRAFTERS, OFFICIALS),
        lambda w: {"file": SimpleUploadedFile("复核附件.pdf", PDF, content_type="application/pdf")},
    ),
    Case(
        "re_review_evidence_download",
        "get",
        "re_review:evidence",
        lambda w: f"/re-review-evidence/{w['evidence'].pk}/",
        _expect(IN_REACH),
    ),
    Case(
        "re_review_evidence_delete",
        "post",
        "re_review:evidence",
        lambda w: f"/re-review-evidence/{w['evidence'].pk}/delete/",
        _expect(DRAFTERS, OFFICIALS),
    ),
    Case(
        "re_review_submit",
        "post",
        "re_review:filled",
        lambda w: f"/re-reviews/{w['re_review'].pk}/do/submit/",
        _expect({"county_officer"}, {"operator", *OFFICIALS}),
    ),
    Case(
        "re_review_recommend",
        "post",
        "re_review:submitted",
        lambda w: f"/re-reviews/{w['re_review'].pk}/do/recommend/",
        _expect({"city_officer"}, {"province_admin", *DRAFTERS}),
        lambda w: {"reason": "同意推荐"},
    ),
    Case(
        "re_review_decide",
        "post",
        "re_review:recommended",
        lambda w: f"/re-reviews/{w['re_review'].pk}/do/decide/",
        _expect({"province_admin"}, {"city_officer", *DRAFTERS}),
        lambda w: {"outcome": "passed", "reason": "通过"},
    ),
)


@pytest.fixture(scope="module")
def matrix_evidence_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("registry-matrix") / "evidence"


@pytest.fixture(autouse=True)
def reg_evidence_root(matrix_evidence_root: Path, settings: Any) -> Path:
    """One evidence directory for the module (in place of conftest's, one per test): a case's files are
    stored when its world is built, by the case's first role, and read by every role after it."""
    settings.EVIDENCE_ROOT = matrix_evidence_root
    return matrix_evidence_root


@pytest.fixture(scope="class")
def matrix_base(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """What every case shares: the web tests' people and the ministry admin, and the recognized 顺德区
    cluster of a draft in this year's Guangdong call (registry conftest's ``reg_cluster``), built once for the
    class in a transaction rolled back after it (tests/shared_world.py)."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_divisions()
        users = people()
        users["ministry_admin"] = UserFactory(
            username="ministry-admin", role=Role.MINISTRY_ADMIN, jurisdiction_id="100000"
        )
        application = ApplicationFactory(
            call=YearlyCallFactory(), name="佛山市测试智能家电产业集群1", operators=[users["operator"]]
        )
        yield {"users": users, "cluster": reg_make_cluster(application)}
        transaction.set_rollback(True)


@pytest.fixture(scope="class")
def matrix_cases() -> Iterator[WorldPerKey[dict[str, Any]]]:
    cases: WorldPerKey[dict[str, Any]] = WorldPerKey()
    yield cases
    cases.close()


@pytest.fixture
def matrix_world(
    request: pytest.FixtureRequest,
    clock: Clock,
    matrix_base: dict[str, Any],
    matrix_cases: WorldPerKey[dict[str, Any]],
) -> Iterator[dict[str, Any]]:
    """The world of the case, built by its first role at the moment ``_world`` sets; every role's request
    runs at that moment, in a savepoint rolled back after it."""
    case = request.node.callspec.params["case"]

    def report_in(status: str, *, year: int) -> AnnualReport:
        return annual_report_in(matrix_base["cluster"], status, year=year, figures=reg_figures(year))

    def build() -> dict[str, Any]:
        world = _world(case.state, clock, report_in, matrix_base["users"])
        return {**world, "users": matrix_base["users"], "now": timezone.now()}

    world = matrix_cases.get(case, build)
    clock.move_to(world["now"])
    with rolled_back():
        yield world


def _world(
    state: str, clock: Clock, reg_report_in: Callable[..., AnnualReport], users: dict[str, User]
) -> dict[str, Any]:
    clock.beijing(date(2025, 3, 20))
    if state == "target":
        report = reg_report_in("draft", year=2024)
        target = plan_targets.plan_target_save(
            actor=users["county_officer"],
            cluster=report.cluster,
            values={"metric": "output", "baseline_year": 2023, "baseline_value": Decimal(100),
                    "target_value": Decimal(150), "target_year": 2026},
        )  # fmt: skip
        return {"cluster": report.cluster, "report": report, "target": target}
    if state == "evidence":
        report = reg_report_in("draft", year=2024)
        upload = SimpleUploadedFile("附件.pdf", PDF, content_type="application/pdf")
        with TestCase.captureOnCommitCallbacks(execute=True):  # the file reaches its place on commit
            evidence = annual_reports.report_evidence_add(
                actor=users["county_officer"], report=report, upload=upload
            )
        return {"cluster": report.cluster, "report": report, "evidence": evidence}
    if not state.startswith("re_review:"):
        report = reg_report_in("submitted" if state == "filled" else state, year=2024)
        if state == "filled":
            AnnualReport.objects.filter(pk=report.pk).update(status=AnnualReport.Status.DRAFT)
        return {"cluster": report.cluster, "report": report}
    report = reg_report_in("received", year=2024)
    cluster = report.cluster
    duties.open_re_reviews(date(2026, 12, 9))
    re_review = ReReview.objects.get(cluster=cluster)
    stage = state.removeprefix("re_review:")
    if stage == "evidence":
        upload = SimpleUploadedFile("复核附件.pdf", PDF, content_type="application/pdf")
        with TestCase.captureOnCommitCallbacks(execute=True):  # the file reaches its place on commit
            evidence = re_reviews.re_review_evidence_add(
                actor=users["operator"], re_review=re_review, upload=upload
            )
        return {"cluster": cluster, "re_review": re_review, "evidence": evidence}
    if stage != "draft":
        clock.beijing(date(2027, 1, 10))
        re_reviews.re_review_save(actor=users["county_officer"], re_review=re_review, statement="说明")
    if stage in ("submitted", "recommended"):
        re_reviews.re_review_move(actor=users["county_officer"], re_review=re_review, action="submit")
    if stage == "recommended":
        re_reviews.re_review_move(
            actor=users["city_officer"], re_review=re_review, action="recommend", reason="同意"
        )
    return {"cluster": cluster, "re_review": re_review}


def _state(world: dict[str, Any]) -> tuple[Any, ...]:
    cluster = RecognizedCluster.objects.get(pk=world["cluster"].pk)
    reports = list(AnnualReport.objects.values_list("status", "work_done", "figures").order_by("pk"))
    files = list(AnnualReportEvidence.objects.values_list("pk", flat=True).order_by("pk"))
    files += [
        ("re_review", pk) for pk in ReReviewEvidence.objects.values_list("pk", flat=True).order_by("pk")
    ]
    targets = list(ClusterPlanTarget.objects.values_list("pk", "target_value").order_by("pk"))
    rows = list(ReReview.objects.values_list("status", "statement", "outcome").order_by("pk"))
    graded = list(ClusterAssessment.objects.values_list("year", "grade", "findings").order_by("pk"))
    return (cluster.valid_until, targets, reports, files, rows, graded)


# One xdist group per case: its roles run on one worker, which builds the case's world once.
CASE_PARAMS = [
    pytest.param(case, id=case.name, marks=pytest.mark.xdist_group(f"registry-{case.name}")) for case in CASES
]


class TestRegistryMatrix:
    """The roles of one case share its world (``matrix_world``); each role's request runs in a savepoint."""

    @pytest.fixture(autouse=True)
    def db(self, django_db_setup: None) -> None:
        """In place of pytest-django's ``db`` (whose transaction per test would enclose the savepoint a case
        closes when its page changes): the name tells pytest-django these cases use the test database, the
        savepoints of ``matrix_world`` isolate them."""

    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("case", CASE_PARAMS)
    def test_registry_matrix(self, case: Case, role: str, matrix_world: dict[str, Any]) -> None:
        world = matrix_world
        client = reg_client(None if role == "anonymous" else world["users"][role])
        events, before = AuditEvent.objects.count(), _state(world)
        url = case.url(world)
        response = client.post(url, case.data(world)) if case.method == "post" else client.get(url)
        expected = case.expected[role]
        if expected == LOGIN:
            assert response.status_code == 302
            assert "/login" in response["Location"]
        elif expected == "ok":
            assert response.status_code in (200, 302), response.status_code
            if case.method == "post":
                assert AuditEvent.objects.count() > events, "an allowed action leaves an audit event"
            if response.status_code == 302:
                assert "/login" not in response["Location"]
        else:
            assert response.status_code == expected, (response.status_code, response.content.decode()[:300])
            if expected == 403:
                assert "须由" in response.content.decode() or "填写" in response.content.decode()
        if expected != "ok":
            assert AuditEvent.objects.count() == events
            assert _state(world) == before


def test_every_page_of_dynamic_management_is_in_the_matrix() -> None:
    from django.urls import get_resolver

    names = {
        name for name in get_resolver("smecluster.apps.registry.urls").reverse_dict if isinstance(name, str)
    }
    covered = {
        "cluster", "cluster_operators", "plan_target_add", "plan_target_edit", "plan_target_delete",
        "report_list", "report_detail", "report_edit", "report_evidence_upload", "report_evidence_download",
        "report_evidence_delete", "report_act", "report_workbook", "report_workbook_upload", "re_review_list",
        "re_review_detail", "re_review_save",
        "re_review_act", "re_review_evidence_upload", "re_review_evidence_download",
        "re_review_evidence_delete", "assessment", "assessment_list",
    }  # fmt: skip
    tested_elsewhere = {
        # issue 4's pages, in tests/web/test_permission_matrix.py
        "recognition", "notice_pdf", "certificate", "public_list", "public_detail",
        # issue 14's register of past recognitions, role by role in tests/web/registry/test_register_pages.py
        "register_home", "register_template", "register_programme", "register_import_detail",
        "register_import_file",
    }  # fmt: skip
    assert names <= covered | tested_elsewhere, sorted(names - covered - tested_elsewhere)
