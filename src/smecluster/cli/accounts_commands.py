"""``smecluster accounts``: account administration at the server, beside the 账号管理 pages.

- ``reset-2fa USERNAME``: remove a user's second factor (a lost or replaced phone), so the user enrols again
  at the next sign-in (when their role requires it) or may;
- ``link-sso USERNAME SUBJECT``: the account is the one that person signs in as through 统一身份认证 (the
  subject, ``sub``, the identity provider gives them; the single sign-on ADR);
- ``create USERNAME --name --email --role --jurisdiction``: a new account, invited by mail unless
  ``--no-invite`` (the first province administrator of a deployment is made this way);
- ``invite USERNAME``: send the invitation again (the previous link dies);
- ``deactivate USERNAME --reason`` and ``reactivate USERNAME``;
- ``import FILE.xlsx``: the 账号管理 page's bulk import (all or nothing, every problem listed).

Each is audited with no actor (done at the server, not through a page). Bad input (an unknown account, a
role, a jurisdiction, an e-mail in use, a workbook with problems) prints what is wrong and exits 2. The
database comes from the environment, as for ``smecluster manage``; ``--demo`` acts on the demo's.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from smecluster.cli.web_commands import _data_dir, _fail, _setup_django, _use_demo_database

if TYPE_CHECKING:
    from django.core.exceptions import ValidationError

    from smecluster.apps.accounts.models import User

ROLES = ("ministry_admin", "province_admin", "city_officer", "county_officer", "operator", "expert")


@click.group("accounts")
def accounts() -> None:
    """Manage platform accounts."""


@accounts.command("reset-2fa")
@click.argument("username")
@click.option("--reason", default="", help="Why (kept in the audit log), e.g. 手机丢失.")
@click.option("--demo", "use_demo", is_flag=True, help="Act on the demo database.")
def reset_two_factor(username: str, reason: str, use_demo: bool) -> None:
    """Remove USERNAME's authenticator and recovery codes; audited."""
    if use_demo:
        _use_demo_database(_data_dir())
    _setup_django()
    # Imported after django.setup(): the service reads the account and device models.
    from smecluster.apps.accounts.models import User
    from smecluster.apps.accounts.two_factor import two_factor_reset

    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None:
        _fail(f"no account named {username!r}")
        return
    removed = two_factor_reset(
        user=user, actor=None, reason=reason.strip() or "smecluster accounts reset-2fa"
    )
    if removed:
        click.echo(
            f"{username}: two-factor devices removed ({removed}); they enrol again at their next sign-in"
        )
    else:
        click.echo(f"{username}: had no two-factor device; nothing removed (the reset is audited)")


def _django(use_demo: bool) -> None:
    if use_demo:
        _use_demo_database(_data_dir())
    _setup_django()


def _account(username: str) -> User:
    from smecluster.apps.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        _fail(f"no account named {username!r}")
        raise SystemExit(2)  # _fail exits; this line tells the type checker
    return user


def _refused(error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        lines = [f"{field}: {message}" for field, errors in error.message_dict.items() for message in errors]
    else:
        lines = list(error.messages)
    _fail("; ".join(lines))


@accounts.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="The person's full name, e.g. 李婉清.")
@click.option("--email", required=True, help="Where the invitation goes.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--jurisdiction", required=True, help="GB/T 2260 code of the account's office, e.g. 440000.")
@click.option("--organization", default="", help="The unit, e.g. 广东省工业和信息化厅.")
@click.option("--phone", default="")
@click.option("--no-invite", is_flag=True, help="Create without sending the invitation mail.")
@click.option("--demo", "use_demo", is_flag=True, help="Act on the demo database.")
def create(
    username: str,
    full_name: str,
    email: str,
    role: str,
    jurisdiction: str,
    organization: str,
    phone: str,
    no_invite: bool,
    use_demo: bool,
) -> None:
    """Create USERNAME (no usable password) and mail its owner the link to set one; audited."""
    _django(use_demo)
    from django.core.exceptions import ValidationError

    from smecluster.apps.accounts.administration import AccountDetails, account_create
    from smecluster.apps.accounts.models import Jurisdiction

    place = Jurisdiction.objects.filter(code=jurisdiction.strip()).first()
    if place is None:
        _fail(f"no jurisdiction with the code {jurisdiction!r}")
        return
    details = AccountDetails(
        full_name=full_name,
        email=email,
        role=role,
        jurisdiction=place,
        organization=organization,
        phone=phone,
    )
    try:
        account = account_create(actor=None, username=username, details=details, invite=not no_invite)
    except ValidationError as error:
        _refused(error)
        return
    from smecluster.apps.accounts.local_login import local_login_allowed

    if not local_login_allowed(account):
        invited = "; its role signs in through single sign-on: no invitation (link it with link-sso)"
    else:
        invited = "" if no_invite else f"; invitation to {account.email} queued for the job worker"
    click.echo(f"{account.username}: created ({account.role}, {place.code}){invited}")


