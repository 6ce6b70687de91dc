"""The evidence pipeline's staged write: a file reaches its place only when the transaction that records it
commits, and is gone when that transaction (or only its savepoint) rolls back; a row whose file is missing
is a 404 that says so."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import Http404

from smecluster.apps.applications.models import EvidenceFile
from smecluster.apps.evidence.pipeline import file_response
from smecluster.apps.evidence.storage import (
    EvidenceRejected,
    evidence_path,
    incoming_path,
    stage_upload,
)

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _pdf(name: str = "证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


class _Rollback(Exception):
    pass


def _stage_then_fail(names: list[str], upload: SimpleUploadedFile) -> None:
    """Stage an upload inside a savepoint that then rolls back (as a failing service's would)."""
    with transaction.atomic():
        names.append(stage_upload(upload).stored_name)
        raise _Rollback


@pytest.mark.django_db(transaction=True)
def test_a_committed_upload_is_moved_into_place() -> None:
    with transaction.atomic():
        stored = stage_upload(_pdf())
        assert incoming_path(stored.stored_name).is_file()
        assert not evidence_path(stored.stored_name).exists()
    assert evidence_path(stored.stored_name).read_bytes() == PDF
    assert not incoming_path(stored.stored_name).exists()
    assert stored.content_type == "application/pdf"
    assert stored.size == len(PDF)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_upload_leaves_no_file() -> None:
    names: list[str] = []
    with pytest.raises(_Rollback):
        _stage_then_fail(names, _pdf())
    assert not incoming_path(names[0]).exists()
    assert not evidence_path(names[0]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_removes_only_its_own_file() -> None:
    with transaction.atomic():
        kept = stage_upload(_pdf("一.pdf")).stored_name
        dropped: list[str] = []
        with pytest.raises(_Rollback):
            _stage_then_fail(dropped, _pdf("二.pdf"))
        assert not incoming_path(dropped[0]).exists()
    assert evidence_path(kept).is_file()
    assert not evidence_path(dropped[0]).exists()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_file_is_in_place_at_once() -> None:
    stored = stage_upload(_pdf())
    assert evidence_path(stored.stored_name).is_file()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("空.pdf", b"", "文件为空"),
        ("伪装.pdf", b"PK\x03\x04" + b"\x00" * 64, "只接受"),
        ("照片.png", PDF, "与文件内容"),
    ],
)
def test_unacceptable_uploads_are_refused_with_the_reason(name: str, content: bytes, message: str) -> None:
    with pytest.raises(EvidenceRejected) as refused:
        stage_upload(SimpleUploadedFile(name, content))
    assert message in refused.value.messages[0]


def test_a_row_whose_file_is_missing_is_a_404_with_a_message(settings: Any) -> None:
    evidence = EvidenceFile(
        original_name="营业执照.pdf", stored_name="ab" + "0" * 30 + ".pdf", content_type="application/pdf"
    )
    with pytest.raises(Http404) as missing:
        file_response(evidence)
    assert "营业执照.pdf" in str(missing.value)
    assert "已不在存储中" in str(missing.value)
