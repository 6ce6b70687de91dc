"""``smecluster accounts create / invite / deactivate / reactivate / import`` (issue 17, "Account
administration", at the server): the same services as the 账号管理 pages, audited with no actor, and bad
input (an unknown account or code, a role at the wrong level, an e-mail in use, a workbook with problems)
exits 2 naming what is wrong, creating nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core import mail
from django.test import TestCase
from openpyxl import load_workbook

from factories import UserFactory
from smecluster.apps.accounts import account_import
from smecluster.apps.accounts.models import User
from smecluster.apps.audit import actions
from smecluster.apps.audit.models import AuditEvent
from smecluster.cli import main

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mail_worker_at_commit")]


def _run(*args: str) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return CliRunner().invoke(main, ["accounts", *args])


def _create(*extra: str) -> Any:
    return _run(
        "create", "gd-admin", "--name", "陈志明", "--email", "gd-admin@example.gov.cn",
        "--role", "province_admin", "--jurisdiction", "440000", *extra,
    )  # fmt: skip


def test_create_invites_and_deactivate_ends_the_account(web_divisions: None) -> None:
    result = _create()
    assert result.exit_code == 0, result.output
    account = User.objects.get(username="gd-admin")
    assert (account.role, account.jurisdiction_id, account.has_usable_password()) == (
        "province_admin",
        "440000",
        False,
    )
    assert [message.to for message in mail.outbox] == [["gd-admin@example.gov.cn"]]
    created = AuditEvent.objects.get(action=actions.USER_CREATE.code, target_id=str(account.pk))
    assert created.actor is None
    assert _run("invite", "gd-admin").exit_code == 0
    assert len(mail.outbox) == 2
    result = _run("deactivate", "gd-admin", "--reason", "调离")
    assert result.exit_code == 0, result.output
    account.refresh_from_db()
    assert not account.is_active
    assert _run("reactivate", "gd-admin").exit_code == 0
    account.refresh_from_db()
    assert account.is_active


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--jurisdiction", "999999"), "999999"),  # the last --jurisdiction wins: an unknown code
        (("--jurisdiction", "440600"), "jurisdiction"),  # a province role at a city's code
    ],
)
def test_bad_input_exits_2_and_creates_nothing(web_divisions: None, args: tuple[str, ...], says: str) -> None:
    result = _create(*args)
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert not User.objects.filter(username="gd-admin").exists()


def test_an_email_in_use_and_an_unknown_account_exit_2(web_users: dict[str, User]) -> None:
    result = _run(
        "create", "x-officer", "--name", "张三", "--email", web_users["expert"].email,
        "--role", "city_officer", "--jurisdiction", "440300",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "email" in result.output
    assert _run("deactivate", "nobody-here", "--reason", "调离").exit_code == 2
    assert _run("invite", "county-officer").exit_code == 2  # has a password: the owner resets it


def test_import_is_all_or_nothing(web_divisions: None, tmp_path: Path) -> None:
    workbook = load_workbook(io.BytesIO(account_import.import_template(_ministry())))
    sheet = workbook[account_import.SHEET]
    rows = [
        ["sz-officer", "张振宇", "sz@example.gov.cn", "市级主管部门", "440300"],
        ["bad-row", "李四", "not-an-address", "市级主管部门", "440300"],
    ]
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(number, column, value)
    path = tmp_path / "accounts.xlsx"
    workbook.save(path)
    result = _run("import", str(path))
    assert result.exit_code == 2
    assert "C3" in result.output
    assert not User.objects.filter(username="sz-officer").exists()
    for column in range(1, 6):
        sheet.cell(3, column).value = None
    workbook.save(path)
    result = _run("import", str(path))
    assert result.exit_code == 0, result.output
    assert User.objects.filter(username="sz-officer", jurisdiction_id="440300").exists()


def _ministry() -> User:
    user: User = UserFactory(username="cli-ministry", role="ministry_admin", jurisdiction_id="100000")
    return user
