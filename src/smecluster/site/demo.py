"""The demo: accounts, programmes, a cultivation pool and applications in several states.

Everything is made through the services, as a person in the pages would make it, so the demo's records
carry their audit trail, versions and notifications. Running :func:`build_demo` again changes nothing
that exists (it restores the demo accounts and their password, keeps the call open around today, and adds
any demo record that is missing).

Place names are GB/T 2260 divisions. Cluster names come from the published lists of recognized clusters
(national batches 2022 and 2024, as gathered in the shared ``national_clusters_partial.csv``: 佛山市南海区
氢能 and 安全应急, 广州市番禺区纺织服装) where they fit a county with a demo account. The list names no
顺德区 cluster: the 顺德区 names, 南海区铝型材 and the extra pool entries (禅城区陶瓷, 三水区饮料食品) are
illustrative names for those counties' well-known industries, not recognized clusters. The figures are
invented but plausible, and meet the Guangdong thresholds.

The national programme is the ministry's, set without a service (there is none for it): it is the one
record written directly, with an audit event that says so (:func:`ensure_national_programme`). The
``ministry-admin`` account (工业和信息化部, 全国) takes its owner's steps: a 顺德区 application recommended by
广东省 waits at the ministry, beside a 深圳市南山区 one recommended by 深圳 itself (a 计划单列市, under its
own quota; ``shenzhen-officer`` and ``county-officer-4``).

Selection has a call at each stage: last year's Guangdong call went all the way (screening, three experts'
scores, the frozen shortlist, the notice with one objection found not upheld and one upheld (成立), which
takes 南海区's 纺织 application off the list, recognition: its clusters are on /public/clusters/, beside the
application the objection removed); this year's call is in expert review. Last year's story is replayed
through the services with the clock set to last year's dates (:func:`_clock`): the services refuse a
notice starting in the past, take objections only during the notice and recognize only after it, so the
clock moves, not the records. The 顺德区 and 南海区 names of last year's call (燃气具, 五金, 纺织) are
illustrative names for those counties' well-known industries, not recognized clusters.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from smecluster.apps.accounts import two_factor
from smecluster.apps.accounts.models import DevelopmentZone, Jurisdiction, Role, User
from smecluster.apps.applications import services as application_services
from smecluster.apps.applications.models import Application, Section
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.notices import services as notice_services
from smecluster.apps.oversight import services as oversight_services
from smecluster.apps.oversight.models import ChangeKind, MajorChange, RevocationProposal
from smecluster.apps.programmes import services as programme_services
from smecluster.apps.programmes.models import PoolEntry, Programme, YearlyCall
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
from smecluster.apps.registry.services import (
    annual_reports,
    plan_targets,
    re_reviews,
    recognition_notice,
    register_import,
)
from smecluster.apps.registry.services import assessments as registry_assessments
from smecluster.apps.registry.services import recognition as registry_services
from smecluster.apps.reviews import services as review_services
from smecluster.apps.reviews.models import SpotCheck
from smecluster.apps.rosters.demo import import_demo_roster
from smecluster.apps.selection import services as selection_services
from smecluster.apps.selection.models import ExpertProfile, Screening

DEMO_PASSWORD = "smecluster-demo"  # the demo database only; printed by `smecluster demo`

GUANGDONG = "440000"
SHAANXI = "610000"
FOSHAN = "440600"
GUANGZHOU = "440100"
SHUNDE = "440606"
NANHAI = "440605"
PANYU = "440113"
SHENZHEN = "440300"  # a 计划单列市: it recommends to the ministry itself (the national rule set's data)
NANSHAN = "440305"
DONGGUAN = "441900"  # a 不设区的地级市: it acts at county level for its towns and streets
CHANCHENG = "440604"
SANSHUI = "440607"
GAOMING = "440608"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    jurisdiction: str
    full_name: str  # 姓名 in Chinese order; Django's get_full_name() is first_name + " " + last_name
    organization: str
    email: str

    @property
    def description(self) -> str:
        place = Jurisdiction.objects.get(code=self.jurisdiction).full_name()
        return f"{Role(self.role).label}，{place}（{self.jurisdiction}），{self.organization}"


ACCOUNTS = (
    DemoAccount(
        "province-admin", Role.PROVINCE_ADMIN, GUANGDONG, "陈志明", "广东省工业和信息化厅",
        "province-admin@demo.smecluster.local",
    ),
    DemoAccount(
        "city-officer", Role.CITY_OFFICER, FOSHAN, "李婉清", "佛山市工业和信息化局",
        "city-officer@demo.smecluster.local",
    ),
    DemoAccount(
        "county-officer", Role.COUNTY_OFFICER, SHUNDE, "何嘉欣", "佛山市顺德区经济和科技促进局",
        "county-officer@demo.smecluster.local",
    ),
    DemoAccount(
        "county-officer-2", Role.COUNTY_OFFICER, NANHAI, "梁俊杰", "佛山市南海区经济促进局",
        "county-officer-2@demo.smecluster.local",
    ),
    DemoAccount(
        "county-officer-3", Role.COUNTY_OFFICER, PANYU, "黄伟强", "广州市番禺区工业和信息化局",
        "county-officer-3@demo.smecluster.local",
    ),
    DemoAccount(
        "operator", Role.OPERATOR, SHUNDE, "罗晓峰", "佛山市顺德区家电产业集群促进中心",
        "operator@demo.smecluster.local",
    ),
    DemoAccount(
        "expert", Role.EXPERT, GUANGDONG, "周建华", "华南理工大学工商管理学院",
        "expert@demo.smecluster.local",
    ),
    DemoAccount(
        "expert-2", Role.EXPERT, "440106", "吴丽华", "广东省智能制造研究所",
        "expert-2@demo.smecluster.local",
    ),
    DemoAccount(
        "expert-3", Role.EXPERT, "440305", "郑国栋", "深圳市中小企业发展促进会",
        "expert-3@demo.smecluster.local",
    ),
    DemoAccount(
        "shaanxi-admin", Role.PROVINCE_ADMIN, SHAANXI, "赵建平", "陕西省工业和信息化厅",
        "shaanxi-admin@demo.smecluster.local",
    ),
    DemoAccount(
        "shenzhen-officer", Role.CITY_OFFICER, SHENZHEN, "林志远", "深圳市工业和信息化局",
        "shenzhen-officer@demo.smecluster.local",
    ),
    DemoAccount(
        "county-officer-4", Role.COUNTY_OFFICER, NANSHAN, "张海涛", "深圳市南山区工业和信息化局",
        "county-officer-4@demo.smecluster.local",
    ),
    DemoAccount(
        "dongguan-officer", Role.COUNTY_OFFICER, DONGGUAN, "袁嘉豪", "东莞市工业和信息化局",
        "dongguan-officer@demo.smecluster.local",
    ),
    DemoAccount(
        "ministry-admin", Role.MINISTRY_ADMIN, "100000", "王建国", "工业和信息化部中小企业局",
        "ministry-admin@demo.smecluster.local",
    ),
)  # fmt: skip

# The expert pool's profiles (fields of expertise), kept by the province admin.
EXPERT_FIELDS = {
    "expert": "产业经济、集群治理、智能家电",
    "expert-2": "装备制造、工业机器人、五金",
    "expert-3": "电子信息、纺织服装、燃气具",
}


# --- figures ----------------------------------------------------------------------------------------

# The last three complete years of a cluster that meets the Guangdong thresholds (佛山市顺德区 example
# profile, examples/profile-example.json): output ≥40 亿元 each year, SME share >70 %, leading share
# >70 %, growth >10 %, R&D growth >10 %, patents growth ≥15 %, ≥15 patents per 10 000 employees.
_BASE_YEARS = (
    {"output": "42.0", "sme_output": "32.0", "leading_output": "33.0", "sme_rnd": "1.00",
     "invention_patents": 400, "employees": 28000, "iip_penetration": "15.5", "co2_intensity": "0.92"},
    {"output": "47.5", "sme_output": "36.0", "leading_output": "37.0", "sme_rnd": "1.15",
     "invention_patents": 470, "employees": 29000, "iip_penetration": "16.8", "co2_intensity": "0.88"},
    {"output": "53.0", "sme_output": "40.0", "leading_output": "41.0", "sme_rnd": "1.32",
     "invention_patents": 540, "employees": 30000, "iip_penetration": "18.0", "co2_intensity": "0.85"},
)  # fmt: skip
_AMOUNTS = ("output", "sme_output", "leading_output", "sme_rnd")
_COUNTS = ("invention_patents", "employees")


def sample_years(last_year: int, scale: Decimal | str = "1") -> list[dict[str, Any]]:
    """Three consecutive years ending with ``last_year``; amounts and counts multiplied by ``scale``
    (shares and intensities unchanged), so every ratio the rule sets test stays the same."""
    factor = Decimal(scale)
    rows = []
    for offset, base in enumerate(_BASE_YEARS):
        row: dict[str, Any] = {"year": last_year - 2 + offset}
        for name, value in base.items():
            if name in _AMOUNTS:
                row[name] = (Decimal(str(value)) * factor).quantize(Decimal("0.01"))
            elif name in _COUNTS:
                row[name] = int(Decimal(str(value)) * factor)
            else:
                row[name] = Decimal(str(value))
        rows.append(row)
    return rows


def sample_fields(name: str, industry: str) -> dict[str, Any]:
    """The basics, quality firms and qualitative tabs of an application that is ready to submit."""
    return {
        "leading_industry_code": "38",
        "area_km2": Decimal("60"),
        "energy_intensive": False,
        "water_intensive": False,
        "energy_efficiency_better_than_benchmark": True,
        "water_efficiency_better_than_benchmark": True,
        "champion": 0,
        "little_giant": 2,
        "specialized": 6,
        "innovative": 3,
        "high_tech": 4,
        # 13 title holdings are 8 firms, as in the demo roster (rosters.demo): three firms hold two or three
        # of the titles. The rule counts firms, so "不少于10家" is not met; the 2 小巨人 meet the other limb.
        "quality_holders": [{"titles": ["specialized", "innovative", "high_tech"], "firms": 8}],
        "supply_chain": f"{name}以{industry}整机企业为链主，带动本地配套企业协作，本地配套率约六成。",
        "innovation": (
            "建有省级工程技术研究中心和产业创新中心，与高校共建联合实验室，近三年牵头制修订标准 5 项。"
        ),
        "digital": "推广工业互联网平台应用，规上企业数字化改造覆盖率超过八成。",
        "green": "开展绿色工厂创建，单位产值能耗逐年下降。",
        "openness": "产品出口东南亚、欧洲等地，参与粤港澳大湾区产业协作。",
        "governance": "运营管理机构提供检验检测、人才培训、融资对接等公共服务。",
        "plan_summary": "未来三年围绕高端化、智能化、绿色化发展，培育专精特新企业，完善产业链配套。",
    }


def sample_targets(last_year: int) -> list[dict[str, Any]]:
    return [
        {"indicator": "集群总产值", "unit": "亿元", "baseline": Decimal("53"),
         "target_value": Decimal("70"), "target_year": last_year + 3},
        {"indicator": "专精特新中小企业", "unit": "家", "baseline": Decimal("6"),
         "target_value": Decimal("12"), "target_year": last_year + 3},
        {"indicator": "工业互联网平台应用普及率", "unit": "%", "baseline": Decimal("18"),
         "target_value": Decimal("30"), "target_year": last_year + 3},
    ]  # fmt: skip


def fill_application(*, actor: User, application: Application, scale: Decimal | str = "1") -> Application:
    """Fill every tab through the services with figures that make a valid profile for the years the
    call judges."""
    last_year = application.call.judged_years[-1]
    fields = sample_fields(application.name, application.leading_industry)
    fields.update(
        operating_agency=f"{application.county.name}{application.leading_industry}产业集群促进中心",
        contact_person=actor.get_full_name() or actor.username,
        contact_phone="0757-22830000",
    )
    application = application_services.application_update(actor=actor, application=application, fields=fields)
    for kind, rows in (("years", sample_years(last_year, scale)), ("targets", sample_targets(last_year))):
        application = application_services.application_set_rows(
            actor=actor, application=application, kind=kind, rows=rows
        )
    return application


# --- the demo -----------------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    accounts: tuple[DemoAccount, ...] = ACCOUNTS
    programmes: int = 0
    calls: int = 0
    pool_entries: int = 0
    applications: int = 0
    created: list[str] = field(default_factory=list)
    refused_calls: list[str] = field(default_factory=list)


@transaction.atomic
def ensure_accounts(password: str = DEMO_PASSWORD) -> dict[str, User]:
    """Create the demo accounts, or restore them (role, jurisdiction, active, password)."""
    users = {}
    for account in ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        wanted = {
            "role": account.role,
            "jurisdiction_id": account.jurisdiction,
            "first_name": account.full_name,
            "last_name": "",
            "organization": account.organization,
            "email": account.email,
            "is_active": True,
        }
        if user is None:
            user = User(username=account.username, **wanted)
            user.set_password(password)
            user.save()
            audit_record(
                actor=None,
                action=actions.USER_CREATE,
                target=user,
                after={"role": account.role, "jurisdiction": account.jurisdiction},
                reason="演示数据",
            )
        else:
            before = {key: getattr(user, key) for key in wanted}
            changed = {key: value for key, value in wanted.items() if before[key] != value}
            password_changed = not user.check_password(password)
            if changed or password_changed:
                for key, value in changed.items():
                    setattr(user, key, value)
                if password_changed:
                    user.set_password(password)
                user.save()
                audit_record(
                    actor=None,
                    action=actions.USER_UPDATE,
                    target=user,
                    before={key: before[key] for key in changed},
                    after={**changed, **({"password": "reset"} if password_changed else {})},
                    reason="演示数据",
                )
        users[account.username] = user
    return users


def ensure_demo_authenticators() -> dict[str, str]:
    """The demo accounts that must sign in with a second factor (settings.TWO_FACTOR_REQUIRED_ROLES) get an
    authenticator, kept across runs; returns each one's secret in base32, which ``smecluster demo`` prints
    so a visitor can add it to an app or run ``oathtool --totp -b SECRET``. Not part of ``build_demo``: the
    test suite builds the demo world without the second factor."""
    secrets = {}
    for account in ACCOUNTS:
        user = User.objects.get(username=account.username)
        if two_factor.two_factor_required(user):
            device = two_factor.authenticator_preenrol(user=user, reason="demo")
            secrets[account.username] = two_factor.secret_in_base32(device)
    return secrets


def _call_dates(today: date) -> dict[str, date]:
    """Open a month ago, the county deadline a month ahead, the city's two weeks later."""
    return {
        "opens_on": today - timedelta(days=30),
        "closes_on": today + timedelta(days=30),
        "city_deadline": today + timedelta(days=45),
        "province_deadline": today + timedelta(days=75),
    }


