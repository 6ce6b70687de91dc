"""市级集群 (issue 13, finding 13): GD 6 "引导和支持地方培育一批市级集群", SX 6 "鼓励和支持各地培育
一批市级集群".
A city's own programme runs on the same engine: the city owns it (its chain county → city), decides its own
calls, recognizes, numbers and signs in its own name, and assesses its clusters."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories import ApplicationFactory, ProgrammeFactory, YearlyCallFactory
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.permissions import can_create
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notices.selectors import owned_calls as notices_owned_calls
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.programmes.selectors import open_calls_for
from smecluster.apps.registry.models import ClusterAssessment, RecognizedCluster
from smecluster.apps.registry.permissions import can_assess
from smecluster.apps.registry.services import assessments
from smecluster.apps.registry.services.recognition import issuer
from smecluster.apps.selection.permissions import call_reachable
from smecluster.apps.selection.selectors import owned_calls

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
    # Its department by name (issue 14: no invented "…中小企业主管部门"): a city's 工业和信息化局.
    assert issuer(city_programme) == "佛山市工业和信息化局"
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


# --- the city's own programme and calls, through the pages -------------------------------------------

CITY_PROGRAMME_FORM = {
    "name": "佛山市市级特色产业集群认定",
    "owner_level": "city",
    "rule_set_id": "guangdong-2022",
    "review_chain": ["county", "city"],
    "quota_per_unit": "2",
    "change_filing_days": "30",
    "re_review_window_days": "90",
}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _call_form(year: int) -> dict[str, str]:
    return {
        "year": str(year),
        "opens_on": f"{year}-03-01",
        "closes_on": f"{year}-04-30",
        "city_deadline": f"{year}-05-31",
        "province_deadline": "",
        "quota": "2",
        # The Guangdong measure the city runs under is a 征求意见稿: the call names its basis (finding 12).
        "legal_basis": "本市据以适用广东省暂行办法认定市级集群的通知（测试）",
    }


def test_a_city_officer_creates_and_edits_its_citys_programme_and_calls_audited(
    web_users: dict[str, User],
) -> None:
    """GD 6 "引导和支持地方培育一批市级集群", SX 6 "鼓励和支持各地培育一批市级集群": the city runs its own
    programme. Its officer creates it (owner the city, chain county → city, one of the rule sets its province
    may adopt), edits it, and opens and edits its calls; every write is audited."""
    client = _client(web_users["city_officer"])
    page = client.get(reverse("programmes:new"))
    assert page.status_code == 200
    assert page.context["form"].initial["review_chain"] == ["county", "city"]
    response = client.post(reverse("programmes:new"), CITY_PROGRAMME_FORM)
    assert response.status_code == 302, response.context["form"].errors
    programme = Programme.objects.get(name=CITY_PROGRAMME_FORM["name"])
    assert (programme.owner_id, programme.owner_level) == ("440600", "city")
    assert programme.review_chain == ["county", "city"]
    assert AuditEvent.objects.filter(action="programme.create", target_id=str(programme.pk)).exists()

    response = client.post(
        reverse("programmes:edit", args=[programme.pk]), {**CITY_PROGRAMME_FORM, "quota_per_unit": "3"}
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.quota_per_unit == 3
    assert AuditEvent.objects.filter(action="programme.update", target_id=str(programme.pk)).exists()

    year = timezone.localdate().year
    response = client.post(reverse("programmes:call_new", args=[programme.pk]), _call_form(year))
    assert response.status_code == 302, response.context["form"].errors
    call = YearlyCall.objects.get(programme=programme, year=year)
    response = client.post(
        reverse("programmes:call_edit", args=[call.pk]), {**_call_form(year), "quota": "1"}
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.quota == 1
    assert AuditEvent.objects.filter(action="call.update", target_id=str(call.pk)).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"review_chain": ["county", "city", "province"]}, "到认定机关这一级（市级）结束"),
        ({"owner_level": "province"}, "您只能设置本部门这一级（市级）的认定项目"),
        ({"rule_set_id": "shaanxi-2023"}, "选择一个有效的选项"),
    ],
)
def test_a_citys_programme_ends_at_the_city_under_a_rule_set_its_province_may_adopt(
    web_users: dict[str, User], change: dict[str, object], message: str
) -> None:
    """The city recognizes its 市级集群 (GD 6, SX 6): its chain ends at the city, and it runs under one of
    the installed rule sets of its province or the nation, not another province's."""
    response = _client(web_users["city_officer"]).post(
        reverse("programmes:new"), {**CITY_PROGRAMME_FORM, **change}
    )
    assert response.status_code == 200
    errors = " ".join(" ".join(messages) for messages in response.context["form"].errors.values())
    assert message in errors
    assert not Programme.objects.filter(name=CITY_PROGRAMME_FORM["name"]).exists()


