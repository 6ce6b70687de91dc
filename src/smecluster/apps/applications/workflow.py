"""The application's states and the transitions between them, declared once.

``applications.services.move`` is the only code that assigns ``Application.status``. The table can be
drawn (``docs/workflow.md``); each transition names who takes it by place in the programme's review chain,
so the same table runs a provincial programme and the national one.

    (the recommender is the city in a provincial programme, the province in the national one)
    draft ──submit──▶ submitted ──accept──▶ accepted ──review──▶ reviewed ──recommend──▶ recommended
      ▲                 │  │                  │                    │  │ └──not_recommend──▶ not_recommended
      └────withdraw─────┘  └──return──▶ returned ◀──return─────────┴──┘
                                          └──submit (resubmit)──▶ submitted
    reviewed ──spot_check──▶ reviewed (a record is added; the state stays)

    then at the owner (the province, or the ministry):
    recommended ──screen──▶ screened ──shortlist──▶ shortlisted ──recognize──▶ recognized
         └──screen_out──▶ screened_out   └──not_shortlist──▶ not_shortlisted   └──reject──▶ rejected
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待受理")
    RETURNED = "returned", _("已退回修改")
    ACCEPTED = "accepted", _("已受理，待初审")
    REVIEWED = "reviewed", _("已初审，待推荐")
    RECOMMENDED = "recommended", _("已推荐，待认定机关审核")
    NOT_RECOMMENDED = "not_recommended", _("未推荐")
    SCREENED = "screened", _("已通过审核，待专家评审")
    SCREENED_OUT = "screened_out", _("审核未通过")
    SHORTLISTED = "shortlisted", _("拟认定，公示中")
    NOT_SHORTLISTED = "not_shortlisted", _("未入选拟认定名单")
    RECOGNIZED = "recognized", _("已认定")
    REJECTED = "rejected", _("未予认定")


EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
"""States in which the county (or the operator) may change the application's content and evidence."""

RECOMMENDED_OR_LATER = frozenset(
    {
        Status.RECOMMENDED, Status.SCREENED, Status.SCREENED_OUT, Status.SHORTLISTED,
        Status.NOT_SHORTLISTED, Status.RECOGNIZED, Status.REJECTED,
    }
)  # fmt: skip
"""States of an application its recommender has recommended: each takes one place of the quota."""


class Actor(models.TextChoices):
    """Who takes a step, by place in the programme's review chain (Programme.review_chain).

    A provincial programme runs county → city → province: the city recommends, the province recognizes.
    The national one runs county → province → national: the province recommends, the ministry recognizes.
    """

    APPLICANT = "applicant", _("申报主体")
    RECOMMENDER = "recommender", _("推荐单位")
    OWNER = "owner", _("认定机关")


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[Status]
    target: Status | None  # None: the state stays (a record is added)
    actor: Actor
    needs_reason: bool = False


def _t(action, label, sources, target, actor, needs_reason=False):  # type: ignore[no-untyped-def]
    return Transition(action, label, frozenset(sources), target, actor, needs_reason)


S = Status
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("submit", _("提交"), {S.DRAFT, S.RETURNED}, S.SUBMITTED, Actor.APPLICANT),
        _t("withdraw", _("撤回"), {S.SUBMITTED}, S.DRAFT, Actor.APPLICANT),
        _t("accept", _("受理"), {S.SUBMITTED}, S.ACCEPTED, Actor.RECOMMENDER),
        _t(
            "return",
            _("退回修改"),
            {S.SUBMITTED, S.ACCEPTED, S.REVIEWED},
            S.RETURNED,
            Actor.RECOMMENDER,
            True,
        ),
        _t("review", _("初审"), {S.ACCEPTED, S.REVIEWED}, S.REVIEWED, Actor.RECOMMENDER),
        _t("spot_check", _("实地抽查"), {S.ACCEPTED, S.REVIEWED}, None, Actor.RECOMMENDER),
        _t("recommend", _("推荐"), {S.REVIEWED}, S.RECOMMENDED, Actor.RECOMMENDER, True),
        _t("not_recommend", _("不予推荐"), {S.REVIEWED}, S.NOT_RECOMMENDED, Actor.RECOMMENDER, True),
        _t("screen", _("审核通过"), {S.RECOMMENDED}, S.SCREENED, Actor.OWNER),
        _t("screen_out", _("审核不通过"), {S.RECOMMENDED}, S.SCREENED_OUT, Actor.OWNER, True),
        _t("shortlist", _("列入拟认定名单"), {S.SCREENED}, S.SHORTLISTED, Actor.OWNER),
        _t("not_shortlist", _("未列入拟认定名单"), {S.SCREENED}, S.NOT_SHORTLISTED, Actor.OWNER, True),
        _t("recognize", _("认定"), {S.SHORTLISTED}, S.RECOGNIZED, Actor.OWNER),
        _t("reject", _("不予认定"), {S.SHORTLISTED}, S.REJECTED, Actor.OWNER, True),
    )
}


def acting_level(review_chain: list[str], actor: Actor) -> str:
    """The level of the chain that takes the steps of ``actor``: the first, the one before last, the last."""
    if actor == Actor.APPLICANT:
        return review_chain[0]
    if actor == Actor.RECOMMENDER:
        return review_chain[-2]
    return review_chain[-1]
