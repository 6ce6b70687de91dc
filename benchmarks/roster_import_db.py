"""The 100,000-firm roster import end to end, into PostgreSQL: read, check, sum, store, commit.

Run (a throwaway PostgreSQL on loopback):

    PATH="$PWD/.venv/bin:$PATH" scripts/with-postgres .venv/bin/python benchmarks/roster_import_db.py

Options: ``--firms N`` (default 100,000), ``--runs R`` (default 3). It migrates the empty database, makes
one application of 佛山市顺德区 with its county officer, then times ``rosters.services.
application_roster_import`` (what the page calls: ``read_roster``, ``compute_indicators``, the version row,
the firms, the audit event, the commit) on the XLSX and the CSV of ``benchmarks/roster_import.py``'s seeded
roster. Each run adds a version, so the table grows as it would in use. It then times the store alone both
ways it can be written — COPY (what the service does) and ``bulk_create`` in batches of 5,000 — for the
choice recorded in docs/decisions/0009-rosters-and-excel.md. Figures go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _generator() -> Any:
    # The seeded roster of the read benchmark, so both measure the same file.
    spec = importlib.util.spec_from_file_location("roster_import_benchmark", HERE / "roster_import.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _django() -> None:
    if "DATABASE_URL" not in os.environ:
        sys.exit("DATABASE_URL is not set: run under scripts/with-postgres (see the docstring)")
    os.environ.setdefault("SMECLUSTER_DEBUG", "1")
    os.environ.setdefault("SMECLUSTER_DATA_DIR", tempfile.mkdtemp(prefix="smecluster-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smecluster.site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _application() -> tuple[Any, Any]:
    from django.utils import timezone

    from smecluster.apps.accounts.divisions import ensure_divisions
    from smecluster.apps.accounts.models import Role, User
    from smecluster.apps.applications.services import application_create
    from smecluster.apps.programmes.models import Programme, YearlyCall

    ensure_divisions()
    officer = User.objects.create(username="bench-county", role=Role.COUNTY_OFFICER, jurisdiction_id="440606")
    programme = Programme.objects.create(
        name="基准测试项目", owner_id="440000", owner_level="province", rule_set_id="guangdong-2022",
        review_chain=["county", "city", "province"],
    )  # fmt: skip
    today = timezone.localdate()
    call = YearlyCall.objects.create(
        programme=programme, year=today.year, opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30), city_deadline=today + timedelta(days=40),
    )  # fmt: skip
    application = application_create(
        actor=officer, call=call, name="基准测试产业集群", leading_industry="家电"
    )
    return officer, application


def _timed(step: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = step()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()

    generator = _generator()
    rows = generator.synthetic_roster(arguments.firms)
    files = {"xlsx": generator.as_xlsx(rows), "csv": generator.as_csv(rows)}
    _django()
    from django.db import transaction

    from smecluster.analytics.roster.reading import read_roster
    from smecluster.apps.rosters.models import RosterEnterprise, RosterVersion
    from smecluster.apps.rosters.services import application_roster_import, copy_enterprises

    officer, application = _application()
    sizes = {kind: f"{len(data) / 2**20:.1f} MB" for kind, data in files.items()}
    print(f"{arguments.firms:,} firms; XLSX {sizes['xlsx']}, CSV {sizes['csv']}")
    for kind, data in files.items():
        times = []
        for _ in range(arguments.runs):
            took, outcome = _timed(
                lambda data=data, kind=kind: application_roster_import(
                    actor=officer, application=application, data=data, filename=f"roster.{kind}"
                )
            )
            assert outcome.version is not None, outcome.errors[:5]
            assert outcome.version.row_count == arguments.firms
            times.append(took)
        print(
            f"end to end, {kind}: best {min(times):.2f} s, median {statistics.median(times):.2f} s "
            f"(limit 10 s)"
        )

    checked = read_roster(files["csv"], "roster.csv").rows
    version = RosterVersion.objects.order_by("-pk").first()
    copies, bulks = [], []
    for _ in range(arguments.runs):
        with transaction.atomic():
            took, _ignored = _timed(lambda: copy_enterprises(version, checked))
            copies.append(took)
            transaction.set_rollback(True)
        with transaction.atomic():

            def bulk() -> None:
                RosterEnterprise.objects.bulk_create(
                    (
                        RosterEnterprise(
                            version=version,
                            line=line,
                            credit_code=row.credit_code,
                            name=row.name,
                            county_code=row.county_code,
                            industry_code=row.industry_code,
                            employees=row.employees,
                            revenue=row.revenue,
                            assets=row.assets,
                            output=row.output,
                            rnd=row.rnd,
                            invention_patents=row.invention_patents,
                            titles=",".join(title.value for title in sorted(row.titles)),
                            leading=row.leading,
                        )
                        for line, row in enumerate(checked, start=1)
                    ),
                    batch_size=5000,
                )

            took, _ignored = _timed(bulk)
            bulks.append(took)
            transaction.set_rollback(True)
    print(f"store only, COPY: best {min(copies):.2f} s, median {statistics.median(copies):.2f} s")
    print(
        f"store only, bulk_create (5,000 a batch): best {min(bulks):.2f} s, "
        f"median {statistics.median(bulks):.2f} s"
    )


if __name__ == "__main__":
    main()
