"""How long each official document takes, end to end through its page: the certificate, the recognition
notice, the public notice (公示) PDF, the application PDF and the evaluation report PDF.

Run against an empty PostgreSQL database (it is migrated and filled with the demo, ~2–4 min):

    createdb -h 127.0.0.1 -p 5544 -U postgres docs_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5544/docs_bench PYTHONPATH=src \\
        .venv/bin/python benchmarks/documents.py [--runs 5]

Each document is fetched through Django's test client as the person who prints it (the province admin,
the ministry's admin, an anonymous visitor for the public notice), so the figure is what a click costs on
the server: the queries, the template and WeasyPrint with the embedded Noto Sans CJK SC. The first request
of each (fonts loaded, templates compiled) is reported apart; then best and median of ``--runs`` wall clock,
and the best CPU time of this process (the figure to compare on a shared machine: PostgreSQL's own time,
small here, is not in it).

The four official documents are issued documents (ADR 0024): the job worker renders each once, when it is
issued, and the page serves the stored file. The test settings used here render a document not yet stored
in the first request instead (as the worker would, and stored alike), so for them "first request" is the
rendering — the worker's cost — and best and median are downloads of the stored file, what a click costs
now. Stored documents of an earlier run are deleted first, so the first request always renders. The
machine should be idle: the figures in benchmarks/README.md say the load average they were taken at.
The demo's rows stay in the database (a second run reuses them); drop the database yourself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass


def _django() -> None:
    if "DATABASE_URL" not in os.environ:
        sys.exit("DATABASE_URL is not set: point it at an empty PostgreSQL database (see the docstring)")
    os.environ.setdefault("SMECLUSTER_DATA_DIR", tempfile.mkdtemp(prefix="smecluster-bench-"))
    # The test settings: a throwaway key, no second factor for the signed-in admins, mail kept in memory.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smecluster.site.settings_test")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host is allowed


@dataclass(frozen=True)
class Timing:
    document: str
    first: float
    runs: list[float]
    cpu: list[float]
    size: int

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def _seconds(elapsed: float) -> str:
    """Milliseconds below a tenth of a second (a stored document's download), else seconds."""
    return f"{elapsed * 1000:.1f} ms" if elapsed < 0.1 else f"{elapsed:.2f} s"


def _time(document: str, fetch: Callable[[], bytes], runs: int) -> Timing:
    started = time.perf_counter()
    content = fetch()
    first = time.perf_counter() - started
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        fetch()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return Timing(document, first, times, cpu, len(content))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    _django()

    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from smecluster.apps.accounts.models import Role, User
    from smecluster.apps.applications.models import Application
    from smecluster.apps.issued_documents.models import IssuedDocument
    from smecluster.apps.notices.models import Notice
    from smecluster.apps.registry.models import RecognitionNotice, RecognizedCluster
    from smecluster.site import demo

    call_command("migrate", verbosity=0)
    if not RecognizedCluster.objects.exists():
        started = time.perf_counter()
        demo.build_demo()
        print(f"demo built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    # Each issued document's first request renders it again (the worker's cost), the others read it.
    IssuedDocument.objects.all().delete()

    province = User.objects.get(role=Role.PROVINCE_ADMIN, jurisdiction="440000", username="province-admin")
    ministry = User.objects.filter(role=Role.MINISTRY_ADMIN).first()
    signed_in = Client()
    signed_in.force_login(province)
    minister = Client()
    if ministry is not None:
        minister.force_login(ministry)

    def fetch(client: Client, url: str) -> Callable[[], bytes]:
        def run() -> bytes:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
            return bytes(response.content)

        return run

    gd_issued = RecognitionNotice.objects.filter(call__programme__owner="440000").order_by("-call__year")
    gd_call = gd_issued.first()
    assert gd_call is not None, "the demo issued no Guangdong recognition notice"
    cluster = RecognizedCluster.objects.filter(programme__owner="440000").order_by("number").first()
    assert cluster is not None
    notice = Notice.objects.filter(shortlist__call=gd_call.call).first() or Notice.objects.first()
    assert notice is not None
    application = (
        Application.objects.filter(call__programme__owner="440000")
        .exclude(status="draft")
        .order_by("pk")
        .first()
    )
    assert application is not None
    documents: list[tuple[str, Callable[[], bytes]]] = [
        ("certificate", fetch(signed_in, reverse("registry:certificate", args=[cluster.pk]))),
        (
            f"recognition notice ({RecognizedCluster.objects.filter(application__call=gd_call.call).count()} "
            "clusters)",
            fetch(signed_in, reverse("registry:notice_pdf", args=[gd_call.call_id])),
        ),
        (
            f"public notice PDF ({len(notice.shortlist.content.get('entries', []))} on the shortlist)",
            fetch(Client(), reverse("notices:public_pdf", args=[notice.pk])),
        ),
        ("application PDF", fetch(signed_in, reverse("applications:pdf", args=[application.pk]))),
    ]
    national = RecognitionNotice.objects.filter(call__programme__owner__isnull=True).first()
    if national is not None and ministry is not None:
        documents.append(
            (
                "recognition notice, national",
                fetch(minister, reverse("registry:notice_pdf", args=[national.call_id])),
            )
        )
    # The evaluation report of the province for the latest year with figures.
    for year in range(time.localtime().tm_year, time.localtime().tm_year - 5, -1):
        if signed_in.get(f"/monitoring/report.pdf?scope=440000&year={year}").status_code == 200:
            documents.append(
                (
                    f"evaluation report PDF (广东, {year})",
                    fetch(signed_in, f"/monitoring/report.pdf?scope=440000&year={year}"),
                )
            )
            break

    load = os.getloadavg()[0]
    print(f"load average (1 min) at start: {load:.2f}; runs: {arguments.runs}")
    print("| document | first request | best | median | CPU (best) | size |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, run in documents:
        timing = _time(name, run, arguments.runs)
        print(
            f"| {timing.document} | {_seconds(timing.first)} | **{_seconds(timing.best)}** "
            f"| {_seconds(timing.median)} | {_seconds(min(timing.cpu))} | {timing.size / 1024:.0f} KB |"
        )
    print(f"load average (1 min) at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
