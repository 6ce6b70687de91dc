"""Serving an issued document: the stored bytes when they are there, else a Chinese "正在生成" page that
polls (htmx) the same address until the worker has made the file. The view that calls this has checked
the reader's reach exactly as for any download of the object: this adds no reach of its own."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from smecluster.apps.issued_documents.models import IssuedDocument
from smecluster.apps.issued_documents.refs import DocumentRef
from smecluster.apps.issued_documents.services import (
    document_path,
    issued_document_for_download,
    issued_document_render,
)


def issued_document_response(request: HttpRequest, ref: DocumentRef) -> HttpResponse:
    document = issued_document_for_download(ref)
    if not document.rendered and not document.error and settings.ISSUED_DOCUMENTS_RENDER_IN_REQUEST:
        issued_document_render(document.pk)
        # Deleted when the object changed under the render: the page then waits for the new version.
        document = IssuedDocument.objects.filter(pk=document.pk).first() or document
    polled = request.headers.get("HX-Request") == "true"
    context = {"document": document, "url": request.get_full_path(), "file_name": ref.file_name}
    if document.rendered and not polled:
        # Read whole: an official PDF is tens to hundreds of kilobytes, and a plain response is what every
        # client (and test) of these addresses has always received.
        response = HttpResponse(document_path(document).read_bytes(), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{ref.file_name}"'
        response["ETag"] = f'"{document.sha256}"'
        return response
    if polled:
        return render(request, "issued_documents/_waiting.html", context)
    # 202: accepted, not there yet; the page says so in Chinese and polls.
    return render(request, "issued_documents/waiting.html", context, status=202)
