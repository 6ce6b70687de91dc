"""``smecluster report``: the yearly evaluation report of a programme's clusters in a scope as PDF, DOCX or
XLSX.

The same report as the monitoring page's downloads: the figures of the programme's clusters in the scope
(the national programme's for 全国, the province's own for a province, unless ``--programme`` says; annual
information forms received by the province, else the recognition application's figures for that year),
with the analyst's saved texts where there are any and the drafts written from the figures elsewhere. The
database comes from the environment as for ``smecluster manage`` (DATABASE_URL, SMECLUSTER_SECRET_KEY);
``--demo`` reads the demo database.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from smecluster.cli.web_commands import _data_dir, _setup_django, _use_demo_database
from smecluster.errors import UnusableInput

if TYPE_CHECKING:  # the CLI imports models only once Django is set up
    from smecluster.apps.accounts.models import Jurisdiction
    from smecluster.apps.programmes.models import Programme

NATIONAL_SCOPE = "100000"
SCOPE_LEVELS = ("national", "province", "city")
SOURCE = "smecluster report"


def _scope(code: str) -> Jurisdiction:
    # Imported once Django is set up (``report`` calls this after setup): models need the app registry.
    from smecluster.apps.accounts.models import Jurisdiction

    try:
        scope = Jurisdiction.objects.select_related("parent").get(code=code)
    except Jurisdiction.DoesNotExist:
        raise UnusableInput.single(
            SOURCE, "--scope", f"{code} is not a division code (GB/T 2260) known to the platform"
        ) from None
    if scope.level not in SCOPE_LEVELS:
        raise UnusableInput.single(
            SOURCE,
            "--scope",
            f"{code} ({scope.name}) is a {scope.level}-level division; a report covers "
            f"{NATIONAL_SCOPE} (全国), a province or a city",
        )
    return scope


def _programme(asked: int | None, scope: Jurisdiction) -> Programme:
    # Imported once Django is set up, as in _scope.
    from smecluster.apps.monitoring.selectors import default_programme
    from smecluster.apps.programmes.models import Programme

    every = list(Programme.objects.select_related("owner").order_by("pk"))
    if asked is None:
        found = default_programme(scope, every)
        if found is None:
            whose = "national" if scope.code == NATIONAL_SCOPE else f"{scope.name}'s provincial"
            known = "; ".join(f"{programme.pk} {programme.name}" for programme in every) or "none"
            raise UnusableInput.single(
                SOURCE, "--programme", f"there is no {whose} programme; name one of: {known}"
            )
        return found
    for programme in every:
        if programme.pk == asked:
            return programme
    known = "; ".join(f"{programme.pk} {programme.name}" for programme in every) or "none"
    raise UnusableInput.single(SOURCE, "--programme", f"no programme {asked}; the programmes are: {known}")


def _write_atomically(path: Path, content: bytes) -> None:
    """Write beside the target and rename, so a failed run never leaves half a file under the name."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@click.command("report")
@click.option("--year", type=click.IntRange(1949, 2100), required=True, help="The year evaluated (YYYY).")
@click.option(
    "--scope",
    default=NATIONAL_SCOPE,
    show_default=True,
    help="GB/T 2260 code of the scope: 100000 for 全国, a province (440000) or a city (440600).",
)
@click.option(
    "--programme",
    type=int,
    default=None,
    help="The programme whose clusters the report covers, by its number (id). Default: the scope's own "
    "(the national programme for 100000, the province's programme for a province or one of its cities).",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["pdf", "docx", "xlsx"]),
    required=True,
    help="pdf and docx: the report with charts; xlsx: the underlying data.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The file to write (replaced if it exists).",
)
@click.option("--demo", "use_demo", is_flag=True, help="Read the demo database (as `smecluster demo`).")
def report(
    year: int, scope: str, programme: int | None, file_format: str, output: Path, use_demo: bool
) -> None:
    """Write the yearly evaluation report (集群发展评估报告) of a programme's clusters in a scope."""
    if not output.parent.is_dir():
        raise UnusableInput.single(SOURCE, "--output", f"the directory {output.parent} does not exist")
    if use_demo:
        _use_demo_database(_data_dir())
    _setup_django()
    # Imported after django.setup(): the app's models need the app registry ready.
    from smecluster.apps.monitoring import reports

    where = _scope(scope)
    covered = _programme(programme, where)
    try:
        evaluation = reports.scope_report(covered, where, year)
    except UnusableInput as error:
        raise UnusableInput(
            SOURCE, [type(problem)("--year", problem.message) for problem in error.problems]
        ) from None
    kind = reports.FORMATS[file_format]
    _write_atomically(output, kind.render(evaluation))
    sources = ", ".join(
        f"{count} from {source.name.lower().replace('_', ' ')}"
        for source, count in sorted(evaluation.current.sources.items())
    )
    clusters = len(evaluation.current.facts)
    total = evaluation.coverage.total if evaluation.coverage is not None else clusters
    unreadable = len(evaluation.coverage.unreadable) if evaluation.coverage is not None else 0
    click.echo(
        f"wrote {output} ({file_format}): {evaluation.title}, {clusters} of {total} cluster(s) with figures"
        + (f" ({sources})" if sources else "")
        + (f"; {unreadable} unreadable record(s) named in the annex" if unreadable else "")
    )