def test_the_province_reads_a_citys_programme_and_other_cities_do_not_see_it(
    city_programme: Programme, web_users: dict[str, User]
) -> None:
    """The programme is the city's own (GD 6 "培育一批市级集群"): the province reads it but does not edit
    it; another city of the province does not see it at all."""
    call = YearlyCallFactory(programme=city_programme)
    province = _client(web_users["province_admin"])
    assert city_programme.name in province.get(reverse("programmes:list")).content.decode()
    assert province.get(reverse("programmes:edit", args=[city_programme.pk])).status_code == 403
    assert province.get(reverse("programmes:call_edit", args=[call.pk])).status_code == 403
    other = _client(web_users["other_city_officer"])
    assert city_programme.name not in other.get(reverse("programmes:list")).content.decode()
    assert other.get(reverse("programmes:edit", args=[city_programme.pk])).status_code == 404
    assert other.get(reverse("programmes:call_edit", args=[call.pk])).status_code == 404


def test_a_citys_calls_reach_that_citys_counties_only(
    city_programme: Programme, web_users: dict[str, User], web_new_user: Callable[..., User]
) -> None:
    """A 市级集群 programme is the city's (GD 6 / SX 6 "培育一批市级集群"): its calls reach the city's
    counties, never a county of another city of the same province, by the owner's jurisdiction rather than
    the province's code digits."""
    call = YearlyCallFactory(programme=city_programme)
    shunde = web_users["county_officer"]  # 顺德区, 佛山市
    tianhe = web_new_user("tianhe-county", Role.COUNTY_OFFICER, "440106")  # 天河区, 广州市
    today = timezone.localdate()
    assert call_reachable(shunde, call)
    assert call in open_calls_for(shunde)
    assert can_create(shunde, call, today)
    assert not call_reachable(tianhe, call)
    assert call not in open_calls_for(tianhe)
    refusal = can_create(tianhe, call, today)
    assert not refusal
    assert "不面向您所在的辖区" in refusal.reason
    assert not call_reachable(web_users["other_city_officer"], call)
    # The owner's steps (screening, the notice) are the city's own.
    assert call in notices_owned_calls(web_users["city_officer"])
    assert call not in notices_owned_calls(web_users["province_admin"])
    assert call in owned_calls(web_users["city_officer"])


def test_the_assessment_criteria_are_set_on_the_programme_form(web_users: dict[str, User]) -> None:
    """GD 17 / SX 18 "监督和考核" of a 市级集群 by its owner, the city (GD 6 / SX 6): the grades are the
    programme's data, entered on the programme form and checked there."""
    client = _client(web_users["city_officer"])
    bad = {"grades": [{"label": "合格", "min_on_track_pct": 50}]}  # the worst grade must start at 0
    response = client.post(
        reverse("programmes:new"), {**CITY_PROGRAMME_FORM, "assessment_criteria": json.dumps(bad)}
    )
    assert response.status_code == 200
    assert "最后一档下限为 0" in " ".join(response.context["form"].errors["assessment_criteria"])
    good = {"grades": [{"label": "达标", "min_on_track_pct": 60}, {"label": "未达标", "min_on_track_pct": 0}]}
    response = client.post(
        reverse("programmes:new"), {**CITY_PROGRAMME_FORM, "assessment_criteria": json.dumps(good)}
    )
    assert response.status_code == 302
    assert Programme.objects.get(name=CITY_PROGRAMME_FORM["name"]).assessment_criteria == good


def test_the_demo_has_a_city_level_programme_built_through_the_services(
    web_divisions: None, settings: Any
) -> None:
    """Done when: "a city-level cluster programme in the demo" (GD 6 "引导和支持地方培育一批市级集群"). 佛山市
    owns its programme, opened a call, recognized a 顺德区 cluster in its own name and assessed it."""
    from smecluster.site import demo

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo.build_demo()
    programme = Programme.objects.get(name=demo.FOSHAN_PROGRAMME)
    assert (programme.owner_id, programme.owner_level, programme.review_chain) == (
        "440600", "city", ["county", "city"]
    )  # fmt: skip
    city = User.objects.get(username="city-officer")
    assert AuditEvent.objects.filter(
        action="programme.create", target_id=str(programme.pk), actor=city
    ).exists()
    cluster = RecognizedCluster.objects.get(programme=programme)
    assert cluster.number.startswith("佛山市中小特色集群〔")
    assert cluster.decided_by == city
    assessment = ClusterAssessment.objects.get(cluster=cluster)
    assert assessment.assessed_by == city
