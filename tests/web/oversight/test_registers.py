"""The oversight lists across a person's reach: the incident register, the major-change list, the cluster
list and the revocation proposals. Each is scoped (a county never sees another county's rows, in the page
or in the download), filtered alike on the page and in the CSV and XLSX downloads, refused to experts
(403 with the reason) and to anonymous visitors (the login page)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application
from smecluster.apps.oversight import selectors, services
from smecluster.apps.oversight.models import ClusterIncident, MajorChange, RevocationProposal
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.site.csv_export import BOM, XLSX_CONTENT_TYPE

pytestmark = pytest.mark.django_db

LISTS = ("oversight:clusters", "oversight:incidents", "oversight:changes", "oversight:revocations")
EXPERT_REASON = "动态管理仅对集群运营管理机构和各级主管部门开放，评审专家不参与"


@pytest.fixture
def world(
    ov_people: dict[str, User],
    ov_cluster: RecognizedCluster,
    web_application_in: Callable[..., Application],
) -> dict[str, Any]:
    """Two clusters of 佛山: ``a`` in 顺德区 (440606) and ``b`` in 南海区 (440605, revoked at the end).

    Incidents of ``a``: a 较大 safety accident today (meets the threshold, proposes case 5), a 一般 one
    today (below it), tax evasion a year before recognition (meets it, proposes nothing: case 5 is what
    happens while recognized). Of ``b``: a 重大 environment accident today (proposes, then accepted: ``b``
    is revoked). Changes of ``a``: a filing on time, a late filing, a change found without a filing; of
    ``b``: a filing on time."""
    today = timezone.localdate()
    programme = ov_cluster.programme
    call = YearlyCall.objects.create(
        programme=programme,
        year=min(programme.calls.values_list("year", flat=True)) - 1,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
        city_deadline=today + timedelta(days=30),
        province_deadline=today + timedelta(days=60),
        quota=3,
    )
    b = web_application_in("recognized", call=call, county="440605", name="佛山市南海区测试集群").recognition
    a = ov_cluster
    city, province = ov_people["city_officer"], ov_people["province_admin"]

    def incident(cluster: RecognizedCluster, kind: str, level: str, occurred_on: date) -> ClusterIncident:
        return services.incident_record(
            actor=city, cluster=cluster, kind=kind, level=level, occurred_on=occurred_on,
            source="区应急管理局通报", description="车间火灾",
        )  # fmt: skip

    def filing(cluster: RecognizedCluster, who: str, effective_on: date, industry: str) -> MajorChange:
        return services.change_file(
            actor=ov_people[who], cluster=cluster, kind="leading_industry",
            new_value={"leading_industry": industry}, effective_on=effective_on, reason="产业调整",
        )  # fmt: skip

    incidents = {
        "a_major": incident(a, "safety_accident", "较大", today),
        "a_minor": incident(a, "safety_accident", "一般", today),
        "a_before": incident(a, "tax_evasion", "", a.recognized_on - timedelta(days=400)),
        "b_major": incident(b, "environment_accident", "重大", today),
    }
    changes = {
        "a_on_time": filing(a, "county_officer", today, "家具"),
        "a_late": filing(a, "county_officer", today - timedelta(days=90), "五金"),
        "a_unfiled": services.change_record_unfiled(
            actor=city,
            cluster=a,
            kind="operating_agency",
            new_value={"operating_agency": "某某园区运营公司"},
            effective_on=today - timedelta(days=50),
            found_on=today,
            source="实地核查",
        ),
        "b_on_time": filing(b, "other_county_officer", today, "陶瓷"),
    }
    proposal = RevocationProposal.objects.get(cluster=b, source=f"incident:{incidents['b_major'].pk}")
    services.revocation_decide(actor=province, proposal=proposal, accept=True, reason="重大环境事故")
    b.refresh_from_db()
    assert b.status == RecognizedCluster.Status.REVOKED
    assert changes["a_late"].late
    assert not changes["a_on_time"].late
    return {"people": ov_people, "a": a, "b": b, "incidents": incidents, "changes": changes}


def _client(world: dict[str, Any], role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["people"][role])
    return client


def _csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :])))


def _xlsx_rows(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _get(client: Client, url_name: str, query: str = "", fmt: str = "") -> Any:
    parts = [part for part in (query, f"format={fmt}" if fmt else "") if part]
    return client.get(reverse(url_name) + ("?" + "&".join(parts) if parts else ""))


# --- the incident register ----------------------------------------------------------------------------


def _incident_keys_on_page(response: Any) -> list[int]:
    assert response.status_code == 200
    return [incident.pk for incident in response.context["page"]]


def _incident_key(row: list[Any]) -> tuple[str, str, str]:
    """(occurred on, cluster number, kind) of a download's row: the columns the register leads with."""
    day = row[0].date() if isinstance(row[0], datetime) else row[0]
    return (str(day), str(row[1]), str(row[5]))


