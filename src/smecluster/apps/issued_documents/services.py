"""Official documents as fixed artefacts: asked for when issued, rendered by the job worker, stored with
their SHA-256 under ``ISSUED_DOCUMENTS_DIR`` and served as stored (ADR 0024).

``issued_documents_request`` runs in the issuing service's transaction: a row per new document version and
a render task in the database queue, which commit (or roll back) with the issue itself.
``issued_document_render`` is the worker's: it renders the object's document as it stands, and stores it
only if it is still the version asked for (an object changed meanwhile asks for its new version itself).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import override

from smecluster.apps.issued_documents.kinds import KINDS
from smecluster.apps.issued_documents.models import IssuedDocument
from smecluster.apps.issued_documents.refs import DocumentRef, Renderer
from smecluster.atomic_files import write_atomically

log = logging.getLogger(__name__)

STALE_REQUEST = timedelta(minutes=10)
"""A document asked for this long ago and still not rendered lost its task (a worker died mid-render, a
queue restored without it): the next download asks again."""


def document_path(document: IssuedDocument) -> Path:
    return Path(settings.ISSUED_DOCUMENTS_DIR) / document.kind / f"{document.pk}.pdf"


def _enqueue(document: IssuedDocument) -> None:
    from smecluster.apps.issued_documents.tasks import render_issued_document

    render_issued_document.enqueue(document.pk)


def issued_documents_request(refs: Iterable[DocumentRef]) -> list[IssuedDocument]:
    """Have the worker render these document versions (those not asked for already). In the caller's
    transaction: the task row commits with the change that issued the document."""
    documents = []
    with transaction.atomic():
        for ref in refs:
            document, created = IssuedDocument.objects.get_or_create(
                key=ref.key,
                defaults={
                    "kind": ref.kind,
                    "object_id": ref.object_id,
                    "variant": ref.variant,
                    "file_name": ref.file_name,
                },
            )
            if created:
                _enqueue(document)
            documents.append(document)
    return documents


def issued_document_for_download(ref: DocumentRef) -> IssuedDocument:
    """The stored document of ``ref`` if there is one; otherwise its row, asked for (again) when it was
    never asked for, failed, lost its task or lost its file."""
    document = IssuedDocument.objects.filter(key=ref.key).first()
    if document is None:
        return issued_documents_request([ref])[0]
    lost = document.rendered and not document_path(document).is_file()
    stale = not document.rendered and document.requested_at < timezone.now() - STALE_REQUEST
    if lost or stale or document.error:
        with transaction.atomic():
            document.rendered_at, document.error, document.requested_at = None, "", timezone.now()
            document.save(update_fields=["rendered_at", "error", "requested_at"])
            _enqueue(document)
    return document


def issued_document_render(document_id: int) -> None:
    """Render one document in the worker (or, where ``ISSUED_DOCUMENTS_RENDER_IN_REQUEST`` says so, in the
    request). A failure is recorded on the row, shown on the waiting page, and asked for again by the next
    download."""
    with transaction.atomic():
        document = IssuedDocument.objects.select_for_update(skip_locked=True).filter(pk=document_id).first()
        if document is None or document.rendered:  # gone, done, or being rendered by another worker
            return
        renderer: Renderer = import_string(KINDS[document.kind])
        try:
            # Official documents are in Chinese whoever's request caused them.
            with override(settings.LANGUAGE_CODE):
                rendered = renderer(document.object_id, document.variant)
        except Exception:
            log.exception("rendering %s failed", document.key)
            document.error = _("生成失败，请稍后重试或联系平台管理员")
            document.save(update_fields=["error"])
            return
        if rendered is None or rendered.ref.key != document.key:
            # The object changed since (a new 文号, a resubmission) or is gone: this version is no more.
            document.delete()
            return
        write_atomically(document_path(document), rendered.content)
        document.sha256 = hashlib.sha256(rendered.content).hexdigest()
        document.size = len(rendered.content)
        document.rendered_at = timezone.now()
        document.error = ""
        document.save(update_fields=["sha256", "size", "rendered_at", "error"])
