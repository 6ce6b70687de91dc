"""Shared fixtures for the web tests: people per role bound to real jurisdictions, a Guangdong programme
with an open call, and applications in any state of the workflow, all built through the services.

Every name starts with ``web_`` so that the fixtures other test modules define for themselves never clash.

People (``web_users``), keyed by the role they play towards ``web_application`` (a 顺德区 application):

    province_admin        广东省 (440000)
    city_officer          佛山市 (440600), the application's city
    other_city_officer    广州市 (440100)
    county_officer        佛山市顺德区 (440606), the application's county
    other_county_officer  佛山市南海区 (440605), same city, another county
    operator              a cluster operator in 顺德区 (440606)
    other_operator        a cluster operator in 南海区 (440605)
    expert                home jurisdiction 广东省
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications import services as application_services
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Actor, Status, acting_level
from smecluster.apps.notices import services as notice_services
from smecluster.apps.notices.models import Notice
from smecluster.apps.programmes.models import PoolEntry, Programme, YearlyCall
from smecluster.apps.registry.services import recognition as registry_services
from smecluster.apps.reviews import services as review_services
from smecluster.apps.selection import services as selection_services
from smecluster.apps.selection.models import Assignment, ExpertProfile
from smecluster.policy.ruleset import rule_set
from smecluster.site.demo import fill_application

WEB_PASSWORD = "web-test-password-42"

WEB_PEOPLE: dict[str, tuple[Role, str]] = {
    "province_admin": (Role.PROVINCE_ADMIN, "440000"),
    "city_officer": (Role.CITY_OFFICER, "440600"),
    "other_city_officer": (Role.CITY_OFFICER, "440100"),
    "county_officer": (Role.COUNTY_OFFICER, "440606"),
    "other_county_officer": (Role.COUNTY_OFFICER, "440605"),
    "operator": (Role.OPERATOR, "440606"),
    "other_operator": (Role.OPERATOR, "440605"),
    "expert": (Role.EXPERT, "440000"),
}

# The way to each state from a draft filled with valid figures, one service call per step.
WEB_PATH_TO: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (),
    Status.SUBMITTED: ("submit",),
    Status.RETURNED: ("submit", "return"),
    Status.ACCEPTED: ("submit", "accept"),
    Status.REVIEWED: ("submit", "accept", "review"),
    Status.RECOMMENDED: ("submit", "accept", "review", "recommend"),
    Status.NOT_RECOMMENDED: ("submit", "accept", "review", "not_recommend"),
    # The owner's screening (selection.services), as the province admin of the application's province.
    Status.SCREENED: ("submit", "accept", "review", "recommend", "screen"),
    Status.SCREENED_OUT: ("submit", "accept", "review", "recommend", "screen_out"),
    # Then the expert review (``expert``, home 广东省, assigned by the owner, declares no conflict and submits
    # 80 % of every maximum), the confirmed shortlist, the public notice (published for today, then moved
    # into the past: it has ended) and the owner's recognition.
    Status.SHORTLISTED: ("submit", "accept", "review", "recommend", "screen", "assign", "score", "shortlist"),
    Status.RECOGNIZED: (
        "submit", "accept", "review", "recommend", "screen", "assign", "score", "shortlist",
        "publish", "end_notice", "recognize",
    ),
}  # fmt: skip

# The smallest well-formed PDF: what `filetype` and a browser both take for a PDF.
WEB_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def web_make_user(username: str, role: Role, jurisdiction: str, **extra: Any) -> User:
    user = User(
        username=username,
        role=role,
        jurisdiction_id=jurisdiction,
        email=f"{username}@example.test",
        **extra,
    )
    user.set_password(WEB_PASSWORD)
    user.save()
    return user


@pytest.fixture(autouse=True, scope="session")
def web_static_root() -> None:
    """WhiteNoise warns on every request when STATIC_ROOT is missing (the tests serve from the finders)."""
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def web_divisions(db: Any) -> None:
    """The GB/T 2260 table. A data migration loads it, but a transactional test's flush empties it."""
    ensure_divisions()


