"""Fixtures for the discovery pages: the datasets directory in a temporary folder, and a dataset (the small
file of ``discovery_files``, registered and so prepared) with a run over it (from its cube); and
:func:`unprepared`, a dataset as registered before preparation existed."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from discovery_files import parquet_bytes
from django.test import Client

from smecluster.apps.accounts.models import User
from smecluster.apps.discovery import services
from smecluster.apps.discovery.models import Dataset, DiscoveryRun


@pytest.fixture(autouse=True)
def datasets_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DISCOVERY_DATASETS_DIR = tmp_path / "datasets"
    return tmp_path / "datasets"


@pytest.fixture
def login(web_users: dict[str, User]) -> Callable[[str], Client]:
    def client_for(key: str) -> Client:
        client = Client()
        if key != "anonymous":
            client.force_login(web_users[key])
        return client

    return client_for


@pytest.fixture
def dataset(web_users: dict[str, User], datasets_dir: Path) -> Dataset:
    placed = datasets_dir / "national" / "enterprise_year.parquet"
    placed.parent.mkdir(parents=True)
    placed.write_bytes(parquet_bytes())
    return services.dataset_register(
        actor=web_users["province_admin"],
        name="广东省企业名录 2022—2024",
        relative_path="national/enterprise_year.parquet",
    )


@pytest.fixture
def run(web_users: dict[str, User], dataset: Dataset) -> DiscoveryRun:
    return services.discovery_run(
        actor=web_users["province_admin"],
        dataset=dataset,
        year=2024,
        rule_set_id="guangdong-2022",
        province_code="440000",
        top=50,
    )


def unprepared(dataset: Dataset, datasets_dir: Path) -> Dataset:
    """The dataset as one registered before datasets were prepared: its raw file only, which runs read."""
    shutil.rmtree(datasets_dir / dataset.prepared_path)
    Dataset.objects.filter(pk=dataset.pk).update(
        prepared_path="", prepared_at=None, rows_accepted=None, rows_rejected=None, rejected_by_reason={},
        preparation_seconds=None, prepared_files={},
    )  # fmt: skip
    dataset.refresh_from_db()
    return dataset


@pytest.fixture
def unprepared_dataset(dataset: Dataset, datasets_dir: Path) -> Dataset:
    return unprepared(dataset, datasets_dir)
