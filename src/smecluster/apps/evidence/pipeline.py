"""Attach, detach and serve evidence of any kind of record: one way, so every owner gets the same checks,
the same audit event and the same answer when a file has gone missing.

Services call :func:`attach` / :func:`detach` inside their transaction after checking permission on the
owner; views call :func:`serve` with the selector that defines who may read that kind of file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.audit.actions import AuditAction
from smecluster.apps.audit.services import audit_record
from smecluster.apps.evidence.models import StoredFile
from smecluster.apps.evidence.storage import EvidenceRejected, evidence_path, stage_upload
from smecluster.site.http import reach_or_404

F = TypeVar("F", bound=StoredFile)


def attach(
    model: type[F],
    uploads: Sequence[UploadedFile[Any]],
    *,
    actor: User | None,
    audit: AuditAction,
    audit_target: models.Model,
    owner: Mapping[str, Any],
    field: str = "files",
    audit_extra: Mapping[str, Any] | None = None,
) -> list[F]:
    """Check and store ``uploads`` as rows of ``model`` belonging to ``owner`` (its foreign keys and other
    fields), one audit event per file on ``audit_target``. All or nothing: a rejected file raises
    :class:`EvidenceRejected` keyed by ``field`` and naming the file, and the files staged before it are
    removed with the rolled-back transaction."""
    attached: list[F] = []
    with transaction.atomic():
        for upload in uploads:
            name = (upload.name or "")[:255]
            try:
                stored = stage_upload(upload)
            except EvidenceRejected as rejected:
                raise EvidenceRejected({field: f"{name}：{rejected.messages[0]}"}) from None
            evidence = model._default_manager.create(
                original_name=name,
                stored_name=stored.stored_name,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by=actor,
                **owner,
            )
            audit_record(
                actor=actor,
                action=audit,
                target=audit_target,
                after={"file": name, "sha256": stored.sha256, **(audit_extra or {})},
            )
            attached.append(evidence)
    return attached


def detach(
    evidence: StoredFile,
    *,
    actor: User,
    audit: AuditAction,
    audit_target: models.Model,
    audit_extra: Mapping[str, Any] | None = None,
) -> None:
    """Remove the row; the file stays on disk, since a frozen version or an earlier event may name it by
    its hash (``smecluster files verify`` lists files no row refers to)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=audit,
            target=audit_target,
            before={"file": evidence.original_name, "sha256": evidence.sha256, **(audit_extra or {})},
        )
        evidence.delete()


def file_response(evidence: StoredFile) -> FileResponse:
    """The file as a download, or a 404 that says the file is missing from storage."""
    path = evidence_path(evidence.stored_name)
    if not path.is_file():
        raise Http404(_("材料文件“%(name)s”已不在存储中，请联系管理员") % {"name": evidence.original_name})
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


def serve(find: Callable[[User, int], F], user: User, pk: int) -> FileResponse:
    """The file ``find`` (the kind's reach: a selector raising ``DoesNotExist`` outside it) allows ``user``,
    else a 404 that does not disclose whether it exists."""
    evidence = reach_or_404(find, user, pk, _("没有这份材料，或它不在您的辖区内"))
    return file_response(evidence)
