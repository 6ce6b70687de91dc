"""Roster imports and large roster downloads made by the job worker (issue 16, "Long work runs inside the
request": roster imports of 100,000 firms took 3–5 s of CPU, 100,000-row XLSX exports ~12 s, inside the
request). The upload is held to its bounds in the request and answered with the job's progress page at
once; `smecluster worker` (django-tasks' ``db_worker``) reads, checks and writes it with progress in
counted stages, all or nothing, and tells the officer. A version of more than ``EXPORT_IN_REQUEST_FIRMS``
firms downloads through a job whose file is the requester's only."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from roster_support import Firm, roster_csv

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.jobs import services as job_services
from smecluster.apps.jobs.models import Job
from smecluster.apps.notifications.models import Notification
from smecluster.apps.rosters import exports, views
from smecluster.apps.rosters.models import RosterEnterprise, RosterVersion

# The worker closes its database connections between jobs: the tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def _work() -> None:
    """What `smecluster worker --batch` does: every waiting job, then exit."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, application: Application, data: bytes, name: str = "名册.csv") -> Any:
    handle = io.BytesIO(data)
    handle.name = name
    return client.post(reverse("rosters:application", args=[application.pk]), {"file": handle})


def _small_firms(count: int) -> list[Firm]:
    return [Firm(employees=10, revenue="100", output="100", leading=False) for _ in range(count)]


def test_an_upload_is_a_job_that_reports_counted_stages_and_stores_the_roster(
    web_users: dict[str, User], web_application: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    stages: list[tuple[int, str]] = []
    reporter = job_services._report

    def recording(job: Job) -> Any:
        report = reporter(job)

        def both(percent: int, stage: str) -> None:
            stages.append((percent, stage))
            report(percent, stage)

        return both

    monkeypatch.setattr(job_services, "_report", recording)
    officer = web_users["county_officer"]
    client = _client(officer)
    response = _upload(client, web_application, roster_csv(_small_firms(21_000)))

    # Answered at once with the progress page; nothing read or stored yet, the file kept with the job.
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.params["application"]) == (
        "roster_import",
        "queued",
        web_application.pk,
    )
    assert job_services.input_path(job).exists()
    assert not RosterVersion.objects.exists()
    waiting = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in waiting

    _work()
    job.refresh_from_db()
    assert (job.status, job.progress) == (Job.Status.DONE, 100), job.error
    # Real progress: the rows read and checked, counted as they go, then the writing of all of them.
    said = [stage for _percent, stage in stages]
    assert "已读取并检查 10,000 家企业" in said
    assert "已读取并检查 20,000 家企业" in said
    assert "写入 21,000 家企业" in said
    percents = [percent for percent, _stage in stages]
    assert percents == sorted(percents)
    version = RosterVersion.objects.get()
    assert version.row_count == 21_000
    assert RosterEnterprise.objects.filter(version=version).count() == 21_000
    assert not job_services.input_path(job).exists()  # the job keeps no copy of the file

    page = client.get(f"/jobs/{job.pk}/").content.decode()
    roster_page = reverse("rosters:application", args=[web_application.pk])
    assert f'href="{roster_page}"' in page
    note = Notification.objects.get(recipient=officer)
    assert "“导入企业名册（名册.csv）”已完成" in note.text
    assert note.link == f"/jobs/{job.pk}/"


def test_bounds_are_checked_in_the_request_and_nothing_is_queued(
    web_users: dict[str, User], web_application: Application
) -> None:
    client = _client(web_users["county_officer"])
    refused = _upload(client, web_application, b"   \n", "empty.csv")
    assert refused.status_code == 200
    assert "文件为空" in refused.content.decode()
    # An upload job is started by its own page only: jobs:start has no file to give it.
    forged = client.post("/jobs/start/", {"kind": "roster_import", "application": web_application.pk})
    assert forged.status_code == 400
    assert not Job.objects.exists()


def test_a_large_versions_download_is_a_job_with_the_same_rows_for_its_requester_only(
    web_users: dict[str, User], web_application: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "EXPORT_IN_REQUEST_FIRMS", 10)
    county = _client(web_users["county_officer"])
    _upload(county, web_application, roster_csv(_small_firms(30)))
    _work()
    version = RosterVersion.objects.get()
    page_url = reverse("rosters:version", args=[version.pk])
    city = _client(web_users["city_officer"])

    page = city.get(page_url).content.decode()
    assert 'id="roster-export"' in page
    assert 'value="roster_export"' in page
    # A ?format= link to a large version lands on the page with the buttons: a GET never starts a job.
    landed = city.get(page_url, {"format": "xlsx"})
    assert landed["Content-Type"].startswith("text/html")
    assert not Job.objects.filter(kind="roster_export").exists()

    started = city.post("/jobs/start/", {"kind": "roster_export", "version": version.pk, "format": "xlsx"})
    job = Job.objects.get(kind="roster_export")
    assert started["Location"] == f"/jobs/{job.pk}/"
    _work()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    download = city.get(f"/jobs/{job.pk}/result")
    assert job.result_name == f"roster-{version.roster_id}-v1.xlsx"
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == exports.firms_header()
    assert [row[0] for row in rows[1:]] == list(range(1, 31))
    assert rows[5][2] == "佛山市测试企业5有限公司"

    # Another city may not ask for it, nor open the requester's job.
    other = _client(web_users["other_city_officer"])
    asked = other.post("/jobs/start/", {"kind": "roster_export", "version": version.pk, "format": "csv"})
    assert asked.status_code == 404
    assert other.get(f"/jobs/{job.pk}/result").status_code == 404
    assert city.post("/jobs/start/", {"kind": "roster_export", "version": version.pk}).status_code == 400


def test_row_errors_fail_the_job_with_their_report_and_store_nothing(
    web_users: dict[str, User], web_application: Application
) -> None:
    officer = web_users["county_officer"]
    client = _client(officer)
    data = roster_csv(_small_firms(40), bad_cells={(3, "employees"): "三百人"})
    response = _upload(client, web_application, data)
    _work()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.error == "名册中有 1 处错误，未保存任何数据"
    assert not RosterVersion.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert re.search(r"<td>5</td><td>从业人员（人）</td><td>三百人</td>", page)
    assert (
        "“导入企业名册（名册.csv）”未完成：名册中有 1 处错误"
        in Notification.objects.get(recipient=officer).text
    )
    assert not Path(job_services.input_path(job)).exists()
