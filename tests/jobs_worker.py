"""The job worker's work, done in the test's own transaction: what `smecluster worker` does for each job
waiting in the queue (``jobs.services.job_run``), without a second process. The worker itself is run in
tests/web/monitoring/test_report_jobs.py and tests/web/rosters/test_roster_jobs.py."""

from __future__ import annotations

from smecluster.apps.jobs.models import Job
from smecluster.apps.jobs.services import job_run


def run_waiting_jobs() -> list[Job]:
    """Run every queued job, oldest first; the jobs as they ended."""
    ran = []
    for pk in Job.objects.filter(status=Job.Status.QUEUED).order_by("pk").values_list("pk", flat=True):
        job_run(pk)
        ran.append(Job.objects.get(pk=pk))
    return ran
