"""Ministry collection (issue 17): a province's annual figures of its national clusters reach the
ministry's platform by pull. The province's platform answers ``GET /api/v1/collection/{year}`` to a token
of one of its accounts (``annual_reports:read``, given to the ministry): a package of the national
programme's clusters in the account's reach whose report on the year the province has sent on, each
with its figures. The ministry's platform pulls it (``smecluster collect URL --token-file F --year Y``) or
an administrator uploads a saved package on 省级数据接收; either way ``collection_receive`` checks it (its
format, the province, every cluster's figures through the annual-figures validation) and records it
(``CollectionReceipt``, audited): what was received from whom, when, with its SHA-256.

The package is plain JSON; its integrity in transit is HTTPS's, and its SHA-256 is recorded so that a
later copy can be compared with what was received."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from smecluster.annual_figures import parse_annual_figures
from smecluster.apps.accounts.models import Jurisdiction, Level, Role, User
from smecluster.apps.api.models import CollectionReceipt
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.registry.models import AnnualReport
from smecluster.apps.registry.selectors import reports_visible_to
from smecluster.errors import Problem, UnusableInput

PACKAGE_FORMAT = "smecluster-annual-figures"
PACKAGE_VERSION = 1

MAX_PACKAGE_BYTES = 50 * 1024 * 1024
"""The largest package taken, pulled (``smecluster collect``) or uploaded (省级数据接收), checked before it is
parsed: a province's national clusters are tens, a package a few hundred kilobytes."""


def collection_package(account: User, year: int, now: datetime | None = None) -> dict[str, Any]:
    """The province's package for ``year``: the national programme's clusters in ``account``'s reach (the
    annual-report pages' own, ``reports_visible_to``) whose report the province has sent on to the ministry
    (报送, and 已接收 once the ministry took it in on the platform)."""
    reports: QuerySet[AnnualReport] = reports_visible_to(account).filter(
        year=year,
        status__in=(AnnualReport.Status.FORWARDED, AnnualReport.Status.RECEIVED),
        figures__isnull=False,
        cluster__programme__owner_level="national",
    )
    return {
        "format": PACKAGE_FORMAT,
        "version": PACKAGE_VERSION,
        "province": account.jurisdiction.province_code,
        "year": year,
        "made_at": (now or timezone.now()).isoformat(),
        "clusters": [
            {
                "number": report.cluster.number,
                "name": report.cluster.name,
                "division_code": report.cluster.county_id,
                "industry_code": report.cluster.leading_industry_code,
                "received_at": report.received_at.isoformat() if report.received_at else None,
                "figures": report.figures,
            }
            for report in reports.order_by("cluster__number")
        ],
    }


def can_receive(user: User) -> bool:
    """The ministry's administrator (and the platform's) receive provinces' packages."""
    return user.is_authenticated and (user.role == Role.MINISTRY_ADMIN or user.is_superuser)


@transaction.atomic
def collection_receive(*, actor: User | None, package: Any, raw: bytes, source: str) -> CollectionReceipt:
    """Check a province's package and record it, as received: all of it or, on any problem, nothing
    (:class:`UnusableInput` names every field at fault)."""
    problems = _package_problems(package)
    if problems:
        raise UnusableInput(source, problems)
    province = Jurisdiction.objects.get(code=package["province"])
    receipt = CollectionReceipt.objects.create(
        province=province,
        year=package["year"],
        received_by=actor,
        source=source[:500],
        sha256=hashlib.sha256(raw).hexdigest(),
        clusters=len(package["clusters"]),
        # As received: the JSON text read back with plain numbers (the check above read them as Decimal).
        package=json.loads(raw),
    )
    audit_record(
        actor=actor,
        action=actions.MINISTRY_COLLECTION_RECEIVE,
        target=receipt,
        after={
            "province": province.code,
            "year": receipt.year,
            "clusters": receipt.clusters,
            "sha256": receipt.sha256,
            "source": receipt.source,
        },
    )
    return receipt


def _package_problems(package: Any) -> list[Problem]:
    if not isinstance(package, dict):
        return [Problem("", "不是年度数据包（须为 JSON 对象）")]
    problems = []
    if package.get("format") != PACKAGE_FORMAT or package.get("version") != PACKAGE_VERSION:
        problems.append(Problem("format", f"不是年度数据包（{PACKAGE_FORMAT} 版本 {PACKAGE_VERSION}）"))
        return problems
    province = package.get("province")
    if not (
        isinstance(province, str)
        and Jurisdiction.objects.filter(code=province, level=Level.PROVINCE).exists()
    ):
        problems.append(Problem("province", "须为省级区划代码"))
    year = package.get("year")
    if not isinstance(year, int) or not 1900 <= year <= 2999:
        problems.append(Problem("year", "须为年度"))
    clusters = package.get("clusters")
    if not isinstance(clusters, list):
        return [*problems, Problem("clusters", "须为列表")]
    for index, entry in enumerate(clusters):
        if not isinstance(entry, dict) or not isinstance(entry.get("number"), str):
            problems.append(Problem(f"clusters[{index}].number", "须为认定编号"))
            continue
        try:
            parse_annual_figures(entry.get("figures"), source="package")
        except UnusableInput as refused:
            problems.extend(
                Problem(f"clusters[{index}].figures.{each.field}".rstrip("."), each.message)
                for each in refused.problems
            )
        if isinstance(province, str) and not str(entry.get("division_code", "")).startswith(province[:2]):
            problems.append(Problem(f"clusters[{index}].division_code", "不在该省"))
    return problems


def receipts() -> QuerySet[CollectionReceipt]:
    return CollectionReceipt.objects.select_related("province", "received_by")