@dataclass(frozen=True)
class DemoApplication:
    """One demo application: who drafts it, what it is, and how far it goes."""

    username: str
    name: str
    industry: str
    status: Status
    scale: str = "1"
    pool: bool = True
    return_reason: str = ""


OPERATED_BY_OPERATOR = frozenset({"佛山市顺德区智能家电产业集群", "佛山市顺德区小家电产业集群"})
"""The ``operator`` account (顺德区's 家电 cluster promotion centre) operates these: this year's
智能家电 draft and the 小家电 cluster recognized three years ago (its application and cluster).
顺德区's other applications and clusters (机器人, 家具, 燃气具, 花卉园艺…) are the county's alone, so
the binding shows."""

DEMO_APPLICATIONS = (
    # 顺德区: a draft the operator and the county officer are completing, one waiting for the city's
    # initial review, one waiting for its recommendation after the initial review and a spot check.
    DemoApplication("county-officer", "佛山市顺德区智能家电产业集群", "智能家电", Status.DRAFT, "1.6"),
    DemoApplication("county-officer", "佛山市顺德区机器人产业集群", "工业机器人", Status.ACCEPTED, "0.9"),
    DemoApplication("county-officer", "佛山市顺德区家具产业集群", "家具", Status.REVIEWED, "1.3"),
    # 南海区: the first two names are from the national lists (2022, 2024).
    DemoApplication("county-officer-2", "佛山市南海区氢能产业集群", "氢能", Status.SUBMITTED, "1.1"),
    DemoApplication(
        "county-officer-2", "佛山市南海区安全应急产业集群", "安全应急", Status.RETURNED, "1.0",
        return_reason="近三年中小企业研发经费的佐证材料不全，请补充专项审计报告后重新提交。",
    ),
    DemoApplication("county-officer-2", "佛山市南海区铝型材产业集群", "铝型材", Status.RECOMMENDED, "2.2"),
    # 广州市番禺区 (national list 2024): a draft, outside 佛山市 (the city officer never sees it).
    DemoApplication(
        "county-officer-3", "广州市番禺区纺织服装产业集群", "纺织服装", Status.DRAFT, "1.4", pool=False
    ),
)  # fmt: skip

