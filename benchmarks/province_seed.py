"""A province-scale data set for the load test (issue 16), built through the services as officers build it.

Run against a database of its own (it migrates it first; nothing else should live there):

    DATABASE_URL=postgres://postgres@127.0.0.1:5544/province SMECLUSTER_DATA_DIR=/tmp/province \
        .venv/bin/python benchmarks/province_seed.py [--scale 1.0]

What it makes at ``--scale 1`` (广东省: 21 cities, 122 county-level divisions; the demo's accounts and
password, so the load test signs in as ``province-admin``, ``city-officer``, ``county-officer``…):

- an officer for every city and county of 广东省 (``city-440100``, ``county-440103``…), an operator per
  county, the demo's three experts and nine more;
- the Guangdong programme with its calls of 2022–2025 taken to recognition — 450 applications each, filled,
  submitted, accepted, reviewed; 8 per city recommended (spot-checked), screened, scored by three experts,
  ranked, the shortlist published and recognized (125 a year: 500 clusters); the others not recommended,
  returned or withdrawn — and the current (2026) call with 200 applications at every early stage;
- the recognized clusters' annual reports for every year reported so far (up to three each), filed,
  forwarded and received;
- rosters of 500 firms for 200 clusters (100,000 firms), through the roster import;
- sign-ins spread over the four years until the audit trail holds 50,000 events (the workflow itself
  writes about two thirds of them);
- the job queue settled: its mail sent (to nobody), its official documents left to their first download.

Every write goes through the services that own it (one transaction, one audit event each), dated by the
services' clock, so the audit chain verifies and the pages see what they would see in use. It takes about
a quarter of an hour on two cores. Scale it down (``--scale 0.1``) to try it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import sys
import time as wall
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
INDUSTRIES = (
    ("智能家电", "38"), ("五金制品", "33"), ("纺织服装", "18"), ("陶瓷", "30"), ("家具", "21"),
    ("电子信息", "39"), ("装备制造", "34"), ("新材料", "26"), ("食品加工", "14"), ("印刷包装", "23"),
    ("塑料制品", "29"), ("灯饰照明", "38"), ("皮革制品", "19"), ("医疗器械", "35"), ("精细化工", "26"),
    ("汽车零部件", "36"), ("玩具", "24"), ("模具", "35"), ("金属加工", "33"), ("日用化学品", "26"),
)  # fmt: skip
# A town or street of each 不设区的地级市 of 广东省 (NBS statistical division codes).
TOWNS = {
    "441900": {"code": "441900005", "name": "万江街道"},
    "442000": {"code": "442000001", "name": "石岐街道"},
}
# Where the nine experts beside the demo's three live (an expert reviews no cluster of their own city).
EXPERT_HOMES = ("440000", "440100", "440300", "440400", "440500", "440700", "440800", "441300", "445100")
PAST_YEARS = (2022, 2023, 2024, 2025)
PER_CALL = 450
CURRENT = 200
RECOMMENDED_PER_CITY = 8
RECOGNIZED_PER_CALL = 125
ROSTERS = 200
ROSTER_FIRMS = 500
AUDIT_EVENTS = 50_000
SHARES = ("0.95", "0.92", "0.90", "0.88", "0.86", "0.84", "0.82", "0.80", "0.78", "0.76", "0.74", "0.72")


def _django() -> None:
    if "DATABASE_URL" not in os.environ:
        sys.exit(
            "DATABASE_URL is not set: give the seed a PostgreSQL database of its own (see the docstring)"
        )
    os.environ.setdefault("SMECLUSTER_DEBUG", "1")
    # Mail is recorded (one delivery per recipient) but goes nowhere: the officers are not real.
    os.environ.setdefault("SMECLUSTER_EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smecluster.site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@contextmanager
def _clock(day: date, at: time = time(10, 0)) -> Iterator[None]:
    from smecluster.site.demo import _clock as demo_clock

    with demo_clock(day, at):
        yield


def _say(started: float, text: str) -> None:
    print(f"[{wall.monotonic() - started:7.1f} s] {text}", flush=True)


class Province:
    """The people of 广东省 and the programme, made once."""

    def __init__(self, today: date) -> None:
        from django.contrib.auth.hashers import make_password

        from smecluster.apps.accounts.divisions import ensure_divisions
        from smecluster.apps.accounts.models import Jurisdiction, Level, Role, User
        from smecluster.site import demo
        from smecluster.site.demo import DEMO_PASSWORD

        ensure_divisions()
        self.users = demo.ensure_accounts()
        self.admin = self.users["province-admin"]
        self.programme, self.current_call = demo.ensure_guangdong_programme(self.admin, today)
        self.cities = list(Jurisdiction.objects.filter(level=Level.CITY, parent_id="440000").order_by("code"))
        counties = Jurisdiction.objects.filter(level=Level.COUNTY, code__startswith="44").order_by("code")
        # 东莞 and 中山 have no counties: they act at county level for their towns (the demo's 东莞 officer).
        self.counties = [county for county in counties if county.parent_id != "440000"]
        for city in self.cities:
            if not city.children.exists():
                self.counties.append(city)
        # One hash for every seeded account: hashing is meant to be slow, and it is the same password.
        self.password = make_password(DEMO_PASSWORD)
        self.city_officer: dict[str, Any] = {}
        self.county_officer: dict[str, Any] = {}
        for city in self.cities:
            self.city_officer[city.code] = self._officer(Role.CITY_OFFICER, city)
        for county in self.counties:
            self.county_officer[county.code] = self._officer(Role.COUNTY_OFFICER, county)
            self._officer(Role.OPERATOR, county)
        self.experts = demo.ensure_experts(self.users)
        for number, home in enumerate(EXPERT_HOMES, start=4):
            expert = self._person(f"expert-{number}", Role.EXPERT, home, f"评审专家{number}")
            from smecluster.apps.selection import services as selection_services
            from smecluster.apps.selection.models import ExpertProfile

            if not ExpertProfile.objects.filter(user=expert).exists():
                selection_services.expert_profile_save(
                    actor=self.admin,
                    expert=expert,
                    fields="产业经济、制造业",
                    organization="广东省产业发展研究院",
                    active=True,
                )
            self.experts.append(expert)
        self.User = User
        self._recommenders: dict[str, Any] = {}

    def _officer(self, role: str, place: Any) -> Any:
        from smecluster.apps.accounts.models import Role, User

        existing = User.objects.filter(role=role, jurisdiction=place).order_by("pk").first()
        if existing is not None:
            return existing
        prefix = {Role.CITY_OFFICER: "city", Role.COUNTY_OFFICER: "county", Role.OPERATOR: "operator"}[role]
        return self._person(f"{prefix}-{place.code}", role, place.code, f"{place.name}联络员")

    def _person(self, username: str, role: str, place: str, name: str) -> Any:
        from django.db import transaction

        from smecluster.apps.accounts.models import User
        from smecluster.apps.audit import actions
        from smecluster.apps.audit.services import audit_record

        user = User.objects.filter(username=username).first()
        if user is not None:
            return user
        with transaction.atomic():
            user = User(username=username, role=role, jurisdiction_id=place, first_name=name,
                        email=f"{username}@province.smecluster.local")  # fmt: skip
            user.password = self.password
            user.save()
            audit_record(actor=None, action=actions.USER_CREATE, target=user,
                         after={"role": role, "jurisdiction": place}, reason="province seed")  # fmt: skip
        return user

    def city_of(self, county: Any) -> Any:
        """Who accepts, reviews and recommends the county's applications: its city's officer, or the
        province's for a 不设区的地级市 (东莞, 中山), which has no city above it."""
        from smecluster.apps.programmes.recommenders import recommending_office

        if county.code not in self._recommenders:
            office = recommending_office(self.programme, county)
            self._recommenders[county.code] = self.User.objects.get(
                role=office.role, jurisdiction=office.jurisdiction
            )
        return self._recommenders[county.code]


