"""Every role × every page and action: allowed, or refused (403 with the reason, 404 for a record outside
the user's jurisdiction, the login page for anonymous visitors), with the application in the state where
the action means something. A failure's test id names the role and the page, e.g.
``TestPermissionMatrix::test_permission_matrix[other_county_officer-applications:detail-get]``. The cases of
one page share one world, built by its first case; each role's request runs in a savepoint rolled back after
it (tests/shared_world.py), so every role still meets the page as if it were the first.

And the selectors underneath: a county's queries never return another county's rows.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from factories import (
    PLEDGE_FORM,
    ApplicationFactory,
    PoolEntryFactory,
    UserFactory,
    YearlyCallFactory,
    objection_challenge,
    pdf_file,
    pdf_upload,
    people,
    take_step,
    take_steps,
)
from shared_world import WorldPerKey, rolled_back
from smecluster.apps.accounts.account_import import SHEET as ACCOUNTS_SHEET
from smecluster.apps.accounts.account_import import import_template
from smecluster.apps.accounts.administration import AccountDetails, account_create, account_deactivate
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import DevelopmentZone, Role, User
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
from smecluster.apps.notices.finding_links import finding_file_token
from smecluster.apps.notices.models import Notice, Objection, ObjectionFile
from smecluster.apps.notices.services import objection_file, objection_record
from smecluster.apps.programmes.models import PoolEntry, Programme, YearlyCall
from smecluster.apps.programmes.selectors import pool_entries_for
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.services.register_import import register_import
from smecluster.apps.selection import services as selection_services
from smecluster.apps.selection.models import (
    Assignment,
    DeclaredRelation,
    ExpertProfile,
    IndicatorSystem,
    Score,
    Screening,
    Shortlist,
)
from smecluster.policy.ruleset import rule_set

ROLES = (
    "anonymous",
    "province_admin",
    "city_officer",  # 佛山市, the application's city
    "other_city_officer",  # 广州市
    "county_officer",  # 佛山市顺德区, the application's county
    "other_county_officer",  # 佛山市南海区
    "operator",  # the cluster operator of the application (顺德区), bound to it
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
# The programme list and the new-programme form: every office owning programmes, the cities too (their own
# 市级集群 programmes, GD 6 / SX 6). A city's provincial programme is refused at the form's level field (200).
PROGRAMME_OWNERS_PAGE = {**PROVINCE_PAGE, "city_officer": OK, "other_city_officer": OK}
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
    national_call: YearlyCall | None = None
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
    # Issue 4's pages: the steps after ``state`` (assign, score, publish, object, end_notice…), the chain
    # ("provincial" or "national"), and the roles they are tried with.
    steps: tuple[str, ...] = ()
    chain: str = "provincial"
    roles: tuple[str, ...] = ()

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


def _shunde_zone() -> DevelopmentZone:
    """A zone of 顺德区 the zone pages edit (made on the case's first use, rolled back after it)."""
    zone, created = DevelopmentZone.objects.get_or_create(
        name="顺德高新技术产业开发区", defaults={"level": DevelopmentZone.ZoneLevel.NATIONAL}
    )
    if created:
        zone.counties.set(["440606"])
    return zone


def _programme_data(world: World) -> dict[str, Any]:
    return {
        "name": "广东省中小企业特色产业集群认定（修订）",
        "owner_level": "province",
        "rule_set_id": "guangdong-2022",
        "review_chain": ["county", "city", "province"],
        "quota_per_unit": "3",
        # issue 5's programme settings
        "change_filing_days": "30",
        "re_review_window_days": "90",
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
        # Guangdong's measure is held as its 征求意见稿: a call records what it applies it under.
        "legal_basis": "本年度认定工作通知",
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
    Page(
        "applications:submit",
        "post",
        COUNTY_STEP,
        Status.DRAFT,
        _app_url("applications:submit"),
        data=lambda world: PLEDGE_FORM,
    ),
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
    Page("programmes:list", "get", PROGRAMME_OWNERS_PAGE, url=lambda w: reverse("programmes:list")),
    Page("programmes:new", "get", PROGRAMME_OWNERS_PAGE, url=lambda w: reverse("programmes:new")),
    Page(
        "programmes:new",
        "post",
        {**PROGRAMME_OWNERS_PAGE, "province_admin": DONE},
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
        data=lambda w: _call_data(w.call.year - 1),
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
    # Development zones: the province registers and edits its own (issue 13, finding 7).
    Page("programmes:zones", "get", PROVINCE_PAGE, url=lambda w: reverse("programmes:zones")),
    Page("programmes:zone_new", "get", PROVINCE_PAGE, url=lambda w: reverse("programmes:zone_new")),
    Page(
        "programmes:zone_new",
        "post",
        PROVINCE_STEP,
        url=lambda w: reverse("programmes:zone_new"),
        data=lambda w: {"name": "顺德高新技术产业开发区", "level": "国家级", "counties": ["440606"]},
    ),
    Page(
        "programmes:zone_edit",
        "get",
        PROVINCE_PAGE,
        url=lambda w: reverse("programmes:zone_edit", args=[_shunde_zone().pk]),
    ),
    Page(
        "programmes:zone_edit",
        "post",
        PROVINCE_STEP,
        url=lambda w: reverse("programmes:zone_edit", args=[_shunde_zone().pk]),
        data=lambda w: {"name": "顺德高新技术产业开发区", "level": "省级", "counties": ["440606", "440605"]},
    ),
)


# --- issue 4: selection, the public notice, recognition and the published list ---------------------
#
# Tried with the people of the owner's steps and of the expert review: the ministry admin (全国 100000,
# owner of the national programme), the expert assigned to the application (``expert`` of web_users,
# home 广东省), an expert not assigned (深圳市), a conflicted expert (home 佛山市, the application's city)
# and one who declared a relation to 顺德区 (home 珠海市). The application is of 顺德区, in the
# Guangdong call (owner: the province admin) unless the page's chain is "national" (owner: the ministry).

SELECTION_ROLES = (
    "anonymous",
    "province_admin",
    "ministry_admin",
    "city_officer",
    "county_officer",
    "other_county_officer",
    "operator",
    "assigned_expert",
    "other_expert",
    "conflicted_expert",
    "related_expert",
)
EXPERTS = ("assigned_expert", "other_expert", "conflicted_expert", "related_expert")


def _all(code: int, **codes: int) -> dict[str, Any]:
    return {**dict.fromkeys(SELECTION_ROLES[1:], code), **codes}


# The owner's pages of a Guangdong call: the province admin; the ministry does not reach it (404).
OWNER_PAGE = _all(FORBIDDEN, province_admin=OK, ministry_admin=NOT_FOUND)
OWNER_STEP = _all(FORBIDDEN, province_admin=DONE, ministry_admin=NOT_FOUND)
# The owner's pages of the national call: the ministry admin; a province admin reaches it but may not act.
NATIONAL_PAGE = _all(FORBIDDEN, ministry_admin=OK)
NATIONAL_STEP = _all(FORBIDDEN, ministry_admin=DONE)
# Pages of both owners (each sees their own calls in them).
OWNERS_PAGE = _all(FORBIDDEN, province_admin=OK, ministry_admin=OK)
# The experts' own pages.
EXPERTS_PAGE = _all(FORBIDDEN, **dict.fromkeys(EXPERTS, OK))
EXPERTS_STEP = _all(FORBIDDEN, **dict.fromkeys(EXPERTS, DONE))
# The public pages: anyone, signed in or not.
PUBLIC_PAGE = {"anonymous": OK, **_all(OK)}
PUBLIC_STEP = {"anonymous": DONE, **_all(DONE)}
# An assignment's score sheet: only its expert; to anyone else it does not exist.
SCORE_PAGE = _all(NOT_FOUND, assigned_expert=OK)
SCORE_STEP = _all(NOT_FOUND, assigned_expert=DONE)


def _owner_application(code: int, *, assigned: int = NOT_FOUND) -> dict[str, Any]:
    """The owner's step on one application of the Guangdong call: who sees it but is not the owner gets a
    403, the rest a 404 (``assigned``: the assigned expert, who sees the application once assigned)."""
    return _all(
        NOT_FOUND,
        province_admin=code,
        city_officer=FORBIDDEN,
        county_officer=FORBIDDEN,
        operator=FORBIDDEN,
        assigned_expert=assigned,
    )


def _national_application(code: int) -> dict[str, Any]:
    """The owner's step on a 顺德区 application of the national call: the ministry admin; the province
    admin (its recommender) and the city and county see it but may not."""
    return _all(
        NOT_FOUND,
        ministry_admin=code,
        province_admin=FORBIDDEN,
        city_officer=FORBIDDEN,
        county_officer=FORBIDDEN,
        operator=FORBIDDEN,
    )


# Who sees the application (and prints its certificate): the owner, its city and county, the assigned
# expert; never a conflicted expert, nor another county, nor the ministry for a provincial programme.
VIEWERS_PAGE = _all(
    NOT_FOUND, province_admin=OK, city_officer=OK, county_officer=OK, operator=OK, assigned_expert=OK
)

# A recognized cluster's certificate: the viewers of its application once the review is over. The expert's
# reach ended when the shortlist was confirmed (issue 12, finding 5), so the assigned expert gets 404 too.
CERTIFICATE_PAGE = _all(NOT_FOUND, province_admin=OK, city_officer=OK, county_officer=OK, operator=OK)

_ASSIGNED = ("assign",)
_SCORED = ("assign", "score")
_NOTICE_OPEN = ("publish", "object")
_NOTICE_ENDED = ("publish", "object", "resolve", "end_notice")


def _call_url(name: str) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[world.call.pk])


def _national_call_url(name: str) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[world.national_call.pk])


