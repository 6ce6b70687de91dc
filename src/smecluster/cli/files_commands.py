"""``smecluster files verify``: the stored evidence, dataset and issued-document files against their rows.

Lists each file a row names that is missing or whose SHA-256 differs, and each file under the evidence
directory that no row names (orphans, including leftovers of interrupted uploads in ``.incoming/``). Exit
status 0 when clean, 1 when there are problems, 2 when the platform cannot be read (settings, database).
The database and directories come from the environment, as for ``smecluster manage``; ``--demo`` checks
the demo's.
"""

from __future__ import annotations

import json
import sys

import click

from smecluster.cli.web_commands import _data_dir, _fail, _setup_django, _use_demo_database

PROBLEMS_FOUND = 1


@click.group("files")
def files() -> None:
    """Check the stored evidence and dataset files."""


@files.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--demo", "use_demo", is_flag=True, help="Check the demo database and its files.")
def verify(as_json: bool, use_demo: bool) -> None:
    """List missing files, hash mismatches and orphans; exit 1 when there is any."""
    if use_demo:
        _use_demo_database(_data_dir())
    _setup_django()
    # Imported after django.setup(): the check reads the apps' models.
    from django.db import DatabaseError

    from smecluster.apps.evidence.verification import verify_files

    try:
        result = verify_files()
    except DatabaseError as error:
        _fail(f"the database cannot be read: {error}".strip())
        return
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        for problem in result.problems:
            click.echo(f"{problem.kind}\t{problem.path}\t{problem.owner or '-'}")
        click.echo(
            f"{result.files_checked} file(s) checked, {len(result.problems)} problem(s)"
            if result.problems
            else f"{result.files_checked} file(s) checked, all present and intact, no orphans"
        )
    if not result.clean:
        sys.exit(PROBLEMS_FOUND)