def _applications(province: Province, call: Any, count: int, rng: random.Random, day: date) -> list[Any]:
    from smecluster.apps.applications import services as application_services
    from smecluster.reference.divisions import acts_at_county_level
    from smecluster.site.demo import fill_application

    made = []
    with _clock(day):
        for index in range(count):
            county = province.counties[index % len(province.counties)]
            industry, code = INDUSTRIES[rng.randrange(len(INDUSTRIES))]
            officer = province.county_officer[county.code]
            application = application_services.application_create(
                actor=officer, call=call, name=f"{county.name}{industry}产业集群（{call.year}-{index + 1}）",
                leading_industry=industry,
            )  # fmt: skip
            scale = Decimal(rng.choice(("1", "1.2", "1.5", "2", "3")))
            application = fill_application(actor=officer, application=application, scale=scale)
            fields: dict[str, Any] = {"leading_industry_code": code}
            if acts_at_county_level(county.code):  # 东莞, 中山: the city declares the town (illustrative)
                fields["places"] = [TOWNS[county.code]]
            application = application_services.application_update(
                actor=officer, application=application, fields=fields
            )
            made.append(application)
    return made


def _city_steps(province: Province, application: Any, steps: tuple[str, ...], day: date) -> None:
    from smecluster.apps.applications import services as application_services
    from smecluster.apps.reviews import services as review_services
    from smecluster.apps.reviews.models import SpotCheck
    from smecluster.site.demo import demo_pledge

    county = province.county_officer[application.county_id]
    city = province.city_of(application.county)
    with _clock(day):
        for step in steps:
            if step == "submit":
                application_services.application_submit(
                    actor=county, application=application, pledge=demo_pledge(county)
                )
            elif step == "withdraw":
                application_services.application_withdraw(actor=county, application=application)
            elif step == "return":
                review_services.application_return(
                    actor=city, application=application, reason="请补充近三年统计部门出具的产值证明"
                )
            elif step == "accept":
                review_services.application_accept(actor=city, application=application)
            elif step == "review":
                review_services.initial_review_record(
                    actor=city, application=application,
                    findings=[{"criterion_id": "gd-output", "status": "pass", "note": "与统计数据一致"}],
                    conclusion="材料齐全，量化指标符合认定条件。",
                )  # fmt: skip
            elif step == "spot_check":
                review_services.spot_check_record(
                    actor=city, application=application, checked_on=day - timedelta(days=2),
                    inspectors="市工信局产业科", findings="生产经营正常，数据与纳税记录相符。",
                    conclusion=SpotCheck.Conclusion.CONFIRMED,
                )  # fmt: skip
            elif step in ("recommend", "not_recommend"):
                review_services.application_recommend(
                    actor=city, application=application, recommended=step == "recommend",
                    reason="同意推荐。" if step == "recommend" else "名额有限，本年度暂不推荐。",
                )  # fmt: skip
            application.refresh_from_db()


