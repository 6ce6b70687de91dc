"""Issue 13, finding 6: the national programme complete.

The national measure (工信部企业〔2022〕119号) is not held by the project; its provisions are encoded
as public reports word them (shared/data/README.md), marked ``reported``:
- revocation: 集群"主导产业、空间范围、运营管理机构变更"等重大变动未及时报备; 集群企业发生"较大及以上
  安全、质量和环境污染等事故，重大及以上网络安全事件和数据安全事件，以及偷税漏税、违法违规、严重失信和
  其它重大问题的行为"
  (the same words as Guizhou's interpretation, seed 001, question 7: "…将撤销其认定");
- quotas per recommending unit and year: ≤5 per province in 2022, ≤8 in 2024 and 2025; "≤3, then ≤2, for
  计划单列市 and the XPCC";
- "计划单列市 (大连, 青岛, 宁波, 厦门, 深圳) and the XPCC recommend to the ministry themselves (they are
  addressed beside the provinces as 省级中小企业主管部门), with their own quota".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from factories import ApplicationFactory
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.selectors import recommender_jurisdiction
from smecluster.apps.applications.workflow import Status
from smecluster.apps.oversight import services as oversight
from smecluster.apps.oversight.models import RevocationProposal
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.programmes.recommenders import RecommendingOffice, recommendation_quota
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.reviews import services as review_services
from smecluster.apps.reviews.selectors import city_quota
from smecluster.policy.ruleset import ClauseSource, RecommenderKind, rule_set

pytestmark = pytest.mark.django_db

NATIONAL = rule_set("national-2022")
SHENZHEN, NANSHAN, BAOAN, LONGGANG, FUTIAN = "440300", "440305", "440306", "440307", "440304"


@pytest.fixture
def shenzhen(web_new_user: Callable[..., User]) -> dict[str, User]:
    """深圳's department (its city office in the jurisdiction table) and four of its districts'."""
    people = {"city": web_new_user("shenzhen-officer", Role.CITY_OFFICER, SHENZHEN)}
    for code in (NANSHAN, BAOAN, LONGGANG, FUTIAN):
        people[code] = web_new_user(f"county-{code}", Role.COUNTY_OFFICER, code)
    return people


def _application(call: YearlyCall, county: str, status: str, number: int) -> Application:
    return ApplicationFactory(call=call, county=county, status=status, name=f"深圳市测试产业集群{number}")


# --- the rule set --------------------------------------------------------------------------------------


def test_the_national_rule_set_carries_the_reported_revocation_grounds() -> None:
    """Reported grounds: 重大变动（主导产业、空间范围、运营管理机构变更）未及时报备 (case 4), and
    "较大及以上安全、质量和环境污染等事故，重大及以上网络安全事件和数据安全事件，以及偷税漏税、违法违规、
    严重失信和其它重大问题的行为" (case 5), each marked ``reported`` like the national thresholds."""
    cases = {case.case: case for case in NATIONAL.revocation_cases}
    assert sorted(cases) == [4, 5]
    assert all(case.clause_source == ClauseSource.REPORTED for case in cases.values())
    assert "主导产业、空间范围、运营管理机构变更" in cases[4].clause
    assert "未及时报备" in cases[4].clause
    for words in ("较大及以上安全、质量和环境污染等事故", "重大及以上网络安全事件和数据安全事件",
                  "偷税漏税、违法违规、严重失信和其它重大问题的行为"):  # fmt: skip
        assert words in cases[5].clause


