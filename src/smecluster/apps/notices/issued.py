"""The public notice (公示) PDF as an issued document (ADR 0024): rendered by the job worker when the notice
is published and stored; downloads serve the stored file. Its version changes when an upheld objection
takes a cluster off the list (the notice then marks it), so the stored file always reads as the page does.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from smecluster.apps.applications import pdf
from smecluster.apps.issued_documents.refs import DocumentRef, Rendered
from smecluster.apps.notices.models import Notice
from smecluster.apps.notices.selectors import NoticeEntry, notice_entries
from smecluster.apps.notifications.mail import absolute_url
from smecluster.apps.programmes.letterhead import letterhead

KIND = "public_notice"


def _document(notice: Notice, entries: list[NoticeEntry]) -> DocumentRef:
    removed = sorted(entry.application.pk for entry in entries if entry.removed)
    version = hashlib.sha256(f"{notice.published_at.isoformat()}|{removed}".encode()).hexdigest()[:24]
    return DocumentRef(
        kind=KIND,
        object_id=notice.pk,
        variant="",
        version=version,
        file_name=f"notice-{notice.shortlist.call.year}-{notice.pk}.pdf",
    )


def public_notice_document(notice: Notice) -> DocumentRef:
    return _document(notice, notice_entries(notice))


def public_notice_pdf_bytes(notice: Notice, entries: list[NoticeEntry]) -> bytes:
    # The page's title: the PDF and the page say the same.
    from smecluster.apps.notices.views import public_notice_title

    heading = letterhead(notice.shortlist.call.programme)
    title = public_notice_title(notice, heading)
    html = render_to_string(
        "notices/notice_pdf.html",
        {
            "call": notice.shortlist.call,
            "letterhead": heading,
            "formal_title": title,
            "title": title,
            # Rendered by the worker, without a request: the address people use (SMECLUSTER_SITE_URL).
            "form_url": absolute_url(reverse("notices:public_detail", args=[notice.pk])),
            "notice": notice,
            "entries": entries,
            "font_family": pdf.FONT_FAMILY,
        },
    )
    return pdf.render_pdf(html, base_url=f"{settings.SITE_URL}/")


def render_public_notice(object_id: int, variant: str) -> Rendered | None:
    notice = Notice.objects.select_related("shortlist__call__programme").filter(pk=object_id).first()
    if notice is None:
        return None
    entries = notice_entries(notice)
    return Rendered(_document(notice, entries), public_notice_pdf_bytes(notice, entries))
