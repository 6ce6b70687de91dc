"""Finding 7: public objections could be abused. Limits are counted in the database on accepted objections
per client address (behind the trusted proxy), uploads and the request body are capped, and the owner can
mark an objection 不予受理, which stops it blocking recognition (an admissible one still needs a finding)."""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from clock import Clock
from factories import ProgrammeFactory, YearlyCallFactory, objection_challenge, people
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.audit import actions
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notices.models import Objection
from smecluster.apps.notices.services import objection_reject_inadmissible
from smecluster.apps.registry.permissions import recognition_blockers
from smecluster.apps.registry.services.recognition import recognition_decide

# The publication tests' world (a call with a frozen shortlist) is built by their helper module.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web" / "publication"))
from pub_support import PUB_OBJECTION, PubWorld, pub_build_world, pub_publish

pytestmark = pytest.mark.django_db

START, END = date(2024, 2, 19), date(2024, 2, 27)  # 7 working days after the 2024 Spring Festival
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def objection_settings(settings: Any, tmp_path: Path) -> Any:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXY_COUNT = 1
    settings.OBJECTIONS_PER_ADDRESS_PER_HOUR = 5
    settings.OBJECTION_MAX_TOTAL_BYTES = 20 * 1024 * 1024
    return settings


@pytest.fixture
def noticed(clock: Clock) -> PubWorld:
    ensure_divisions()
    users = people()
    call = YearlyCallFactory(programme=ProgrammeFactory())
    world = pub_build_world(call=call, owner=users["province_admin"], county="440606")
    pub_publish(world, clock, START)
    clock.beijing(date(2024, 2, 21))
    return world


def _post(
    world: PubWorld, *, forwarded: str = "", files: list[io.BytesIO] | None = None, **changes: Any
) -> Any:
    assert world.notice is not None
    url = reverse("notices:public_detail", args=[world.notice.pk])
    client = Client()
    data: dict[str, Any] = {
        **PUB_OBJECTION,
        "application": str(world.shortlisted[0].pk),
        **objection_challenge(url, client),
        **changes,
    }
    if files:
        data["files"] = files
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(url, data, **extra)


def _pdf(name: str, size: int) -> io.BytesIO:
    handle = io.BytesIO(PDF + b"%" * (size - len(PDF)))
    handle.name = name
    return handle


def test_twenty_from_one_address_are_not_all_accepted(noticed: PubWorld) -> None:
    codes = [_post(noticed, forwarded="203.0.113.9").status_code for _ in range(20)]
    assert codes.count(302) == 5
    assert codes[5:] == [429] * 15
    refused = _post(noticed, forwarded="203.0.113.9")
    assert "提交过于频繁" in refused.content.decode()
    assert Objection.objects.count() == 5
    assert set(Objection.objects.values_list("client_address", flat=True)) == {"203.0.113.9"}


def test_twenty_citizens_behind_the_trusted_proxy_are_all_accepted(noticed: PubWorld) -> None:
    # Each client's own (spoofable) entry sits left of the one the proxy appended: only the latter counts.
    codes = [_post(noticed, forwarded=f"10.9.9.9, 198.51.100.{n}").status_code for n in range(20)]
    assert codes == [302] * 20
    assert Objection.objects.count() == 20


def test_a_forged_leftmost_entry_does_not_escape_the_limit(noticed: PubWorld) -> None:
    codes = [_post(noticed, forwarded=f"192.0.2.{n}, 203.0.113.9").status_code for n in range(8)]
    assert codes.count(302) == 5


def test_without_a_trusted_header_the_remote_address_counts(noticed: PubWorld, settings: Any) -> None:
    settings.TRUSTED_PROXY_HEADER = ""
    codes = [_post(noticed, forwarded=f"198.51.100.{n}").status_code for n in range(7)]
    assert codes.count(302) == 5
    assert set(Objection.objects.values_list("client_address", flat=True)) == {"127.0.0.1"}


def test_invalid_posts_do_not_count(noticed: PubWorld) -> None:
    for _ in range(10):
        assert _post(noticed, forwarded="203.0.113.9", content="").status_code == 200
    assert not Objection.objects.exists()
    codes = [_post(noticed, forwarded="203.0.113.9").status_code for _ in range(5)]
    assert codes == [302] * 5


def test_the_total_size_of_the_files_is_capped(noticed: PubWorld, settings: Any) -> None:
    settings.OBJECTION_MAX_TOTAL_BYTES = 1024 * 1024
    files = [_pdf(f"证据{n}.pdf", 400 * 1024) for n in range(3)]
    refused = _post(noticed, files=files)
    assert refused.status_code == 200
    assert "证明材料合计不得超过 1 MB" in refused.content.decode()
    assert not Objection.objects.exists()
    accepted = _post(noticed, files=[_pdf("证据.pdf", 400 * 1024), _pdf("证据2.pdf", 400 * 1024)])
    assert accepted.status_code == 302


def test_an_oversized_body_is_refused_before_it_is_read(noticed: PubWorld, settings: Any) -> None:
    settings.OBJECTION_MAX_TOTAL_BYTES = 1024 * 1024
    refused = _post(noticed, files=[_pdf("大文件.pdf", 3 * 1024 * 1024)])
    assert refused.status_code == 413
    assert "提交内容过大" in refused.content.decode()
    assert not Objection.objects.exists()


def _objection(world: PubWorld, index: int) -> Objection:
    assert _post(world, application=str(world.shortlisted[index].pk)).status_code == 302
    return Objection.objects.latest("pk")


def test_an_inadmissible_objection_no_longer_blocks_recognition(noticed: PubWorld, clock: Clock) -> None:
    inadmissible = _objection(noticed, 0)
    admissible = _objection(noticed, 1)
    clock.beijing(date(2024, 2, 28))
    with pytest.raises(Exception, match="不予受理须说明理由"):
        objection_reject_inadmissible(actor=noticed.owner, objection=inadmissible, reason=" ")
    page = Client()
    page.force_login(noticed.owner)
    response = page.post(
        reverse("notices:objection", args=[inadmissible.pk]),
        {"reject_inadmissible": "1", "reason": "匿名且无具体事实"},
    )
    assert response.status_code == 302
    inadmissible.refresh_from_db()
    assert inadmissible.status == Objection.Status.INADMISSIBLE
    assert AuditEvent.objects.filter(action=actions.OBJECTION_REJECT_INADMISSIBLE).count() == 1
    assert "不予受理" in page.get(reverse("notices:objection", args=[inadmissible.pk])).content.decode()
    blockers = " ".join(recognition_blockers(noticed.call))
    assert inadmissible.reference not in blockers
    assert admissible.reference in blockers
    with pytest.raises(PermissionDenied, match=admissible.reference):
        recognition_decide(
            actor=noticed.owner,
            call=noticed.call,
            application_ids=[noticed.shortlisted[0].pk],
            decision="recognize",
        )
    with pytest.raises(PermissionDenied, match="不予受理"):
        objection_reject_inadmissible(actor=noticed.owner, objection=inadmissible, reason="再次")
    objection_reject_inadmissible(actor=noticed.owner, objection=admissible, reason="不属于本次公示范围")
    assert recognition_blockers(noticed.call) == []
