"""Fixtures of the selection tests: a call ready for the owner's selection, an expert pool with people
placed to conflict (or not) with the 佛山市 applications, and helpers that take an assignment through the
declaration and the scores by the services.

Experts (``sel_experts``), by where they live:

    gz      广州市 (440100)          智能家电、家电        no conflict with 佛山市 applications
    sz      深圳市 (440300)          家电、电子信息        no conflict
    zh      珠海市 (440400)          装备制造              no conflict, field does not match
    foshan  佛山市 (440600)          智能家电              conflict: the application's city
    shunde  佛山市顺德区 (440606)    智能家电              conflict: the application's county
    nanhai  佛山市南海区 (440605)    智能家电              conflict: another county of the same city
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.selection import services
from smecluster.apps.selection.models import Assignment, ExpertProfile

SEL_EXPERTS: dict[str, tuple[str, str, str]] = {
    "gz": ("440100", "智能家电、家电", "华南理工大学"),
    "sz": ("440300", "家电、电子信息", "深圳大学"),
    "zh": ("440400", "装备制造", "珠海市产业研究院"),
    "foshan": ("440600", "智能家电", "佛山科学技术学院"),
    "shunde": ("440606", "智能家电", "顺德职业技术学院"),
    "nanhai": ("440605", "智能家电", "南海区经济研究所"),
}


@pytest.fixture
def sel_call(web_call: YearlyCall) -> YearlyCall:
    """The web call with no recommendation quota (so one city may send many), two experts per
    application, a scoring deadline ten days ahead and a recognition quota of 2."""
    programme = web_call.programme
    programme.quota_per_unit = None
    programme.save()
    web_call.quota = None
    web_call.experts_per_application = 2
    web_call.scoring_deadline = timezone.localdate() + timedelta(days=10)
    web_call.recognition_quota = 2
    web_call.save()
    return web_call


@pytest.fixture
def sel_experts(web_users: dict[str, User], web_new_user: Callable[..., User]) -> dict[str, User]:
    experts = {}
    for key, (code, fields, organization) in SEL_EXPERTS.items():
        user = web_new_user(f"expert-{key}", Role.EXPERT, code, last_name="专家", first_name=key)
        ExpertProfile.objects.create(user=user, fields=fields, organization=organization)
        experts[key] = user
    return experts


@pytest.fixture
def sel_screened(
    sel_call: YearlyCall, web_application_in: Callable[..., Application]
) -> Callable[..., Application]:
    """``sel_screened(county="440606")``: an application of the call that passed screening."""

    def make(county: str = "440606", name: str = "") -> Application:
        return web_application_in(Status.SCREENED, county=county, name=name)

    return make


@pytest.fixture
def sel_assign(web_users: dict[str, User]) -> Callable[..., Assignment]:
    def assign(application: Application, expert: User, owner: User | None = None) -> Assignment:
        return services.assignment_create(
            actor=owner or web_users["province_admin"], application=application, expert=expert
        )

    return assign


def sel_points(assignment: Assignment, share: Decimal | str) -> dict[int, services.ScoreEntry]:
    """Points at ``share`` of each indicator's maximum (two places), with a comment each."""
    system = assignment.application.call.indicator_systems.order_by("-version").first()
    assert system is not None
    return {
        indicator.pk: services.ScoreEntry(
            (indicator.max_points * Decimal(share)).quantize(Decimal("0.01")), f"{indicator.code} 评语"
        )
        for indicator in system.indicators.all()
    }


@pytest.fixture
def sel_score() -> Callable[..., Assignment]:
    """``sel_score(assignment, share)``: the expert declares no conflict and submits points at ``share``
    of every maximum (or ``entries`` given as they are)."""

    def score(
        assignment: Assignment,
        share: Decimal | str = "0.8",
        *,
        entries: dict[int, Any] | None = None,
        submit: bool = True,
    ) -> Assignment:
        expert = assignment.expert
        if assignment.no_conflict_declared_at is None:
            assignment = services.assignment_declare(actor=expert, assignment=assignment, conflict=False)
        return services.scores_save(
            actor=expert,
            assignment=assignment,
            entries=entries if entries is not None else sel_points(assignment, share),
            submit=submit,
        )

    return score