def _incident_keys(world: dict[str, Any], names: list[str]) -> list[tuple[str, str, str]]:
    incidents = [ClusterIncident.objects.get(pk=world["incidents"][name].pk) for name in names]
    return [(str(i.occurred_on), i.cluster.number, i.get_kind_display()) for i in incidents]


def _incident_names(world: dict[str, Any], pks: list[int]) -> set[str]:
    by_pk = {incident.pk: name for name, incident in world["incidents"].items()}
    return {by_pk[pk] for pk in pks}


@pytest.mark.parametrize(
    ("role", "names"),
    [
        ("county_officer", {"a_major", "a_minor", "a_before"}),
        ("operator", {"a_major", "a_minor", "a_before"}),
        ("other_county_officer", {"b_major"}),
        ("other_operator", {"b_major"}),
        ("city_officer", {"a_major", "a_minor", "a_before", "b_major"}),
        ("other_city_officer", set()),
        ("province_admin", {"a_major", "a_minor", "a_before", "b_major"}),
        ("other_province_admin", set()),
        ("ministry_admin", set()),  # a provincial programme's clusters are the province's
    ],
)
def test_the_incident_register_shows_the_reach_and_the_download_the_same_rows(
    world: dict[str, Any], role: str, names: set[str]
) -> None:
    client = _client(world, role)
    pks = _incident_keys_on_page(_get(client, "oversight:incidents"))
    assert _incident_names(world, pks) == names
    expected = _incident_keys(world, [_incident_names(world, [pk]).pop() for pk in pks])
    csv_rows = _csv_rows(_get(client, "oversight:incidents", fmt="csv"))
    xlsx_rows = _xlsx_rows(_get(client, "oversight:incidents", fmt="xlsx"))
    assert [_incident_key(row) for row in csv_rows[1:]] == expected
    assert [_incident_key(row) for row in xlsx_rows[1:]] == expected


def test_a_county_never_sees_another_countys_incidents(world: dict[str, Any]) -> None:
    county = _client(world, "county_officer")
    other = world["b"]
    page = _get(county, "oversight:incidents").content.decode()
    assert other.number not in page
    assert other.name not in page
    for fmt in ("csv", "xlsx"):
        body = _get(county, "oversight:incidents", fmt=fmt).content
        assert other.number.encode() not in body
    # the register links each incident to its cluster's timeline; the other county's is a 404
    assert reverse("oversight:timeline", args=[world["a"].pk]) in page
    assert county.get(reverse("oversight:timeline", args=[other.pk])).status_code == 404
    # filtering by the other cluster's status does not reach it either
    assert _incident_keys_on_page(_get(county, "oversight:incidents", "cluster_status=revoked")) == []


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", {"a_major", "a_minor", "a_before", "b_major"}),
        ("kind=safety_accident", {"a_major", "a_minor"}),
        ("kind=tax_evasion", {"a_before"}),
        ("level=较大", {"a_major"}),
        ("level=none", {"a_before"}),
        ("proposes=yes", {"a_major", "b_major"}),
        ("proposes=no", {"a_minor", "a_before"}),
        ("cluster_status=revoked", {"b_major"}),
        ("cluster_status=valid", {"a_major", "a_minor", "a_before"}),
        ("kind=safety_accident&proposes=yes", {"a_major"}),
        ("kind=environment_accident&cluster_status=valid", set()),
    ],
)
def test_the_incident_filters_narrow_the_page_and_both_downloads_alike(
    world: dict[str, Any], query: str, names: set[str]
) -> None:
    client = _client(world, "city_officer")
    pks = _incident_keys_on_page(_get(client, "oversight:incidents", query))
    assert _incident_names(world, pks) == names
    expected = _incident_keys(world, [_incident_names(world, [pk]).pop() for pk in pks])
    assert [
        _incident_key(row) for row in _csv_rows(_get(client, "oversight:incidents", query, "csv"))[1:]
    ] == (expected)
    assert [
        _incident_key(row) for row in _xlsx_rows(_get(client, "oversight:incidents", query, "xlsx"))[1:]
    ] == expected


