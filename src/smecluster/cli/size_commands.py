"""``smecluster sme-size``: a firm's size (大型/中型/小型/微型) under the SME size standard in force."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation

import click

from smecluster.analytics.sme_size import SIZE_NAMES_ZH, classify
from smecluster.cli.params import ISO_DATE
from smecluster.errors import Problem, UnusableInput
from smecluster.reference.sme_standards import standards

# The API names the measures; the command's options carry the same names with dashes.
_OPTION = {
    "industry_code": "--industry",
    "employees": "--employees",
    "revenue": "--revenue",
    "assets": "--assets",
}


class WanAmount(click.ParamType[Decimal]):
    """An amount in 万元: a plain decimal number, 0 or more."""

    name = "万元"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(f"{value!r} is not a number (an amount in 万元, e.g. 40000 or 1234.5)", param, ctx)
        if not amount.is_finite() or amount < 0:
            self.fail(f"{value!r} is not an amount of 0 or more (万元)", param, ctx)
        return amount


@click.command("sme-size")
@click.option("--industry", "industry_code", required=True, help="GB/T 4754-2017 code: C38, 3857 or C3857.")
@click.option("--employees", type=click.IntRange(min=0), help="从业人员, persons.")
@click.option("--revenue", type=WanAmount(), help="营业收入, 万元.")
@click.option("--assets", type=WanAmount(), help="资产总额, 万元.")
@click.option("--on", "on", type=ISO_DATE, help="Use the standard in force on this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help='Print {"size", "industry_group", "standard"} as JSON.')
def sme_size(
    industry_code: str,
    employees: int | None,
    revenue: Decimal | None,
    assets: Decimal | None,
    on: date | None,
    as_json: bool,
) -> None:
    """Print a firm's size under the SME size standard in force (工信部联企业〔2011〕300号 today).

    SME when below any of its industry group's ceilings; medium or small when at or above every floor of
    that size; micro otherwise. A group without a revenue or asset criterion ignores that option; a
    figure the group needs and that is missing stops the command naming the option.

    \b
    smecluster sme-size --industry C3857 --employees 250 --revenue 18000
    """
    try:
        result = classify(industry_code, employees=employees, revenue=revenue, assets=assets, on=on)
    except UnusableInput as error:
        problems = [Problem(_OPTION.get(p.field, p.field), p.message) for p in error.problems]
        raise UnusableInput("sme-size", problems) from None
    if as_json:
        payload = {"size": result.size, "industry_group": result.industry_group, "standard": result.standard}
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    citation = next(
        (standard.citation for standard in standards() if standard.document_number == result.standard),
        result.standard,
    )
    click.echo(f"{SIZE_NAMES_ZH[result.size]}（{result.size}）")
    click.echo(f"行业：{result.industry_group}")
    click.echo(f"标准：{citation}")
    for reason in result.reasons:
        click.echo(f"  {reason}")
