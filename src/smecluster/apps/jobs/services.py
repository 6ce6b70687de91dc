"""Asking for a job, running it in the worker, and what the person is told.

``job_start`` checks the kind's parameters and the person's reach at once, records the job and enqueues
it in the same transaction (the database backend's row commits with it, so the worker never sees a job
that was rolled back). An uploaded file travels with the job: kept under ``SMECLUSTER_JOBS_DIR/<id>/input``
until the worker has read it, then removed. ``job_run`` is what the worker calls: it reports progress on the
row, stores the file under ``SMECLUSTER_JOBS_DIR/<id>/`` and notifies the person, or records why it failed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.jobs.kinds import KINDS, JobRefused, Output
from smecluster.apps.jobs.models import Job
from smecluster.apps.notifications.services import notify
from smecluster.atomic_files import write_atomically
from smecluster.errors import UnusableInput

log = logging.getLogger(__name__)


def job_label(job: Job) -> str:
    return KINDS[job.kind].label(job.params) if job.kind in KINDS else job.kind


def result_path(job: Job) -> Path:
    return Path(settings.JOBS_DIR) / str(job.pk) / "result"


def input_path(job: Job) -> Path:
    return Path(settings.JOBS_DIR) / str(job.pk) / "input"


def job_start(*, actor: User, kind: str, params: dict[str, Any], upload: bytes | None = None) -> Job:
    """Check, record and enqueue a job; ``upload`` is a file the person sent for it (a roster)."""
    if kind not in KINDS:
        raise UnusableInput.single("kind", "kind", _("没有这种后台任务：%(kind)s") % {"kind": kind})
    if KINDS[kind].takes_upload != (upload is not None):
        raise UnusableInput.single("kind", "kind", _("这种后台任务须在它自己的页面上提交"))
    checked = KINDS[kind].check(actor, params)
    from smecluster.apps.jobs.tasks import run_job

    kept: Path | None = None
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind, params=checked, requested_by=actor, language=translation.get_language() or ""
            )
            if upload is not None:
                kept = input_path(job)
                write_atomically(kept, upload)
                kept.chmod(0o600)  # a roster names firms and their figures: the service's own, not public
            run_job.enqueue(job.pk)
    except BaseException:
        if kept is not None:
            kept.unlink(missing_ok=True)  # the job was rolled back: its file with it
        raise
    return job


def _report(job: Job) -> Any:
    def report(percent: int, stage: str) -> None:
        job.progress, job.stage = max(0, min(percent, 99)), stage[:200]
        job.save(update_fields=["progress", "stage"])

    return report


def job_run(job_id: int) -> None:
    """Run one job in the worker. A failure is recorded on the job and told to the person, never lost.
    What it says (stages, problems, the notification) is in the language the person asked in."""
    language = Job.objects.filter(pk=job_id).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        _job_run(job_id)


def _job_run(job_id: int) -> None:
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != Job.Status.QUEUED:  # already taken by another worker, or done
            return
        job.status, job.started_at, job.stage = Job.Status.RUNNING, timezone.now(), _("开始")
        job.save(update_fields=["status", "started_at", "stage"])
    kind = KINDS[job.kind]
    label = job_label(job)
    params = dict(job.params)
    upload = input_path(job)
    if upload.exists():
        params["input_file"] = str(upload)
    try:
        output: Output = kind.run(job.requested_by, params, _report(job))
        if output.content:
            write_atomically(result_path(job), output.content)
    except JobRefused as refused:
        _refused(job, label, refused)
        return
    except Exception as error:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job.status, job.finished_at = Job.Status.FAILED, timezone.now()
        job.error = (
            str(error) if isinstance(error, UnusableInput) else _("生成失败，请稍后重试或联系平台管理员")
        )
        job.save(update_fields=["status", "finished_at", "error"])
        upload.unlink(missing_ok=True)
        notify(
            recipients=[job.requested_by],
            text=_note(_("“%(label)s”生成失败：%(error)s") % {"label": label, "error": job.error}),
            link=job.get_absolute_url(),
        )
        return
    upload.unlink(missing_ok=True)  # read and, when it was usable, written: the job keeps no copy
    job.status, job.finished_at, job.progress, job.stage = Job.Status.DONE, timezone.now(), 100, ""
    if output.content:
        job.result_name, job.result_type = output.file_name, output.content_type
    job.result_link = output.link
    job.save(
        update_fields=[
            "status",
            "finished_at",
            "progress",
            "stage",
            "result_name",
            "result_type",
            "result_link",
        ]
    )
    with transaction.atomic():
        notify(
            recipients=[job.requested_by],
            text=(_("“%(label)s”已生成，可以下载") if output.content else _("“%(label)s”已完成"))
            % {"label": label},
            link=job.get_absolute_url(),
        )


def _note(text: str) -> str:
    """A notification holds 256 characters: a long reason is cut, the job's page has it whole."""
    return text if len(text) <= 256 else text[:255] + "…"


def _refused(job: Job, label: str, refused: JobRefused) -> None:
    """The input could not be used: the job fails with the reason, the problems and their report."""
    input_path(job).unlink(missing_ok=True)
    if refused.report is not None:
        write_atomically(result_path(job), refused.report.content)
        job.result_name, job.result_type = refused.report.file_name, refused.report.content_type
    job.status, job.finished_at, job.error = Job.Status.FAILED, timezone.now(), refused.message
    job.result_link = refused.link
    job.details = (
        {"header": refused.header, "rows": refused.problems, "count": refused.count}
        if refused.problems
        else {}
    )
    job.save(
        update_fields=[
            "status",
            "finished_at",
            "error",
            "details",
            "result_name",
            "result_type",
            "result_link",
        ]
    )
    with transaction.atomic():
        notify(
            recipients=[job.requested_by],
            text=_note(_("“%(label)s”未完成：%(error)s") % {"label": label, "error": job.error}),
            link=job.get_absolute_url(),
        )