def test_the_year_filter_selects_the_year_of_occurrence(world: dict[str, Any]) -> None:
    client = _client(world, "province_admin")
    before = world["incidents"]["a_before"].occurred_on.year
    page = _get(client, "oversight:incidents")
    years = [value for value, _label in page.context["filter"].fields["year"].choices if value]
    assert before in years
    assert timezone.localdate().year in years
    only = _get(client, "oversight:incidents", f"year={before}")
    expected = {name for name, incident in world["incidents"].items() if incident.occurred_on.year == before}
    assert _incident_names(world, _incident_keys_on_page(only)) == expected
    assert len(_csv_rows(_get(client, "oversight:incidents", f"year={before}", "csv"))) == len(expected) + 1


def test_a_filter_value_outside_the_choices_is_ignored_with_the_fields_error(world: dict[str, Any]) -> None:
    client = _client(world, "city_officer")
    response = _get(client, "oversight:incidents", "year=abc&kind=safety_accident")
    assert _incident_names(world, _incident_keys_on_page(response)) == {"a_major", "a_minor"}
    assert "year" in response.context["filter"].errors


def test_the_register_decides_proposing_as_the_service_does(world: dict[str, Any]) -> None:
    register = selectors.incidents_in_reach(world["people"]["province_admin"])
    assert register.count() == len(world["incidents"])
    for incident in register:
        assert incident.proposes is services.incident_proposes(incident), incident


def test_the_incident_download_types_its_cells(world: dict[str, Any]) -> None:
    client = _client(world, "county_officer")
    header, *rows = _xlsx_rows(_get(client, "oversight:incidents", "kind=safety_accident&level=较大", "xlsx"))
    assert header[0] == "发生日期"
    assert "佐证材料（份）" in header
    assert "登记时间（北京时间）" in header
    (row,) = rows
    assert isinstance(row[0], datetime)  # a date cell (openpyxl reads dates back as datetimes)
    assert row[0].date() == world["incidents"]["a_major"].occurred_on
    assert row[header.index("佐证材料（份）")] == 0
    assert isinstance(row[header.index("登记时间（北京时间）")], datetime)
    assert row[header.index("达到撤销情形")] == "是"
    assert row[header.index("提出撤销建议")] == "是"
    csv_header, csv_row = _csv_rows(
        _get(client, "oversight:incidents", "kind=safety_accident&level=较大", "csv")
    )
    assert csv_header == header
    assert csv_row[0] == world["incidents"]["a_major"].occurred_on.isoformat()


# --- the major-change list ----------------------------------------------------------------------------


def _change_names(world: dict[str, Any], response: Any) -> set[str]:
    assert response.status_code == 200
    by_pk = {change.pk: name for name, change in world["changes"].items()}
    return {by_pk[change.pk] for change in response.context["page"]}


def _change_key(row: list[Any]) -> tuple[str, str, str]:
    day = row[0].date() if isinstance(row[0], datetime) else row[0]
    return (str(day), str(row[1]), str(row[7]))  # effective on, cluster number, filing


def _change_keys_on_page(response: Any) -> list[tuple[str, str, str]]:
    labels = {"unfiled": "未报备（核查发现）", True: "逾期报备", False: "按时报备"}
    return [
        (
            str(change.effective_on),
            change.cluster.number,
            labels["unfiled" if change.status == MajorChange.Status.FOUND_UNFILED else change.late],
        )
        for change in response.context["page"]
    ]


