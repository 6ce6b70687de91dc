"""``smecluster demo`` and ``smecluster manage``: the web platform from the command line.

``demo`` prepares a demo database of its own (SQLite in the data directory; DATABASE_URL is ignored, so a
real database is never touched), fills it with demo records and accounts, and serves the platform on
127.0.0.1. ``manage`` passes its arguments to Django's management commands (migrate, createsuperuser,
runserver, ...) with the platform's settings.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
from pathlib import Path

import click

from smecluster.workdays import default_data_dir

USAGE_ERROR = 2
SETTINGS_MODULE = "smecluster.site.settings"
DEMO_DATABASE = "demo.sqlite3"
DEMO_SECRET_FILE = "demo-secret-key"


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(USAGE_ERROR)


def _data_dir() -> Path:
    data_dir = default_data_dir()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _fail(f"cannot create the data directory {data_dir} (SMECLUSTER_DATA_DIR): {error.strerror}")
    return data_dir


def _demo_secret_key(data_dir: Path) -> str:
    """A signing key generated once per demo data directory and kept there (readable by its owner only)."""
    path = data_dir / DEMO_SECRET_FILE
    if path.is_file():
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    key = secrets.token_urlsafe(50)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key


def _use_demo_database(data_dir: Path) -> Path:
    """Point this process at the demo database and key; must run before Django reads its settings."""
    database = data_dir / DEMO_DATABASE
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    if not os.environ.get("SMECLUSTER_SECRET_KEY"):
        os.environ["SMECLUSTER_SECRET_KEY"] = _demo_secret_key(data_dir)
    return database


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        _fail(f"the platform's settings are incomplete: {error}")


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@click.command("demo")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help="Port to serve on, on 127.0.0.1.",
)
@click.option("--no-serve", is_flag=True, help="Prepare the demo database and accounts, then exit.")
@click.option("--reset", is_flag=True, help="Delete the demo database first and build it anew.")
def demo(port: int, no_serve: bool, reset: bool) -> None:
    """Create or refresh the demo database with demo accounts, and serve the platform.

    The demo database is $SMECLUSTER_DATA_DIR/demo.sqlite3 (default ~/.local/share/smecluster); its
    signing key is generated once and kept beside it unless SMECLUSTER_SECRET_KEY is set. Running the
    command again keeps what was done in the demo, restores the demo accounts and their password, and
    adds any demo record that is missing (--reset starts from scratch). All demo accounts share the
    password printed at the end; it is for the demo database only.
    """
    data_dir = _data_dir()
    if not no_serve and not _port_free(port):
        _fail(f"port {port} on 127.0.0.1 is in use; choose another with --port")
    database = _use_demo_database(data_dir)
    if reset and database.exists():
        database.unlink()
    _setup_django()

    # Imported after django.setup(): the demo builder imports the apps' models.
    from django.core.management import call_command
    from django.test.utils import override_settings

    from smecluster.site import demo as demo_data

    click.echo(f"preparing the demo database {database} ...", err=True)
    call_command("migrate", interactive=False, verbosity=0)
    # The demo's own history is not mailed; once served, notifications go to the console as usual.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        summary = demo_data.build_demo()

    url = f"http://127.0.0.1:{port}/"
    click.echo("")
    click.echo("demo accounts (all with the same password, for this demo database only):")
    width = max(len(account.username) for account in summary.accounts)
    for account in summary.accounts:
        click.echo(f"  {account.username:<{width}}  {account.description}")
    click.echo(f"password: {demo_data.DEMO_PASSWORD}")
    secrets = demo_data.ensure_demo_authenticators()
    if secrets:
        click.echo("two-factor sign-in (TOTP): after the password these accounts ask for a 6-digit code;")
        click.echo("add the secret to an authenticator app, or run `oathtool --totp -b SECRET`:")
        for username, secret in secrets.items():
            click.echo(f"  {username:<{width}}  {secret}")
    click.echo(
        f"records: {summary.programmes} programmes, {summary.calls} calls, {summary.applications} "
        f"applications, {summary.pool_entries} pool entries"
    )
    for refusal in summary.refused_calls:
        click.echo(f"refused (as the measure requires): {refusal}")
    if no_serve:
        click.echo(f"ready; serve it with `smecluster demo --port {port}` and log in at {url}accounts/login/")
        return
    from django.conf import settings

    # WhiteNoise serves the static files from the apps (no collectstatic); it only wants the root to exist.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    click.echo(f"serving on {url} (log in at {url}accounts/login/); Ctrl-C stops it")
    click.echo("")
    # The production server, not Django's development one, and a job worker beside it: the demo behaves
    # as a deployment does (reports asked for on the pages are made by the worker).
    import subprocess

    from smecluster.cli.serve_commands import gunicorn_options, run_gunicorn

    worker = subprocess.Popen([sys.executable, "-m", "smecluster", "worker"])
    try:
        run_gunicorn(gunicorn_options(f"127.0.0.1:{port}", workers=2, timeout=120))
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@click.command(
    "manage",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
    add_help_option=False,
)
@click.option("--demo", "use_demo", is_flag=True, help="Act on the demo database (as `smecluster demo`).")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(use_demo: bool, args: tuple[str, ...]) -> None:
    """Run one of Django's management commands: smecluster manage [--demo] COMMAND [ARGS...].

    The database and key come from the environment (DATABASE_URL, SMECLUSTER_SECRET_KEY; see
    smecluster/site/settings.py), or with --demo those of the demo. `smecluster manage help` lists the
    commands.
    """
    if use_demo:
        _use_demo_database(_data_dir())
    _setup_django()

    from django.core.management import ManagementUtility, get_commands

    if args and not args[0].startswith("-") and args[0] != "help" and args[0] not in get_commands():
        _fail(f"unknown management command {args[0]!r}; `smecluster manage help` lists them")
    utility = ManagementUtility(["smecluster manage", *args])
    utility.execute()
