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
from smecluster.apps.applications.workflow import Status
from smecluster.apps.programmes.models import PoolEntry, Programme, YearlyCall
from smecluster.apps.reviews import services as review_services
from smecluster.apps.selection import services as selection_services
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
}

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


@pytest.fixture
def web_take_step(web_users: dict[str, User]) -> Callable[[Application, str], Any]:
    """Take one workflow step on an application through its service, as the right person."""

    def take(application: Application, step: str) -> Any:
        county = User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction=application.county_id)
        city = User.objects.get(role=Role.CITY_OFFICER, jurisdiction=application.county.parent_id)
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
            return review_services.initial_review_record(
                actor=city,
                application=application,
                findings=[{"criterion_id": "gd-output", "status": "pass", "note": ""}],
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
        if step in ("screen", "screen_out"):
            province = User.objects.get(
                role=Role.PROVINCE_ADMIN, jurisdiction=application.county_id[:2] + "0000"
            )
            return selection_services.application_screen(
                actor=province, application=application, goes_on=step == "screen", reason="审核意见"
            )
        raise ValueError(step)

    return take


@pytest.fixture
def web_application_in(
    web_users: dict[str, User], web_call: YearlyCall, web_take_step: Callable[[Application, str], Any]
) -> Callable[..., Application]:
    """``web_application_in("reviewed")``: a new application of 顺德区 (or ``county=``), filled with valid
    figures and taken to that state through the services."""
    counter = iter(range(1, 1000))

    def make(status: str = Status.DRAFT, *, county: str = "440606", name: str = "") -> Application:
        county_officer = User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction=county)
        application = application_services.application_create(
            actor=county_officer,
            call=web_call,
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
