"""The reach invariant of issue 12: for every role, what its lists show is exactly what it may open.

One world with rows of every kind in three jurisdictions (the Guangdong programme in two cities, a Shaanxi
programme, the national one) is walked as every person of ``people()`` plus a ministry admin and another
province's admin, the way a person walks it: from the routes without arguments, then every link followed.
For each role:

- every link to a detail page found on any page it reaches answers 200 (no row it cannot open);
- every export offered on a page (``?format=csv``/``xlsx``/``json``, or an ``export.csv`` link) names exactly
  the rows of the kind the page lists, and each named row's detail answers 200 for the role;
- every detail page of the world that answers 200 for the role is linked from one of the pages it reaches
  (no reachable-but-unlisted objects), and every other answers 404 (or 403, a refusal with its reason).

It holds for whatever reach each role has: nothing here says who sees what, only that the lists, the
exports and the details agree."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urldefrag, urlsplit

import pytest
from django.db import models
from django.test import Client
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone
from openpyxl import load_workbook
from security_routes import routes_without_arguments

from factories import (
    ApplicationFactory,
    ProgrammeFactory,
    UserFactory,
    YearlyCallFactory,
    annual_report_in,
    take_steps,
)
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.notices import services as notice_services
from smecluster.apps.notices.models import Notice, Objection
from smecluster.apps.oversight import services as oversight_services
from smecluster.apps.oversight.models import MajorChange, RevocationProposal
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster, ReReview
from smecluster.apps.registry.services.re_reviews import re_review_open
from smecluster.apps.rosters.demo import import_demo_roster
from smecluster.apps.rosters.models import RosterVersion

pytestmark = pytest.mark.django_db

SKIPPED = ("/admin/", "/accounts/logout/", "/i18n/", "/static/")
PAGES_PER_ROLE = 400
HREF = re.compile(r'href="([^"#]+)"')
EXPORT_FORMATS = ("csv", "xlsx", "json")
FILE_SUFFIXES = (".pdf", ".xlsx", ".docx", ".csv", ".json")
FILE_VIEWS = {
    "applications:pdf",
    "applications:evidence_download",
    "oversight:evidence",
    "notices:objection_file",
    "monitoring:report_file",
    "registry:report_evidence_download",
    "registry:re_review_evidence_download",
}


@dataclass(frozen=True)
class Kind:
    """A kind of row: its detail view, its model, and the values that name a row in an export."""

    model: type[models.Model]
    names: tuple[str, ...]


# The detail page of each kind of row, by view name. The cluster's own pages (record, timeline, roster)
# are one kind: they show the same object.
DETAILS: dict[str, Kind] = {
    "applications:detail": Kind(Application, ("number", "name")),
    "registry:cluster": Kind(RecognizedCluster, ("number", "name")),
    "registry:report_detail": Kind(AnnualReport, ()),
    "registry:re_review_detail": Kind(ReReview, ()),
    "oversight:change_detail": Kind(MajorChange, ()),
    "oversight:revocation_detail": Kind(RevocationProposal, ()),
    "rosters:version": Kind(RosterVersion, ()),
    "notices:manage": Kind(Notice, ("title",)),
    "notices:objection": Kind(Objection, ("reference",)),
    "registry:public_detail": Kind(RecognizedCluster, ("number", "name")),
    "notices:public_detail": Kind(Notice, ("title",)),
}


def _cluster_names(row: Any) -> set[str]:
    cluster = row if isinstance(row, RecognizedCluster) else row.cluster
    return {cluster.number, cluster.name}


# What names a row of a kind without names of its own in an export: its cluster.
NAMED_BY = {
    AnnualReport: _cluster_names,
    ReReview: _cluster_names,
    MajorChange: _cluster_names,
    RevocationProposal: _cluster_names,
}


def _names(row: models.Model, kind: Kind) -> set[str]:
    if kind.names:
        return {str(getattr(row, name)) for name in kind.names}
    return NAMED_BY[type(row)](row) if type(row) in NAMED_BY else set()


def _national_programme_call() -> Any:
    programme = ProgrammeFactory(
        name="国家级中小企业特色产业集群认定",
        owner_id=None,
        owner_level="national",
        rule_set_id="national-2022",
        review_chain=["county", "province", "national"],
        quota_per_unit=5,
    )
    return YearlyCallFactory(programme=programme, quota=5)


def _guangdong_call(programme: Any, years_back: int) -> Any:
    return YearlyCallFactory(programme=programme, year=timezone.localdate().year - years_back)


@pytest.fixture
def reach_world(security_users: dict[str, User], settings: Any, tmp_path: Any) -> dict[str, User]:
    """The world (once) and everyone who walks it, keyed by role."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    users = dict(security_users)
    users["ministry_admin"] = UserFactory(
        username="ministry-admin", role=Role.MINISTRY_ADMIN, jurisdiction_id="100000"
    )
    users["other_province_admin"] = UserFactory(
        username="other-province-admin", role=Role.PROVINCE_ADMIN, jurisdiction_id="610000"
    )
    UserFactory(username="panyu-county", role=Role.COUNTY_OFFICER, jurisdiction_id="440113")
    UserFactory(username="xian-county", role=Role.COUNTY_OFFICER, jurisdiction_id="610102")
    UserFactory(username="xian-city", role=Role.CITY_OFFICER, jurisdiction_id="610100")
    city, county = users["city_officer"], users["county_officer"]

    guangdong = ProgrammeFactory()
    current = _guangdong_call(guangdong, 0)
    ApplicationFactory(call=current, status=Status.DRAFT, name="顺德草稿集群")
    ApplicationFactory(call=current, status=Status.SUBMITTED, county="440605", name="南海已提交集群")
    ApplicationFactory(call=current, status=Status.RETURNED, name="顺德退回集群")
    ApplicationFactory(call=current, status=Status.REVIEWED, county="440605", name="南海已审查集群")
    ApplicationFactory(call=current, status=Status.SUBMITTED, county="440113", name="番禺已提交集群")
    # An application the expert is assigned to score (its call's shortlist not yet confirmed).
    assigned = ApplicationFactory(call=current, status=Status.SCREENED, county="440605", name="南海评审集群")
    take_steps(assigned, ("assign",))
    rostered = ApplicationFactory(call=current, status=Status.DRAFT, name="顺德名册集群")
    import_demo_roster(rostered, county)

    # A notice running with an objection; a recognized cluster in 顺德区 and one in 南海区, each from a call
    # of its own (a call's shortlist is frozen once recognized).
    objected = ApplicationFactory(
        call=_guangdong_call(guangdong, 1), status=Status.SHORTLISTED, name="顺德公示集群"
    )
    take_steps(objected, ("publish",))
    notice_services.objection_file(
        notice=Notice.objects.get(shortlist__call=objected.call),
        application_id=objected.pk,
        real_name="王五",
        phone="13800000000",
        email="wangwu@example.test",
        organization="某某公司",
        content="数据不实",
    )
    shunde = ApplicationFactory(
        call=_guangdong_call(guangdong, 3), status=Status.RECOGNIZED, name="顺德认定集群"
    )
    nanhai = ApplicationFactory(
        call=_guangdong_call(guangdong, 2), status=Status.RECOGNIZED, county="440605", name="南海认定集群"
    )
    clusters = [RecognizedCluster.objects.get(application=each) for each in (shunde, nanhai)]
    today = timezone.localdate()
    figures = {
        "figures": {"output": 120.5, "sme_output": 80, "leading_output": 100, "invention_patents": 150},
        "quality_firms": {"little_giant": 4, "specialized": 20},
        "firms": 300,
    }
    for cluster, status in zip(clusters, ("submitted", "draft"), strict=True):
        annual_report_in(cluster, status, year=today.year - 1, figures=figures)
        re_review_open(cluster=cluster, today=today)
        officer = User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction=cluster.county_id)
        oversight_services.change_file(
            actor=officer,
            cluster=cluster,
            kind="leading_industry",
            new_value={"leading_industry": "家具"},
            effective_on=today - timedelta(days=5),
            reason="产业调整",
        )
        # A 较大 safety accident: meets case 5's threshold, so it proposes revocation.
        oversight_services.incident_record(
            actor=city,
            cluster=cluster,
            kind="safety_accident",
            level="较大",
            occurred_on=today,
            source="区应急管理局通报",
            description="车间火灾",
        )
    assert RevocationProposal.objects.count() == 2

    ApplicationFactory(call=_national_programme_call(), status=Status.SUBMITTED, name="国家级顺德集群")
    shaanxi = ProgrammeFactory(
        name="陕西省中小企业特色产业集群认定", owner_id="610000", rule_set_id="shaanxi-2023"
    )
    ApplicationFactory(call=YearlyCallFactory(programme=shaanxi), county="610102", name="西安草稿集群")
    return users


