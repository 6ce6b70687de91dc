"""The worker's entry point (django-tasks): one task that runs any job by its id."""

from __future__ import annotations

from django_tasks import task

from smecluster.apps.jobs.services import job_run


@task()
def run_job(job_id: int) -> None:
    job_run(job_id)
