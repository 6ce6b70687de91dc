"""Importing a roster: the only write of this app. One transaction, one audit event, all or nothing.

A file is read and every row checked first (``analytics.roster.reading.read_roster``); a file-level problem
raises :class:`UnusableInput`, and any row error returns the errors with nothing stored. A clean file
becomes the roster's next version: its firms are written with PostgreSQL's COPY (measured in
``benchmarks/roster_import_db.py``: ``bulk_create`` takes some thirty times longer for 100,000 rows), and the
figures computed from them are kept with the version.

From a page, an import is a job (``apps/rosters/jobs.py``): :func:`roster_upload_start` holds the file to
its bounds in the request (size, an empty file, a workbook's declared sizes: nothing is parsed there) and
enqueues it; the worker reads, checks and writes it with the import services below, reporting progress.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.analytics.roster.indicators import RosterIndicators, as_profile_figures, compute_indicators
from smecluster.analytics.roster.reading import MAX_BYTES, EnterpriseRow, RowError, Title, read_roster
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.rosters.models import Roster, RosterEnterprise, RosterVersion
from smecluster.apps.rosters.permissions import can_import_application_roster, can_import_cluster_roster
from smecluster.documents.workbook_limits import check_workbook
from smecluster.site.upload_limits import workbook_limits
from smecluster.site.wording import listing

if TYPE_CHECKING:
    from smecluster.apps.jobs.kinds import Report
    from smecluster.apps.jobs.models import Job

SHARE_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class ImportOutcome:
    """A stored version, or the row errors of a file that was not stored (``version`` is None)."""

    version: RosterVersion | None
    errors: tuple[RowError, ...] = ()


def application_roster_year(application: Application) -> int:
    """The year an application's roster describes: the last complete year before the call's year, which
    is the latest year of the figures the application declares."""
    return application.call.year - 1


def cluster_roster_years(cluster: RecognizedCluster) -> list[int]:
    """The complete years a recognized cluster may file a roster for: from the three years its recognition
    looked at, to last year (Beijing time), newest first."""
    last = max(timezone.localdate().year - 1, cluster.year - 1)
    return list(range(last, cluster.year - 4, -1))


def _share(value: Fraction | None) -> str | None:
    if value is None:
        return None
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(SHARE_PLACES))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def indicators_document(indicators: RosterIndicators) -> dict[str, Any]:
    """The computed figures as kept with a version: amounts in 万元 as exact decimal text, shares in per
    cent to six places, and the profile's figures (亿元) ready to set beside the declared ones."""
    return {
        "standard": indicators.standard,
        "firms": indicators.firms,
        "sme_firms": indicators.sme_firms,
        "sizes": dict(indicators.sizes),
        "unclassified": len(indicators.unclassified),
        "output": str(indicators.output),
        "sme_output": str(indicators.sme_output),
        "leading_output": str(indicators.leading_output),
        "rnd": str(indicators.rnd),
        "sme_rnd": str(indicators.sme_rnd),
        "sme_output_share": _share(indicators.sme_output_share),
        "leading_share": _share(indicators.leading_share),
        "patents_per_10k_employees": _share(indicators.patents_per_10k_employees),
        "quality": {str(title): count for title, count in indicators.quality.items()},
        "quality_leading": {str(title): count for title, count in indicators.quality_leading.items()},
        "quality_any": indicators.quality_any,
        "champion_or_little_giant_leading": indicators.champion_or_little_giant_leading,
        "invention_patents": indicators.invention_patents,
        "employees": indicators.employees,
        "profile": _plain(as_profile_figures(indicators)),
    }


_COPY_COLUMNS = (
    "version_id", "line", "credit_code", "name", "county_code", "industry_code", "employees", "revenue",
    "assets", "output", "rnd", "invention_patents", "titles", "leading",
)  # fmt: skip


def _titles(row: EnterpriseRow) -> str:
    return ",".join(title.value for title in Title if title in row.titles)


def _no_report(percent: int, stage: str) -> None:
    """Progress nobody watches (the demo, the command line, the tests that call a service)."""


def copy_enterprises(version: RosterVersion, rows: tuple[EnterpriseRow, ...]) -> None:
    """Write the firms: PostgreSQL's COPY, one round trip streaming every row, no per-row INSERT (the
    demo's SQLite has no COPY and takes them in batches instead)."""
    if connection.vendor != "postgresql":
        RosterEnterprise.objects.bulk_create(
            (
                RosterEnterprise(
                    version=version, line=line, credit_code=row.credit_code, name=row.name,
                    county_code=row.county_code, industry_code=row.industry_code, employees=row.employees,
                    revenue=row.revenue, assets=row.assets, output=row.output, rnd=row.rnd,
                    invention_patents=row.invention_patents, titles=_titles(row), leading=row.leading,
                )
                for line, row in enumerate(rows, start=1)
            ),
            batch_size=2000,
        )  # fmt: skip
        return
    quote = connection.ops.quote_name  # "leading" is an SQL keyword
    columns = ", ".join(quote(column) for column in _COPY_COLUMNS)
    statement = f"COPY {quote(RosterEnterprise._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for line, row in enumerate(rows, start=1):
            copy.write_row(
                (
                    version.pk, line, row.credit_code, row.name, row.county_code, row.industry_code,
                    row.employees, row.revenue, row.assets, row.output, row.rnd, row.invention_patents,
                    _titles(row), row.leading,
                )
            )  # fmt: skip


