"""``smecluster remind-experts``: remind experts of scores due within three days or overdue.

Meant for cron, once a day or more often: each unsubmitted assignment is reminded at most once per day
(the assignment's ``reminded_at``), so a second run on the same day does nothing and says so. The
database and key come from the environment, as for ``smecluster manage`` (DATABASE_URL,
SMECLUSTER_SECRET_KEY); ``--demo`` acts on the demo database.
"""

from __future__ import annotations

import json
from datetime import date

import click

from smecluster.cli.params import ISO_DATE
from smecluster.cli.web_commands import _data_dir, _setup_django, _use_demo_database


@click.command("remind-experts")
@click.option(
    "--as-of",
    "as_of",
    type=ISO_DATE,
    default=None,
    help="The day to remind as of (YYYY-MM-DD); default today in Beijing time (Asia/Shanghai).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the reminders sent as JSON.")
@click.option("--demo", "use_demo", is_flag=True, help="Act on the demo database (as `smecluster demo`).")
def remind_experts(as_of: date | None, as_json: bool, use_demo: bool) -> None:
    """Notify each expert of unsubmitted scores due within 3 days or overdue, once per day each."""
    if use_demo:
        _use_demo_database(_data_dir())
    _setup_django()
    # Imported after django.setup(): the app's models need the app registry ready.
    from django.utils import timezone

    from smecluster.apps.selection.services import experts_remind

    day = as_of or timezone.localdate()
    reminders = experts_remind(as_of=day)
    if as_json:
        click.echo(
            json.dumps(
                {"as_of": day.isoformat(), "reminders": [reminder.as_json() for reminder in reminders]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for reminder in reminders:
        when = (
            f"overdue by {-reminder.days_left} day(s)"
            if reminder.overdue
            else f"due in {reminder.days_left} day(s)"
        )
        click.echo(
            f"reminded {reminder.expert}: {reminder.application} {when} (due {reminder.due_on.isoformat()})"
        )
    click.echo(f"{len(reminders)} reminder(s) sent as of {day.isoformat()}")
