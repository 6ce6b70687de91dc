"""The home page: "my tasks" for the signed-in user's role, each a link to the page where it is done."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import Role
from smecluster.apps.applications.selectors import applications_visible_to
from smecluster.apps.applications.workflow import Status
from smecluster.apps.programmes.selectors import open_calls_for


@dataclass(frozen=True)
class Task:
    title: str
    detail: str
    url: str


# Which states ask something of which role: the dashboard lists those applications as tasks.
WAITING_ON = {
    Role.COUNTY_OFFICER: {Status.DRAFT: _("完善并提交"), Status.RETURNED: _("按退回意见修改后重新提交")},
    Role.OPERATOR: {Status.DRAFT: _("完善申报内容"), Status.RETURNED: _("按退回意见修改")},
    Role.CITY_OFFICER: {
        Status.SUBMITTED: _("受理或退回"),
        Status.ACCEPTED: _("初审"),
        Status.REVIEWED: _("实地抽查并决定是否推荐"),
    },
    Role.PROVINCE_ADMIN: {Status.RECOMMENDED: _("已推荐，待省级评审")},
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    waiting = WAITING_ON.get(user.role, {})
    tasks = [
        Task(
            f"{application.number} {application.name}",
            str(waiting[application.status]),
            reverse("applications:detail", args=[application.pk]),
        )
        for application in applications_visible_to(user)
        .filter(status__in=list(waiting))
        .order_by("updated_at")
    ]
    if user.role in (Role.COUNTY_OFFICER, Role.OPERATOR):
        for call in open_calls_for(user):
            tasks.append(
                Task(
                    str(call),
                    _("申报截止 %(date)s") % {"date": call.closes_on},
                    reverse("applications:new") + f"?call={call.pk}",
                )
            )
    return render(request, "dashboard.html", {"tasks": tasks})
