"""factory_boy factories for the web tests: people per role bound to real jurisdictions, the Guangdong
programme and its yearly call, and applications in any state of the workflow, taken there through the
services one step at a time (as production reaches each state), so a recognized cluster is a recognized
application's. Fixtures (tests/web/conftest.py) wrap them; a module- or class-scoped fixture can call them
directly (the permission matrices build their world once per page).

    UserFactory(county_officer=True)                 # 佛山市顺德区's county officer, username county-officer
    UserFactory(username="x", role=..., jurisdiction_id="440113")
    ProgrammeFactory(), YearlyCallFactory(programme=programme)
    ApplicationFactory(call=call, reviewed=True)     # a trait per state of PATH_TO
    ApplicationFactory(call=call, status=Status.SCREENED, county="440605")
    ApplicationFactory(call=call, operators=[operator])  # operated by ``operator`` (bound by the county)
    bind_operator(operator, application_or_cluster, ...)  # the county binds an operator afterwards
    annual_report_in(cluster, "forwarded", year=2024, figures=...)

The steps need their actors to exist: the county officer of the application's county, the recommender and
the owner of its chain (``UserFactory`` with the trait of each, e.g. every person of ``PEOPLE``).
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory
from captcha.models import CaptchaStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from smecluster.apps.accounts.models import LEVEL_ROLE, Role, User
from smecluster.apps.api.models import SCOPES
from smecluster.apps.api.services import token_create
from smecluster.apps.applications import services as application_services
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Actor, Status, acting_level
from smecluster.apps.notices import services as notice_services
from smecluster.apps.notices.models import Notice
from smecluster.apps.programmes.models import PoolEntry, Programme, YearlyCall
from smecluster.apps.programmes.recommenders import recommending_office
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
from smecluster.apps.registry.services import annual_reports
from smecluster.apps.registry.services import operators as cluster_operators
from smecluster.apps.registry.services import recognition as registry_services
from smecluster.apps.reviews import services as review_services
from smecluster.apps.selection import services as selection_services
from smecluster.apps.selection.models import Assignment, ExpertProfile
from smecluster.policy.ruleset import rule_set
from smecluster.site.demo import fill_application

PASSWORD = "web-test-password-42"
# The declaring department's 承诺书 every submission signs (GD 15(一), SX 14): for the service, for the page.
PLEDGE = application_services.Pledge(signer_name="李建国", signer_position="区工业和信息化局局长")
PLEDGE_FORM = {"pledge_signer_name": PLEDGE.signer_name, "pledge_signer_position": PLEDGE.signer_position}
# Something in each tab ``application_submit`` requires (applications.completeness: the quality firms, the
# six qualitative aspects, the plan), for tests that build an application field by field.
REQUIRED_SECTIONS_FILLED: dict[str, Any] = {
    "champion": 0,
    "supply_chain": "链主企业带动本地配套企业协作。",
    "innovation": "建有省级工程技术研究中心。",
    "digital": "推广工业互联网平台应用。",
    "green": "开展绿色工厂创建。",
    "openness": "产品出口东南亚。",
    "governance": "运营管理机构提供检验检测等公共服务。",
    "plan_summary": "未来三年完善产业链配套。",
}

# The people of the web tests, keyed by the role they play towards a 顺德区 application.
PEOPLE: dict[str, tuple[Role, str]] = {
    "province_admin": (Role.PROVINCE_ADMIN, "440000"),
    "city_officer": (Role.CITY_OFFICER, "440600"),
    "other_city_officer": (Role.CITY_OFFICER, "440100"),
    "county_officer": (Role.COUNTY_OFFICER, "440606"),
    "other_county_officer": (Role.COUNTY_OFFICER, "440605"),
    "operator": (Role.OPERATOR, "440606"),
    "other_operator": (Role.OPERATOR, "440605"),
    "expert": (Role.EXPERT, "440000"),
}

# The way to each state from a draft filled with valid figures, one service call per step.
PATH_TO: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (),
    Status.SUBMITTED: ("submit",),
    Status.RETURNED: ("submit", "return"),
    Status.ACCEPTED: ("submit", "accept"),
    Status.REVIEWED: ("submit", "accept", "review"),
    Status.RECOMMENDED: ("submit", "accept", "review", "recommend"),
    Status.NOT_RECOMMENDED: ("submit", "accept", "review", "not_recommend"),
    # The owner's screening (selection.services), as the province admin of the application's province.
    Status.SCREENED: ("submit", "accept", "review", "recommend", "screen"),
    Status.SCREENED_OUT: ("submit", "accept", "review", "recommend", "screen_out"),
    # Then the expert review (``expert``, home 广东省, assigned by the owner, declares no conflict and submits
    # 80 % of every maximum), the confirmed shortlist, the public notice (published for today, then moved
    # into the past: it has ended) and the owner's recognition.
    Status.SHORTLISTED: ("submit", "accept", "review", "recommend", "screen", "assign", "score", "shortlist"),
    Status.RECOGNIZED: (
        "submit", "accept", "review", "recommend", "screen", "assign", "score", "shortlist",
        "publish", "end_notice", "recognize",
    ),
}  # fmt: skip


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A person with the password ``PASSWORD``; a trait per entry of ``PEOPLE`` (username and role and
    jurisdiction as the web tests know them)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"person-{n}")
    role = Role.COUNTY_OFFICER
    jurisdiction_id = "440606"
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")

    class Params:
        province_admin = factory.Trait(
            username="province-admin", role=Role.PROVINCE_ADMIN, jurisdiction_id="440000"
        )
        city_officer = factory.Trait(
            username="city-officer", role=Role.CITY_OFFICER, jurisdiction_id="440600"
        )
        other_city_officer = factory.Trait(
            username="other-city-officer", role=Role.CITY_OFFICER, jurisdiction_id="440100"
        )
        county_officer = factory.Trait(
            username="county-officer", role=Role.COUNTY_OFFICER, jurisdiction_id="440606"
        )
        other_county_officer = factory.Trait(
            username="other-county-officer", role=Role.COUNTY_OFFICER, jurisdiction_id="440605"
        )
        operator = factory.Trait(username="operator", role=Role.OPERATOR, jurisdiction_id="440606")
        other_operator = factory.Trait(
            username="other-operator", role=Role.OPERATOR, jurisdiction_id="440605"
        )
        expert = factory.Trait(username="expert", role=Role.EXPERT, jurisdiction_id="440000")

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        user = model_class(*args, **kwargs)
        user.set_password(PASSWORD)
        user.save()
        return user


def people() -> dict[str, User]:
    """Every person of ``PEOPLE``, keyed as there."""
    return {key: UserFactory(**{key: True}) for key in PEOPLE}


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    """The Guangdong provincial programme (rule set guangdong-2022, county → city → province)."""

    class Meta:
        model = Programme

    name = "广东省中小企业特色产业集群认定"
    owner_id = "440000"
    owner_level = "province"
    rule_set_id = "guangdong-2022"
    review_chain = factory.LazyFunction(lambda: ["county", "city", "province"])
    quota_per_unit = 3
    pool_required = False

    @classmethod
    def _create(cls, model_class: type[Programme], *args: Any, **kwargs: Any) -> Programme:
        programme = model_class(*args, **kwargs)
        programme.full_clean()
        programme.save()
        return programme


class YearlyCallFactory(factory.django.DjangoModelFactory[YearlyCall]):
    """This year's call, open today (Asia/Shanghai, read when the call is made), quota 3 per city."""

    class Meta:
        model = YearlyCall

    programme = factory.SubFactory(ProgrammeFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=20))
    city_deadline = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    province_deadline = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    quota = 3

    @classmethod
    def _create(cls, model_class: type[YearlyCall], *args: Any, **kwargs: Any) -> YearlyCall:
        call = model_class(*args, **kwargs)
        call.full_clean()
        call.save()
        return call


