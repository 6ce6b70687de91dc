"""Being written: check, profile-schema, rule-sets."""

import click


@click.command()
def check() -> None:
    raise click.UsageError("being written")


@click.command("profile-schema")
def profile_schema() -> None:
    raise click.UsageError("being written")


@click.command("rule-sets")
def rule_sets() -> None:
    raise click.UsageError("being written")