# 佛山市's cultivation pool: the demo applications of 佛山 and candidates not yet applying.
EXTRA_POOL = (
    (CHANCHENG, "佛山市禅城区陶瓷产业集群", "建筑陶瓷"),
    (SANSHUI, "佛山市三水区饮料食品产业集群", "饮料食品"),
)

_PATH_TO: dict[Status, tuple[str, ...]] = {
    Status.DRAFT: (),
    Status.SUBMITTED: ("submit",),
    Status.RETURNED: ("submit", "return"),
    Status.ACCEPTED: ("submit", "accept"),
    Status.REVIEWED: ("submit", "accept", "review", "spot_check"),
    Status.RECOMMENDED: ("submit", "accept", "review", "spot_check", "recommend"),
}


def demo_pledge(county: User) -> application_services.Pledge:
    """The 承诺书 a demo county signs on submitting: its officer, as the department's head."""
    return application_services.Pledge(
        signer_name=county.get_full_name() or county.username,
        signer_position=f"{county.jurisdiction.name if county.jurisdiction else ''}中小企业主管部门负责人",
    )


def _drive(
    application: Application,
    spec: DemoApplication,
    users: dict[str, User],
    today: date,
    recommender: User | None = None,
) -> Application:
    """Take ``application`` to ``spec.status`` through the services; the recommender is 佛山市's officer (only
    佛山市's applications go further than submitted) unless named (the county in a city's own programme)."""
    county = users[spec.username]
    city = recommender or users["city-officer"]
    steps: dict[str, Callable[[], Any]] = {
        "submit": lambda: application_services.application_submit(
            actor=county, application=application, pledge=demo_pledge(county)
        ),
        "return": lambda: review_services.application_return(
            actor=city, application=application, reason=spec.return_reason
        ),
        "accept": lambda: review_services.application_accept(actor=city, application=application),
        "review": lambda: review_services.initial_review_record(
            actor=city,
            application=application,
            findings=[
                {"criterion_id": "gd-output", "status": "pass", "note": "近三年产值均在 40 亿元以上"},
                {"criterion_id": "gd-sme-share", "status": "pass", "note": "与统计部门数据一致"},
                {"criterion_id": "gd-chain-layout", "status": "review", "note": "待专家评审"},
            ],
            conclusion="材料齐全，量化指标符合认定条件，同意进入实地抽查。",
        ),
        "spot_check": lambda: review_services.spot_check_record(
            actor=city,
            application=application,
            checked_on=today - timedelta(days=3),
            inspectors="李婉清、市工信局产业科 张振宇",
            findings="实地查看了集群内 5 家企业和公共服务平台，生产经营正常，产值数据与纳税记录相符。",
            conclusion=SpotCheck.Conclusion.CONFIRMED,
        ),
        "recommend": lambda: review_services.application_recommend(
            actor=city,
            application=application,
            recommended=True,
            reason="产业特色鲜明，龙头带动作用强，同意推荐。",
        ),
    }
    for step in _PATH_TO[spec.status]:
        steps[step]()
        application.refresh_from_db()
    return application


# The smallest well-formed PDF, standing in for a scanned statistical report.
_EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _evidence(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _EVIDENCE_PDF, content_type="application/pdf")


GUANGDONG_PROGRAMME = "广东省中小企业特色产业集群认定"
SHAANXI_PROGRAMME = "陕西省中小企业特色产业集群认定"
# Guangdong's measure is held as its 征求意见稿, so each Guangdong call records what it applies it under
# (issue 13, finding 12). The demo's wording, not a real notice.
GUANGDONG_LEGAL_BASIS = (
    "（演示）广东省工业和信息化厅年度中小企业特色产业集群认定工作通知：办法正式印发前参照征求意见稿开展认定"
)
NATIONAL_PROGRAMME = "中小企业特色产业集群认定（国家级）"


def ensure_guangdong_programme(admin: User, today: date) -> tuple[Programme, YearlyCall]:
    """The province's programme (rule set guangdong-2022, county → city → province, 3 places per city,
    no pool required) and this year's call, open around ``today``: made by the province admin."""
    programme = Programme.objects.filter(name=GUANGDONG_PROGRAMME, owner=admin.jurisdiction_id).first()
    if programme is None:
        programme = programme_services.programme_create(
            actor=admin,
            fields={
                "name": GUANGDONG_PROGRAMME,
                "owner_level": "province",
                "rule_set_id": "guangdong-2022",
                "review_chain": ["county", "city", "province"],
                "quota_per_unit": 3,
                "pool_required": False,
                # The particulars the documents print (illustrative contact; the issuer and the
                # addressees are the defaults: 广东省工业和信息化厅, 各地级以上市工业和信息化主管部门).
                "document_contact_person": "中小企业处（演示）",
                "document_contact_phone": "020-83133080",
                "objection_mailing_address": (
                    "广州市越秀区东风中路305号广东省工业和信息化厅中小企业处，邮政编码510031"
                ),
            },
        )
    dates = _call_dates(today)
    call = programme.calls.filter(year=today.year).first()
    if call is None:
        call = programme_services.call_create(
            actor=admin,
            programme=programme,
            fields={"year": today.year, **dates, "quota": 3, "legal_basis": GUANGDONG_LEGAL_BASIS},
        )
    elif not call.is_open(today):
        # A demo database from earlier in the year: keep its call open, so the demo can still apply.
        call = programme_services.call_update(
            actor=admin, call=call, fields={**dates, "legal_basis": call.legal_basis or GUANGDONG_LEGAL_BASIS}
        )
    return programme, call


@transaction.atomic
def ensure_national_programme(today: date) -> tuple[Programme, YearlyCall]:
    """The national programme (rule set national-2022; the county applies, the province recommends up to 8)
    and its call for this year. It is set by the ministry, which has no account here: its records are
    written with an audit event whose actor is empty and whose reason says so."""
    programme = Programme.objects.filter(name=NATIONAL_PROGRAMME, owner__isnull=True).first()
    if programme is None:
        programme = Programme(
            name=NATIONAL_PROGRAMME,
            owner=None,
            owner_level="national",
            rule_set_id="national-2022",
            review_chain=["county", "province", "national"],
            quota_per_unit=8,
            pool_required=False,
            document_contact_person="中小企业局（演示）",
            document_contact_phone="010-68205311",
        )
        programme.full_clean()
        programme.save()
        audit_record(
            actor=None,
            action=actions.PROGRAMME_CREATE,
            target=programme,
            after={"name": programme.name, "rule_set_id": programme.rule_set_id},
            reason="demo: set by the Ministry of Industry and Information Technology",
        )
    call = programme.calls.filter(year=today.year).first()
    if call is None:
        call = YearlyCall(
            programme=programme,
            year=today.year,
            opens_on=today - timedelta(days=14),
            closes_on=today + timedelta(days=60),
            city_deadline=today + timedelta(days=75),
            province_deadline=today + timedelta(days=90),
            quota=8,
        )
        call.full_clean()
        call.save()
        audit_record(
            actor=None,
            action=actions.CALL_CREATE,
            target=call,
            after={"year": call.year, "closes_on": str(call.closes_on), "quota": call.quota},
            reason="demo: set by the Ministry of Industry and Information Technology",
        )
    return programme, call


def ensure_pool(city_officer: User) -> dict[str, PoolEntry]:
    """佛山市's cultivation pool: every demo cluster of 佛山 and the extra candidates."""
    wanted = [
        (_ACCOUNT_BY_NAME[spec.username].jurisdiction, spec.name, spec.industry)
        for spec in DEMO_APPLICATIONS
        if spec.pool
    ] + list(EXTRA_POOL)
    entries = {}
    for county_code, name, industry in wanted:
        entry = PoolEntry.objects.filter(county=county_code, name=name).first()
        if entry is None:
            entry = programme_services.pool_entry_add(
                actor=city_officer,
                county=Jurisdiction.objects.get(code=county_code),
                name=name,
                leading_industry=industry,
                note="2023 年入库；市级重点培育",
            )
        entries[name] = entry
    return entries