@pytest.mark.parametrize(
    ("year", "kind", "limit"),
    [
        (2022, RecommenderKind.PROVINCE, 5),
        (2022, RecommenderKind.SEPARATELY_LISTED, 3),
        (2023, RecommenderKind.PROVINCE, None),  # no figure was found for 2023: the call sets its own
        (2024, RecommenderKind.PROVINCE, 8),
        (2024, RecommenderKind.SEPARATELY_LISTED, 2),
        (2025, RecommenderKind.PROVINCE, 8),
        (2025, RecommenderKind.SEPARATELY_LISTED, 2),
    ],
)
def test_the_quota_of_each_year_and_unit_as_reported(
    year: int, kind: RecommenderKind, limit: int | None
) -> None:
    """ "≤5 in 2022, ≤8 in 2024 and 2025 (≤3, then ≤2, for 计划单列市 and the XPCC)"."""
    quota = NATIONAL.quota(year, kind)
    assert (quota.max_recommended if quota else None) == limit


def test_the_five_separately_listed_cities_are_data() -> None:
    """The data: "计划单列市 (大连, 青岛, 宁波, 厦门, 深圳) … recommend to the ministry themselves";
    their districts, and only theirs, apply through them."""
    assert {unit.name for unit in NATIONAL.separate_recommenders} == {
        "大连市",
        "青岛市",
        "宁波市",
        "厦门市",
        "深圳市",
        "新疆生产建设兵团",  # the XPCC beside them: tests/web/procedure/test_procedure_xpcc.py
    }
    assert NATIONAL.separate_recommender(NANSHAN).code == SHENZHEN  # type: ignore[union-attr]
    assert NATIONAL.separate_recommender("440606") is None  # 佛山市顺德区 applies through 广东省
    assert rule_set("guangdong-2022").separate_recommender(NANSHAN) is None  # the province's own programme


# --- 深圳 recommends itself, under its own quota ---------------------------------------------------------


def test_a_shenzhen_district_applies_through_shenzhen_not_the_province(
    web_users: dict[str, User], shenzhen: dict[str, User], national_call: YearlyCall
) -> None:
    """The chain for a 深圳 district is county → 深圳 (the recommending level) → ministry: 深圳 accepts and
    recommends; 广东省 may not."""
    application = _application(national_call, NANSHAN, Status.SUBMITTED, 1)
    assert recommender_jurisdiction(application) == SHENZHEN
    with pytest.raises(PermissionDenied, match="须由市级主管部门操作"):
        review_services.application_accept(actor=web_users["province_admin"], application=application)
    review_services.application_accept(actor=shenzhen["city"], application=application)
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED


def test_shenzhen_recommends_within_its_own_quota_of_two(
    web_users: dict[str, User], shenzhen: dict[str, User], national_call: YearlyCall
) -> None:
    """The data: "≤2 from 2024 for 计划单列市"; a third recommendation by 深圳 in 2025 is refused,
    citing the notice."""
    _application(national_call, NANSHAN, Status.RECOMMENDED, 1)
    _application(national_call, BAOAN, Status.RECOMMENDED, 2)
    third = _application(national_call, LONGGANG, Status.REVIEWED, 3)
    quota = city_quota(third)
    assert (quota.city.code, quota.quota, quota.used, quota.remaining) == (SHENZHEN, 2, 2, 0)
    assert "2024、2025年度推荐通知" in quota.basis
    with pytest.raises(ValidationError) as refused:
        review_services.application_recommend(
            actor=shenzhen["city"], application=third, recommended=True, reason="推荐"
        )
    assert "深圳市本年度推荐名额为 2 个" in str(refused.value)
    assert "2024、2025年度推荐通知" in str(refused.value)


def test_shenzhen_does_not_use_the_provinces_quota(
    web_users: dict[str, User], shenzhen: dict[str, User], national_call: YearlyCall
) -> None:
    """Its districts do not apply through the province "and not using its quota": 深圳's recommendations are
    not counted in 广东省's eight, nor 广东省's in 深圳's two."""
    _application(national_call, NANSHAN, Status.RECOMMENDED, 1)
    guangdong = _application(national_call, "440606", Status.RECOMMENDED, 2)
    quota = city_quota(guangdong)
    assert (quota.city.code, quota.quota, quota.used) == ("440000", 8, 1)
    assert [each.county_id for each in quota.recommended] == ["440606"]
    assert city_quota(_application(national_call, FUTIAN, Status.REVIEWED, 3)).used == 1


