"""Official PDFs through the job worker (issue 16: "official PDFs … as jobs"; under load they took 11–38 s in
the request). An official document once issued is a fixed artefact (ADR 0024): the worker renders it when
it is issued — the public notice at publication, the certificates at recognition, the recognition notice
when its 文号 is entered, the application at submission (the version as submitted) — and stores it with
its SHA-256; the download addresses serve the stored bytes, and while the worker has not made it yet they
answer a Chinese "正在生成" page that polls (htmx) and then offers the file. Drafts print in the request.

Here ``ISSUED_DOCUMENTS_RENDER_IN_REQUEST`` is off, as in a deployment (the rest of the suite renders a
document not yet stored in the request), and the worker is `db_worker --batch`."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from typing import Any

import pypdf
import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pub_support import PubWorld, pub_client, pub_publish

from clock import Clock
from factories import PLEDGE
from smecluster.apps.accounts.models import User
from smecluster.apps.applications import pdf
from smecluster.apps.applications import services as application_services
from smecluster.apps.applications.models import Application
from smecluster.apps.evidence.verification import ProblemKind, verify_files
from smecluster.apps.issued_documents.models import IssuedDocument
from smecluster.apps.issued_documents.services import document_path
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.services.recognition import recognition_decide
from smecluster.apps.registry.services.recognition_notice import recognition_notice_issue

# The worker closes its database connections between jobs: the tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

RENDER_TASK = "smecluster.apps.issued_documents.tasks.render_issued_document"


@pytest.fixture(autouse=True)
def as_deployed(settings: Any) -> None:
    settings.ISSUED_DOCUMENTS_RENDER_IN_REQUEST = False


def _work() -> None:
    """What `smecluster worker --batch` does: every waiting job, then exit."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def _text(content: bytes) -> str:
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", "", text)


def _waiting_renders() -> int:
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=RENDER_TASK).count()


def _assert_waiting_page(client: Any, url: str) -> None:
    """Not made yet: 202 and a Chinese page that polls the same address with htmx."""
    page = client.get(url)
    assert page.status_code == 202
    text = page.content.decode()
    assert "正在生成" in text
    assert f'hx-get="{url}"' in text
    assert 'hx-trigger="every 1s"' in text
    polled = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in polled


def _assert_stored(client: Any, url: str, document: IssuedDocument) -> bytes:
    """Made: the poll offers the file (and stops polling); the address serves exactly the stored bytes."""
    polled = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in polled
    assert f'href="{url}"' in polled
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{document.file_name}"'
    document.refresh_from_db()
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    assert response["ETag"] == f'"{document.sha256}"'
    assert document_path(document).read_bytes() == response.content
    return bytes(response.content)


@pytest.fixture
def recognized(pub_world: PubWorld, clock: Clock) -> PubWorld:
    """The Guangdong call: notice from 2024-02-19, recognized 2024-03-04 (as test_official_documents)."""
    pub_publish(pub_world, clock, date(2024, 2, 19))
    clock.beijing(date(2024, 3, 4))
    recognition_decide(
        actor=pub_world.owner,
        call=pub_world.call,
        application_ids=[application.pk for application in pub_world.shortlisted],
        decision="recognize",
    )
    return pub_world


def test_the_public_notice_and_the_certificates_are_made_by_the_worker_when_issued(
    recognized: PubWorld,
) -> None:
    """Publication asked for the public notice's PDF, recognition for each certificate: rendered by the
    worker, not by whoever downloads first."""
    assert recognized.notice is not None
    clusters = list(RecognizedCluster.objects.filter(application__call=recognized.call).order_by("pk"))
    assert len(clusters) == 2
    kinds = sorted(IssuedDocument.objects.values_list("kind", flat=True))
    assert kinds == ["certificate", "certificate", "public_notice"]
    assert _waiting_renders() == 3

    owner = pub_client(recognized.owner)
    certificate_url = reverse("registry:certificate", args=[clusters[0].pk])
    notice_url = reverse("notices:public_pdf", args=[recognized.notice.pk])
    _assert_waiting_page(owner, certificate_url)
    _assert_waiting_page(pub_client(), notice_url)  # the public, without login, waits alike

    _work()
    certificate = IssuedDocument.objects.get(kind="certificate", object_id=clusters[0].pk)
    content = _assert_stored(owner, certificate_url, certificate)
    text = _text(content)
    assert "证书" in text
    assert clusters[0].name in text
    assert "经广东省工业和信息化厅认定为省级中小企业特色产业集群" in text
    notice = IssuedDocument.objects.get(kind="public_notice")
    assert "拟认定名单的公示" in _text(_assert_stored(pub_client(), notice_url, notice))