_ACCOUNT_BY_NAME = {account.username: account for account in ACCOUNTS}


def ensure_applications(
    users: dict[str, User], call: YearlyCall, pool: dict[str, PoolEntry], today: date
) -> list[Application]:
    """Each demo application, made and taken to its state the first time; left as it is afterwards."""
    applications = []
    for spec in DEMO_APPLICATIONS:
        county = users[spec.username]
        existing = Application.objects.filter(
            call=call, county=county.jurisdiction_id, name=spec.name
        ).first()
        if existing is not None:
            applications.append(existing)
            continue
        application = application_services.application_create(
            actor=county,
            call=call,
            name=spec.name,
            leading_industry=spec.industry,
            pool_entry=pool.get(spec.name),
        )
        # The operator drafts the content of the cluster it operates (the county binds it); the county
        # officer everyone else's, 顺德区's other applications included: the operator does not reach those.
        drafter = county
        if spec.name in OPERATED_BY_OPERATOR:
            drafter = users["operator"]
            application_services.application_operator_add(
                actor=county, application=application, operator=drafter
            )
        application = fill_application(actor=drafter, application=application, scale=spec.scale)
        application_services.evidence_add(
            actor=drafter,
            application=application,
            section=Section.FIGURES,
            upload=_evidence(f"{today.year - 1}年度{application.county.name}统计年报摘录.pdf"),
        )
        # Its enterprise roster, by the county officer; the first draft's SMEs fall short of what it
        # declares, so the demo shows the tolerance flag and the computed-figures switch.
        import_demo_roster(
            application,
            county,
            sme_output_factor=Decimal("0.85") if spec is DEMO_APPLICATIONS[0] else Decimal(1),
        )
        applications.append(_drive(application, spec, users, today))
    return applications


def _issue_recognition_notice(actor: User, call: YearlyCall, code: str, serial: int) -> None:
    """The owner enters the recognition notice's 文号 the day it is issued (illustrative numbers: the
    department's own registry assigns real ones), so the demo's notices print complete, not as drafts."""
    day = timezone.localdate()
    recognition_notice.recognition_notice_issue(
        actor=actor, call=call, number=f"{code}〔{day.year}〕{serial}号", dated=day
    )


# --- selection: experts, last year's call to recognition, this year's in expert review -------------


@contextmanager
def _clock(day: date, at: time = time(10, 0)) -> Iterator[None]:
    """Run the services as if it were ``day`` (Beijing time): they read ``timezone.now`` (as do
    ``localdate`` and ``auto_now_add``), so last year's steps are dated last year."""
    instant = timezone.make_aware(datetime.combine(day, at))
    real = timezone.now
    timezone.now = lambda: instant
    try:
        yield
    finally:
        timezone.now = real


def ensure_experts(users: dict[str, User]) -> list[User]:
    """The province's expert pool: each demo expert with a profile (made once, by the province admin)."""
    experts = []
    for username, fields in EXPERT_FIELDS.items():
        expert = users[username]
        if not ExpertProfile.objects.filter(user=expert).exists():
            selection_services.expert_profile_save(
                actor=users["province-admin"],
                expert=expert,
                fields=fields,
                organization=expert.organization,
                active=True,
            )
        experts.append(expert)
    return experts


# Last year's call: three 佛山市 clusters; the quota (2) leaves the third off the shortlist.
PREVIOUS_APPLICATIONS = (
    DemoApplication("county-officer", "佛山市顺德区燃气具产业集群", "燃气具", Status.RECOMMENDED, "1.5"),
    DemoApplication("county-officer-2", "佛山市南海区五金产业集群", "五金", Status.RECOMMENDED, "1.2"),
    DemoApplication("county-officer-2", "佛山市南海区纺织产业集群", "纺织服装", Status.RECOMMENDED, "1.0"),
)  # fmt: skip
# Each expert's share of every indicator's maximum, per application (in the order above).
_SHARES = {
    "expert": ("0.90", "0.84", "0.72"),
    "expert-2": ("0.86", "0.88", "0.70"),
    "expert-3": ("0.92", "0.80", "0.75"),
}
_COMMENTS = ("产业特色鲜明，数据翔实。", "龙头带动作用较强，配套较完善。", "创新投入偏低，需加强。")


def _score_all(assignment: Any, share: str, comment: str) -> None:
    system = assignment.application.call.indicator_systems.order_by("-version").first()
    entries = {
        indicator.pk: selection_services.ScoreEntry(
            (indicator.max_points * Decimal(share)).quantize(Decimal("0.01")), comment
        )
        for indicator in system.indicators.all()
    }
    selection_services.assignment_declare(actor=assignment.expert, assignment=assignment, conflict=False)
    selection_services.scores_save(
        actor=assignment.expert, assignment=assignment, entries=entries, submit=True
    )


def _assign(admin: User, application: Application, experts: list[User], due_on: date) -> list[Any]:
    return [
        selection_services.assignment_create(
            actor=admin, application=application, expert=expert, due_on=due_on
        )
        for expert in experts
    ]


FOSHAN_PROGRAMME = "佛山市市级特色产业集群认定"
FOSHAN_APPLICATION = DemoApplication(
    "county-officer", "佛山市顺德区智能厨电产业集群", "智能厨电", Status.RECOMMENDED, "1.2", pool=False
)


@transaction.atomic
def ensure_foshan_city_programme(users: dict[str, User], experts: list[User], today: date) -> YearlyCall:
    """佛山市's own 市级特色产业集群 programme (GD 6 "引导和支持地方培育一批市级集群"), built through the
    services by the city officer: the programme (chain county → city, under the Guangdong rule set), a call
    two years ago, one cluster of 顺德区 recognized by the city in the city's name, and the city's yearly
    assessment of it."""
    city, county = users["city-officer"], users[FOSHAN_APPLICATION.username]
    year = today.year - 2
    opened = date(year, 3, 2)
    programme = Programme.objects.filter(name=FOSHAN_PROGRAMME, owner=city.jurisdiction_id).first()
    if programme is not None:  # built by an earlier run, in one transaction with its call
        return programme.calls.get()
    with _clock(opened - timedelta(days=10)):
        programme = programme_services.programme_create(
            actor=city,
            fields={
                "name": FOSHAN_PROGRAMME,
                "owner_level": "city",
                "rule_set_id": "guangdong-2022",
                "review_chain": ["county", "city"],
                "quota_per_unit": 2,
                "pool_required": False,
            },
        )
    with _clock(opened):
        call = programme_services.call_create(
            actor=city,
            programme=programme,
            fields={
                "year": year,
                **_call_dates(opened + timedelta(30)),
                "legal_basis": GUANGDONG_LEGAL_BASIS,
            },
        )
    with _clock(opened + timedelta(days=20)):
        application = application_services.application_create(
            actor=county,
            call=call,
            name=FOSHAN_APPLICATION.name,
            leading_industry=FOSHAN_APPLICATION.industry,
            pool_entry=None,
        )
        application = fill_application(actor=county, application=application, scale=FOSHAN_APPLICATION.scale)
    with _clock(opened + timedelta(days=60)):
        # In the city's programme the county recommends to the city (programmes.recommenders).
        application = _drive(application, FOSHAN_APPLICATION, users, opened + timedelta(days=60), county)
    with _clock(opened + timedelta(days=80)):
        selection_services.call_settings_update(
            actor=city,
            call=call,
            fields={
                "experts_per_application": 3,
                "scoring_deadline": opened + timedelta(days=95),
                "recognition_quota": 1,
            },
        )
        selection_services.application_screen(actor=city, application=application, goes_on=True, reason="")
        selection_services.indicator_system_ensure(actor=city, call=call)
        assignments = _assign(city, application, experts, opened + timedelta(days=95))
    with _clock(opened + timedelta(days=90)):
        for assignment in assignments:
            _score_all(assignment, _SHARES[assignment.expert.username][0], _COMMENTS[0])
    with _clock(opened + timedelta(days=100)):
        selection_services.shortlist_confirm(actor=city, call=call)
        notice = notice_services.notice_publish(
            actor=city,
            call=call,
            title=notice_services.default_title(call),
            starts_on=notice_services.next_working_day(opened + timedelta(days=100)),
            contact="佛山市工业和信息化局中小企业科（演示）",
        )
    with _clock(notice.ends_on + timedelta(days=3)):
        registry_services.recognize_unobjected(actor=city, call=call)
        _issue_recognition_notice(city, call, "佛工信函", 21)
    cluster = RecognizedCluster.objects.get(application__call=call)
    with _clock(date(year + 1, 4, 20)):
        registry_assessments.assessment_record(
            actor=city,
            cluster=cluster,
            year=year,
            grade="合格",
            findings="认定当年规划目标按期推进，年度报告待次年报送；市级考核合格。",
            today=date(year + 1, 4, 20),
        )
    return call


