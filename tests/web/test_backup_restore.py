"""Backups that restore (issue 16, "Backups" and its done-when: "`smecluster backup` / `restore` round-trip
in CI on PostgreSQL"): applications with evidence files, a discovery dataset and their audit events are
backed up; `smecluster restore` (a separate process, as an administrator runs it) puts them into a fresh
database and a fresh data directory, where every row of every table, every file (same bytes) and every
audit event is found and the audit chain verifies. A restore onto a database or directory that is not
empty, or from an archive whose bytes differ from its manifest, is refused with exit 2 before anything is
written."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from factories import PDF, PLEDGE
from smecluster.apps.accounts.models import User
from smecluster.apps.applications import services as application_services
from smecluster.apps.applications.models import Application, EvidenceFile
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.chain import chain_head
from smecluster.apps.audit.models import AuditEvent
from smecluster.site.backup import MANIFEST, backup_create, data_directories

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the round trip through pg_dump needs PostgreSQL"
)


@dataclass(frozen=True)
class Target:
    """A fresh, empty database and data directory to restore into, and the environment that names them."""

    database: str
    data_dir: Path

    def environment(self) -> dict[str, str]:
        config = connection.settings_dict
        environment = {
            key: value
            for key, value in os.environ.items()
            if key
            not in {
                "SMECLUSTER_EVIDENCE_DIR",
                "SMECLUSTER_DATASETS_DIR",
                "SMECLUSTER_JOBS_DIR",
                "SMECLUSTER_DOCUMENTS_DIR",
                "DJANGO_SETTINGS_MODULE",
            }
        }
        password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
        environment |= {
            "DATABASE_URL": (
                f"postgres://{config['USER']}{password}@{config['HOST']}:{config['PORT']}/{self.database}"
            ),
            "SMECLUSTER_DATA_DIR": str(self.data_dir),
            "SMECLUSTER_SECRET_KEY": "test-only-not-secret",
            "DJANGO_SETTINGS_MODULE": "smecluster.site.settings",
        }
        return environment

    def run(self, *arguments: str) -> Any:
        """``smecluster ARGUMENTS`` in a process of its own, on this database and data directory."""
        import subprocess

        return subprocess.run(
            [sys.executable, "-m", "smecluster", *arguments],
            env=self.environment(),
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    def connect(self) -> psycopg.Connection[Any]:
        config = connection.settings_dict
        return psycopg.connect(
            dbname=self.database,
            host=config["HOST"],
            port=config["PORT"],
            user=config["USER"],
            password=config.get("PASSWORD") or None,
        )


def _server() -> psycopg.Connection[Any]:
    config = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=config["HOST"],
        port=config["PORT"],
        user=config["USER"],
        password=config.get("PASSWORD") or None,
        autocommit=True,
    )


@pytest.fixture
def fresh_target(tmp_path: Path) -> Iterator[Callable[[str], Target]]:
    """``fresh_target("a")``: a new empty database (named after the test database) and data directory."""
    made: list[str] = []

    def make(suffix: str) -> Target:
        name = f"{connection.settings_dict['NAME']}_restore_{suffix}"
        with _server() as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}"')
            server.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        data_dir = tmp_path / f"restored-{suffix}"
        data_dir.mkdir()
        return Target(database=name, data_dir=data_dir)

    yield make
    with _server() as server:
        for name in made:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables_here() -> dict[str, tuple[int, str]]:
    with connection.cursor() as cursor:
        return _tables(cursor)


def _tables(cursor: Any) -> dict[str, tuple[int, str]]:
    """Every table of the public schema: its number of rows and an MD5 of all of them, in a fixed order."""
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    )
    names = [row[0] for row in cursor.fetchall()]
    contents: dict[str, tuple[int, str]] = {}
    for name in names:
        rows = "string_agg(t::text, E'\\n' ORDER BY t::text)"
        cursor.execute(f"SELECT count(*), md5(coalesce({rows}, '')) FROM \"{name}\" t")
        count, digest = cursor.fetchone()
        contents[name] = (count, digest)
    return contents


def _files(directory: Path) -> dict[str, str]:
    return {
        path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and ".incoming" not in path.relative_to(directory).parts
    }


@pytest.fixture
def backed_up(
    web_users: dict[str, User], web_application_in: Callable[..., Application], tmp_path: Path
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Two applications with evidence files of their own bytes (one submitted), a dataset file, the audit
    events they wrote; then a backup. Returns the archive and what the source held at backup time."""
    county_officer = web_users["county_officer"]
    for number in range(2):
        application = web_application_in(Status.DRAFT)
        for index in range(2):
            content = PDF + f"\n% evidence {number}-{index}\n".encode()
            application_services.evidence_add(
                actor=county_officer,
                application=application,
                section="basics",
                upload=SimpleUploadedFile(f"证明材料{number}-{index}.pdf", content, "application/pdf"),
            )
        if number == 0:
            application_services.application_submit(
                actor=county_officer, application=application, pledge=PLEDGE
            )
    dataset = Path(settings.DISCOVERY_DATASETS_DIR) / "registered" / "firms-2024.csv"
    dataset.parent.mkdir(parents=True, exist_ok=True)
    dataset.write_text("credit_code,year,employees\n91440606MA4UXXXX0X,2024,120\n", encoding="utf-8")
    # A registry extract too big to copy, linked into the datasets directory: its bytes are backed up.
    extract = tmp_path / "national-extract.csv"
    extract.write_text("credit_code,year,employees\n91110000MA00XXXX0X,2024,5\n", encoding="utf-8")
    link = dataset.parent / "national-2024.csv"
    link.unlink(missing_ok=True)
    link.symlink_to(extract)

    assert EvidenceFile.objects.count() >= 4
    assert AuditEvent.objects.count() > 0
    source = {
        "tables": _tables_here(),
        "files": {name: _files(directory) for name, directory in data_directories().items()},
        "head": chain_head(),
        "evidence": sorted(EvidenceFile.objects.values_list("stored_name", "sha256")),
    }
    archive = tmp_path / "smecluster-backup.tar"
    manifest = backup_create(output=archive)
    assert {member.name for member in manifest.members} >= {
        "database.pgdump",
        "datasets/registered/firms-2024.csv",
    }
    yield archive, source
    # The datasets directory outlives the test (the worker's): leave nothing in it for the next one.
    link.unlink()
    dataset.unlink()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_record_file_and_audit_event_into_a_fresh_database(
    backed_up: tuple[Path, dict[str, Any]], fresh_target: Callable[[str], Target]
) -> None:
    archive, source = backed_up
    with tarfile.open(archive) as tar:
        stream = tar.extractfile(MANIFEST)
        assert stream is not None
        manifest = json.loads(stream.read())
    assert manifest["platform_version"]
    assert manifest["database"] == {"engine": "postgresql", "member": "database.pgdump"}
    assert "0002_mail_delivery" in manifest["migrations"]["notifications"]
    for member in manifest["members"]:
        assert len(member["sha256"]) == 64

    target = fresh_target("a")
    result = target.run("restore", str(archive))
    assert result.returncode == 0, result.stderr
    assert "audit chain intact" in result.stdout

    with target.connect() as restored, restored.cursor() as cursor:
        tables = _tables(cursor)
        cursor.execute(
            'SELECT stored_name, sha256 FROM "applications_evidencefile" ORDER BY stored_name, sha256'
        )
        evidence = sorted(cursor.fetchall())
    # Every table, every row, byte for byte as text: the applications, evidence rows, audit events...
    assert set(tables) == set(source["tables"])
    assert tables == source["tables"]
    assert tables["audit_auditevent"][0] == source["head"].count
    assert evidence == source["evidence"]
    # ... and every file, the same bytes, in the new data directory: the evidence and datasets as they were
    # (this test's own directories), the holiday years and size standards as the manifest lists them (a
    # directory the test workers share).
    restored_files = {name: _files(target.data_dir / name) for name in data_directories()}
    assert restored_files["evidence"] == source["files"]["evidence"]
    assert restored_files["datasets"] == source["files"]["datasets"]
    assert "registered/firms-2024.csv" in restored_files["datasets"]
    linked = target.data_dir / "datasets" / "registered" / "national-2024.csv"
    assert not linked.is_symlink()
    assert linked.read_text(encoding="utf-8").endswith("2024,5\n")
    listed = {member["name"]: member["sha256"] for member in manifest["members"]}
    shared = [name for name in data_directories() if name not in {"evidence", "datasets"}]
    for name in shared:
        for relative, digest in restored_files[name].items():
            assert listed.pop(f"{name}/{relative}") == digest
    assert [name for name in listed if name.split("/", 1)[0] in shared] == []
    for stored_name, sha256 in source["evidence"]:
        assert any(
            name.endswith(stored_name) and digest == sha256
            for name, digest in restored_files["evidence"].items()
        )

    # The audit chain verifies, and its head is the one the source had when it was backed up.
    verified = target.run(
        "audit",
        "verify",
        "--json",
        "--expect-head",
        source["head"].hash,
        "--expect-count",
        str(source["head"].count),
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["intact"] is True
    # Every row's file is there with its recorded SHA-256 (files verify: no missing, no mismatch).
    files = target.run("files", "verify", "--json")
    problems = json.loads(files.stdout)["problems"]
    assert [problem for problem in problems if problem["kind"] != "orphan"] == []

    # Restoring again onto what is now a database with tables is refused, and changes nothing.
    again = Target(database=target.database, data_dir=target.data_dir.parent / "empty-dir")
    again.data_dir.mkdir()
    refused = again.run("restore", str(archive))
    assert refused.returncode == 2
    assert "is not empty" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert list(again.data_dir.iterdir()) == []


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_a_data_directory_with_files(
    backed_up: tuple[Path, dict[str, Any]], fresh_target: Callable[[str], Target]
) -> None:
    archive, _ = backed_up
    target = fresh_target("b")
    stray = target.data_dir / "evidence" / "ab" / "left-over.pdf"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"%PDF-1.4 left over")
    result = target.run("restore", str(archive))
    assert result.returncode == 2
    assert "evidence directory" in result.stderr
    assert "holds files" in result.stderr
    with target.connect() as restored, restored.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchone() == (0,)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_restore_checks_every_sha256_before_writing_anything(
    backed_up: tuple[Path, dict[str, Any]], fresh_target: Callable[[str], Target], tmp_path: Path
) -> None:
    """One byte changed in the last evidence file: the database (earlier in the archive) is not restored
    either, since every member is checked before the first is written."""
    archive, _ = backed_up
    with tarfile.open(archive) as tar:
        victim = [info for info in tar.getmembers() if info.name.startswith("evidence/")][-1]
    tampered = tmp_path / "tampered.tar"
    data = bytearray(archive.read_bytes())
    data[victim.offset_data + victim.size // 2] ^= 0xFF
    tampered.write_bytes(bytes(data))

    target = fresh_target("c")
    result = target.run("restore", str(tampered))
    assert result.returncode == 2
    assert victim.name in result.stderr
    assert "SHA-256" in result.stderr
    assert "Traceback" not in result.stderr
    with target.connect() as restored, restored.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchone() == (0,)
    assert [path for path in target.data_dir.rglob("*") if path.is_file()] == []


@needs_postgres
def test_a_backup_never_overwrites_a_file(tmp_path: Path) -> None:
    existing = tmp_path / "backup.tar"
    existing.write_bytes(b"yesterday's backup")
    target = Target(database=str(connection.settings_dict["NAME"]), data_dir=tmp_path)
    result = target.run("backup", "--output", str(existing))
    assert result.returncode == 2
    assert "exists already" in result.stderr
    assert existing.read_bytes() == b"yesterday's backup"


def test_the_sqlite_demo_database_round_trips_as_a_file_copy(tmp_path: Path) -> None:
    """SQLite (the demo) is backed up as a copy of the database file (SQLite's online backup API, so the
    audit log's triggers come along), restored into a database file that does not exist yet."""
    import sqlite3
    import subprocess

    def smecluster(data_dir: Path, *arguments: str) -> Any:
        environment = {
            key: value
            for key, value in os.environ.items()
            if key
            not in {
                "SMECLUSTER_EVIDENCE_DIR",
                "SMECLUSTER_DATASETS_DIR",
                "SMECLUSTER_JOBS_DIR",
                "SMECLUSTER_DOCUMENTS_DIR",
            }
        }
        environment |= {
            "DATABASE_URL": f"sqlite:///{data_dir / 'platform.sqlite3'}",
            "SMECLUSTER_DATA_DIR": str(data_dir),
            "SMECLUSTER_SECRET_KEY": "test-only-not-secret",
            "DJANGO_SETTINGS_MODULE": "smecluster.site.settings",
        }
        return subprocess.run(
            [sys.executable, "-m", "smecluster", *arguments],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )

    source, restored = tmp_path / "source", tmp_path / "restored"
    source.mkdir()
    restored.mkdir()
    assert smecluster(source, "manage", "migrate", "-v0").returncode == 0
    (source / "evidence" / "3f").mkdir(parents=True)
    (source / "evidence" / "3f" / "3f00.pdf").write_bytes(PDF)
    archive = tmp_path / "demo.tar.gz"
    made = smecluster(source, "backup", "--output", str(archive))
    assert made.returncode == 0, made.stderr
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["database.sqlite3", "evidence/3f/3f00.pdf", MANIFEST]
    # An off-site copy is checked without restoring it; a damaged one is refused.
    checked = smecluster(restored, "restore", "--check", str(archive))
    assert checked.returncode == 0, checked.stderr
    assert "intact" in checked.stdout
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as tar, tarfile.open(damaged, "w") as copy:
        for info in tar.getmembers():
            data = tar.extractfile(info)
            assert data is not None
            content = data.read()
            copy.addfile(
                info, io.BytesIO(content[:-1] + b"?" if info.name.startswith("evidence/") else content)
            )
    refused = smecluster(restored, "restore", "--check", str(damaged))
    assert refused.returncode == 2
    assert "evidence/3f/3f00.pdf: SHA-256" in refused.stderr

    done = smecluster(restored, "restore", str(archive))
    assert done.returncode == 0, done.stderr
    assert (restored / "evidence" / "3f" / "3f00.pdf").read_bytes() == PDF

    def dump(path: Path) -> list[str]:
        with sqlite3.connect(path) as database:
            return list(database.iterdump())

    lines = dump(restored / "platform.sqlite3")
    assert lines == dump(source / "platform.sqlite3")
    # The append-only triggers of the audit log (audit/0004) came along with the file.
    assert any("CREATE TRIGGER" in line and "audit_auditevent" in line for line in lines)

    again = smecluster(restored, "restore", str(archive))
    assert again.returncode == 2
    assert "is not empty" in again.stderr


def test_an_archive_is_checked_member_by_member_against_its_manifest(tmp_path: Path) -> None:
    """What the restore refuses before writing: a member twice, a member the manifest does not list, a
    name reaching out of its directory, a listed member missing, and bytes that differ."""
    from smecluster.errors import UnusableInput
    from smecluster.site.backup import Manifest, Member, verify_archive

    def member(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        return info, data

    database = b"PGDMP fake dump"
    evidence = b"%PDF-1.4 evidence"
    listed = [
        Member("database.pgdump", len(database), hashlib.sha256(database).hexdigest()),
        Member("evidence/ab/one.pdf", len(evidence), hashlib.sha256(evidence).hexdigest()),
        Member("evidence/../../etc/cron.d/x", 1, "0" * 64),
        Member("evidence/ab/missing.pdf", 1, "0" * 64),
    ]
    archive = tmp_path / "bad.tar"
    with tarfile.open(archive, "w") as tar:
        for info, data in [
            member("database.pgdump", database),
            member("evidence/ab/one.pdf", evidence[:-1] + b"X"),
            member("evidence/ab/one.pdf", evidence),
            member("datasets/unlisted.csv", b"a,b\n"),
        ]:
            tar.addfile(info, io.BytesIO(data))
    manifest = Manifest(
        created_at="2026-12-07T00:00:00+00:00",
        platform_version="0.1.0",
        engine="postgresql",
        migrations={},
        members=listed,
    )
    with pytest.raises(UnusableInput) as refused:
        verify_archive(archive, manifest)
    text = str(refused.value)
    assert "evidence/ab/one.pdf: SHA-256" in text
    assert "evidence/ab/one.pdf: in the archive twice" in text
    assert "datasets/unlisted.csv: not in the manifest" in text
    assert "evidence/../../etc/cron.d/x: not a name a backup writes" in text
    assert "evidence/ab/missing.pdf: in the manifest, not in the archive" in text
    assert "database.pgdump" not in text
