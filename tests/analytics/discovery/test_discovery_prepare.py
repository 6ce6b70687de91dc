"""``smecluster discover prepare`` (issue 18): each planted bad row rejected for its own reason and counted
exactly, the sample file of rejected rows, the prepared layout answering the same LQ as the raw file through
the existing queries, GB18030 CSV, numeric codes, and unusable input exiting 2."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from conftest import firm, load_benchmark_module
from smecluster.analytics.discovery import queries, source
from smecluster.analytics.discovery.dataset_limits import DatasetLimits
from smecluster.analytics.discovery.prepare import prepare, reasons
from smecluster.cli import main
from smecluster.errors import UnusableInput

COLUMNS = list(firm("330102", "C1711", 1))


def good(
    county: str = "330102",
    industry: str = "C1711",
    employees: Any = 50,
    code: str = "91330102MA27B5Q90K",
    **figures: Any,
) -> dict[str, Any]:
    row = firm(county, industry, 1, code=code)
    row.update(credit_code=code, employees=employees, **figures)
    return row


# One row per reason (the module docstring's table), each failing only that check.
PLANTED: dict[str, dict[str, Any]] = {
    "county_code_unknown": good(county="330199"),  # not assigned in GB/T 2260
    "industry_code_invalid": good(industry="C0111"),  # 01 is in section A, not C
    "year_implausible": good(year=2190),
    "employees_not_a_number": good(employees="五十"),
    "employees_negative": good(employees=-3),
    "output_not_a_number": good(output="n/a"),
    "output_negative": good(output=-1),
    "revenue_not_a_number": good(revenue="1,000"),
    "revenue_negative": good(revenue=-5),
    "assets_not_a_number": good(assets="x"),
    "assets_negative": good(assets=-5),
    "rnd_not_a_number": good(rnd="?"),
    "rnd_negative": good(rnd=-1),
    "patents_not_a_number": good(patents="1.5.2"),
    "patents_negative": good(patents=-2),
    "credit_code_malformed": good(code="91330102MA27B5Q9OK"),  # "O" is not in the GB 32100 alphabet
}


def write_csv(path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def planted_extract(tmp_path: Path, encoding: str = "utf-8") -> Path:
    rows = [good(employees=10 + i) for i in range(20)]
    for reason, row in PLANTED.items():
        rows.insert(len(rows) // 2, row)
        assert reason in reasons()
    rows.append(good(county="330199", year=1900))  # fails two checks: counted once, for the first
    rows.append(good(code="", industry="1711"))  # no credit code and no section letter: both fine
    return write_csv(tmp_path / "extract.csv", rows, encoding)


def test_planted_bad_rows_are_counted_per_reason_and_sampled(tmp_path: Path) -> None:
    # Issue 18: "checks and reports rejected rows (a count per reason and a sample file)".
    report = prepare(planted_extract(tmp_path), tmp_path / "out", max_year=2027, threads=1)
    expected = dict.fromkeys(PLANTED, 1)
    expected["county_code_unknown"] = 2
    assert report.rejected == expected
    assert report.rows_read == 20 + len(PLANTED) + 2
    assert report.rows_accepted == 21
    assert list(report.phases) == ["bounds", "staging", "report", "layout", "cube"]
    with (tmp_path / "out" / "rejected_sample.csv").open(encoding="utf-8") as handle:
        sample = list(csv.DictReader(handle))
    assert sorted(row["reason"] for row in sample) == sorted([*PLANTED, "county_code_unknown"])
    by_reason = {row["reason"]: row for row in sample}
    assert by_reason["employees_not_a_number"]["employees"] == "五十"
    assert by_reason["credit_code_malformed"]["credit_code"] == "91330102MA27B5Q9OK"
    written = json.loads((tmp_path / "out" / "preparation.json").read_text(encoding="utf-8"))
    assert written["rejected"] == expected
    assert written["rows_rejected"] == len(PLANTED) + 1


def test_sample_holds_at_most_the_first_rejected_rows(tmp_path: Path) -> None:
    rows = [good()] + [good(year=1800 + i) for i in range(30)]
    raw = write_csv(tmp_path / "extract.csv", rows)
    report = prepare(raw, tmp_path / "out", max_year=2027, threads=1, sample_size=5)
    assert report.rejected == {"year_implausible": 30}
    with (tmp_path / "out" / "rejected_sample.csv").open(encoding="utf-8") as handle:
        sample = list(csv.DictReader(handle))
    assert [row["year"] for row in sample] == ["1800", "1801", "1802", "1803", "1804"]


def test_gb18030_csv_is_detected_and_read(tmp_path: Path) -> None:
    # Issue 18: "GB18030 or UTF-8 CSV". A Chinese firm name in an extra column makes the bytes GB18030.
    rows = [{**good(), "name": "杭州某某纺织有限公司"}, {**good(year=1900), "name": "湖州织里童装厂"}]
    raw = write_csv(tmp_path / "extract.csv", rows, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        raw.read_text(encoding="utf-8")
    report = prepare(raw, tmp_path / "out", max_year=2027, threads=1)
    assert report.encoding == "gb18030"
    assert (report.rows_accepted, report.rejected) == (1, {"year_implausible": 1})
    sample = (tmp_path / "out" / "rejected_sample.csv").read_text(encoding="utf-8")
    assert "湖州织里童装厂" in sample


def test_gzip_csv_is_read_and_zstd_csv_refused_with_a_message(tmp_path: Path) -> None:
    # Issue 18: "any order and compression". A gzip CSV is decompressed (within the size limit) before the
    # CSV bounds are checked; a zstd CSV is refused, saying what to do, rather than read unchecked.
    plain = planted_extract(tmp_path)
    packed = tmp_path / "extract.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    report = prepare(packed, tmp_path / "out", max_year=2027, threads=1)
    assert (report.rows_accepted, report.rows_rejected) == (21, len(PLANTED) + 1)
    assert not (tmp_path / "out" / "decompressed.csv").exists()
    with pytest.raises(UnusableInput, match="上限"):
        prepare(packed, tmp_path / "small", max_year=2027, limits=DatasetLimits(max_bytes=100))
    zstd = tmp_path / "extract.csv.zst"
    zstd.write_bytes(b"(\xb5/\xfd" + b"\0" * 20)
    with pytest.raises(UnusableInput, match="zstd"):
        prepare(zstd, tmp_path / "z", max_year=2027)


def test_numeric_codes_are_read_as_codes(tmp_path: Path) -> None:
    # County 110101 as a number; industry 610 (class 0610, 煤炭开采 division 06) and 17 (a division).
    table = pa.table(
        {
            **{name: [good()[name]] * 3 for name in COLUMNS},
            "county_code": pa.array([110101, 110101, 330102], pa.int32()),
            "industry_code": pa.array([610, 17, 1711], pa.int32()),
        }
    )
    pq.write_table(table, tmp_path / "extract.parquet")
    report = prepare(tmp_path / "extract.parquet", tmp_path / "out", max_year=2027, threads=1)
    assert (report.rows_accepted, report.rejected) == (3, {})
    prepared = pq.read_table(tmp_path / "out" / "enterprise_year").sort_by("county_division")
    assert prepared.column("county_division").to_pylist() == [11010106, 11010117, 33010217]
    assert prepared.column("industry_code").to_pylist() == ["0610", "17", "1711"]


def extract_of(generated: Path, target: Path) -> Path:
    """The generator's rows as a registry extract: text codes, no pre-computed keys, shuffled, ZSTD."""
    table = pq.read_table(generated).drop_columns(["division", "county_division"])
    table = table.set_column(
        table.schema.get_field_index("county_code"), "county_code", pc.cast(table["county_code"], pa.string())
    )
    order = pc.sort_indices(pc.bit_wise_xor(pc.multiply(pa.array(range(table.num_rows)), 7919), 12345))
    pq.write_table(table.take(order), target, compression="zstd")
    return target


