"""``smecluster report`` on the fixture clusters: the three files, in Chinese, with charts; bad input exits
2 naming the option and writes nothing."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.utils import timezone
from docx import Document
from monitoring_support import MON_YEAR
from openpyxl import load_workbook
from pypdf import PdfReader

from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
from smecluster.cli import main
from smecluster.site import demo

pytestmark = pytest.mark.django_db


def _run(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["report", *arguments])
    return result.exit_code, result.output


def test_the_three_formats_for_a_province(mon_clusters: dict[str, RecognizedCluster], tmp_path: Path) -> None:
    for file_format in ("pdf", "docx", "xlsx"):
        target = tmp_path / f"广东.{file_format}"
        code, output = _run(
            "--year", str(MON_YEAR), "--scope", "440000", "--format", file_format, "--output", str(target)
        )
        assert code == 0, output
        assert f"wrote {target} ({file_format})" in output
        assert "3 of 3 cluster(s) with figures (1 from annual report, 2 from application)" in output
    reader = PdfReader(tmp_path / "广东.pdf")
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    assert f"广东省省级中小企业特色产业集群发展评估报告（{MON_YEAR}年度）" in text
    assert "集群总产值219.00亿元" in text
    assert "同比增长15.3%" in text
    assert "集群行业分布（3个集群）" in text  # a chart's title, as text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"].get_object().get("/Font", {}).values()
    }
    assert any("Noto" in name and "CJK" in name and "SC" in name for name in fonts), fonts
    assert not any("JP" in name for name in fonts), fonts  # the Simplified Chinese face only
    document = Document(io.BytesIO((tmp_path / "广东.docx").read_bytes()))
    assert len(document.inline_shapes) >= 3
    assert "219.00" in [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    book = load_workbook(tmp_path / "广东.xlsx")
    assert "集群年度数据" in book.sheetnames
    assert book["集群年度数据"].max_row == 4


def test_national_scope_by_default_covers_the_national_programme_only(
    mon_clusters: dict[str, RecognizedCluster], tmp_path: Path
) -> None:
    """Issue 14: the 全国 report is the national programme's; with none on the platform it is refused, naming
    --programme, instead of counting the provincial clusters under the ministry's name."""
    code, output = _run("--year", str(MON_YEAR), "--format", "xlsx", "--output", str(tmp_path / "全国.xlsx"))
    assert code == 2
    assert "--programme: there is no national programme" in output
    assert not (tmp_path / "全国.xlsx").exists()


def test_the_national_report_counts_only_national_clusters(
    mon_clusters: dict[str, RecognizedCluster], mon_national_cluster: RecognizedCluster, tmp_path: Path
) -> None:
    """Issue 14 (done when: "the national report counts only national clusters"): the ministry's report
    covers the national programme's cluster, not the three provincial ones in the same province."""
    code, output = _run("--year", str(MON_YEAR), "--format", "xlsx", "--output", str(tmp_path / "全国.xlsx"))
    assert code == 0, output
    assert f"国家级中小企业特色产业集群发展评估报告（{MON_YEAR}年度）, 1 of 1 cluster(s)" in output
    rows = list(load_workbook(tmp_path / "全国.xlsx")["集群年度数据"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == [mon_national_cluster.number]
    # the province's report leaves the national cluster out, and the national one narrowed to 广东 has it
    code, output = _run(
        "--year",
        str(MON_YEAR),
        "--scope",
        "440000",
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "粤.xlsx"),
    )
    assert "3 of 3 cluster(s)" in output
    national = str(mon_national_cluster.programme_id)
    code, output = _run(
        "--year", str(MON_YEAR), "--scope", "440000", "--programme", national, "--format", "xlsx",
        "--output", str(tmp_path / "粤国.xlsx"),
    )  # fmt: skip
    assert code == 0, output
    assert f"广东省国家级中小企业特色产业集群发展评估报告（{MON_YEAR}年度）, 1 of 1 cluster(s)" in output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--scope", "999999"), "--scope: 999999 is not a division code"),
        (("--scope", "440606"), "--scope: 440606 (顺德区) is a county-level division"),
        (("--year", "2001"), "--year: 广东省省级在2001年没有已认定集群的年度数据"),
        (("--programme", "999999"), "--programme: no programme 999999"),
    ],
)
def test_bad_input_exits_2_naming_the_option(
    mon_clusters: dict[str, RecognizedCluster], tmp_path: Path, arguments: tuple[str, ...], message: str
) -> None:
    options = {"--year": str(MON_YEAR), "--scope": "440000"}
    options.update(dict(zip(arguments[::2], arguments[1::2], strict=True)))
    target = tmp_path / "report.pdf"
    code, output = _run(
        *(part for pair in options.items() for part in pair), "--format", "pdf", "--output", str(target)
    )
    assert code == 2
    assert message in output
    assert "Traceback" not in output
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    code, output = _run("--year", "2024", "--format", "pdf", "--output", str(tmp_path / "nowhere" / "r.pdf"))
    assert code == 2
    assert "--output: the directory" in output


def test_the_report_of_the_demo_data(web_divisions: None, settings: Any, tmp_path: Path) -> None:
    """On the demo (every situation of dynamic management), the last complete year's report of 广东 in the
    three formats, with charts; its total output is the sum of the annual reports the province received."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo.build_demo()
    year = timezone.localdate().year - 1
    received = AnnualReport.objects.filter(
        year=year, status=AnnualReport.Status.RECEIVED, cluster__county__code__startswith="44"
    ).exclude(cluster__status=RecognizedCluster.Status.REVOKED)
    assert received.exists()
    total = sum(Decimal(str(report.figures["figures"]["output"])) for report in received)
    for file_format in ("pdf", "docx", "xlsx"):
        code, output = _run(
            "--year",
            str(year),
            "--scope",
            "440000",
            "--format",
            file_format,
            "--output",
            str(tmp_path / f"r.{file_format}"),
        )
        assert code == 0, output
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "r.pdf").pages).replace(" ", "")
    assert f"集群总产值{total:.2f}亿元" in text
    assert "集群行业分布" in text
    assert len(Document(io.BytesIO((tmp_path / "r.docx").read_bytes())).inline_shapes) >= 3
    assert load_workbook(tmp_path / "r.xlsx")["集群年度数据"].max_row >= received.count() + 1