@transaction.atomic
def ensure_previous_call(users: dict[str, User], experts: list[User], today: date) -> YearlyCall:
    """Last year's Guangdong call, taken to recognition through the services at last year's dates."""
    admin, year = users["province-admin"], today.year - 1
    programme = Programme.objects.get(name=GUANGDONG_PROGRAMME, owner=admin.jurisdiction_id)
    existing = programme.calls.filter(year=year).first()
    if existing is not None:
        return existing
    opened = date(year, 3, 2)
    with _clock(opened):
        call = programme_services.call_create(
            actor=admin,
            programme=programme,
            fields={
                "year": year,
                **_call_dates(opened + timedelta(30)),
                "legal_basis": GUANGDONG_LEGAL_BASIS,
            },
        )
    applications = []
    with _clock(opened + timedelta(days=20)):
        for spec in PREVIOUS_APPLICATIONS:
            county = users[spec.username]
            application = application_services.application_create(
                actor=county, call=call, name=spec.name, leading_industry=spec.industry, pool_entry=None
            )
            application = fill_application(actor=county, application=application, scale=spec.scale)
            applications.append(application)
    with _clock(opened + timedelta(days=60)):
        for application, spec in zip(applications, PREVIOUS_APPLICATIONS, strict=True):
            _drive(application, spec, users, opened + timedelta(days=60))
    with _clock(opened + timedelta(days=80)):
        selection_services.call_settings_update(
            actor=admin,
            call=call,
            fields={
                "experts_per_application": 3,
                "scoring_deadline": opened + timedelta(days=95),
                # All three go on the notice; an upheld objection then takes the third off the list.
                "recognition_quota": 3,
            },
        )
        for application in applications:
            application.refresh_from_db()
            selection_services.application_screen(
                actor=admin, application=application, goes_on=True, reason=""
            )
        selection_services.indicator_system_ensure(actor=admin, call=call)
        sheets = [
            _assign(admin, application, experts, opened + timedelta(days=95)) for application in applications
        ]
    with _clock(opened + timedelta(days=90)):
        for index, assignments in enumerate(sheets):
            for assignment in assignments:
                _score_all(assignment, _SHARES[assignment.expert.username][index], _COMMENTS[index])
    with _clock(opened + timedelta(days=100)):
        selection_services.shortlist_confirm(actor=admin, call=call)
        notice = notice_services.notice_publish(
            actor=admin,
            call=call,
            title=notice_services.default_title(call),
            starts_on=notice_services.next_working_day(opened + timedelta(days=100)),
            contact="广东省工业和信息化厅中小企业处，电话 020-83133080，地址：广州市越秀区东风中路 305 号",
        )
    with _clock(notice.starts_on, time(15, 30)):
        objection = notice_services.objection_file(
            notice=notice,
            application_id=applications[0].pk,
            real_name="赵明",
            phone="13922001234",
            email="",
            organization="佛山市顺德区某燃气具配套企业",
            content="申报材料中专精特新企业数量与区工信局公布的名单不一致，请核实。",
        )
        notice_services.objection_record(
            actor=admin,
            objection=objection,
            investigation="调取区工信局名单逐一核对，申报材料所列 6 家专精特新企业均在名单内。",
            resolution="经核查，申报材料属实，异议不成立，维持拟认定。",
            upheld=False,
            resolve=True,
        )
    # "经公示无异议的" only (SX 16, 贵州 解读六): an objection found upheld takes 南海区's 纺织 off the list.
    with _clock(notice.starts_on + timedelta(days=1), time(10, 0)):
        upheld = notice_services.objection_file(
            notice=notice,
            application_id=applications[2].pk,
            real_name="钱立",
            phone="13822005678",
            email="",
            organization="佛山市南海区某纺织企业",
            content="申报材料所列主导产业产值明显高于统计部门公布的数据，请核实是否虚报。",
        )
        notice_services.objection_record(
            actor=admin,
            objection=upheld,
            investigation="调取区统计局规上工业产值数据逐家核对，申报产值较统计数据高约 18%。",
            resolution="经核查，申报材料所列主导产业产值与统计数据不符，异议成立，移出拟认定名单，本年度不予认定。",
            upheld=True,
            resolve=True,
            uploads=[_evidence("区统计局产值核对表.pdf")],
        )
    with _clock(notice.ends_on + timedelta(days=3)):
        registry_services.recognize_unobjected(actor=admin, call=call)
        _issue_recognition_notice(admin, call, "粤工信融资函", 12)
    return call


def ensure_current_review(users: dict[str, User], experts: list[User], call: YearlyCall) -> None:
    """This year's recommended application: screened, three experts assigned, the first one has scored."""
    admin = users["province-admin"]
    recommended = [
        application
        for application in call.applications.filter(status=Status.RECOMMENDED)
        if not Screening.objects.filter(application=application).exists()
    ]
    if not recommended:
        return
    if call.scoring_deadline is None or call.experts_per_application != 3:
        call = selection_services.call_settings_update(
            actor=admin,
            call=call,
            fields={"experts_per_application": 3, "scoring_deadline": call.province_deadline},
        )
    for application in recommended:
        selection_services.application_screen(actor=admin, application=application, goes_on=True, reason="")
        application.refresh_from_db()
        if call.scoring_deadline is None:  # set just above from the call's province deadline
            raise RuntimeError(f"{call} has no province deadline to score by")
        assignments = _assign(admin, application, experts, call.scoring_deadline)
        _score_all(assignments[0], "0.85", "材料齐全，产业链布局合理。")


def ensure_national_recommendation(users: dict[str, User], call: YearlyCall, today: date) -> None:
    """A 顺德区 application to the national programme, recommended by 广东省: it waits at the ministry."""
    name = "佛山市顺德区家用电器产业集群"
    county, province = users["county-officer"], users["province-admin"]
    if Application.objects.filter(call=call, name=name).exists():
        return
    application = application_services.application_create(
        actor=county, call=call, name=name, leading_industry="家用电器", pool_entry=None
    )
    application = fill_application(actor=county, application=application, scale="2.0")
    application_services.application_submit(actor=county, application=application, pledge=demo_pledge(county))
    review_services.application_accept(actor=province, application=application)
    review_services.initial_review_record(
        actor=province,
        application=application,
        findings=[{"criterion_id": "nat-output", "status": "pass", "note": "近三年产值均达到国家级条件"}],
        conclusion="材料齐全，量化指标符合国家级认定条件。",
    )
    review_services.spot_check_record(
        actor=province,
        application=application,
        checked_on=today - timedelta(days=2),
        inspectors="陈志明、省工信厅中小企业处",
        findings="实地查看 6 家企业和集群公共服务平台，数据与统计年报相符。",
        conclusion=SpotCheck.Conclusion.CONFIRMED,
    )
    review_services.application_recommend(
        actor=province, application=application, recommended=True, reason="同意推荐至工业和信息化部。"
    )


# 佛山国家高新技术产业开发区 (国家级, "一区五园"): its parks lie in the five districts of 佛山 (GB/T 2260
# 440604 禅城区, 440605 南海区, 440606 顺德区, 440607 三水区, 440608 高明区).
FOSHAN_ZONE = "佛山高新技术产业开发区"
FOSHAN_ZONE_COUNTIES = (CHANCHENG, NANHAI, SHUNDE, SANSHUI, GAOMING)
FOSHAN_ZONE_APPLICATION = "佛山市顺德区智能家电产业集群"


