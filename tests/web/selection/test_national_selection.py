"""The national programme (county → province → national): the province recommends and the ministry
(工业和信息化部, jurisdiction 100000) screens, sets the indicators, assigns experts, ranks and confirms the
shortlist; the province admin may not take those steps, and the ministry cannot reach a provincial call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories import PLEDGE
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications import services as application_services
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.reviews import services as review_services
from smecluster.apps.selection.models import Assignment, IndicatorSystem, Shortlist
from smecluster.policy.ruleset import rule_set
from smecluster.site.demo import fill_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def national_call(web_divisions: None) -> YearlyCall:
    programme = Programme.objects.create(
        name="国家级中小企业特色产业集群",
        owner=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "province", "national"],
        quota_per_unit=None,
    )
    today = timezone.localdate()
    return YearlyCall.objects.create(
        programme=programme,
        year=today.year,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
        city_deadline=today + timedelta(days=30),
        experts_per_application=1,
        scoring_deadline=today + timedelta(days=40),
        recognition_quota=1,
    )


@pytest.fixture
def ministry(web_new_user: Callable[..., User]) -> User:
    return web_new_user("ministry-admin", Role.MINISTRY_ADMIN, "100000")


@pytest.fixture
def recommended_nationally(
    web_users: dict[str, User], national_call: YearlyCall
) -> Callable[[str], Application]:
    county, province = web_users["county_officer"], web_users["province_admin"]
    first_criterion = rule_set("national-2022").criteria[0].id

    def make(name: str) -> Application:
        application = application_services.application_create(
            actor=county, call=national_call, name=name, leading_industry="智能家电"
        )
        application = fill_application(actor=county, application=application)
        application_services.application_submit(actor=county, application=application, pledge=PLEDGE)
        review_services.application_accept(actor=province, application=application)
        review_services.initial_review_record(
            actor=province,
            application=application,
            findings=[{"criterion_id": first_criterion, "status": "pass", "note": ""}],
            conclusion="符合条件",
        )
        review_services.application_recommend(
            actor=province, application=application, recommended=True, reason="推荐"
        )
        application.refresh_from_db()
        assert application.status == Status.RECOMMENDED
        return application

    return make


def test_the_ministry_runs_the_national_selection_and_the_province_cannot(
    client: Client,
    web_users: dict[str, User],
    web_new_user: Callable[..., User],
    ministry: User,
    national_call: YearlyCall,
    recommended_nationally: Callable[[str], Application],
    sel_score: Callable[..., Assignment],
) -> None:
    first, second = (
        recommended_nationally("佛山市顺德区智能家电产业集群"),
        recommended_nationally("佛山市顺德区小家电产业集群"),
    )
    expert = web_new_user("expert-bj", Role.EXPERT, "110000", last_name="北京", first_name="专家")
    province = Client()
    province.force_login(web_users["province_admin"])
    client.force_login(ministry)

    # The province admin recommended them; the owner's pages refuse them, with the reason.
    for name in ("selection:screening", "selection:indicators", "selection:assignments", "selection:ranking"):
        refused = province.get(reverse(name, args=[national_call.pk]))
        assert refused.status_code == 403, name
        assert "工业和信息化部" in refused.content.decode()
    assert (
        province.post(reverse("selection:screen", args=[first.pk]), {"decision": "screen"}).status_code == 403
    )
    assert province.post(reverse("selection:screen_batch", args=[national_call.pk])).status_code == 403

    # The ministry: screening, the indicator system, the expert pool, assignment, ranking, the shortlist.
    assert client.get(reverse("selection:calls")).context["progress"][0].call == national_call
    assert client.post(reverse("selection:screen_batch", args=[national_call.pk])).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.SCREENED, Status.SCREENED)
    assert client.get(reverse("selection:indicators", args=[national_call.pk])).status_code == 200
    created = client.post(reverse("selection:indicators_create", args=[national_call.pk]))
    assert created.status_code == 302
    assert province.post(reverse("selection:indicators_create", args=[national_call.pk])).status_code == 403
    assert IndicatorSystem.objects.get(call=national_call).created_by == ministry
    edit = client.post(
        reverse("selection:expert_edit", args=[expert.pk]),
        {"expertise": "家电", "organization": "中国电子信息产业发展研究院", "active": "on"},
    )
    assert edit.status_code == 302
    assert client.post(reverse("selection:assign_suggested", args=[national_call.pk])).status_code == 302
    assignments = list(Assignment.objects.filter(application__call=national_call))
    assert {each.expert for each in assignments} == {expert}
    assert province.post(reverse("selection:assign_suggested", args=[national_call.pk])).status_code == 403

    sel_score(Assignment.objects.get(application=first), "0.9")
    sel_score(Assignment.objects.get(application=second), "0.7")
    assert province.post(reverse("selection:shortlist_confirm", args=[national_call.pk])).status_code == 403
    assert not Shortlist.objects.exists()
    assert client.post(reverse("selection:shortlist_confirm", args=[national_call.pk])).status_code == 302
    shortlist = Shortlist.objects.get(call=national_call)
    assert shortlist.confirmed_by == ministry
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.SHORTLISTED, Status.NOT_SHORTLISTED)
    page = client.get(reverse("selection:shortlist", args=[national_call.pk]))
    assert shortlist.content_hash in page.content.decode()


def test_the_ministry_cannot_reach_a_provincial_call(
    client: Client, ministry: User, sel_call: YearlyCall
) -> None:
    client.force_login(ministry)
    for name in ("selection:screening", "selection:ranking", "selection:shortlist", "selection:settings"):
        assert client.get(reverse(name, args=[sel_call.pk])).status_code == 404, name
    assert client.get(reverse("selection:calls")).context["progress"] == []
