"""The certificate and the recognition notice as issued documents (ADR 0024): the certificate is rendered
by the job worker at recognition, the recognition notice when its 文号 is entered; downloads serve the
stored file. A recognition notice without its 文号 is a draft, printed in the request as it stands.

A version names what makes the document: the certificate's dates (a renewal issues a new one), the
notice's 文号, 成文日期 and the clusters it lists.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from smecluster.apps.applications import pdf
from smecluster.apps.issued_documents.refs import DocumentRef, Rendered
from smecluster.apps.notices.selectors import notice_of_call
from smecluster.apps.programmes.letterhead import Letterhead, letterhead
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.selectors import issued_notice, recognized_in

CERTIFICATE, RECOGNITION_NOTICE = "certificate", "recognition_notice"


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:24]


def _render(html: str) -> bytes:
    return pdf.render_pdf(html, base_url=f"{settings.SITE_URL}/")


# --- the certificate ------------------------------------------------------------------------------


def certificate_document(cluster: RecognizedCluster) -> DocumentRef:
    return DocumentRef(
        kind=CERTIFICATE,
        object_id=cluster.pk,
        variant="",
        version=_fingerprint(cluster.recognized_on, cluster.valid_from, cluster.valid_until),
        file_name=f"certificate-{cluster.pk}.pdf",
    )


def certificate_pdf_bytes(cluster: RecognizedCluster) -> bytes:
    html = render_to_string(
        "registry/certificate_pdf.html",
        {"cluster": cluster, "letterhead": letterhead(cluster.programme), "font_family": pdf.FONT_FAMILY},
    )
    return _render(html)


def render_certificate(object_id: int, variant: str) -> Rendered | None:
    cluster = (
        RecognizedCluster.objects.select_related("programme", "county__parent__parent")
        .filter(pk=object_id)
        .first()
    )
    if cluster is None:
        return None
    return Rendered(certificate_document(cluster), certificate_pdf_bytes(cluster))


# --- the recognition notice -----------------------------------------------------------------------


def recognition_notice_title(call: YearlyCall, heading: Letterhead) -> str:
    return _("%(issuer)s关于公布%(year)s年度%(level)s中小企业特色产业集群名单的通知") % {
        "issuer": heading.issuer,
        "year": call.year,
        "level": heading.title_level,
    }


def recognition_notice_document(call: YearlyCall) -> DocumentRef | None:
    """The issued notice's document, or ``None`` while it has no 文号 (a draft, never stored)."""
    issued = issued_notice(call)
    if issued is None:
        return None
    clusters = RecognizedCluster.objects.filter(application__call=call).order_by("pk")
    return DocumentRef(
        kind=RECOGNITION_NOTICE,
        object_id=call.pk,
        variant="",
        version=_fingerprint(issued.number, issued.dated, *clusters.values_list("pk", flat=True)),
        file_name=f"recognition-{call.year}-{call.pk}.pdf",
    )


def recognition_notice_pdf_bytes(call: YearlyCall) -> bytes:
    # Here, not at the top: the recognition service asks for certificates through this module.
    from smecluster.apps.registry.services.recognition import shared_validity

    clusters = recognized_in(call)
    heading = letterhead(call.programme)
    html = render_to_string(
        "registry/notice_pdf.html",
        {
            "call": call,
            "clusters": clusters,
            "title": recognition_notice_title(call, heading),
            "letterhead": heading,
            "issued": issued_notice(call),
            "shared_validity": shared_validity(clusters),
            "notice": notice_of_call(call),
            "font_family": pdf.FONT_FAMILY,
        },
    )
    return _render(html)


def render_recognition_notice(object_id: int, variant: str) -> Rendered | None:
    call = YearlyCall.objects.select_related("programme").filter(pk=object_id).first()
    if call is None or (ref := recognition_notice_document(call)) is None:
        return None
    return Rendered(ref, recognition_notice_pdf_bytes(call))
