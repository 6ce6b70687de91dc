"""``smecluster discover``: candidates with their reasons from a small generated file, exports, and
unusable input exiting 2 with the field named."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from click.testing import CliRunner
from openpyxl import load_workbook

from smecluster.cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_lists_ranked_candidates_with_reasons(generated_file: Path) -> None:
    code, output = run("discover", str(generated_file), "--year", "2024", "--top", "5", "--threads", "1")
    assert code == 0, output
    assert "2024 年候选集群（规则 national-2022）" in output
    assert "  1. " in output
    assert "  5. " in output
    assert "区位熵 LQ" in output
    assert "产值近 3 年均 ≥ 40 亿元" in output
    assert "中小企业产值占总产值" in output
    assert "未从企业数据筛查" in output


def test_json_output_ranks_and_scopes_to_a_province(generated_file: Path) -> None:
    code, output = run("discover", str(generated_file), "--year", "2024", "--province", "330000", "--json")
    assert code == 0, output
    document = json.loads(output)
    assert document["province"] == "33"
    candidates = document["candidates"]
    assert candidates
    assert all(c["county_code"].startswith("33") for c in candidates)
    assert [c["rank"] for c in candidates] == list(range(1, len(candidates) + 1))
    keys = [(-c["screens_met"], not c["strong_cluster"], -c["lq"]) for c in candidates]
    assert keys == sorted(keys)
    assert all(c["reasons"] for c in candidates)


def test_exports_csv_xlsx_and_json(generated_file: Path, tmp_path: Path) -> None:
    for suffix in (".csv", ".xlsx", ".json"):
        out = tmp_path / f"candidates{suffix}"
        code, output = run(
            "discover", str(generated_file), "--year", "2024", "--top", "3", "--output", str(out)
        )
        assert code == 0, output
        assert out.exists()
    assert (tmp_path / "candidates.csv").read_text(encoding="utf-8-sig").startswith("排名,县级区划代码")
    sheet = load_workbook(tmp_path / "candidates.xlsx").active
    assert sheet is not None
    assert sheet["A1"].value == "排名"
    assert sheet.max_row == 4
    assert len(json.loads((tmp_path / "candidates.json").read_text())["candidates"]) == 3


def test_a_csv_file_works_like_parquet(generated_file: Path, tmp_path: Path) -> None:
    table = pq.read_table(generated_file)
    plain = pa.schema(
        [
            pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
            for f in table.schema
        ]
    )
    csv_file = tmp_path / "firms.csv"
    pacsv.write_csv(table.cast(plain).drop_columns(["division"]), csv_file)
    from_csv = run("discover", str(csv_file), "--year", "2024", "--top", "10", "--json")
    from_parquet = run("discover", str(generated_file), "--year", "2024", "--top", "10", "--json")
    assert from_csv[0] == from_parquet[0] == 0
    assert json.loads(from_csv[1])["candidates"] == json.loads(from_parquet[1])["candidates"]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("credit_code,county_code,year,employees\n91X,330102,2024,5\n", encoding="utf-8")
    code, output = run("discover", str(bad), "--year", "2024")
    assert code == 2
    assert "industry_code: 缺少该列" in output
    assert "output: 缺少该列" in output
    assert "Traceback" not in output


def test_a_year_absent_from_the_file(generated_file: Path) -> None:
    code, output = run("discover", str(generated_file), "--year", "2019")
    assert code == 2
    assert "year: 2019 is not in the data (years present: 2022, 2023, 2024)" in output


def test_unknown_rule_set_and_bad_options(generated_file: Path, tmp_path: Path) -> None:
    code, output = run("discover", str(generated_file), "--year", "2024", "--rule-set", "atlantis-2030")
    assert code == 2
    assert "unknown rule set 'atlantis-2030'" in output
    code, output = run("discover", str(generated_file), "--year", "2024", "--province", "3301")
    assert code == 2
    assert "province" in output
    code, output = run("discover", str(generated_file), "--year", "2024", "--output", str(tmp_path / "x.pdf"))
    assert code == 2
    assert "--output" in output
    code, output = run("discover", str(tmp_path / "nowhere.parquet"), "--year", "2024")
    assert code == 2
    assert "没有这个文件或目录" in output


def test_a_text_column_where_a_number_belongs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.parquet"
    columns = ["credit_code", "county_code", "industry_code", "year", "employees", "output", "revenue",
               "assets", "rnd", "patents", "titles"]  # fmt: skip
    row = {
        name: ["x"] if name in {"credit_code", "county_code", "industry_code", "titles", "employees"} else [1]
        for name in columns
    }
    pq.write_table(pa.table(row), bad)
    code, output = run("discover", str(bad), "--year", "1")
    assert code == 2
    assert "employees: 应为数值" in output