def _own_call_url(name: str) -> Callable[[World], str]:
    """The call of the page's application (the national one for a national page)."""
    return lambda world: reverse(name, args=[world.application.call_id])


def _extra_url(name: str, key: str, attribute: str = "pk") -> Callable[[World], str]:
    return lambda world: reverse(name, args=[getattr(world.extra[key], attribute)])


def _settings_data(world: World) -> dict[str, Any]:
    return {
        "experts_per_application": "2",
        "scoring_deadline": f"{timezone.localdate() + timedelta(days=15):%Y-%m-%d}",
        "aggregation": "mean",
        "recognition_quota": "3",
    }


def _indicator_data(world: World) -> dict[str, Any]:
    """The current indicator system of the Guangdong call as posted by its edit form, renamed."""
    system = world.call.indicator_systems.order_by("-version").first()
    indicators = list(system.indicators.all())
    data: dict[str, Any] = {
        "name": "广东省特色产业集群评审指标（修订）",
        "note": "调整评分要点表述",
        "rows-TOTAL_FORMS": str(len(indicators)),
        "rows-INITIAL_FORMS": str(len(indicators)),
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "60",
    }
    for index, indicator in enumerate(indicators):
        data.update(
            {
                f"rows-{index}-dimension": indicator.dimension,
                f"rows-{index}-code": indicator.code,
                f"rows-{index}-name": indicator.name,
                f"rows-{index}-max_points": str(indicator.max_points),
                f"rows-{index}-guidance": indicator.guidance + "（修订）",
            }
        )
    return data


def _assign_data(world: World) -> dict[str, Any]:
    prefix = f"a{world.application.pk}"
    return {
        f"{prefix}-expert": str(world.users["other_expert"].pk),
        f"{prefix}-due_on": f"{timezone.localdate() + timedelta(days=10):%Y-%m-%d}",
    }


