"""``smecluster accounts reset-2fa USERNAME``: an administrator removes a user's second factor (a lost or
replaced phone), so the user enrols again at the next sign-in (when their role requires it) or may.
``smecluster accounts link-sso USERNAME SUBJECT``: the account is the one that person signs in as through
统一身份认证 (the subject, ``sub``, the identity provider gives them; ADR 0022).

Audited as ``account.two_factor_reset`` with no actor (done at the server, not through a page) and the
reason given. The database comes from the environment, as for ``smecluster manage``; ``--demo`` acts on
the demo's.
"""

from __future__ import annotations

import click

from smecluster.cli.web_commands import _data_dir, _fail, _setup_django, _use_demo_database


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
