"""The workflow engine: the one place a status field changes, and what it checks for every machine.

(a) A scan of ``src/``: no code outside ``workflow/engine.py`` assigns a status field (an attribute, a
``setattr``, a bulk ``update``). (b) ``take`` on the application's and the recognized cluster's machines: a
refused transition writes nothing and says why, a transition that needs a reason refuses an empty one, the
daily job's transitions refuse a person and a person's refuse the daily job, and the audit event records
the state before and after.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application, Status
from smecluster.apps.applications.workflow import APPLICATION
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.oversight.models import RevocationProposal
from smecluster.apps.oversight.workflow import REVOCATION_PROPOSAL
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.workflow import RECOGNIZED_CLUSTER
from smecluster.apps.workflow.engine import create, table, take

SRC = Path(__file__).resolve().parents[2] / "src" / "smecluster"
ENGINE = SRC / "apps" / "workflow" / "engine.py"

# Each way Python code can write a status field without the engine.
STATUS_WRITES = {
    "attribute assignment": re.compile(r"\.status\s*=[^=]"),
    "setattr": re.compile(r"""setattr\([^)]*["']status["']"""),
    "bulk update": re.compile(r"""\.update\(\s*(status\s*=|\*\*\s*\{\s*["']status["'])"""),
    "filtered bulk update": re.compile(r"\.objects\.filter\([^\n]*\)\.update\([^)]*\bstatus\s*="),
}


# Records that are not workflow objects: a mail's delivery and a background job's run have a status that
# their one service writes as a technical fact (sent, failed; queued, done), with no steps, actors or
# permissions for the engine to check.
NOT_WORKFLOW = frozenset({SRC / "apps" / "notifications" / "mail.py", SRC / "apps" / "jobs" / "services.py"})


def _source_files() -> list[Path]:
    return [
        path
        for path in sorted(SRC.rglob("*.py"))
        if path != ENGINE
        and path not in NOT_WORKFLOW
        and "migrations" not in path.parts  # a migration backfills, it takes no step
    ]


def test_no_status_field_is_written_outside_the_engine() -> None:
    """Every status change goes through ``workflow.engine.take`` (audited, guarded, locked)."""
    found = []
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        for kind, pattern in STATUS_WRITES.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(SRC.parent)}:{line}: {kind}: {match.group(0).strip()}")
    assert not found, "status written outside workflow/engine.py:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "line",
    [
        "application.status = Status.SUBMITTED",
        'setattr(report, "status", "forwarded")',
        "Application.objects.update(status='draft')",
        "qs.update(**{'status': 'draft'})",
        "Application.objects.filter(pk=1).update(note='', status='x')",
    ],
)
def test_the_scan_recognises_each_way_of_writing_a_status(line: str) -> None:
    assert any(pattern.search(line) for pattern in STATUS_WRITES.values())


@pytest.mark.parametrize("line", ["if application.status == Status.DRAFT:", "status = row.status"])
def test_the_scan_lets_reads_pass(line: str) -> None:
    assert not any(pattern.search(line) for pattern in STATUS_WRITES.values())


# --- the engine on the application's machine -----------------------------------------------------------


def _events(obj: Application | RecognizedCluster) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk)))


@pytest.mark.django_db
def test_a_refused_transition_writes_nothing_and_says_why(
    web_users: dict[str, User], web_application: Application
) -> None:
    events = len(_events(web_application))
    with pytest.raises(PermissionDenied, match="不能撤回"), transaction.atomic():
        take(APPLICATION, web_application, "withdraw", actor=web_users["county_officer"])
    with pytest.raises(PermissionDenied, match="须由"), transaction.atomic():
        take(APPLICATION, web_application, "accept", actor=web_users["county_officer"])
    web_application.refresh_from_db()
    assert web_application.status == Status.DRAFT
    assert len(_events(web_application)) == events
    decision = APPLICATION.can(web_users["county_officer"], "withdraw", web_application)
    assert not decision
    assert "草稿" in str(decision.reason)