def _past_call(province: Province, year: int, rng: random.Random, started: float, scale: float) -> None:
    """One year's call, from its opening to the recognition notice."""
    from smecluster.apps.notices import services as notice_services
    from smecluster.apps.programmes import services as programme_services
    from smecluster.apps.registry.services import recognition as registry_services
    from smecluster.apps.registry.services import recognition_notice
    from smecluster.apps.selection import services as selection_services
    from smecluster.apps.selection.permissions import can_assign
    from smecluster.site.demo import GUANGDONG_LEGAL_BASIS, _assign, _score_all

    if province.programme.calls.filter(year=year).exists():
        _say(started, f"{year}: already there")
        return
    opened = date(year, 4, 1)
    with _clock(opened):
        call = programme_services.call_create(
            actor=province.admin, programme=province.programme,
            fields={"year": year, "opens_on": opened, "closes_on": date(year, 5, 15),
                    "city_deadline": date(year, 6, 1), "province_deadline": date(year, 7, 1),
                    "quota": RECOMMENDED_PER_CITY, "legal_basis": GUANGDONG_LEGAL_BASIS},
        )  # fmt: skip
    applications = _applications(province, call, round(PER_CALL * scale), rng, opened + timedelta(days=10))
    _say(started, f"{year}: {len(applications)} applications filled")
    recommended_per_city: dict[str, int] = defaultdict(int)
    recommended = []
    for application in applications:
        city = province.city_of(application.county).jurisdiction_id
        roll = rng.random()
        if roll < 0.05:
            steps: tuple[str, ...] = ("submit", "withdraw")
        elif roll < 0.12:
            steps = ("submit", "return")
        elif recommended_per_city[city] < round(RECOMMENDED_PER_CITY * max(scale, 0.25)):
            steps = ("submit", "accept", "review", "spot_check", "recommend")
            recommended_per_city[city] += 1
            recommended.append(application)
        else:
            steps = ("submit", "accept", "review", "not_recommend")
        _city_steps(province, application, steps, opened + timedelta(days=50))
    _say(started, f"{year}: city reviews done, {len(recommended)} recommended")
    scoring_day = date(year, 7, 10)
    with _clock(scoring_day):
        selection_services.call_settings_update(
            actor=province.admin, call=call,
            fields={"experts_per_application": 3, "scoring_deadline": scoring_day + timedelta(days=20),
                    "recognition_quota": min(round(RECOGNIZED_PER_CALL * scale), len(recommended))},
        )  # fmt: skip
        for application in recommended:
            application.refresh_from_db()
            selection_services.application_screen(
                actor=province.admin, application=application, goes_on=True, reason=""
            )
        selection_services.indicator_system_ensure(actor=province.admin, call=call)
        sheets = []
        for index, application in enumerate(recommended):
            # Three of the pool without a conflict of interest (none from the applying city or county).
            eligible = [
                expert for expert in province.experts if can_assign(province.admin, expert, application)
            ]
            experts = [eligible[(index + offset) % len(eligible)] for offset in range(3)]
            sheets.append(_assign(province.admin, application, experts, scoring_day + timedelta(days=20)))
    with _clock(scoring_day + timedelta(days=10)):
        for assignments in sheets:
            share = rng.choice(SHARES)
            for assignment in assignments:
                _score_all(assignment, share, "产业特色鲜明，配套较完善。")
    _say(started, f"{year}: scored")
    shortlisted_on = scoring_day + timedelta(days=25)
    with _clock(shortlisted_on):
        selection_services.shortlist_confirm(actor=province.admin, call=call)
        notice = notice_services.notice_publish(
            actor=province.admin, call=call, title=notice_services.default_title(call),
            starts_on=notice_services.next_working_day(shortlisted_on),
            contact="广东省工业和信息化厅中小企业处，电话 020-83133080",
        )  # fmt: skip
    recognized_on = notice.ends_on + timedelta(days=7)
    with _clock(recognized_on):
        registry_services.recognize_unobjected(actor=province.admin, call=call)
        recognition_notice.recognition_notice_issue(
            actor=province.admin, call=call, number=f"粤工信融资函〔{year}〕{rng.randint(10, 300)}号",
            dated=recognized_on,
        )  # fmt: skip
    _say(started, f"{year}: recognized on {recognized_on}")