@pytest.mark.parametrize(
    ("role", "query", "names"),
    [
        ("county_officer", "", {"a_on_time", "a_late", "a_unfiled"}),
        ("other_county_officer", "", {"b_on_time"}),
        ("other_city_officer", "", set()),
        ("city_officer", "", {"a_on_time", "a_late", "a_unfiled", "b_on_time"}),
        ("city_officer", "filing=filed", {"a_on_time", "a_late", "b_on_time"}),
        ("city_officer", "filing=on_time", {"a_on_time", "b_on_time"}),
        ("city_officer", "filing=late", {"a_late"}),
        ("city_officer", "filing=unfiled", {"a_unfiled"}),
        ("city_officer", "kind=operating_agency", {"a_unfiled"}),
        ("city_officer", "kind=leading_industry&filing=late", {"a_late"}),
        ("city_officer", "status=filed", {"a_on_time", "a_late", "b_on_time"}),
        ("city_officer", "status=approved", set()),
        ("county_officer", "status=filed&filing=on_time", {"a_on_time"}),
    ],
)
def test_the_change_list_is_scoped_and_filtered_alike_on_the_page_and_in_the_downloads(
    world: dict[str, Any], role: str, query: str, names: set[str]
) -> None:
    client = _client(world, role)
    page = _get(client, "oversight:changes", query)
    assert _change_names(world, page) == names
    expected = _change_keys_on_page(page)
    assert [
        _change_key(row) for row in _csv_rows(_get(client, "oversight:changes", query, "csv"))[1:]
    ] == expected
    assert [_change_key(row) for row in _xlsx_rows(_get(client, "oversight:changes", query, "xlsx"))[1:]] == (
        expected
    )


def test_a_county_never_sees_another_countys_changes(world: dict[str, Any]) -> None:
    county = _client(world, "county_officer")
    other = world["b"]
    page = _get(county, "oversight:changes").content.decode()
    assert other.number not in page
    for fmt in ("csv", "xlsx"):
        assert other.number.encode() not in _get(county, "oversight:changes", fmt=fmt).content
    mine, theirs = world["changes"]["a_on_time"], world["changes"]["b_on_time"]
    assert reverse("oversight:change_detail", args=[mine.pk]) in page
    assert county.get(reverse("oversight:change_detail", args=[theirs.pk])).status_code == 404


def test_the_change_download_names_old_and_new_and_types_its_dates(world: dict[str, Any]) -> None:
    header, *rows = _xlsx_rows(
        _get(_client(world, "county_officer"), "oversight:changes", "filing=late", "xlsx")
    )
    (row,) = rows
    late = world["changes"]["a_late"]
    assert row[header.index("变动前")] == "智能家电"
    assert row[header.index("变动后")] == "五金"
    assert row[header.index("报备截止日")].date() == late.filing_due_on
    assert isinstance(row[header.index("报备时间（北京时间）")], datetime)
    assert row[header.index("发现日期")] is None


# --- the cluster list and the revocation proposals ----------------------------------------------------


def test_the_cluster_list_filters_by_status_and_downloads_its_counts(world: dict[str, Any]) -> None:
    client = _client(world, "city_officer")
    a, b = world["a"], world["b"]
    page = _get(client, "oversight:clusters")
    assert {cluster.pk for cluster, _counts in page.context["rows"]} >= {a.pk, b.pk}
    revoked = _get(client, "oversight:clusters", "status=revoked")
    assert [cluster.pk for cluster, _counts in revoked.context["rows"]] == [b.pk]
    header, *rows = _xlsx_rows(_get(client, "oversight:clusters", "status=revoked", "xlsx"))
    (row,) = rows
    assert row[0] == b.number
    assert row[header.index("有效期止")].date() == b.valid_until
    assert row[header.index("登记事件（件）")] == 1
    assert row[header.index("办理中的变动报备（件）")] == 1
    csv_header, *csv_rows = _csv_rows(_get(client, "oversight:clusters", "status=valid", "csv"))
    assert csv_header == header
    valid = [
        cluster.number
        for cluster, _counts in _get(client, "oversight:clusters", "status=valid").context["rows"]
    ]
    assert [csv_row[0] for csv_row in csv_rows] == valid
    assert a.number in valid
    assert b.number not in valid
    a_row = next(csv_row for csv_row in csv_rows if csv_row[0] == a.number)
    assert a_row[header.index("登记事件（件）")] == "3"


def test_the_county_cluster_list_download_holds_its_own_clusters_only(world: dict[str, Any]) -> None:
    rows = _csv_rows(_get(_client(world, "county_officer"), "oversight:clusters", fmt="csv"))[1:]
    numbers = {row[0] for row in rows}
    assert world["a"].number in numbers
    assert world["b"].number not in numbers


