"""The province's configuration pages (programmes, yearly calls), the cities' cultivation pool and the
home page's counts, deadlines and quota."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories import PLEDGE, REQUIRED_SECTIONS_FILLED
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications import services as application_services
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.programmes.models import PoolEntry, Programme, YearlyCall

pytestmark = pytest.mark.django_db


@pytest.fixture
def pg_divisions() -> None:
    """The GB/T 2260 rows (a transactional test elsewhere may have flushed them)."""
    ensure_divisions()


@pytest.fixture
def pg_people(pg_divisions: None) -> dict[str, User]:
    people = {
        "province": (Role.PROVINCE_ADMIN, "440000"),  # 广东省
        "other_province": (Role.PROVINCE_ADMIN, "610000"),  # 陕西省
        "city": (Role.CITY_OFFICER, "440600"),  # 佛山市
        "other_city": (Role.CITY_OFFICER, "440100"),  # 广州市
        "county": (Role.COUNTY_OFFICER, "440606"),  # 顺德区
        "expert": (Role.EXPERT, "440000"),
    }
    users = {}
    for key, (role, code) in people.items():
        user = User(username=f"pg-{key}", role=role, jurisdiction_id=code)
        user.set_password("pg-password-42")
        user.save()
        users[key] = user
    return users


@pytest.fixture
def pg_programmes(pg_divisions: None) -> dict[str, Programme]:
    return {
        "guangdong": Programme.objects.create(
            name="广东省中小企业特色产业集群",
            owner_id="440000",
            owner_level="province",
            rule_set_id="guangdong-2022",
            review_chain=["county", "city", "province"],
            quota_per_unit=3,
        ),
        "national": Programme.objects.create(
            name="国家级中小企业特色产业集群",
            owner=None,
            owner_level="national",
            rule_set_id="national-2022",
            review_chain=["county", "province", "national"],
            quota_per_unit=8,
        ),
        "shaanxi": Programme.objects.create(
            name="陕西省中小企业特色产业集群",
            owner_id="610000",
            owner_level="province",
            rule_set_id="shaanxi-2023",
            review_chain=["county", "city", "province"],
        ),
    }


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _call(programme: Programme, **changes: object) -> YearlyCall:
    today = timezone.localdate()
    fields = {
        "year": today.year,
        "opens_on": today - timedelta(days=3),
        "closes_on": today + timedelta(days=10),
        "city_deadline": today + timedelta(days=20),
        "province_deadline": today + timedelta(days=40),
        "quota": 2,
        **changes,
    }
    return YearlyCall.objects.create(programme=programme, **fields)


PROGRAMME_FORM = {
    "name": "广东省特色产业集群（2027 修订）",
    "owner_level": "province",
    "rule_set_id": "guangdong-2022",
    "review_chain": ["county", "city", "province"],
    "quota_per_unit": "4",
    "pool_required": "on",
    # issue 5's programme settings
    "change_filing_days": "30",
    "re_review_window_days": "90",
}


def test_the_province_admin_lists_own_and_national_programmes_with_their_calls(
    pg_people: dict[str, User], pg_programmes: dict[str, Programme]
) -> None:
    _call(pg_programmes["guangdong"], year=2031)
    page = _client(pg_people["province"]).get(reverse("programmes:list"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "广东省中小企业特色产业集群" in text
    assert "国家级中小企业特色产业集群" in text
    assert "陕西省" not in text
    assert "2031" in text
    assert reverse("programmes:edit", args=[pg_programmes["guangdong"].pk]) in text
    assert reverse("programmes:edit", args=[pg_programmes["national"].pk]) not in text
    assert "此处只读" in text


def test_the_programme_list_is_exported_as_csv(
    pg_people: dict[str, User], pg_programmes: dict[str, Programme]
) -> None:
    _call(pg_programmes["guangdong"], year=2031, quota=None)
    response = _client(pg_people["province"]).get(reverse("programmes:list"), {"format": "csv"})
    body = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeff认定项目,")
    line = next(row for row in body.splitlines() if "2031" in row)
    assert line.endswith(",3")  # no quota of its own: the programme's 3 per city


def test_the_province_admin_creates_a_programme(pg_people: dict[str, User]) -> None:
    client = _client(pg_people["province"])
    assert client.get(reverse("programmes:new")).status_code == 200
    response = client.post(reverse("programmes:new"), PROGRAMME_FORM, headers={"X-Request-Id": "pg-create"})
    assert response.status_code == 302
    programme = Programme.objects.get(name=PROGRAMME_FORM["name"])
    assert programme.owner_id == "440000"
    assert programme.review_chain == ["county", "city", "province"]
    assert programme.quota_per_unit == 4
    assert programme.pool_required is True
    event = AuditEvent.objects.get(action="programme.create", target_id=str(programme.pk))
    assert event.request_id == "pg-create"
    assert event.after["rule_set_id"] == "guangdong-2022"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "这个字段是必填项"),
        ({"owner_level": "national"}, "owner_level", "国家级认定项目由工业和信息化部设置"),
        ({"rule_set_id": "shaanxi-2023"}, "rule_set_id", "选择一个有效的选项"),
        ({"review_chain": ["city", "province"]}, "review_chain", "须从县级申报开始"),
        ({"review_chain": []}, "review_chain", "请选择审核层级"),
        ({"quota_per_unit": "-1"}, "quota_per_unit", "0"),
    ],
)
def test_bad_programme_input_is_refused_at_the_field(
    pg_people: dict[str, User], change: dict[str, object], field: str, message: str
) -> None:
    data = {**PROGRAMME_FORM, **change}
    response = _client(pg_people["province"]).post(reverse("programmes:new"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert 'value="广东省特色产业集群（2027 修订）"' in response.content.decode() or field == "name"
    assert not Programme.objects.filter(name=PROGRAMME_FORM["name"]).exists()


def test_the_province_admin_edits_a_programme_and_the_change_is_audited(
    pg_people: dict[str, User], pg_programmes: dict[str, Programme]
) -> None:
    programme = pg_programmes["guangdong"]
    client = _client(pg_people["province"])
    page = client.get(reverse("programmes:edit", args=[programme.pk]))
    assert 'value="广东省中小企业特色产业集群"' in page.content.decode()
    response = client.post(
        reverse("programmes:edit", args=[programme.pk]), {**PROGRAMME_FORM, "quota_per_unit": "5"}
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.quota_per_unit == 5
    event = AuditEvent.objects.get(action="programme.update", target_id=str(programme.pk))
    assert event.before["quota_per_unit"] == 3
    assert event.after["quota_per_unit"] == 5
    assert "review_chain" not in event.after  # only what changed


def test_national_and_other_provinces_programmes_cannot_be_edited(
    pg_people: dict[str, User], pg_programmes: dict[str, Programme]
) -> None:
    client = _client(pg_people["province"])
    national, shaanxi = pg_programmes["national"], pg_programmes["shaanxi"]
    refused = client.get(reverse("programmes:edit", args=[national.pk]))
    assert refused.status_code == 403
    assert "国家级认定项目由工业和信息化部设置" in refused.content.decode()
    assert client.get(reverse("programmes:call_new", args=[national.pk])).status_code == 403
    national_call = _call(national)
    assert client.get(reverse("programmes:call_edit", args=[national_call.pk])).status_code == 403
    assert client.post(reverse("programmes:edit", args=[national.pk]), PROGRAMME_FORM).status_code == 403
    national.refresh_from_db()
    assert national.name == "国家级中小企业特色产业集群"
    assert client.get(reverse("programmes:edit", args=[shaanxi.pk])).status_code == 404
    assert client.get(reverse("programmes:call_edit", args=[_call(shaanxi).pk])).status_code == 404


def test_the_province_admin_creates_and_edits_a_call_with_errors_at_the_fields(
    pg_people: dict[str, User], pg_programmes: dict[str, Programme]
) -> None:
    programme = pg_programmes["guangdong"]
    client = _client(pg_people["province"])
    url = reverse("programmes:call_new", args=[programme.pk])
    good = {
        "year": "2030",
        "opens_on": "2030-03-01",
        "closes_on": "2030-04-30",
        "city_deadline": "2030-05-31",
        "province_deadline": "2030-07-31",
        "quota": "2",
        # Guangdong's measure is held as its 征求意见稿: the call records what it applies it under.
        "legal_basis": "2030年度认定工作通知",
    }
    # close before open: the model's clean() message at the closing date, every value kept
    response = client.post(url, {**good, "closes_on": "2030-02-15"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["closes_on"] == ["截止日期早于开始日期"]
    text = response.content.decode()
    assert 'value="2030-02-15"' in text
    assert 'value="2030-03-01"' in text
    assert not YearlyCall.objects.filter(programme=programme).exists()

    response = client.post(url, {**good, "province_deadline": "2030-05-01"})
    assert response.context["form"].errors["province_deadline"] == ["省级评审截止不得早于市级推荐截止"]
    response = client.post(url, {**good, "opens_on": "2030-13-01"})
    assert response.context["form"].errors["opens_on"] == ["请按 年-月-日 填写日期"]

    response = client.post(url, good, headers={"X-Request-Id": "pg-call"})
    assert response.status_code == 302
    call = YearlyCall.objects.get(programme=programme, year=2030)
    assert call.quota == 2
    assert AuditEvent.objects.get(action="call.create", target_id=str(call.pk)).request_id == "pg-call"

    # one call per programme and year
    response = client.post(url, good)
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == ["该认定项目已有 2030 年度的申报"]

    # edit
    edit = reverse("programmes:call_edit", args=[call.pk])
    assert 'value="2030-04-30"' in client.get(edit).content.decode()
    response = client.post(edit, {**good, "city_deadline": "2030-04-01"})
    assert response.context["form"].errors["city_deadline"] == ["市级推荐截止不得早于县级申报截止"]
    response = client.post(edit, {**good, "quota": ""})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.quota is None
    assert call.effective_quota() == 3
    event = AuditEvent.objects.get(action="call.update", target_id=str(call.pk))
    assert event.before == {"quota": 2}
    assert event.after == {"quota": None}


def test_the_year_of_a_call_with_applications_cannot_change(
    pg_people: dict[str, User], pg_programmes: dict[str, Programme]
) -> None:
    call = _call(pg_programmes["guangdong"])
    application_services.application_create(
        actor=pg_people["county"], call=call, name="顺德区家电集群", leading_industry="家电"
    )
    response = _client(pg_people["province"]).post(
        reverse("programmes:call_edit", args=[call.pk]),
        {
            "year": str(call.year - 1),  # an earlier year: a call opens after the years it judges
            "opens_on": f"{call.opens_on:%Y-%m-%d}",
            "closes_on": f"{call.closes_on:%Y-%m-%d}",
            "city_deadline": f"{call.city_deadline:%Y-%m-%d}",
            "province_deadline": "",
            "quota": "2",
        },
    )
    assert response.status_code == 200
    assert "申报编号含年度" in response.context["form"].errors["year"][0]


@pytest.mark.parametrize("who", ["county", "expert"])
def test_only_the_offices_owning_programmes_open_the_programme_pages(
    pg_people: dict[str, User], pg_programmes: dict[str, Programme], who: str
) -> None:
    programme = pg_programmes["guangdong"]
    call = _call(programme)
    client = _client(pg_people[who])
    for url in (
        reverse("programmes:list"),
        reverse("programmes:new"),
        reverse("programmes:edit", args=[programme.pk]),
        reverse("programmes:call_new", args=[programme.pk]),
        reverse("programmes:call_edit", args=[call.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "只有省级管理员和市级主管部门可以查看和配置认定项目" in response.content.decode()
    assert client.post(reverse("programmes:new"), PROGRAMME_FORM).status_code == 403
    assert not Programme.objects.filter(name=PROGRAMME_FORM["name"]).exists()


def test_a_city_officer_reads_but_does_not_edit_the_provinces_programme(
    pg_people: dict[str, User], pg_programmes: dict[str, Programme]
) -> None:
    """The city owns only its own 市级集群 programme (tests/web/procedure/test_procedure_city_programme.py);
    its province's programme and calls it reads, and may not edit, nor create a provincial one."""
    programme = pg_programmes["guangdong"]
    call = _call(programme)
    client = _client(pg_people["city"])
    assert client.get(reverse("programmes:list")).status_code == 200
    for url in (
        reverse("programmes:edit", args=[programme.pk]),
        reverse("programmes:call_new", args=[programme.pk]),
        reverse("programmes:call_edit", args=[call.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "不由您所在的部门设置" in response.content.decode()
    response = client.post(reverse("programmes:new"), PROGRAMME_FORM)
    assert response.status_code == 200
    assert "您只能设置本部门这一级（市级）的认定项目" in " ".join(
        response.context["form"].errors["owner_level"]
    )
    assert not Programme.objects.filter(name=PROGRAMME_FORM["name"]).exists()


POOL_FORM = {"county": "440606", "name": "顺德区家具产业集群", "leading_industry": "家具", "note": "龙江镇"}


def test_the_city_officer_adds_to_and_removes_from_the_pool(pg_people: dict[str, User]) -> None:
    client = _client(pg_people["city"])
    page = client.get(reverse("programmes:pool"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "顺德区" in text  # the city's counties to choose from
    assert "番禺区" not in text

    response = client.post(reverse("programmes:pool_add"), POOL_FORM, headers={"X-Request-Id": "pg-pool"})
    assert response.status_code == 302
    entry = PoolEntry.objects.get(name="顺德区家具产业集群")
    assert (entry.city_id, entry.county_id) == ("440600", "440606")
    assert AuditEvent.objects.get(action="pool.add", target_id=str(entry.pk)).request_id == "pg-pool"
    assert "顺德区家具产业集群" in client.get(reverse("programmes:pool")).content.decode()

    # the same cluster twice, a county of another city, nothing typed: each at its field, values kept
    response = client.post(reverse("programmes:pool_add"), POOL_FORM)
    assert "已在培育库中" in response.context["form"].errors["name"][0]
    response = client.post(reverse("programmes:pool_add"), {**POOL_FORM, "county": "440113"})
    assert response.context["form"].errors["county"] == ["请选择本市的县（市、区）"]
    assert 'value="顺德区家具产业集群"' in response.content.decode()
    response = client.post(reverse("programmes:pool_add"), {"county": "440606"})
    assert set(response.context["form"].errors) == {"name", "leading_industry"}
    assert PoolEntry.objects.count() == 1

    response = client.post(reverse("programmes:pool_remove", args=[entry.pk]), {"reason": "已升级为省级集群"})
    assert response.status_code == 302
    assert not PoolEntry.objects.exists()
    event = AuditEvent.objects.get(action="pool.remove", target_id=str(entry.pk))
    assert event.before["name"] == "顺德区家具产业集群"
    assert event.reason == "已升级为省级集群"


def test_another_city_cannot_see_or_remove_the_entry_and_the_province_only_reads(
    pg_people: dict[str, User],
) -> None:
    _client(pg_people["city"]).post(reverse("programmes:pool_add"), POOL_FORM)
    entry = PoolEntry.objects.get()
    other = _client(pg_people["other_city"])
    assert "顺德区家具产业集群" not in other.get(reverse("programmes:pool")).content.decode()
    assert other.post(reverse("programmes:pool_remove", args=[entry.pk])).status_code == 404
    assert "顺德区家具产业集群" not in other.get(reverse("programmes:pool_export")).content.decode()

    province = _client(pg_people["province"])
    assert "顺德区家具产业集群" in province.get(reverse("programmes:pool")).content.decode()
    assert (
        "顺德区家具产业集群" in province.get(reverse("programmes:pool"), {"city": "440600"}).content.decode()
    )
    filtered = province.get(reverse("programmes:pool"), {"city": "440100"}).content.decode()
    assert "顺德区家具产业集群" not in filtered
    assert province.post(reverse("programmes:pool_remove", args=[entry.pk])).status_code == 403
    assert province.post(reverse("programmes:pool_add"), POOL_FORM).status_code == 403
    assert PoolEntry.objects.filter(pk=entry.pk).exists()

    assert _client(pg_people["county"]).get(reverse("programmes:pool")).status_code == 403
    assert (
        _client(pg_people["other_province"])
        .get(reverse("programmes:pool"))
        .content.decode()
        .count("顺德区家具产业集群")
        == 0
    )


def test_the_pool_is_exported_as_csv(pg_people: dict[str, User]) -> None:
    _client(pg_people["city"]).post(reverse("programmes:pool_add"), POOL_FORM)
    for who in ("city", "province"):
        response = _client(pg_people[who]).get(reverse("programmes:pool_export"))
        body = response.content.decode("utf-8")
        assert response["Content-Type"].startswith("text/csv")
        assert body.startswith("\ufeff所属市,所在县（市、区）,区划代码,集群名称")
        assert "佛山市,顺德区,440606,顺德区家具产业集群,家具,龙江镇," in body


def test_an_entry_an_application_came_from_stays_in_the_pool(
    pg_people: dict[str, User], pg_programmes: dict[str, Programme]
) -> None:
    _client(pg_people["city"]).post(reverse("programmes:pool_add"), POOL_FORM)
    entry = PoolEntry.objects.get()
    application_services.application_create(
        actor=pg_people["county"],
        call=_call(pg_programmes["guangdong"]),
        name=entry.name,
        leading_industry=entry.leading_industry,
        pool_entry=entry,
    )
    response = _client(pg_people["city"]).post(
        reverse("programmes:pool_remove", args=[entry.pk]), follow=True
    )
    assert "不能移出" in response.content.decode()
    assert PoolEntry.objects.filter(pk=entry.pk).exists()


def test_the_home_page_shows_counts_deadlines_and_the_quota_used(
    pg_people: dict[str, User], pg_programmes: dict[str, Programme]
) -> None:
    call = _call(pg_programmes["guangdong"], quota=2)
    county = pg_people["county"]
    application = application_services.application_create(
        actor=county, call=call, name="顺德区家电集群", leading_industry="家电"
    )
    application_services.application_update(
        actor=county, application=application, fields={"area_km2": Decimal("30"), **REQUIRED_SECTIONS_FILLED}
    )
    application_services.application_set_rows(
        actor=county,
        application=application,
        kind="years",
        rows=[{"year": year, "output": Decimal(50 + year % 10)} for year in range(call.year - 3, call.year)],
    )
    application_services.application_submit(actor=county, application=application, pledge=PLEDGE)

    city_page = _client(pg_people["city"]).get(reverse("home")).content.decode()
    assert application.number in city_page
    assert reverse("reviews:versions", args=[application.pk]) in city_page
    assert "已提交，待受理" in city_page  # counted by status
    assert "0 / 2 个，剩余 2 个" in city_page
    assert "还剩 20 天" in city_page  # the city's deadline

    county_page = _client(pg_people["county"]).get(reverse("home")).content.decode()
    assert "还剩 10 天" in county_page  # the county's deadline
    assert "推荐名额使用" not in county_page

    province_page = _client(pg_people["province"]).get(reverse("home")).content.decode()
    assert "佛山市" in province_page
    assert "还剩 40 天" in province_page

    tasks = _client(pg_people["city"]).get(reverse("home"), {"format": "csv"}).content.decode("utf-8")
    assert tasks.startswith("\ufeff事项,")
    assert application.number in tasks


def test_a_call_cannot_open_before_the_years_it_judges_have_ended(
    pg_people: dict[str, User], pg_programmes: dict[str, Programme]
) -> None:
    """The 2027 call judges 2024–2026 (近三年): opening it in 2026 would judge a year not yet over."""
    today = timezone.localdate()
    response = _client(pg_people["province"]).post(
        reverse("programmes:call_new", args=[pg_programmes["guangdong"].pk]),
        {
            "year": str(today.year + 1),
            "opens_on": f"{today:%Y-%m-%d}",
            "closes_on": f"{today + timedelta(days=10):%Y-%m-%d}",
            "city_deadline": f"{today + timedelta(days=20):%Y-%m-%d}",
            "province_deadline": "",
            "quota": "2",
        },
    )
    assert response.status_code == 200
    assert f"截至 {today.year} 年，须在该年度结束后开始申报" in response.context["form"].errors["opens_on"][0]
    assert not pg_programmes["guangdong"].calls.filter(year=today.year + 1).exists()