@pytest.mark.django_db
def test_a_transition_that_needs_a_reason_refuses_a_blank_one(
    web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    application = web_application_in(Status.SUBMITTED)
    events = len(_events(application))
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        take(APPLICATION, application, "return", actor=web_users["city_officer"], reason="   ")
    assert "reason" in refused.value.message_dict
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert len(_events(application)) == events


@pytest.mark.django_db
def test_the_audit_event_records_the_state_before_and_after(
    web_users: dict[str, User], web_application: Application
) -> None:
    with transaction.atomic():
        take(APPLICATION, web_application, "submit", actor=web_users["county_officer"])
    web_application.refresh_from_db()
    assert web_application.status == Status.SUBMITTED
    event = _events(web_application)[-1]
    assert event.action == "application.submit"
    assert event.actor == web_users["county_officer"]
    assert event.before == {"status": "draft"}
    assert event.after == {"status": "submitted"}


# --- the daily job's transitions and a person's -------------------------------------------------------


@pytest.fixture
def recognized_cluster(web_users: dict[str, User], web_application: Application) -> RecognizedCluster:
    return RecognizedCluster.objects.create(
        application=web_application,
        programme=web_application.call.programme,
        number="粤中小特色集群〔2024〕099",
        name=web_application.name,
        county=web_application.county,
        leading_industry=web_application.leading_industry,
        year=2024,
        recognized_on=date(2024, 3, 10),
        valid_from=date(2024, 3, 10),
        valid_until=date(2027, 3, 9),
        decided_by=web_users["province_admin"],
    )


@pytest.mark.django_db
def test_the_system_only_transition_refuses_a_person(
    web_users: dict[str, User], recognized_cluster: RecognizedCluster
) -> None:
    with pytest.raises(PermissionDenied, match="系统每日任务"), transaction.atomic():
        take(RECOGNIZED_CLUSTER, recognized_cluster, "expire", actor=web_users["province_admin"])
    recognized_cluster.refresh_from_db()
    assert recognized_cluster.status == RecognizedCluster.Status.VALID
    assert _events(recognized_cluster) == []


@pytest.mark.django_db
def test_a_person_only_transition_refuses_the_system(recognized_cluster: RecognizedCluster) -> None:
    with pytest.raises(PermissionDenied, match="须由人工操作"), transaction.atomic():
        take(RECOGNIZED_CLUSTER, recognized_cluster, "revoke", actor=None, reason="情形 1")
    recognized_cluster.refresh_from_db()
    assert recognized_cluster.status == RecognizedCluster.Status.VALID
    with transaction.atomic():
        take(RECOGNIZED_CLUSTER, recognized_cluster, "expire", actor=None)
    recognized_cluster.refresh_from_db()
    assert recognized_cluster.status == RecognizedCluster.Status.EXPIRED
    (event,) = _events(recognized_cluster)
    assert (event.action, event.actor, event.before, event.after) == (
        "cluster.expire",
        None,
        {"status": "valid"},
        {"status": "expired"},
    )


# --- a transition that creates its record ------------------------------------------------------------


def _proposal_fields(cluster: RecognizedCluster, proposed_by: User | None) -> dict[str, object]:
    return {
        "cluster": cluster,
        "case": 2,
        "grounds": "查实虚假申报",
        "source": "finding:1",
        "proposed_by": proposed_by,
        "proposed_on": date(2025, 5, 6),
    }


@pytest.mark.django_db
def test_create_is_guarded_like_a_move_and_audited(
    web_users: dict[str, User], recognized_cluster: RecognizedCluster
) -> None:
    county_officer, owner = web_users["county_officer"], web_users["province_admin"]
    with pytest.raises(PermissionDenied, match="系统每日任务"), transaction.atomic():
        create(
            REVOCATION_PROPOSAL, "propose", actor=owner, fields=_proposal_fields(recognized_cluster, owner)
        )
    with pytest.raises(PermissionDenied), transaction.atomic():
        create(
            REVOCATION_PROPOSAL,
            "propose_by_hand",
            actor=county_officer,
            fields=_proposal_fields(recognized_cluster, county_officer),
        )
    assert not RevocationProposal.objects.exists()
    with transaction.atomic():
        proposal = create(
            REVOCATION_PROPOSAL,
            "propose_by_hand",
            actor=owner,
            fields=_proposal_fields(recognized_cluster, owner),
            after={"case": 2},
            reason="查实虚假申报",
        )
    assert proposal.status == RevocationProposal.Status.OPEN
    (event,) = _events(proposal)
    assert (event.action, event.actor, event.before, event.after, event.reason) == (
        "revocation.propose",
        owner,
        None,
        {"status": "open", "case": 2},
        "查实虚假申报",
    )


def test_a_creating_row_is_not_a_move_and_a_move_is_not_a_creation() -> None:
    assert REVOCATION_PROPOSAL.opening_state("propose") == RevocationProposal.Status.OPEN
    with pytest.raises(ValueError, match="does not create a record"):
        REVOCATION_PROPOSAL.opening_state("accept")
    with pytest.raises(ValueError, match="declared twice"):
        table(APPLICATION.transition("submit"), APPLICATION.transition("submit"))
