"""The server side of issue 15's "no dead ends" (the browser walk is tests/e2e/test_no_dead_ends.py):
what a non-editable application says it still allows, by state; the password reset that tells nobody which
addresses have accounts; the discovery column guide and template built from the reader's own columns."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from factories import ApplicationFactory, people
from smecluster.analytics.discovery.file_columns import (
    CSV_TYPES,
    EXAMPLE_ROW,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
)
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Status
from smecluster.apps.applications.permissions import can_edit
from smecluster.apps.discovery.column_guide import column_guide

pytestmark = pytest.mark.django_db


@pytest.fixture
def users() -> dict[str, User]:
    ensure_divisions()
    return people()


@pytest.mark.parametrize(
    ("status", "says", "never"),
    [
        # Before acceptance the county's own way back is withdrawing (申报 workflow: submitted → draft).
        (Status.SUBMITTED, "受理前如需修改，请先撤回", "不能再撤回"),
        # Accepted: withdrawing is gone; only the recommender's 退回修改 reopens it.
        (Status.ACCEPTED, "请联系受理的主管部门退回修改", "请先撤回"),
        # Recommended: in the owner's hands, final; no step of the county's is left.
        (Status.RECOMMENDED, "内容已定稿，不能再修改或撤回", "请先撤回"),
    ],
)
def test_a_non_editable_application_says_what_is_still_possible(
    users: dict[str, User], status: Status, says: str, never: str
) -> None:
    application = ApplicationFactory(status=status)
    decision = can_edit(users["county_officer"], application)
    assert not decision.allowed
    assert says in decision.reason
    assert never not in decision.reason


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    users: dict[str, User], mail_worker_at_commit: None, django_capture_on_commit_callbacks: Any
) -> None:
    """Django's PasswordResetForm mails only active accounts with that address; the page is the same."""
    mail.outbox.clear()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.test"}, follow=True)
        known = client.post(
            "/accounts/password_reset/", {"email": "county-officer@example.test"}, follow=True
        )
    assert unknown.redirect_chain == known.redirect_chain == [("/accounts/password_reset/done/", 302)]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["county-officer@example.test"]
    assert "主办单位" not in mail.outbox[0].subject
    assert "中小企业主管部门" in mail.outbox[0].body  # the issuing department signs the mail


def test_the_column_guide_is_the_readers_columns() -> None:
    guide = column_guide()
    assert [row.name for row in guide] == [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]
    assert set(CSV_TYPES) == {row.name for row in guide}
    assert all(row.meaning and row.kind for row in guide)
    assert [row.name for row in guide if row.required] == list(REQUIRED_COLUMNS)


def test_the_template_is_the_required_columns_and_the_example_row(users: dict[str, User]) -> None:
    client = Client()
    client.force_login(users["province_admin"])
    response = client.get("/discovery/datasets/template.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == list(REQUIRED_COLUMNS)
    assert rows[1] == [str(EXAMPLE_ROW[name]) for name in REQUIRED_COLUMNS]
    client.force_login(users["county_officer"])
    assert client.get("/discovery/datasets/template.csv").status_code == 403
