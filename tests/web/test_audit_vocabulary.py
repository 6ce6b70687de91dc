"""Every audit action is registered once in ``audit.actions``, with a label an audit trail can show.

Given the demo database built through the services, every action its events carry is registered; every
transition of every machine names a registered action; labels are non-empty and tell the actions of one
category apart; and no code passes a written-out action string to ``audit_record``.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from smecluster.apps.audit.actions import ACTIONS, action_label
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.workflow.machines import MACHINES
from smecluster.site import demo

SRC = Path(__file__).resolve().parents[2] / "src" / "smecluster"


@pytest.mark.django_db
def test_every_action_the_demo_records_is_registered(web_divisions: None, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo.build_demo()
    recorded = set(AuditEvent.objects.values_list("action", flat=True).distinct())
    assert recorded, "the demo recorded no audit event"
    assert sorted(recorded - ACTIONS.keys()) == []


@pytest.mark.parametrize("machine", MACHINES, ids=lambda machine: machine.name)
def test_every_transition_records_a_registered_action(machine: Any) -> None:
    for row in machine.transitions.values():
        assert ACTIONS.get(row.audit.code) is row.audit, f"{machine.name}.{row.action}: {row.audit.code}"


def test_labels_are_non_empty_and_tell_the_actions_of_a_category_apart() -> None:
    with translation.override("zh-hans"):
        for code, action in ACTIONS.items():
            assert action.code == code
            assert str(action.label).strip(), f"{code} has no label"
            assert action_label(code) == str(action.label)
        shown = Counter((action.category, str(action.label)) for action in ACTIONS.values())
    assert [key for key, count in shown.items() if count > 1] == []


def _written_out_actions(source: str, name: str) -> list[str]:
    """``audit_record(..., action="…")`` or ``action=f"…"`` calls in one file's source."""
    tree = ast.parse(source, filename=name)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name != "audit_record":
            continue
        for keyword in node.keywords:
            if keyword.arg == "action" and isinstance(keyword.value, ast.Constant | ast.JoinedStr):
                found.append(f"{name}:{node.lineno}")
    return found


def test_no_action_is_passed_to_audit_record_as_a_string() -> None:
    found = [
        hit
        for path in sorted(SRC.rglob("*.py"))
        for hit in _written_out_actions(path.read_text(encoding="utf-8"), str(path.relative_to(SRC.parent)))
    ]
    assert found == [], "audit_record takes an audit.actions constant:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "hits"),
    [
        ('audit_record(actor=None, action="x.y", target=obj)', 1),
        ('services.audit_record(actor=a, action=f"report.{step}", target=obj)', 1),
        ("audit_record(actor=a, action=actions.APPLICATION_SUBMIT, target=obj)", 0),
    ],
)
def test_the_scan_finds_a_written_out_action(source: str, hits: int) -> None:
    assert len(_written_out_actions(source, "sample.py")) == hits