class PoolEntryFactory(factory.django.DjangoModelFactory[PoolEntry]):
    """A 顺德区 cluster in 佛山市's cultivation pool."""

    class Meta:
        model = PoolEntry

    city_id = "440600"
    county_id = "440606"
    name = "佛山市顺德区家具产业集群"
    leading_industry = "家具"


# The smallest well-formed PDF: what `filetype` and a browser both take for a PDF.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


_CAPTCHA_KEY = re.compile(r'name="captcha_0" value="([0-9a-f]{40})"')


def solve_captcha(html: str | bytes) -> dict[str, str]:
    """The answer to the challenge on a page's objection form, as a person reading the image would give it:
    the key from the form's hidden field, the answer from the challenge's row. The suite never switches on
    CAPTCHA_TEST_MODE, so every objection it files passes the real check."""
    text = html.decode() if isinstance(html, bytes) else html
    found = _CAPTCHA_KEY.search(text)
    form_end = text[text.find("<form") :][-1500:]
    assert found, f"the page has no challenge (captcha_0) to solve: {form_end}"
    answer = CaptchaStore.objects.get(hashkey=found.group(1)).response
    return {"captcha_0": found.group(1), "captcha_1": answer}


def objection_challenge(url: str, client: Client | None = None) -> dict[str, str]:
    """Opens the public notice at ``url`` (as a new visitor unless ``client`` is given) and solves the
    challenge its objection form shows: the fields to add to an objection's POST."""
    page = (client or Client()).get(url)
    assert page.status_code == 200, page.status_code
    return solve_captcha(page.content)


