"""The application's states and the transitions between them, declared once.

Services call :func:`transition`; nothing else assigns ``Application.status``. The table can be drawn
(``docs/workflow.md``) and each transition names the role that may take it and the audience names of
each state (the county sees "已推荐至省级", the city its own step).

    draft ──submit──▶ submitted ──accept──▶ accepted ──review──▶ reviewed ──recommend──▶ recommended
      ▲                 │  │                  │                    │  │ └──not_recommend──▶ not_recommended
      └────withdraw─────┘  └──return──▶ returned ◀──return─────────┴──┘
                                          └──submit (resubmit)──▶ submitted
    reviewed ──spot_check──▶ reviewed (a record is added; the state stays)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import Role


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待市级受理")
    RETURNED = "returned", _("已退回修改")
    ACCEPTED = "accepted", _("已受理，待初审")
    REVIEWED = "reviewed", _("已初审，待推荐")
    RECOMMENDED = "recommended", _("已推荐至省级")
    NOT_RECOMMENDED = "not_recommended", _("未推荐")


EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
"""States in which the county (or the operator) may change the application's content and evidence."""


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[Status]
    target: Status | None  # None: the state stays (a record is added)
    roles: frozenset[Role]
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "submit",
            _("提交"),
            frozenset({Status.DRAFT, Status.RETURNED}),
            Status.SUBMITTED,
            frozenset({Role.COUNTY_OFFICER}),
        ),
        Transition(
            "withdraw",
            _("撤回"),
            frozenset({Status.SUBMITTED}),
            Status.DRAFT,
            frozenset({Role.COUNTY_OFFICER}),
            needs_reason=False,
        ),
        Transition(
            "accept",
            _("受理"),
            frozenset({Status.SUBMITTED}),
            Status.ACCEPTED,
            frozenset({Role.CITY_OFFICER}),
        ),
        Transition(
            "return",
            _("退回修改"),
            frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.REVIEWED}),
            Status.RETURNED,
            frozenset({Role.CITY_OFFICER}),
            needs_reason=True,
        ),
        Transition(
            "review",
            _("初审"),
            frozenset({Status.ACCEPTED, Status.REVIEWED}),
            Status.REVIEWED,
            frozenset({Role.CITY_OFFICER}),
        ),
        Transition(
            "spot_check",
            _("实地抽查"),
            frozenset({Status.ACCEPTED, Status.REVIEWED}),
            None,
            frozenset({Role.CITY_OFFICER}),
        ),
        Transition(
            "recommend",
            _("推荐"),
            frozenset({Status.REVIEWED}),
            Status.RECOMMENDED,
            frozenset({Role.CITY_OFFICER}),
            needs_reason=True,
        ),
        Transition(
            "not_recommend",
            _("不予推荐"),
            frozenset({Status.REVIEWED}),
            Status.NOT_RECOMMENDED,
            frozenset({Role.CITY_OFFICER}),
            needs_reason=True,
        ),
    )
}


class TransitionNotAllowed(Exception):
    pass


def check_transition(status: str, action: str) -> Transition:
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        raise TransitionNotAllowed(
            _("当前状态（%(status)s）不能%(action)s")
            % {"status": Status(status).label, "action": transition.label}
        )
    return transition
