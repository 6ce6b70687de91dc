"""``smecluster backup`` and ``smecluster restore``: the whole platform in one file, and back.

The database and directories come from the environment, as for ``smecluster manage`` (DATABASE_URL,
SMECLUSTER_DATA_DIR, SMECLUSTER_EVIDENCE_DIR, SMECLUSTER_DATASETS_DIR); ``--demo`` acts on the demo's.
What a backup holds and what a restore refuses: ``smecluster.site.backup``. Exit status 0 when done, 2 when
refused (with the reason), never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from smecluster.cli.web_commands import _data_dir, _fail, _setup_django, _use_demo_database


@click.command("backup")
@click.option(
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file to write (a tar; .tar.gz compresses it). It must not exist yet.",
)
@click.option("--demo", "use_demo", is_flag=True, help="Back up the demo database and its files.")
def backup(output: Path, use_demo: bool) -> None:
    """Write the database, the evidence and dataset files and a manifest with their SHA-256 to one file."""
    if use_demo:
        _use_demo_database(_data_dir())
    _setup_django()
    from django.db import DatabaseError

    from smecluster.site.backup import archive_sha256, backup_create

    try:
        manifest = backup_create(output=output)
    except DatabaseError as error:
        _fail(f"the database cannot be read: {error}".strip())
        return
    total = sum(member.size for member in manifest.members)
    click.echo(
        f"backup written: {output} ({len(manifest.members)} members, {total} bytes before packing; "
        f"{manifest.engine} database, platform {manifest.platform_version})"
    )
    # Recorded away from the server, it proves later that the file is the one written tonight.
    click.echo(f"SHA-256 of the backup file: {archive_sha256(output)}")


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--demo", "use_demo", is_flag=True, help="Restore into the demo database (which must be empty)."
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Only check every member against the manifest (an off-site copy, say); restore nothing.",
)
def restore(archive: Path, use_demo: bool, check_only: bool) -> None:
    """Restore a backup into an EMPTY database and EMPTY data directories, after checking every SHA-256."""
    if use_demo:
        _use_demo_database(_data_dir())
    _setup_django()
    if check_only:
        from smecluster.site.backup import read_manifest, verify_archive

        manifest = read_manifest(archive)
        verify_archive(archive, manifest)
        click.echo(
            f"{archive}: intact, {len(manifest.members)} member(s) match the manifest; "
            f"{manifest.engine} database, platform {manifest.platform_version}, made {manifest.created_at}"
        )
        return
    from django.db import DatabaseError

    from smecluster.apps.audit.chain import verify_chain
    from smecluster.site.backup import backup_restore

    try:
        report = backup_restore(archive=archive)
    except DatabaseError as error:
        _fail(f"the database cannot be used: {error}".strip())
        return
    manifest = report.manifest
    click.echo(
        f"restored {archive}: the {manifest.engine} database and {report.files} file(s), backed up "
        f"{manifest.created_at} by platform {manifest.platform_version}"
    )
    if report.migrations_to_apply:
        click.echo(
            f"{len(report.migrations_to_apply)} migration(s) of this version are not applied yet: "
            "run `smecluster manage migrate`"
        )
        return
    verdict = verify_chain()
    click.echo(
        f"audit chain intact: {verdict.head.count} event(s), head {verdict.head.hash or '-'}"
        if verdict.intact
        else f"audit chain broken: {verdict.problem}"
    )