@accounts.command("invite")
@click.argument("username")
@click.option("--demo", "use_demo", is_flag=True, help="Act on the demo database.")
def invite(username: str, use_demo: bool) -> None:
    """Mail USERNAME's owner a new invitation (the previous link dies); audited."""
    _django(use_demo)
    from django.core.exceptions import ValidationError

    from smecluster.apps.accounts.administration import invitation_send

    account = _account(username)
    try:
        invitation_send(actor=None, account=account)
    except ValidationError as error:
        _refused(error)
        return
    click.echo(f"{username}: invitation to {account.email} queued for the job worker")


@accounts.command("deactivate")
@click.argument("username")
@click.option("--reason", required=True, help="Why (kept in the audit log), e.g. 调离.")
@click.option("--demo", "use_demo", is_flag=True, help="Act on the demo database.")
def deactivate(username: str, reason: str, use_demo: bool) -> None:
    """Deactivate USERNAME and end its sessions; audited. The account and its records stay."""
    _django(use_demo)
    from django.core.exceptions import ValidationError

    from smecluster.apps.accounts.administration import account_deactivate

    account = _account(username)
    try:
        ended = account_deactivate(actor=None, account=account, reason=reason)
    except ValidationError as error:
        _refused(error)
        return
    click.echo(f"{username}: deactivated; {ended} session(s) ended")


@accounts.command("reactivate")
@click.argument("username")
@click.option("--reason", default="", help="Why (kept in the audit log).")
@click.option("--demo", "use_demo", is_flag=True, help="Act on the demo database.")
def reactivate(username: str, reason: str, use_demo: bool) -> None:
    """Let USERNAME sign in again; audited."""
    _django(use_demo)
    from django.core.exceptions import ValidationError

    from smecluster.apps.accounts.administration import account_reactivate

    account = _account(username)
    try:
        account_reactivate(actor=None, account=account, reason=reason)
    except ValidationError as error:
        _refused(error)
        return
    click.echo(f"{username}: active again")


@accounts.command("import")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--demo", "use_demo", is_flag=True, help="Act on the demo database.")
def import_accounts(workbook: Path, use_demo: bool) -> None:
    """Create and invite every account of WORKBOOK (the 账号管理 template), or none when a row is wrong."""
    _django(use_demo)
    from smecluster.apps.accounts.account_import import accounts_import
    from smecluster.errors import UnusableInput

    try:
        imported = accounts_import(actor=None, data=workbook.read_bytes(), file_name=workbook.name)
    except UnusableInput as error:
        _fail(str(error))
        return
    click.echo(f"{workbook.name}: {len(imported.accounts)} account(s) created and invited")


@accounts.command("link-sso")
@click.argument("username")
@click.argument("subject")
@click.option("--issuer", default="", help="The identity provider (default: SMECLUSTER_OIDC_ISSUER).")
@click.option("--demo", "use_demo", is_flag=True, help="Act on the demo database.")
def link_single_sign_on(username: str, subject: str, issuer: str, use_demo: bool) -> None:
    """Link USERNAME to SUBJECT at the identity provider, so that person signs in as it; audited."""
    if use_demo:
        _use_demo_database(_data_dir())
    _setup_django()
    from smecluster.apps.accounts.models import User
    from smecluster.apps.accounts.single_sign_on import link_identity

    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None:
        _fail(f"no account named {username!r}")
        return
    try:
        identity = link_identity(actor=None, user=user, subject=subject, issuer=issuer)
    except ValueError as error:
        _fail(str(error))
        return
    click.echo(f"{username}: signs in through single sign-on as {identity.subject} at {identity.issuer}")
