"""Fixtures for the discovery pages: the datasets directory in a temporary folder, and a dataset (the small
file of ``discovery_files``) with a run over it."""

from __future__ import annotations

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