def pdf_upload(name: str = "证明材料.pdf") -> SimpleUploadedFile:
    """A PDF as the services take an upload."""
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def pdf_file(name: str = "证明材料.pdf") -> io.BytesIO:
    """A PDF as an open file, for the test client's multipart posts."""
    handle = io.BytesIO(PDF)
    handle.name = name
    return handle


def recommender(application: Application) -> User:
    """Who accepts, reviews and recommends: the chain's level before last (the city; the province in the
    national chain or where no city stands above the county (东莞), or the 计划单列市's officer for its
    districts; the county in a city's own programme)."""
    office = recommending_office(application.call.programme, application.county)
    return User.objects.get(role=office.role, jurisdiction=office.jurisdiction)


def owner(application: Application) -> User:
    """Who screens, shortlists and recognizes: the chain's last level in the owner's office (the owning
    province's admin, a city's officer for its own programme, or the ministry admin (全国 100000) for the
    national programme; the test must have made one)."""
    programme = application.call.programme
    level = acting_level(programme.review_chain, Actor.OWNER)
    return User.objects.get(role=LEVEL_ROLE[level], jurisdiction=programme.owner_id or "100000")


def assigned_expert() -> User:
    """The expert the ``assign`` step assigns: ``expert`` of ``PEOPLE`` (home 广东省), in the pool."""
    expert = User.objects.get(username="expert")
    ExpertProfile.objects.get_or_create(
        user=expert, defaults={"fields": "智能家电", "organization": "测试大学"}
    )
    return expert


