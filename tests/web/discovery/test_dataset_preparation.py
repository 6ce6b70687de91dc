"""Datasets are prepared datasets (issue 18): registration and upload prepare the file in the job worker
(``smecluster discover prepare``, ADR 0029) with real progress, the dataset's page shows the preparation
report and, to those who manage it, the rejected sample; a failure leaves nothing; a dataset registered
before preparation existed gets a 准备 action; a run on a prepared dataset answers from the cube in the
request, with the candidates the raw file gives; ``files verify``, backups and /healthz know the prepared
directories."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from discovery_files import enterprise_rows, parquet_bytes
from django.test import Client
from django.urls import reverse

from jobs_worker import run_waiting_jobs
from smecluster.analytics.discovery import cube, prepare
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.discovery import preparation, services
from smecluster.apps.discovery.models import Dataset, DiscoveryRun
from smecluster.apps.discovery.rejection_reasons import reason_label
from smecluster.apps.evidence.verification import verify_files
from smecluster.apps.jobs.models import Job

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]

HEADER = ["credit_code", "county_code", "industry_code", "year", "employees", "output", "revenue", "assets",
          "rnd", "patents", "titles"]  # fmt: skip
# One planted row per reason a CSV can show (prepare.py's checks, in their order), each breaking one
# thing of a good row; the last line has a field too many.
GOOD = ["914406062110000099", "440606", "C2110", "2024", "50", "8000", "8000", "16000", "200", "1", ""]
PLANTED = {
    "county_code_unknown": {"county_code": "999999"},
    "industry_code_invalid": {"industry_code": "C0199"},
    "year_implausible": {"year": "1800"},
    "employees_not_a_number": {"employees": "many"},
    "output_negative": {"output": "-5"},
    "credit_code_malformed": {"credit_code": "91440606-BAD"},
}


def _csv_with_planted_rows() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in enterprise_rows():
        writer.writerow(["" if row[name] is None else row[name] for name in HEADER])
    for changes in PLANTED.values():
        writer.writerow([changes.get(name, value) for name, value in zip(HEADER, GOOD, strict=True)])
    out.write(",".join(GOOD) + ",extra\n")
    return out.getvalue().encode()


def _place(datasets_dir: Path, name: str, content: bytes) -> Path:
    placed = datasets_dir / name
    placed.parent.mkdir(parents=True, exist_ok=True)
    placed.write_bytes(content)
    return placed


def _prepared_root_entries(datasets_dir: Path) -> list[str]:
    root = datasets_dir / preparation.PREPARED
    return sorted(path.name for path in root.iterdir()) if root.exists() else []


# --- registration as a job, its report ----------------------------------------------------------------------


def test_registration_prepares_the_file_in_a_job_and_the_page_shows_the_report(
    login: Login, datasets_dir: Path
) -> None:
    _place(datasets_dir, "registry/2024.csv", _csv_with_planted_rows())
    client = login("province_admin")
    response = client.post(
        reverse("discovery:dataset_register"), {"name": "名录", "path": "registry/2024.csv"}
    )
    assert response.status_code == 302
    assert not Dataset.objects.exists()
    (job,) = run_waiting_jobs()
    assert job.status == Job.Status.DONE, job.error
    job_page = client.get(response["Location"]).content.decode()
    assert "已完成" in job_page
    dataset = Dataset.objects.get()
    assert job.result_link == reverse("discovery:dataset", args=[dataset.pk])
    good = len(enterprise_rows())
    assert (dataset.row_count, dataset.rows_accepted, dataset.rows_rejected) == (
        good + len(PLANTED) + 1,
        good,
        len(PLANTED) + 1,
    )
    assert dataset.rejected_by_reason == {**dict.fromkeys(PLANTED, 1), "line_malformed": 1}
    assert dataset.preparation_seconds is not None
    assert dataset.preparation_seconds > 0
    prepared = datasets_dir / dataset.prepared_path
    assert prepared == datasets_dir / "prepared" / dataset.sha256
    assert (prepared / "preparation.json").is_file()
    assert set(dataset.prepared_files) >= {"preparation.json", "rejected_sample.csv"}
    assert _prepared_root_entries(datasets_dir) == [dataset.sha256]  # no partial directory left
    event = AuditEvent.objects.get(action="dataset.registered", target_id=str(dataset.pk))
    assert event.after["rows_rejected"] == len(PLANTED) + 1

    page = client.get(job.result_link).content.decode()
    assert f'<td id="rows-read">{dataset.row_count}</td>' in page
    assert f'<td id="rows-accepted">{good}</td>' in page
    for reason in [*PLANTED, "line_malformed"]:
        assert f'<tr id="reason-{reason}"><td>{reason_label(reason)}</td><td>1</td></tr>' in page
    assert reverse("discovery:dataset_rejected_sample", args=[dataset.pk]) in page


def test_the_rejected_sample_lists_the_planted_rows_with_their_reasons(
    login: Login, prepared_with_rejections: Dataset
) -> None:
    url = reverse("discovery:dataset_rejected_sample", args=[prepared_with_rejections.pk])
    response = login("province_admin").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["reason"]: row for row in rows}.keys() == set(PLANTED)
    by_reason = {row["reason"]: row for row in rows}
    for reason, changes in PLANTED.items():
        ((column, value),) = changes.items()
        assert by_reason[reason][column] == value


def test_the_progress_says_how_many_rows_were_checked_and_rejected(
    datasets_dir: Path, web_users: Any
) -> None:
    _place(datasets_dir, "registry.csv", _csv_with_planted_rows())
    heard: list[tuple[int, str]] = []
    services.dataset_register(
        actor=web_users["province_admin"],
        name="名录",
        relative_path="registry.csv",
        report=lambda percent, stage: heard.append((percent, stage)),
    )
    percents = [percent for percent, _stage in heard]
    assert percents == sorted(percents)
    assert percents[0] >= 0
    assert percents[-1] <= 99
    read = len(enterprise_rows()) + len(PLANTED) + 1
    assert any(f"已检查 {read:,} 行，拒收 {len(PLANTED) + 1:,} 行" in stage for _percent, stage in heard)
    assert any("SHA-256" in stage for _percent, stage in heard)


@pytest.fixture
def prepared_with_rejections(web_users: dict[str, User], datasets_dir: Path) -> Dataset:
    _place(datasets_dir, "registry.csv", _csv_with_planted_rows())
    return services.dataset_register(
        actor=web_users["province_admin"], name="名录", relative_path="registry.csv"
    )


def test_every_reason_the_preparation_gives_has_a_chinese_label() -> None:
    labels = {key: reason_label(key) for key in prepare.reasons()}
    assert all(label and label != key for key, label in labels.items())
    assert len(set(labels.values())) == len(labels)
    with pytest.raises(KeyError):
        reason_label("a_reason_nobody_named")


# --- the rejected sample's reach ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "jurisdiction", "expected"),
    [
        ("anonymous", None, 302),  # the login page
        (Role.PROVINCE_ADMIN, "440000", 200),
        (Role.MINISTRY_ADMIN, "100000", 200),
        (Role.PROVINCE_ADMIN, "330000", 404),  # another province's dataset: not found
        (Role.CITY_OFFICER, "440600", 403),  # runs discovery, but firms' rows are the dataset managers'
        (Role.COUNTY_OFFICER, "440606", 403),
        (Role.EXPERT, "440000", 403),
    ],
)
def test_the_rejected_sample_is_for_those_who_manage_the_dataset_within_its_reach(
    prepared_with_rejections: Dataset,
    web_new_user: Callable[..., User],
    role: str,
    jurisdiction: str | None,
    expected: int,
) -> None:
    client = Client()
    if jurisdiction is not None:
        client.force_login(web_new_user(f"{role}-{jurisdiction}", role, jurisdiction))
    url = reverse("discovery:dataset_rejected_sample", args=[prepared_with_rejections.pk])
    response = client.get(url)
    assert response.status_code == expected
    if expected == 302:
        assert "/accounts/login/" in response["Location"]
    page = client.get(reverse("discovery:dataset", args=[prepared_with_rejections.pk]))
    # The report itself is for everyone who uses the dataset; the download link only where it works.
    if expected == 200:
        assert url in page.content.decode()
    elif page.status_code == 200:
        assert url not in page.content.decode()


# --- failures leave nothing ---------------------------------------------------------------------------------


def test_a_failure_mid_preparation_leaves_no_dataset_and_no_directory(
    login: Login, datasets_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _place(datasets_dir, "registry.parquet", parquet_bytes())

    def disk_full(*args: Any, **kwargs: Any) -> int:
        raise OSError(28, "No space left on device")

    # The layout is written and the summary cube is next when the disk fills up.
    monkeypatch.setattr(cube, "write_cube", disk_full)
    client = login("province_admin")
    client.post(reverse("discovery:dataset_register"), {"name": "名录", "path": "registry.parquet"})
    (job,) = run_waiting_jobs()
    assert job.status == Job.Status.FAILED
    assert not Dataset.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="dataset.").exists()
    assert _prepared_root_entries(datasets_dir) == []
    assert (datasets_dir / "registry.parquet").is_file()  # the operator's file stays


def test_a_failure_to_record_the_dataset_removes_its_prepared_directory(
    datasets_dir: Path, web_users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    _place(datasets_dir, "registry.parquet", parquet_bytes())

    def refused(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "audit_record", refused)
    with pytest.raises(RuntimeError):
        services.dataset_register(
            actor=web_users["province_admin"], name="名录", relative_path="registry.parquet"
        )
    assert not Dataset.objects.exists()
    assert _prepared_root_entries(datasets_dir) == []


def test_a_file_with_no_usable_row_is_refused_with_the_reason(login: Login, datasets_dir: Path) -> None:
    rows = [{**row, "county_code": "999999"} for row in enterprise_rows()]
    _place(datasets_dir, "nowhere.parquet", parquet_bytes(rows))
    login("province_admin").post(
        reverse("discovery:dataset_register"), {"name": "无", "path": "nowhere.parquet"}
    )
    (job,) = run_waiting_jobs()
    assert job.status == Job.Status.FAILED
    assert f"全部 {len(rows)} 行均被拒收" in job.error
    assert not Dataset.objects.exists()
    assert _prepared_root_entries(datasets_dir) == []


def test_a_failed_upload_preparation_removes_the_uploaded_file(
    login: Login, datasets_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cube, "write_cube", lambda *args, **kwargs: 1 // 0)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login("province_admin").post(
        reverse("discovery:dataset_upload"),
        {"name": "上传", "file": SimpleUploadedFile("firms.parquet", parquet_bytes())},
    )
    assert response.status_code == 302
    (job,) = run_waiting_jobs()
    assert job.status == Job.Status.FAILED
    assert not Dataset.objects.exists()
    assert [path for path in datasets_dir.rglob("*") if path.is_file()] == []


# --- a dataset registered before preparation existed --------------------------------------------------------


def test_an_unprepared_dataset_runs_as_a_job_until_its_prepare_action_prepares_it(
    login: Login, unprepared_dataset: Dataset
) -> None:
    dataset = unprepared_dataset
    client = login("province_admin")
    page = client.get(reverse("discovery:dataset", args=[dataset.pk])).content.decode()
    assert 'id="not-prepared"' in page
    assert reverse("discovery:dataset_prepare", args=[dataset.pk]) in page
    assert (
        'id="prepare"'
        not in login("city_officer").get(reverse("discovery:dataset", args=[dataset.pk])).content.decode()
    )
    form = {"dataset": dataset.pk, "year": 2024, "rule_set_id": "guangdong-2022", "top": 50}
    response = client.post(reverse("discovery:run_new"), form)
    assert response.status_code == 302
    assert not DiscoveryRun.objects.exists()  # the raw file is read by the worker
    (run_job,) = run_waiting_jobs()
    assert run_job.status == Job.Status.DONE, run_job.error

    assert (
        login("city_officer").post(reverse("discovery:dataset_prepare", args=[dataset.pk])).status_code == 403
    )
    response = client.post(reverse("discovery:dataset_prepare", args=[dataset.pk]))
    assert response.status_code == 302
    (job,) = run_waiting_jobs()
    assert job.status == Job.Status.DONE, job.error
    dataset.refresh_from_db()
    assert dataset.is_prepared
    assert dataset.rows_accepted == len(enterprise_rows())
    assert AuditEvent.objects.filter(action="dataset.prepared", target_id=str(dataset.pk)).exists()
    again = client.post(reverse("discovery:dataset_prepare", args=[dataset.pk]))
    assert again.status_code == 302
    assert Job.objects.count() == 2


# --- runs from the cube -------------------------------------------------------------------------------------


def _records(run: DiscoveryRun) -> list[dict[str, Any]]:
    return [candidate.record for candidate in run.candidates.order_by("rank")]


def test_a_run_on_a_prepared_dataset_is_answered_in_the_request_as_the_raw_file_answers(
    login: Login, dataset: Dataset, datasets_dir: Path, web_users: dict[str, User]
) -> None:
    assert dataset.is_prepared
    client = login("province_admin")
    form = {"year": 2024, "rule_set_id": "guangdong-2022", "top": 50}
    response = client.post(reverse("discovery:run_new"), {**form, "dataset": dataset.pk})
    run = DiscoveryRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("discovery:run", args=[run.pk])
    assert not Job.objects.exists()  # no job: answered from the cube
    assert AuditEvent.objects.filter(action="discovery.run", target_id=str(run.pk)).exists()
    # The same rows, read raw by the worker: the same file as a dataset registered before preparation.
    shutil.copy(services.dataset_path(dataset), datasets_dir / "raw-copy.parquet")
    raw = Dataset.objects.create(
        name="原文件", path="raw-copy.parquet", origin=dataset.origin, province=dataset.province,
        first_year=dataset.first_year, last_year=dataset.last_year, row_count=dataset.row_count,
        size_bytes=dataset.size_bytes, sha256=dataset.sha256, uploaded_by=dataset.uploaded_by,
    )  # fmt: skip
    client.post(reverse("discovery:run_new"), {**form, "dataset": raw.pk})
    (job,) = run_waiting_jobs()
    assert job.status == Job.Status.DONE, job.error
    from_raw = DiscoveryRun.objects.exclude(pk=run.pk).get()
    assert run.pairs == from_raw.pairs
    assert _records(run) == _records(from_raw)
    assert _records(run)


# --- files verify, healthz, backups -------------------------------------------------------------------------


def test_files_verify_checks_every_prepared_file_and_names_leftovers(
    dataset: Dataset, datasets_dir: Path
) -> None:
    assert verify_files().clean
    prepared = datasets_dir / dataset.prepared_path
    checked = verify_files().files_checked
    assert checked == 1 + len(dataset.prepared_files)
    with (prepared / "rejected_sample.csv").open("a", encoding="utf-8") as sample:
        sample.write("tampered\n")
    leftover = datasets_dir / "prepared" / ".partial-0123" / "cube.parquet"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half")
    problems = {(problem.kind, problem.path) for problem in verify_files().problems}
    assert problems == {("mismatch", prepared / "rejected_sample.csv"), ("orphan", leftover)}


def test_healthz_fails_when_a_prepared_directory_is_gone(
    client: Client, dataset: Dataset, datasets_dir: Path
) -> None:
    assert client.get("/healthz").json()["checks"]["prepared_datasets"] == {"ok": True, "prepared": 1}
    shutil.rmtree(datasets_dir / dataset.prepared_path)
    body = client.get("/healthz").json()
    assert "prepared_datasets" in body["failing"]
    assert "smecluster files verify" in body["checks"]["prepared_datasets"]["error"]


def test_backups_carry_prepared_directories_but_not_preparations_under_way(
    dataset: Dataset, datasets_dir: Path
) -> None:
    from smecluster.site.backup import _files_of

    partial = datasets_dir / "prepared" / ".partial-0123" / "staging.parquet"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"half")
    carried = {path.relative_to(datasets_dir).as_posix() for path in _files_of(datasets_dir)}
    prepared = {f"{dataset.prepared_path}/{relative}" for relative in dataset.prepared_files}
    assert prepared <= carried
    assert not any(".partial-" in name for name in carried)


def test_a_thread_keeps_the_cubes_it_opened_until_a_directory_is_prepared_again(dataset: Dataset) -> None:
    """A run in the request reuses its thread's connection and cube (ADR 31), not a stale one."""
    first = preparation.opened_cube(dataset.prepared_path)
    assert preparation.opened_cube(dataset.prepared_path) is first
    report = preparation.prepared_directory(dataset.prepared_path) / preparation.REPORT_FILE
    stat = report.stat()
    os.utime(report, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    again = preparation.opened_cube(dataset.prepared_path)
    assert again is not first
    assert again.connection is first.connection
