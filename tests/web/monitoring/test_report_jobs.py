"""Long work in the job worker (apps/jobs, django-tasks' database queue): the evaluation report asked for
on a page is made by `smecluster worker`, with a progress page polled by htmx, a notification when done,
and the file served to its requester only. /healthz fails when jobs wait for a worker that is not there."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from monitoring_support import MON_YEAR, mon_client

from smecluster.apps.accounts.models import User
from smecluster.apps.jobs import kinds
from smecluster.apps.jobs.models import Job
from smecluster.apps.notifications.models import Notification
from smecluster.apps.registry.models import RecognizedCluster

# The worker closes its database connections between jobs, as a long-running process should: the tests
# commit for real (a transaction around the test would be closed under it).
pytestmark = pytest.mark.django_db(transaction=True)

START = "/jobs/start/"


def _work() -> None:
    """What `smecluster worker --batch` does: every waiting job, then exit."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def _ask(user: User, **params: Any) -> Any:
    return mon_client(user).post(START, {"kind": "evaluation_report", **params})


def test_the_report_is_made_by_the_worker_with_progress_and_a_notification(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    admin = mon_people["province_admin"]
    response = _ask(admin, scope="440000", year=MON_YEAR, format="pdf")
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.QUEUED
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1

    client = mon_client(admin)
    waiting = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in waiting  # the page polls until the job is done
    assert "排队中" in waiting

    _work()
    job.refresh_from_db()
    assert (job.status, job.progress) == (Job.Status.DONE, 100)
    done = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done
    assert f"/jobs/{job.pk}/result" in done
    download = client.get(f"/jobs/{job.pk}/result")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert job.result_name == f"evaluation-report-440000-{MON_YEAR}.pdf"
    note = Notification.objects.get(recipient=admin)
    assert f"{MON_YEAR}年度集群发展评估报告（PDF）”已生成" in note.text
    assert note.link == f"/jobs/{job.pk}/"


def test_a_job_and_its_file_are_the_requesters_only(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    _ask(mon_people["province_admin"], scope="440000", year=MON_YEAR, format="xlsx")
    _work()
    job = Job.objects.get()
    other = mon_client(mon_people["city_officer"])
    assert other.get(f"/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/jobs/{job.pk}/result").status_code == 404
    assert mon_client().get(f"/jobs/{job.pk}/result").status_code == 302  # to the login page


def test_a_job_is_refused_at_once_outside_reach_or_with_bad_parameters(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    city = mon_people["city_officer"]
    assert _ask(city, scope="440000", year=MON_YEAR, format="pdf").status_code == 404  # the province
    refused = _ask(city, scope="440600", year=MON_YEAR, format="exe")
    assert refused.status_code == 400
    assert "报告格式只能是 PDF、DOCX 或 XLSX" in refused.content.decode()
    assert _ask(mon_people["county_officer"], scope="440606", year=MON_YEAR, format="pdf").status_code == 403
    assert not Job.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_failed_job_says_why_and_tells_the_requester(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = mon_people["province_admin"]
    _ask(admin, scope="440000", year=MON_YEAR - 30, format="pdf")  # a year without any cluster
    _work()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert str(MON_YEAR - 30) in job.error  # the report's own reason, not a traceback
    page = mon_client(admin).get(f"/jobs/{job.pk}/").content.decode()
    assert job.error in page
    assert "生成失败" in Notification.objects.get(recipient=admin).text

    def broken(*args: Any) -> kinds.Output:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(
        kinds.KINDS, "evaluation_report", replace(kinds.KINDS["evaluation_report"], run=broken)
    )
    _ask(admin, scope="440000", year=MON_YEAR, format="pdf")
    _work()
    failed = Job.objects.order_by("-pk").first()
    assert failed is not None
    assert failed.status == Job.Status.FAILED
    assert "disk on fire" not in failed.error  # an internal error is not shown, only logged
    assert "生成失败，请稍后重试" in failed.error


def test_health_fails_when_jobs_wait_for_an_absent_worker(
    mon_people: dict[str, User], mon_clusters: dict[str, RecognizedCluster]
) -> None:
    _ask(mon_people["province_admin"], scope="440000", year=MON_YEAR, format="pdf")
    assert mon_client().get("/healthz").json()["checks"]["jobs"] == {"ok": True, "waiting": 1}
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=6))
    response = mon_client().get("/healthz")
    assert response.status_code == 503
    assert "jobs" in response.json()["failing"]
