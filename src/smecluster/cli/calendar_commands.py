"""``smecluster calendar``: working days under the State Council's holiday arrangements; loading a year."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from smecluster import workdays
from smecluster.cli.params import ISO_DATE


@click.group()
def calendar() -> None:
    """Working days: the State Council's holiday arrangements, with make-up working days (调休).

    Years 2004–2026 come from the chinesecalendar package; an administrator loads later years from
    the official notice with `smecluster calendar load FILE`. Loaded years are stored under
    $SMECLUSTER_DATA_DIR/holidays (default ~/.local/share/smecluster/holidays).
    """


@calendar.command("is-workday")
@click.argument("day", metavar="DATE", type=ISO_DATE)
def is_workday(day: date) -> None:
    """Print `true` if DATE is a working day, `false` if not."""
    click.echo("true" if workdays.is_workday(day) else "false")


@calendar.command("period-end")
@click.argument("start", type=ISO_DATE)
@click.argument("n", type=click.IntRange(min=1))
def period_end(start: date, n: int) -> None:
    """Print the last day of a period of N working days starting on START.

    START counts as day 1 when it is a working day; otherwise the next working day is day 1.
    `period-end 2023-09-28 5` prints 2023-10-10.
    """
    click.echo(workdays.period_end(start, n).isoformat())


@calendar.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load(file: Path) -> None:
    """Check FILE, one year's arrangement as CSV, and store it as that year's, replacing what was there.

    FILE has a header row with at least `date` (YYYY-MM-DD) and `type` (holiday_off or
    makeup_workday), and optionally `holiday_name`; other columns, such as the notice's URL, are kept.
    """
    # What the year had before is read without building the whole calendar: a damaged stored year
    # must not stop an administrator from loading the file that repairs it.
    year = workdays.load_year_file(file).year
    previously_stored = (workdays.holidays_dir() / f"{year}.csv").exists()
    in_seed = any(arrangement.year == year for arrangement in workdays.HolidayCalendar.seed().years)
    loaded = workdays.install_year(file)
    click.echo(
        f"loaded {loaded.year}: {_count(len(loaded.days_off), 'day', 'days')} off, "
        f"{_count(len(loaded.makeup_workdays), 'make-up working day', 'make-up working days')}"
    )
    click.echo(f"stored in {loaded.loaded_from}")
    if previously_stored:
        click.echo(f"replaces the {year} file loaded before")
    elif in_seed:
        click.echo(f"overrides the chinesecalendar seed for {year}")


@calendar.command("years")
def years() -> None:
    """List the years that have holiday data and where each comes from."""
    for arrangement in workdays.holiday_calendar().years:
        origin = "loaded" if arrangement.loaded_from else "seed"
        click.echo(
            f"{arrangement.year}  {origin:<6}  {len(arrangement.days_off):>2} days off  "
            f"{len(arrangement.makeup_workdays):>2} make-up  {arrangement.source}"
        )


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"