def take_step(application: Application, step: str) -> Any:
    """Take one workflow step on an application through its service, as the right person for its chain."""
    county = User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction=application.county_id)
    city = recommender(application)
    if step == "submit":
        return application_services.application_submit(actor=county, application=application, pledge=PLEDGE)
    if step == "withdraw":
        return application_services.application_withdraw(actor=county, application=application)
    if step == "accept":
        return review_services.application_accept(actor=city, application=application)
    if step == "return":
        return review_services.application_return(
            actor=city, application=application, reason="请补充佐证材料"
        )
    if step == "review":
        criteria = [each.id for each in rule_set(application.call.programme.rule_set_id).criteria]
        criterion = "gd-output" if "gd-output" in criteria else criteria[0]
        return review_services.initial_review_record(
            actor=city,
            application=application,
            findings=[{"criterion_id": criterion, "status": "pass", "note": ""}],
            conclusion="符合条件",
        )
    if step == "spot_check":
        return review_services.spot_check_record(
            actor=city,
            application=application,
            checked_on=timezone.localdate(),
            inspectors="张三、李四",
            findings="与申报材料相符",
            conclusion="confirmed",
        )
    if step in ("recommend", "not_recommend"):
        return review_services.application_recommend(
            actor=city, application=application, recommended=step == "recommend", reason="理由"
        )
    owner_ = owner(application)
    if step in ("screen", "screen_out"):
        return selection_services.application_screen(
            actor=owner_, application=application, goes_on=step == "screen", reason="审核意见"
        )
    if step == "assign":
        return selection_services.assignment_create(
            actor=owner_,
            application=application,
            expert=assigned_expert(),
            due_on=timezone.localdate() + timedelta(days=10),
        )
    if step == "score":
        assignment = Assignment.objects.get(application=application, expert=assigned_expert())
        expert = assignment.expert
        assignment = selection_services.assignment_declare(
            actor=expert, assignment=assignment, conflict=False
        )
        system = application.call.indicator_systems.order_by("-version").first()
        entries = {
            indicator.pk: selection_services.ScoreEntry(
                (indicator.max_points * Decimal("0.8")).quantize(Decimal("0.01")), "评语"
            )
            for indicator in system.indicators.all()
        }
        return selection_services.scores_save(
            actor=expert, assignment=assignment, entries=entries, submit=True
        )
    if step == "shortlist":
        return selection_services.shortlist_confirm(actor=owner_, call=application.call)
    if step == "publish":
        return notice_services.notice_publish(
            actor=owner_,
            call=application.call,
            title=f"{application.call}拟认定名单公示",
            starts_on=timezone.localdate(),
            contact="省工业和信息化厅中小企业处，电话 020-83133000",
        )
    if step == "end_notice":
        # The notice ran its course: moved into the past, as if published a month ago.
        today = timezone.localdate()
        return Notice.objects.filter(shortlist__call=application.call).update(
            starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=20)
        )
    if step == "recognize":
        return registry_services.recognition_decide(
            actor=owner_,
            call=application.call,
            application_ids=[application.pk],
            decision=registry_services.RECOGNIZE,
        )
    raise ValueError(step)


def take_steps(application: Application, steps: tuple[str, ...]) -> Application:
    for step in steps:
        take_step(application, step)
        application.refresh_from_db()
    return application


def _state_traits() -> dict[str, factory.Trait]:
    return {str(status): factory.Trait(status=status) for status in PATH_TO}


class ApplicationFactory(factory.Factory[Application]):
    """An application of ``county`` (顺德区 unless told) in ``call``, created and filled with valid figures by
    its county officer, then taken to ``status`` (or the state of a trait: ``submitted=True``…) along
    ``PATH_TO``, one service call per step."""

    class Meta:
        model = Application

    call = factory.SubFactory(YearlyCallFactory)
    county = "440606"
    name = factory.Sequence(lambda n: f"佛山市测试智能家电产业集群{n + 1}")
    leading_industry = "智能家电"
    status = Status.DRAFT
    operators = factory.LazyFunction(list)  # the operator accounts bound to it (by the county)
    places = factory.LazyFunction(list)  # the towns or streets it names ([{"code", "name"}])

    Params = type("Params", (), _state_traits())

    @classmethod
    def _create(cls, model_class: type[Application], *args: Any, **kwargs: Any) -> Application:
        status = kwargs.pop("status")
        operators = kwargs.pop("operators")
        places = kwargs.pop("places")
        county_officer = User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction=kwargs.pop("county"))
        application = application_services.application_create(actor=county_officer, **kwargs)
        # Bound before the steps, so that recognition carries the binding to the cluster as it does live.
        bind_operator(*operators, to=[application])
        application = fill_application(actor=county_officer, application=application)
        if places:
            application = application_services.application_update(
                actor=county_officer, application=application, fields={"places": places}
            )
        take_steps(application, PATH_TO[status])
        assert application.status == status
        return application

    @classmethod
    def _build(cls, model_class: type[Application], *args: Any, **kwargs: Any) -> Application:
        raise TypeError("an application exists only through its services: use ApplicationFactory(...)")