def _objection_data(world: World) -> dict[str, Any]:
    return {
        "real_name": "张三丰",
        "phone": "13800138000",
        "email": "zhang@example.test",
        "organization": "佛山市某某家电有限公司",
        "application": str(world.application.pk),
        "content": "该集群申报的中小企业产值占比与统计部门公布的数据不符，请核查。",
        "pledge": "on",
    }


def _objection_answered(world: World) -> dict[str, Any]:
    """An objection posted while the notice runs: the form is shown, and its challenge answered."""
    url = reverse("notices:public_detail", args=[world.extra["notice"].pk])
    return {**_objection_data(world), **objection_challenge(url)}


OBJECTOR = ("real_name", "phone", "email", "organization", "content")


def _recognition_data(world: World) -> dict[str, Any]:
    return {"applications": [str(world.application.pk)], "decision": "recognize"}


# One row of a national list (a 顺德区 cluster of the 2024 batch), for the register pages.
REGISTER_CSV = (
    "批次年度,集群名称,区划代码,主导产业,主导产业代码\n2024,佛山市顺德区测试产业集群,440606,家电,C385\n"
).encode()

SELECTION_PAGES = (
    # --- screening (the owner's first step)
    Page("selection:calls", "get", OWNERS_PAGE, url=lambda w: reverse("selection:calls")),
    Page("selection:settings", "get", OWNER_PAGE, url=_call_url("selection:settings")),
    Page("selection:settings", "post", OWNER_STEP, url=_call_url("selection:settings"), data=_settings_data),
    Page("selection:screening", "get", OWNER_PAGE, Status.RECOMMENDED, _own_call_url("selection:screening")),
    Page(
        "selection:screening",
        "get",
        NATIONAL_PAGE,
        Status.RECOMMENDED,
        _own_call_url("selection:screening"),
        chain="national",
        label="national",
    ),
    Page(
        "selection:screen_batch",
        "post",
        OWNER_STEP,
        Status.RECOMMENDED,
        _own_call_url("selection:screen_batch"),
    ),
    Page("selection:screen", "get", _owner_application(OK), Status.RECOMMENDED, _app_url("selection:screen")),
    Page(
        "selection:screen",
        "post",
        _owner_application(DONE),
        Status.RECOMMENDED,
        _app_url("selection:screen"),
        data=lambda w: {"decision": "screen", "reason": "符合认定条件"},
    ),
    Page(
        "selection:screen",
        "get",
        _national_application(OK),
        Status.RECOMMENDED,
        _app_url("selection:screen"),
        chain="national",
        label="national",
    ),
    Page(
        "selection:screen",
        "post",
        _national_application(DONE),
        Status.RECOMMENDED,
        _app_url("selection:screen"),
        data=lambda w: {"decision": "screen", "reason": "符合认定条件"},
        chain="national",
        label="national",
    ),
    # --- the indicator system, the expert pool, declared relations
    Page("selection:indicators", "get", OWNER_PAGE, url=_call_url("selection:indicators")),
    Page(
        "selection:indicators",
        "get",
        OWNER_PAGE,
        url=lambda w: reverse("selection:indicators", args=[w.call.pk]) + "?edit=1",
        label="edit",
    ),
    Page(
        "selection:indicators",
        "post",
        OWNER_STEP,
        url=_call_url("selection:indicators"),
        data=_indicator_data,
    ),
    Page("selection:indicators_create", "post", OWNER_STEP, url=_call_url("selection:indicators_create")),
    Page("selection:experts", "get", OWNERS_PAGE, url=lambda w: reverse("selection:experts")),
    Page(
        "selection:expert_edit",
        "get",
        OWNERS_PAGE,
        url=lambda w: reverse("selection:expert_edit", args=[w.users["other_expert"].pk]),
    ),
    Page(
        "selection:expert_edit",
        "post",
        _all(FORBIDDEN, province_admin=DONE, ministry_admin=DONE),
        url=lambda w: reverse("selection:expert_edit", args=[w.users["other_expert"].pk]),
        data=lambda w: {"expertise": "家电、电子信息", "organization": "深圳大学", "active": "on"},
    ),
    Page("selection:relations", "get", EXPERTS_PAGE, url=lambda w: reverse("selection:relations")),
    Page(
        "selection:relations",
        "post",
        EXPERTS_STEP,
        url=lambda w: reverse("selection:relations"),
        data=lambda w: {"county": "440113", "note": "曾在该区企业任职"},
    ),
    # --- assignments and scoring
    Page(
        "selection:assignments",
        "get",
        OWNER_PAGE,
        Status.SCREENED,
        _own_call_url("selection:assignments"),
        steps=_ASSIGNED,
    ),
    Page(
        "selection:assignments",
        "get",
        NATIONAL_PAGE,
        Status.SCREENED,
        _own_call_url("selection:assignments"),
        steps=_ASSIGNED,
        chain="national",
        label="national",
    ),
    Page(
        "selection:assign_suggested",
        "post",
        OWNER_STEP,
        Status.SCREENED,
        _own_call_url("selection:assign_suggested"),
        data=lambda w: {"due_on": f"{timezone.localdate() + timedelta(days=10):%Y-%m-%d}"},
    ),
    Page(
        "selection:assign",
        "post",
        _owner_application(DONE),
        Status.SCREENED,
        _app_url("selection:assign"),
        data=_assign_data,
    ),
    Page(
        "selection:unassign",
        "post",
        OWNER_STEP,
        Status.SCREENED,
        _extra_url("selection:unassign", "assignment"),
        steps=_ASSIGNED,
    ),
    Page("selection:my_reviews", "get", EXPERTS_PAGE, url=lambda w: reverse("selection:my_reviews")),
    Page(
        "selection:score",
        "get",
        SCORE_PAGE,
        Status.SCREENED,
        _extra_url("selection:score", "assignment"),
        steps=_ASSIGNED,
    ),
    Page(
        "selection:score",
        "post",
        SCORE_STEP,
        Status.SCREENED,
        _extra_url("selection:score", "assignment"),
        data=lambda w: {"conflict": "no"},
        steps=_ASSIGNED,
    ),
    Page(
        "selection:score",
        "get",
        SCORE_PAGE,
        Status.SCREENED,
        _extra_url("selection:score", "assignment"),
        steps=_ASSIGNED,
        chain="national",
        label="national",
    ),
    # The application itself: the assigned expert opens it, a conflicted one cannot (by URL either).
    Page(
        "applications:detail",
        "get",
        VIEWERS_PAGE,
        Status.SCREENED,
        _app_url("applications:detail"),
        steps=_ASSIGNED,
        label="in-review",
    ),
    Page(
        "selection:application_scores",
        "get",
        _owner_application(OK, assigned=FORBIDDEN),
        Status.SCREENED,
        _app_url("selection:application_scores"),
        steps=_SCORED,
    ),
    # --- ranking and the frozen shortlist
    Page(
        "selection:ranking",
        "get",
        OWNER_PAGE,
        Status.SCREENED,
        _own_call_url("selection:ranking"),
        steps=_SCORED,
    ),
    Page(
        "selection:ranking",
        "get",
        NATIONAL_PAGE,
        Status.SCREENED,
        _own_call_url("selection:ranking"),
        steps=_SCORED,
        chain="national",
        label="national",
    ),
    Page(
        "selection:shortlist_confirm",
        "post",
        OWNER_STEP,
        Status.SCREENED,
        _own_call_url("selection:shortlist_confirm"),
        steps=_SCORED,
    ),
    Page(
        "selection:shortlist_confirm",
        "post",
        NATIONAL_STEP,
        Status.SCREENED,
        _own_call_url("selection:shortlist_confirm"),
        steps=_SCORED,
        chain="national",
        label="national",
    ),
    Page("selection:shortlist", "get", OWNER_PAGE, Status.SHORTLISTED, _own_call_url("selection:shortlist")),
    # --- the public notice: the owner's side
    Page("notices:list", "get", OWNERS_PAGE, url=lambda w: reverse("notices:list")),
    Page("notices:publish", "get", OWNER_PAGE, Status.SHORTLISTED, _own_call_url("notices:publish")),
    Page(
        "notices:publish",
        "post",
        OWNER_STEP,
        Status.SHORTLISTED,
        _own_call_url("notices:publish"),
        data=lambda w: {
            "title": "广东省中小企业特色产业集群拟认定名单公示",
            "starts_on": f"{timezone.localdate():%Y-%m-%d}",
            "contact": "省工业和信息化厅中小企业处，电话 020-83133000",
        },
    ),
    Page(
        "notices:publish",
        "post",
        NATIONAL_STEP,
        Status.SHORTLISTED,
        _own_call_url("notices:publish"),
        data=lambda w: {
            "title": "国家级中小企业特色产业集群拟认定名单公示",
            "starts_on": f"{timezone.localdate():%Y-%m-%d}",
            "contact": "工业和信息化部中小企业局，电话 010-68205114",
        },
        chain="national",
        label="national",
    ),
    Page(
        "notices:manage",
        "get",
        OWNER_PAGE,
        Status.SHORTLISTED,
        _extra_url("notices:manage", "notice"),
        steps=_NOTICE_OPEN,
    ),
    Page(
        "notices:manage",
        "post",
        OWNER_STEP,
        Status.SHORTLISTED,
        _extra_url("notices:manage", "notice"),
        data=lambda w: {"objections": [str(w.extra["objection"].pk)], "action": "investigate"},
        steps=_NOTICE_OPEN,
    ),
    Page(
        "notices:objection",
        "get",
        OWNER_PAGE,
        Status.SHORTLISTED,
        _extra_url("notices:objection", "objection"),
        steps=_NOTICE_OPEN,
    ),
    Page(
        "notices:objection",
        "post",
        OWNER_STEP,
        Status.SHORTLISTED,
        _extra_url("notices:objection", "objection"),
        data=lambda w: {
            "investigation": "经核查，产值数据与统计部门一致",
            "resolution": "异议不成立",
            "upheld": "no",
            "resolve": "1",
        },
        steps=_NOTICE_OPEN,
    ),
    Page(
        "notices:objection_file",
        "get",
        OWNER_PAGE,
        Status.SHORTLISTED,
        _extra_url("notices:objection_file", "objection_file"),
        steps=_NOTICE_OPEN,
    ),
    # --- the public notice: the public's side (no login)
    Page(
        "notices:public_list",
        "get",
        PUBLIC_PAGE,
        Status.SHORTLISTED,
        lambda w: reverse("notices:public_list"),
        steps=("publish",),
    ),
    Page(
        "notices:public_detail",
        "get",
        PUBLIC_PAGE,
        Status.SHORTLISTED,
        _extra_url("notices:public_detail", "notice"),
        steps=("publish",),
    ),
    Page(
        "notices:public_detail",
        "post",
        PUBLIC_STEP,
        Status.SHORTLISTED,
        _extra_url("notices:public_detail", "notice"),
        data=_objection_answered,
        steps=("publish",),
    ),
    Page(
        "notices:public_detail",
        "post",
        {"anonymous": FORBIDDEN, **_all(FORBIDDEN)},  # after the notice's end: refused, with the date
        Status.SHORTLISTED,
        _extra_url("notices:public_detail", "notice"),
        data=_objection_data,
        steps=("publish", "end_notice"),
        label="ended",
    ),
    Page(
        "notices:objection_ack",
        "get",
        PUBLIC_PAGE,
        Status.SHORTLISTED,
        _extra_url("notices:objection_ack", "objection", "reference"),
        steps=_NOTICE_OPEN,
    ),
    Page(
        "notices:objection_lookup",
        "get",
        PUBLIC_PAGE,
        Status.SHORTLISTED,
        lambda w: reverse("notices:objection_lookup"),
        steps=_NOTICE_OPEN,
    ),
    # The finding's evidence through the signed link the outcome page gives the objector: anyone holding it.
    Page(
        "notices:finding_file",
        "get",
        PUBLIC_PAGE,
        Status.SHORTLISTED,
        lambda w: reverse("notices:finding_file", args=[finding_file_token(w.extra["finding_file"])]),
        steps=_NOTICE_ENDED,
    ),
    # --- recognition
    Page(
        "registry:recognition",
        "get",
        OWNER_PAGE,
        Status.SHORTLISTED,
        _own_call_url("registry:recognition"),
        steps=_NOTICE_ENDED,
    ),
    Page(
        "registry:recognition",
        "post",
        OWNER_STEP,
        Status.SHORTLISTED,
        _own_call_url("registry:recognition"),
        data=_recognition_data,
        steps=_NOTICE_ENDED,
    ),
    Page(
        "registry:recognition",
        "post",
        # While the notice runs with an unresolved objection, not even the owner may recognize.
        OWNER_PAGE | {"province_admin": FORBIDDEN},
        Status.SHORTLISTED,
        _own_call_url("registry:recognition"),
        data=_recognition_data,
        steps=_NOTICE_OPEN,
        label="objected",
    ),
    Page(
        "registry:recognition",
        "post",
        NATIONAL_STEP,
        Status.SHORTLISTED,
        _own_call_url("registry:recognition"),
        data=_recognition_data,
        steps=_NOTICE_ENDED,
        chain="national",
        label="national",
    ),
    Page("registry:notice_pdf", "get", OWNER_PAGE, Status.RECOGNIZED, _own_call_url("registry:notice_pdf")),
    Page(
        "registry:certificate",
        "get",
        CERTIFICATE_PAGE,
        Status.RECOGNIZED,
        _extra_url("registry:certificate", "cluster"),
    ),
    # --- the published list (no login)
    Page(
        "registry:public_list",
        "get",
        PUBLIC_PAGE,
        Status.RECOGNIZED,
        lambda w: reverse("registry:public_list"),
    ),
    *(
        Page(
            "registry:public_list",
            "get",
            PUBLIC_PAGE,
            Status.RECOGNIZED,
            lambda w, fmt=fmt: reverse("registry:public_list") + f"?format={fmt}",
            label=fmt,
        )
        for fmt in ("csv", "xlsx", "json")
    ),
    Page(
        "registry:public_detail",
        "get",
        PUBLIC_PAGE,
        Status.RECOGNIZED,
        _extra_url("registry:public_detail", "cluster"),
    ),
    # --- issue 14: the register of past recognitions (the owner's office of each programme; an import
    # made by the ministry into the national register is the ministry's alone)
    Page("registry:register_home", "get", OWNERS_PAGE, None, lambda w: reverse("registry:register_home")),
    Page(
        "registry:register_template",
        "get",
        OWNERS_PAGE,
        None,
        lambda w: reverse("registry:register_template"),
    ),
    Page(
        "registry:register_programme",
        "get",
        _all(FORBIDDEN, province_admin=OK),
        None,
        lambda w: reverse("registry:register_programme", args=[w.programme.pk]),
    ),
    Page(
        "registry:register_programme",
        "get",
        NATIONAL_PAGE,
        None,
        lambda w: reverse("registry:register_programme", args=[w.national.pk]),
        label="national",
    ),
    # The upload previews the row report and stores nothing (the confirmation is tested with its pages).
    Page(
        "registry:register_programme",
        "post",
        NATIONAL_PAGE,
        None,
        lambda w: reverse("registry:register_programme", args=[w.national.pk]),
        data=lambda w: {"file": SimpleUploadedFile("national.csv", REGISTER_CSV, content_type="text/csv")},
        label="national-preview",
    ),
    Page(
        "registry:register_import_detail",
        "get",
        _all(NOT_FOUND, ministry_admin=OK),
        None,
        _extra_url("registry:register_import_detail", "register_import"),
        steps=("register_import",),
    ),
    Page(
        "registry:register_import_file",
        "get",
        _all(NOT_FOUND, ministry_admin=OK),
        None,
        _extra_url("registry:register_import_file", "register_import"),
        steps=("register_import",),
    ),
)


