"""The application PDF: printed in the request while it is a draft (it changes with every edit), and, from
its submission, the version as submitted, rendered once by the job worker and stored (ADR 0024).

Two stored variants per submitted version: with the contacts, for those who may see them
(``can_see_contacts``), and without, for everyone else the application's reach lets read it.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.template.loader import render_to_string

from smecluster.apps.applications import pdf
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.selectors import signed_pledge
from smecluster.apps.applications.services import today_in_china
from smecluster.apps.applications.workflow import EDITABLE
from smecluster.apps.issued_documents.refs import DocumentRef, Rendered

KIND = "application"
WITH_CONTACTS, WITHOUT_CONTACTS = "contacts", "public"


def application_pdf_bytes(application: Application, *, contacts: bool, printed_on: date) -> bytes:
    # The page's helpers: the PDF shows what the application's page shows.
    from smecluster.apps.applications.views import eligibility_context, readout

    html = render_to_string(
        "applications/pdf.html",
        {
            "application": application,
            "readout": readout(application, contacts=contacts),
            "eligibility": eligibility_context(application, printed_on),
            "draft": application.status in EDITABLE,
            "pledge": signed_pledge(application),
            "font_family": pdf.FONT_FAMILY,
            "printed_on": printed_on,
        },
    )
    return pdf.render_pdf(html, base_url=f"{settings.SITE_URL}/")


def application_document(application: Application, *, contacts: bool) -> DocumentRef | None:
    """The submitted version's document, or ``None`` for a draft (printed as it stands, never stored)."""
    if application.status in EDITABLE:
        return None
    latest = application.versions.order_by("-number").values_list("number", flat=True).first()
    return DocumentRef(
        kind=KIND,
        object_id=application.pk,
        variant=WITH_CONTACTS if contacts else WITHOUT_CONTACTS,
        version=f"v{latest or 0}",
        file_name=f"{application.number}.pdf",
    )


def application_documents(application: Application) -> list[DocumentRef]:
    """Both variants of the version just submitted, for the worker to render at submission."""
    refs = [application_document(application, contacts=contacts) for contacts in (True, False)]
    return [ref for ref in refs if ref is not None]


def render_application(object_id: int, variant: str) -> Rendered | None:
    application = Application.objects.filter(pk=object_id).first()
    if application is None:
        return None
    contacts = variant == WITH_CONTACTS
    ref = application_document(application, contacts=contacts)
    if ref is None:
        return None
    return Rendered(ref, application_pdf_bytes(application, contacts=contacts, printed_on=today_in_china()))