def test_a_stored_document_is_served_without_rendering_and_by_the_same_reach(
    recognized: PubWorld, web_users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once stored, a download renders nothing (the 11–38 s under load are gone); who may download it is
    decided as before: another city's officer is still refused."""
    _work()
    cluster = RecognizedCluster.objects.filter(application__call=recognized.call).order_by("pk").first()
    assert cluster is not None
    url = reverse("registry:certificate", args=[cluster.pk])

    def no_rendering(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("a stored document was rendered again in the request")

    monkeypatch.setattr(pdf, "render_pdf", no_rendering)
    assert pub_client(recognized.owner).get(url).status_code == 200
    assert pub_client(web_users["other_city_officer"]).get(url).status_code in (403, 404)
    assert pub_client().get(url).status_code == 302  # to the login page


def test_the_recognition_notice_is_a_draft_in_the_request_until_its_number_then_stored_per_number(
    recognized: PubWorld, clock: Clock
) -> None:
    """GD's recognition notice: a draft (printed as it stands, never stored) until the 文号 is entered;
    then the issued notice is the worker's; a corrected 文号 is a new document."""
    clock.beijing(date(2024, 3, 6))
    owner = pub_client(recognized.owner)
    url = reverse("registry:notice_pdf", args=[recognized.call.pk])
    draft = owner.get(url)
    assert draft.status_code == 200
    assert "（未编文号）" in _text(draft.content)
    assert not IssuedDocument.objects.filter(kind="recognition_notice").exists()

    recognition_notice_issue(
        actor=recognized.owner,
        call=recognized.call,
        number="粤工信融资函〔2024〕12号",
        dated=date(2024, 3, 5),
    )
    _assert_waiting_page(owner, url)
    _work()
    first = IssuedDocument.objects.get(kind="recognition_notice")
    assert "粤工信融资函〔2024〕12号" in _text(_assert_stored(owner, url, first))

    recognition_notice_issue(
        actor=recognized.owner,
        call=recognized.call,
        number="粤工信融资函〔2024〕13号",
        dated=date(2024, 3, 5),
    )
    _assert_waiting_page(owner, url)  # the corrected notice is not the stored one
    _work()
    second = IssuedDocument.objects.exclude(pk=first.pk).get(kind="recognition_notice")
    text = _text(_assert_stored(owner, url, second))
    assert "粤工信融资函〔2024〕13号" in text
    assert "12号" not in text


def test_the_application_is_stored_as_submitted_and_a_draft_prints_as_it_stands(
    web_users: dict[str, User], web_application_in: Any
) -> None:
    """The application PDF of a draft is printed in the request (it changes with each edit); submission
    asks the worker for the version as submitted, with and without the contacts."""
    application: Application = web_application_in("draft")
    county = pub_client(web_users["county_officer"])
    url = reverse("applications:pdf", args=[application.pk])
    draft = county.get(url)
    assert draft.status_code == 200
    assert draft["Content-Type"] == "application/pdf"
    assert not IssuedDocument.objects.exists()

    application_services.application_submit(
        actor=web_users["county_officer"], application=application, pledge=PLEDGE
    )
    assert sorted(IssuedDocument.objects.values_list("variant", flat=True)) == ["contacts", "public"]
    _assert_waiting_page(county, url)
    _work()
    submitted = IssuedDocument.objects.get(variant="contacts")
    assert submitted.key.endswith("/v1")
    text = _text(_assert_stored(county, url, submitted))
    assert application.number in text
    assert "草稿" not in text


def test_files_verify_checks_the_stored_documents(recognized: PubWorld) -> None:
    """`smecluster files verify` walks the stored documents too: a changed file is named with its row."""
    _work()
    before = verify_files()
    documents = list(IssuedDocument.objects.exclude(rendered_at=None))
    assert len(documents) == 3
    assert not [problem for problem in before.problems if "issueddocument" in problem.owner]
    tampered = documents[0]
    document_path(tampered).write_bytes(b"%PDF-1.4 not the issued one")
    after = verify_files()
    assert after.files_checked == before.files_checked
    assert [
        (problem.kind, problem.owner) for problem in after.problems if "issueddocument" in problem.owner
    ] == [(ProblemKind.MISMATCH, f"issued_documents.issueddocument #{tampered.pk}")]


def test_the_platform_admin_lists_the_issued_documents(recognized: PubWorld) -> None:
    """The admin's list (已出具的正式文件) shows each document, rendered or still waiting for the worker."""
    admin = recognized.owner
    admin.is_staff = admin.is_superuser = True
    admin.save()
    page = pub_client(admin).get(reverse("admin:issued_documents_issueddocument_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    for document in IssuedDocument.objects.all():
        assert document.file_name in text
