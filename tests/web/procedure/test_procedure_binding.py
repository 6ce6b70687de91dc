"""Binding outcomes (issue 13, finding 1).

GD 15(二): "各地级以上市中小企业主管部门……对集群申报进行受理、初审和实地抽查，在符合认定条件的基础上，择优遴选
推荐至省工业和信息化厅"; SX 15: "……在符合认定条件的基础上，推荐至省工业和信息化厅". A computed criterion
(quantitative, the incident exclusion, the scope) that fails is not a matter of opinion: it bars 推荐 and
审核通过 whatever reason a person gives, in the service, the workflow guard and the page, which name the
article and why. A criterion whose figures are missing bars too: it is not shown to be 符合认定条件. A
``review`` outcome (qualitative criteria, a relaxed bound) is for a person, with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import APPLICATION, Status
from smecluster.apps.reviews import services as review_services
from smecluster.apps.reviews.models import Recommendation
from smecluster.apps.workflow.engine import take
from smecluster.errors import UnusableInput
from smecluster.policy.evaluator import evaluate
from smecluster.policy.ruleset import RuleSet, parse_rule_set, rule_set
from smecluster.policy.verdict import Status as CriterionStatus
from smecluster.profile import parse_profile

pytestmark = pytest.mark.django_db

GD_BASIS = "第十五条第（二）项“"


def _failing_output(application: Application) -> None:
    """The latest year's output falls below 40 亿元 (gd-output: 近三年产值均在40亿元以上)."""
    year = application.years.order_by("-year").first()
    assert year is not None
    year.output = Decimal("39.0")
    year.sme_output = Decimal("30.0")
    year.leading_output = Decimal("30.0")
    year.save()


