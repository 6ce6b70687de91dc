"""Bounded discovery datasets (issue 12, findings 1 and 3 for datasets): a Parquet file whose footer lies, a
CSV too long, too wide, with an enormous line, or a gzip bomb dressed as a CSV are each refused before
DuckDB reads them, quickly, naming the limit, through the check, the upload page (nothing stored, no
server path) and ``smecluster discover`` (exit 2, no traceback); ordinary files still pass."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bomb_datasets import (
    csv_enormous_line,
    csv_gzip_bomb,
    csv_many_rows,
    csv_wide,
    parquet_lying_footer_length,
    parquet_lying_rows,
    parquet_lying_size,
)
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from smecluster.analytics.discovery.dataset_limits import DEFAULT_LIMITS, DatasetLimits, check_dataset
from smecluster.apps.accounts.models import User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.discovery.models import Dataset
from smecluster.cli import main
from smecluster.errors import UnusableInput

# CPU seconds, not wall-clock: the suite shares two cores with other work (as in the workbook bombs).
SECONDS_ALLOWED = 2.0
# The CSV row cap is lowered for the test (the default, 200 M lines, would take a 10 GB file to exceed).
ROW_LIMIT = 100_000

BOMBS: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "footer claims 10^12 rows": ("企业.parquet", parquet_lying_rows, "行数上限"),
    "footer claims a petabyte": ("企业.parquet", parquet_lying_size, "解压后大小上限 65536 MB"),
    "footer longer than the file": ("企业.parquet", parquet_lying_footer_length, "超过文件本身"),
    "too many rows": ("企业.csv", lambda: csv_many_rows(ROW_LIMIT + 1), "行数上限"),
    "too many columns": ("企业.csv", csv_wide, "列数上限 64 列"),
    "an enormous line": ("企业.csv", csv_enormous_line, "行长上限"),
    "a gzip bomb named .csv": ("企业.csv", csv_gzip_bomb, "gzip"),
}


@pytest.fixture(scope="module", params=list(BOMBS))
def bomb(request: pytest.FixtureRequest) -> tuple[str, bytes, str]:
    name, build, message = BOMBS[request.param]
    return name, build(), message


# --------------------------------------------------------------------------------------- the domain core


def test_each_bomb_is_refused_by_the_check_quickly_naming_the_limit(
    bomb: tuple[str, bytes, str], tmp_path: Path
) -> None:
    name, data, message = bomb
    path = tmp_path / name
    path.write_bytes(data)
    started = time.process_time()
    with pytest.raises(UnusableInput) as refused:
        check_dataset(path, DatasetLimits(max_rows=ROW_LIMIT), source=name)
    assert time.process_time() - started < SECONDS_ALLOWED
    assert message in str(refused.value)
    assert str(tmp_path) not in str(refused.value)


def test_each_limit_is_named_when_it_is_the_one_exceeded(tmp_path: Path) -> None:
    path = tmp_path / "lying.parquet"
    path.write_bytes(parquet_lying_size(2**31))
    with pytest.raises(UnusableInput, match="压缩比上限 100:1"):
        check_dataset(path, DEFAULT_LIMITS)
    path.write_bytes(parquet_lying_rows(5_000))
    with pytest.raises(UnusableInput, match="行数上限 4000"):
        check_dataset(path, DatasetLimits(max_rows=4_000))
    with pytest.raises(UnusableInput, match="列数上限 10"):
        check_dataset(path, DatasetLimits(max_columns=10))
    with pytest.raises(UnusableInput, match="元数据大小上限 0 MB"):
        check_dataset(path, DatasetLimits(max_footer_bytes=100))
    with pytest.raises(UnusableInput, match="文件大小上限"):
        check_dataset(path, DatasetLimits(max_bytes=100))
    csv = tmp_path / "lines.csv"
    csv.write_bytes(b"credit_code,county_code\n" + b"1," + b"9" * 5_000 + b"\n")
    with pytest.raises(UnusableInput, match="4 KB 的行长上限"):
        check_dataset(csv, DatasetLimits(max_line_bytes=4 * 1024))


def test_a_long_line_split_across_chunks_is_measured_whole(tmp_path: Path) -> None:
    csv = tmp_path / "split.csv"
    # Lines of 900 KB: each crosses the 1 MB chunk boundary at some point.
    csv.write_bytes(b"a,b\n" + (b"1," + b"9" * 900_000 + b"\n") * 4)
    check_dataset(csv, DatasetLimits(max_line_bytes=900_010))
    with pytest.raises(UnusableInput, match="行长上限"):
        check_dataset(csv, DatasetLimits(max_line_bytes=899_000))


def test_ordinary_files_pass(tmp_path: Path) -> None:
    path = tmp_path / "ordinary.parquet"
    path.write_bytes(parquet_lying_rows(4321))  # no lie: the row count it really has
    check_dataset(path, DEFAULT_LIMITS)
    csv = tmp_path / "ordinary.csv"
    csv.write_bytes(csv_many_rows(ROW_LIMIT))
    check_dataset(csv, DatasetLimits(max_rows=ROW_LIMIT))
    one_line = tmp_path / "header-only.csv"
    one_line.write_bytes(b"credit_code,county_code")
    check_dataset(one_line, DEFAULT_LIMITS)


# --------------------------------------------------------------------------------------------- the CLI


def test_the_cli_refuses_each_bomb_with_a_message_and_exit_2(
    bomb: tuple[str, bytes, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, data, message = bomb
    path = tmp_path / ("bomb" + Path(name).suffix)
    path.write_bytes(data)
    monkeypatch.setattr(
        "smecluster.analytics.discovery.source.DEFAULT_LIMITS", DatasetLimits(max_rows=ROW_LIMIT)
    )
    result = CliRunner().invoke(main, ["discover", str(path), "--year", "2024"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


# -------------------------------------------------------------------------------------------- the page


def test_each_bomb_is_refused_by_the_upload_page_and_nothing_is_stored(
    bomb: tuple[str, bytes, str], security_users: dict[str, User], settings: Any, tmp_path: Path
) -> None:
    name, data, message = bomb
    settings.DISCOVERY_DATASETS_DIR = tmp_path / "datasets"
    settings.DATASET_MAX_ROWS = ROW_LIMIT
    client = Client()
    client.force_login(security_users["province_admin"])
    started = time.process_time()
    response = client.post(
        reverse("discovery:dataset_upload"), {"name": "炸弹", "file": SimpleUploadedFile(name, data)}
    )
    assert time.process_time() - started < SECONDS_ALLOWED
    text = response.content.decode()
    assert response.status_code == 400
    # A gzip file is not text: the upload's own content check refuses it before the limits are read.
    assert message in text or (message == "gzip" and "不是 Parquet 或 CSV" in text)
    for secret in (str(tmp_path), ".partial-"):
        assert secret not in text
    assert not Dataset.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="dataset.").exists()
    stored = tmp_path / "datasets"
    assert not [path for path in stored.rglob("*") if path.is_file()]
    assert client.get(reverse("discovery:index")).status_code == 200


# ------------------------------------------------------ preparation (issue 18): CLI and registration


# `discover prepare` accepts a gzip CSV (a registry extract often comes so) and checks its limits as it is
# decompressed, chunk by chunk: the gzip bomb is refused at the row limit, long before its gigabyte is out.
def test_discover_prepare_refuses_each_bomb_quickly_and_writes_nothing(
    bomb: tuple[str, bytes, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, data, message = bomb
    if message == "gzip":
        message = "行数上限"
    path = tmp_path / ("bomb" + Path(name).suffix)
    path.write_bytes(data)
    monkeypatch.setattr(
        "smecluster.analytics.discovery.prepare.DEFAULT_LIMITS", DatasetLimits(max_rows=ROW_LIMIT)
    )
    started = time.process_time()
    result = CliRunner().invoke(main, ["discover", "prepare", str(path), "--output", str(tmp_path / "out")])
    assert time.process_time() - started < SECONDS_ALLOWED
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    left = (
        [p.name for p in (tmp_path / "out").rglob("*") if p.is_file()] if (tmp_path / "out").exists() else []
    )
    assert left == []


def test_registering_a_placed_bomb_is_refused_and_nothing_is_kept(
    bomb: tuple[str, bytes, str], security_users: dict[str, User], settings: Any, tmp_path: Path
) -> None:
    from django.core.exceptions import ValidationError

    from smecluster.apps.discovery import services

    name, data, message = bomb
    if message == "gzip":
        message = "行数上限"
    settings.DISCOVERY_DATASETS_DIR = tmp_path / "datasets"
    settings.DATASET_MAX_ROWS = ROW_LIMIT
    placed = tmp_path / "datasets" / "placed" / name
    placed.parent.mkdir(parents=True)
    placed.write_bytes(data)
    started = time.process_time()
    with pytest.raises(ValidationError) as refused:
        services.dataset_register(
            actor=security_users["province_admin"], name="炸弹", relative_path=f"placed/{name}"
        )
    assert time.process_time() - started < SECONDS_ALLOWED
    assert message in " ".join(refused.value.messages)
    assert str(tmp_path) not in " ".join(refused.value.messages)
    assert not Dataset.objects.exists()
    prepared = tmp_path / "datasets" / "prepared"
    assert not (prepared.exists() and [p for p in prepared.rglob("*") if p.is_file()])