def _current_call(province: Province, rng: random.Random, today: date, scale: float) -> None:
    call = province.current_call
    if call.applications.count() >= round(CURRENT * scale):
        return
    applications = _applications(
        province, call, round(CURRENT * scale), rng, call.opens_on + timedelta(days=5)
    )
    paths: tuple[tuple[str, ...], ...] = (
        (), ("submit",), ("submit",), ("submit", "accept"), ("submit", "return"),
        ("submit", "accept", "review"),
    )  # fmt: skip
    for application in applications:
        _city_steps(province, application, rng.choice(paths), min(today, call.closes_on))


def _annual_reports(province: Province, today: date) -> int:
    from django.db import transaction

    from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
    from smecluster.site.demo import _file_report, _reported_years

    filed = 0
    clusters = RecognizedCluster.objects.filter(programme=province.programme).select_related("county")
    users = dict(province.users)
    for cluster in clusters:
        if AnnualReport.objects.filter(cluster=cluster).exists():
            continue
        # _file_report acts as the demo's officers: here, the cluster's own county and city officers.
        users["county-officer"] = users["county-officer-2"] = province.county_officer[cluster.county_id]
        users["city-officer"] = province.city_of(cluster.county)
        for year, due in _reported_years(cluster, today)[-3:]:
            with transaction.atomic():  # as the daily duty that opens the report runs it
                _file_report(users, cluster, year, Decimal("1"), forwarded_on=due - timedelta(days=10))
            filed += 1
    return filed


