"""The register of past recognitions (issue 14, "The register of past recognitions"): a programme's earlier
lists imported from XLSX or CSV, every row checked, all or nothing, audited, harmless to run twice; the
imported clusters then take part in dynamic management (the tick opens their annual reports).

Sources: the issue's bullet and done-when; GB/T 2260 (reference/divisions.py) for places, and the Ministry
of Civil Affairs' 《县级以上行政区划变更情况》 for the renamed counties (reference/data/division_renames.csv);
GB/T 4754-2017 for industry codes; the national rule set's validity ("认定有效期为2023年至2025年" for the 2022
batch, ../shared/data/README.md)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from clock import Clock
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.audit import actions
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.programmes.models import Programme
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster, RegisterImport
from smecluster.apps.registry.services import duties
from smecluster.apps.registry.services.register_import import (
    COLUMNS,
    MAX_ROWS,
    read_register,
    register_import,
    template_workbook,
)
from smecluster.errors import UnusableInput

HEADER = ["批次年度", "序号", "集群名称", "区划代码", "省", "市", "县", "主导产业", "主导产业代码", "来源"]
GOOD_ROWS = [
    ["2022", "1", "深圳市南山区智能终端芯片设计产业集群", "440305", "广东省(深圳市,计划单列市)", "深圳市",
     "南山区", "智能终端芯片设计", "I6520", "工信部企业函〔2023〕5号"],
    ["2024", "", "东莞市万江街道数控装备产业集群", "441900005", "广东省", "东莞市", "万江街道", "数控装备",
     "C3421", "http://kyfz.org.cn/show-42060.html"],
    ["2022", "2", "湛江市廉江市小家电产业集群", "", "广东省", "湛江市", "廉江市", "小家电", "C385", ""],
]  # fmt: skip


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def imp_evidence_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "evidence"
    settings.EVIDENCE_ROOT = root
    return root


@pytest.fixture
def imp_national(web_users: dict[str, User], clock: Clock) -> Programme:
    clock.beijing(date(2026, 12, 7), 10)
    return Programme.objects.create(
        name="国家级中小企业特色产业集群",
        owner=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "province", "national"],
        quota_per_unit=None,
    )


@pytest.fixture
def imp_ministry(web_new_user: Any) -> User:
    user: User = web_new_user("ministry-admin", Role.MINISTRY_ADMIN, "100000")
    return user


def errors_of(data: bytes, programme: Programme) -> list[tuple[int, str, str]]:
    report = read_register(data, "list.csv", programme, today=date(2026, 12, 7))
    return [(error.row, error.column, error.message) for error in report.errors]


def test_good_rows_are_imported_with_the_national_validity_and_audited(
    imp_national: Programme, imp_ministry: User
) -> None:
    report = register_import(
        actor=imp_ministry, programme=imp_national, data=csv_bytes(GOOD_ROWS), filename="a.csv"
    )
    assert report.ok, report.errors
    assert report.register_import is not None
    clusters = {cluster.name: cluster for cluster in RecognizedCluster.objects.all()}
    assert len(clusters) == 3
    nanshan = clusters["深圳市南山区智能终端芯片设计产业集群"]
    # The national rule set counts three calendar years after the batch: 2022 → 2023年至2025年.
    assert (nanshan.valid_from, nanshan.valid_until) == (date(2023, 1, 1), date(2025, 12, 31))
    assert nanshan.status == RecognizedCluster.Status.EXPIRED  # ended before 2026-12-07
    assert nanshan.application is None
    assert nanshan.origin == RecognizedCluster.Origin.REGISTER_IMPORT
    assert nanshan.county_id == "440305"
    assert nanshan.leading_industry_code == "I6520"
    assert nanshan.source == "工信部企业函〔2023〕5号"
    # Numbered like recognition numbers, in the list's 序号 order within the batch.
    assert nanshan.number == "国中小特色集群〔2022〕001"
    assert clusters["湛江市廉江市小家电产业集群"].number == "国中小特色集群〔2022〕002"
    wanjiang = clusters["东莞市万江街道数控装备产业集群"]
    assert wanjiang.county_id == "441900"
    assert wanjiang.places == [{"code": "441900005", "name": "万江街道"}]
    assert wanjiang.status == RecognizedCluster.Status.VALID  # 2025年至2027年
    lianjiang = clusters["湛江市廉江市小家电产业集群"]
    assert lianjiang.county_id == "440881"  # resolved from the names
    # One event for the import, one per cluster created.
    assert AuditEvent.objects.filter(action=actions.REGISTER_IMPORT.code).count() == 1
    assert AuditEvent.objects.filter(action=actions.CLUSTER_IMPORT.code).count() == 3
    # Assumptions are warnings, said in the report.
    assert any("未填认定日期" in warning.message for warning in report.warnings)
    assert any("未填有效期" in warning.message for warning in report.warnings)
    imported = RegisterImport.objects.get()
    assert (imported.rows, imported.clusters_created, imported.rows_already_registered) == (3, 3, 0)
    assert imported.uploaded_by == imp_ministry


def test_running_the_same_file_again_is_harmless(imp_national: Programme, imp_ministry: User) -> None:
    data = csv_bytes(GOOD_ROWS)
    register_import(actor=imp_ministry, programme=imp_national, data=data, filename="a.csv")
    again = register_import(actor=imp_ministry, programme=imp_national, data=data, filename="a.csv")
    assert again.ok
    assert len(again.already_registered) == 3
    assert again.new_rows == []
    assert RecognizedCluster.objects.count() == 3
    # Nothing new: nothing recorded either, no second import and no audit event.
    assert again.register_import is None
    assert RegisterImport.objects.count() == 1
    assert AuditEvent.objects.filter(action=actions.REGISTER_IMPORT.code).count() == 1
    # A file with one new row among known ones adds that row only.
    extra = ["2025", "", "广东省广州市海珠区智能制造系统集成服务产业集群", "440105", "", "", "",
             "智能制造系统集成服务", "I6531", ""]  # fmt: skip
    third = register_import(
        actor=imp_ministry, programme=imp_national, data=csv_bytes([*GOOD_ROWS, extra]), filename="b.csv"
    )
    assert [row.name for row in third.new_rows] == [extra[2]]
    assert RegisterImport.objects.order_by("pk").last().rows_already_registered == 3  # type: ignore[union-attr]
    assert RecognizedCluster.objects.count() == 4


def test_one_bad_row_stores_nothing(imp_national: Programme, imp_ministry: User) -> None:
    bad = ["2023", "", "某县某产业集群", "999999", "", "", "", "某产业", "C3421", ""]
    report = register_import(
        actor=imp_ministry, programme=imp_national, data=csv_bytes([*GOOD_ROWS, bad]), filename="a.csv"
    )
    assert not report.ok
    assert [(error.row, error.column) for error in report.errors] == [(5, "区划代码")]
    assert RecognizedCluster.objects.count() == 0
    assert RegisterImport.objects.count() == 0
    assert not AuditEvent.objects.filter(action=actions.REGISTER_IMPORT.code).exists()


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        # A county renamed since the list (民政部 2018: 撤销余江县，设立余江区), told by its current name.
        (["2022", "", "余江眼镜", "360622", "", "", "", "眼镜", "C3587", ""], "区划代码",
         "余江县 已于2018年更名为 余江区（360603）"),
        (["2022", "", "余江眼镜", "", "江西省", "鹰潭市", "余江县", "眼镜", "C3587", ""], "县",
         "余江县 已于2018年更名为 余江区（360603）"),
        (["2022", "", "某集群", "440600", "", "", "", "家电", "C385", ""], "区划代码", "不是县级区划"),
        (["2022", "", "某集群", "4406", "", "", "", "家电", "C385", ""], "区划代码", "不是6位区划代码"),
        (["2022", "", "某集群", "440606123", "", "", "", "家电", "C385", ""], "区划代码", "不设区的地级市"),
        (["2022", "", "某集群", "", "广东省", "佛山市", "不存在区", "家电", "C385", ""], "县", "没有名为"),
        (["2022", "", "某集群", "", "广东", "", "顺德区", "家电", "C385", ""], "省", "全称"),
        (["2022", "", "某集群", "", "广东省", "中山市", "小榄镇", "锁具", "C3351", ""], "县",
         "9位统计用区划代码"),
        (["2022", "", "某集群", "440606", "广东省", "", "南海区", "家电", "C385", ""], "县", "不符"),
        (["2022", "", "某集群", "440606", "江西省", "", "", "家电", "C385", ""], "省", "不符"),
        (["2022", "", "某集群", "440606", "", "", "", "家电", "X99", ""], "主导产业代码", "GB/T 4754"),
        (["22", "", "某集群", "440606", "", "", "", "家电", "C385", ""], "批次年度", "不是年度"),
        (["2022", "", "", "440606", "", "", "", "家电", "C385", ""], "集群名称", "必填"),
    ],
)  # fmt: skip
def test_each_kind_of_row_error_is_named_with_row_and_column(
    imp_national: Programme, row: list[str], column: str, words: str
) -> None:
    errors = errors_of(csv_bytes([row]), imp_national)
    assert errors
    assert errors[0][:2] == (2, column), errors
    assert words in errors[0][2]


def test_dates_and_validity_are_checked(imp_national: Programme) -> None:
    header = [*HEADER, "认定日期", "有效期起", "有效期止"]
    base = GOOD_ROWS[0]
    rows = [
        [*base[:2], "甲", *base[3:], "2023-13-01", "", ""],
        [*base[:2], "乙", *base[3:], "2023-01-16", "2023-01-01", ""],
        [*base[:2], "丙", *base[3:], "2023-01-16", "2025-12-31", "2023-01-01"],
        [*base[:2], "丁", *base[3:], "2027-01-16", "", ""],
    ]
    errors = errors_of(csv_bytes(rows, header), imp_national)
    assert [(row, column) for row, column, _message in errors] == [
        (2, "认定日期"), (3, "有效期止"), (4, "有效期止"), (5, "认定日期"),
    ]  # fmt: skip


def test_duplicates_in_the_file_are_errors(imp_national: Programme) -> None:
    errors = errors_of(csv_bytes([GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]]), imp_national)
    assert errors == [(4, "集群名称", "与第 2 行重复（同一批次年度、同一集群名称）")]


def test_a_place_outside_the_owner_is_refused(web_users: dict[str, User], web_programme: Programme) -> None:
    row = ["2023", "", "常熟市电子氟材料产业集群", "320581", "", "", "", "电子氟材料", "C3985", ""]
    errors = errors_of(csv_bytes([row]), web_programme)
    assert errors
    assert errors[0][1] == "区划代码"
    assert "不在" in errors[0][2]


def test_gb18030_csv_and_bom_and_english_headers_are_read(imp_national: Programme) -> None:
    english = [column.english for column in COLUMNS if column.label in HEADER]
    assert len(english) == len(HEADER)
    gb = errors_of(csv_bytes(GOOD_ROWS, encoding="gb18030"), imp_national)
    bom = errors_of(b"\xef\xbb\xbf" + csv_bytes(GOOD_ROWS), imp_national)
    by_english = read_register(csv_bytes(GOOD_ROWS, english), "en.csv", imp_national, today=date(2026, 12, 7))
    assert gb == []
    assert bom == []
    assert by_english.ok
    assert len(by_english.rows) == 3
    # GB18030 really decoded (not mojibake): the names come through.
    gb_report = read_register(
        csv_bytes(GOOD_ROWS, encoding="gb18030"), "gb.csv", imp_national, today=date(2026, 12, 7)
    )
    assert gb_report.rows[0].name == "深圳市南山区智能终端芯片设计产业集群"


def test_xlsx_is_read_with_real_dates(imp_national: Programme, imp_ministry: User) -> None:
    header = [*HEADER, "认定日期"]
    rows = [[2023, 1, "北京市海淀区集成电路设计产业集群", "110108", "北京市", "北京市", "海淀区",
             "集成电路设计", "I6520", "", date(2023, 10, 19)]]  # fmt: skip
    report = register_import(
        actor=imp_ministry, programme=imp_national, data=xlsx_bytes(rows, header), filename="a.xlsx"
    )
    assert report.ok, report.errors
    cluster = RecognizedCluster.objects.get()
    assert cluster.recognized_on == date(2023, 10, 19)
    assert (cluster.valid_from, cluster.valid_until) == (date(2024, 1, 1), date(2026, 12, 31))
    assert RegisterImport.objects.get().content_type.endswith("spreadsheetml.sheet")


def test_unknown_columns_and_an_unreadable_file_are_refused_whole(imp_national: Programme) -> None:
    with pytest.raises(UnusableInput, match="未知的列"):
        read_register(
            csv_bytes(GOOD_ROWS, [*HEADER[:-1], "备注"]), "a.csv", imp_national, today=date(2026, 12, 7)
        )
    with pytest.raises(UnusableInput):
        read_register(b"PK\x03\x04not a zip", "a.xlsx", imp_national, today=date(2026, 12, 7))


def test_the_template_names_every_column(imp_national: Programme) -> None:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(template_workbook())).get_sheet_by_index(0)
    assert sheet.to_python()[0] == [str(column.label) for column in COLUMNS]


def test_another_province_cannot_import_into_a_programme_it_does_not_own(
    web_users: dict[str, User], web_programme: Programme, web_new_user: Any, imp_national: Programme
) -> None:
    shaanxi = web_new_user("shaanxi-admin", Role.PROVINCE_ADMIN, "610000")
    row = ["2023", "", "佛山市顺德区家电产业集群", "440606", "", "", "", "家电", "C385", ""]
    for actor, programme in ((shaanxi, web_programme), (web_users["province_admin"], imp_national)):
        with pytest.raises(PermissionDenied):
            register_import(actor=actor, programme=programme, data=csv_bytes([row]), filename="a.csv")
    report = register_import(
        actor=web_users["province_admin"], programme=web_programme, data=csv_bytes([row]), filename="a.csv"
    )
    assert report.ok
    assert RecognizedCluster.objects.get().programme == web_programme


def test_an_imported_cluster_gets_its_annual_report_opened_by_the_tick(
    imp_national: Programme, imp_ministry: User, clock: Clock
) -> None:
    register_import(actor=imp_ministry, programme=imp_national, data=csv_bytes(GOOD_ROWS), filename="a.csv")
    clock.beijing(date(2027, 1, 1), 1)
    duties.open_annual_reports(date(2027, 1, 1))
    opened = set(AnnualReport.objects.filter(year=2026).values_list("cluster__name", flat=True))
    # Valid in 2026: the 2024 batch (2025年至2027年); the 2022 batch expired at the end of 2025.
    assert opened == {"东莞市万江街道数控装备产业集群"}


def test_the_renames_table_points_at_divisions_in_force() -> None:
    """reference/data/division_renames.csv (民政部《县级以上行政区划变更情况》): every new code is a
    county-level division of the table in force, under its new name; no old code is still in force."""
    from smecluster.reference import divisions
    from smecluster.reference.division_renames import renames

    assert renames()
    for rename in renames():
        current = divisions.division(rename.new_code)
        assert current is not None, rename
        assert (current.name, current.level) == (rename.new_name, "county"), rename
        retired = divisions.division(rename.old_code)
        assert retired is None or retired.name != rename.old_name, rename


def test_a_stated_number_is_kept_and_generated_ones_go_around_it(
    imp_national: Programme, imp_ministry: User
) -> None:
    """认定编号 as the list gives it is kept; a row without one is numbered like recognition numbers, never
    taking a number a later row of the same file states."""
    header = [*HEADER, "认定编号"]
    rows = [[*GOOD_ROWS[2], ""], [*GOOD_ROWS[0], "国中小特色集群〔2022〕001"]]
    report = register_import(
        actor=imp_ministry, programme=imp_national, data=csv_bytes(rows, header), filename="n.csv"
    )
    assert report.ok, report.errors
    numbers = dict(RecognizedCluster.objects.values_list("name", "number"))
    assert numbers == {
        GOOD_ROWS[0][2]: "国中小特色集群〔2022〕001",
        GOOD_ROWS[2][2]: "国中小特色集群〔2022〕002",
    }


def test_a_separately_listed_city_note_is_understood_in_either_width(imp_national: Programme) -> None:
    """The lists write 计划单列市 rows as "广东省(深圳市,计划单列市)" (national_clusters_partial.csv), or
    with full-width brackets and comma; either resolves 宝安区 under 深圳市, and a city that contradicts the
    note is an error."""
    rows = [
        ["2022", "", "甲", "", "广东省（深圳市，计划单列市）", "", "宝安区", "锂电池设备制造", "C3569", ""],
        [
            "2022",
            "",
            "乙",
            "",
            "广东省(深圳市,计划单列市)",
            "深圳市",
            "宝安区",
            "锂电池设备制造",
            "C3569",
            "",
        ],
        [
            "2022",
            "",
            "丙",
            "",
            "广东省(深圳市,计划单列市)",
            "广州市",
            "宝安区",
            "锂电池设备制造",
            "C3569",
            "",
        ],
    ]
    report = read_register(csv_bytes(rows), "sz.csv", imp_national, today=date(2026, 12, 7))
    assert [row.county_code for row in report.rows] == ["440306", "440306"]
    assert [(error.row, error.column) for error in report.errors] == [(4, "市")]


def test_a_file_is_bounded_before_it_is_parsed(imp_national: Programme) -> None:
    """A workbook declaring more rows than a register holds is refused by the workbook bounds
    (documents/workbook_limits.py, narrowed to MAX_ROWS) before calamine reads it; a CSV is cut off at the
    row cap. Both name the limit."""
    row = GOOD_ROWS[0]
    many = [[row[0], row[1], f"集群{index}", *row[3:]] for index in range(MAX_ROWS + 20)]
    with pytest.raises(UnusableInput, match="超过行数上限 5010 行"):
        read_register(xlsx_bytes(many), "big.xlsx", imp_national, today=date(2026, 12, 7))
    with pytest.raises(UnusableInput, match=str(MAX_ROWS)):
        read_register(csv_bytes(many), "big.csv", imp_national, today=date(2026, 12, 7))