# --- issue 17: 账号管理 (ADR 0027's grant table). The account acted on is 顺德区's county officer: the
# ministry, the province and 佛山市 administer it; 广州市 and the counties do not reach it (404; a county
# officer administers only its county's operators, and nobody its own account); operators and experts
# administer no account (403 with the reason).
ACCOUNT_ROLES = (
    "anonymous",
    "ministry_admin",
    "province_admin",
    "city_officer",
    "other_city_officer",
    "county_officer",
    "other_county_officer",
    "operator",
    "expert",
)


def _accounts(code: int, **codes: int) -> dict[str, Any]:
    return {**dict.fromkeys(ACCOUNT_ROLES[1:], code), **codes}


ADMINISTRATORS_PAGE = _accounts(OK, operator=FORBIDDEN, expert=FORBIDDEN)
ACCOUNT_PAGE = _accounts(
    NOT_FOUND, ministry_admin=OK, province_admin=OK, city_officer=OK, operator=FORBIDDEN, expert=FORBIDDEN
)
ACCOUNT_STEP = _accounts(
    NOT_FOUND,
    ministry_admin=DONE,
    province_admin=DONE,
    city_officer=DONE,
    operator=FORBIDDEN,
    expert=FORBIDDEN,
)
# An account the form does not offer (another city's county, a role above one's own): 400, nothing made.
REFUSED = 400