def lq_rows(table: Any) -> list[tuple[Any, ...]]:
    result = queries.location_quotients(table).to_pyarrow()
    columns = ["county_code", "division", "year", "employees", "firms", "output", "lq", "strong"]
    return sorted(zip(*(result.column(name).to_pylist() for name in columns), strict=True))


def test_prepared_layout_gives_the_same_lq_as_the_raw_extract(generated_file: Path, tmp_path: Path) -> None:
    raw = extract_of(generated_file, tmp_path / "extract.parquet")
    report = prepare(raw, tmp_path / "out", max_year=2027, threads=1)
    assert (report.rows_rejected, report.years) == (0, [2022, 2023, 2024])
    connection = source.connect_duckdb(threads=1)
    from_raw = lq_rows(source.open_enterprise_years(connection, raw))
    from_prepared = lq_rows(source.open_enterprise_years(connection, tmp_path / "out" / "enterprise_year"))
    assert from_prepared == from_raw
    assert len(from_raw) > 100
    # Each year's file is sorted by the county × division key and LZ4-compressed.
    for year in report.years:
        part = pq.ParquetFile(tmp_path / "out" / "enterprise_year" / f"year={year}" / "part-0.parquet")
        keys = part.read(columns=["county_division"]).column(0).to_pylist()
        assert keys == sorted(keys)
        assert part.metadata.row_group(0).column(0).compression == "LZ4"


