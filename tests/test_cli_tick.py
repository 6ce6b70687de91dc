"""``smecluster tick``'s arguments: a date that is not YYYY-MM-DD stops the command before it touches the
database, naming ``--as-of`` (exit 2, no traceback). Its runs against a database are tested in
``tests/web/oversight/test_oversight_tick.py``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from smecluster.cli import main


@pytest.mark.parametrize("bad", ["2026-02-30", "20260301", "tomorrow", "2026-3-1", ""])
def test_a_bad_as_of_exits_2_naming_the_option(bad: str) -> None:
    result = CliRunner().invoke(main, ["tick", "--as-of", bad, "--json"])
    assert result.exit_code == 2
    assert "--as-of" in result.output
    assert "Traceback" not in result.output


def test_help_names_the_options() -> None:
    result = CliRunner().invoke(main, ["tick", "--help"])
    assert result.exit_code == 0
    for option in ("--as-of", "--json", "--demo"):
        assert option in result.output
