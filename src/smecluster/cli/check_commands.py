"""``smecluster check``, ``profile-schema``, ``rule-sets``, ``rule-set-schema``: thin shells over policy/."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from smecluster.cli.params import ISO_DATE
from smecluster.errors import UnusableInput
from smecluster.policy.checking import check_document
from smecluster.policy.comparison import QUALITATIVE_TOPIC, compare, review_count
from smecluster.policy.display import LEGEND, MARK, outcome_text, threshold_text, value_text
from smecluster.policy.evaluator import evaluate
from smecluster.policy.ruleset import (
    RuleSet,
    load_rule_set_file,
    rule_set,
    rule_set_json_schema,
    rule_set_summary,
    rule_sets,
)
from smecluster.policy.verdict import Status, Verdict
from smecluster.profile import load_profile, profile_json_schema


def _print_json(document: Any) -> None:
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


def _resolve(rule_set_option: str) -> RuleSet:
    # A path lets a province try an edited rule-set file before it is deployed.
    if rule_set_option.endswith((".yaml", ".yml")):
        path = Path(rule_set_option)
        if not path.is_file():
            raise UnusableInput.single(rule_set_option, "", "no such rule-set file")
        return load_rule_set_file(path)
    return rule_set(rule_set_option)


@click.command()
@click.argument("profile", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--rule-set", "rule_set_option", metavar="ID|FILE", help="rule-set id, or a rule-set YAML file")
@click.option("--all", "all_rule_sets", is_flag=True, help="every rule set, side by side")
@click.option("--json", "as_json", is_flag=True, help="print the verdict as JSON")
@click.option(
    "--as-of",
    type=ISO_DATE,
    help="date for the rule set's validity check (default: the application date); the last 3 years "
    "and the incident window always count back from the application date",
)
@click.option(
    "--explain", is_flag=True, help="print the working of every criterion, not only the failing ones"
)
def check(
    profile: Path,
    rule_set_option: str | None,
    all_rule_sets: bool,
    as_json: bool,
    as_of: date | None,
    explain: bool,
) -> None:
    """Check a cluster profile against a rule set's recognition criteria, article by article."""
    if bool(rule_set_option) == all_rule_sets:
        raise click.UsageError("give either --rule-set ID or --all")
    cluster = load_profile(profile)
    chosen = list(rule_sets().values()) if all_rule_sets else [_resolve(rule_set_option or "")]
    if as_json:
        documents = [check_document(cluster, each, as_of) for each in chosen]
        _print_json(documents if all_rule_sets else documents[0])
        return
    verdicts = [evaluate(cluster, each, as_of) for each in chosen]
    console = _console()
    console.print(f"{cluster.name}（申报日期 {cluster.application_date}）")
    if all_rule_sets:
        _print_side_by_side(console, verdicts)
    else:
        _print_verdict(console, verdicts[0], explain)


def _console() -> Console:
    # Piped output has no terminal width; a side-by-side table of four rule sets needs about 120 columns.
    console = Console(highlight=False, soft_wrap=False)
    console.width = max(console.width, 120)
    return console


def _print_verdict(console: Console, verdict: Verdict, explain: bool) -> None:
    table = Table(title=f"{verdict.rule_set_title}（{verdict.rule_set_id}）", title_justify="left")
    for header in ("条款", "条件", "数值", "阈值", "结果"):
        table.add_column(header, overflow="fold")
    for result in verdict.results:
        table.add_row(
            result.criterion.article.cite(),
            result.criterion.clause,
            value_text(result),
            threshold_text(result),
            MARK[result.status],
        )
    console.print(table)
    console.print(LEGEND)
    console.print(f"结论：{outcome_text(verdict)}（{verdict.outcome.value}）")
    shown = [
        result
        for result in verdict.results
        if explain or result.status in (Status.FAIL, Status.MISSING) or result.criterion.kind != "qualitative"
    ]
    if shown:
        console.print("计算过程：")
        for result in shown:
            console.print(f"  {MARK[result.status]} {result.criterion.id}：{result.explanation}")
    for warning in verdict.warnings:
        console.print(f"注意：{warning}")


def _print_side_by_side(console: Console, verdicts: list[Verdict]) -> None:
    table = Table(title="各规则集对照", title_justify="left")
    table.add_column("条件", overflow="fold")
    for verdict in verdicts:
        table.add_column(verdict.rule_set_id, overflow="fold")
    for row in compare(verdicts):
        cells = []
        for results in row.cells:
            if not results:
                cells.append("（无此条件）")
            elif row.key == QUALITATIVE_TOPIC:
                cells.append(f"? {review_count(results)} 项待评审")
            else:
                cells.append(
                    "\n".join(
                        f"{MARK[result.status]} {value_text(result)} {threshold_text(result)}".rstrip()
                        for result in results
                    )
                )
        table.add_row(row.label, *cells)
    table.add_row("结论", *(outcome_text(verdict) for verdict in verdicts))
    console.print(table)
    console.print(LEGEND)
    for verdict in verdicts:
        for warning in verdict.warnings:
            console.print(f"注意（{verdict.rule_set_id}）：{warning}")


@click.command("profile-schema")
def profile_schema() -> None:
    """Print the JSON Schema of the cluster profile (design/cluster-profile.md)."""
    _print_json(profile_json_schema())


@click.command("rule-set-schema")
def rule_set_schema() -> None:
    """Print the JSON Schema that every rule-set file must satisfy."""
    _print_json(rule_set_json_schema())


@click.command("rule-sets")
@click.option("--json", "as_json", is_flag=True, help="print as JSON")
def rule_sets_command(as_json: bool) -> None:
    """List the rule sets: id, document, issuer, date and validity."""
    listed = [rule_set_summary(each) for each in rule_sets().values()]
    if as_json:
        _print_json(listed)
        return
    table = Table()
    for header in ("id", "文件", "文号", "发布", "有效期", "条件数"):
        table.add_column(header, overflow="fold")
    for entry in listed:
        window = f"{entry['valid_from'] or '?'} 至 {entry['valid_until'] or '?'}"
        table.add_row(
            str(entry["id"]),
            str(entry["document"]),
            str(entry["number"] or "—"),
            str(entry["issued"] or "—"),
            window,
            str(entry["criteria"]),
        )
    _console().print(table)
