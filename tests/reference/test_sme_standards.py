"""The SME size standard as versioned data: the 2011 standard, and a revision loaded beside it."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from smecluster.analytics.sme_size import classify
from smecluster.errors import UnusableInput
from smecluster.reference import industries
from smecluster.reference.sme_standards import load_standards, standard_in_force, standards, standards_dir

FIXTURES = Path(__file__).parent / "fixtures"
# The table as the project's shared reference data gives it (shared/data/sme_size_standard_2011.csv, copied
# verbatim): the oracle the packaged, versioned table must agree with, threshold by threshold.
SHARED_TABLE = FIXTURES / "shared_sme_size_standard_2011.csv"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "data"
    monkeypatch.setenv("SMECLUSTER_DATA_DIR", str(directory))
    return directory


def test_the_2011_standard(data_dir: Path) -> None:
    (standard,) = standards()
    assert standard.standard_id == "miit-2011-300"
    assert standard.document_number == "工信部联企业〔2011〕300号"
    assert standard.effective_from == date(2011, 6, 18)
    assert len(standard.groups) == 16
    industry_group = standard.group("工业")
    assert (industry_group.sme_ceiling.employees, industry_group.sme_ceiling.revenue) == (
        1000,
        Decimal(40000),
    )
    assert industry_group.sme_ceiling.assets is None
    assert standard.group("其他未列明行业").measures() == ("employees",)
    assert standard.group("建筑业").measures() == ("revenue", "assets")
    assert standard.group("房地产开发经营").measures() == ("revenue", "assets")
    assert standard.group("租赁和商务服务业").measures() == ("employees", "assets")


def test_thresholds_are_the_shared_tables(data_dir: Path) -> None:
    packaged = {
        row["industry_group"]: row
        for row in csv.DictReader(
            (Path(industries.__file__).parent / "data" / "sme_size_standards.csv").open(encoding="utf-8")
        )
    }
    for row in csv.DictReader(SHARED_TABLE.open(encoding="utf-8")):
        mine = packaged[row["industry"]]
        for column in row:
            if column not in ("industry", "source"):
                assert mine[column] == row[column], (row["industry"], column)


def test_every_division_is_in_one_group_or_named_as_outside(data_dir: Path) -> None:
    standard = standards()[0]
    outside = {"53", "66", "67", "68", "69", "83", "84", *(str(n) for n in range(91, 98))}
    split = {"59", "70"}
    for division in industries.entries("division"):
        if division.code in outside:
            with pytest.raises(UnusableInput, match="的适用范围内"):
                standard.group_for(division.code)
        elif division.code in split:
            with pytest.raises(UnusableInput, match="跨越该规定的多个行业"):
                standard.group_for(division.code)
        else:
            assert standard.group_for(division.code).name


def test_a_revised_standard_loads_beside_the_first_and_applies_from_its_date(data_dir: Path) -> None:
    standards_dir(data_dir).mkdir(parents=True)
    shutil.copy(FIXTURES / "sme_size_standards_revised.csv", standards_dir(data_dir))
    assert [s.standard_id for s in standards()] == ["miit-2011-300", "test-revision-2027"]
    assert standard_in_force(date(2026, 12, 31)).standard_id == "miit-2011-300"
    assert standard_in_force(date(2027, 1, 1)).standard_id == "test-revision-2027"
    # 1,500 persons and 50,000 万元: large under 2011 (above both ceilings), medium under the revision.
    firm = {"employees": 1500, "revenue": Decimal(50000), "assets": None}
    assert classify("C38", **firm, on=date(2026, 12, 31)).size == "large"
    revised = classify("C38", **firm, on=date(2027, 1, 1))
    assert (revised.size, revised.standard) == ("medium", "测试〔2027〕1号")


def test_no_standard_before_2011(data_dir: Path) -> None:
    with pytest.raises(UnusableInput, match="before the first standard"):
        standard_in_force(date(2011, 6, 17))


def test_a_loaded_file_may_not_reuse_an_id_or_a_day(data_dir: Path) -> None:
    directory = standards_dir(data_dir)
    directory.mkdir(parents=True)
    text = (FIXTURES / "sme_size_standards_revised.csv").read_text(encoding="utf-8")
    (directory / "clash.csv").write_text(text.replace("2027-01-01", "2011-06-18"), encoding="utf-8")
    with pytest.raises(UnusableInput, match="effective_from"):
        standards()


def test_a_malformed_standard_reports_every_problem() -> None:
    text = (FIXTURES / "sme_size_standards_revised.csv").read_text(encoding="utf-8")
    broken = (
        text.replace(",B;C;D,2000,", ",B;C;D,many,")
        .replace(",63;64,", ",63;99,")
        .replace(
            "其他未列明行业,M;N;O;85;R;7030;7090,300,,,100,,,10,,",
            "其他未列明行业,M;N;O;85;R;7030;7090,300,,,,,,10,5,",
        )
    )
    with pytest.raises(UnusableInput) as raised:
        load_standards(broken, "broken.csv")
    fields = [problem.field for problem in raised.value.problems]
    assert "test-revision-2027.工业.sme_ceiling_employees_lt" in fields
    assert "test-revision-2027.信息传输业.gbt4754_2017_codes" in fields
    messages = {str(problem) for problem in raised.value.problems}
    assert "test-revision-2027.其他未列明行业: has no medium floor" in messages
    assert "test-revision-2027.其他未列明行业: has a small floor on a measure with no SME ceiling" in messages
