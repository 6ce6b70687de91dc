"""Shared fixtures for the web tests: people per role bound to real jurisdictions, a Guangdong programme
with an open call, and applications in any state of the workflow, all built through the services by the
factories of tests/factories.py (whose ``PATH_TO`` says the steps to each state).

Every name starts with ``web_`` so that the fixtures other test modules define for themselves never clash.

People (``web_users``), keyed by the role they play towards ``web_application`` (a 顺德区 application):

    province_admin        广东省 (440000)
    city_officer          佛山市 (440600), the application's city
    other_city_officer    广州市 (440100)
    county_officer        佛山市顺德区 (440606), the application's county
    other_county_officer  佛山市南海区 (440605), same city, another county
    operator              a cluster operator in 顺德区 (440606), bound to what ``web_application_in`` makes
                          there (an operator reaches only what it operates: ``Application.operators``)
    other_operator        a cluster operator in 南海区 (440605), bound likewise to 南海区's applications
    expert                home jurisdiction 广东省
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from factories import (
    ApplicationFactory,
    PoolEntryFactory,
    ProgrammeFactory,
    UserFactory,
    YearlyCallFactory,
    pdf_file,
    pdf_upload,
    people,
    take_step,
)
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.programmes.models import PoolEntry, Programme, YearlyCall


def web_make_user(username: str, role: Role, jurisdiction: str, **extra: Any) -> User:
    return UserFactory(username=username, role=role, jurisdiction_id=jurisdiction, **extra)


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
    return people()


@pytest.fixture
def web_new_user(web_divisions: None) -> Callable[..., User]:
    """``web_new_user(username, role, jurisdiction_code)``: one more person (password: factories.PASSWORD)."""
    return web_make_user


@pytest.fixture
def web_programme(web_divisions: None) -> Programme:
    return ProgrammeFactory()


@pytest.fixture
def web_call(web_programme: Programme) -> YearlyCall:
    """This year's call, open today (Asia/Shanghai), quota 3 per city."""
    return YearlyCallFactory(programme=web_programme)


@pytest.fixture
def web_pool_entry(web_divisions: None) -> PoolEntry:
    return PoolEntryFactory()


@pytest.fixture
def web_take_step(web_users: dict[str, User]) -> Callable[[Application, str], Any]:
    """Take one workflow step on an application through its service, as the right person for its chain."""
    return take_step


@pytest.fixture
def web_application_in(
    web_users: dict[str, User], web_call: YearlyCall, web_take_step: Callable[[Application, str], Any]
) -> Callable[..., Application]:
    """``web_application_in("reviewed")``: a new application of 顺德区 (or ``county=``) in the web call (or
    ``call=``), filled with valid figures and taken to that state through the services. The county's
    operator of ``web_users`` operates it (bound before the steps, so a recognized one's cluster too) unless
    ``operated=False``."""
    counter = iter(range(1, 1000))
    county_operators = {
        user.jurisdiction_id: user for user in web_users.values() if user.role == Role.OPERATOR
    }

    def make(
        status: str = Status.DRAFT,
        *,
        county: str = "440606",
        name: str = "",
        call: YearlyCall | None = None,
        operated: bool = True,
    ) -> Application:
        operator = county_operators.get(county) if operated else None
        return ApplicationFactory(
            status=status,
            county=county,
            call=call or web_call,
            name=name or f"佛山市测试智能家电产业集群{next(counter)}",
            operators=[operator] if operator is not None else [],
        )

    return make


@pytest.fixture
def web_application(web_application_in: Callable[..., Application]) -> Application:
    """A draft of 顺德区 with valid figures: ready to submit."""
    return web_application_in(Status.DRAFT)


@pytest.fixture
def web_pdf_upload() -> Callable[[str], SimpleUploadedFile]:
    return pdf_upload


@pytest.fixture
def web_pdf_file() -> Callable[[str], io.BytesIO]:
    """A PDF as an open file, for the test client's multipart posts."""
    return pdf_file
