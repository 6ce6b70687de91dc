"""Fixtures for dynamic management (issue 5): a recognized 顺德区 cluster of the Guangdong programme, its
annual reports in any state (time: the suite's ``clock`` fixture). Names start with ``reg_``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from factories import annual_report_in
from smecluster.apps.accounts.models import User
from smecluster.apps.applications import services as application_services
from smecluster.apps.applications.models import Application
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
from smecluster.site.demo import sample_years


@pytest.fixture(autouse=True)
def reg_evidence_root(settings: Any, tmp_path: Path) -> Path:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


def reg_client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def reg_recognize(
    application: Application, recognized_on: date, valid_until: date, number: str
) -> RecognizedCluster:
    """A recognized cluster made directly (the recognition step has its own tests), operated by the
    application's operators as recognition makes it."""
    cluster = RecognizedCluster.objects.create(
        application=application,
        programme=application.call.programme,
        number=number,
        name=application.name,
        county=application.county,
        leading_industry=application.leading_industry,
        year=recognized_on.year,
        recognized_on=recognized_on,
        valid_from=recognized_on,
        valid_until=valid_until,
        decided_by=User.objects.get(username="province-admin"),
    )
    cluster.operators.set(application.operators.all())
    return cluster


def reg_make_cluster(application: Application) -> RecognizedCluster:
    """粤中小特色集群〔2024〕001 of a 顺德区 ``application``, recognized 2024-03-10, valid until 2027-03-09;
    its application reports 2021–2023 (the three years before recognition), whatever day the suite runs."""
    application_services.application_set_rows(
        actor=User.objects.get(username="county-officer"),
        application=application,
        kind="years",
        rows=sample_years(2023, "1"),
    )
    return reg_recognize(application, date(2024, 3, 10), date(2027, 3, 9), "粤中小特色集群〔2024〕001")


@pytest.fixture
def reg_cluster(web_users: dict[str, User], web_application: Application) -> RecognizedCluster:
    """``reg_make_cluster`` of the web application."""
    return reg_make_cluster(web_application)


def reg_figures(year: int, output: float = 120.5, **extra: Any) -> dict[str, Any]:
    """An annual-figures document for the form's service (no schema or year needed: the service adds them)."""
    figures = {"output": output, "sme_output": 80, "leading_output": 100, "invention_patents": 150, **extra}
    return {"figures": figures, "quality_firms": {"little_giant": 4, "specialized": 20}, "firms": 300}


@pytest.fixture
def reg_report_in(web_users: dict[str, User], reg_cluster: RecognizedCluster) -> Callable[..., AnnualReport]:
    """``reg_report_in("forwarded", year=2024)``: the cluster's report on ``year`` taken to that state
    through the services, as of the clock (set it first for a forwarded or received report)."""

    def make(
        status: str, *, year: int = 2024, cluster: RecognizedCluster | None = None, **figures: Any
    ) -> AnnualReport:
        cluster = cluster or reg_cluster
        return annual_report_in(cluster, status, year=year, figures=reg_figures(year, **figures))

    return make