@pytest.fixture
def web_users(web_divisions: None) -> dict[str, User]:
    return {key: web_make_user(key.replace("_", "-"), role, code) for key, (role, code) in WEB_PEOPLE.items()}


@pytest.fixture
def web_new_user(web_divisions: None) -> Callable[..., User]:
    """``web_new_user(username, role, jurisdiction_code)``: one more person, password ``WEB_PASSWORD``."""
    return web_make_user


@pytest.fixture
def web_programme(web_divisions: None) -> Programme:
    programme = Programme(
        name="广东省中小企业特色产业集群认定",
        owner_id="440000",
        owner_level="province",
        rule_set_id="guangdong-2022",
        review_chain=["county", "city", "province"],
        quota_per_unit=3,
        pool_required=False,
    )
    programme.full_clean()
    programme.save()
    return programme


@pytest.fixture
def web_call(web_programme: Programme) -> YearlyCall:
    """This year's call, open today (Asia/Shanghai), quota 3 per city."""
    today = timezone.localdate()
    call = YearlyCall(
        programme=web_programme,
        year=today.year,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
        city_deadline=today + timedelta(days=30),
        province_deadline=today + timedelta(days=60),
        quota=3,
    )
    call.full_clean()
    call.save()
    return call


@pytest.fixture
def web_pool_entry(web_divisions: None) -> PoolEntry:
    return PoolEntry.objects.create(
        city_id="440600", county_id="440606", name="佛山市顺德区家具产业集群", leading_industry="家具"
    )


def web_recommender(application: Application) -> User:
    """Who accepts, reviews and recommends: the city officer, or the province admin in the national chain."""
    if acting_level(application.call.programme.review_chain, Actor.RECOMMENDER) == "province":
        return User.objects.get(role=Role.PROVINCE_ADMIN, jurisdiction=application.county_id[:2] + "0000")
    return User.objects.get(role=Role.CITY_OFFICER, jurisdiction=application.county.parent_id)


def web_owner(application: Application) -> User:
    """Who screens, shortlists and recognizes: the owning province's admin, or the ministry admin (全国
    100000) for the national programme (the test must have made one)."""
    programme = application.call.programme
    if programme.owner_id is None:
        return User.objects.get(role=Role.MINISTRY_ADMIN, jurisdiction="100000")
    return User.objects.get(role=Role.PROVINCE_ADMIN, jurisdiction=programme.owner_id)


def web_assigned_expert() -> User:
    """The expert the ``assign`` step assigns: ``expert`` of ``web_users`` (home 广东省), in the pool."""
    expert = User.objects.get(username="expert")
    ExpertProfile.objects.get_or_create(
        user=expert, defaults={"fields": "智能家电", "organization": "测试大学"}
    )
    return expert


