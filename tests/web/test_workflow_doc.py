"""docs/workflow.md is generated from the declared state machines and must not go stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from smecluster.apps.workflow.diagram import mermaid, transition_table
from smecluster.apps.workflow.engine import Machine
from smecluster.apps.workflow.machines import MACHINES
from smecluster.cli import main
from smecluster.cli.workflow_commands import render_workflow_document

WORKFLOW_DOC = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"


def test_docs_workflow_md_is_what_the_machines_give() -> None:
    """Regenerate with `smecluster workflow-doc` when a machine changes."""
    assert WORKFLOW_DOC.read_text(encoding="utf-8") == render_workflow_document(), (
        "docs/workflow.md is stale: run `smecluster workflow-doc`"
    )


def test_check_exits_1_on_a_stale_file_and_0_on_a_fresh_one(tmp_path: Path) -> None:
    stale = tmp_path / "workflow.md"
    stale.write_text("# old\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["workflow-doc", "--check", "--output", str(stale)])
    assert result.exit_code == 1
    assert stale.read_text(encoding="utf-8") == "# old\n"  # --check writes nothing
    assert CliRunner().invoke(main, ["workflow-doc", "--output", str(stale)]).exit_code == 0
    assert CliRunner().invoke(main, ["workflow-doc", "--check", "--output", str(stale)]).exit_code == 0


@pytest.mark.parametrize("machine", MACHINES, ids=lambda machine: machine.name)
def test_every_transition_source_is_an_arrow_and_a_table_row(machine: Machine[Any]) -> None:
    arrows = [line for line in mermaid(machine) if "-->" in line and "[*]" not in line]
    assert len(arrows) == sum(len(row.sources) for row in machine.transitions.values())
    starts = [line for line in mermaid(machine) if line.startswith("    [*] --> ")]
    creating = [row for row in machine.transitions.values() if not row.sources]
    if creating:  # each transition that creates the record starts the diagram, labelled
        assert starts == [f"    [*] --> {row.target} : {row.label}（{row.actor.label}）" for row in creating]
    else:
        assert starts == [f"    [*] --> {machine.initial}"]
    rows = transition_table(machine)[2:]
    assert [row.split(" | ")[0] for row in rows] == [f"| `{action}`" for action in machine.transitions]
