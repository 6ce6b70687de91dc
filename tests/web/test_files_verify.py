"""``smecluster files verify``: stored evidence and dataset files against their rows.

Given a store where each row's file is in place, the command exits 0; a deleted file, a changed byte and a
file no row names are each listed with its kind, path and owning row, and the command exits 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application, EvidenceFile, Section
from smecluster.apps.audit import actions
from smecluster.apps.evidence import pipeline
from smecluster.apps.evidence.storage import INCOMING, evidence_path
from smecluster.cli import main


@pytest.fixture
def store(settings: Any, tmp_path: Path) -> Path:
    """An evidence directory and a datasets directory of this test's own."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.DISCOVERY_DATASETS_DIR = tmp_path / "datasets"
    return tmp_path


@pytest.fixture
def stored_evidence(
    store: Path,
    web_application: Application,
    web_users: dict[str, User],
    web_pdf_upload: Callable[[str], SimpleUploadedFile],
    django_capture_on_commit_callbacks: Any,
) -> EvidenceFile:
    with django_capture_on_commit_callbacks(execute=True):
        (evidence,) = pipeline.attach(
            EvidenceFile,
            [web_pdf_upload("营业执照.pdf")],
            actor=web_application.created_by,
            audit=actions.EVIDENCE_ADD,
            audit_target=web_application,
            owner={"application": web_application, "section": Section.BASICS},
        )
    assert evidence_path(evidence.stored_name).is_file()
    return evidence


def _verify(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["files", "verify", *args])
    return result.exit_code, result.output


@pytest.mark.django_db
def test_a_clean_store_exits_0(stored_evidence: EvidenceFile) -> None:
    code, output = _verify()
    assert code == 0, output
    assert "1 file(s) checked" in output
    code, output = _verify("--json")
    assert code == 0
    assert json.loads(output) == {"files_checked": 1, "clean": True, "problems": []}


@pytest.mark.django_db
def test_a_deleted_file_is_listed_as_missing_with_its_row(stored_evidence: EvidenceFile) -> None:
    path = evidence_path(stored_evidence.stored_name)
    path.unlink()
    code, output = _verify("--json")
    assert code == 1
    assert json.loads(output)["problems"] == [
        {"kind": "missing", "path": str(path), "owner": f"applications.evidencefile #{stored_evidence.pk}"}
    ]


@pytest.mark.django_db
def test_a_changed_byte_is_a_hash_mismatch(stored_evidence: EvidenceFile) -> None:
    path = evidence_path(stored_evidence.stored_name)
    content = bytearray(path.read_bytes())
    content[-1] ^= 0x01
    path.write_bytes(bytes(content))
    code, output = _verify()
    assert code == 1
    assert f"mismatch\t{path}\tapplications.evidencefile #{stored_evidence.pk}" in output
    assert "1 problem(s)" in output


@pytest.mark.django_db
def test_files_no_row_names_are_orphans_including_incoming_leftovers(
    stored_evidence: EvidenceFile, store: Path
) -> None:
    stray = store / "evidence" / "ab" / "abandoned.pdf"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"%PDF-1.4 left behind")
    leftover = store / "evidence" / INCOMING / "interrupted.pdf"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"%PDF-1.4 half")
    code, output = _verify("--json")
    assert code == 1
    problems = json.loads(output)["problems"]
    assert {(problem["kind"], problem["path"], problem["owner"]) for problem in problems} == {
        ("orphan", str(stray), ""),
        ("orphan", str(leftover), ""),
    }


@pytest.mark.django_db
def test_a_dataset_whose_file_is_gone_or_changed_is_listed(
    stored_evidence: EvidenceFile, store: Path, web_users: dict[str, User]
) -> None:
    from smecluster.apps.discovery.models import Dataset

    datasets = store / "datasets"
    datasets.mkdir()
    (datasets / "changed.csv").write_text("year,firm\n2025,a\n", encoding="utf-8")
    uploader = next(iter(web_users.values()))
    common = {
        "origin": Dataset.Origin.REGISTERED,
        "first_year": 2025,
        "last_year": 2025,
        "row_count": 1,
        "size_bytes": 18,
        "uploaded_by": uploader,
    }
    gone = Dataset.objects.create(name="gone", path="gone.csv", sha256="0" * 64, **common)
    changed = Dataset.objects.create(name="changed", path="changed.csv", sha256="1" * 64, **common)
    code, output = _verify("--json")
    assert code == 1
    problems = json.loads(output)["problems"]
    assert problems == [
        {"kind": "missing", "path": str(datasets / "gone.csv"), "owner": f"discovery.dataset #{gone.pk}"},
        {
            "kind": "mismatch",
            "path": str(datasets / "changed.csv"),
            "owner": f"discovery.dataset #{changed.pk}",
        },
    ]