def bind_operator(*operators: User, to: list[Application | RecognizedCluster]) -> None:
    """The county officer binds ``operators`` to each application or cluster of ``to`` through the
    services (an operator reaches only what it operates)."""
    for target in to:
        county = User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction=target.county_id)
        for operator in operators:
            if isinstance(target, Application):
                application_services.application_operator_add(
                    actor=county, application=target, operator=operator
                )
            else:
                cluster_operators.cluster_operator_add(actor=county, cluster=target, operator=operator)


def recognized_cluster(**application: Any) -> RecognizedCluster:
    """A cluster recognized through the whole workflow (``ApplicationFactory`` in the recognized state)."""
    return RecognizedCluster.objects.get(
        application=ApplicationFactory(status=Status.RECOGNIZED, **application)
    )


# The way to each state of an annual report from its first save, by the county unless a step names the
# city (``return``, ``forward``) or the province (``receive``).
REPORT_PATH_TO: dict[str, tuple[str, ...]] = {
    AnnualReport.Status.SUBMITTED: ("submit",),
    AnnualReport.Status.RETURNED: ("submit", "return"),
    AnnualReport.Status.FORWARDED: ("submit", "forward"),
    AnnualReport.Status.RECEIVED: ("submit", "forward", "receive"),
}


def annual_report_in(
    cluster: RecognizedCluster, status: str, *, year: int, figures: dict[str, Any]
) -> AnnualReport:
    """The cluster's report on ``year``, opened as the daily duty opens it, saved with ``figures`` (the
    form's document) and a narrative, then taken to ``status`` through the services, as of the clock."""
    county = User.objects.get(username="county-officer") if cluster.county_id == "440606" else None
    county = county or User.objects.get(role=Role.COUNTY_OFFICER, jurisdiction=cluster.county_id)
    city = User.objects.get(role=Role.CITY_OFFICER, jurisdiction=cluster.county.parent_id)
    province = User.objects.get(role=Role.PROVINCE_ADMIN, jurisdiction=cluster.county_id[:2] + "0000")
    actors = {"return": city, "forward": city, "receive": province}
    report, _created = annual_reports.report_open(cluster=cluster, year=year, today=date(year + 1, 1, 1))
    if status == AnnualReport.Status.DRAFT:
        return report
    annual_reports.report_save_figures(actor=county, report=report, document=figures)
    annual_reports.report_save_narrative(
        actor=county,
        report=report,
        fields={"work_done": "完成年度培育任务", "experience": "", "problems": "", "measures": ""},
    )
    for action in REPORT_PATH_TO[status]:
        annual_reports.report_move(
            actor=actors.get(action, county), report=report, action=action, reason="请核实数据"
        )
    report.refresh_from_db()
    assert report.status == status
    return report


def api_bearer(user: User, scopes: tuple[str, ...] | None = None) -> dict[str, str]:
    """The ``Authorization`` header (as the test client's keyword) of a new 30-day API token of ``user``
    with ``scopes`` (every scope unless told), made through the service the token page uses."""
    _token, secret = token_create(
        actor=user,
        name="测试",
        scopes=list(SCOPES if scopes is None else scopes),
        expires_at=timezone.now() + timedelta(days=30),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