def _new_account(role: str, code: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {
        "username": "matrix-new-account",
        "full_name": "李婉清",
        "email": "matrix.new@example.test",
        "role": role,
        "jurisdiction": code,
        "invite": "on",
    }


def _accounts_workbook(world: World) -> SimpleUploadedFile:
    """The import template with one county officer of 顺德区 (a new upload per request)."""
    workbook = load_workbook(io.BytesIO(import_template(world.users["province_admin"])))
    for column, value in enumerate(
        ["matrix-import", "梁美玲", "matrix.import@example.test", "县级主管部门", "440606"], start=1
    ):
        workbook[ACCOUNTS_SHEET].cell(2, column).value = value
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("accounts.xlsx", out.getvalue())


def _account_url(name: str, key: str = "county_officer") -> Callable[[World], str]:
    return lambda world: reverse(name, args=[(world.extra.get(key) or world.users[key]).pk])


ACCOUNT_PAGES = (
    Page("accounts:admin_list", "get", ADMINISTRATORS_PAGE, url=lambda w: reverse("accounts:admin_list")),
    Page(
        "accounts:admin_list",
        "get",
        ADMINISTRATORS_PAGE,
        url=lambda w: reverse("accounts:admin_list") + "?format=xlsx",
        label="xlsx",
    ),
    Page("accounts:admin_new", "get", ADMINISTRATORS_PAGE, url=lambda w: reverse("accounts:admin_new")),
    Page(
        "accounts:admin_new",
        "post",
        _accounts(
            REFUSED, ministry_admin=DONE, province_admin=DONE, city_officer=DONE, operator=FORBIDDEN,
            expert=FORBIDDEN,
        ),
        url=lambda w: reverse("accounts:admin_new"),
        data=_new_account("county_officer", "440606"),
        label="county",
    ),
    Page(
        "accounts:admin_new",
        "post",
        _accounts(REFUSED, ministry_admin=DONE, province_admin=DONE, operator=FORBIDDEN, expert=FORBIDDEN),
        url=lambda w: reverse("accounts:admin_new"),
        data=_new_account("province_admin", "440000"),
        label="province",
    ),
    Page("accounts:admin_import", "get", ADMINISTRATORS_PAGE, url=lambda w: reverse("accounts:admin_import")),
    Page(
        "accounts:admin_import",
        "post",
        _accounts(
            REFUSED, ministry_admin=DONE, province_admin=DONE, city_officer=DONE, operator=FORBIDDEN,
            expert=FORBIDDEN,
        ),
        url=lambda w: reverse("accounts:admin_import"),
        data=lambda w: {"file": _accounts_workbook(w)},
    ),
    Page(
        "accounts:admin_import_template",
        "get",
        ADMINISTRATORS_PAGE,
        url=lambda w: reverse("accounts:admin_import_template"),
    ),
    Page("accounts:admin_detail", "get", ACCOUNT_PAGE, url=_account_url("accounts:admin_detail")),
    Page("accounts:admin_edit", "get", ACCOUNT_PAGE, url=_account_url("accounts:admin_edit")),
    Page(
        "accounts:admin_edit",
        "post",
        ACCOUNT_STEP,
        url=_account_url("accounts:admin_edit"),
        data=lambda w: {
            "full_name": "何嘉欣",
            "email": w.users["county_officer"].email,
            "role": "county_officer",
            "jurisdiction": "440605",
        },
    ),
    Page(
        "accounts:admin_deactivate",
        "post",
        ACCOUNT_STEP,
        url=_account_url("accounts:admin_deactivate"),
        data=lambda w: {"deactivate-reason": "调离"},
    ),
    Page(
        "accounts:admin_reset_two_factor",
        "post",
        ACCOUNT_STEP,
        url=_account_url("accounts:admin_reset_two_factor"),
        data=lambda w: {"reset-reason": "手机丢失"},
    ),
    Page(
        "accounts:admin_invite",
        "post",
        ACCOUNT_STEP,
        url=_account_url("accounts:admin_invite", "pending_account"),
        steps=("pending_account",),
    ),
    Page(
        "accounts:admin_reactivate",
        "post",
        ACCOUNT_STEP,
        url=_account_url("accounts:admin_reactivate", "pending_account"),
        steps=("pending_account", "deactivate_account"),
    ),
    # The invited owner's page: anyone may open a link; a wrong token shows the page saying it is dead.
    Page(
        "accounts:invitation_accept",
        "get",
        {"anonymous": OK, **_accounts(OK)},
        url=lambda w: reverse("accounts:invitation_accept", args=["MQ", "bad-token"]),
    ),
)  # fmt: skip


def _make_world(users: dict[str, User], call: YearlyCall, pool_entry: PoolEntry) -> World:
    """The matrix's people (``users`` and the selection roles), the Guangdong call and the national one, with
    their indicator systems, and a pool entry."""
    national = Programme.objects.create(
        name="中小企业特色产业集群认定（国家级）",
        owner=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "province", "national"],
        quota_per_unit=8,
    )
    national_call = YearlyCall.objects.create(
        programme=national,
        year=call.year,
        opens_on=call.opens_on,
        closes_on=call.closes_on,
        city_deadline=call.city_deadline,
        province_deadline=call.province_deadline,
    )
    users = dict(users)
    users["ministry_admin"] = UserFactory(
        username="web-ministry-admin", role=Role.MINISTRY_ADMIN, jurisdiction_id="100000"
    )
    # The expert the ``assign`` step assigns (factories.take_step): ``expert``, home 广东省.
    users["assigned_expert"] = users["expert"]
    ExpertProfile.objects.get_or_create(user=users["expert"], defaults={"fields": "智能家电"})
    for key, home in (
        ("other_expert", "440300"),
        ("conflicted_expert", "440600"),
        ("related_expert", "440400"),
    ):
        users[key] = UserFactory(username=key.replace("_", "-"), role=Role.EXPERT, jurisdiction_id=home)
        ExpertProfile.objects.create(user=users[key], fields="智能家电、家电", organization="测试研究院")
    selection_services.relation_declare(actor=users["related_expert"], county_code="440606", note="曾任顾问")
    # The indicator systems exist before any page opens (the owner's first visit would create them).
    selection_services.indicator_system_ensure(actor=users["province_admin"], call=call)
    selection_services.indicator_system_ensure(actor=users["ministry_admin"], call=national_call)
    return World(
        users=users,
        call=call,
        programme=call.programme,
        national=national,
        pool_entry=pool_entry,
        national_call=national_call,
        extra={"pdf": pdf_file},
    )


