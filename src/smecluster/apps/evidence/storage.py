"""Checking and storing an upload: the content decides the type, never the name; files live outside the
web root under a random name; a file reaches its place only when the transaction that records it commits.

An upload is written to ``EVIDENCE_ROOT/.incoming/`` and moved into place by a commit callback. Django has
no rollback hook, but a rolled-back transaction (or savepoint) drops its commit callbacks unrun; the
callback object carries a finalizer that removes the staged file when it is dropped without having run
(CPython frees it at once). Outside any transaction the callback runs immediately.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

# What the criteria's evidence comes as: scans and documents. Keyed by the detected extension.
ACCEPTED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# Names people give files; a .jpeg is a jpg, a .wps (Kingsoft) document is an OLE file like .doc.
_SAME = {"jpeg": "jpg", "wps": "doc", "et": "xls", "dps": "ppt"}
INCOMING = ".incoming"


class EvidenceRejected(ValidationError):
    """An upload that is not acceptable evidence; the message names the file and, as a dict, the field."""


@dataclass(frozen=True)
class StoredUpload:
    stored_name: str
    content_type: str
    size: int
    sha256: str


def evidence_root() -> Path:
    return Path(settings.EVIDENCE_ROOT)


def evidence_path(stored_name: str) -> Path:
    return evidence_root() / stored_name[:2] / stored_name


def incoming_path(stored_name: str) -> Path:
    return evidence_root() / INCOMING / stored_name


def check_upload(upload: UploadedFile[Any]) -> str:
    """The detected extension of an acceptable upload; :class:`EvidenceRejected` (with the reason) else."""
    size = upload.size or 0
    if size == 0:
        raise EvidenceRejected(_("文件为空"))
    if size > settings.EVIDENCE_MAX_BYTES:
        limit = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        raise EvidenceRejected(_("文件超过 %(limit)s MB 的上限") % {"limit": limit})
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    claimed = Path(upload.name or "").suffix.lower().lstrip(".")
    claimed = _SAME.get(claimed, claimed)
    if kind is None or kind.extension not in ACCEPTED:
        raise EvidenceRejected(_("只接受 PDF、JPG、PNG 图片和 Office/WPS 文档；该文件的内容不属于这些类型"))
    detected = _SAME.get(kind.extension, kind.extension)
    if claimed != detected:
        raise EvidenceRejected(
            _("文件名后缀（.%(claimed)s）与文件内容（%(detected)s）不符")
            % {"claimed": claimed, "detected": detected}
        )
    return str(detected)


def _discard(staged: Path) -> None:
    staged.unlink(missing_ok=True)


class _MoveIntoPlace:
    """The commit callback of one staged file. Dropped unrun (a rollback): the finalizer removes the file."""

    def __init__(self, stored_name: str) -> None:
        self.stored_name = stored_name
        self._finalizer = weakref.finalize(self, _discard, incoming_path(stored_name))

    def __call__(self) -> None:
        target = evidence_path(self.stored_name)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(incoming_path(self.stored_name), target)
        self._finalizer.detach()


def stage_upload(upload: UploadedFile[Any]) -> StoredUpload:
    """Check ``upload`` and write it under a temporary name; it is moved into place when the current
    transaction commits and removed when it rolls back."""
    detected = check_upload(upload)
    stored_name = secrets.token_hex(16) + "." + detected
    staged = incoming_path(stored_name)
    staged.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with staged.open("xb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    transaction.on_commit(_MoveIntoPlace(stored_name))
    return StoredUpload(stored_name, ACCEPTED[detected], size, digest.hexdigest())


def stage_bytes(data: bytes, extension: str, content_type: str) -> StoredUpload:
    """Write ``data`` (already checked by its reader, e.g. a register import's CSV, which content
    detection cannot name) under a temporary name, moved into place when the transaction commits."""
    stored_name = secrets.token_hex(16) + "." + extension
    staged = incoming_path(stored_name)
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(data)
    transaction.on_commit(_MoveIntoPlace(stored_name))
    return StoredUpload(stored_name, content_type, len(data), hashlib.sha256(data).hexdigest())


# A file checked on one request and confirmed on the next (a preview, then "confirm"): held in
# ``.incoming/`` under a random token the session keeps; ``smecluster files verify`` lists one left behind.
_HELD_PREFIX = "held-"


def hold(data: bytes) -> str:
    """Keep ``data`` until the person confirms; the token names it."""
    token = secrets.token_hex(16)
    path = incoming_path(_HELD_PREFIX + token)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return token


def held(token: str) -> bytes | None:
    """What :func:`hold` kept under ``token``, or None (a malformed token, or released)."""
    if not (len(token) == 32 and all(character in "0123456789abcdef" for character in token)):
        return None
    path = incoming_path(_HELD_PREFIX + token)
    return path.read_bytes() if path.is_file() else None


def release(token: str) -> None:
    if held(token) is not None:
        incoming_path(_HELD_PREFIX + token).unlink(missing_ok=True)
