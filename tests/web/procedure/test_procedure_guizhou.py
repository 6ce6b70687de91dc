"""Guizhou's procedure (issue 13, finding 11).

Guizhou's interpretation, 第六问: "市（州）工业和信息化主管部门负责对集群申报进行受理、初审和
实地核查，并将符合认定标准的集群推荐至贵州省工业和信息化厅。贵州省工业和信息化厅……必要时可实地
抽查" and "集群区域跨几个相邻县级行政区划的，由产值占比最大的县（市、区）工业和信息化主管部门作为
申报主体". Every application is verified on site (实地核查, not a sample) before it is recommended, as
a programme setting; a cross-county cluster's adjacency and the declaring county's largest share cannot
be computed from the data held, so they are a ``review`` item that says why; and a rule set without
quantitative criteria is never said to meet them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import APPLICATION, Status
from smecluster.apps.audit.actions import action_label
from smecluster.apps.audit.services import audit_trail
from smecluster.apps.reviews import services as review_services
from smecluster.apps.reviews.models import SpotCheck
from smecluster.apps.selection.pages import ScreeningCheck
from smecluster.policy.display import outcome_text
from smecluster.policy.evaluator import evaluate
from smecluster.policy.ruleset import rule_set
from smecluster.policy.verdict import Outcome
from smecluster.policy.verdict import Status as CriterionStatus
from smecluster.profile import parse_profile


def _guizhou_profile(counties: list[str]) -> dict[str, Any]:
    years = [{"year": year, "output": Decimal("20")} for year in (2022, 2023, 2024)]
    return {
        "schema": 1, "name": "贵阳市测试集群", "province": "贵州省", "counties": counties,
        "leading_industry": "特色食品", "application_date": "2025-06-01", "energy_intensive": False,
        "water_intensive": False, "years": years, "quality_firms": {}, "incidents": [], "area_km2": 50,
    }  # fmt: skip


@pytest.mark.django_db
def test_every_application_is_verified_on_site_before_it_is_recommended(
    client: Client, web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    """Guizhou 第六问 "市（州）……负责对集群申报进行受理、初审和实地核查": with the programme setting on, 推荐
    waits for the recommending level's on-site record of this application (the spot-check record); 不予推荐
    does not."""
    application = web_application_in(Status.REVIEWED)
    programme = application.call.programme
    programme.onsite_check_every_application = True
    programme.save()
    city = web_users["city_officer"]

    with pytest.raises(ValidationError) as caught:
        review_services.application_recommend(
            actor=city, application=application, recommended=True, reason="符合条件"
        )
    assert "对每件申报实地核查" in caught.value.message_dict["decision"][0]
    assert not APPLICATION.can(city, "recommend", application)
    client.force_login(city)
    page = client.get(reverse("reviews:recommend", args=[application.pk])).content.decode()
    assert "请先记录对本申报的实地核查" in page

    review_services.spot_check_record(
        actor=city,
        application=application,
        checked_on=timezone.localdate(),
        inspectors="市工信局 张三、李四",
        findings="集群企业在产，与申报材料相符",
        conclusion=SpotCheck.Conclusion.CONFIRMED,
    )
    decision = review_services.application_recommend(
        actor=city, application=application, recommended=True, reason="符合条件，已实地核查"
    )
    assert decision.recommended


@pytest.mark.django_db
def test_without_the_setting_a_sample_suffices(
    web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    """GD 15(二) "受理、初审和实地抽查": a sample, so an application may be recommended without its
    own record."""
    application = web_application_in(Status.REVIEWED)
    assert not application.call.programme.onsite_check_every_application
    assert not application.spot_checks.exists()
    review_services.application_recommend(
        actor=web_users["city_officer"], application=application, recommended=True, reason="符合条件"
    )


def test_adjacency_and_the_largest_share_are_reviewed_with_the_reason() -> None:
    """第六问 "集群区域跨几个相邻县级行政区划的，由产值占比最大的县……作为申报主体": the project
    holds no adjacency of divisions and the profile no output per county, so the scope is a ``review``
    item that says so and cites the clause, never a pass."""
    profile = parse_profile(_guizhou_profile(["520111", "520102"]), source="t")
    result = evaluate(profile, rule_set("guizhou-2023")).result("gz-scope")
    assert result.status is CriterionStatus.REVIEW
    assert "政策解读第六问" in result.explanation
    assert "项目未收录县级区划邻接数据" in result.explanation
    assert "申报数据未按县分列产值" in result.explanation
    assert "产值占比最大的县" in result.explanation


def test_a_rule_set_without_quantitative_criteria_is_never_said_to_meet_them() -> None:
    """Guizhou's rule set has no quantitative criteria: the panel, the screening and the CLI say so, never
    "量化条件均满足"; Guangdong's still say it."""
    verdict = evaluate(parse_profile(_guizhou_profile(["520111"]), source="t"), rule_set("guizhou-2023"))
    assert verdict.outcome is Outcome.NEEDS_REVIEW
    assert not verdict.has_quantitative_criteria
    assert "量化条件均满足" not in outcome_text(verdict)
    assert outcome_text(verdict) == "本规则集没有量化条件，待专家评审定性条件"
    stored = ScreeningCheck(verdict.as_json(), "needs_review", False, [])
    assert stored.outcome_label == "本规则集没有量化条件，待专家评审定性条件"
    guangdong = ScreeningCheck({"criteria": [{"kind": "quantitative"}]}, "needs_review", False, [])
    assert guangdong.outcome_label == "量化条件均满足，待专家评审定性条件"


