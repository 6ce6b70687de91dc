"""Issue 13: 新疆生产建设兵团 (XPCC) recommends to the ministry itself, as data.

shared/data/README.md: "计划单列市 (大连, 青岛, 宁波, 厦门, 深圳) and the XPCC recommend to the ministry
themselves (they are addressed beside the provinces as 省级中小企业主管部门), with their own quota"; the
national rule set's quotas name "计划单列市、新疆生产建设兵团" (≤2 from 2024). GB/T 2260 has no code for the
XPCC: its cities 659001 石河子 … 659012 白杨市 sit under 新疆 650000 as 自治区直辖县级行政区划. The platform's
office 660000 (reference/data/offices.csv, offices.source.txt) covers them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from factories import ApplicationFactory
from smecluster.apps.accounts.models import Jurisdiction, Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.selectors import applications_visible_to, recommender_jurisdiction
from smecluster.apps.applications.workflow import Status
from smecluster.apps.monitoring.selectors import clusters_in
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.registry.reach import sees_cluster
from smecluster.apps.registry.services.annual_reports import office_people
from smecluster.apps.reviews import services as review_services
from smecluster.apps.reviews.selectors import city_quota
from smecluster.apps.workflow.engine import Actor
from smecluster.policy.ruleset import rule_set
from smecluster.reference.divisions import city_above, division, validate_county_code
from smecluster.reference.offices import office

pytestmark = pytest.mark.django_db

NATIONAL = rule_set("national-2022")
XPCC, XINJIANG = "660000", "650000"
SHIHEZI, ALAR, TUMXUK = "659001", "659002", "659003"
URUMQI_TIANSHAN, URUMQI_SAYBAG = "650102", "650103"  # 乌鲁木齐市天山区, 沙依巴克区: apply through 新疆


def test_the_xpcc_office_is_data_beyond_gbt_2260() -> None:
    """offices.source.txt: 660000 is the platform's own code (GB/T 2260 leaves province prefix 66 unassigned),
    covering every 6590xx city of the table, which stay counties directly under 新疆 and still declare."""
    xpcc = office(XPCC)
    assert xpcc is not None
    assert xpcc.name == "新疆生产建设兵团"
    assert division(XPCC) is None  # not a GB/T 2260 code: no collision
    assert xpcc.covers == tuple(f"6590{n:02d}" for n in range(1, 13))
    for code in xpcc.covers:
        found = division(code)
        assert found is not None
        assert (found.level, found.parent) == ("county", XINJIANG)
        assert validate_county_code(code) is None
        assert city_above(code) is None  # 新疆's own programme: the province acts in the city's place


def test_the_national_rule_set_lists_the_xpcc_beside_the_separately_listed_cities() -> None:
    """Quotas name "计划单列市、新疆生产建设兵团": the XPCC is a separate recommender covering its cities
    only."""
    unit = NATIONAL.separate_recommender(SHIHEZI)
    assert unit is not None
    assert (unit.code, unit.kind) == (XPCC, "新疆生产建设兵团")
    assert NATIONAL.separate_recommender("659012") == unit  # 白杨市
    assert NATIONAL.separate_recommender(URUMQI_TIANSHAN) is None


@pytest.fixture
def offices(web_new_user: Callable[..., User]) -> dict[str, User]:
    """The XPCC's office, 新疆's department, the ministry, and the departments of three XPCC cities and two
    乌鲁木齐 districts."""
    for code in (SHIHEZI, ALAR, TUMXUK, URUMQI_TIANSHAN, URUMQI_SAYBAG):
        web_new_user(f"county-{code}", Role.COUNTY_OFFICER, code)
    return {
        "xpcc": web_new_user("xpcc-officer", Role.CITY_OFFICER, XPCC),
        "xinjiang": web_new_user("xinjiang-admin", Role.PROVINCE_ADMIN, XINJIANG),
        "ministry": web_new_user("ministry-admin", Role.MINISTRY_ADMIN, "100000"),
    }


def _application(call: YearlyCall, county: str, status: str, number: int) -> Application:
    return ApplicationFactory(call=call, county=county, status=status, name=f"兵团测试产业集群{number}")


def test_a_shihezi_application_goes_through_the_xpcc_not_xinjiang(
    offices: dict[str, User], national_call: YearlyCall
) -> None:
    """County → XPCC office → ministry: the XPCC sees and accepts a 石河子市 application; 新疆 may not act."""
    assert Jurisdiction.objects.get(code=XPCC).name == "新疆生产建设兵团"
    application = _application(national_call, SHIHEZI, Status.SUBMITTED, 1)
    urumqi = _application(national_call, URUMQI_TIANSHAN, Status.SUBMITTED, 2)
    assert recommender_jurisdiction(application) == XPCC
    assert recommender_jurisdiction(urumqi) == XINJIANG
    assert list(applications_visible_to(offices["xpcc"])) == [application]
    with pytest.raises(PermissionDenied):
        review_services.application_accept(actor=offices["xinjiang"], application=application)
    review_services.application_accept(actor=offices["xpcc"], application=application)
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED


def test_the_xpcc_recommends_under_the_separately_listed_quota_not_xinjiangs(
    offices: dict[str, User], national_call: YearlyCall
) -> None:
    """ "≤2 from 2024 for 计划单列市 and the XPCC": a third XPCC recommendation in 2025 is refused citing the
    notice; the XPCC's recommendations do not count in 新疆's eight, nor 新疆's in the XPCC's two."""
    _application(national_call, SHIHEZI, Status.RECOMMENDED, 1)
    _application(national_call, ALAR, Status.RECOMMENDED, 2)
    _application(national_call, URUMQI_TIANSHAN, Status.RECOMMENDED, 3)
    third = _application(national_call, TUMXUK, Status.REVIEWED, 4)
    quota = city_quota(third)
    assert (quota.city.code, quota.quota, quota.used) == (XPCC, 2, 2)
    assert "2024、2025年度推荐通知" in quota.basis
    with pytest.raises(ValidationError) as refused:
        review_services.application_recommend(
            actor=offices["xpcc"], application=third, recommended=True, reason="推荐"
        )
    assert "新疆生产建设兵团本年度推荐名额为 2 个" in str(refused.value)
    xinjiang = city_quota(_application(national_call, URUMQI_SAYBAG, Status.REVIEWED, 5))
    assert (xinjiang.city.code, xinjiang.quota, xinjiang.used) == (XINJIANG, 8, 1)


def test_the_xpcc_follows_its_recognized_clusters(
    offices: dict[str, User], national_call: YearlyCall
) -> None:
    """The recommender of a 石河子 national cluster is the XPCC's office: it sees the cluster in dynamic
    management and monitoring, and is the office told of its annual report's steps (深圳's way, not 新疆's
    cities')."""
    cluster = _application(national_call, SHIHEZI, Status.RECOGNIZED, 1).recognition
    assert sees_cluster(offices["xpcc"], cluster)
    assert office_people(cluster, Actor.RECOMMENDER) == [offices["xpcc"]]
    assert list(clusters_in(Jurisdiction.objects.get(code=XPCC))) == [cluster]  # its monitoring
