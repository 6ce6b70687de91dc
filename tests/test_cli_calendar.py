"""``smecluster calendar``: answers on stdout; unusable input exits 2 with a message, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smecluster.cli import main

# A short year shaped like a State Council notice (元旦 on Friday 2027-01-01, a make-up Saturday),
# made up for the tests: not the official 2027 arrangement.
YEAR_2027 = """\
year,date,weekday,holiday_name,type,official_notice_url
2027,2027-01-01,Fri,元旦,holiday_off,
2027,2027-01-02,Sat,元旦,holiday_off,
2027,2027-01-03,Sun,元旦,holiday_off,
2027,2027-02-05,Fri,春节,holiday_off,
2027,2027-02-08,Mon,春节,holiday_off,
2027,2027-02-20,Sat,春节,makeup_workday,
"""


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every command reads and writes an empty data directory of its own, never the user's."""
    directory = tmp_path / "data"
    monkeypatch.setenv("SMECLUSTER_DATA_DIR", str(directory))
    return directory


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["calendar", *args])


def year_file(tmp_path: Path, text: str = YEAR_2027, name: str = "notice-2027.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("day", "answer"),
    [
        ("2023-10-07", "true"),  # make-up Saturday
        ("2023-10-02", "false"),  # National Day, a Monday
        ("2023-10-14", "false"),  # ordinary Saturday
        ("2023-10-09", "true"),  # ordinary Monday
    ],
)
def test_is_workday_prints_true_or_false(day: str, answer: str) -> None:
    """is-workday prints `true` for a working day, make-up weekend days included, and `false` otherwise."""
    result = run("is-workday", day)
    assert result.exit_code == 0, result.output
    assert result.output == f"{answer}\n"


@pytest.mark.parametrize(
    ("start", "end"),
    [("2022-12-29", "2023-01-05"), ("2023-09-28", "2023-10-10")],
)
def test_period_end_prints_the_last_day_of_the_national_notices(start: str, end: str) -> None:
    """period-end START 5 prints the ISO date on which the real 5-working-day national notices ended."""
    result = run("period-end", start, "5")
    assert result.exit_code == 0, result.output
    assert result.output == f"{end}\n"


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        (["is-workday", "2023-13-01"], "'DATE'"),
        (["is-workday", "2023/10/07"], "'DATE'"),
        (["period-end", "20230928", "5"], "'START'"),
        (["period-end", "2023-09-28", "0"], "'N'"),
        (["period-end", "2023-09-28", "five"], "'N'"),
    ],
)
def test_a_malformed_argument_exits_2_naming_it(args: list[str], argument: str) -> None:
    """A bad date or a count below 1 stops the command with status 2 and names the argument."""
    result = run(*args)
    assert result.exit_code == 2
    assert f"Invalid value for {argument}" in result.output
    assert "Traceback" not in result.output


def test_a_year_without_data_exits_2_naming_the_year_and_how_to_load_it() -> None:
    """Without a 2027 file, asking about 2027 fails with status 2, never a Monday–Friday guess."""
    result = run("is-workday", "2027-01-04")
    assert result.exit_code == 2
    assert "no holiday data for 2027" in result.output
    assert "smecluster calendar load FILE" in result.output
    assert result.stdout == ""


def test_loading_2027_makes_periods_cross_the_year_boundary(data_dir: Path, tmp_path: Path) -> None:
    """After `load`, a period from 2026-12-28 runs over 元旦 2027 to Monday 01-04 instead of failing."""
    assert run("period-end", "2026-12-28", "5").exit_code == 2

    loaded = run("load", year_file(tmp_path))
    assert loaded.exit_code == 0, loaded.output
    stored = data_dir / "holidays" / "2027.csv"
    assert loaded.output == (f"loaded 2027: 5 days off, 1 make-up working day\nstored in {stored}\n")

    assert run("period-end", "2026-12-28", "5").output == "2027-01-04\n"
    assert run("is-workday", "2027-02-20").output == "true\n"
    assert run("is-workday", "2027-02-08").output == "false\n"


def test_load_says_what_it_replaces(tmp_path: Path) -> None:
    """Loading a year again replaces the earlier file; loading a seed year overrides the seed."""
    run("load", year_file(tmp_path))
    assert "replaces the 2027 file loaded before" in run("load", year_file(tmp_path)).output
    seed_year = year_file(tmp_path, "date,type\n2026-01-01,holiday_off\n", name="2026.csv")
    assert "overrides the chinesecalendar seed for 2026" in run("load", seed_year).output


def test_years_lists_seed_and_loaded_years(data_dir: Path, tmp_path: Path) -> None:
    """years lists 2004–2026 from the seed and a loaded 2027 with the file it came from."""
    run("load", year_file(tmp_path))
    result = run("years")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == [str(year) for year in range(2004, 2028)]
    assert lines[0].split()[1] == "seed"
    assert "chinesecalendar" in lines[0]
    assert lines[-1].split()[1] == "loaded"
    assert lines[-1].endswith(str(data_dir / "holidays" / "2027.csv"))


def test_an_invalid_file_exits_2_naming_row_and_column_and_keeps_the_stored_year(
    data_dir: Path, tmp_path: Path
) -> None:
    """A make-up day on a weekday is refused naming row and column; the 2027 loaded before stays."""
    run("load", year_file(tmp_path))
    stored = data_dir / "holidays" / "2027.csv"
    before = stored.read_bytes()

    bad = year_file(
        tmp_path, "date,type\n2027-01-01,holiday_off\n2027-01-04,makeup_workday\n", name="bad.csv"
    )
    result = run("load", bad)

    assert result.exit_code == 2
    assert f"error: {bad}: row 3: date: 2027-01-04 is a Monday" in result.output
    assert stored.read_bytes() == before


def test_a_damaged_stored_year_is_reported_and_can_be_replaced(data_dir: Path, tmp_path: Path) -> None:
    """A stored file broken by hand makes queries exit 2 naming it; loading a good file repairs it."""
    stored = data_dir / "holidays" / "2027.csv"
    stored.parent.mkdir(parents=True)
    stored.write_text("date,type\n2027-01-01,holiday\n", encoding="utf-8")

    broken = run("is-workday", "2025-05-06")
    assert broken.exit_code == 2
    assert f"{stored}: row 2: type" in broken.output

    assert run("load", year_file(tmp_path)).exit_code == 0
    assert run("is-workday", "2025-05-06").output == "true\n"


def test_load_of_a_missing_file_exits_2(tmp_path: Path) -> None:
    """load FILE names the file when it does not exist."""
    result = run("load", str(tmp_path / "absent.csv"))
    assert result.exit_code == 2
    assert "absent.csv" in result.output


def test_the_installed_command_runs_in_its_own_process(data_dir: Path, tmp_path: Path) -> None:
    """The `smecluster` script answers, loads a year, and exits 2 with a message and no traceback."""
    command = str(Path(sys.executable).parent / "smecluster")
    env = {**os.environ, "SMECLUSTER_DATA_DIR": str(data_dir)}

    def smecluster(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [command, "calendar", *args], capture_output=True, text=True, env=env, check=False
        )

    assert smecluster("period-end", "2023-09-28", "5").stdout == "2023-10-10\n"
    missing = smecluster("period-end", "2026-12-28", "5")
    assert missing.returncode == 2
    assert "no holiday data for 2027" in missing.stderr
    assert "Traceback" not in missing.stderr
    assert smecluster("load", year_file(tmp_path)).returncode == 0
    assert smecluster("period-end", "2026-12-28", "5").stdout == "2027-01-04\n"
