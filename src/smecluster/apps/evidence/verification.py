"""Stored files against the rows that name them (``smecluster files verify``).

Every row of a stored-file model names a file under ``EVIDENCE_ROOT`` by its random name and records its
SHA-256; every discovery dataset names a file under the datasets directory the same way, and a prepared
dataset also every file of its prepared directory (``prepared/<SHA-256>/``: the layout, the cube, the
rejected sample, ``preparation.json``) with its size and SHA-256; every official document the worker stored
(``issued_documents.IssuedDocument``) one under ``ISSUED_DOCUMENTS_DIR``. A file a row names may have gone
(``missing``) or changed (``mismatch``: another size, or another SHA-256); a file under ``EVIDENCE_ROOT`` or
the datasets' ``prepared/`` that no row names is an ``orphan`` — a leftover in ``.incoming/`` of an upload
whose process died between staging and commit, a preparation's ``.partial-*`` directory left by a worker
that died, or a file whose row was deleted without it.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

from smecluster.apps.evidence.models import StoredFile
from smecluster.apps.evidence.storage import evidence_path, evidence_root

_CHUNK = 1024 * 1024


class ProblemKind(StrEnum):
    MISSING = "missing"  # a row names a file that is not on disk
    MISMATCH = "mismatch"  # the file on disk is not the one recorded (its SHA-256 differs)
    ORPHAN = "orphan"  # a file on disk that no row names


@dataclass(frozen=True)
class FileProblem:
    kind: ProblemKind
    path: Path
    owner: str  # the row that names the file ("applications.evidencefile #12"); empty for an orphan

    def as_json(self) -> dict[str, str]:
        return {"kind": str(self.kind), "path": str(self.path), "owner": self.owner}


@dataclass(frozen=True)
class Verification:
    files_checked: int
    problems: list[FileProblem]

    @property
    def clean(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, object]:
        return {
            "files_checked": self.files_checked,
            "clean": self.clean,
            "problems": [problem.as_json() for problem in self.problems],
        }


def stored_file_models() -> list[type[StoredFile]]:
    """Every concrete model whose rows are stored files: the subclasses of the one ``StoredFile`` base."""
    return [model for model in apps.get_models() if issubclass(model, StoredFile)]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _owner(model: type[models.Model], pk: object) -> str:
    return f"{model._meta.label_lower} #{pk}"


def _check(path: Path, sha256: str, owner: str, size: int | None = None) -> FileProblem | None:
    if not path.is_file():
        return FileProblem(ProblemKind.MISSING, path, owner)
    if (size is not None and path.stat().st_size != size) or _sha256(path) != sha256:
        return FileProblem(ProblemKind.MISMATCH, path, owner)
    return None


def _evidence_rows() -> Iterator[tuple[Path, str, str]]:
    for model in stored_file_models():
        rows = model._default_manager.order_by("pk").values_list("pk", "stored_name", "sha256")
        for pk, stored_name, sha256 in rows.iterator():
            yield evidence_path(stored_name), sha256, _owner(model, pk)


def _dataset_rows() -> Iterator[tuple[Path, str, str]]:
    # Imported here: discovery's models are optional reading, the evidence app does not depend on them.
    from smecluster.apps.discovery.models import Dataset

    datasets_dir = Path(settings.DISCOVERY_DATASETS_DIR)
    for pk, path, sha256 in Dataset.objects.order_by("pk").values_list("pk", "path", "sha256").iterator():
        yield datasets_dir / path, sha256, _owner(Dataset, pk)


def _prepared_rows() -> Iterator[tuple[Path, str, str, int]]:
    """Every file of every prepared dataset's directory, as the row lists it: path, SHA-256, owner, size."""
    from smecluster.apps.discovery.models import Dataset

    datasets_dir = Path(settings.DISCOVERY_DATASETS_DIR)
    prepared = Dataset.objects.exclude(prepared_path="").order_by("pk")
    for pk, directory, files in prepared.values_list("pk", "prepared_path", "prepared_files").iterator():
        for relative, listed in sorted(files.items()):
            yield datasets_dir / directory / relative, listed["sha256"], _owner(Dataset, pk), listed["size"]


def _issued_document_rows() -> Iterator[tuple[Path, str, str]]:
    # Imported here, as the datasets: the evidence app does not depend on the documents' app.
    from smecluster.apps.issued_documents.models import IssuedDocument
    from smecluster.apps.issued_documents.services import document_path

    for document in IssuedDocument.objects.exclude(rendered_at=None).order_by("pk").iterator():
        yield document_path(document), document.sha256, _owner(IssuedDocument, document.pk)


def verify_files() -> Verification:
    """Check every stored file and dataset against its row, and find the files no row names."""
    problems: list[FileProblem] = []
    named: set[Path] = set()
    checked = 0
    rows = itertools.chain(
        ((path, sha256, owner, None) for path, sha256, owner in _evidence_rows()),
        ((path, sha256, owner, None) for path, sha256, owner in _dataset_rows()),
        _prepared_rows(),
        ((path, sha256, owner, None) for path, sha256, owner in _issued_document_rows()),
    )
    for path, sha256, owner, size in rows:
        checked += 1
        named.add(path.resolve())
        if problem := _check(path, sha256, owner, size):
            problems.append(problem)
    # Rows name every file of these two stores: anything else in them is an orphan.
    for root in (evidence_root(), Path(settings.DISCOVERY_DATASETS_DIR) / "prepared"):
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.resolve() not in named:
                    problems.append(FileProblem(ProblemKind.ORPHAN, path, ""))
    return Verification(checked, problems)
