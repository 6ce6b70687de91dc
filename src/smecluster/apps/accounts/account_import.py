"""Accounts in bulk from a workbook (批量导入账号): the template to download, and the import.

The template has a 填写说明 sheet, the 账号 sheet (one account per row) and the 区划代码 sheet listing the
jurisdictions the administrator may use. The upload is held to the size limits before any parser sees it
(``documents.sheets.open_workbook``: bytes, zip sizes, declared extent), then every row is checked as the
form checks one account (``administration.details_problems``: the role the administrator grants, the
jurisdiction by code within its reach, the e-mail valid and unused, the username valid and unused, in the
platform and in the file). Any problem: nothing is created, and the report names each one's sheet, cell and
column (``账号!C3 电子邮箱：……``). None: every account is created and invited in one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from smecluster.apps.accounts import administration
from smecluster.apps.accounts.account_reach import grantable_roles, jurisdictions_for
from smecluster.apps.accounts.models import Jurisdiction, Role, User
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.documents.sheets import (
    Column,
    Kind,
    cell_problem,
    new_workbook,
    open_workbook,
    read_table_sheet,
    workbook_bytes,
    write_instructions,
    write_table_sheet,
)
from smecluster.errors import Problem, UnusableInput
from smecluster.site.upload_limits import workbook_limits

SHEET = "账号"
CODES_SHEET = "区划代码"
INSTRUCTIONS = "填写说明"
MAX_ACCOUNTS = 500
"""Accounts one workbook may create: a province's whole set of county officers fits; more is a mistake."""
MAX_FILE_BYTES = 2 * 1024 * 1024
"""A workbook of 500 accounts is a few tens of kilobytes: the upload is refused above this before reading."""


def columns(actor: User | None) -> tuple[Column, ...]:
    """The 账号 sheet's columns; the role is chosen among the roles ``actor`` grants (all without one)."""
    roles = grantable_roles(actor) if actor is not None else tuple(Role)
    return (
        Column(
            "username", "用户名", Kind.TEXT, required=True, note="登录用，字母、数字和 @ . + - _，不可重复"
        ),
        Column("full_name", "姓名", Kind.TEXT, required=True),
        Column("email", "电子邮箱", Kind.TEXT, required=True, note="邀请邮件发往这里，不可与其他账号重复"),
        Column(
            "role",
            "角色",
            Kind.CHOICE,
            required=True,
            choices=tuple((role.value, str(role.label)) for role in roles),
        ),
        Column(
            "jurisdiction", "区划代码", Kind.TEXT, required=True, note="6 位 GB/T 2260 代码，见“区划代码”表"
        ),
        Column("organization", "单位", Kind.TEXT),
        Column("phone", "联系电话", Kind.TEXT),
    )


def import_template(actor: User) -> bytes:
    """The workbook to fill: instructions, an empty 账号 sheet, and the codes the actor may use."""
    sheet_columns = columns(actor)
    workbook = new_workbook()
    write_table_sheet(workbook, SHEET, sheet_columns, [], blank_rows=50)
    codes = workbook.create_sheet(CODES_SHEET)
    codes.append(["区划代码", "名称", "级别"])
    for jurisdiction in jurisdictions_for(actor).select_related("parent", "parent__parent"):
        codes.append([jurisdiction.code, jurisdiction.full_name(), jurisdiction.get_level_display()])
    codes.column_dimensions["B"].width = 40
    write_instructions(
        workbook,
        INSTRUCTIONS,
        [
            "每行一个账号；带 * 的列必填。",
            f"一次最多导入 {MAX_ACCOUNTS} 个账号。任何一行有问题，整个文件都不导入，并逐行列出问题。",
            "角色与区划须相符：市级主管部门填市级区划代码，县级主管部门和集群运营管理机构填县级区划代码，"
            "评审专家填其所在区划代码。只能填“区划代码”表中列出的区划。",
            "导入后，平台向每个账号的电子邮箱发送邀请邮件，本人凭邮件中的链接设置密码。",
        ],
        {SHEET: sheet_columns},
    )
    return workbook_bytes(workbook)


@dataclass(frozen=True)
class ImportedAccounts:
    accounts: list[User]
    file_name: str
    sha256: str


