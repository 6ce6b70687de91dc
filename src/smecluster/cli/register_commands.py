"""``smecluster register import FILE --programme ID [--dry-run]``: a past recognition list into the register.

The same import as the programme's page (``registry.services.register_import``): every row checked, all or
nothing, audited, harmless to run twice. Prints the row report; exit status 0 when the file was imported
(or, with ``--dry-run``, would be), 2 when a row or the file is at fault (nothing stored) or the platform
cannot be used. The import is recorded as the work of ``--actor`` (a username), which must be the
programme owner's office; without it, the office's one active account, if it has exactly one. The database
and directories come from the environment, as for ``smecluster manage``; ``--demo`` uses the demo's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from smecluster.cli.web_commands import USAGE_ERROR, _data_dir, _fail, _setup_django, _use_demo_database


@click.group("register")
def register() -> None:
    """The register of past recognitions."""


@register.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--programme", "programme_id", type=int, required=True, help="The programme's id.")
@click.option("--dry-run", is_flag=True, help="Check and report; store nothing.")
@click.option("--actor", "username", default="", help="The account the import is recorded as.")
@click.option("--demo", "use_demo", is_flag=True, help="Import into the demo database.")
def import_command(file: Path, programme_id: int, dry_run: bool, username: str, use_demo: bool) -> None:
    """Import FILE (XLSX or CSV) into the register of a programme."""
    if use_demo:
        _use_demo_database(_data_dir())
    _setup_django()
    # Imported after django.setup(): the import reads the apps' models.
    from django.core.exceptions import PermissionDenied

    from smecluster.apps.accounts.models import User
    from smecluster.apps.programmes.models import Programme
    from smecluster.apps.registry.services.register_import import office_accounts, register_import
    from smecluster.errors import UnusableInput

    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None:
        _fail(f"there is no programme {programme_id}")
        return
    if username:
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            _fail(f"there is no active account {username!r}")
            return
    else:
        accounts = office_accounts(programme)
        if len(accounts) != 1:
            _fail(f"name the account to record the import as with --actor ({len(accounts)} in the office)")
            return
        actor = accounts[0]
    try:
        report = register_import(
            actor=actor, programme=programme, data=file.read_bytes(), filename=file.name, dry_run=dry_run
        )
    except PermissionDenied as denied:
        _fail(str(denied) or f"{actor.username} may not import into {programme.name}")
        return
    except UnusableInput as unusable:
        click.echo(str(unusable), err=True)
        sys.exit(USAGE_ERROR)
    click.echo(report.as_text())
    if not report.ok:
        sys.exit(USAGE_ERROR)
    if report.register_import is not None:
        click.echo(f"imported as register import {report.register_import.pk}")
    elif dry_run:
        click.echo("dry run: nothing stored")
    else:
        click.echo("every row is already in the register: nothing stored")