def _rosters(province: Province, count: int, firms: int) -> int:
    from smecluster.apps.registry.models import RecognizedCluster
    from smecluster.apps.rosters.models import Roster
    from smecluster.apps.rosters.services import cluster_roster_import, cluster_roster_years

    spec = importlib.util.spec_from_file_location("roster_import_benchmark", HERE / "roster_import.py")
    assert spec is not None
    assert spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    rows = generator.synthetic_roster(firms)
    header, body = rows[0], rows[1:]
    imported = 0
    clusters = RecognizedCluster.objects.filter(programme=province.programme).order_by("pk")[:count]
    for number, cluster in enumerate(clusters):
        years = cluster_roster_years(cluster)
        if not years or Roster.objects.filter(cluster=cluster).exists():
            continue
        officer = province.county_officer[cluster.county_id]
        # The same synthetic firms, made this cluster's: its county, credit codes unique to it.
        own = [header] + [
            [f"{row[0][:8]}{number:04d}{row[0][12:]}", f"{row[1][:-4]}{number:04d}有限公司",
             cluster.county_id, *row[3:]]
            for row in body
        ]  # fmt: skip
        own = [own[0]] + [_with_check_digit(row) for row in own[1:]]
        outcome = cluster_roster_import(actor=officer, cluster=cluster, year=years[-1],
                                        data=generator.as_csv(own), filename="名册.csv")  # fmt: skip
        if outcome.errors:
            raise SystemExit(f"roster of {cluster}: {outcome.errors[:3]}")
        imported += 1
    return imported


def _with_check_digit(row: list[Any]) -> list[Any]:
    from stdnum.cn import uscc

    body = row[0][:17]
    return [body + uscc.calc_check_digit(body), *row[1:]]