@pytest.fixture
def web_world(
    web_users: dict[str, User],
    web_call: YearlyCall,
    web_pool_entry: PoolEntry,
    settings: Any,
    tmp_path: Any,
) -> World:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    cache.clear()  # the public objection form counts submissions per address
    return _make_world(web_users, web_call, web_pool_entry)


@pytest.fixture(scope="class")
def matrix_base(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """What every page of the matrix shares, built once for the class in a transaction rolled back after it
    (tests/shared_world.py)."""
    evidence = override_settings(EVIDENCE_ROOT=tmp_path_factory.mktemp("matrix") / "evidence")
    with django_db_blocker.unblock(), evidence, transaction.atomic():
        ensure_divisions()
        yield _make_world(people(), YearlyCallFactory(), PoolEntryFactory())
        transaction.set_rollback(True)


@pytest.fixture(scope="class")
def matrix_pages(matrix_base: World) -> Iterator[WorldPerKey[World]]:
    """One page's world at a time: the shared world and the page's application, in a savepoint."""
    pages: WorldPerKey[World] = WorldPerKey()
    yield pages
    pages.close()


@pytest.fixture
def matrix_world(
    request: pytest.FixtureRequest, matrix_base: World, matrix_pages: WorldPerKey[World]
) -> Iterator[World]:
    """The world of the case's page, built by the page's first case; the case itself runs in a savepoint
    rolled back after it, so every role meets the page as the first one did."""
    page = request.node.callspec.params["page"]
    world = matrix_pages.get(page, lambda: _build(page, replace(matrix_base, extra=dict(matrix_base.extra))))
    cache.clear()  # the public objection form counts submissions per address
    with rolled_back():
        yield world


def _case(role: str, page: Page) -> Any:
    # One xdist group per page: its cases run on one worker, which builds the page's world once.
    return pytest.param(
        role, page, id=f"{role}-{page.id}", marks=pytest.mark.xdist_group(f"matrix-{page.id}")
    )


CASES = (
    [_case(role, page) for page in PAGES for role in ROLES]
    + [_case(role, page) for page in SELECTION_PAGES for role in SELECTION_ROLES]
    + [_case(role, page) for page in ACCOUNT_PAGES for role in ACCOUNT_ROLES]
)


class TestPermissionMatrix:
    """The cases of one page share its world (``matrix_world``); each role's request runs in a savepoint."""

    @pytest.fixture(autouse=True)
    def db(self, django_db_setup: None) -> None:
        """In place of pytest-django's ``db`` (whose transaction per test would enclose the savepoint a case
        closes when its page changes): the name tells pytest-django these cases use the test database, the
        savepoints of ``matrix_world`` isolate them."""

    @pytest.mark.parametrize(("role", "page"), CASES)
    def test_permission_matrix(self, role: str, page: Page, matrix_world: World) -> None:
        world = matrix_world
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        url = page.url(world)
        events, state = AuditEvent.objects.count(), _state(world)
        response = client.post(url, page.data(world)) if page.method == "post" else client.get(url)
        # Anonymous visitors go to the login page, except on the public pages (which say so).
        expected = page.expected.get(role, LOGIN) if role == "anonymous" else page.expected[role]
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
        # issue 4: selection settings, screening, indicators, the pool, assignments, scores, the shortlist,
        # the notice and its objections, recognition
        tuple(
            YearlyCall.objects.order_by("pk").values_list(
                "experts_per_application", "scoring_deadline", "aggregation", "recognition_quota"
            )
        ),
        tuple(Application.objects.order_by("pk").values_list("pk", "status")),
        Screening.objects.count(),
        IndicatorSystem.objects.count(),
        tuple(ExpertProfile.objects.order_by("pk").values_list("pk", "fields", "organization", "active")),
        DeclaredRelation.objects.count(),
        tuple(
            Assignment.objects.order_by("pk").values_list(
                "pk", "conflict_declared", "no_conflict_declared_at", "submitted_at"
            )
        ),
        Score.objects.count(),
        Shortlist.objects.count(),
        tuple(Notice.objects.order_by("pk").values_list("pk", "starts_on", "ends_on")),
        tuple(Objection.objects.order_by("pk").values_list("pk", "status")),
        RecognizedCluster.objects.count(),
        # issue 17: the accounts (who they are, where, whether they sign in, their password)
        tuple(
            User.objects.order_by("pk").values_list(
                "pk", "username", "email", "role", "jurisdiction", "is_active", "password", "first_name"
            )
        ),
    )


