"""The job worker's side of official documents (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from smecluster.apps.issued_documents.services import issued_document_render


@task()
def render_issued_document(document_id: int) -> None:
    issued_document_render(document_id)
