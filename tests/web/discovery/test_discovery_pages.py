"""The discovery pages: datasets (upload, register, refusals), runs with their ranked candidates and
reasons, the city scope (page and downloads), roles refused, and adding candidates to a city's pool."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from discovery_files import enterprise_rows, parquet_bytes
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jobs_worker import run_waiting_jobs
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.discovery import services
from smecluster.apps.discovery.models import Candidate, Dataset, DiscoveryRun
from smecluster.apps.discovery.selectors import datasets_for, runs_for
from smecluster.apps.jobs.models import Job
from smecluster.apps.notifications.models import Notification
from smecluster.apps.programmes.models import PoolEntry

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


def _files(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()] if directory.exists() else []


# --- datasets ---------------------------------------------------------------------------------------


def test_a_province_admin_uploads_a_parquet_file(login: Login, datasets_dir: Path) -> None:
    content = parquet_bytes()
    response = login("province_admin").post(
        reverse("discovery:dataset_upload"),
        {"name": "顺德区企业 2022—2024", "file": SimpleUploadedFile("firms.parquet", content)},
    )
    # Checked at once for its kind and columns; every row is checked by the job that prepares it.
    assert response.status_code == 302
    assert not Dataset.objects.exists()
    (job,) = run_waiting_jobs()
    assert job.status == Job.Status.DONE, job.error
    dataset = Dataset.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.result_link == reverse("discovery:dataset", args=[dataset.pk])
    assert (dataset.first_year, dataset.last_year) == (2022, 2024)
    assert dataset.row_count == dataset.rows_accepted == len(enterprise_rows())
    assert dataset.sha256 == hashlib.sha256(content).hexdigest()
    assert dataset.province_id == "440000"
    assert dataset.origin == Dataset.Origin.UPLOADED
    stored = services.dataset_path(dataset)
    assert stored.read_bytes() == content
    assert stored.is_relative_to(datasets_dir)
    prepared = datasets_dir / dataset.prepared_path
    # No partial file left behind: the upload and its prepared directory only.
    assert sorted(_files(datasets_dir)) == sorted([stored, *_files(prepared)])
    event = AuditEvent.objects.get(action="dataset.uploaded", target_id=str(dataset.pk))
    assert event.after["sha256"] == dataset.sha256
    page = login("province_admin").get(reverse("discovery:index")).content.decode()
    assert "顺德区企业 2022—2024" in page


def test_a_csv_upload_is_checked_by_its_content(login: Login) -> None:
    header = "credit_code,county_code,industry_code,year,employees,output,revenue,assets,rnd,patents,titles\n"
    body = "".join(
        f"9144060621100{i:05d},440606,C2110,{year},100,5000,5000,9000,100,1,\n"
        for i in range(5)
        for year in (2023, 2024)
    )
    response = login("province_admin").post(
        reverse("discovery:dataset_upload"),
        {"name": "小样本", "file": SimpleUploadedFile("firms.csv", (header + body).encode())},
    )
    assert response.status_code == 302
    (job,) = run_waiting_jobs()
    assert job.status == Job.Status.DONE, job.error
    assert Dataset.objects.get().row_count == 10


def test_a_file_missing_a_column_is_refused_naming_it_and_nothing_is_stored(
    login: Login, datasets_dir: Path
) -> None:
    response = login("province_admin").post(
        reverse("discovery:dataset_upload"),
        {"name": "缺列", "file": SimpleUploadedFile("firms.parquet", parquet_bytes(drop="employees"))},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "employees" in page
    assert "缺少该列" in page
    assert not Dataset.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="dataset.").exists()
    assert _files(datasets_dir) == []


def test_a_file_that_is_neither_parquet_nor_csv_is_refused_whatever_its_name(
    login: Login, datasets_dir: Path
) -> None:
    response = login("province_admin").post(
        reverse("discovery:dataset_upload"),
        {"name": "伪装", "file": SimpleUploadedFile("firms.parquet", b"%PDF-1.4\n\x00\x01binary")},
    )
    assert response.status_code == 400
    assert "不是 Parquet 或 CSV" in response.content.decode()
    assert not Dataset.objects.exists()
    assert _files(datasets_dir) == []


def test_an_upload_over_the_size_limit_is_refused(login: Login, settings: Any, datasets_dir: Path) -> None:
    settings.DISCOVERY_DATASET_MAX_BYTES = 1024
    response = login("province_admin").post(
        reverse("discovery:dataset_upload"),
        {"name": "太大", "file": SimpleUploadedFile("firms.parquet", parquet_bytes())},
    )
    assert response.status_code == 400
    assert "数据集目录" in response.content.decode()
    assert not Dataset.objects.exists()
    assert _files(datasets_dir) == []


def test_a_placed_file_is_registered_and_the_page_says_big_files_go_there(
    login: Login, datasets_dir: Path
) -> None:
    placed = datasets_dir / "registry-2024.parquet"
    placed.parent.mkdir(parents=True)
    placed.write_bytes(parquet_bytes())
    client = login("province_admin")
    page = client.get(reverse("discovery:index")).content.decode()
    assert "registry-2024.parquet" in page
    assert "无法经浏览器上传" in page
    response = client.post(
        reverse("discovery:dataset_register"), {"name": "名录", "path": "registry-2024.parquet"}
    )
    # Checking, hashing and preparing a file of gigabytes is the worker's: the page answers with the job's.
    assert response.status_code == 302
    assert not Dataset.objects.exists()
    (job,) = run_waiting_jobs()
    assert job.status == Job.Status.DONE, job.error
    assert response["Location"] == job.get_absolute_url()
    dataset = Dataset.objects.get()
    # Its prepared data is not a file to register.
    assert dataset.is_prepared
    assert client.get(reverse("discovery:index")).context["registrable"] == []
    assert dataset.origin == Dataset.Origin.REGISTERED
    assert dataset.sha256 == hashlib.sha256(placed.read_bytes()).hexdigest()
    escape = client.post(reverse("discovery:dataset_register"), {"name": "越界", "path": "../../etc/passwd"})
    assert escape.status_code == 400
    assert Dataset.objects.count() == 1
    assert Job.objects.count() == 1  # refused at once: no job


def test_city_officers_cannot_upload(login: Login) -> None:
    response = login("city_officer").post(
        reverse("discovery:dataset_upload"),
        {"name": "x", "file": SimpleUploadedFile("f.parquet", parquet_bytes())},
    )
    assert response.status_code == 403
    assert not Dataset.objects.exists()


# --- runs and results -------------------------------------------------------------------------------


def test_a_run_lists_the_provinces_candidates_with_reasons(login: Login, unprepared_dataset: Dataset) -> None:
    client = login("province_admin")
    response = client.post(
        reverse("discovery:run_new"),
        {"dataset": unprepared_dataset.pk, "year": 2024, "rule_set_id": "guangdong-2022", "top": 50},
    )
    # A run on a raw file is a job: the page answers with its progress page, and the worker runs it. (On
    # a prepared dataset it is answered in the request: test_dataset_preparation.py.)
    assert response.status_code == 302
    assert not DiscoveryRun.objects.exists()
    job_page = response["Location"]
    assert client.get(job_page).status_code == 200
    (job,) = run_waiting_jobs()
    assert job.status == Job.Status.DONE, job.error
    run = DiscoveryRun.objects.get()
    assert job.result_link == reverse("discovery:run", args=[run.pk])
    assert f'href="{job.result_link}"' in client.get(job_page).content.decode()
    assert Notification.objects.get(recipient__username="province-admin").link == job_page
    assert (run.year, run.province_id, run.rule_set_id) == (2024, "440000", "guangdong-2022")
    candidates = list(run.candidates.all())
    assert {c.county_code for c in candidates} == {"440606", "440605", "440106", "440104"}
    assert [c.rank for c in candidates] == list(range(1, len(candidates) + 1))
    assert AuditEvent.objects.filter(action="discovery.run", target_id=str(run.pk)).exists()
    page = client.get(job.result_link).content.decode()
    assert "计算用时" in page
    first = candidates[0]
    assert first.reasons
    assert all(reason in page for reason in first.reasons[:2])
    assert "区位熵 LQ" in page
    assert "强集群" in page


def test_a_year_outside_the_dataset_is_refused_at_the_field(login: Login, dataset: Dataset) -> None:
    response = login("province_admin").post(
        reverse("discovery:run_new"),
        {"dataset": dataset.pk, "year": 2019, "rule_set_id": "guangdong-2022", "top": 50},
    )
    assert response.status_code == 400
    assert "2022—2024" in response.content.decode()
    assert not DiscoveryRun.objects.exists()


def _page_rows(page: str, run: DiscoveryRun) -> list[int]:
    return [c.rank for c in run.candidates.all() if f'id="candidate-{c.pk}"' in page]


def test_a_city_officer_sees_only_their_citys_counties_in_the_page_and_downloads(
    login: Login, run: DiscoveryRun
) -> None:
    client = login("city_officer")  # 佛山市
    url = reverse("discovery:run", args=[run.pk])
    page = client.get(url).content.decode()
    foshan = list(run.candidates.filter(city_code="440600"))
    others = list(run.candidates.exclude(city_code="440600"))
    assert foshan
    assert others
    assert all(f'id="candidate-{c.pk}"' in page for c in foshan)
    assert not any(f'id="candidate-{c.pk}"' in page for c in others)
    assert "天河区" not in page
    # Asking for another city by the filter shows nothing either.
    assert _page_rows(client.get(url, {"city": "440100"}).content.decode(), run) == []
    rows = list(csv.reader(io.StringIO(client.get(url, {"format": "csv"}).content.decode("utf-8-sig"))))
    assert {row[1] for row in rows[1:]} == {c.county_code for c in foshan}
    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx", "county": "440106"}).content))
    assert book.active.max_row == 1  # the header only
    # The province admin sees every Guangdong county; the other city officer only 广州市's.
    assert len(_page_rows(login("province_admin").get(url).content.decode(), run)) == run.candidates.count()
    guangzhou = _page_rows(login("other_city_officer").get(url).content.decode(), run)
    assert guangzhou == [c.rank for c in run.candidates.filter(city_code="440100")]


def test_downloads_hold_the_pages_rows_with_the_filters_applied(login: Login, run: DiscoveryRun) -> None:
    client = login("province_admin")
    url = reverse("discovery:run", args=[run.pk])
    for filters in ({}, {"industry": "21"}, {"strong": "1"}, {"city": "440600", "industry": "21"}):
        page_ranks = _page_rows(client.get(url, filters).content.decode(), run)
        rows = list(
            csv.reader(io.StringIO(client.get(url, {**filters, "format": "csv"}).content.decode("utf-8-sig")))
        )
        assert rows[0][0] == "排名"
        assert [int(row[0]) for row in rows[1:]] == page_ranks, filters
        book = load_workbook(io.BytesIO(client.get(url, {**filters, "format": "xlsx"}).content))
        sheet_rows = list(book.active.iter_rows(min_row=2, values_only=True))
        assert [int(row[0]) for row in sheet_rows] == page_ranks, filters
    strong = _page_rows(client.get(url, {"strong": "1"}).content.decode(), run)
    assert strong == [c.rank for c in run.candidates.filter(strong_cluster=True)]
    assert _page_rows(client.get(url, {"industry": "21"}).content.decode(), run) == [
        c.rank for c in run.candidates.filter(division="21")
    ]


@pytest.mark.parametrize("role", ["county_officer", "operator", "expert"])
def test_other_roles_are_refused(login: Login, run: DiscoveryRun, role: str) -> None:
    client = login(role)
    assert client.get(reverse("discovery:index")).status_code == 403
    assert client.get(reverse("discovery:run", args=[run.pk])).status_code == 403
    assert client.get(reverse("discovery:run", args=[run.pk]), {"format": "csv"}).status_code == 403
    assert client.post(reverse("discovery:run_new"), {}).status_code == 403
    assert client.post(reverse("discovery:run_pool", args=[run.pk]), {}).status_code == 403


def test_anonymous_visitors_go_to_the_login_page(login: Login, run: DiscoveryRun) -> None:
    for url in (reverse("discovery:index"), reverse("discovery:run", args=[run.pk])):
        response = login("anonymous").get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_another_provinces_run_is_not_found(
    login: Login, run: DiscoveryRun, web_new_user: Callable[..., User]
) -> None:
    zhejiang = Client()
    zhejiang.force_login(web_new_user("zj-admin", Role.PROVINCE_ADMIN, "330000"))
    assert zhejiang.get(reverse("discovery:run", args=[run.pk])).status_code == 404
    assert zhejiang.get(reverse("discovery:run", args=[run.pk]), {"format": "csv"}).status_code == 404
    assert "广东省企业名录" not in zhejiang.get(reverse("discovery:index")).content.decode()
    ministry = Client()
    ministry.force_login(web_new_user("ministry", Role.MINISTRY_ADMIN, "100000"))
    assert ministry.get(reverse("discovery:run", args=[run.pk])).status_code == 200


def test_the_ministry_runs_a_national_dataset_on_a_province_it_chooses(
    run: DiscoveryRun, dataset: Dataset, datasets_dir: Path, web_new_user: Callable[..., User]
) -> None:
    user = web_new_user("ministry", Role.MINISTRY_ADMIN, "100000")
    (datasets_dir / "registry.parquet").write_bytes(parquet_bytes())
    national = services.dataset_register(actor=user, name="全国企业名录", relative_path="registry.parquet")
    assert national.province_id is None
    ministry = Client()
    ministry.force_login(user)
    form = {"year": 2024, "rule_set_id": "national-2022", "province": "330000", "top": 5}
    # Guangdong's own dataset cannot be screened for Zhejiang.
    refused = ministry.post(reverse("discovery:run_new"), {**form, "dataset": dataset.pk})
    assert refused.status_code == 400
    assert "不属于所选省份" in refused.content.decode()
    response = ministry.post(reverse("discovery:run_new"), {**form, "dataset": national.pk})
    assert response.status_code == 302
    run_waiting_jobs()
    mine = DiscoveryRun.objects.exclude(pk=run.pk).get()
    assert mine.province_id == "330000"
    assert {c.county_code[:2] for c in mine.candidates.all()} == {"33"}
    # A Guangdong province admin sees the national dataset but not Zhejiang's run.
    guangdong = web_new_user("gd-admin-2", Role.PROVINCE_ADMIN, "440000")
    assert national in datasets_for(guangdong)
    assert mine not in runs_for(guangdong)


# --- the cultivation pool ---------------------------------------------------------------------------


def _pick(run: DiscoveryRun, county: str, division: str) -> Candidate:
    return run.candidates.get(county_code=county, division=division)


def test_a_city_officer_adds_candidates_to_the_citys_pool(login: Login, run: DiscoveryRun) -> None:
    shunde = _pick(run, "440606", "21")
    nanhai = _pick(run, "440605", "21")
    assert shunde.default_pool_name == "顺德区家具制造产业集群（候选）"
    client = login("city_officer")
    response = client.post(
        reverse("discovery:run_pool", args=[run.pk]),
        {
            "candidate": [shunde.pk, nanhai.pk],
            f"name-{shunde.pk}": "顺德家具产业集群",
            f"name-{nanhai.pk}": nanhai.default_pool_name,
        },
    )
    assert response.status_code == 302
    entries = {entry.county_id: entry for entry in PoolEntry.objects.all()}
    assert set(entries) == {"440606", "440605"}
    assert entries["440606"].name == "顺德家具产业集群"
    assert entries["440606"].city_id == "440600"
    assert entries["440606"].leading_industry == "家具制造业"
    shunde.refresh_from_db()
    assert shunde.pool_entry == entries["440606"]
    assert AuditEvent.objects.filter(action="pool.add").count() == 2
    assert AuditEvent.objects.filter(action="discovery.pool", target_id=str(shunde.pk)).exists()
    page = client.get(response["Location"]).content.decode()
    assert "顺德家具产业集群" in page
    assert "programmes/pool" in page or reverse("programmes:pool") in page


def test_a_duplicate_is_refused_with_a_clear_message_and_nothing_written(
    login: Login, run: DiscoveryRun
) -> None:
    shunde = _pick(run, "440606", "21")
    PoolEntry.objects.create(
        city_id="440600", county_id="440606", name=shunde.default_pool_name, leading_industry="家具制造业"
    )
    nanhai = _pick(run, "440605", "21")
    client = login("city_officer")
    response = client.post(
        reverse("discovery:run_pool", args=[run.pk]), {"candidate": [nanhai.pk, shunde.pk]}, follow=True
    )
    page = response.content.decode()
    assert "已在培育库中" in page
    assert shunde.default_pool_name in page
    assert PoolEntry.objects.count() == 1  # 南海's entry rolled back with the refused one
    assert not Candidate.objects.filter(pool_entry__isnull=False).exists()
    assert not AuditEvent.objects.filter(action__in=["pool.add", "discovery.pool"]).exists()


def test_another_citys_county_is_refused_with_403_and_nothing_written(
    login: Login, run: DiscoveryRun
) -> None:
    tianhe = _pick(run, "440106", "39")
    shunde = _pick(run, "440606", "21")
    response = login("city_officer").post(
        reverse("discovery:run_pool", args=[run.pk]), {"candidate": [shunde.pk, tianhe.pk]}
    )
    assert response.status_code == 403
    assert "本市" in response.content.decode()
    assert not PoolEntry.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["pool.add", "discovery.pool"]).exists()


def test_a_province_admin_adds_any_county_of_the_province_to_its_citys_pool(
    login: Login, run: DiscoveryRun
) -> None:
    tianhe = _pick(run, "440106", "39")
    response = login("province_admin").post(
        reverse("discovery:run_pool", args=[run.pk]), {"candidate": [tianhe.pk]}
    )
    assert response.status_code == 302
    entry = PoolEntry.objects.get()
    assert (entry.city_id, entry.county_id) == ("440100", "440106")
    assert entry.leading_industry == "计算机、通信和其他电子设备制造业"
    # 广州市's officer sees it in the city's pool page.
    assert entry.name in login("other_city_officer").get(reverse("programmes:pool")).content.decode()


def test_an_empty_name_is_refused_naming_the_candidate(login: Login, run: DiscoveryRun) -> None:
    shunde = _pick(run, "440606", "21")
    response = login("city_officer").post(
        reverse("discovery:run_pool", args=[run.pk]),
        {"candidate": [shunde.pk], f"name-{shunde.pk}": " "},
        follow=True,
    )
    page = response.content.decode()
    assert "请填写集群名称" in page
    assert f"第 {shunde.rank} 名" in page
    assert not PoolEntry.objects.exists()


def test_the_pages_read_in_english_for_a_person_who_chose_it(
    login: Login, run: DiscoveryRun, settings: Any
) -> None:
    client = login("city_officer")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    index = client.get(reverse("discovery:index")).content.decode()
    assert "Candidate discovery" in index
    assert "Run discovery" in index
    page = client.get(reverse("discovery:run", args=[run.pk])).content.decode()
    assert "Strong clusters only" in page
    assert "Add the selected candidates to the cultivation pool" in page