def test_cube_sums_match_the_layout(generated_file: Path, tmp_path: Path) -> None:
    # The cube holds the sums the LQ needs: its employees per county × division × year, summed over the
    # size classes, are the LQ query's.
    report = prepare(
        extract_of(generated_file, tmp_path / "extract.parquet"), tmp_path / "out", max_year=2027
    )
    cube = pq.read_table(tmp_path / "out" / "cube.parquet")
    assert cube.num_rows == report.cube_rows
    summed = cube.group_by(["county_division", "year"]).aggregate([("employees", "sum"), ("firms", "sum")])
    connection = source.connect_duckdb(threads=1)
    lq = queries.location_quotients(
        source.open_enterprise_years(connection, tmp_path / "out" / "enterprise_year")
    ).to_pyarrow()
    from_cube = sorted(
        (key // 100, key % 100, year, employees, firms)
        for key, year, employees, firms in zip(
            *(
                summed.column(name).to_pylist()
                for name in ["county_division", "year", "employees_sum", "firms_sum"]
            ),
            strict=True,
        )
    )
    from_lq = sorted(
        (int(c), int(d), y, e, f)
        for c, d, y, e, f in zip(
            *(
                lq.column(name).to_pylist()
                for name in ["county_code", "division", "year", "employees", "firms"]
            ),
            strict=True,
        )
    )
    assert from_cube == from_lq
    assert sum(cube.column("firms").to_pylist()) == report.rows_accepted


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_cli_prepares_and_reports(tmp_path: Path) -> None:
    code, output = run("discover", "prepare", str(planted_extract(tmp_path)), "--output", str(tmp_path / "o"))
    assert code == 0, output
    assert "拒绝 17 行" in output
    assert "county_code_unknown: 2" in output


def test_cli_exits_2_on_unusable_input(tmp_path: Path) -> None:
    no_county = write_csv(tmp_path / "bad.csv", [{k: v for k, v in good().items() if k != "county_code"}])
    code, output = run("discover", "prepare", str(no_county), "--output", str(tmp_path / "o"))
    assert code == 2, output
    assert "county_code" in output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    code, output = run(
        "discover", "prepare", str(planted_extract(tmp_path)), "--output", str(tmp_path / "full")
    )
    assert code == 2, output
    assert "不为空" in output
    code, output = run(
        "discover",
        "prepare",
        str(planted_extract(tmp_path)),
        "--output",
        str(tmp_path / "o2"),
        "--encoding",
        "big5",
    )
    assert code == 2, output


def test_bounds_are_checked_before_duckdb_parses(tmp_path: Path) -> None:
    # The dataset bounds (dataset_limits) stay in front of preparation: a CSV with more lines than allowed
    # is refused by counting newlines, and nothing is written.
    raw = planted_extract(tmp_path)
    with pytest.raises(UnusableInput, match="行数上限"):
        prepare(raw, tmp_path / "out", max_year=2027, limits=DatasetLimits(max_rows=10))
    assert not (tmp_path / "out" / "enterprise_year").exists()


def test_discover_ranks_the_prepared_layout_as_it_ranks_the_extract(
    generated_file: Path, tmp_path: Path
) -> None:
    # Issue 18: the prepared layout is what `smecluster discover` reads; same candidates, same reasons.
    raw = extract_of(generated_file, tmp_path / "extract.parquet")
    code, output = run("discover", "prepare", str(raw), "--output", str(tmp_path / "out"), "--threads", "1")
    assert code == 0, output
    common = ["--year", "2024", "--top", "10", "--json", "--threads", "1"]
    code, from_raw = run("discover", str(raw), *common)
    assert code == 0, from_raw
    code, from_prepared = run("discover", str(tmp_path / "out" / "enterprise_year"), *common)
    assert code == 0, from_prepared
    assert json.loads(from_prepared)["candidates"] == json.loads(from_raw)["candidates"]
    assert len(json.loads(from_raw)["candidates"]) == 10


def test_malformed_csv_lines_are_counted_and_listed_not_fatal(tmp_path: Path) -> None:
    # A registry extract with a broken line (a field missing, a stray separator) is still prepared: the
    # line is counted as line_malformed and listed with its number in rejected_lines.csv.
    raw = write_csv(tmp_path / "extract.csv", [good(), good(employees=20)])
    text = raw.read_text(encoding="utf-8").splitlines()
    text.insert(2, "91330102MA27B5Q90K,330102,C1711,2024,5")  # too few fields
    text.append(text[1] + ",extra")  # too many
    raw.write_text("\n".join(text) + "\n", encoding="utf-8")
    report = prepare(raw, tmp_path / "out", max_year=2027, threads=1)
    assert (report.rows_accepted, report.rejected) == (2, {"line_malformed": 2})
    with (tmp_path / "out" / "rejected_lines.csv").open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert [row["line"] for row in lines] == ["3", "5"]
    assert lines[0]["csv_line"] == "91330102MA27B5Q90K,330102,C1711,2024,5"


def test_rejected_rows_of_a_parquet_extract_carry_their_row_number(tmp_path: Path) -> None:
    rows = [good(), good(county="330199"), good(), good(year=1900)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "extract.parquet")
    report = prepare(tmp_path / "extract.parquet", tmp_path / "out", max_year=2027, threads=1)
    assert report.rejected == {"county_code_unknown": 1, "year_implausible": 1}
    with (tmp_path / "out" / "rejected_sample.csv").open(encoding="utf-8") as handle:
        sample = list(csv.DictReader(handle))
    assert [(row["source_row"], row["reason"]) for row in sample] == [
        ("2", "county_code_unknown"),
        ("4", "year_implausible"),
    ]


def test_the_benchmark_extract_with_planted_rows_is_reported_exactly(
    generated_file: Path, tmp_path: Path
) -> None:
    # The 100 M benchmark's extract spoils one row in N for five reasons and writes the counts it expects
    # (benchmarks/discovery/make_extract.py --plant-every); the same, small: every count exact.
    make_extract = load_benchmark_module("make_extract")
    raw = tmp_path / "extract.parquet"
    make_extract.make_extract(generated_file, raw, plant_every=300)
    expected = json.loads((tmp_path / "extract.parquet.planted.json").read_text(encoding="utf-8"))
    assert set(expected) <= set(reasons())
    assert all(count > 0 for count in expected.values())
    report = prepare(raw, tmp_path / "out", max_year=2027, threads=1)
    assert report.rejected == expected
    assert report.rows_accepted == report.rows_read - sum(expected.values())