@dataclass(frozen=True)
class _Checked:
    """A file read and checked, with its figures: done before any lock is taken (it is the slow part)."""

    data: bytes
    filename: str
    rows: tuple[EnterpriseRow, ...]
    indicators: RosterIndicators


def _check(data: bytes, filename: str, year: int, report: Report) -> _Checked | tuple[RowError, ...]:
    report(5, _("读取文件"))

    def progress(done: int, lines: int) -> None:
        report(
            5 + 70 * min(done, lines) // max(lines, 1),
            _("已读取并检查 %(rows)s 家企业") % {"rows": f"{done:,}"},
        )

    # UnusableInput for a file that is not a roster at all, or a workbook over a limit
    read = read_roster(data, filename, limits=workbook_limits(), progress=progress)
    if not read.ok:
        return read.errors
    report(75, _("已检查全部 %(rows)s 家企业，计算名册指标") % {"rows": f"{len(read.rows):,}"})
    indicators = compute_indicators(read.rows, on=date(year, 12, 31))
    report(85, _("写入 %(rows)s 家企业") % {"rows": f"{len(read.rows):,}"})
    return _Checked(data, filename, read.rows, indicators)


def _store(*, actor: User, roster: Roster, checked: _Checked, target: Any) -> RosterVersion:
    """Called inside the caller's transaction with ``roster`` locked."""
    latest = roster.versions.order_by("-number").first()
    sha256 = hashlib.sha256(checked.data).hexdigest()
    version = RosterVersion.objects.create(
        roster=roster,
        number=(latest.number if latest else 0) + 1,
        file_name=checked.filename[:255],
        sha256=sha256,
        row_count=len(checked.rows),
        indicators=indicators_document(checked.indicators),
        uploaded_by=actor,
    )
    copy_enterprises(version, checked.rows)
    audit_record(
        actor=actor,
        action=actions.ROSTER_IMPORT,
        target=target,
        before={"version": latest.number, "rows": latest.row_count} if latest else None,
        after={
            "roster": roster.pk, "year": roster.year, "version": version.number, "file": version.file_name,
            "sha256": sha256, "rows": version.row_count,
        },
    )  # fmt: skip
    return version


def application_roster_import(
    *, actor: User, application: Application, data: bytes, filename: str, report: Report = _no_report
) -> ImportOutcome:
    """Import the roster of an application (its county officer, while the application is editable)."""
    can_import_application_roster(actor, application).enforce()
    year = application_roster_year(application)
    checked = _check(data, filename, year, report)
    if not isinstance(checked, _Checked):
        return ImportOutcome(None, checked)
    with transaction.atomic():
        # Locked and checked again: a submission that raced the (slow) reading wins, and nothing is stored.
        locked = Application.objects.select_for_update().get(pk=application.pk)
        can_import_application_roster(actor, locked).enforce()
        roster, _created = Roster.objects.get_or_create(
            application=locked, defaults={"year": year, "county_id": locked.county_id}
        )
        roster = Roster.objects.select_for_update().get(pk=roster.pk)
        return ImportOutcome(_store(actor=actor, roster=roster, checked=checked, target=locked))


def check_cluster_roster_year(cluster: RecognizedCluster, year: int) -> None:
    if year not in cluster_roster_years(cluster):
        raise ValidationError(
            {
                "year": _("名册年度须为 %(years)s 之一")
                % {"years": listing(map(str, cluster_roster_years(cluster)))}
            }
        )


def cluster_roster_import(
    *,
    actor: User,
    cluster: RecognizedCluster,
    year: int,
    data: bytes,
    filename: str,
    report: Report = _no_report,
) -> ImportOutcome:
    """Import a recognized cluster's roster for one year (its county officer or operator)."""
    can_import_cluster_roster(actor, cluster).enforce()
    check_cluster_roster_year(cluster, year)
    checked = _check(data, filename, year, report)
    if not isinstance(checked, _Checked):
        return ImportOutcome(None, checked)
    with transaction.atomic():
        roster, _created = Roster.objects.get_or_create(
            cluster=cluster, year=year, defaults={"county_id": cluster.county_id}
        )
        # Two imports into one roster at once wait for each other, so version numbers never collide.
        roster = Roster.objects.select_for_update().get(pk=roster.pk)
        return ImportOutcome(_store(actor=actor, roster=roster, checked=checked, target=cluster))


def roster_upload_start(
    *,
    actor: User,
    data: bytes,
    filename: str,
    application: Application | None = None,
    cluster: RecognizedCluster | None = None,
    year: int | None = None,
) -> Job:
    """Start importing an uploaded roster (an application's, or a cluster's for ``year``) as a job.

    Refused at once, with nothing kept: a person without the right (403), a year the cluster may not file
    (``ValidationError``), a file over the size limit, empty, or a workbook declaring more than the limits
    allow (``UnusableInput``). Everything that needs the file parsed is the job's."""
    from smecluster.apps.jobs.services import job_start

    if len(data) > MAX_BYTES or not data.strip():
        read_roster(data, filename)  # raises UnusableInput with the reading's own words
    if data[:4] == b"PK\x03\x04":
        # What the workbook declares, not its rows counted (a second or more for 100,000 rows): the job
        # counts them before its parser sees the file.
        check_workbook(data, workbook_limits(), source=filename, count_rows=False)
    params: dict[str, Any] = {"file_name": filename[:255]}
    if application is not None:
        params["application"] = application.pk
    elif cluster is not None and year is not None:
        params.update(cluster=cluster.pk, year=year)
    return job_start(actor=actor, kind="roster_import", params=params, upload=data)