def _build(page: Page, world: World) -> World:
    """The application of the page: a draft first (so evidence can be attached), then taken to the page's
    state through the services."""
    if page.state is None:
        if "pending_account" in page.steps:  # issue 17: an invited 顺德区 officer who has not set a password
            with TestCase.captureOnCommitCallbacks(execute=True):
                world.extra["pending_account"] = account_create(
                    actor=world.users["province_admin"],
                    username="matrix-pending",
                    details=AccountDetails(
                        full_name="张振宇",
                        email="matrix.pending@example.test",
                        role=Role.COUNTY_OFFICER,
                        jurisdiction=world.users["county_officer"].jurisdiction,
                    ),
                )
            if "deactivate_account" in page.steps:
                account_deactivate(
                    actor=world.users["province_admin"], account=world.extra["pending_account"], reason="调离"
                )
        if "register_import" in page.steps:
            with TestCase.captureOnCommitCallbacks(execute=True):  # the file reaches its place on commit
                world.extra["register_import"] = register_import(
                    actor=world.users["ministry_admin"],
                    programme=world.national,
                    data=REGISTER_CSV,
                    filename="a",
                ).register_import
        return world
    application = ApplicationFactory(
        status=Status.DRAFT,
        call=world.national_call if page.chain == "national" else world.call,
        name="佛山市测试智能家电产业集群1",
        operators=[world.users["operator"]],  # 顺德区's operator operates it (reaches only what it operates)
    )
    if page.evidence:
        with TestCase.captureOnCommitCallbacks(execute=True):  # the file reaches its place on commit
            world.evidence = application_services.evidence_add(
                actor=world.users["county_officer"],
                application=application,
                section=Section.SUPPLY_CHAIN,
                upload=pdf_upload("配套协议.pdf"),
            )
    take_steps(application, _STEPS[page.state])
    assert application.status == page.state
    world.application = application
    for step in page.steps:
        if step == "object":
            with TestCase.captureOnCommitCallbacks(execute=True):  # the file reaches its place on commit
                objection_file(
                    notice=Notice.objects.get(shortlist__call=application.call),
                    application_id=application.pk,
                    **{key: _objection_data(world)[key] for key in OBJECTOR},
                    uploads=[pdf_upload("核查材料.pdf")],
                )
        elif step == "resolve":
            objection = Objection.objects.get(application=application)
            with TestCase.captureOnCommitCallbacks(execute=True):  # the file reaches its place on commit
                objection_record(
                    actor=world.users["ministry_admin" if page.chain == "national" else "province_admin"],
                    objection=objection,
                    investigation="经核查，数据属实",
                    resolution="异议不成立",
                    upheld=False,
                    resolve=True,
                    uploads=[pdf_upload("核查结论.pdf")],
                )
        else:
            take_step(application, step)
        application.refresh_from_db()
    world.extra.update(
        assignment=Assignment.objects.filter(application=application).first(),
        notice=Notice.objects.filter(shortlist__call=application.call).first(),
        objection=Objection.objects.filter(application=application).first(),
        objection_file=ObjectionFile.objects.filter(
            objection__application=application, kind=ObjectionFile.Kind.OBJECTOR
        ).first(),
        finding_file=ObjectionFile.objects.filter(
            objection__application=application, kind=ObjectionFile.Kind.FINDING
        ).first(),
        cluster=RecognizedCluster.objects.filter(application=application).first(),
    )
    return world


