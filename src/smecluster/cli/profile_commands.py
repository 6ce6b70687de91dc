"""``smecluster profile export|import``: move an application's cluster profile between the database and a
file — the JSON interchange format (design/cluster-profile.md) or the XLSX workbook of the offline form.

Export writes what the application holds today (a draft may be incomplete: absent figures are left out,
never zero). Import validates the whole file first (exit 2 naming the field, or the sheet and cell of a
workbook), then writes it through the applications service: only into a draft (or returned) application
that the named account may edit, in one transaction, with one audit event. The database and key come from
the environment, as for ``smecluster manage``; ``--demo`` acts on the demo database.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from smecluster.cli.web_commands import _data_dir, _setup_django, _use_demo_database
from smecluster.documents.profile_workbook import read_profile_workbook, write_profile_workbook
from smecluster.errors import Problem, UnusableInput
from smecluster.profile import ClusterProfile, load_profile

if TYPE_CHECKING:  # the CLI imports models only once Django is set up
    from smecluster.apps.applications.models import Application

_NUMBER = "\u0000decimal:"


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{_NUMBER}{value}"
    raise TypeError(f"{type(value).__name__} is not JSON")


def profile_json(document: dict[str, Any]) -> str:
    """The document as JSON with every amount a JSON number of exactly its decimal digits (48.4, never
    48.399999 nor "48.4")."""
    text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_default)
    marker = json.dumps(_NUMBER)[1:-1]
    return re.sub(rf'"{re.escape(marker)}(-?[0-9.E+-]+)"', r"\1", text) + "\n"


def _application(reference: str) -> Application:
    """The application by its database id or its 申报编号, or UnusableInput naming ``--application``."""
    # Imported once Django is set up (the commands call this after _setup): models need the app registry.
    from smecluster.apps.applications.models import Application

    found = Application.objects.select_related("county__parent", "call__programme")
    try:
        if reference.isdigit():
            return found.get(pk=int(reference))
        return found.get(number=reference)
    except Application.DoesNotExist:
        raise UnusableInput.single("--application", "", f"no application {reference}") from None


def _setup(use_demo: bool) -> None:
    if use_demo:
        _use_demo_database(_data_dir())
    _setup_django()


@click.group("profile")
def profile() -> None:
    """Export an application's cluster profile to a file, or import one into a draft."""


@profile.command("export")
@click.option("--application", "reference", required=True, help="The application's id or 申报编号.")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of standard output."
)
@click.option(
    "--format", "form", type=click.Choice(["json", "xlsx"]), default=None,
    help="json (default) or xlsx; taken from --output's extension when not given.",
)  # fmt: skip
@click.option("--demo", "use_demo", is_flag=True, help="Act on the demo database (as `smecluster demo`).")
def export_command(reference: str, output: Path | None, form: str | None, use_demo: bool) -> None:
    """Write the application's profile as JSON (the interchange format) or as the XLSX form."""
    _setup(use_demo)
    # Imported after django.setup(): the app's models need the app registry ready.
    from smecluster.apps.applications.profiles import profile_document
    from smecluster.apps.applications.services import today_in_china

    application = _application(reference)
    document = profile_document(application, today_in_china())
    form = form or ("xlsx" if output is not None and output.suffix.lower() == ".xlsx" else "json")
    if form == "xlsx":
        if output is None:
            raise UnusableInput.single("--output", "", "an XLSX workbook needs --output FILE")
        output.write_bytes(write_profile_workbook(document))
    elif output is None:
        click.echo(profile_json(document), nl=False)
        return
    else:
        output.write_text(profile_json(document), encoding="utf-8")
    click.echo(f"exported {application.number} to {output} ({form})", err=True)


def read_profile_file(path: Path) -> ClusterProfile:
    """A profile from a JSON or XLSX file, recognised by content (an XLSX is a zip: ``PK``)."""
    try:
        head = path.open("rb").read(4)
    except FileNotFoundError:
        raise UnusableInput.single(str(path), "", "no such file") from None
    except OSError as error:
        raise UnusableInput.single(str(path), "", f"cannot be read: {error.strerror}") from None
    if head == b"PK\x03\x04":
        return read_profile_workbook(path.read_bytes(), source=str(path))
    return load_profile(path)


@profile.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--application", "reference", required=True, help="The draft's id or 申报编号.")
@click.option(
    "--as", "username", required=True,
    help="The account on whose behalf the import is made (the county officer or operator); audited.",
)  # fmt: skip
@click.option("--demo", "use_demo", is_flag=True, help="Act on the demo database (as `smecluster demo`).")
def import_command(file: Path, reference: str, username: str, use_demo: bool) -> None:
    """Replace a draft's basics, yearly figures, quality firms and incidents with FILE (JSON or XLSX)."""
    loaded = read_profile_file(file)
    _setup(use_demo)
    # Imported after django.setup(): the app's models need the app registry ready.
    from django.core.exceptions import PermissionDenied, ValidationError

    from smecluster.apps.accounts.models import User
    from smecluster.apps.applications.services import application_import_profile

    application = _application(reference)
    try:
        actor = User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise UnusableInput.single("--as", "", f"no active account {username}") from None
    try:
        application_import_profile(actor=actor, application=application, profile=loaded, source=file.name)
    except PermissionDenied as refused:
        raise UnusableInput.single(str(file), "", f"refused: {refused}") from None
    except ValidationError as invalid:
        problems = [
            Problem(field, str(message))
            for field, messages in invalid.message_dict.items()
            for message in messages
        ]
        raise UnusableInput(str(file), problems) from None
    click.echo(f"imported {file} into {application.number}")
