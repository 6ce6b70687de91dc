"""Helpers of the publication tests (imported by the tests and by ``conftest.py``): the world of a call with
a frozen shortlist, clients, and a valid objection.

The selection services (screening, scoring, ranking, ``shortlist_confirm``) are written elsewhere; these
helpers stand in for them the way the brief asks: applications are created and filled through the
application services, then moved to SHORTLISTED / NOT_SHORTLISTED with the ORM, and the ``Shortlist`` row is
written directly, with content shaped like ``analytics.scoring.Ranking.content`` and its real hash.

Time is set with the suite's ``clock`` fixture (tests/conftest.py), so "today in Beijing" is whatever the
test says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.test import Client

from clock import Clock
from smecluster.analytics.scoring import content_hash
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications import services as application_services
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.notices.models import Notice
from smecluster.apps.notices.services import notice_publish
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.selection.models import Shortlist
from smecluster.site.demo import fill_application

PUB_NOT_SHORTLISTED_REASON = "综合得分排名第 3 位，超出本年度认定名额（2 个）"


def pub_client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@dataclass
class PubWorld:
    """A call with a frozen shortlist: ``shortlisted`` in rank order, then ``others`` left off it."""

    call: YearlyCall
    owner: User
    shortlist: Shortlist
    shortlisted: list[Application]
    others: list[Application] = field(default_factory=list)
    notice: Notice | None = None

    @property
    def county(self) -> str:
        return self.shortlisted[0].county_id


def pub_build_world(
    *,
    call: YearlyCall,
    owner: User,
    county: str,
    shortlisted: int = 2,
    not_shortlisted: int = 1,
    prefix: str = "测试",
) -> PubWorld:
    """Applications of ``county`` in ``call``, filled with valid figures, then SHORTLISTED (the first
    ``shortlisted``) or NOT_SHORTLISTED (with the reason recorded as selection would), and the frozen
    Shortlist with every application ranked."""
    officer = User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction=county)
    industries = ["智能家电", "家具", "纺织服装", "五金", "陶瓷"]
    applications = []
    for index in range(shortlisted + not_shortlisted):
        application = application_services.application_create(
            actor=officer,
            call=call,
            name=f"{prefix}{industries[index % len(industries)]}产业集群{index + 1}",
            leading_industry=industries[index % len(industries)],
        )
        applications.append(fill_application(actor=officer, application=application))
    entries = []
    for index, application in enumerate(applications):
        on_list = index < shortlisted
        Application.objects.filter(pk=application.pk).update(
            status=Status.SHORTLISTED if on_list else Status.NOT_SHORTLISTED
        )
        application.refresh_from_db()
        if not on_list:
            with transaction.atomic():
                audit_record(
                    actor=owner,
                    action=actions.APPLICATION_NOT_SHORTLIST,
                    target=application,
                    before={"status": Status.SCREENED},
                    after={"status": Status.NOT_SHORTLISTED},
                    reason=PUB_NOT_SHORTLISTED_REASON,
                )
        aggregate = f"{90 - index * 2.5:.2f}"
        entries.append(
            {
                "rank": index + 1,
                "number": application.number,
                "shortlisted": on_list,
                "decided_by": 1,
                "aggregate": aggregate,
                "experts": [{"expert": str(owner.pk), "total": aggregate, "points": {"A1": aggregate}}],
                "application_id": str(application.pk),
                "name": application.name,
                "county": application.county_id,
            }
        )
    content = {
        "schema": 1,
        "method": "mean",
        "quota": shortlisted,
        "rounding": "0.01 ROUND_HALF_UP",
        "entries": entries,
        "call": {"id": call.pk, "year": call.year, "programme": call.programme_id},
    }
    shortlist = Shortlist.objects.create(
        call=call, content=content, content_hash=content_hash(content), confirmed_by=owner
    )
    return PubWorld(
        call=call,
        owner=owner,
        shortlist=shortlist,
        shortlisted=applications[:shortlisted],
        others=applications[shortlisted:],
    )


def pub_publish(world: PubWorld, clock: Clock, starts_on: date, *, actor: User | None = None) -> Notice:
    """Publish the world's notice through the service, the day before ``starts_on``."""
    clock.beijing(starts_on - timedelta(days=1))
    world.notice = notice_publish(
        actor=actor or world.owner,
        call=world.call,
        title=f"{world.call}拟认定名单公示",
        starts_on=starts_on,
        contact="省工业和信息化厅中小企业处，电话 020-83133000，地址：广州市东风中路 305 号",
    )
    return world.notice


PUB_OBJECTION: dict[str, Any] = {
    "real_name": "张三丰",
    "phone": "13800138000",
    "email": "zhang@example.test",
    "organization": "佛山市某某家电有限公司",
    "content": "该集群申报的中小企业产值占比与统计部门公布的数据不符，请核查。",
    "pledge": "on",
}
