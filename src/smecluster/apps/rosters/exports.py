"""A roster version's firms as rows of a download: the same columns whether the page answers it at once
(a small roster) or the job worker makes it (a large one, ``apps/rosters/jobs.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from smecluster.analytics.roster.reading import ROSTER_COLUMNS, TITLE_NAMES_ZH, Title
from smecluster.apps.rosters.models import RosterEnterprise, RosterVersion
from smecluster.apps.rosters.selectors import enterprises_of
from smecluster.site.wording import listing

# Above this many firms a download is made by the job worker (benchmarks/README.md, "Roster imports and
# exports as jobs"): on a busy machine an XLSX of 2,000 firms takes some 0.5 s in the request, of 5,000
# some 1.4 s, of 100,000 some 18-28 s.
EXPORT_IN_REQUEST_FIRMS = 2_000
REPORT_EVERY = 10_000


def firms_header() -> list[str]:
    return [_("行号"), *(column.header_zh for column in ROSTER_COLUMNS)]


def firms_file_stem(version: RosterVersion) -> str:
    return f"roster-{version.roster_id}-v{version.number}"


def _title_label(title: str) -> str:
    try:
        return TITLE_NAMES_ZH[Title(title)]
    except ValueError:
        return title


def enterprise_row(firm: RosterEnterprise) -> list[Any]:
    titles = listing(_title_label(title) for title in firm.title_keys)
    return [
        firm.line, firm.credit_code, firm.name, firm.county_code, firm.industry_code, firm.employees,
        firm.revenue, firm.assets, firm.output, firm.rnd, firm.invention_patents, titles,
        _("是") if firm.leading else _("否"),
    ]  # fmt: skip


def firms_rows(version: RosterVersion, progress: Any = None) -> Iterator[list[Any]]:
    """Every firm of the version in its file's order; ``progress(done)`` every :data:`REPORT_EVERY`."""
    for done, firm in enumerate(enterprises_of(version).iterator(chunk_size=5000), start=1):
        if progress is not None and done % REPORT_EVERY == 0:
            progress(done)
        yield enterprise_row(firm)
