"""Backups that restore: one tar file holding the database, the files beside it and a manifest.

``backup_create`` writes, in this order:

- the database: ``database.pgdump`` (``pg_dump --format=custom``: PostgreSQL restores it with
  ``pg_restore`` into any empty database, whatever its owner), or for SQLite (the demo)
  ``database.sqlite3``, a consistent copy of the database file made with SQLite's online backup API (the
  file as it is, triggers and all, not ``dumpdata``);
- the data directories: the evidence store (``evidence/``, without ``.incoming/``, the uploads still being
  staged), the discovery datasets (``datasets/``, their files and their prepared directories
  ``prepared/<SHA-256>/``, without the ``prepared/.partial-*`` of preparations under way), the loaded
  holiday years (``holidays/``), SME size
  standards (``sme_size_standards/``) and rule sets (``rulesets/``), the job worker's files (``jobs/``)
  and the issued documents (``documents/``);
- ``manifest.json``, last: each member's size and SHA-256, the platform version, the database engine and
  the migrations applied.

The database is dumped before the files are read: evidence files are written once under new names and
their rows committed after them, so every row of the dump finds its file; a file uploaded meanwhile is an
orphan in the backup (``smecluster files verify`` names it after a restore), never a row without a file.

``backup_restore`` refuses (:class:`UnusableInput`, exit 2 in the CLI) unless the database has no table
and the data directories hold no file, and it reads the whole archive and checks every member against the
manifest's SHA-256 before it writes anything. A backup from a newer version (migrations this code does not
know) is refused too; one from an older version is restored as it was, and ``smecluster manage migrate``
brings it up to date.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

import django
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from smecluster import __version__
from smecluster.errors import Problem, UnusableInput
from smecluster.policy.ruleset import installed_rule_sets_dir
from smecluster.reference.sme_standards import standards_dir
from smecluster.workdays import holidays_dir

FORMAT = "smecluster-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
POSTGRES_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
EVIDENCE_STAGING = ".incoming"
# A dataset preparation's directory before it is complete and renamed into place (apps/discovery/preparation).
PREPARATION_STAGING = ".partial-"
_CHUNK = 1024 * 1024


def data_directories() -> dict[str, Path]:
    """The directories a backup carries, by their name in the archive. A directory added to the data
    directory (loaded rule sets, say) belongs here, or a restore silently loses it."""
    return {
        "evidence": Path(settings.EVIDENCE_ROOT),
        "datasets": Path(settings.DISCOVERY_DATASETS_DIR),
        "holidays": holidays_dir(Path(settings.DATA_DIR)),
        "sme_size_standards": standards_dir(Path(settings.DATA_DIR)),
        # Rule sets loaded from the admin pages, and the ones they replaced (history/).
        "rulesets": installed_rule_sets_dir(Path(settings.DATA_DIR)),
        # Files the job worker made (reports), which their Job rows name.
        "jobs": Path(settings.JOBS_DIR),
        # Official documents as issued (certificates, notices, applications as submitted), which their
        # IssuedDocument rows name with their SHA-256.
        "documents": Path(settings.ISSUED_DOCUMENTS_DIR),
    }


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class Manifest:
    created_at: str
    platform_version: str
    engine: str
    migrations: dict[str, list[str]]
    members: list[Member]

    @property
    def database_member(self) -> str:
        return POSTGRES_DUMP if self.engine == "postgresql" else SQLITE_COPY

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "platform_version": self.platform_version,
            "django_version": django.get_version(),
            "database": {"engine": self.engine, "member": self.database_member},
            "migrations": self.migrations,
            "members": [member.as_json() for member in self.members],
        }


@dataclass(frozen=True)
class RestoreReport:
    manifest: Manifest
    files: int
    """Data files written (the database not counted)."""
    migrations_to_apply: list[str]
    """Migrations of this version the backup's database lacks (``smecluster manage migrate`` applies them)."""


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise UnusableInput.single("DATABASE_URL", "", f"backups support PostgreSQL and SQLite, not {vendor}")
    return vendor


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def postgres_program(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: on the PATH, else the newest under /usr/lib/postgresql/*/bin (Debian's
    postgresql package puts them there), since the newer one reads the older server's dumps."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if not candidates:
        raise UnusableInput.single(
            name,
            "",
            "not found on the PATH or under /usr/lib/postgresql (install Debian's postgresql-client)",
        )
    return str(candidates[-1])


def _postgres_arguments() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore from Django's own settings; the password goes in the
    environment, never on a command line other users can read."""
    config = connection.settings_dict
    arguments = [f"--dbname={config['NAME']}"]
    if config.get("HOST"):
        arguments.append(f"--host={config['HOST']}")
    if config.get("PORT"):
        arguments.append(f"--port={config['PORT']}")
    if config.get("USER"):
        arguments.append(f"--username={config['USER']}")
    environment = dict(os.environ)
    if config.get("PASSWORD"):
        environment["PGPASSWORD"] = str(config["PASSWORD"])
    if sslmode := (config.get("OPTIONS") or {}).get("sslmode"):
        environment["PGSSLMODE"] = str(sslmode)
    return arguments, environment


def _run(command: list[str], environment: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise UnusableInput.single(what, "", f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _dump_database(engine: str, target: Path) -> None:
    if engine == "postgresql":
        arguments, environment = _postgres_arguments()
        _run(
            [postgres_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *arguments,
             f"--file={target}"],
            environment,
            "pg_dump",
        )  # fmt: skip
        return
    source = sqlite3.connect(str(connection.settings_dict["NAME"]))
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _files_of(directory: Path) -> Iterator[Path]:
    if not directory.is_dir():
        return
    for root, folders, names in os.walk(directory):
        if Path(root) == directory and EVIDENCE_STAGING in folders:
            folders.remove(EVIDENCE_STAGING)
        folders[:] = sorted(name for name in folders if not name.startswith(PREPARATION_STAGING))
        for name in sorted(names):
            path = Path(root) / name
            # A symbolic link to a file counts as that file (a national extract placed in the datasets
            # directory by a link): the backup holds its bytes, and the restore a file of its own.
            if path.is_file():
                yield path


class _HashingReader(io.RawIOBase):
    """Reads through to ``source`` and hashes what it read: the archive's bytes are the hashed bytes."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        return data


def _add(archive: tarfile.TarFile, name: str, path: Path) -> Member:
    with path.open("rb") as source:
        # From the open file: a link's target is archived as a regular file.
        info = archive.gettarinfo(arcname=name, fileobj=source)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(source)
        archive.addfile(info, reader)
    return Member(name=name, size=info.size, sha256=reader.digest.hexdigest())


def backup_create(*, output: Path) -> Manifest:
    """Write the backup to ``output`` (refused if it exists); readable by its owner only, and in place only
    once complete (written beside it first)."""
    if output.exists():
        raise UnusableInput.single(
            str(output), "", "exists already; choose a new name (a backup never overwrites)"
        )
    engine = _engine()
    migrations = _applied_migrations()
    partial = output.with_name(output.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    members: list[Member] = []
    try:
        with (
            os.fdopen(descriptor, "wb") as stream,
            tarfile.open(
                fileobj=stream, mode="w:gz" if output.name.endswith((".gz", ".tgz")) else "w"
            ) as archive,
            tempfile.TemporaryDirectory(prefix="smecluster-backup-") as scratch,
        ):
            dump = Path(scratch) / ("database" if engine == "postgresql" else "database.sqlite3")
            _dump_database(engine, dump)
            members.append(_add(archive, POSTGRES_DUMP if engine == "postgresql" else SQLITE_COPY, dump))
            dump.unlink()
            for prefix, directory in data_directories().items():
                for path in _files_of(directory):
                    name = f"{prefix}/{path.relative_to(directory).as_posix()}"
                    members.append(_add(archive, name, path))
            manifest = Manifest(
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                platform_version=__version__,
                engine=engine,
                migrations=migrations,
                members=members,
            )
            text = json.dumps(manifest.as_json(), ensure_ascii=False, indent=2).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(text)
            info.mtime = int(datetime.now(UTC).timestamp())
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(text))
        partial.replace(output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def archive_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- restore ----------------------------------------------------------------------------------------------


def _refuse(archive: Path, message: str) -> UnusableInput:
    return UnusableInput.single(str(archive), "", message)


def read_manifest(archive: Path) -> Manifest:
    if not archive.is_file():
        raise _refuse(archive, "no such file")
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            try:
                member = tar.getmember(MANIFEST)
            except KeyError:
                raise _refuse(archive, f"no {MANIFEST}: not a smecluster backup") from None
            stream = tar.extractfile(member)
            if stream is None:
                raise _refuse(archive, f"{MANIFEST} is not a regular file")
            data = json.loads(stream.read().decode("utf-8"))
    except (OSError, tarfile.TarError) as error:
        raise _refuse(archive, f"cannot be read as a tar archive: {error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _refuse(archive, f"{MANIFEST} is not JSON: {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _refuse(archive, f"{MANIFEST} does not describe a smecluster backup")
    if data.get("format_version") != FORMAT_VERSION:
        raise _refuse(
            archive, f"backup format {data.get('format_version')!r}; this version reads {FORMAT_VERSION}"
        )
    try:
        return Manifest(
            created_at=str(data["created_at"]),
            platform_version=str(data["platform_version"]),
            engine=str(data["database"]["engine"]),
            migrations={str(app): [str(name) for name in names] for app, names in data["migrations"].items()},
            members=[
                Member(name=str(item["name"]), size=int(item["size"]), sha256=str(item["sha256"]))
                for item in data["members"]
            ],
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise _refuse(archive, f"{MANIFEST} is incomplete: {error!r}") from None


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def verify_archive(archive: Path, manifest: Manifest) -> None:
    """Every member the manifest lists is in the archive with its size and SHA-256, and nothing else is."""
    expected = {member.name: member for member in manifest.members}
    prefixes = set(data_directories())
    problems: list[str] = []
    for member in manifest.members:
        top = member.name.split("/", 1)[0]
        if not _safe_name(member.name) or (member.name != manifest.database_member and top not in prefixes):
            problems.append(f"{member.name}: not a name a backup writes")
    if manifest.database_member not in expected:
        problems.append(f"{manifest.database_member}: the database is missing")
    seen: set[str] = set()
    with tarfile.open(archive, mode="r:*") as tar:
        for info in tar:
            if info.name == MANIFEST:
                continue
            if info.name not in expected:
                problems.append(f"{info.name}: not in the manifest")
                continue
            if info.name in seen:
                problems.append(f"{info.name}: in the archive twice")
                continue
            if not info.isfile():
                problems.append(f"{info.name}: not a regular file")
                continue
            stream = tar.extractfile(info)
            assert stream is not None  # a regular file always has one
            digest = hashlib.sha256()
            size = 0
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
            listed = expected[info.name]
            if digest.hexdigest() != listed.sha256 or size != listed.size:
                problems.append(
                    f"{info.name}: SHA-256 {digest.hexdigest()} ({size} bytes), the manifest says "
                    f"{listed.sha256} ({listed.size} bytes)"
                )
            seen.add(info.name)
    problems += [f"{name}: in the manifest, not in the archive" for name in sorted(set(expected) - seen)]
    if problems:
        raise UnusableInput(str(archive), [Problem("", text) for text in problems])


def _database_tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _occupied(directory: Path) -> bool:
    return any(True for _ in _files_of(directory)) or (
        (directory / EVIDENCE_STAGING).is_dir() and any((directory / EVIDENCE_STAGING).iterdir())
    )


def _check_empty(archive: Path, manifest: Manifest) -> None:
    problems: list[str] = []
    engine = _engine()
    if engine != manifest.engine:
        problems.append(f"the backup holds a {manifest.engine} database; DATABASE_URL names {engine}")
    tables = _database_tables()
    if tables:
        problems.append(
            f"the database {connection.settings_dict['NAME']} is not empty ({len(tables)} tables, e.g. "
            f"{', '.join(tables[:3])}): restore into a new, empty database "
            + ("(createdb NAME)" if engine == "postgresql" else "(a file that does not exist yet)")
        )
    for name, directory in data_directories().items():
        if _occupied(directory):
            problems.append(f"the {name} directory {directory} holds files: restore into empty directories")
    if problems:
        raise UnusableInput(str(archive), [Problem("", text) for text in problems])


def _unknown_migrations(manifest: Manifest) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if (app, name) not in known
    ]


def _migrations_to_apply(manifest: Manifest) -> list[str]:
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    applied = {(app, name) for app, names in manifest.migrations.items() for name in names}
    return sorted(f"{app}.{name}" for app, name in known if (app, name) not in applied)


def _restore_database(engine: str, dump: Path) -> None:
    if engine == "postgresql":
        arguments, environment = _postgres_arguments()
        _run(
            [postgres_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
             "--single-transaction", *arguments, str(dump)],
            environment,
            "pg_restore",
        )  # fmt: skip
        return
    target = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    source = sqlite3.connect(str(dump))
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _write_member(stream: IO[bytes], target: Path, listed: Member) -> None:
    """Write one member, hashing again as it goes: the archive may have changed since it was checked."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != listed.sha256:
        raise UnusableInput.single(str(target), "", "changed in the archive while it was being restored")


def backup_restore(*, archive: Path) -> RestoreReport:
    """Restore ``archive`` into the configured database and data directories, which must be empty."""
    if not archive.is_file():
        raise _refuse(archive, "no such file")
    manifest = read_manifest(archive)
    _check_empty(archive, manifest)
    unknown = _unknown_migrations(manifest)
    if unknown:
        raise _refuse(
            archive,
            f"made by a newer version ({manifest.platform_version}, this is {__version__}): its database has "
            f"migrations this version does not know ({', '.join(unknown[:5])}); restore it with that version",
        )
    verify_archive(archive, manifest)
    # Nothing was written before this line.
    listed = {member.name: member for member in manifest.members}
    directories = data_directories()
    files = 0
    with (
        tarfile.open(archive, mode="r:*") as tar,
        tempfile.TemporaryDirectory(prefix="smecluster-restore-") as scratch,
    ):
        for info in tar:
            if info.name == MANIFEST:
                continue
            stream = tar.extractfile(info)
            assert stream is not None  # checked to be a regular file above
            if info.name == manifest.database_member:
                dump = Path(scratch) / "database"
                _write_member(stream, dump, listed[info.name])
                _restore_database(manifest.engine, dump)
                dump.unlink()
                continue
            prefix, _, relative = info.name.partition("/")
            _write_member(stream, directories[prefix] / relative, listed[info.name])
            files += 1
    return RestoreReport(manifest=manifest, files=files, migrations_to_apply=_migrations_to_apply(manifest))
