"""No server path in any message (issue 12, finding 12): an unreadable dataset upload is refused with the
engine's reason, naming the file as uploaded, never where the server keeps it — on the page for what is
checked at once (a Parquet file's footer), on the job's page for what its preparation finds (a CSV whose
rows are all rejected, issue 18)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jobs_worker import run_waiting_jobs
from smecluster.apps.accounts.models import User
from smecluster.apps.jobs.models import Job

pytestmark = pytest.mark.django_db

BAD_CSV = (
    b"credit_code,county_code,industry_code,year,employees,output,revenue,assets,rnd,patents,titles\n"
    b"1,440606,C2110,abc,1,1,1,1,1,1,x\n"
)
BAD_PARQUET = b"PAR1" + b"\x00garbage" * 100 + b"PAR1"


@pytest.mark.parametrize(("name", "content"), [("企业.csv", BAD_CSV), ("企业.parquet", BAD_PARQUET)])
def test_an_unreadable_upload_is_refused_without_the_servers_path(
    security_users: dict[str, User], settings: Any, tmp_path: Path, name: str, content: bytes
) -> None:
    settings.DISCOVERY_DATASETS_DIR = tmp_path / "datasets"
    client = Client()
    client.force_login(security_users["province_admin"])
    response = client.post(
        reverse("discovery:dataset_upload"),
        {"name": "坏文件", "file": SimpleUploadedFile(name, content)},
    )
    if name.endswith(".csv"):
        # Its header is right: the preparation reads its rows, and rejects each (a year "abc").
        assert response.status_code == 302
        (job,) = run_waiting_jobs()
        assert job.status == Job.Status.FAILED
        text = job.error + client.get(response["Location"]).content.decode()
        assert "没有可用的企业数据" in text
    else:
        text = response.content.decode()
        assert response.status_code == 400
    assert "文件" in text
    assert "无法读取" in text or "不能用于候选集群发现" in text or "没有可用的企业数据" in text
    for secret in (str(tmp_path), "/tmp/", ".partial-", "READ_PARQUET", "sample_size"):
        assert secret not in text
