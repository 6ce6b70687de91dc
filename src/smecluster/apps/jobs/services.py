"""Asking for a job, running it in the worker, and what the person is told.

``job_start`` checks the kind's parameters and the person's reach at once, records the job and enqueues
it in the same transaction (the database backend's row commits with it, so the worker never sees a job
that was rolled back). ``job_run`` is what the worker calls: it reports progress on the row, stores the
file under ``SMECLUSTER_DATA_DIR/jobs/`` and notifies the person, or records why it failed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.jobs.kinds import KINDS, Output
from smecluster.apps.jobs.models import Job
from smecluster.apps.notifications.services import notify
from smecluster.atomic_files import write_atomically
from smecluster.errors import UnusableInput

log = logging.getLogger(__name__)


def job_label(job: Job) -> str:
    return KINDS[job.kind].label(job.params) if job.kind in KINDS else job.kind


def result_path(job: Job) -> Path:
    return Path(settings.JOBS_DIR) / str(job.pk) / "result"


def job_start(*, actor: User, kind: str, params: dict[str, Any]) -> Job:
    if kind not in KINDS:
        raise UnusableInput.single("kind", "kind", _("没有这种后台任务：%(kind)s") % {"kind": kind})
    checked = KINDS[kind].check(actor, params)
    from smecluster.apps.jobs.tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(kind=kind, params=checked, requested_by=actor)
        run_job.enqueue(job.pk)
    return job


def _report(job: Job) -> Any:
    def report(percent: int, stage: str) -> None:
        job.progress, job.stage = max(0, min(percent, 99)), stage[:200]
        job.save(update_fields=["progress", "stage"])

    return report


def job_run(job_id: int) -> None:
    """Run one job in the worker. A failure is recorded on the job and told to the person, never lost."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != Job.Status.QUEUED:  # already taken by another worker, or done
            return
        job.status, job.started_at, job.stage = Job.Status.RUNNING, timezone.now(), _("开始")
        job.save(update_fields=["status", "started_at", "stage"])
    kind = KINDS[job.kind]
    label = job_label(job)
    try:
        output: Output = kind.run(job.requested_by, job.params, _report(job))
        write_atomically(result_path(job), output.content)
    except Exception as error:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job.status, job.finished_at = Job.Status.FAILED, timezone.now()
        job.error = (
            str(error) if isinstance(error, UnusableInput) else _("生成失败，请稍后重试或联系平台管理员")
        )
        job.save(update_fields=["status", "finished_at", "error"])
        notify(
            recipients=[job.requested_by],
            text=_("“%(label)s”生成失败：%(error)s") % {"label": label, "error": job.error},
            link=job.get_absolute_url(),
        )
        return
    job.status, job.finished_at, job.progress, job.stage = Job.Status.DONE, timezone.now(), 100, ""
    job.result_name, job.result_type = output.file_name, output.content_type
    job.save(update_fields=["status", "finished_at", "progress", "stage", "result_name", "result_type"])
    with transaction.atomic():
        notify(
            recipients=[job.requested_by],
            text=_("“%(label)s”已生成，可以下载") % {"label": label},
            link=job.get_absolute_url(),
        )