@dataclass
class Walk:
    """What one role reached: every page with its status, and the pages' links to details and exports."""

    statuses: dict[str, int] = field(default_factory=dict)
    details_on: dict[str, set[str]] = field(default_factory=dict)
    exports_on: dict[str, set[str]] = field(default_factory=dict)


def _is_export(url: str) -> bool:
    parts = urlsplit(url)
    formats = parse_qs(parts.query).get("format", [])
    return bool(set(formats) & set(EXPORT_FORMATS)) or parts.path.endswith("export.csv")


def _is_file(url: str) -> bool:
    """A download or a document, not a page with links: fetched only when offered as an export."""
    path = urlsplit(url).path
    return path.endswith(FILE_SUFFIXES) or resolve(path).view_name in FILE_VIEWS


def _detail_view(url: str) -> str | None:
    try:
        name = resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None
    return name if name in DETAILS else None


def _walk(client: Client, starts: list[str]) -> Walk:
    walk = Walk()
    queue = deque(starts)
    while queue and len(walk.statuses) < PAGES_PER_ROLE:
        url = queue.popleft()
        if url in walk.statuses or url.startswith(SKIPPED) or _is_export(url):
            continue
        response = client.get(url)
        walk.statuses[url] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        details, exports = set(), set()
        for href in HREF.findall(response.content.decode()):
            target, _fragment = urldefrag(href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target:
                continue
            if not target.startswith("/"):
                target = parts.path and urlsplit(url).path + target
            try:
                resolve(urlsplit(target).path)
            except Resolver404:
                continue
            if _is_export(target):
                exports.add(target)
                continue
            if _detail_view(target):
                details.add(target)
            elif target not in walk.statuses and not _is_file(target):
                queue.append(target)
        walk.details_on[url], walk.exports_on[url] = details, exports
    return walk


def _cells(response: Any) -> set[str]:
    """Every cell of a CSV, XLSX or JSON download, as text."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheet" in content_type:
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        return {
            str(value).strip()
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        }
    if "json" in content_type:
        found: set[str] = set()

        def collect(node: Any) -> None:
            if isinstance(node, dict):
                for value in node.values():
                    collect(value)
            elif isinstance(node, list):
                for value in node:
                    collect(value)
            elif node is not None:
                found.add(str(node).strip())

        collect(json.loads(body))
        return found
    text = body.decode("utf-8-sig")
    return {cell.strip() for row in csv.reader(io.StringIO(text)) for cell in row}


def _row(url: str) -> tuple[str, models.Model] | None:
    name = _detail_view(url)
    if name is None:
        return None
    match = resolve(urlsplit(url).path)
    kind = DETAILS[name]
    return name, kind.model._default_manager.get(pk=match.kwargs["pk"])


def _status(client: Client, walk: Walk, url: str) -> int:
    if url not in walk.statuses:
        walk.statuses[url] = client.get(url).status_code
    return walk.statuses[url]


def test_every_role_lists_exports_and_opens_the_same_rows(reach_world: dict[str, User]) -> None:
    starts = [route for route in routes_without_arguments() if not route.startswith(SKIPPED)]
    every_detail = {
        reverse(name, args=[pk]): name
        for name, kind in DETAILS.items()
        for pk in kind.model._default_manager.values_list("pk", flat=True)
    }
    problems: list[str] = []
    kinds_linked: set[str] = set()
    compared = 0
    for role, user in {"anonymous": None, **reach_world}.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        walk = _walk(client, starts)
        linked = {detail for details in walk.details_on.values() for detail in details}
        kinds_linked |= set(filter(None, map(_detail_view, linked)))
        # Every row link leads to a page the role may open.
        for page, details in walk.details_on.items():
            for detail in sorted(details):
                status = _status(client, walk, detail)
                if status != 200:
                    problems.append(f"{role}: {page} links to {detail}, which answers {status}")
        # Every export names exactly the rows its page lists, and only rows the role may open.
        for page, exports in walk.exports_on.items():
            listed = [row for row in map(_row, walk.details_on[page]) if row]
            for export in sorted(exports):
                response = client.get(export)
                if response.status_code != 200:
                    problems.append(f"{role}: {page} offers {export}, which answers {response.status_code}")
                    continue
                cells = _cells(response)
                for name in sorted({name for name, _row_ in listed}):
                    kind = DETAILS[name]
                    on_page = {row.pk for each, row in listed if each == name}
                    named = {row.pk: _names(row, kind) for row in kind.model._default_manager.all()}
                    if not any(named.values()):
                        continue
                    in_export = {pk for pk, names in named.items() if names & cells}
                    compared += 1
                    for pk in sorted(on_page - in_export):
                        problems.append(f"{role}: {export} lacks {name} {pk}, listed on {page}")
                    for pk in sorted(in_export - on_page):
                        detail = reverse(name, args=[pk])
                        problems.append(
                            f"{role}: {export} has {name} {pk}, not listed on {page}"
                            f" (its detail answers {_status(client, walk, detail)})"
                        )
        # No detail the role may open is missing from its lists; every other is refused.
        for detail, name in sorted(every_detail.items()):
            status = _status(client, walk, detail)
            if status == 200 and detail not in linked:
                problems.append(f"{role}: {detail} ({name}) answers 200 but no list of the role links it")
            elif status not in (200, 302, 403, 404):
                problems.append(f"{role}: {detail} ({name}) answers {status}")
    assert not problems, "\n".join(problems)
    # The walk really went through every kind of row and compared exports: the invariant is not vacuous.
    assert kinds_linked == set(DETAILS), sorted(set(DETAILS) - kinds_linked)
    assert compared >= 20, compared
