"""The enterprise roster: reading XLSX and CSV, every row checked, and the figures computed from it."""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook
from stdnum.cn import uscc

from smecluster.analytics.roster.indicators import as_profile_figures, compute_indicators
from smecluster.analytics.roster.reading import (
    ROSTER_COLUMNS,
    EnterpriseRow,
    RowError,
    Title,
    _check_row,
    _plain_row,
    _Positions,
    _RowChecker,
    read_roster,
)
from smecluster.analytics.roster.workbooks import write_error_report, write_roster, write_template
from smecluster.errors import UnusableInput
from smecluster.reference.sme_standards import standard_in_force

HEADERS = [column.header_zh for column in ROSTER_COLUMNS]


@pytest.fixture(autouse=True)
def no_loaded_standards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMECLUSTER_DATA_DIR", str(tmp_path / "data"))


def credit_code(serial: int, county: str = "440606") -> str:
    body = f"91{county}{serial:08d}X"
    return body + uscc.calc_check_digit(body)


def firm(serial: int, **changes: Any) -> list[Any]:
    """A valid row: a small manufacturer in 顺德区."""
    row: dict[str, Any] = {
        "credit_code": credit_code(serial),
        "name": f"佛山市顺德区测试电器有限公司{serial}",
        "county_code": "440606",
        "industry_code": "C3857",
        "employees": "120",
        "revenue": "5000",
        "assets": "",
        "output": "4800.5",
        "rnd": "150",
        "invention_patents": "3",
        "titles": "",
        "leading": "是",
    }
    row.update(changes)
    return [row[column.key] for column in ROSTER_COLUMNS]


def as_csv(rows: list[list[Any]], header: list[str] = HEADERS, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def as_xlsx(rows: list[list[Any]], header: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [header, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------ reading, clean files


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_in_each_encoding_chinese_excel_writes(encoding: str) -> None:
    read = read_roster(
        as_csv([firm(1), firm(2, titles="专精特新、高新技术企业")], encoding=encoding), "名录.csv"
    )
    assert read.ok
    assert [row.name for row in read.rows] == [
        "佛山市顺德区测试电器有限公司1",
        "佛山市顺德区测试电器有限公司2",
    ]
    assert read.rows[1].titles == frozenset({Title.specialized, Title.high_tech})


def test_xlsx_with_numbers_as_numbers() -> None:
    rows = [firm(1, employees=120, revenue=5000.25, output=4800, rnd=0, invention_patents=0, leading="否")]
    (row,) = read_roster(as_xlsx(rows), "roster.xlsx").rows
    assert row == EnterpriseRow(
        credit_code=credit_code(1),
        name="佛山市顺德区测试电器有限公司1",
        county_code="440606",
        industry_code="C3857",
        employees=120,
        revenue=Decimal("5000.25"),
        assets=None,
        output=Decimal(4800),
        rnd=Decimal(0),
        invention_patents=0,
        titles=frozenset(),
        leading=False,
    )


def test_content_decides_the_format_not_the_name() -> None:
    assert read_roster(as_xlsx([firm(1)]), "roster.csv").ok
    assert read_roster(as_csv([firm(1)]), "roster.xlsx").ok


def test_headers_by_short_name_or_key_and_optional_columns_left_out() -> None:
    header = [
        "credit_code",
        "企业名称",
        "所在县",
        "行业代码",
        "从业人员",
        "营业收入(万元)",
        "工业总产值/产值",
        "研发经费支出",
        "有效发明专利",
        "是否属于主导产业",
    ]
    row = [credit_code(1), "甲", "440606", "38", "10", "100", "90", "0", "0", "是"]
    (read,) = read_roster(as_csv([row], header=header), "r.csv").rows
    assert (read.industry_code, read.assets, read.titles) == ("C38", None, frozenset())


def test_titles_in_the_ways_people_write_them() -> None:
    rows = [
        firm(1, titles='专精特新"小巨人"；单项冠军'),
        firm(2, titles="小巨人, 创新型"),
        firm(3, titles="国家级高新技术企业、专精特新中小企业"),
    ]
    read = read_roster(as_csv(rows), "r.csv")
    assert [row.titles for row in read.rows] == [
        {Title.little_giant, Title.champion},
        {Title.little_giant, Title.innovative},
        {Title.high_tech, Title.specialized},
    ]


def test_blank_rows_are_skipped_and_row_numbers_stay_as_seen() -> None:
    rows = [firm(1), ["", "", ""], [" "] * 12, firm(2, employees="many")]
    read = read_roster(as_csv(rows), "r.csv")
    assert [(error.row, error.column) for error in read.errors] == [(5, "从业人员（人）")]


def test_a_title_row_above_the_header_and_row_numbers_as_in_excel() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A2"] = "顺德区家电产业集群企业名录（2025年）"
    sheet.append(HEADERS)  # row 3
    sheet.append(firm(1))  # row 4
    sheet.append(firm(2, county_code="999999"))  # row 5
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = read_roster(buffer.getvalue(), "r.xlsx")
    assert [(error.row, error.column) for error in read.errors] == [(5, "所在县（区划代码）")]


# ------------------------------------------------------------------------------------ file-level problems


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "文件为空"),
        (b"  \r\n \r\n", "文件为空"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "既不是 XLSX 工作簿，也不是 CSV 文本文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Excel 97-2003"),
        (b"name,x\r\n\xff\xfe\xff\x80", "既不是 UTF-8 也不是 GB18030"),
    ],
)
def test_not_a_roster_file(data: bytes, words: str) -> None:
    with pytest.raises(UnusableInput) as raised:
        read_roster(data, "upload.bin")
    assert words in str(raised.value)
    assert raised.value.source == "upload.bin"


