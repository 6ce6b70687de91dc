"""Every applicant place (issue 13, finding 7).

GD 第十五条（一） and SX 14 make the 县（市、区）中小企业主管部门 the 申报主体 of a cluster
"在县级区划范围内". GB/T 2260 has no county level in the four 不设区的地级市 (东莞 4419, 中山 4420,
儋州 4604, 嘉峪关 6202), yet national clusters sit there at town or street level ("2024: 中山市小榄镇,
东莞市万江街道", ../shared/data README, as reported); and "development zones (e.g. 贵阳高新区, 2022) are
not divisions". So such a city acts at county level for its towns and streets, which it names by their
统计用区划代码; with no city level above it, the province receives its application and recommends it
directly; a cluster may name the development zone it covers with the divisions the zone spans (GZ 解读:
"经济技术开发区、高新技术产业开发区、工业园区 … 吸引中小企业向园区集聚，形成 … 产业集群")."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ModelChoiceField
from django.test import Client
from django.urls import reverse

from factories import PLEDGE, ApplicationFactory
from smecluster.apps.accounts.models import DevelopmentZone, Jurisdiction, Role, User
from smecluster.apps.applications import services as application_services
from smecluster.apps.applications.forms import BasicsForm
from smecluster.apps.applications.models import Application, Status
from smecluster.apps.applications.profiles import profile_document
from smecluster.apps.applications.selectors import recommended_by_same_office, recommender_jurisdiction
from smecluster.apps.audit.services import audit_trail
from smecluster.apps.programmes import services as programme_services
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.reviews import services as review_services
from smecluster.errors import UnusableInput
from smecluster.profile import parse_profile
from smecluster.reference import divisions

pytestmark = pytest.mark.django_db

WANJIANG = {"code": "441900005", "name": "万江街道"}


@pytest.fixture
def dongguan(web_users: dict[str, User], web_new_user: Callable[..., User]) -> User:
    """东莞's department acting at county level (an account at the city, in the county officer's role)."""
    return web_new_user("dongguan", Role.COUNTY_OFFICER, "441900")


def _dongguan_application(call: YearlyCall, status: str = Status.DRAFT, **extra: Any) -> Application:
    extra.setdefault("places", [WANJIANG])
    application: Application = ApplicationFactory(
        call=call, county="441900", name="东莞市万江街道测试产业集群", status=status, **extra
    )
    return application


def test_the_four_cities_acting_at_county_level_are_data_with_their_source() -> None:
    """不设区的地级市 are listed as data with their source, and the list is exactly the prefecture-level
    cities of GB/T 2260 without county-level divisions (东莞, 中山, 儋州, 嘉峪关)."""
    listed = divisions.county_level_cities()
    childless = {d.code for d in divisions.divisions("city") if not divisions.children(d.code)}
    assert set(listed) == childless == {"441900", "442000", "460400", "620200"}
    for city in listed.values():
        assert "GB/T 2260" in city.source
        assert divisions.division(city.code) is not None
        assert divisions.province_of(city.code).code == city.province
        assert divisions.can_declare(city.code)
        assert divisions.city_above(city.code) is None
    # An ordinary district has its city above it; 仙桃 (directly under 湖北) has none either.
    assert divisions.city_above("440606") == divisions.division("440600")
    assert divisions.city_above("429004") is None


def test_a_town_is_named_by_its_nine_digit_code_under_the_city() -> None:
    """A town of 东莞 (东莞市万江街道) is named with its 统计用区划代码 (the city's six digits and three
    more), checked for shape and parent, since GB/T 2260 stops at county level."""
    assert divisions.validate_place_code("441900005", "441900") is None
    assert "统计用区划代码为 9 位数字" in (divisions.validate_place_code("44190005", "441900") or "")
    assert "前 6 位应为 441900" in (divisions.validate_place_code("442000100", "441900") or "")
    assert "是县级区划 441900 本身" in (divisions.validate_place_code("441900000", "441900") or "")


def test_the_dongguan_account_drafts_and_the_province_recommends_directly(
    web_users: dict[str, User], web_call: YearlyCall, dongguan: User
) -> None:
    """The 县（市、区）主管部门 is the 申报主体 (GD 第十五条（一）); 东莞 has no county, so its own department
    acts at that level, and with no 地级以上市 above it the province receives and recommends the application
    (the chain's city level is the province's). The recommendation uses 东莞's own quota, not the
    province's."""
    application = _dongguan_application(web_call, Status.REVIEWED)
    assert application.created_by == dongguan
    assert recommender_jurisdiction(application) == "440000"
    # 佛山's city officer has no part in it; the province recommends.
    with pytest.raises(PermissionDenied):
        review_services.application_recommend(
            actor=web_users["city_officer"], application=application, recommended=True, reason="理由"
        )
    review_services.application_recommend(
        actor=web_users["province_admin"], application=application, recommended=True, reason="理由"
    )
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    # A 顺德 recommendation by 佛山 is not counted against 东莞 (its quota is its own).
    shunde = ApplicationFactory(call=web_call, status=Status.RECOMMENDED)
    assert list(recommended_by_same_office(application)) == [application]
    assert application not in recommended_by_same_office(shunde)


def test_a_dongguan_application_must_name_its_town_or_street(web_call: YearlyCall, dongguan: User) -> None:
    """An application of 不设区的地级市 is a cluster of its towns or streets ("东莞市万江街道"): without the
    town the place of the cluster is not stated, so submission is refused until it is named."""
    application = _dongguan_application(web_call, places=[])
    with pytest.raises(ValidationError) as refused:
        application_services.application_submit(actor=dongguan, application=application, pledge=PLEDGE)
    assert "不设区的地级市" in str(refused.value)
    application_services.application_update(
        actor=dongguan, application=application, fields={"places": [WANJIANG]}
    )
    application_services.application_submit(actor=dongguan, application=application, pledge=PLEDGE)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.versions.get().snapshot["fields"]["places"] == [WANJIANG]
    assert profile_document(application, date.today())["places"] == [WANJIANG]


