"""``smecluster sme-size``: size, group and standard; exact JSON; bad input exits 2 naming the option."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smecluster.cli import main

REVISED = Path(__file__).parent / "reference" / "fixtures" / "sme_size_standards_revised.csv"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "data"
    monkeypatch.setenv("SMECLUSTER_DATA_DIR", str(directory))
    return directory


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["sme-size", *args])


@pytest.mark.parametrize(
    ("args", "size", "group"),
    [
        (["--industry", "C3857", "--employees", "1000", "--revenue", "40000"], "large", "工业"),
        (["--industry", "C3857", "--employees", "999", "--revenue", "40000"], "medium", "工业"),
        (["--industry", "C3857", "--employees", "20", "--revenue", "300"], "small", "工业"),
        (["--industry", "C3857", "--employees", "19", "--revenue", "300"], "micro", "工业"),
        (["--industry", "F51", "--employees", "5", "--revenue", "1000"], "small", "批发业"),
        (["--industry", "F52", "--employees", "50", "--revenue", "500"], "medium", "零售业"),
        (["--industry", "I65", "--employees", "10", "--revenue", "49.99"], "micro", "软件和信息技术服务业"),
        (["--industry", "E47", "--revenue", "80000", "--assets", "1"], "micro", "建筑业"),
        (["--industry", "E47", "--revenue", "80000", "--assets", "5000"], "medium", "建筑业"),
        (["--industry", "M73", "--employees", "300", "--revenue", "1"], "large", "其他未列明行业"),
    ],
)
def test_json_is_exactly_size_group_and_standard(args: list[str], size: str, group: str) -> None:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "size": size,
        "industry_group": group,
        "standard": "工信部联企业〔2011〕300号",
    }


def test_plain_output_in_chinese_with_reasons() -> None:
    result = run("--industry", "C3857", "--employees", "250", "--revenue", "18000")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == [
        "小型（small）",
        "行业：工业",
        "标准：《中小企业划型标准规定》（工信部联企业〔2011〕300号）",
    ]
    assert "未达中型标准：从业人员 250人，低于 300人" in result.output


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--industry", "C38", "--employees", "10"], "--revenue"),
        (["--industry", "E47", "--revenue", "10"], "--assets"),
        (["--industry", "J66", "--employees", "10", "--revenue", "1"], "--industry"),
        (["--industry", "59", "--employees", "10", "--revenue", "1"], "--industry"),
        (["--industry", "C99", "--employees", "10", "--revenue", "1"], "--industry"),
        (["--industry", "C38", "--employees", "10", "--revenue", "四万"], "--revenue"),
        (["--industry", "C38", "--employees", "-3", "--revenue", "1"], "--employees"),
        (["--industry", "C38", "--employees", "10", "--revenue", "-1"], "--revenue"),
        (["--industry", "C38", "--employees", "10", "--revenue", "1", "--on", "2024-02-30"], "--on"),
        (["--employees", "10"], "--industry"),
    ],
)
def test_bad_input_exits_2_naming_the_option(args: list[str], option: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert "Traceback" not in result.output


def test_on_picks_the_standard_in_force(data_dir: Path) -> None:
    (data_dir / "sme_size_standards").mkdir(parents=True)
    shutil.copy(REVISED, data_dir / "sme_size_standards")
    args = ["--industry", "C38", "--employees", "1500", "--revenue", "50000", "--json"]
    assert json.loads(run(*args, "--on", "2026-12-31").output)["size"] == "large"
    revised = json.loads(run(*args, "--on", "2027-01-01").output)
    assert revised == {"size": "medium", "industry_group": "工业", "standard": "测试〔2027〕1号"}
