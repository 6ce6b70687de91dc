"""``smecluster audit verify``: recomputes the audit log's hash chain (``audit.chain``).

Exit status 0 when every event still matches its hash and follows the one before it, 1 naming the first
event that does not (changed, an event before it deleted, events reordered) or when the head recorded
earlier (``--expect-head``, from ``smecluster tick``'s output) is gone (the log was truncated), 2 when the
platform cannot be read. The database comes from the environment, as for ``smecluster manage``; ``--demo``
checks the demo's.
"""

from __future__ import annotations

import json
import sys

import click

from smecluster.cli.web_commands import _data_dir, _fail, _setup_django, _use_demo_database

CHAIN_BROKEN = 1


@click.group("audit")
def audit() -> None:
    """Check the audit log."""


@audit.command("verify")
@click.option(
    "--expect-head",
    "expect_head",
    default="",
    metavar="HASH",
    help="The head hash recorded earlier (printed by `smecluster tick`); exit 1 when it is no longer there.",
)
@click.option(
    "--expect-count",
    "expect_count",
    type=click.IntRange(min=0),
    default=None,
    help="The number of events there were when that head was recorded.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--demo", "use_demo", is_flag=True, help="Check the demo database.")
def verify(expect_head: str, expect_count: int | None, as_json: bool, use_demo: bool) -> None:
    """Recompute the audit chain; exit 1 naming the first broken event."""
    if use_demo:
        _use_demo_database(_data_dir())
    _setup_django()
    # Imported after django.setup(): the chain reads the audit model.
    from django.db import DatabaseError

    from smecluster.apps.audit.chain import verify_chain

    try:
        verdict = verify_chain(expect_head=expect_head.strip().lower(), expect_count=expect_count)
    except DatabaseError as error:
        _fail(f"the database cannot be read: {error}".strip())
        return
    if as_json:
        click.echo(json.dumps(verdict.as_json(), ensure_ascii=False, indent=2))
    elif verdict.intact:
        click.echo(f"audit chain intact: {verdict.head.count} event(s), head {verdict.head.hash or '-'}")
    else:
        click.echo(f"audit chain broken: {verdict.problem}")
    if not verdict.intact:
        sys.exit(CHAIN_BROKEN)
