"""Fixtures of the monitoring tests: three recognized clusters of 广东 whose figures of the last complete
year (``MON_YEAR``) are known by hand.

    顺德区 (佛山 440606)  the province received its annual information form for MON_YEAR: output 60.0 亿元;
                          MON_YEAR − 1 from its application: 47.5 亿元
    南海区 (佛山 440605)  application figures at twice the demo scale: 106.0 亿元, before 95.0 亿元
    天河区 (广州 440106)  application figures at the demo scale: 53.0 亿元, before 47.5 亿元

广东 MON_YEAR: 219.00 亿元, growth 219 / 190 − 1 = 15.3 %; 佛山: 166.00 亿元, 166 / 142.5 − 1 = 16.5 %;
广州: 53.00 亿元, 53 / 47.5 − 1 = 11.6 %.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.utils import timezone
from monitoring_support import MON_YEAR, mon_annual_figures

from factories import ProgrammeFactory
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications import services as application_services
from smecluster.apps.applications.models import Application
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
from smecluster.site.demo import sample_years


def _recognize(application: Application, number: str) -> RecognizedCluster:
    """Recognized directly (the recognition step has its own tests), in this year's call."""
    today = timezone.localdate()
    return RecognizedCluster.objects.create(
        application=application,
        programme=application.call.programme,
        number=number,
        name=application.name,
        county=application.county,
        leading_industry=application.leading_industry,
        leading_industry_code=application.leading_industry_code,
        year=application.call.year,
        recognized_on=today,
        valid_from=today,
        valid_until=date(today.year + 3, today.month, min(today.day, 28)),
        decided_by=User.objects.get(username="province-admin"),
    )


@pytest.fixture
def mon_people(web_users: dict[str, User], web_new_user: Callable[..., User]) -> dict[str, User]:
    return {
        **web_users,
        "ministry_admin": web_new_user("ministry-admin", Role.MINISTRY_ADMIN, "100000"),
        "other_province_admin": web_new_user("other-province-admin", Role.PROVINCE_ADMIN, "330000"),
        "tianhe_officer": web_new_user("tianhe-officer", Role.COUNTY_OFFICER, "440106"),
    }


@pytest.fixture
def mon_clusters(
    mon_people: dict[str, User], web_application_in: Callable[..., Application]
) -> dict[str, RecognizedCluster]:
    shunde = web_application_in(county="440606", name="佛山市顺德区智能家电产业集群")
    nanhai = web_application_in(county="440605", name="佛山市南海区铝型材产业集群")
    nanhai = application_services.application_set_rows(
        actor=mon_people["other_county_officer"],
        application=nanhai,
        kind="years",
        rows=sample_years(MON_YEAR, "2"),
    )
    tianhe = web_application_in(county="440106", name="广州市天河区软件产业集群")
    clusters = {
        "shunde": _recognize(shunde, "粤中小特色集群〔测试〕001"),
        "nanhai": _recognize(nanhai, "粤中小特色集群〔测试〕002"),
        "tianhe": _recognize(tianhe, "粤中小特色集群〔测试〕003"),
    }
    AnnualReport.objects.create(
        cluster=clusters["shunde"],
        year=MON_YEAR,
        status=AnnualReport.Status.RECEIVED,
        opened_on=date(MON_YEAR + 1, 1, 1),
        due_on=date(MON_YEAR + 1, 3, 31),
        figures=mon_annual_figures(MON_YEAR),
    )
    return clusters


@pytest.fixture
def mon_national_cluster(
    mon_clusters: dict[str, RecognizedCluster], web_application_in: Callable[..., Application]
) -> RecognizedCluster:
    """A national cluster in 顺德 (its application's figures at the demo scale: 53.0 亿元 in MON_YEAR),
    beside the three provincial ones."""
    national = ProgrammeFactory(
        name="国家级中小企业特色产业集群",
        owner_id=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "province", "national"],
        quota_per_unit=None,
    )
    cluster = _recognize(
        web_application_in(county="440606", name="佛山市顺德区家用电器产业集群"), "国集〔测试〕001"
    )
    cluster.programme = national
    cluster.save(update_fields=["programme"])
    return cluster