@pytest.mark.django_db
def test_the_province_may_spot_check_a_recommended_application(
    client: Client, web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    """第六问 "贵州省工业和信息化厅……必要时可实地抽查": optional for the owner — nothing waits for it — and
    recorded on the same page and record as the recommending level's, under its own audit event."""
    application = web_application_in(Status.RECOMMENDED)
    province = web_users["province_admin"]
    assert APPLICATION.can(province, "owner_spot_check", application)
    assert not APPLICATION.can(web_users["city_officer"], "owner_spot_check", application)
    client.force_login(province)
    url = reverse("reviews:spot_check", args=[application.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "checked_on": f"{timezone.localdate():%Y-%m-%d}",
            "inspectors": "省工信厅中小企业处 王五",
            "findings": "抽查三家企业，生产经营正常",
            "conclusion": SpotCheck.Conclusion.CONFIRMED,
        },
    )
    assert response.status_code == 302
    record = SpotCheck.objects.get(application=application)
    assert record.recorded_by == province
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    assert audit_trail(application).filter(action="application.owner_spot_check").exists()


@pytest.mark.django_db
def test_the_recommending_levels_record_is_called_a_verification_where_every_application_is_checked(
    client: Client, web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    """第六问 calls the 市（州）'s check of every application "实地核查"; the sample of GD 15(二) is a
    "实地抽查". With the setting on, the page, the recommend page and the audit event say 实地核查; without
    it, 实地抽查."""
    application = web_application_in(Status.REVIEWED)
    programme = application.call.programme
    city = web_users["city_officer"]
    client.force_login(city)
    url = reverse("reviews:spot_check", args=[application.pk])
    assert "<title>实地抽查" in client.get(url).content.decode()

    programme.onsite_check_every_application = True
    programme.save()
    page = client.get(url).content.decode()
    assert "<title>实地核查" in page
    response = client.post(
        url,
        {
            "checked_on": f"{timezone.localdate():%Y-%m-%d}",
            "inspectors": "市工信局 张三",
            "findings": "集群企业在产，与申报材料相符",
            "conclusion": SpotCheck.Conclusion.CONFIRMED,
        },
    )
    assert response.status_code == 302
    event = audit_trail(application).get(action="application.onsite_check")
    assert action_label(event.action) == "实地核查"
    assert not audit_trail(application).filter(action="application.spot_check").exists()
    recommend_page = client.get(reverse("reviews:recommend", args=[application.pk])).content.decode()
    assert "实地核查（" in recommend_page
    assert "实地抽查（" not in recommend_page
