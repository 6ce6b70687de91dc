"""Plan targets (achieved, not achieved, missing data; locked once a report is received) and re-review
(filing, recommendation, the province's decision, the extension arithmetic)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clock import Clock
from conftest import reg_client
from smecluster.annual_figures import AnnualFigures
from smecluster.apps.accounts.models import User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.registry.metrics import METRICS, Achievement, default_target_year, progress
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster, ReReview
from smecluster.apps.registry.services import duties, plan_targets, re_reviews

pytestmark = pytest.mark.django_db


def _target(metric: str, baseline: str, target: str) -> dict[str, object]:
    return {
        "metric": metric,
        "baseline_year": 2023,
        "baseline_value": Decimal(baseline),
        "target_value": Decimal(target),
        "target_year": 2026,
        "note": "",
    }


def _figures(**values: object) -> AnnualFigures:
    figures = {"year": 2025, "output": 130, **values}
    return AnnualFigures.model_validate(
        {"year": 2025, "figures": figures, "quality_firms": {"little_giant": 4}}
    )


@pytest.mark.parametrize(
    ("metric", "target", "values", "achieved", "status"),
    [
        ("output", "120", {}, Decimal("130"), Achievement.ACHIEVED),
        ("output", "130", {}, Decimal("130"), Achievement.ACHIEVED),  # exactly the target
        ("output", "130.01", {}, Decimal("130"), Achievement.NOT_ACHIEVED),
        ("sme_output_share", "60", {"sme_output": 78}, Decimal("60.00"), Achievement.ACHIEVED),
        ("sme_output_share", "61", {"sme_output": 78}, Decimal("60.00"), Achievement.NOT_ACHIEVED),
        ("invention_patents", "100", {}, None, Achievement.MISSING),  # not reported: missing, not zero
        ("little_giant", "5", {}, Decimal("4"), Achievement.NOT_ACHIEVED),
        (
            "co2_intensity",
            "0.5",
            {"co2_intensity": 0.45},
            Decimal("0.45"),
            Achievement.ACHIEVED,
        ),  # lower is better
        ("co2_intensity", "0.4", {"co2_intensity": 0.45}, Decimal("0.45"), Achievement.NOT_ACHIEVED),
    ],
)
def test_a_targets_achievement_is_computed_from_the_figures(
    metric: str, target: str, values: dict[str, object], achieved: Decimal | None, status: Achievement
) -> None:
    line = progress(
        metric_key=metric,
        baseline_year=2023,
        baseline_value=Decimal("1"),
        target_value=Decimal(target),
        target_year=2026,
        figures=_figures(**values),
    )
    assert line.achieved_value == achieved
    assert line.status == status
    if achieved is not None:
        assert line.achieved_year == 2025


def test_without_a_received_report_every_target_is_missing() -> None:
    line = progress(
        metric_key="output",
        baseline_year=2023,
        baseline_value=Decimal("100"),
        target_value=Decimal("120"),
        target_year=2026,
        figures=None,
    )
    assert (line.status, line.achieved_year) == (Achievement.MISSING, None)


def test_every_metric_names_its_unit() -> None:
    assert all(metric.unit for metric in METRICS.values())


def test_the_default_target_year_is_the_last_whole_year_of_validity() -> None:
    assert default_target_year(date(2027, 3, 9)) == 2026
    assert default_target_year(date(2027, 12, 31)) == 2027


def test_targets_are_checked_audited_and_locked_once_a_report_is_received(
    clock: Clock,
    reg_report_in: Callable[..., AnnualReport],
    reg_cluster: RecognizedCluster,
    web_users: dict[str, User],
) -> None:
    county = web_users["county_officer"]
    with pytest.raises(ValidationError) as refused:
        plan_targets.plan_target_save(
            actor=county, cluster=reg_cluster, values={**_target("output", "100", "150"), "target_year": 2030}
        )
    assert "target_year" in refused.value.message_dict
    target = plan_targets.plan_target_save(
        actor=county, cluster=reg_cluster, values=_target("output", "100", "150")
    )
    with pytest.raises(ValidationError, match="已设定目标"):
        plan_targets.plan_target_save(actor=county, cluster=reg_cluster, values=_target("output", "1", "2"))
    plan_targets.plan_target_save(
        actor=web_users["operator"],
        cluster=reg_cluster,
        values=_target("output", "100", "140"),
        target=target,
    )
    event = AuditEvent.objects.get(action="plan_target.update")
    assert (event.before["target_value"], event.after["target_value"]) == ("150", "140")
    with pytest.raises(PermissionDenied):
        plan_targets.plan_target_save(
            actor=web_users["city_officer"], cluster=reg_cluster, values=_target("firms", "1", "2")
        )
    clock.beijing(date(2025, 3, 20))
    reg_report_in("received", year=2024)
    with pytest.raises(PermissionDenied, match="已锁定"):
        plan_targets.plan_target_save(actor=county, cluster=reg_cluster, values=_target("firms", "1", "2"))


@pytest.mark.parametrize(
    ("valid_until", "extended"),
    [
        (date(2027, 3, 9), date(2030, 3, 9)),
        (date(2028, 2, 29), date(2031, 2, 28)),  # the next period begins 1 March 2028
        (date(2027, 2, 28), date(2030, 2, 28)),
        (date(2031, 2, 28), date(2034, 2, 28)),
        (date(2026, 12, 31), date(2029, 12, 31)),
    ],
)
def test_the_extension_arithmetic(valid_until: date, extended: date) -> None:
    assert re_reviews.extended_until(valid_until, 3) == extended


def test_the_extension_is_the_rule_sets(reg_cluster: RecognizedCluster) -> None:
    assert re_reviews.extension_years(reg_cluster.programme) == 3


def _file_re_review(
    clock: Clock,
    reg_report_in: Callable[..., AnnualReport],
    reg_cluster: RecognizedCluster,
    web_users: dict[str, User],
) -> ReReview:
    county = web_users["county_officer"]
    plan_targets.plan_target_save(actor=county, cluster=reg_cluster, values=_target("output", "100", "125"))
    plan_targets.plan_target_save(actor=county, cluster=reg_cluster, values=_target("little_giant", "2", "6"))
    plan_targets.plan_target_save(actor=county, cluster=reg_cluster, values=_target("exports", "1", "3"))
    clock.beijing(date(2025, 3, 20))
    reg_report_in("received", year=2024, output=110)
    clock.beijing(date(2026, 3, 20))
    reg_report_in("received", year=2025, output=130)
    duties.open_re_reviews(date(2026, 12, 9))
    clock.beijing(date(2027, 1, 10))
    re_review = ReReview.objects.get(cluster=reg_cluster)
    re_reviews.re_review_save(actor=county, re_review=re_review, statement="三年来完成主要目标")
    re_reviews.re_review_move(actor=county, re_review=re_review, action="submit")
    re_reviews.re_review_move(
        actor=web_users["city_officer"], re_review=re_review, action="recommend", reason="同意推荐"
    )
    re_review.refresh_from_db()
    return re_review


def test_a_passed_re_review_extends_the_validity_from_the_old_end(
    clock: Clock,
    reg_report_in: Callable[..., AnnualReport],
    reg_cluster: RecognizedCluster,
    web_users: dict[str, User],
) -> None:
    re_review = _file_re_review(clock, reg_report_in, reg_cluster, web_users)
    assert re_review.status == "recommended"
    years = [entry["year"] for entry in re_review.profile["years"]]
    assert years[-2:] == [2024, 2025]
    assert re_review.profile["years"][-1]["output"] == 130
    assert re_review.profile["application_date"] == "2027-01-10"
    # the cluster's page shows the application's declared targets beside the metric-based ones
    cluster_page = (
        reg_client(web_users["county_officer"]).get(reg_cluster.get_absolute_url()).content.decode()
    )
    declared = reg_cluster.application.targets.first()
    assert declared is not None
    assert declared.indicator in cluster_page

    page = reg_client(web_users["province_admin"]).get(re_review.get_absolute_url()).content.decode()
    # each plan target with its baseline, target and achieved value, from the latest received report
    assert "100 亿元（2023）" in page
    assert "125 亿元（2026）" in page
    assert "130 亿元（2025）" in page
    assert "达成" in page
    assert "未达成" in page
    assert "数据缺失" in page
    assert "按规则集评价更新后的集群数据" in page
    assert "2030-03-09" in page

    with pytest.raises(PermissionDenied):
        re_reviews.re_review_move(
            actor=web_users["city_officer"],
            re_review=re_review,
            action="decide",
            reason="通过",
            outcome="passed",
        )
    with pytest.raises(ValidationError):
        re_reviews.re_review_move(
            actor=web_users["province_admin"], re_review=re_review, action="decide", reason="通过"
        )
    clock.beijing(date(2027, 2, 1))
    re_reviews.re_review_move(
        actor=web_users["province_admin"],
        re_review=re_review,
        action="decide",
        reason="目标基本完成",
        outcome="passed",
    )
    re_review.refresh_from_db()
    reg_cluster.refresh_from_db()
    assert (re_review.outcome, re_review.decided_on) == ("passed", date(2027, 2, 1))
    assert (re_review.previous_valid_until, re_review.new_valid_until) == (date(2027, 3, 9), date(2030, 3, 9))
    assert (reg_cluster.valid_until, reg_cluster.status) == (date(2030, 3, 9), "valid")
    event = AuditEvent.objects.get(action="cluster.extend")
    # The engine records the cluster's state with every transition (here it stays valid).
    assert (event.before, event.after["valid_until"]) == (
        {"status": "valid", "valid_until": "2027-03-09"},
        "2030-03-09",
    )
    # the next period: no expiry now, and the next window opens 90 days before 2030-03-09
    assert duties.expire_clusters(date(2027, 3, 10)) == []
    assert duties.open_re_reviews(date(2027, 3, 10)) == []
    assert len(duties.open_re_reviews(date(2029, 12, 9))) == 1


def test_a_failed_re_review_keeps_the_dates_and_records_the_outcome(
    clock: Clock,
    reg_report_in: Callable[..., AnnualReport],
    reg_cluster: RecognizedCluster,
    web_users: dict[str, User],
) -> None:
    re_review = _file_re_review(clock, reg_report_in, reg_cluster, web_users)
    response = reg_client(web_users["province_admin"]).post(
        f"/re-reviews/{re_review.pk}/do/decide/", {"outcome": "failed", "reason": "主要目标未完成"}
    )
    assert response.status_code == 302
    re_review.refresh_from_db()
    reg_cluster.refresh_from_db()
    assert (re_review.status, re_review.outcome, re_review.new_valid_until) == ("decided", "failed", None)
    assert reg_cluster.valid_until == date(2027, 3, 9)
    assert web_users["county_officer"].notifications.filter(text__contains="复核未通过").exists()
    # then the validity ends with no re-review in progress: expired (oversight proposes case 1)
    assert [action.action for action in duties.expire_clusters(date(2027, 3, 10))] == ["expired"]


def test_a_re_review_needs_a_statement_and_the_county_files_it(
    reg_cluster: RecognizedCluster, web_users: dict[str, User]
) -> None:
    duties.open_re_reviews(date(2026, 12, 9))
    re_review = ReReview.objects.get(cluster=reg_cluster)
    with pytest.raises(ValidationError, match="复核申请说明"):
        re_reviews.re_review_move(actor=web_users["county_officer"], re_review=re_review, action="submit")
    with pytest.raises(PermissionDenied):
        re_reviews.re_review_move(actor=web_users["operator"], re_review=re_review, action="submit")
    assert reg_client(web_users["other_county_officer"]).get(re_review.get_absolute_url()).status_code == 404
    assert reg_client(web_users["expert"]).get(re_review.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("years", "run"),
    [
        ({2021, 2022, 2023, 2024, 2025}, [2023, 2024, 2025]),
        ({2020, 2021, 2022, 2024}, [2024]),  # a year nobody reported ends the run
        ({2022, 2023, 2025}, [2025]),
        ({2023, 2024}, [2023, 2024]),
        (set(), []),
    ],
)
def test_the_updated_profile_takes_the_latest_consecutive_years(years: set[int], run: list[int]) -> None:
    assert re_reviews._latest_run(years) == run


def test_the_updated_profile_takes_the_clusters_scope_after_an_approved_major_change(
    reg_cluster: RecognizedCluster,
) -> None:
    from django.utils import timezone

    from smecluster.apps.oversight.models import MajorChange

    MajorChange.objects.create(
        cluster=reg_cluster,
        kind="spatial_scope",
        old_value={"counties": ["440606"], "area_km2": None},
        new_value={"counties": ["440606", "440605"], "area_km2": "52.5"},
        effective_on=date(2025, 6, 1),
        status=MajorChange.Status.APPROVED,
        filing_due_on=date(2025, 7, 1),
        applied_at=timezone.now(),
    )
    document = re_reviews.updated_profile_document(reg_cluster, date(2027, 1, 10))
    assert document["counties"] == ["440606", "440605"]
    assert document["area_km2"] == 52.5
    assert document["leading_industry"] == reg_cluster.leading_industry