def test_a_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(UnusableInput, match="不是可读取的 XLSX 工作簿"):
        read_roster(buffer.getvalue(), "roster.xlsx")


def test_a_damaged_workbook() -> None:
    data = as_xlsx([firm(1)])
    with pytest.raises(UnusableInput, match="不是可读取的 XLSX 工作簿"):
        read_roster(data[: len(data) // 2], "roster.xlsx")


def test_a_csv_the_csv_reader_refuses() -> None:
    # A cell beyond the csv module's field limit (131,072 characters): a broken quote swallows the file.
    data = as_csv([firm(n) for n in range(1, 80)]) + b'"' + b"x" * 200_000 + b"\r\n"
    with pytest.raises(UnusableInput, match="第 81 行无法按 CSV 读取"):
        read_roster(data, "r.csv")


def test_csv_rows_are_counted_as_excel_shows_them() -> None:
    # A quoted name with a line break is one row in Excel, though two lines in the file.
    read = read_roster(as_csv([firm(1, name="甲\n公司"), firm(2, revenue="x")]), "r.csv")
    assert [(error.row, error.column) for error in read.errors] == [(3, "营业收入（万元）")]


def test_a_pdf_is_not_a_spreadsheet() -> None:
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(64)
    with pytest.raises(UnusableInput, match="既不是 XLSX 工作簿，也不是 CSV 文本文件"):
        read_roster(pdf, "roster.pdf")


def test_missing_unknown_and_repeated_columns_are_all_named() -> None:
    header = [
        *HEADERS[:4],
        "营业收入（万元）",
        "营业收入（万元）",
        "备注",
        *HEADERS[7:],
    ]  # no 从业人员, 资产总额
    with pytest.raises(UnusableInput) as raised:
        read_roster(as_csv([], header=header), "r.csv")
    messages = [problem.message for problem in raised.value.problems]
    assert "“营业收入（万元）”列出现两次（第 E 列和第 F 列）" in messages
    assert "不认识的列“备注”（第 G 列）" in messages
    assert "缺少列：从业人员（人）" in messages, "资产总额 is optional: it may be left out"
    assert messages[-1].startswith("名册的列为：")


def test_a_header_and_no_firms() -> None:
    with pytest.raises(UnusableInput, match="其下没有企业"):
        read_roster(as_csv([]), "r.csv")


def test_too_large_a_file_is_refused_before_it_is_read() -> None:
    with pytest.raises(UnusableInput, match=r"文件大小为 2\.0 MB，超过上限 1\.0 MB"):
        read_roster(b"x" * (2 * 1024 * 1024), "big.csv", max_bytes=1024 * 1024)


def test_a_10_mb_roster_is_read_whole() -> None:
    # 5,000 firms with long names make a 10 MB CSV, under the 20 MB limit.
    rows = [firm(n, name=f"企业{n}" + "测" * 700) for n in range(5000)]
    data = as_csv(rows)
    assert len(data) > 10 * 1024 * 1024
    read = read_roster(data, "big.csv")
    assert read.ok
    assert len(read.rows) == 5000


# ------------------------------------------------------------------------------------------- row problems


def test_every_row_problem_is_collected_with_row_and_column() -> None:
    rows = [
        firm(1, credit_code=credit_code(1)[:-1] + ("0" if credit_code(1)[-1] != "0" else "1")),
        firm(2, county_code="440600"),  # 佛山市, a prefecture-level city with districts
        firm(3, industry_code="C99"),
        firm(4, revenue="五千", output="-1"),
        firm(5, employees="12.5", invention_patents="2件"),
        firm(6, name="", leading="也许"),
        firm(7, titles="省级专精特新、金牌供应商"),
        firm(8, industry_code="E47", assets=""),  # 建筑业 is classified by assets
        firm(9, industry_code="59"),  # too coarse: 交通运输业 or 仓储业
        firm(10, rnd=""),
        firm(11, credit_code="91440606MA4U"),  # 12 characters of the 18 a code has
    ]
    read = read_roster(as_csv(rows), "r.csv")
    assert not read.ok
    assert read.rows == ()
    found = [(error.row, error.column) for error in read.errors]
    assert found == [
        (2, "统一社会信用代码"),
        (3, "所在县（区划代码）"),
        (4, "行业代码（GB/T 4754-2017）"),
        (5, "营业收入（万元）"),
        (5, "工业总产值/产值（万元）"),
        (6, "从业人员（人）"),
        (6, "有效发明专利（件）"),
        (7, "企业名称"),
        (7, "是否属于主导产业（是/否）"),
        (8, "企业称号"),
        (9, "资产总额（万元）"),
        (10, "行业代码（GB/T 4754-2017）"),
        (11, "研发经费支出（万元）"),
        (12, "统一社会信用代码"),
    ]
    by_place = {(error.row, error.column): error for error in read.errors}
    assert "校验码" in by_place[(2, "统一社会信用代码")].message
    assert "佛山市" in by_place[(3, "所在县（区划代码）")].message
    assert by_place[(5, "营业收入（万元）")].value == "五千"
    assert "负数" in by_place[(5, "工业总产值/产值（万元）")].message
    assert "整数" in by_place[(6, "从业人员（人）")].message
    assert "省级专精特新" in by_place[(10 - 2, "企业称号")].message
    assert "资产总额" in by_place[(9, "资产总额（万元）")].message
    assert "18位" in by_place[(12, "统一社会信用代码")].message


def test_numbers_from_xlsx_cells_are_checked_as_strictly_as_text() -> None:
    rows = [firm(1, employees=12.5, revenue=-3.0, output=1e13, rnd="12万", invention_patents=-1.0)]
    read = read_roster(as_xlsx(rows), "r.xlsx")
    assert [(error.column, error.message) for error in read.errors] == [
        ("从业人员（人）", "应为整数"),
        ("营业收入（万元）", "不能为负数"),
        ("工业总产值/产值（万元）", "数值过大（单位是万元，应小于 1,000,000,000,000 万元），请核对单位"),
        ("研发经费支出（万元）", "应为数字，单位万元，不能含文字或单位"),
        ("有效发明专利（件）", "不能为负数"),
    ]


def test_duplicate_credit_codes_name_both_rows() -> None:
    rows = [firm(1), firm(2), firm(1, name="另一家")]
    read = read_roster(as_csv(rows), "r.csv")
    assert read.errors == (
        RowError(2, "统一社会信用代码", credit_code(1), "统一社会信用代码重复：与第4行相同"),
        RowError(4, "统一社会信用代码", credit_code(1), "统一社会信用代码重复：与第2行相同"),
    )


def test_a_duplicate_is_found_even_in_a_row_with_other_errors_and_spaces_in_the_code() -> None:
    spaced = f"{credit_code(1)[:6]} {credit_code(1)[6:12]}-{credit_code(1)[12:].lower()}"
    read = read_roster(as_csv([firm(1), firm(2, credit_code=spaced, revenue="x")]), "r.csv")
    assert [(error.row, error.column, error.message[:10]) for error in read.errors] == [
        (2, "统一社会信用代码", "统一社会信用代码重复"),
        (3, "统一社会信用代码", "统一社会信用代码重复"),
        (3, "营业收入（万元）", "应为数字，单位万元，"),
    ]
    assert read_roster(as_csv([firm(2, credit_code=spaced)]), "r.csv").rows[0].credit_code == credit_code(
        2 - 1
    )


def test_one_bad_row_among_many_yields_that_row_and_column_and_nothing_to_store() -> None:
    rows = [firm(n) for n in range(1, 301)]
    rows[149] = firm(150, revenue="n/a")
    read = read_roster(as_xlsx(rows), "r.xlsx")
    assert (read.ok, read.rows) == (False, ())
    assert [(error.row, error.column, error.value) for error in read.errors] == [
        (151, "营业收入（万元）", "n/a")
    ]


# ----------------------------------------------------------------------------------------------- writing


def test_the_template_has_the_columns_instructions_and_validation() -> None:
    workbook = load_workbook(io.BytesIO(write_template()))
    assert workbook.sheetnames == ["企业名录", "填写说明"]
    roster = workbook["企业名录"]
    assert [cell.value for cell in roster[1]] == HEADERS
    formulas = {validation.formula1 for validation in roster.data_validations.dataValidation}
    assert '"是,否"' in formulas
    assert any(formula and "小巨人" in formula for formula in formulas)
    validations = roster.data_validations.dataValidation
    assert all(validation.showErrorMessage and validation.prompt for validation in validations)
    assert {validation.errorStyle for validation in validations} == {None, "information"}  # only titles
    explained = [row[0].value for row in workbook["填写说明"].iter_rows(min_row=2, max_row=13)]
    assert explained == HEADERS
    with pytest.raises(UnusableInput, match="其下没有企业"):
        read_roster(write_template(), "template.xlsx")  # the empty template reads back as a header


def test_a_filled_template_reads_back() -> None:
    workbook = load_workbook(io.BytesIO(write_template()))
    workbook["企业名录"].append(firm(1))
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_roster(buffer.getvalue(), "filled.xlsx").ok


def test_export_reads_back_the_same_rows() -> None:
    rows = [
        firm(1, titles="单项冠军、高新技术企业", assets="800.1234"),
        firm(2, name="=HYPERLINK(1)", leading="否"),
    ]
    read = read_roster(as_csv(rows), "r.csv")
    exported = write_roster(read.rows)
    assert read_roster(exported, "export.xlsx") == read
    sheet = load_workbook(io.BytesIO(exported))["企业名录"]
    assert sheet["B3"].data_type == "s"  # a name that looks like a formula stays text


def test_the_error_report() -> None:
    errors = [RowError(5, "营业收入（万元）", "五千", "应为数字"), RowError(7, "企业名称", "=1+1", "x")]
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(write_error_report(errors))).get_sheet_by_index(0)
    assert sheet.to_python() == [
        ["行号", "列", "内容", "问题"],
        [5.0, "营业收入（万元）", "五千", "应为数字"],
        [7.0, "企业名称", "=1+1", "x"],
    ]


# -------------------------------------------------------------------------------------------- indicators


def test_indicators_by_hand() -> None:
    rows = [
        # large manufacturer (≥1000 persons and ≥40000 万元), leading, champion
        firm(
            1,
            employees="1200",
            revenue="50000",
            output="60000",
            rnd="3000",
            invention_patents="40",
            titles="单项冠军、高新技术企业",
        ),
        # medium, leading, 小巨人 and 专精特新
        firm(
            2,
            employees="400",
            revenue="8000",
            output="9000",
            rnd="400",
            invention_patents="10",
            titles="小巨人、专精特新",
        ),
        # small, not leading, 创新型 and 专精特新: one firm of the "不少于10家" clause, not two
        firm(
            3,
            employees="50",
            revenue="600",
            output="700",
            rnd="20",
            invention_patents="0",
            leading="否",
            titles="创新型、专精特新",
        ),
        # micro wholesaler, leading, no titles
        firm(
            4, industry_code="F51", employees="3", revenue="200", output="300", rnd="0", invention_patents="0"
        ),
        # a bank: outside the size standard, counted in totals but not as an SME
        firm(
            5,
            industry_code="J66",
            employees="30",
            revenue="1000",
            output="0",
            rnd="0",
            invention_patents="0",
            leading="否",
        ),
    ]
    read = read_roster(as_csv(rows), "r.csv")
    assert read.ok, read.errors
    figures = compute_indicators(read.rows, on=date(2025, 12, 31))
    assert figures.standard == "工信部联企业〔2011〕300号"
    assert (figures.firms, figures.sme_firms) == (5, 3)
    assert figures.sizes == {"large": 1, "medium": 1, "small": 1, "micro": 1}
    assert [(u.credit_code, u.industry_code) for u in figures.unclassified] == [(credit_code(5), "J66")]
    assert figures.output == Decimal(70000)
    assert figures.sme_output == Decimal(10000)
    assert figures.leading_output == Decimal(69300)
    assert figures.sme_output_share == Fraction(100, 7)  # 10000 / 70000 × 100, exactly
    assert figures.leading_share == Fraction(69300 * 100, 70000)
    assert figures.quality == {
        Title.champion: 1,
        Title.little_giant: 1,
        Title.specialized: 2,
        Title.innovative: 1,
        Title.high_tech: 1,
    }
    assert figures.quality_leading[Title.innovative] == 0
    assert figures.quality_any == 3
    assert figures.champion_or_little_giant_leading == 2
    assert (figures.rnd, figures.sme_rnd) == (Decimal(3420), Decimal(420))
    assert (figures.invention_patents, figures.employees) == (50, 1683)
    assert figures.patents_per_10k_employees == Fraction(50 * 10_000, 1683)

    profile = as_profile_figures(figures)
    assert profile["output"] == Decimal(7)  # 70000 万元 = 7 亿元
    assert profile["sme_output"] == Decimal(1)
    assert profile["leading_output"] == Decimal("6.93")
    assert profile["sme_rnd"] == Decimal("0.042")
    assert profile["quality_firms"] == {
        "champion": 1,
        "little_giant": 1,
        "specialized": 2,
        "innovative": 1,
        "high_tech": 1,
        # 4 holdings of the three lower titles are 3 firms: firm 3 holds two of them.
        "holding_any": [
            {"titles": ["champion", "little_giant"], "firms": 2},
            {"titles": ["specialized", "innovative", "high_tech"], "firms": 3},
        ],
    }


def test_an_empty_roster_has_no_shares() -> None:
    figures = compute_indicators([], on=date(2025, 1, 1))
    assert (figures.firms, figures.sme_output_share, figures.patents_per_10k_employees) == (0, None, None)


def test_a_row_lacking_what_its_group_needs_is_unclassified_not_guessed() -> None:
    (row,) = read_roster(as_csv([firm(1)]), "r.csv").rows
    # Code other than read_roster (a test, a migration) can build a row read_roster would refuse.
    builder_row = dataclasses.replace(row, industry_code="E47", assets=None)
    figures = compute_indicators([builder_row], on=date(2025, 1, 1))
    assert (figures.sme_firms, len(figures.unclassified)) == (0, 1)
    assert "assets" in figures.unclassified[0].reason


# The plain-row path and the full check must agree: the plain path may decline a row, never differ.
_CELL_CHOICES: dict[str, list[Any]] = {
    "credit_code": [
        credit_code(1),
        credit_code(2).lower(),
        " " + credit_code(3),
        credit_code(4)[:-1] + "Z",
        "",
    ],
    "name": ["甲公司", " 乙公司 ", "", 12.0],
    "county_code": ["440606", "440600", "", 440606.0, "999999"],
    "industry_code": ["C3857", "3857", "E47", "59", "J66", "C99", "", " c38 "],
    "employees": ["120", 120.0, 12.5, "-1", "", "1,200", "0120", -3.0, "abc"],
    "revenue": ["5000", 5000.25, "1e3", "-0", "", "1,234.5", 1e13, "NaN", " 7 "],
    "assets": ["", None, "800", 800.5, "  ", "x", -1.0],
    "output": ["4800.5", 4800.0, "", "五千", 1e-5],
    "rnd": ["0", 0.0, "", "1.23456"],
    "invention_patents": ["3", 3.0, "", "3.5"],
    "titles": ["", None, "  ", "高新技术企业", "专精特新、“小巨人”", "金牌", "高新；金牌", 1.0],
    "leading": ["是", "否", "", "Y", True],
}


@given(st.fixed_dictionaries({key: st.sampled_from(values) for key, values in _CELL_CHOICES.items()}))
@settings(max_examples=400, deadline=None)
def test_the_plain_path_never_disagrees_with_the_full_check(cells_by_key: dict[str, Any]) -> None:
    header = dict(enumerate(ROSTER_COLUMNS))
    cells = [cells_by_key[column.key] for column in ROSTER_COLUMNS]
    checker = _RowChecker(standard_in_force(date(2025, 6, 30)))
    errors: list[RowError] = []
    full = _check_row(2, dict(cells_by_key), checker, errors)  # also fills the checker's caches
    plain = _plain_row(cells, _Positions.of(header), checker)
    if plain is not None:
        assert (full, errors) == (plain, [])
