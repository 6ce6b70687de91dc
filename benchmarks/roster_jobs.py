"""The 100,000-firm roster as jobs: what the officer's request takes now, and what the worker takes.

Run against an empty PostgreSQL database (a throwaway one, or a database of its own on a running server):

    PATH="$PWD/.venv/bin:$PATH" scripts/with-postgres .venv/bin/python benchmarks/roster_jobs.py

Options: ``--firms N`` (default 100,000), ``--runs R`` (default 3). Through Django's test client, in one
process (no network): the county officer posts ``benchmarks/roster_import.py``'s seeded roster (XLSX, then
CSV) to the application's roster page, which holds it to its bounds, keeps it and enqueues the import; the
job is then run as the worker runs it (``jobs.services.job_run``). Then the version's download: asked for
on its page (``jobs:start``), made by the worker (``roster_export``); and, for the threshold in
``rosters/exports.py``, the same download made inside the request for 5,000 firms and for all of them. The
times of a request include the test client's own work (building the multipart body, reading the answer).
Figures go in benchmarks/README.md ("Roster imports and exports as jobs").
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from roster_import_db import _application, _django, _generator  # noqa: E402


def _timed(step: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = step()
    return time.perf_counter() - start, result


def _line(label: str, times: list[float]) -> None:
    print(f"{label}: best {min(times):.3f} s, median {statistics.median(times):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()

    generator = _generator()
    rows = generator.synthetic_roster(arguments.firms)
    files = {"xlsx": generator.as_xlsx(rows), "csv": generator.as_csv(rows)}
    os.environ.setdefault("SMECLUSTER_ALLOWED_HOSTS", "testserver")
    _django()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from smecluster.apps.jobs.models import Job
    from smecluster.apps.jobs.services import job_run
    from smecluster.apps.rosters import exports, views
    from smecluster.apps.rosters.models import RosterVersion

    officer, application = _application()
    client = Client()
    client.force_login(officer)
    page = reverse("rosters:application", args=[application.pk])
    client.get(page)  # the first request's one-off loading is not timed
    sizes = {kind: f"{len(data) / 2**20:.1f} MB" for kind, data in files.items()}
    print(f"{arguments.firms:,} firms; XLSX {sizes['xlsx']}, CSV {sizes['csv']}")
    for kind, data in files.items():
        requests, runs = [], []
        for _ in range(arguments.runs):
            upload = SimpleUploadedFile(f"roster.{kind}", data)
            took, response = _timed(lambda upload=upload: client.post(page, {"file": upload}))
            assert response.status_code == 302, response.status_code
            assert "/jobs/" in response["Location"]
            requests.append(took)
            job = Job.objects.order_by("-pk").first()
            assert job is not None
            took, _ignored = _timed(lambda job=job: job_run(job.pk))
            job.refresh_from_db()
            assert job.status == Job.Status.DONE, job.error
            runs.append(took)
        _line(f"import {kind}, the upload request", requests)
        _line(f"import {kind}, the job in the worker", runs)

    version = RosterVersion.objects.order_by("-pk").first()
    assert version is not None
    assert version.row_count == arguments.firms
    for fmt in ("xlsx", "csv"):
        requests, runs = [], []
        for _ in range(arguments.runs):
            took, response = _timed(
                lambda fmt=fmt: client.post(
                    reverse("jobs:start"), {"kind": "roster_export", "version": version.pk, "format": fmt}
                )
            )
            assert response.status_code == 302, response.status_code
            requests.append(took)
            job = Job.objects.order_by("-pk").first()
            assert job is not None
            took, _ignored = _timed(lambda job=job: job_run(job.pk))
            job.refresh_from_db()
            assert job.status == Job.Status.DONE, job.error
            runs.append(took)
        _line(f"export {fmt}, the request asking for it", requests)
        _line(f"export {fmt}, the job in the worker", runs)

    # The same download made inside the request, as below the threshold: for a version of the threshold's
    # size, and (the threshold lifted, as before the jobs) for all the firms.
    from smecluster.apps.rosters.services import application_roster_import

    small_rows = generator.synthetic_roster(exports.EXPORT_IN_REQUEST_FIRMS)
    small = application_roster_import(
        actor=officer, application=application, data=generator.as_csv(small_rows), filename="small.csv"
    ).version
    assert small is not None
    views.EXPORT_IN_REQUEST_FIRMS = 10**9
    for each in (small, version):
        url = reverse("rosters:version", args=[each.pk])
        times = []
        for _ in range(arguments.runs):
            took, response = _timed(lambda url=url: client.get(url, {"format": "xlsx"}))
            assert response["Content-Type"].startswith("application/vnd"), response["Content-Type"]
            times.append(took)
        _line(f"export xlsx inside the request, {each.row_count:,} firms", times)


if __name__ == "__main__":
    main()
