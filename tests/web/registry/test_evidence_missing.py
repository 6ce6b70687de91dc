"""A file gone from storage behind its row: both download routes answer 404 with a message, never a 500.

The site's 404 page does not echo the exception, so the view is called directly to read the message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory

from clock import Clock
from conftest import reg_client
from smecluster.apps.accounts.models import User
from smecluster.apps.evidence.storage import evidence_path
from smecluster.apps.registry.models import AnnualReport, ReReview
from smecluster.apps.registry.services import annual_reports, duties, re_reviews
from smecluster.apps.registry.views.annual_reports import report_evidence_download
from smecluster.apps.registry.views.re_reviews import re_review_evidence_download

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MISSING = "已不在存储中"


def _missing_message(view: Callable[..., object], url: str, user: User, pk: int) -> str:
    request = RequestFactory().get(url)
    request.user = user
    with pytest.raises(Http404) as raised:
        view(request, pk)
    return str(raised.value)


def test_a_report_file_missing_from_storage_is_a_404_with_a_message(
    clock: Clock,
    reg_report_in: Callable[..., AnnualReport],
    web_users: dict[str, User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    clock.beijing(date(2025, 3, 20))
    report = reg_report_in("draft", year=2024)
    upload = SimpleUploadedFile("年报附件.pdf", PDF, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        evidence = annual_reports.report_evidence_add(
            actor=web_users["county_officer"], report=report, upload=upload
        )
    evidence_path(evidence.stored_name).unlink()
    url = f"/annual-report-evidence/{evidence.pk}/"
    assert reg_client(web_users["county_officer"]).get(url).status_code == 404
    message = _missing_message(report_evidence_download, url, web_users["county_officer"], evidence.pk)
    assert MISSING in message
    assert "年报附件.pdf" in message


def test_a_re_review_file_missing_from_storage_is_a_404_with_a_message(
    clock: Clock,
    reg_report_in: Callable[..., AnnualReport],
    web_users: dict[str, User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    clock.beijing(date(2025, 3, 20))
    report = reg_report_in("received", year=2024)
    duties.open_re_reviews(date(2026, 12, 9))
    re_review = ReReview.objects.get(cluster=report.cluster)
    upload = SimpleUploadedFile("复核附件.pdf", PDF, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        evidence = re_reviews.re_review_evidence_add(
            actor=web_users["operator"], re_review=re_review, upload=upload
        )
    evidence_path(evidence.stored_name).unlink()
    url = f"/re-review-evidence/{evidence.pk}/"
    assert reg_client(web_users["county_officer"]).get(url).status_code == 404
    message = _missing_message(re_review_evidence_download, url, web_users["county_officer"], evidence.pk)
    assert MISSING in message
    assert "复核附件.pdf" in message
