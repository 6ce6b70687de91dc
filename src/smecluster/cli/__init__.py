"""The ``smecluster`` command: thin. It parses, calls the domain core and prints.

Unusable input exits with status 2 and a message naming the file and the field, never a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from smecluster import __version__
from smecluster.errors import UnusableInput

USAGE_ERROR = 2


class _Group(click.Group):
    """A command group that turns :class:`UnusableInput` into a message and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UnusableInput as error:
            click.echo(f"error: {error}".replace("\n", "\nerror: "), err=True)
            sys.exit(USAGE_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smecluster")
def main() -> None:
    """smecluster: rules, calendar and records of the SME characteristic industrial cluster programme."""


def _register() -> None:
    # Imported here so that each command module owns its own options and the group stays a list.
    from smecluster.cli import (
        accounts_commands,
        audit_commands,
        backup_commands,
        calendar_commands,
        check_commands,
        collect_commands,
        discover_commands,
        files_commands,
        profile_commands,
        register_commands,
        report_commands,
        selection_commands,
        serve_commands,
        size_commands,
        tick_commands,
        web_commands,
        workflow_commands,
    )

    main.add_command(check_commands.check)
    main.add_command(check_commands.profile_schema)
    main.add_command(check_commands.rule_sets_command)
    main.add_command(check_commands.rule_set_schema)
    main.add_command(calendar_commands.calendar)
    main.add_command(web_commands.demo)
    main.add_command(web_commands.manage)
    main.add_command(serve_commands.serve)
    main.add_command(serve_commands.worker)
    main.add_command(selection_commands.remind_experts)
    main.add_command(tick_commands.tick)
    main.add_command(report_commands.report)
    main.add_command(profile_commands.profile)
    main.add_command(files_commands.files)
    main.add_command(register_commands.register)
    main.add_command(audit_commands.audit)
    main.add_command(accounts_commands.accounts)
    main.add_command(workflow_commands.workflow_doc)
    main.add_command(size_commands.sme_size)
    main.add_command(discover_commands.discover)
    main.add_command(backup_commands.backup)
    main.add_command(backup_commands.restore)
    main.add_command(collect_commands.collect)


_register()