@pytest.mark.parametrize("status", ["open", "accepted", "dismissed", "all"])
def test_the_revocation_download_follows_the_status_filter(world: dict[str, Any], status: str) -> None:
    client = _client(world, "province_admin")
    page = _get(client, "oversight:revocations", f"status={status}")
    assert page.status_code == 200
    expected = [(str(p.proposed_on), p.cluster.number, str(p.case)) for p in page.context["proposals"]]
    if status in ("open", "accepted", "all"):
        assert expected
    csv_rows = _csv_rows(_get(client, "oversight:revocations", f"status={status}", "csv"))
    assert [(row[0], row[1], row[4]) for row in csv_rows[1:]] == expected
    xlsx_rows = _xlsx_rows(_get(client, "oversight:revocations", f"status={status}", "xlsx"))
    assert [(str(row[0].date()), row[1], str(row[4])) for row in xlsx_rows[1:]] == expected


def test_the_revocation_list_of_a_county_leaves_out_the_other_county(world: dict[str, Any]) -> None:
    client = _client(world, "county_officer")
    for fmt in ("csv", "xlsx"):
        assert (
            world["b"].number.encode() not in _get(client, "oversight:revocations", "status=all", fmt).content
        )
    rows = _csv_rows(_get(client, "oversight:revocations", "status=all", "csv"))[1:]
    assert rows
    assert {row[1] for row in rows} == {world["a"].number}


# --- who may open the lists ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
@pytest.mark.parametrize("url_name", LISTS)
def test_experts_are_refused_with_the_reason(world: dict[str, Any], url_name: str, fmt: str) -> None:
    response = _get(_client(world, "expert"), url_name, fmt=fmt)
    assert response.status_code == 403
    assert EXPERT_REASON in response.content.decode()


@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
@pytest.mark.parametrize("url_name", LISTS)
def test_anonymous_visitors_are_sent_to_log_in(world: dict[str, Any], url_name: str, fmt: str) -> None:
    response = _get(Client(), url_name, fmt=fmt)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url_name", LISTS)
def test_each_list_links_to_the_others_and_to_its_downloads_with_the_filters(
    world: dict[str, Any], url_name: str
) -> None:
    query = {
        "oversight:clusters": "status=valid",
        "oversight:incidents": "kind=safety_accident",
        "oversight:changes": "filing=late",
        "oversight:revocations": "status=all",
    }[url_name]
    page = _get(_client(world, "city_officer"), url_name, query).content.decode()
    for other in LISTS:
        assert f'href="{reverse(other)}"' in page
    path = reverse(url_name)
    assert f'href="{path}?{query}&amp;format=csv"' in page
    assert f'href="{path}?{query}&amp;format=xlsx"' in page
    for fmt in ("csv", "xlsx"):
        assert _get(_client(world, "city_officer"), url_name, query, fmt).status_code == 200


def test_the_new_lists_read_in_english_for_a_person_who_chose_it(world: dict[str, Any]) -> None:
    client = _client(world, "city_officer")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    incidents = _get(client, "oversight:incidents").content.decode()
    assert "Proposes revocation?" in incidents
    assert "Year of occurrence" in incidents
    assert "是否提出撤销建议" not in incidents
    changes = _get(client, "oversight:changes").content.decode()
    assert "Filings in progress come first." in changes
    header = _csv_rows(_get(client, "oversight:incidents", fmt="csv"))[0]
    assert "Recorded at (Beijing time)" in header


# --- search and sort (issue 15, finding 6) ------------------------------------------------------------

ALL_STATUSES = {"oversight:revocations": "status=all"}


def _numbers(client: Client, url_name: str, query: str, column: int = 1) -> list[str]:
    """The download's column ``column`` (the cluster number, except the cluster list's first column)."""
    base = ALL_STATUSES.get(url_name, "")
    rows = _csv_rows(_get(client, url_name, "&".join(part for part in (base, query) if part), "csv"))[1:]
    return [row[column] for row in rows]


NUMBER_COLUMN = {"oversight:clusters": 0}


