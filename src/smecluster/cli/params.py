"""Click parameter types shared by the commands."""

from __future__ import annotations

from datetime import date

import click

from smecluster import workdays


class IsoDate(click.ParamType[date]):
    """A date written ``YYYY-MM-DD``; anything else stops the command naming the argument."""

    name = "date"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return workdays.parse_iso_date(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


ISO_DATE = IsoDate()
