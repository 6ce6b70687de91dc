"""Every role × every page and action: allowed, or refused (403 with the reason, 404 for a record outside
the user's jurisdiction, the login page for anonymous visitors), with the application in the state where
the action means something. A failure's test id names the role and the page, e.g.
``test_permission_matrix[other_county_officer-applications:detail]``.

And the selectors underneath: a county's queries never return another county's rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications import services as application_services
from smecluster.apps.applications.models import Application, EvidenceFile, Section
from smecluster.apps.applications.selectors import (
    application_for,
    application_list,
    applications_visible_to,
    evidence_for,
)
from smecluster.apps.applications.selectors import pool_entries_for as county_pool_entries
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.programmes.models import PoolEntry, Programme, YearlyCall
from smecluster.apps.programmes.selectors import pool_entries_for
from smecluster.policy.ruleset import rule_set

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "province_admin",
    "city_officer",  # 佛山市, the application's city
    "other_city_officer",  # 广州市
    "county_officer",  # 佛山市顺德区, the application's county
    "other_county_officer",  # 佛山市南海区
    "operator",  # a cluster operator in 顺德区
    "expert",
)
LOGIN = "login"  # anonymous: redirected to the login page
OK, DONE, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404

# Who sees a 顺德区 application at all; everyone else gets a 404 (its existence is not disclosed).
SEES = {"province_admin", "city_officer", "county_officer", "operator"}


def _everyone(code: int) -> dict[str, Any]:
    return dict.fromkeys(ROLES[1:], code)


def _application_page(code_for_viewers: int = OK, **refusals: int) -> dict[str, Any]:
    """Viewers of the application get ``code_for_viewers`` unless ``refusals`` says otherwise; the rest
    404."""
    expected = {role: (code_for_viewers if role in SEES else NOT_FOUND) for role in ROLES[1:]}
    expected.update(refusals)
    return expected


# The county's own edits: 顺德区's county officer and operator; the city and province see it but may not.
DRAFTING = _application_page(DONE, province_admin=FORBIDDEN, city_officer=FORBIDDEN)
DRAFTING_PAGE = _application_page(OK, province_admin=FORBIDDEN, city_officer=FORBIDDEN)
# The county officer's transitions (submit, withdraw): not the operator.
COUNTY_STEP = _application_page(DONE, province_admin=FORBIDDEN, city_officer=FORBIDDEN, operator=FORBIDDEN)
# The city officer's steps.
CITY_STEP = _application_page(DONE, province_admin=FORBIDDEN, county_officer=FORBIDDEN, operator=FORBIDDEN)
CITY_PAGE = _application_page(OK, province_admin=FORBIDDEN, county_officer=FORBIDDEN, operator=FORBIDDEN)
# The province's configuration pages.
PROVINCE_PAGE = {**_everyone(FORBIDDEN), "province_admin": OK}
PROVINCE_STEP = {**_everyone(FORBIDDEN), "province_admin": DONE}
# The cultivation pool: the cities keep it, the province reads it.
POOL_PAGE = {
    **_everyone(FORBIDDEN),
    "province_admin": OK,
    "city_officer": OK,
    "other_city_officer": OK,
}
# Creating an application: county officers and operators of any county, while the call is open.
NEW_PAGE = {**_everyone(FORBIDDEN), "county_officer": OK, "other_county_officer": OK, "operator": OK}
NEW_STEP = {**_everyone(FORBIDDEN), "county_officer": DONE, "other_county_officer": DONE, "operator": DONE}


@dataclass
class World:
    """What a page of the matrix acts on."""

    users: dict[str, User]
    call: YearlyCall
    programme: Programme
    national: Programme
    pool_entry: PoolEntry
    application: Application | None = None
    evidence: EvidenceFile | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    url_name: str
    method: str
    expected: dict[str, Any]
    state: str | None = None  # the application's state; None: the page is not about one application
    url: Callable[[World], str] = lambda world: ""
    data: Callable[[World], dict[str, Any]] = lambda world: {}
    evidence: bool = False  # the application has an evidence file
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.url_name}{'-' + self.label if self.label else ''}-{self.method}"


def _app_url(name: str, *extra: Any) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[world.application.pk, *extra])


def _initial_review_data(world: World) -> dict[str, Any]:
    rules = rule_set(world.call.programme.rule_set_id)
    data: dict[str, Any] = {f"finding_{criterion.id}": "review" for criterion in rules.criteria}
    data["conclusion"] = "材料齐全，同意进入实地抽查"
    return data


def _programme_data(world: World) -> dict[str, Any]:
    return {
        "name": "广东省中小企业特色产业集群认定（修订）",
        "owner_level": "province",
        "rule_set_id": "guangdong-2022",
        "review_chain": ["county", "city", "province"],
        "quota_per_unit": "3",
    }


def _call_data(year: int) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "year": str(year),
        "opens_on": f"{today - timedelta(days=5):%Y-%m-%d}",
        "closes_on": f"{today + timedelta(days=25):%Y-%m-%d}",
        "city_deadline": f"{today + timedelta(days=35):%Y-%m-%d}",
        "province_deadline": f"{today + timedelta(days=65):%Y-%m-%d}",
        "quota": "3",
    }


PAGES = (
    Page("home", "get", _everyone(OK), url=lambda w: reverse("home")),
    Page("notifications:list", "get", _everyone(OK), url=lambda w: reverse("notifications:list")),
    # --- the county's pages
    Page("applications:list", "get", _everyone(OK), url=lambda w: reverse("applications:list")),
    Page("applications:export", "get", _everyone(OK), url=lambda w: reverse("applications:export")),
    Page(
        "applications:new", "get", NEW_PAGE, url=lambda w: reverse("applications:new") + f"?call={w.call.pk}"
    ),
    Page(
        "applications:new",
        "post",
        NEW_STEP,
        url=lambda w: reverse("applications:new") + f"?call={w.call.pk}",
        data=lambda w: {"name": "佛山市新申报测试产业集群", "leading_industry": "智能家电"},
    ),
    Page("applications:detail", "get", _application_page(), Status.DRAFT, _app_url("applications:detail")),
    Page(
        "applications:edit",
        "get",
        DRAFTING_PAGE,
        Status.DRAFT,
        _app_url("applications:edit", Section.SUPPLY_CHAIN.value),
    ),
    Page(
        "applications:edit",
        "post",
        DRAFTING,
        Status.DRAFT,
        _app_url("applications:edit", Section.SUPPLY_CHAIN.value),
        data=lambda w: {"supply_chain": "龙头企业带动本地配套企业协作，本地配套率六成。"},
    ),
    Page(
        "applications:eligibility",
        "get",
        _application_page(),
        Status.DRAFT,
        _app_url("applications:eligibility"),
    ),
    Page(
        "applications:evidence_upload",
        "post",
        DRAFTING,
        Status.DRAFT,
        _app_url("applications:evidence_upload", Section.SUPPLY_CHAIN.value),
        data=lambda w: {"file": w.extra["pdf"]("配套协议.pdf")},
    ),
    Page(
        "applications:evidence_download",
        "get",
        _application_page(),
        Status.DRAFT,
        lambda w: reverse("applications:evidence_download", args=[w.evidence.pk]),
        evidence=True,
    ),
    Page(
        "applications:evidence_delete",
        "post",
        DRAFTING,
        Status.DRAFT,
        lambda w: reverse("applications:evidence_delete", args=[w.evidence.pk]),
        evidence=True,
    ),
    Page("applications:submit", "post", COUNTY_STEP, Status.DRAFT, _app_url("applications:submit")),
    Page("applications:withdraw", "post", COUNTY_STEP, Status.SUBMITTED, _app_url("applications:withdraw")),
    Page("applications:pdf", "get", _application_page(), Status.SUBMITTED, _app_url("applications:pdf")),
    # --- the city's pages
    Page("reviews:accept", "post", CITY_STEP, Status.SUBMITTED, _app_url("reviews:accept")),
    Page("reviews:return", "get", CITY_PAGE, Status.SUBMITTED, _app_url("reviews:return")),
    Page(
        "reviews:return",
        "post",
        CITY_STEP,
        Status.SUBMITTED,
        _app_url("reviews:return"),
        data=lambda w: {"reason": "请补充近三年研发经费的专项审计报告"},
    ),
    Page("reviews:initial_review", "get", CITY_PAGE, Status.ACCEPTED, _app_url("reviews:initial_review")),
    Page(
        "reviews:initial_review",
        "post",
        CITY_STEP,
        Status.ACCEPTED,
        _app_url("reviews:initial_review"),
        data=_initial_review_data,
    ),
    Page("reviews:spot_check", "get", CITY_PAGE, Status.REVIEWED, _app_url("reviews:spot_check")),
    Page(
        "reviews:spot_check",
        "post",
        CITY_STEP,
        Status.REVIEWED,
        _app_url("reviews:spot_check"),
        data=lambda w: {
            "checked_on": f"{timezone.localdate():%Y-%m-%d}",
            "inspectors": "李婉清、张振宇",
            "findings": "生产经营正常，数据与纳税记录相符",
            "conclusion": "confirmed",
        },
    ),
    Page("reviews:recommend", "get", CITY_PAGE, Status.REVIEWED, _app_url("reviews:recommend")),
    Page(
        "reviews:recommend",
        "post",
        CITY_STEP,
        Status.REVIEWED,
        _app_url("reviews:recommend"),
        data=lambda w: {"decision": "recommend", "reason": "产业特色鲜明，同意推荐"},
    ),
    Page("reviews:history", "get", _application_page(), Status.SUBMITTED, _app_url("reviews:history")),
    Page("reviews:versions", "get", _application_page(), Status.SUBMITTED, _app_url("reviews:versions")),
    # --- the province's configuration
    Page("programmes:list", "get", PROVINCE_PAGE, url=lambda w: reverse("programmes:list")),
    Page("programmes:new", "get", PROVINCE_PAGE, url=lambda w: reverse("programmes:new")),
    Page(
        "programmes:new",
        "post",
        PROVINCE_STEP,
        url=lambda w: reverse("programmes:new"),
        data=lambda w: {**_programme_data(w), "name": "广东省新设认定项目"},
    ),
    Page(
        "programmes:edit",
        "get",
        PROVINCE_PAGE,
        url=lambda w: reverse("programmes:edit", args=[w.programme.pk]),
    ),
    Page(
        "programmes:edit",
        "post",
        PROVINCE_STEP,
        url=lambda w: reverse("programmes:edit", args=[w.programme.pk]),
        data=_programme_data,
    ),
    Page(
        "programmes:edit",
        "get",
        _everyone(FORBIDDEN),  # the national programme is the ministry's: read-only for a province
        url=lambda w: reverse("programmes:edit", args=[w.national.pk]),
        label="national",
    ),
    Page(
        "programmes:call_new",
        "get",
        PROVINCE_PAGE,
        url=lambda w: reverse("programmes:call_new", args=[w.programme.pk]),
    ),
    Page(
        "programmes:call_new",
        "post",
        PROVINCE_STEP,
        url=lambda w: reverse("programmes:call_new", args=[w.programme.pk]),
        data=lambda w: _call_data(w.call.year + 1),
    ),
    Page(
        "programmes:call_edit",
        "get",
        PROVINCE_PAGE,
        url=lambda w: reverse("programmes:call_edit", args=[w.call.pk]),
    ),
    Page(
        "programmes:call_edit",
        "post",
        PROVINCE_STEP,
        url=lambda w: reverse("programmes:call_edit", args=[w.call.pk]),
        data=lambda w: _call_data(w.call.year),
    ),
    # --- the cultivation pool
    Page("programmes:pool", "get", POOL_PAGE, url=lambda w: reverse("programmes:pool")),
    Page("programmes:pool_export", "get", POOL_PAGE, url=lambda w: reverse("programmes:pool_export")),
    Page(
        "programmes:pool_add",
        "post",
        # Another city's officer may add to their own pool only: 顺德区 is refused at the field.
        {**_everyone(FORBIDDEN), "city_officer": DONE, "other_city_officer": OK},
        url=lambda w: reverse("programmes:pool_add"),
        data=lambda w: {"county": "440606", "name": "佛山市顺德区新入库产业集群", "leading_industry": "家电"},
    ),
    Page(
        "programmes:pool_remove",
        "post",
        {**_everyone(FORBIDDEN), "city_officer": DONE, "other_city_officer": NOT_FOUND},
        url=lambda w: reverse("programmes:pool_remove", args=[w.pool_entry.pk]),
        data=lambda w: {"reason": "已迁出"},
    ),
)


@pytest.fixture
def web_world(
    web_users: dict[str, User],
    web_call: YearlyCall,
    web_pool_entry: PoolEntry,
    web_pdf_file: Callable[[str], Any],
) -> World:
    national = Programme.objects.create(
        name="中小企业特色产业集群认定（国家级）",
        owner=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "province", "national"],
        quota_per_unit=8,
    )
    return World(
        users=web_users,
        call=web_call,
        programme=web_call.programme,
        national=national,
        pool_entry=web_pool_entry,
        extra={"pdf": web_pdf_file},
    )


CASES = [pytest.param(role, page, id=f"{role}-{page.id}") for page in PAGES for role in ROLES]


@pytest.mark.parametrize(("role", "page"), CASES)
def test_permission_matrix(
    role: str,
    page: Page,
    web_world: World,
    web_application_in: Callable[..., Application],
    web_take_step: Callable[[Application, str], Any],
    web_pdf_upload: Callable[[str], Any],
) -> None:
    world = web_world
    _build(page, world, web_application_in, web_take_step, web_pdf_upload)
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    url = page.url(world)
    events, state = AuditEvent.objects.count(), _state(world)
    response = client.post(url, page.data(world)) if page.method == "post" else client.get(url)
    expected = LOGIN if role == "anonymous" else page.expected[role]
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("login") + "?next="), response["Location"]
    else:
        assert response.status_code == expected, _explain(response)
    if expected == DONE:
        assert not response["Location"].startswith(reverse("login")), response["Location"]
        return
    # Refused, or a page only shown: nothing changed and nothing was recorded.
    assert AuditEvent.objects.count() == events, "a refused request wrote an audit event"
    assert _state(world) == state, "a refused request changed a record"
    if expected == FORBIDDEN:
        assert GENERIC_REFUSAL not in response.content.decode(), "refused without saying why"


GENERIC_REFUSAL = "您没有进行此项操作的权限"


def _state(world: World) -> tuple[Any, ...]:
    """What a page could change: the application's state and content, its evidence, the pool, the
    programmes and calls."""
    application = (
        Application.objects.filter(pk=world.application.pk).values_list("status", "updated_at").first()
        if world.application is not None
        else None
    )
    return (
        application,
        Application.objects.count(),
        EvidenceFile.objects.count(),
        tuple(PoolEntry.objects.order_by("pk").values_list("pk", "name")),
        tuple(Programme.objects.order_by("pk").values_list("pk", "name", "quota_per_unit")),
        tuple(YearlyCall.objects.order_by("pk").values_list("pk", "year", "opens_on", "closes_on")),
    )


def _build(
    page: Page,
    world: World,
    make: Callable[..., Application],
    take: Callable[[Application, str], Any],
    pdf: Callable[[str], Any],
) -> None:
    """The application of the page: a draft first (so evidence can be attached), then taken to the page's
    state through the services."""
    if page.state is None:
        return
    application = make(Status.DRAFT)
    if page.evidence:
        world.evidence = application_services.evidence_add(
            actor=world.users["county_officer"],
            application=application,
            section=Section.SUPPLY_CHAIN,
            upload=pdf("配套协议.pdf"),
        )
    for step in _STEPS[page.state]:
        take(application, step)
        application.refresh_from_db()
    assert application.status == page.state
    world.application = application


_STEPS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (),
    Status.SUBMITTED: ("submit",),
    Status.ACCEPTED: ("submit", "accept"),
    Status.REVIEWED: ("submit", "accept", "review"),
}


def _explain(response: Any) -> str:
    body = response.content.decode("utf-8", "replace") if hasattr(response, "content") else ""
    where = response.get("Location", "")
    return f"got {response.status_code} {where} {body[:300]}"


def test_every_page_of_the_issue_is_in_the_matrix() -> None:
    named = {page.url_name for page in PAGES}
    wanted = {
        "home", "notifications:list",
        *(f"applications:{name}" for name in (
            "list", "new", "detail", "edit", "eligibility", "evidence_upload", "evidence_download",
            "evidence_delete", "submit", "withdraw", "pdf", "export",
        )),
        *(f"reviews:{name}" for name in (
            "accept", "return", "initial_review", "spot_check", "recommend", "history", "versions",
        )),
        *(f"programmes:{name}" for name in (
            "list", "new", "edit", "call_new", "call_edit", "pool", "pool_add", "pool_remove", "pool_export",
        )),
    }  # fmt: skip
    assert wanted <= named, sorted(wanted - named)


def test_a_refusal_shows_its_reason(
    web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    """The operator may draft but not submit: the 403 page says who may."""
    application = web_application_in(Status.DRAFT)
    client = Client()
    client.force_login(web_users["operator"])
    response = client.post(reverse("applications:submit", args=[application.pk]))
    assert response.status_code == FORBIDDEN
    assert "县级主管部门" in response.content.decode(), "the 403 page does not show the reason"


# --- selectors: a county never sees another county's rows ------------------------------------------


@pytest.fixture
def web_three_counties(
    web_users: dict[str, User],
    web_application_in: Callable[..., Application],
    web_pdf_upload: Callable[[str], Any],
    web_new_user: Callable[..., User],
) -> dict[str, Application]:
    """An application with an evidence file in each of 顺德区 and 南海区 (佛山市) and 番禺区 (广州市), in
    several states; and a pool entry for each 佛山 county."""
    web_new_user("panyu-officer", Role.COUNTY_OFFICER, "440113")
    made = {
        "440606": web_application_in(Status.SUBMITTED, county="440606", name="顺德区测试集群"),
        "440605": web_application_in(Status.DRAFT, county="440605", name="南海区测试集群"),
        "440113": web_application_in(Status.DRAFT, county="440113", name="番禺区测试集群"),
    }
    for code in made:
        officer = User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction=code)
        draft = web_application_in(Status.DRAFT, county=code, name=f"{code} 草稿")
        application_services.evidence_add(
            actor=officer, application=draft, section=Section.BASICS, upload=web_pdf_upload("材料.pdf")
        )
    PoolEntry.objects.create(
        city_id="440600", county_id="440605", name="南海区培育集群", leading_industry="氢能"
    )
    PoolEntry.objects.create(
        city_id="440600", county_id="440606", name="顺德区培育集群", leading_industry="家电"
    )
    return made


# Which counties each role sees: its own county, its city's counties, its province's; an expert none.
SCOPE = {
    "county_officer": {"440606"},
    "operator": {"440606"},
    "other_county_officer": {"440605"},
    "other_operator": {"440605"},
    "city_officer": {"440606", "440605"},
    "other_city_officer": {"440113"},
    "province_admin": {"440606", "440605", "440113"},
    "expert": set(),
}


@pytest.mark.parametrize("role", list(SCOPE))
def test_selectors_return_only_rows_in_the_users_jurisdiction(
    role: str,
    web_users: dict[str, User],
    web_three_counties: dict[str, Application],
    web_new_user: Callable[..., User],
) -> None:
    web_new_user("panyu-operator", Role.OPERATOR, "440113")
    user = web_users[role]
    allowed = SCOPE[role]
    seen = {application.county_id for application in applications_visible_to(user)}
    assert seen == allowed
    for status in ("", Status.DRAFT, Status.SUBMITTED):
        listed = {application.county_id for application in application_list(user, status=status or None)}
        assert listed <= allowed, (status, listed - allowed)
    for application in Application.objects.all():
        if application.county_id in allowed:
            assert application_for(user, application.pk) == application
        else:
            with pytest.raises(Application.DoesNotExist):
                application_for(user, application.pk)
    for evidence in EvidenceFile.objects.select_related("application"):
        if evidence.application.county_id in allowed:
            assert evidence_for(user, evidence.pk) == evidence
        else:
            with pytest.raises(EvidenceFile.DoesNotExist):
                evidence_for(user, evidence.pk)
    if user.role in (Role.COUNTY_OFFICER, Role.OPERATOR):
        assert {entry.county_id for entry in county_pool_entries(user)} <= allowed
        assert not {entry.county_id for entry in pool_entries_for(user)}  # the pool is the city's page


@pytest.mark.parametrize("role", ["county_officer", "other_county_officer", "city_officer", "operator"])
def test_pages_never_list_another_countys_applications(
    role: str, web_users: dict[str, User], web_three_counties: dict[str, Application]
) -> None:
    user = web_users[role]
    client = Client()
    client.force_login(user)
    pages = [
        client.get(reverse("applications:list")).content.decode(),
        client.get(reverse("applications:export")).content.decode("utf-8-sig"),
        client.get(reverse("home")).content.decode(),
    ]
    for application in Application.objects.all():
        shown = any(application.number in page for page in pages)
        in_scope = application.county_id in SCOPE[role]
        if not in_scope:
            assert not shown, f"{role} sees {application.number} ({application.county_id})"
    assert any(
        application.number in pages[0] for application in Application.objects.filter(county__in=SCOPE[role])
    )