def test_the_city_cannot_recommend_an_application_failing_a_quantitative_criterion(
    client: Client, web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    """GD 15(二) "在符合认定条件的基础上，择优遴选推荐": a failing 近三年产值均在40亿元以上 bars 推荐,
    whatever the reason; the page says which article and why; 不予推荐 stays open."""
    application = web_application_in(Status.REVIEWED)
    _failing_output(application)
    city = web_users["city_officer"]

    with pytest.raises(ValidationError) as caught:
        review_services.application_recommend(
            actor=city, application=application, recommended=True, reason="产值短暂回落，属特殊情况"
        )
    message = caught.value.message_dict["decision"][0]
    assert GD_BASIS in message
    assert "在符合认定条件的基础上" in message
    assert "近三年产值均在40亿元以上" in message

    decision = APPLICATION.can(city, "recommend", application)
    assert not decision
    assert GD_BASIS in decision.reason
    with pytest.raises(PermissionDenied), transaction.atomic():
        take(APPLICATION, application, "recommend", actor=city, reason="强行推荐")

    client.force_login(city)
    url = reverse("reviews:recommend", args=[application.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="binding"' in page.content.decode()
    assert "近三年产值均在40亿元以上" in page.content.decode()
    refused = client.post(url, {"decision": "recommend", "reason": "特殊情况"})
    assert refused.status_code == 200
    assert "不符合认定条件或缺少数据的申报不能推荐或通过审核" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == Status.REVIEWED
    assert not Recommendation.objects.filter(application=application).exists()

    response = client.post(url, {"decision": "not_recommend", "reason": "2025年产值低于40亿元"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.NOT_RECOMMENDED


def test_an_incident_within_the_window_bars_recommendation(
    web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    """GD 15(二) with the exclusion "集群企业近三年未发生较大及以上安全、质量和环境污染等事故": a 重大
    accident in the call's window bars 推荐 like a quantitative shortfall."""
    application = web_application_in(Status.REVIEWED)
    first_judged = application.call.judged_years[0]
    application.incidents.create(date=date(first_judged, 3, 15), kind="safety_accident", level="重大")
    with pytest.raises(ValidationError) as caught:
        review_services.application_recommend(
            actor=web_users["city_officer"], application=application, recommended=True, reason="整改到位"
        )
    assert "事故" in caught.value.message_dict["decision"][0]


def test_a_missing_figure_bars_recommendation_as_it_is_not_shown_to_be_met(
    web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    """GD 15(二) recommends only "在符合认定条件的基础上": a computed criterion whose figures are missing is
    not shown to be met, so 推荐 waits for the data (the county can be asked to complete it: 退回修改)."""
    application = web_application_in(Status.REVIEWED)
    application.years.update(invention_patents=None)
    with pytest.raises(ValidationError) as caught:
        review_services.application_recommend(
            actor=web_users["city_officer"], application=application, recommended=True, reason="材料齐全"
        )
    assert "缺少" in caught.value.message_dict["decision"][0]
    review_services.application_return(
        actor=web_users["city_officer"], application=application, reason="请补充有效发明专利数据"
    )


def test_review_outcomes_are_for_a_person_and_do_not_bar(
    web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    """Qualitative criteria evaluate to ``review`` (定性条件，由专家判断): they leave 推荐 to the city's
    reasoned decision, as GD 15(二)'s 择优遴选 asks."""
    application = web_application_in(Status.REVIEWED)
    decision = review_services.application_recommend(
        actor=web_users["city_officer"], application=application, recommended=True, reason="产业特色鲜明"
    )
    assert decision.recommended


def test_shaanxi_and_guizhou_cite_their_own_recommendation_clause() -> None:
    """SX 15 "在符合认定条件的基础上，推荐至省工业和信息化厅"; Guizhou (解读第六问) "将符合认定标准的集群
    推荐至贵州省工业和信息化厅": the refusal cites each rule set's own clause, kept as data."""
    shaanxi = rule_set("shaanxi-2023").recommendation_basis
    assert shaanxi is not None
    assert shaanxi.article.cite() == "第十五条"
    assert "在符合认定条件的基础上" in shaanxi.clause
    guizhou = rule_set("guizhou-2023").recommendation_basis
    assert guizhou is not None
    assert "将符合认定标准的集群推荐" in guizhou.clause
    assert rule_set("national-2022").recommendation_basis is None  # the text is not held


# --- a criterion relaxable for a region, as data ---------------------------------------------------


def _national_with_output_relaxed_in_the_west() -> RuleSet:
    """The national rule set with nat-output marked relaxable in its western region (a test's edit: the
    shipped rule set marks none, since 西部地区可适当放宽 is reported beside the quotas)."""
    rules = rule_set("national-2022")
    document = rules.model_dump(mode="json", exclude_none=True)
    for criterion in document["criteria"]:
        if criterion["id"] == "nat-output":
            criterion["relaxable_in"] = {
                "region": "western",
                "article": {"label": "认定工作通知（据公开报道）"},
                "clause": "西部地区可适当放宽",
                "clause_source": "reported",
            }
    return RuleSet.model_validate(document)


def _profile(county: str, province: str) -> dict[str, object]:
    years = [
        {"year": year, "output": Decimal(output), "sme_output": Decimal(output) * Decimal("0.8"),
         "leading_output": Decimal(output) * Decimal("0.8")}
        for year, output in ((2022, "30"), (2023, "34"), (2024, "38"))
    ]  # fmt: skip
    return {
        "schema": 1, "name": "测试集群", "province": province, "counties": [county],
        "leading_industry": "特色食品", "application_date": "2025-06-01", "energy_intensive": False,
        "water_intensive": False, "years": years, "quality_firms": {}, "incidents": [], "area_km2": 50,
    }  # fmt: skip


def test_a_relaxable_criterion_is_reviewed_in_its_region_and_binds_elsewhere() -> None:
    """A rule set may mark a criterion relaxable for a region (the western provinces, listed by GB/T 2260
    code in the national rule set): there its ``fail`` becomes ``review``, naming the clause; elsewhere it
    binds."""
    rules = _national_with_output_relaxed_in_the_west()
    assert "52" in rules.region("western").provinces
    assert "44" not in rules.region("western").provinces
    west = evaluate(parse_profile(_profile("520402", "贵州省"), source="t"), rules).result("nat-output")
    east = evaluate(parse_profile(_profile("440606", "广东省"), source="t"), rules).result("nat-output")
    assert east.status is CriterionStatus.FAIL
    assert west.status is CriterionStatus.REVIEW
    assert "西部地区适用“西部地区可适当放宽”" in west.explanation
    shipped = rule_set("national-2022")
    assert (
        evaluate(parse_profile(_profile("520402", "贵州省"), source="t"), shipped).result("nat-output").status
        is CriterionStatus.FAIL
    )


def test_a_relaxation_must_name_a_region_of_the_rule_set() -> None:
    document = _national_with_output_relaxed_in_the_west().model_dump(mode="json", exclude_none=True)
    document["regions"] = []
    with pytest.raises(UnusableInput) as caught:
        parse_rule_set(document, source="t")
    assert "relaxable_in.region: western is not one of the rule set's regions" in str(caught.value)
