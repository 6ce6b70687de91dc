"""Who may take the city's steps on an application, with the reason: the workflow table decides.

The city's actions belong to the city officer of the application's city, in the states the workflow
allows (``applications.workflow.APPLICATION``). Outside the user's jurisdiction the application does not
exist for them (404, through ``applications.selectors.application_for``); inside it, a refused action is a
403 that shows the reason given here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import User
from smecluster.apps.accounts.permissions import Decision
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.permissions import can_view
from smecluster.apps.applications.profiles import onsite_check_title
from smecluster.apps.applications.workflow import APPLICATION


@dataclass(frozen=True)
class Step:
    """One of the review pages of an application, and whether this user may use it now."""

    url_name: str
    label: str
    decision: Decision
    method: str = "get"


# The city's steps, in the order they are taken; each is a transition of the workflow table.
CITY_STEPS = (
    ("reviews:accept", _("受理"), "accept", "post"),
    ("reviews:return", _("退回修改"), "return", "get"),
    ("reviews:initial_review", _("初审"), "review", "get"),
    ("reviews:spot_check", _("实地抽查"), "spot_check", "get"),
    ("reviews:recommend", _("推荐意见"), "recommend", "get"),
)
# Pages every viewer of the application may open.
RECORD_PAGES = (
    ("reviews:versions", _("提交版本对比")),
    ("reviews:history", _("审核历史")),
)


def can_take(user: User, action: str, application: Application) -> Decision:
    """May ``user`` take the city's step ``action`` (a transition name) on ``application`` now?

    ``spot_check`` stands for the 实地抽查 page, open to the owner where it may take ``owner_spot_check``.
    ``recommend`` stands for the 推荐意见 page, which decides either way: it is open when 不予推荐 is, since a
    binding shortfall bars only 推荐 (the page says why); otherwise it is refused with 推荐's reason."""
    if action == "recommend" and (declining := APPLICATION.can(user, "not_recommend", application)):
        return declining
    # The spot-check page also serves the owner's optional 实地抽查 of a recommended application.
    if action == "spot_check" and (owner := APPLICATION.can(user, "owner_spot_check", application)):
        return owner
    return APPLICATION.can(user, action, application)


def review_steps(user: User, application: Application) -> list[Step]:
    """The city's steps and the record pages, each with the user's permission and its reason."""
    steps = [
        Step(
            url_name,
            onsite_check_title(application) if action == "spot_check" else str(label),
            can_take(user, action, application),
            method,
        )
        for url_name, label, action, method in CITY_STEPS
    ]
    steps += [Step(url_name, str(label), can_view(user, application)) for url_name, label in RECORD_PAGES]
    return steps