def ensure_foshan_zone(users: dict[str, User]) -> DevelopmentZone:
    """The province registers 佛山's national high-tech zone with the districts it spans, and the 顺德 draft
    names it (a development zone is not a division: the county declares and names the zone)."""
    zone = DevelopmentZone.objects.filter(name=FOSHAN_ZONE).first()
    if zone is None:
        zone = programme_services.zone_register(
            actor=users["province-admin"],
            name=FOSHAN_ZONE,
            level=DevelopmentZone.ZoneLevel.NATIONAL,
            counties=list(Jurisdiction.objects.filter(code__in=FOSHAN_ZONE_COUNTIES)),
        )
    draft = Application.objects.filter(
        name=FOSHAN_ZONE_APPLICATION, status=Status.DRAFT, development_zone__isnull=True
    ).first()
    if draft is not None:
        application_services.application_update(
            actor=users["county-officer"], application=draft, fields={"development_zone": zone}
        )
    return zone


# On the national list of 2024 (national_clusters_partial.csv: 东莞市, 万江街道); 441900005 is the street's
# 统计用区划代码 as the applicant enters it (no town list ships with the platform).
DONGGUAN_APPLICATION = "东莞市万江街道数控装备产业集群"
DONGGUAN_PLACES = [{"code": "441900005", "name": "万江街道"}]


def ensure_dongguan_town_cluster(users: dict[str, User], call: YearlyCall) -> Application:
    """A 东莞 town cluster in Guangdong's call: 东莞 has no county level, so its own department drafts at
    county level and names the street the cluster sits in; with no city above it, the application goes
    straight to the province, which receives and recommends it (under 东莞's own quota)."""
    county = users["dongguan-officer"]
    existing = Application.objects.filter(call=call, name=DONGGUAN_APPLICATION).first()
    if existing is not None:
        return existing
    application = application_services.application_create(
        actor=county, call=call, name=DONGGUAN_APPLICATION, leading_industry="数控装备", pool_entry=None
    )
    application = fill_application(actor=county, application=application, scale="1.4")
    application = application_services.application_update(
        actor=county, application=application, fields={"places": DONGGUAN_PLACES}
    )
    application_services.application_submit(actor=county, application=application, pledge=demo_pledge(county))
    application.refresh_from_db()
    return application


# 深圳市南山区智能终端芯片设计产业集群 is on the national list of 2022 (national_clusters_partial.csv).
SHENZHEN_APPLICATION = "深圳市南山区智能终端芯片设计产业集群"


def ensure_shenzhen_recommendation(users: dict[str, User], call: YearlyCall, today: date) -> None:
    """A 南山区 application to the national programme, recommended by 深圳 itself: a 计划单列市 recommends
    to the ministry beside the provinces, under its own quota (the national rule set's, 2 from 2024), not
    through 广东省 and not from 广东省's."""
    county, shenzhen = users["county-officer-4"], users["shenzhen-officer"]
    if Application.objects.filter(call=call, name=SHENZHEN_APPLICATION).exists():
        return
    application = application_services.application_create(
        actor=county,
        call=call,
        name=SHENZHEN_APPLICATION,
        leading_industry="智能终端芯片设计",
        pool_entry=None,
    )
    application = fill_application(actor=county, application=application, scale="2.2")
    application_services.application_submit(actor=county, application=application, pledge=demo_pledge(county))
    review_services.application_accept(actor=shenzhen, application=application)
    review_services.initial_review_record(
        actor=shenzhen,
        application=application,
        findings=[{"criterion_id": "nat-output", "status": "pass", "note": "近三年产值均达到国家级条件"}],
        conclusion="材料齐全，量化指标符合国家级认定条件。",
    )
    review_services.application_recommend(
        actor=shenzhen,
        application=application,
        recommended=True,
        reason="深圳市作为计划单列市，在本市推荐名额内推荐至工业和信息化部。",
    )


# --- dynamic management (issue 5): clusters in every situation -----------------------------------------

# A call three years back, so that one of its clusters is now at re-review. Each cluster tells one story:
# on time (and at re-review, with an approved change of its leading industry), a change found without a
# filing (case 4), an annual report forwarded late (case 3, for today's tick to propose), and revoked after
# a serious accident (case 5, decided). Last year's 五金 cluster has an incident awaiting the decision.
_RECOMMENDED = Status.RECOMMENDED
OLDER_APPLICATIONS = (
    DemoApplication("county-officer", "佛山市顺德区小家电产业集群", "小家电", _RECOMMENDED, "1.4"),
    DemoApplication("county-officer", "佛山市顺德区花卉园艺产业集群", "花卉园艺", _RECOMMENDED, "1.0"),
    DemoApplication("county-officer-2", "佛山市南海区金属材料产业集群", "金属材料", _RECOMMENDED, "1.3"),
    DemoApplication("county-officer-2", "佛山市南海区玩具产业集群", "玩具", _RECOMMENDED, "1.1"),
)  # fmt: skip
ON_TIME, UNFILED, LATE_REPORT, REVOKED = (spec.name for spec in OLDER_APPLICATIONS)
WITH_INCIDENT = PREVIOUS_APPLICATIONS[1].name  # 佛山市南海区五金产业集群, recognized last year


def _older_recognition_day(today: date) -> date:
    """About three years before today, less two months: the cluster's validity ends within the
    re-review window (90 days by default) of today."""
    return registry_services.add_years(today, -3) + timedelta(days=60)


def _report_figures(scale: Decimal, year_index: int) -> dict[str, Any]:
    """An annual-figures document for the report service: output grows about 8 % a year."""
    growth = Decimal("1.08") ** year_index
    output = (Decimal("48") * scale * growth).quantize(Decimal("0.1"))
    return {
        "figures": {
            "output": float(output),
            "sme_output": float((output * Decimal("0.76")).quantize(Decimal("0.1"))),
            "leading_output": float((output * Decimal("0.78")).quantize(Decimal("0.1"))),
            "invention_patents": int(520 * scale * growth),
            "employees": int(29000 * scale),
            "sme_rnd": float((output * Decimal("0.017")).quantize(Decimal("0.01"))),
            "iip_penetration": float(Decimal("18.5") + 2 * year_index),
        },
        "quality_firms": {"little_giant": 3, "specialized": 14, "innovative": 20, "high_tech": 35},
        "firms": int(260 * scale),
        "sme_firms": int(251 * scale),
        # Every monitoring figure of the form, so the evaluation report and the dashboard have each theme.
        "rnd": float((output * Decimal("0.028")).quantize(Decimal("0.01"))),
        "platforms_national": 1 + year_index // 2,
        "platforms_provincial": 6 + year_index,
        "standards": 3 + year_index,
        "cloud_adoption": float(Decimal("52.5") + 4 * year_index),
        "digital_service_coverage": float(Decimal("61") + 3 * year_index),
        "green_services": 12 + 2 * year_index,
        "solid_waste_utilisation": float(Decimal("88.5") + year_index),
        "water_reuse": float(Decimal("91.0") + Decimal("0.5") * year_index),
        "exports": float((output * Decimal("0.21")).quantize(Decimal("0.1"))),
        "international_events": 2 + year_index,
        "promotion_body": True,
        "rights_protection": True,
        "public_service_assessed": year_index > 0,
        "service_coverage": float(Decimal("70") + 5 * year_index),
    }


def _file_report(
    users: dict[str, User], cluster: RecognizedCluster, year: int, scale: Decimal, *, forwarded_on: date
) -> None:
    """The report on ``year``: opened on 1 January (the tick's step), filled and submitted by the county
    a few days before it is forwarded by the city on ``forwarded_on``, received by the province after."""
    county = users["county-officer"] if cluster.county_id == SHUNDE else users["county-officer-2"]
    with _clock(date(year + 1, 1, 1), time(1, 0)):
        report, _created = annual_reports.report_open(cluster=cluster, year=year, today=date(year + 1, 1, 1))
    if report.status != AnnualReport.Status.DRAFT:
        return
    with _clock(forwarded_on - timedelta(days=5)):
        annual_reports.report_save_figures(
            actor=county, report=report, document=_report_figures(scale, year - cluster.recognized_on.year)
        )
        annual_reports.report_save_narrative(
            actor=county,
            report=report,
            fields={
                "work_done": "组织产业链供需对接 6 场，新增专精特新中小企业 3 家，建成集群公共检测平台。",
                "experience": "以“链主”企业带动配套企业协同研发。",
                "problems": "高端人才不足，部分企业数字化改造资金紧张。",
                "measures": "设立集群数字化转型专项，联合高校开展订单式人才培养。",
            },
        )
        annual_reports.report_move(actor=county, report=report, action="submit")
    with _clock(forwarded_on, time(16, 0)):
        annual_reports.report_move(actor=users["city-officer"], report=report, action="forward")
    with _clock(min(forwarded_on + timedelta(days=2), timezone.localdate())):
        annual_reports.report_move(actor=users["province-admin"], report=report, action="receive")


