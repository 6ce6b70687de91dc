"""Evidence files: the content decides the type, never the name; files live outside the web root."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
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


class EvidenceRejected(ValueError):
    pass


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    content_type: str
    size: int
    sha256: str


def evidence_path(stored_name: str) -> Path:
    return Path(settings.EVIDENCE_ROOT) / stored_name[:2] / stored_name


def store_evidence(upload: UploadedFile) -> StoredFile:
    """Check and store an upload; raises :class:`EvidenceRejected` with a message for the field."""
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
    stored_name = secrets.token_hex(16) + "." + detected
    target = evidence_path(stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with target.open("xb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    return StoredFile(stored_name, ACCEPTED[kind.extension], size, digest.hexdigest())