def _sign_ins(province: Province, target: int, rng: random.Random) -> int:
    """Officers sign in on working mornings over the four years, until the trail holds ``target`` events."""
    from smecluster.apps.audit.models import AuditEvent
    from smecluster.apps.audit.services import record_login

    people = [*province.city_officer.values(), *province.county_officer.values(), province.admin]
    missing = target - AuditEvent.objects.count()
    if missing <= 0:
        return 0
    first, last = date(PAST_YEARS[0], 1, 4), date(PAST_YEARS[-1], 12, 31)
    span = (last - first).days
    days = sorted(first + timedelta(days=rng.randrange(span)) for _ in range(missing))
    for day in days:
        with _clock(day, time(8 + rng.randrange(10), rng.randrange(60))):
            record_login(user=rng.choice(people), address=f"10.44.{rng.randrange(256)}.{rng.randrange(256)}")
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the province-scale volumes")
    parser.add_argument("--manifest", type=Path, help="write who signs in and what they open (load test)")
    args = parser.parse_args()
    started = wall.monotonic()
    _django()
    from django.utils import timezone

    today = timezone.localdate()
    rng = random.Random(20261207)
    province = Province(today)
    _say(started, f"{len(province.cities)} cities, {len(province.counties)} counties, officers ready")
    for year in PAST_YEARS:
        _past_call(province, year, rng, started, args.scale)
    _current_call(province, rng, today, args.scale)
    _say(started, "current call filled")
    _say(started, f"{_annual_reports(province, today)} annual reports filed")
    _say(started, f"{_rosters(province, round(ROSTERS * args.scale), ROSTER_FIRMS)} rosters imported")
    _say(started, f"{_sign_ins(province, round(AUDIT_EVENTS * args.scale), rng)} sign-ins recorded")
    withdrawn, ran = _settle_queue()
    _say(started, f"job queue settled: {ran} jobs run, {withdrawn} document renders withdrawn")
    _summary(started)
    if args.manifest:
        args.manifest.write_text(
            json.dumps(manifest(province), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        _say(started, f"manifest written to {args.manifest}")


def manifest(province: Province) -> dict[str, Any]:
    """Who the load test signs in as, and the records each of them opens (all within their reach)."""
    from smecluster.apps.applications.models import Application
    from smecluster.apps.applications.workflow import Status
    from smecluster.apps.notices.models import Notice
    from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
    from smecluster.apps.rosters.models import RosterVersion
    from smecluster.site.demo import DEMO_PASSWORD

    def ids(queryset: Any, limit: int = 40) -> list[int]:
        return list(queryset.order_by("-pk").values_list("pk", flat=True)[:limit])

    applications = Application.objects.filter(call__programme=province.programme)
    clusters = RecognizedCluster.objects.filter(programme=province.programme)
    counties = []
    for code, officer in province.county_officer.items():
        drafts = ids(applications.filter(county_id=code, call=province.current_call, status=Status.DRAFT))
        if drafts:
            counties.append({
                "username": officer.username,
                "applications": ids(applications.filter(county_id=code)),
                "drafts": drafts,
                "reports": ids(AnnualReport.objects.filter(cluster__county_id=code)),
            })  # fmt: skip
    cities = [
        {
            "username": officer.username,
            "applications": ids(applications.filter(county__parent_id=code)),
            "roster_versions": ids(RosterVersion.objects.filter(roster__county__parent_id=code)),
        }
        for code, officer in province.city_officer.items()
        if applications.filter(county__parent_id=code).exists()
    ]
    return {
        "password": DEMO_PASSWORD,
        "public": {
            "clusters": ids(clusters, 500),
            "notices": ids(Notice.objects.all()),
            "searches": [industry for industry, _code in INDUSTRIES[:8]],
        },
        "counties": counties,
        "cities": cities,
        "province": [
            {
                "username": province.admin.username,
                "calls": ids(province.programme.calls.filter(year__in=PAST_YEARS)),
                "clusters": ids(clusters, 500),
            }
        ],
    }


def _settle_queue() -> tuple[int, int]:
    """The work the seed's history left in the job queue, settled as the worker would have over four years:
    the mail it queued is sent (to nobody: the dummy backend), and the official documents it issued (about
    4,700 PDFs, over an hour of the worker's time here) are withdrawn, to be rendered on their first
    download as for documents issued before the store existed. Returns (documents withdrawn, jobs run)."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from smecluster.apps.issued_documents.models import IssuedDocument
    from smecluster.apps.issued_documents.tasks import render_issued_document

    renders = DBTaskResult.objects.filter(task_path=render_issued_document.module_path, status="READY")
    renders.delete()
    withdrawn, _kinds = IssuedDocument.objects.filter(rendered_at__isnull=True).delete()
    waiting = DBTaskResult.objects.filter(status="READY").count()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    return withdrawn, waiting


def _summary(started: float) -> None:
    from smecluster.apps.applications.models import Application
    from smecluster.apps.audit.chain import verify_chain
    from smecluster.apps.audit.models import AuditEvent
    from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
    from smecluster.apps.rosters.models import RosterEnterprise as Enterprise

    counts = {
        "applications": Application.objects.count(),
        "recognized clusters": RecognizedCluster.objects.count(),
        "annual reports": AnnualReport.objects.count(),
        "roster firms": Enterprise.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }
    _say(started, ", ".join(f"{key}: {value:,}" for key, value in counts.items()))
    _say(started, f"audit chain intact: {verify_chain().intact}")


if __name__ == "__main__":
    main()
