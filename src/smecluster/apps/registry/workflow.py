"""The states of an annual report and of a re-review, and the transitions between them, declared once.

``registry.services.annual_reports.report_move`` and ``registry.services.re_reviews.re_review_move`` are the
only code that assigns these statuses. As for applications, each transition names who takes it by place in the
programme's review chain (``applications.workflow.Actor``): in a provincial programme the county files,
the city checks and forwards (or recommends), the province receives (or decides); in the national one the
province forwards and the ministry receives.

Annual report (年度培育情况信息表)::

    draft ──submit──▶ submitted ──forward──▶ forwarded ──receive──▶ received
      ▲                 │  └──return──▶ returned ──submit──▶ submitted
      └────withdraw─────┘

Re-review (复核)::

    draft ──submit──▶ submitted ──recommend──▶ recommended ──decide──▶ decided (outcome passed / failed)
                        └──return──▶ returned ──submit──▶ submitted
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from smecluster.apps.applications.workflow import Actor
from smecluster.apps.registry.models import AnnualReport, ReReview


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    actor: Actor
    needs_reason: bool = False


R = AnnualReport.Status
REPORT_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", _("提交"), frozenset({R.DRAFT, R.RETURNED}), R.SUBMITTED, Actor.APPLICANT),
        Transition("withdraw", _("撤回"), frozenset({R.SUBMITTED}), R.DRAFT, Actor.APPLICANT),
        Transition("return", _("退回修改"), frozenset({R.SUBMITTED}), R.RETURNED, Actor.RECOMMENDER, True),
        Transition("forward", _("审核并报送"), frozenset({R.SUBMITTED}), R.FORWARDED, Actor.RECOMMENDER),
        Transition("receive", _("接收"), frozenset({R.FORWARDED}), R.RECEIVED, Actor.OWNER),
    )
}
REPORT_EDITABLE = frozenset({R.DRAFT, R.RETURNED})
REPORT_FILED = frozenset({R.FORWARDED, R.RECEIVED})
"""States of a report that has been filed with the owner: the forwarding is the filing moment."""

V = ReReview.Status
RE_REVIEW_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "submit", _("提交复核申请"), frozenset({V.DRAFT, V.RETURNED}), V.SUBMITTED, Actor.APPLICANT
        ),
        Transition("return", _("退回修改"), frozenset({V.SUBMITTED}), V.RETURNED, Actor.RECOMMENDER, True),
        Transition("recommend", _("推荐"), frozenset({V.SUBMITTED}), V.RECOMMENDED, Actor.RECOMMENDER, True),
        Transition("decide", _("作出复核决定"), frozenset({V.RECOMMENDED}), V.DECIDED, Actor.OWNER, True),
    )
}
RE_REVIEW_EDITABLE = frozenset({V.DRAFT, V.RETURNED})
RE_REVIEW_IN_PROGRESS = frozenset({V.SUBMITTED, V.RETURNED, V.RECOMMENDED})
"""A re-review the county has filed and that is not decided yet: the cluster does not expire meanwhile."""