def test_the_basics_form_reads_towns_and_checks_their_codes(web_call: YearlyCall, dongguan: User) -> None:
    """The form takes one town a line ("441900005 万江街道") and refuses a code outside the city."""
    application = _dongguan_application(web_call, places=[])
    data = {"name": application.name, "leading_industry": "电子信息", "places": "441900005 万江街道"}
    form = BasicsForm(data=data, instance=application)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["places"] == [WANJIANG]
    form = BasicsForm(data={**data, "places": "442000100 小榄镇"}, instance=application)
    assert not form.is_valid()
    assert "前六位应为申报县的区划代码" in str(form.errors["places"])


def test_a_cluster_names_the_development_zone_it_covers_with_the_divisions_it_spans(
    web_users: dict[str, User], web_application: Application
) -> None:
    """Zones are not divisions ("development zones (e.g. 贵阳高新区, 2022) are not divisions"): a zone is
    registered with its name, level and the county-level divisions it spans; an application of one of those
    counties names it, and the profile carries it (optional: existing profiles are unchanged)."""
    zone = DevelopmentZone.objects.create(
        name="顺德高新技术产业开发区", level=DevelopmentZone.ZoneLevel.NATIONAL
    )
    zone.counties.set(["440606", "440605"])
    county = web_users["county_officer"]
    application = application_services.application_update(
        actor=county, application=web_application, fields={"development_zone": zone}
    )
    document = profile_document(application, date.today())
    assert document["development_zone"] == {
        "name": "顺德高新技术产业开发区",
        "level": "国家级",
        "counties": ["440605", "440606"],
    }
    assert parse_profile(document, source="profile.json").development_zone is not None
    # The basics form offers only zones spanning the declaring county.
    DevelopmentZone.objects.create(name="贵阳国家高新技术产业开发区", level="国家级").counties.set(["520115"])
    offered = BasicsForm(instance=application).fields["development_zone"]
    assert isinstance(offered, ModelChoiceField)
    assert list(offered.queryset or []) == [zone]
    # A profile's zone must span its declaring county.
    document["development_zone"]["counties"] = ["440605"]
    with pytest.raises(UnusableInput, match="须覆盖申报县 440606"):
        parse_profile(document, source="profile.json")


def test_the_detail_page_and_the_pdf_show_the_towns_and_the_zone(
    web_users: dict[str, User], web_call: YearlyCall, dongguan: User
) -> None:
    """The place of the cluster is part of what is declared ("在县级区划范围内", GD 第十五条（一）): the
    towns or streets of a 不设区的地级市 and the development zone are shown on the application's page and
    printed in its PDF, not only entered on the form."""
    zone = DevelopmentZone.objects.create(name="松山湖高新技术产业开发区", level="国家级")
    zone.counties.set(["441900"])
    application = application_services.application_update(
        actor=dongguan, application=_dongguan_application(web_call), fields={"development_zone": zone}
    )
    client = Client()
    client.force_login(dongguan)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "441900005 万江街道" in page
    assert "松山湖高新技术产业开发区（国家级）" in page
    response = client.get(reverse("applications:pdf", args=[application.pk]))
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "万江街道" in text
    assert "松山湖高新技术产业开发区" in text


def test_the_province_registers_its_zones_with_their_divisions(
    client: Client, web_users: dict[str, User]
) -> None:
    """ "Development zones … are not divisions": the province registers a zone with its name, level and the
    county-level divisions it spans, all in its own province; an audit event records each write; the zone
    is listed on the page and an application of a spanned county can name it."""
    province = web_users["province_admin"]
    with pytest.raises(ValidationError) as refused:
        programme_services.zone_register(
            actor=province,
            name="贵阳国家高新技术产业开发区",
            level="国家级",
            counties=list(Jurisdiction.objects.filter(code="520115")),
        )
    assert "不是本省的县级区划" in str(refused.value.message_dict["counties"])
    with pytest.raises(PermissionDenied):
        programme_services.zone_register(
            actor=web_users["city_officer"], name="某开发区", level="省级", counties=[]
        )
    client.force_login(province)
    response = client.post(
        reverse("programmes:zone_new"),
        {"name": "佛山高新技术产业开发区", "level": "国家级", "counties": ["440605", "440606"]},
    )
    assert response.status_code == 302
    zone = DevelopmentZone.objects.get(name="佛山高新技术产业开发区")
    assert sorted(zone.counties.values_list("code", flat=True)) == ["440605", "440606"]
    programme_services.zone_update(
        actor=province,
        zone=zone,
        name=zone.name,
        level="国家级",
        counties=list(Jurisdiction.objects.filter(code__in=["440604", "440605", "440606"])),
    )
    trail = audit_trail(zone)
    assert {event.action for event in trail} == {"development_zone.register", "development_zone.update"}
    assert trail.get(action="development_zone.update").after == {"counties": ["440604", "440605", "440606"]}
    listing = client.get(reverse("programmes:zones")).content.decode()
    assert "佛山高新技术产业开发区" in listing
    assert "禅城区" in listing
    # A 东莞 zone is registered under the city itself (it acts at county level).
    programme_services.zone_register(
        actor=province,
        name="松山湖高新技术产业开发区",
        level="国家级",
        counties=list(Jurisdiction.objects.filter(code="441900")),
    )