def test_a_call_may_set_fewer_than_the_law_never_more(
    web_users: dict[str, User], shenzhen: dict[str, User], national_call: YearlyCall
) -> None:
    """The notice's quota is a ceiling ("不超过"): a call's 8 per unit leaves 深圳 with 2; a call's 1
    binds."""
    national_call.quota = 8
    national_call.save()
    assert city_quota(_application(national_call, NANSHAN, Status.REVIEWED, 1)).quota == 2
    national_call.quota = 1
    national_call.save()
    application = _application(national_call, BAOAN, Status.REVIEWED, 2)
    quota = city_quota(application)
    assert (quota.quota, quota.basis) == (1, "本年度申报设定")


def test_the_western_provinces_quota_may_be_relaxed_by_the_ministry(national_call: YearlyCall) -> None:
    """ "西部地区可适当放宽" (reported beside the quotas, shared/data/README.md): in the western region the
    ministry's own limit for the call binds, even above the notice's 8; elsewhere the 8 stays a ceiling,
    and without a limit of the ministry's the 8 binds in the west too."""
    guizhou = RecommendingOffice(Role.PROVINCE_ADMIN, "520000")
    guangdong = RecommendingOffice(Role.PROVINCE_ADMIN, "440000")
    assert recommendation_quota(national_call, guizhou).limit == 8
    national_call.quota = 10
    national_call.save()
    west = recommendation_quota(national_call, guizhou)
    assert west.limit == 10
    assert "西部地区可适当放宽" in west.basis
    assert recommendation_quota(national_call, guangdong).limit == 8


# --- a national cluster can be revoked ------------------------------------------------------------------


@pytest.fixture
def ministry(web_new_user: Callable[..., User]) -> User:
    return web_new_user("ministry-admin", Role.MINISTRY_ADMIN, "100000")


@pytest.fixture
def national_cluster(ministry: User, web_application_in: Callable[..., Application]) -> RecognizedCluster:
    """A 顺德区 cluster recognized by the ministry in this year's national call."""
    programme = Programme.objects.create(
        name="国家级中小企业特色产业集群认定",
        owner=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "province", "national"],
        quota_per_unit=5,
    )
    today = timezone.localdate()
    call = YearlyCall.objects.create(
        programme=programme,
        year=today.year,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
        city_deadline=today + timedelta(days=30),
        province_deadline=today + timedelta(days=60),
    )
    return web_application_in("recognized", call=call, name="佛山市顺德区国家级测试集群").recognition


def test_a_national_cluster_is_revoked_by_the_ministry_on_the_reported_ground(
    web_users: dict[str, User], ministry: User, national_cluster: RecognizedCluster
) -> None:
    """ "集群企业发生较大及以上安全…事故…将撤销其认定" (reported): a 较大 safety accident proposes case 5 with
    the clause; the province may not decide; the ministry (认定机关) accepts and the cluster is revoked."""
    oversight.incident_record(
        actor=web_users["province_admin"],
        cluster=national_cluster,
        kind="safety_accident",
        level="较大",
        occurred_on=timezone.localdate(),
        source="区应急管理局通报",
        description="车间爆炸，2 人死亡",
    )
    proposal = RevocationProposal.objects.get(cluster=national_cluster)
    assert proposal.case == 5
    assert proposal.has_basis
    assert "较大及以上安全、质量和环境污染等事故" in proposal.clause
    assert proposal.article == "暂行办法·动态管理（据公开报道）"
    with pytest.raises(PermissionDenied):
        oversight.revocation_decide(
            actor=web_users["province_admin"], proposal=proposal, accept=True, reason="撤销"
        )
    oversight.revocation_decide(actor=ministry, proposal=proposal, accept=True, reason="查实")
    national_cluster.refresh_from_db()
    assert national_cluster.status == RecognizedCluster.Status.REVOKED
