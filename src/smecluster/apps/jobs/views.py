"""Starting a job, its progress page (polled by htmx until it is done) and its file. Thin: the work is
``jobs.services``; the reach is ``jobs.permissions.job_reach``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smecluster.apps.accounts.models import User
from smecluster.apps.jobs import services
from smecluster.apps.jobs.models import Job
from smecluster.apps.jobs.permissions import job_reach
from smecluster.errors import UnusableInput
from smecluster.site.http import AuthenticatedRequest, reach_or_404

NOT_FOUND = _("没有这个后台任务，或它不是您提交的")


def _job(user: User, pk: int) -> Job:
    return job_reach(user).get(pk=pk)


@login_required
@require_POST
def start(request: AuthenticatedRequest) -> HttpResponse:
    params = {key: value for key, value in request.POST.items() if key not in ("kind", "csrfmiddlewaretoken")}
    try:
        job = services.job_start(actor=request.user, kind=request.POST.get("kind", ""), params=params)
    except UnusableInput as error:
        return render(request, "jobs/refused.html", {"problems": error.problems}, status=400)
    except ValidationError as error:
        return render(request, "jobs/refused.html", {"problems": error.messages}, status=400)
    return redirect(job)


@login_required
@require_GET
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = reach_or_404(_job, request.user, pk, NOT_FOUND)
    template = "jobs/_status.html" if request.htmx else "jobs/detail.html"
    return render(request, template, {"job": job, "label": services.job_label(job)})


@login_required
@require_GET
def result(request: AuthenticatedRequest, pk: int) -> FileResponse:
    job = reach_or_404(_job, request.user, pk, NOT_FOUND)
    path = services.result_path(job)
    # A done job's file, or a refused one's report of its problems (a roster's row errors).
    if not job.finished or not job.result_name or not path.exists():
        raise Http404(_("这个任务还没有生成文件"))
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=job.result_name, content_type=job.result_type
    )