def _reported_years(cluster: RecognizedCluster, today: date) -> list[tuple[int, date]]:
    """The years the cluster has had to report on by ``today``, each with its due day."""
    years = []
    for year in range(cluster.recognized_on.year, today.year):
        due = annual_reports.annual_report_due(cluster.programme, year)
        if due is not None and due < today:
            years.append((year, due))
    return years


@transaction.atomic
def ensure_older_call(users: dict[str, User], experts: list[User], today: date) -> YearlyCall:
    """A Guangdong call about three years back, taken to recognition of its four clusters."""
    admin = users["province-admin"]
    recognized_on = _older_recognition_day(today)
    opened = recognized_on - timedelta(days=120)
    programme = Programme.objects.get(name=GUANGDONG_PROGRAMME, owner=admin.jurisdiction_id)
    existing = programme.calls.filter(year=opened.year).first()
    if existing is not None:
        return existing
    with _clock(opened):
        call = programme_services.call_create(
            actor=admin,
            programme=programme,
            fields={
                "year": opened.year,
                **_call_dates(opened + timedelta(30)),
                "quota": len(OLDER_APPLICATIONS),
                "legal_basis": GUANGDONG_LEGAL_BASIS,
            },
        )
    applications = []
    with _clock(opened + timedelta(days=20)):
        for spec in OLDER_APPLICATIONS:
            county = users[spec.username]
            application = application_services.application_create(
                actor=county, call=call, name=spec.name, leading_industry=spec.industry, pool_entry=None
            )
            if spec.name in OPERATED_BY_OPERATOR:
                # Recognition carries the binding over to the cluster.
                application_services.application_operator_add(
                    actor=county, application=application, operator=users["operator"]
                )
            applications.append(fill_application(actor=county, application=application, scale=spec.scale))
    with _clock(opened + timedelta(days=50)):
        for application, spec in zip(applications, OLDER_APPLICATIONS, strict=True):
            _drive(application, spec, users, opened + timedelta(days=50))
    with _clock(opened + timedelta(days=70)):
        selection_services.call_settings_update(
            actor=admin,
            call=call,
            fields={
                "experts_per_application": 3,
                "scoring_deadline": opened + timedelta(days=85),
                "recognition_quota": len(OLDER_APPLICATIONS),
            },
        )
        for application in applications:
            application.refresh_from_db()
            selection_services.application_screen(
                actor=admin, application=application, goes_on=True, reason=""
            )
        selection_services.indicator_system_ensure(actor=admin, call=call)
        sheets = [
            _assign(admin, application, experts, opened + timedelta(days=85)) for application in applications
        ]
    with _clock(opened + timedelta(days=80)):
        for assignments in sheets:
            for assignment in assignments:
                _score_all(assignment, "0.86", "产业特色鲜明，配套较完善。")
    with _clock(opened + timedelta(days=95)):
        selection_services.shortlist_confirm(actor=admin, call=call)
        notice = notice_services.notice_publish(
            actor=admin,
            call=call,
            title=notice_services.default_title(call),
            starts_on=notice_services.next_working_day(opened + timedelta(days=95)),
            contact="广东省工业和信息化厅中小企业处，电话 020-83133080",
        )
    with _clock(max(notice.ends_on + timedelta(days=1), recognized_on)):
        registry_services.recognize_unobjected(actor=admin, call=call)
        _issue_recognition_notice(admin, call, "粤工信融资函", 9)
    return call


# Last year's national call: one 顺德区 cluster recognized by the ministry (an illustrative name, not on the
# published lists), then a 较大 accident in one of its firms.
NATIONAL_CLUSTER = "佛山市顺德区家电零部件产业集群"


@transaction.atomic
def ensure_national_cluster(users: dict[str, User], experts: list[User], today: date) -> None:
    """Last year's national call, taken to recognition by the ministry at last year's dates; 广东省 then
    records a 较大 safety accident in one of the cluster's firms, which proposes revocation on the national
    rule set's reported ground (case 5, "集群企业发生较大及以上安全…事故"): it waits for the ministry."""
    ministry, province, county = users["ministry-admin"], users["province-admin"], users["county-officer"]
    programme = Programme.objects.get(name=NATIONAL_PROGRAMME, owner__isnull=True)
    year = today.year - 1
    if programme.calls.filter(year=year).exists():
        return
    opened = date(year, 3, 2)
    call = YearlyCall(programme=programme, year=year, **_call_dates(opened + timedelta(days=30)), quota=8)
    call.full_clean()
    call.save()
    audit_record(
        actor=None,
        action=actions.CALL_CREATE,
        target=call,
        after={"year": call.year, "closes_on": str(call.closes_on), "quota": call.quota},
        reason="demo: set by the Ministry of Industry and Information Technology",
    )
    with _clock(opened + timedelta(days=20)):
        application = application_services.application_create(
            actor=county, call=call, name=NATIONAL_CLUSTER, leading_industry="家电零部件", pool_entry=None
        )
        application = fill_application(actor=county, application=application, scale="2.0")
        application_services.application_submit(
            actor=county, application=application, pledge=demo_pledge(county)
        )
    with _clock(opened + timedelta(days=50)):
        review_services.application_accept(actor=province, application=application)
        review_services.initial_review_record(
            actor=province,
            application=application,
            findings=[{"criterion_id": "nat-output", "status": "pass", "note": "近三年产值均达到国家级条件"}],
            conclusion="材料齐全，量化指标符合国家级认定条件。",
        )
        review_services.application_recommend(
            actor=province, application=application, recommended=True, reason="同意推荐至工业和信息化部。"
        )
    with _clock(opened + timedelta(days=70)):
        selection_services.call_settings_update(
            actor=ministry,
            call=call,
            fields={
                "experts_per_application": 3,
                "scoring_deadline": opened + timedelta(days=85),
                "recognition_quota": 1,
            },
        )
        application.refresh_from_db()
        selection_services.application_screen(
            actor=ministry, application=application, goes_on=True, reason=""
        )
        selection_services.indicator_system_ensure(actor=ministry, call=call)
        assignments = _assign(ministry, application, experts, opened + timedelta(days=85))
    with _clock(opened + timedelta(days=80)):
        for assignment in assignments:
            _score_all(assignment, "0.88", "细分领域全国前列，配套完善。")
    with _clock(opened + timedelta(days=95)):
        selection_services.shortlist_confirm(actor=ministry, call=call)
        notice = notice_services.notice_publish(
            actor=ministry,
            call=call,
            title=notice_services.default_title(call),
            starts_on=notice_services.next_working_day(opened + timedelta(days=95)),
            contact="工业和信息化部中小企业局，电话 010-68205311",
        )
    with _clock(notice.ends_on + timedelta(days=1)):
        registry_services.recognize_unobjected(actor=ministry, call=call)
        _issue_recognition_notice(ministry, call, "工信部企业函", 58)
    oversight_services.incident_record(
        actor=province,
        cluster=_cluster(NATIONAL_CLUSTER),
        kind="safety_accident",
        level="较大",
        occurred_on=today - timedelta(days=6),
        source="佛山市应急管理局事故通报",
        description="集群内一家压铸企业发生爆炸事故，造成 3 人死亡。",
    )


# The real national rows (batches 2022–2025) of the shared national_clusters_partial.csv, with division and
# GB/T 4754 codes added by hand (demo_data/national_register.source.txt says how).
NATIONAL_REGISTER = "demo_data/national_register.csv"