@pytest.mark.parametrize("url_name", LISTS)
def test_each_list_searches_name_number_and_place(world: dict[str, Any], url_name: str) -> None:
    """q narrows by the cluster's name, number, the county's full name or its code's start, on the page
    and in both downloads alike."""
    client = _client(world, "city_officer")
    column = NUMBER_COLUMN.get(url_name, 1)
    a, b = world["a"].number, world["b"].number
    everything = set(_numbers(client, url_name, "", column))
    assert a in everything
    for query, expected in (
        ("q=南海区", {b}),
        ("q=440605", {b}),
        ("q=广东省佛山市南海", {b}),
        (f"q={a}", {a}),
        ("q=南海区测试集群", {b}),
        ("q=4406", everything),
        ("q=没有这个名字", set()),
    ):
        if b not in everything and expected == {b}:
            expected = set()
        assert set(_numbers(client, url_name, query, column)) == expected, query
    page = _get(
        client, url_name, "&".join(part for part in (ALL_STATUSES.get(url_name, ""), "q=南海区") if part)
    )
    assert 'name="q" value="南海区"' in page.content.decode()
    # The XLSX holds the same rows as the CSV.
    base = ALL_STATUSES.get(url_name, "")
    query = "&".join(part for part in (base, "q=440606") if part)
    xlsx = _xlsx_rows(_get(client, url_name, query, "xlsx"))[1:]
    assert [str(row[column]) for row in xlsx] == _numbers(client, url_name, "q=440606", column)


@pytest.mark.parametrize("url_name", LISTS)
def test_a_search_never_widens_the_reach(world: dict[str, Any], url_name: str) -> None:
    """南海区's officer searching for 顺德区's cluster by name, number or code finds nothing."""
    client = _client(world, "other_county_officer")
    column = NUMBER_COLUMN.get(url_name, 1)
    for query in (f"q={world['a'].number}", "q=顺德区", "q=440606"):
        assert _numbers(client, url_name, query, column) == [], query


SORT_KEYS = {
    "oversight:clusters": (
        "number",
        "name",
        "place",
        "valid_until",
        "status",
        "proposals",
        "changes",
        "incidents",
    ),
    "oversight:incidents": (
        "occurred_on",
        "cluster",
        "place",
        "cluster_status",
        "kind",
        "level",
        "source",
        "meets_threshold",
        "proposes",
    ),
    "oversight:changes": ("effective_on", "cluster", "place", "kind", "filing", "filing_due_on", "status"),
    "oversight:revocations": ("proposed_on", "cluster", "case", "article", "grounds", "status"),
}


@pytest.mark.parametrize("url_name", LISTS)
def test_each_column_sorts_both_ways_and_an_unknown_key_is_ignored(
    world: dict[str, Any], url_name: str
) -> None:
    client = _client(world, "city_officer")
    column = NUMBER_COLUMN.get(url_name, 1)
    everything = sorted(_numbers(client, url_name, "", column))
    for key in SORT_KEYS[url_name]:
        ascending = _numbers(client, url_name, f"sort={key}&dir=asc", column)
        descending = _numbers(client, url_name, f"sort={key}&dir=desc", column)
        assert sorted(ascending) == sorted(descending) == everything, key
        page = _get(
            client, url_name, "&".join(p for p in (ALL_STATUSES.get(url_name, ""), f"sort={key}") if p)
        )
        assert page.status_code == 200
        assert 'aria-sort="ascending"' in page.content.decode()
    by_cluster = "number" if url_name == "oversight:clusters" else "cluster"
    ascending = _numbers(client, url_name, f"sort={by_cluster}", column)
    assert ascending == sorted(ascending)
    assert _numbers(client, url_name, f"sort={by_cluster}&dir=desc", column) == sorted(
        ascending, reverse=True
    )
    assert ascending[0] != ascending[-1]  # both clusters listed, so the order is seen
    default = _numbers(client, url_name, "", column)
    for unknown in ("sort=pk", "sort=cluster__county__code", "sort=; DROP TABLE x", "sort=name&dir=sideways"):
        response = _get(client, url_name, unknown)
        assert response.status_code == 200, unknown
    assert _numbers(client, url_name, "sort=password", column) == default


def test_the_cluster_list_sorts_by_its_counts(world: dict[str, Any]) -> None:
    """顺德区's cluster has three incidents, 南海区's one: the count columns sort by the numbers shown."""
    client = _client(world, "city_officer")
    a, b = world["a"].number, world["b"].number
    assert _numbers(client, "oversight:clusters", "sort=incidents&dir=desc", 0) == [a, b]
    assert _numbers(client, "oversight:clusters", "sort=incidents&dir=asc", 0) == [b, a]