@pytest.fixture
def web_take_step(web_users: dict[str, User]) -> Callable[[Application, str], Any]:
    """Take one workflow step on an application through its service, as the right person for its chain."""

    def take(application: Application, step: str) -> Any:
        county = User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction=application.county_id)
        city = web_recommender(application)
        if step == "submit":
            return application_services.application_submit(actor=county, application=application)
        if step == "withdraw":
            return application_services.application_withdraw(actor=county, application=application)
        if step == "accept":
            return review_services.application_accept(actor=city, application=application)
        if step == "return":
            return review_services.application_return(
                actor=city, application=application, reason="请补充佐证材料"
            )
        if step == "review":
            criteria = [each.id for each in rule_set(application.call.programme.rule_set_id).criteria]
            criterion = "gd-output" if "gd-output" in criteria else criteria[0]
            return review_services.initial_review_record(
                actor=city,
                application=application,
                findings=[{"criterion_id": criterion, "status": "pass", "note": ""}],
                conclusion="符合条件",
            )
        if step == "spot_check":
            return review_services.spot_check_record(
                actor=city,
                application=application,
                checked_on=timezone.localdate(),
                inspectors="张三、李四",
                findings="与申报材料相符",
                conclusion="confirmed",
            )
        if step in ("recommend", "not_recommend"):
            return review_services.application_recommend(
                actor=city, application=application, recommended=step == "recommend", reason="理由"
            )
        owner = web_owner(application)
        if step in ("screen", "screen_out"):
            return selection_services.application_screen(
                actor=owner, application=application, goes_on=step == "screen", reason="审核意见"
            )
        if step == "assign":
            return selection_services.assignment_create(
                actor=owner,
                application=application,
                expert=web_assigned_expert(),
                due_on=timezone.localdate() + timedelta(days=10),
            )
        if step == "score":
            assignment = Assignment.objects.get(application=application, expert=web_assigned_expert())
            expert = assignment.expert
            assignment = selection_services.assignment_declare(
                actor=expert, assignment=assignment, conflict=False
            )
            system = application.call.indicator_systems.order_by("-version").first()
            entries = {
                indicator.pk: selection_services.ScoreEntry(
                    (indicator.max_points * Decimal("0.8")).quantize(Decimal("0.01")), "评语"
                )
                for indicator in system.indicators.all()
            }
            return selection_services.scores_save(
                actor=expert, assignment=assignment, entries=entries, submit=True
            )
        if step == "shortlist":
            return selection_services.shortlist_confirm(actor=owner, call=application.call)
        if step == "publish":
            return notice_services.notice_publish(
                actor=owner,
                call=application.call,
                title=f"{application.call}拟认定名单公示",
                starts_on=timezone.localdate(),
                contact="省工业和信息化厅中小企业处，电话 020-83133000",
            )
        if step == "end_notice":
            # The notice ran its course: moved into the past, as if published a month ago.
            today = timezone.localdate()
            return Notice.objects.filter(shortlist__call=application.call).update(
                starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=20)
            )
        if step == "recognize":
            return registry_services.recognition_decide(
                actor=owner,
                call=application.call,
                application_ids=[application.pk],
                decision=registry_services.RECOGNIZE,
            )
        raise ValueError(step)

    return take


@pytest.fixture
def web_application_in(
    web_users: dict[str, User], web_call: YearlyCall, web_take_step: Callable[[Application, str], Any]
) -> Callable[..., Application]:
    """``web_application_in("reviewed")``: a new application of 顺德区 (or ``county=``) in the web call (or
    ``call=``), filled with valid figures and taken to that state through the services."""
    counter = iter(range(1, 1000))

    def make(
        status: str = Status.DRAFT, *, county: str = "440606", name: str = "", call: YearlyCall | None = None
    ) -> Application:
        county_officer = User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction=county)
        application = application_services.application_create(
            actor=county_officer,
            call=call or web_call,
            name=name or f"佛山市测试智能家电产业集群{next(counter)}",
            leading_industry="智能家电",
        )
        application = fill_application(actor=county_officer, application=application)
        for step in WEB_PATH_TO[status]:
            web_take_step(application, step)
            application.refresh_from_db()
        assert application.status == status
        return application

    return make


@pytest.fixture
def web_application(web_application_in: Callable[..., Application]) -> Application:
    """A draft of 顺德区 with valid figures: ready to submit."""
    return web_application_in(Status.DRAFT)


@pytest.fixture
def web_pdf_upload() -> Callable[[str], SimpleUploadedFile]:
    def upload(name: str = "证明材料.pdf") -> SimpleUploadedFile:
        return SimpleUploadedFile(name, WEB_PDF, content_type="application/pdf")

    return upload


@pytest.fixture
def web_pdf_file() -> Callable[[str], io.BytesIO]:
    """A PDF as an open file, for the test client's multipart posts."""

    def open_pdf(name: str = "证明材料.pdf") -> io.BytesIO:
        handle = io.BytesIO(WEB_PDF)
        handle.name = name
        return handle

    return open_pdf