def ensure_national_register(users: dict[str, User], today: date) -> register_import.ImportReport:
    """The ministry imports the national register of past batches through the register import, as a
    department starting on the platform would; on a second run every row is already in the register."""
    data = importlib.resources.files("smecluster.site").joinpath(NATIONAL_REGISTER).read_bytes()
    programme = Programme.objects.get(name=NATIONAL_PROGRAMME, owner__isnull=True)
    with _clock(today):
        return register_import.register_import(
            actor=users["ministry-admin"], programme=programme, data=data, filename="national_register.csv"
        )


def _cluster(name: str) -> RecognizedCluster:
    return RecognizedCluster.objects.select_related("programme", "county").get(name=name)


@transaction.atomic
def ensure_dynamic_management(users: dict[str, User], experts: list[User], today: date) -> None:
    """The clusters of the older call and of last year, each in its situation, through the services at
    the dates things happened. Made once: a second build finds the records and adds nothing."""
    ensure_older_call(users, experts, today)
    if MajorChange.objects.filter(cluster__name=UNFILED).exists():
        return
    county, city, province = users["county-officer"], users["city-officer"], users["province-admin"]
    on_time, unfiled, late, revoked = (_cluster(name) for name in (ON_TIME, UNFILED, LATE_REPORT, REVOKED))
    scales = {spec.name: Decimal(spec.scale) for spec in (*OLDER_APPLICATIONS, *PREVIOUS_APPLICATIONS)}

    # The on-time cluster's plan targets, set by the county when it was recognized.
    with _clock(on_time.recognized_on + timedelta(days=10)):
        base_year = on_time.recognized_on.year - 1
        for metric, baseline, target in (("output", "67.2", "85"), ("invention_patents", "728", "900")):
            plan_targets.plan_target_save(
                actor=county,
                cluster=on_time,
                values={
                    "metric": metric, "baseline_year": base_year, "baseline_value": Decimal(baseline),
                    "target_value": Decimal(target), "target_year": on_time.valid_until.year - 1, "note": "",
                },
            )  # fmt: skip

    # Annual reports: every cluster files on time, bar the late one's latest year (forwarded 8 days late).
    clusters = [on_time, unfiled, late, revoked, *(_cluster(spec.name) for spec in PREVIOUS_APPLICATIONS[:2])]
    for cluster in clusters:
        years = _reported_years(cluster, today)
        for year, due in years:
            if cluster == late and (year, due) == years[-1] and due + timedelta(days=8) < today:
                forwarded_on = due + timedelta(days=8)
            else:
                forwarded_on = due - timedelta(days=10)
            _file_report(users, cluster, year, scales[cluster.name], forwarded_on=forwarded_on)

    # The on-time cluster: its leading industry widened, filed in time, forwarded and approved.
    changed_on = on_time.recognized_on + timedelta(days=400)
    with _clock(changed_on + timedelta(days=12)):
        change = oversight_services.change_file(
            actor=county,
            cluster=on_time,
            kind=ChangeKind.LEADING_INDUSTRY,
            new_value={"leading_industry": "小家电及厨房电器"},
            effective_on=changed_on,
            reason="集群龙头企业拓展厨房电器产品线，区政府调整集群主导产业定位。",
            uploads=[_evidence("区政府关于调整集群主导产业的批复.pdf")],
        )
    with _clock(changed_on + timedelta(days=15)):
        oversight_services.change_review(
            actor=city, change=change, forward=True, note="情况属实，同意报省审批。"
        )
    with _clock(changed_on + timedelta(days=20)):
        oversight_services.change_decide(
            actor=province, change=change, approve=True, reason="主导产业调整与集群发展规划一致，同意。"
        )
    # At re-review: the window opened (the tick's step) and the county is drafting its statement.
    window = re_reviews.window_opens_on(on_time)
    if window <= today:
        with _clock(window, time(1, 0)):
            re_review, _created = re_reviews.re_review_open(cluster=on_time, today=window)
        with _clock(min(window + timedelta(days=5), today)):
            re_reviews.re_review_save(
                actor=county,
                re_review=re_review,
                statement="三年来集群总产值年均增长约 8%，规划目标总体完成，申请复核。",
            )

    # A change of operating agency found on site, never filed: case 4 proposed.
    with _clock(today - timedelta(days=5)):
        oversight_services.change_record_unfiled(
            actor=city,
            cluster=unfiled,
            kind=ChangeKind.OPERATING_AGENCY,
            new_value={"operating_agency": "佛山市顺德区花卉园艺产业发展有限公司"},
            effective_on=today - timedelta(days=130),
            found_on=today - timedelta(days=5),
            source="市工信局实地核查",
            reason="原集群管委会撤销，运营职能交由区属国有企业承担，未向主管部门报备。",
            uploads=[_evidence("实地核查记录.pdf")],
        )

    # Last year's 五金 cluster: an environmental accident of level 较大, recorded; case 5 awaits decision.
    with _clock(today - timedelta(days=3)):
        oversight_services.incident_record(
            actor=city,
            cluster=_cluster(WITH_INCIDENT),
            kind="environment_accident",
            level="较大",
            occurred_on=today - timedelta(days=12),
            source="佛山市生态环境局南海分局通报",
            description="集群内一家表面处理企业含重金属废水超标排放，造成下游河涌污染。",
            uploads=[_evidence("生态环境局通报.pdf")],
        )

    # The 玩具 cluster: a safety accident of level 重大; the province revokes its recognition.
    with _clock(today - timedelta(days=40)):
        incident = oversight_services.incident_record(
            actor=province,
            cluster=revoked,
            kind="safety_accident",
            level="重大",
            occurred_on=today - timedelta(days=46),
            source="广东省应急管理厅事故通报",
            description="集群内一家玩具企业仓库火灾，造成人员伤亡。",
        )
    proposal = RevocationProposal.objects.get(cluster=revoked, source=f"incident:{incident.pk}")
    with _clock(today - timedelta(days=30)):
        oversight_services.revocation_decide(
            actor=province,
            proposal=proposal,
            accept=True,
            reason="经核查，事故等级为重大，属于第十八条第（五）项所列情形，撤销该集群认定。",
        )


def build_demo(today: date | None = None) -> DemoSummary:
    """Create or refresh everything the demo shows. Safe to run again: nothing existing is duplicated."""
    today = today or timezone.localdate()
    users = ensure_accounts()
    _programme, call = ensure_guangdong_programme(users["province-admin"], today)
    _national, national_call = ensure_national_programme(today)
    pool = ensure_pool(users["city-officer"])
    ensure_applications(users, call, pool, today)
    ensure_dongguan_town_cluster(users, call)
    ensure_foshan_zone(users)
    experts = ensure_experts(users)
    ensure_previous_call(users, experts, today)
    ensure_current_review(users, experts, call)
    ensure_national_recommendation(users, national_call, today)
    ensure_shenzhen_recommendation(users, national_call, today)
    ensure_dynamic_management(users, experts, today)
    ensure_national_cluster(users, experts, today)
    ensure_national_register(users, today)
    ensure_foshan_city_programme(users, experts, today)
    refused = shaanxi_call_refused(users["shaanxi-admin"], today)
    return DemoSummary(
        programmes=Programme.objects.count(),
        calls=YearlyCall.objects.count(),
        pool_entries=PoolEntry.objects.count(),
        applications=Application.objects.count(),
        refused_calls=[refused] if refused else [],
    )


def shaanxi_call_refused(admin: User, today: date) -> str:
    """Shaanxi's programme (rule set shaanxi-2023), and this year's call tried without a legal basis: the
    measure's validity ended on 2025-04-27 (第二十一条 "有效期2年"), so the call is refused with a message
    naming the field. Returns that message ("" when the measure stands on the call's dates); the
    shaanxi-admin account can try it again on the page."""
    programme = Programme.objects.filter(name=SHAANXI_PROGRAMME, owner=admin.jurisdiction_id).first()
    if programme is None:
        programme = programme_services.programme_create(
            actor=admin,
            fields={
                "name": SHAANXI_PROGRAMME,
                "owner_level": "province",
                "rule_set_id": "shaanxi-2023",
                "review_chain": ["county", "city", "province"],
                "quota_per_unit": 3,
                "pool_required": False,
            },
        )
    if programme.calls.filter(year=today.year).exists():
        return ""
    try:
        with transaction.atomic():
            programme_services.call_create(
                actor=admin, programme=programme, fields={"year": today.year, **_call_dates(today)}
            )
    except ValidationError as error:
        return "；".join(error.message_dict.get("legal_basis", []))
    return ""
