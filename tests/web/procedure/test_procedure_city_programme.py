"""市级集群 (issue 13, finding 13): GD 6 "引导和支持地方培育一批市级集群", SX 6 "鼓励和支持各地培育
一批市级集群".
A city's own programme runs on the same engine: the city owns it (its chain county → city), decides its own
calls, recognizes, numbers and signs in its own name, and assesses its clusters."""

from __future__ import annotations

from datetime import date

import pytest

from factories import ApplicationFactory, ProgrammeFactory, YearlyCallFactory
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.programmes.models import Programme
from smecluster.apps.registry.permissions import can_assess
from smecluster.apps.registry.services import assessments
from smecluster.apps.registry.services.recognition import issuer

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_programme(web_divisions: None) -> Programme:
    programme: Programme = ProgrammeFactory(
        name="佛山市市级特色产业集群认定",
        owner_id="440600",
        owner_level="city",
        review_chain=["county", "city"],
    )
    programme.full_clean()
    return programme


def test_a_citys_own_programme_recognizes_in_its_own_name(
    city_programme: Programme, web_users: dict[str, User]
) -> None:
    """The city recognizes: the number and the signature are the city's, never the province's."""
    call = YearlyCallFactory(programme=city_programme)
    application: Application = ApplicationFactory(
        status="recognized", county="440606", call=call, name="顺德区市级测试集群"
    )
    cluster = application.recognition
    assert cluster.number.startswith(f"佛山市中小特色集群〔{call.year}〕")
    assert issuer(city_programme) == "佛山市中小企业主管部门"
    assert cluster.decided_by == web_users["city_officer"]


def test_the_city_assesses_its_own_clusters_and_the_province_does_not(
    city_programme: Programme, web_users: dict[str, User]
) -> None:
    """ "监督和考核" is the owner's: for a 市级集群 the city's, with the same criteria engine."""
    call = YearlyCallFactory(programme=city_programme)
    application: Application = ApplicationFactory(
        status="recognized", county="440606", call=call, name="顺德区市级测试集群"
    )
    cluster = application.recognition
    year = cluster.recognized_on.year
    assert not can_assess(web_users["province_admin"], cluster)
    recorded = assessments.assessment_record(
        actor=web_users["city_officer"], cluster=cluster, year=year, grade="不合格", findings="年报未报送",
        today=date(year + 1, 5, 1),
    )  # fmt: skip
    assert recorded.proposed_grade == "不合格"