_STEPS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (),
    Status.SUBMITTED: ("submit",),
    Status.ACCEPTED: ("submit", "accept"),
    Status.REVIEWED: ("submit", "accept", "review"),
    Status.RECOMMENDED: ("submit", "accept", "review", "recommend"),
    Status.SCREENED: ("submit", "accept", "review", "recommend", "screen"),
    Status.SHORTLISTED: ("submit", "accept", "review", "recommend", "screen", "assign", "score", "shortlist"),
    Status.RECOGNIZED: (
        "submit", "accept", "review", "recommend", "screen", "assign", "score", "shortlist",
        "publish", "end_notice", "recognize",
    ),
}  # fmt: skip


def _explain(response: Any) -> str:
    body = response.content.decode("utf-8", "replace") if hasattr(response, "content") else ""
    where = response.get("Location", "")
    return f"got {response.status_code} {where} {body[:300]}"


def test_every_page_of_the_issue_is_in_the_matrix() -> None:
    named = {page.url_name for page in (*PAGES, *SELECTION_PAGES)}
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
            "zones", "zone_new", "zone_edit",
        )),
        # issue 4
        *(f"selection:{name}" for name in (
            "calls", "settings", "screening", "screen_batch", "screen", "indicators", "experts", "relations",
            "expert_edit", "assignments", "assign_suggested", "assign", "unassign", "my_reviews", "score",
            "application_scores", "ranking", "shortlist_confirm", "shortlist",
        )),
        *(f"notices:{name}" for name in (
            "list", "publish", "manage", "objection", "objection_file", "public_list", "public_detail",
            "objection_ack", "objection_lookup", "finding_file",
        )),
        *(f"registry:{name}" for name in (
            "recognition", "notice_pdf", "certificate", "public_list", "public_detail",
        )),
        # issue 14: the register of past recognitions
        *(f"registry:{name}" for name in (
            "register_home", "register_template", "register_programme", "register_import_detail",
            "register_import_file",
        )),
    }  # fmt: skip
    assert wanted <= named, sorted(wanted - named)


@pytest.mark.django_db
@pytest.mark.parametrize("expert", ["conflicted_expert", "related_expert"])
def test_a_conflicted_expert_is_never_assigned(
    expert: str, web_world: World, web_application_in: Any
) -> None:
    """The owner posts a conflicted expert for an application of their city (or of a county they declared a
    relation to): refused with the reason, no assignment; and the expert cannot open the application."""
    application = web_application_in(Status.SCREENED)
    client = Client()
    client.force_login(web_world.users["province_admin"])
    web_world.application = application
    data = {**_assign_data(web_world), f"a{application.pk}-expert": str(web_world.users[expert].pk)}
    response = client.post(reverse("selection:assign", args=[application.pk]), data, follow=True)
    assert response.status_code == OK
    assert not Assignment.objects.filter(application=application).exists()
    with pytest.raises(ValidationError):
        selection_services.assignment_create(
            actor=web_world.users["province_admin"],
            application=application,
            expert=web_world.users[expert],
            due_on=timezone.localdate() + timedelta(days=10),
        )
    client.force_login(web_world.users[expert])
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == NOT_FOUND


@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.mark.django_db
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