def accounts_import(*, actor: User | None, data: bytes, file_name: str) -> ImportedAccounts:
    """Create and invite every account of the workbook, or none: :class:`UnusableInput` lists each problem
    by sheet, cell and column label."""
    rows = _checked_rows(actor, data, file_name)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        created = [
            administration.account_create(actor=actor, username=username, details=details, invite=True)
            for username, details in rows
        ]
        audit_record(
            actor=actor,
            action=actions.USER_IMPORT,
            target=User,
            after={
                "file": file_name,
                "sha256": digest,
                "usernames": [account.username for account in created],
            },
        )
    return ImportedAccounts(accounts=created, file_name=file_name, sha256=digest)


def _checked_rows(
    actor: User | None, data: bytes, file_name: str
) -> list[tuple[str, administration.AccountDetails]]:
    if len(data) > MAX_FILE_BYTES:
        raise UnusableInput.single(
            file_name,
            "",
            _("文件过大：账号导入文件不超过 %(limit)s MB") % {"limit": MAX_FILE_BYTES // (1024 * 1024)},
        )
    workbook = open_workbook(data, source=file_name, sheets=[SHEET], limits=workbook_limits())
    sheet_columns = columns(actor)
    read = read_table_sheet(workbook[SHEET], sheet_columns, prefix="accounts")
    problems: list[Problem] = list(read.problems)
    if not read.problems and not read.rows:
        raise UnusableInput.single(file_name, SHEET, _("没有填写任何账号"))
    if len(read.rows) > MAX_ACCOUNTS:
        raise UnusableInput.single(
            file_name,
            SHEET,
            _("一次最多导入 %(limit)s 个账号，本文件有 %(count)s 个")
            % {"limit": MAX_ACCOUNTS, "count": len(read.rows)},
        )
    label = {column.key: column.label for column in sheet_columns}
    codes = {str(row.get("jurisdiction", "")).strip() for row in read.rows}
    places = {place.code: place for place in Jurisdiction.objects.filter(code__in=codes)}
    seen_usernames: dict[str, str] = {}
    seen_emails: dict[str, str] = {}
    accepted: list[tuple[str, administration.AccountDetails]] = []

    def report(index: int, key: str, message: str) -> None:
        where = read.cells.get(f"accounts[{index}].{key}") or read.cells.get(f"accounts[{index}]", SHEET)
        sheet, _bang, cell = where.partition("!")
        problems.append(cell_problem(sheet, cell, label[key], message))

    for index, row in enumerate(read.rows):
        unread = {path.rsplit(".", 1)[-1] for path in read.unread if path.startswith(f"accounts[{index}].")}
        for column in sheet_columns:
            if column.required and column.key not in unread and not str(row.get(column.key, "")).strip():
                report(index, column.key, _("必填，不能为空"))
        username = str(row.get("username", "")).strip()
        code = str(row.get("jurisdiction", "")).strip()
        place = places.get(code)
        if code and place is None:
            report(index, "jurisdiction", _("没有这个区划代码（%(code)s）") % {"code": code})
        if username:
            for message in administration.username_problems(username):
                report(index, "username", message)
            if (first := _first_use(seen_usernames, username, read.cells, index, "username")) is not None:
                report(index, "username", _("与 %(cell)s 的用户名重复") % {"cell": first})
        email = str(row.get("email", "")).strip()
        if email:
            for message in administration.email_problems(email):
                report(index, "email", message)
        if email and (first := _first_use(seen_emails, email, read.cells, index, "email")) is not None:
            report(index, "email", _("与 %(cell)s 的电子邮箱重复") % {"cell": first})
        if place is None or "role" not in row:
            continue
        details = administration.AccountDetails(
            full_name=str(row.get("full_name", "")),
            email=email,
            role=str(row["role"]),
            jurisdiction=place,
            organization=str(row.get("organization", "")),
            phone=str(row.get("phone", "")),
        )
        found = administration.details_problems(actor, details)
        for key, messages in found.items():
            if key == "full_name" and "full_name" not in row:
                continue  # already reported as empty
            if key == "email":
                continue  # reported above, whether or not the row's place is known
            for message in messages:
                report(index, key, message)
        accepted.append((username, details))
    if problems:
        raise UnusableInput(file_name, problems)
    return accepted


def _first_use(seen: dict[str, str], value: str, cells: dict[str, str], index: int, key: str) -> str | None:
    """The cell where ``value`` (case aside) was first given in the file, when this row repeats it."""
    here = cells.get(f"accounts[{index}].{key}", f"accounts[{index}]")
    first = seen.setdefault(value.lower(), here)
    return first if first != here else None
