"""``smecluster workflow-doc``: write ``docs/workflow.md`` from the declared state machines.

With ``--check`` nothing is written: the command exits 1 when the file differs from what the machines
give (CI runs it, and tests/web/test_workflow_doc.py does the same). Labels are rendered in zh-Hans.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from smecluster.cli.web_commands import _setup_django

STALE = 1
DEFAULT_OUTPUT = Path("docs") / "workflow.md"


def render_workflow_document() -> str:
    """The document the machines give now (Django must be set up)."""
    from django.utils import translation

    from smecluster.apps.workflow.diagram import workflow_document
    from smecluster.apps.workflow.machines import MACHINES

    with translation.override("zh-hans"):
        return workflow_document(MACHINES)


@click.command("workflow-doc")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_OUTPUT,
    show_default=True,
    help="The file to write (or to check), relative to the checkout.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the file is stale.")
def workflow_doc(output: Path, check: bool) -> None:
    """Write the state machines' diagrams and tables to docs/workflow.md."""
    if not os.environ.get("SMECLUSTER_SECRET_KEY"):
        # Rendering reads the machines' models, no database, and signs nothing: the development key will do.
        os.environ.setdefault("SMECLUSTER_DEBUG", "1")
    _setup_django()
    document = render_workflow_document()
    current = output.read_text(encoding="utf-8") if output.is_file() else None
    if check:
        if current != document:
            click.echo(f"{output} is stale; run `smecluster workflow-doc`", err=True)
            sys.exit(STALE)
        click.echo(f"{output} is up to date")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document, encoding="utf-8")
    click.echo(f"wrote {output}")
