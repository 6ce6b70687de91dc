"""The endpoints that need a token: an application's profile (read; import into a draft), a cluster's
annual figures (read; save into a report being filled), its enterprise rosters (read), and the monitoring
figures of a scope and year.

Reach is the pages' own, never a copy: applications through
``applications.selectors.applications_visible_to`` (``application_reach``), annual reports through
``registry.selectors.reports_visible_to`` (``cluster_reach``), rosters through
``rosters.selectors.cluster_for`` and monitoring through ``monitoring.selectors.scope_for`` and
``programme_for``. Writes go through the services the pages use (``application_import_profile``,
``report_save_figures``), with their checks and audit events. What is out of reach is a 404, as on the
pages (existence is not disclosed)."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.params.functions import Path, Query

from smecluster.apps.accounts.models import Jurisdiction, User
from smecluster.apps.api.access import PER_ADDRESS, PER_TOKEN, BearerToken, account_with
from smecluster.apps.api.check import MAX_BODY_BYTES, json_response, problems_response
from smecluster.apps.api.collection import collection_package
from smecluster.apps.api.public import DATABASE_INT, Detail, Problem
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.profiles import profile_document, review_date
from smecluster.apps.applications.selectors import applications_visible_to
from smecluster.apps.applications.services import application_import_profile
from smecluster.apps.monitoring.permissions import can_open_monitoring
from smecluster.apps.monitoring.selectors import cluster_years, programme_for, scope_for
from smecluster.apps.programmes.models import Programme
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster
from smecluster.apps.registry.selectors import reports_visible_to
from smecluster.apps.registry.services.annual_reports import report_save_figures
from smecluster.apps.rosters import selectors as rosters
from smecluster.errors import Problem as InputProblem
from smecluster.errors import UnusableInput
from smecluster.profile import decode_json, parse_profile

# ninja lets a router's throttles replace the API's, so the address limit is named here again.
router = Router(tags=["令牌访问"], auth=BearerToken(), throttle=[PER_ADDRESS, PER_TOKEN])

NUMBER = r"^[^\x00/]{1,32}$"
REFUSALS: dict[int, Any] = {401: Detail, 403: Detail, 404: Detail, 422: list[Problem], 429: Detail}


def _json_body(request: HttpRequest) -> Any:
    if len(request.body) > MAX_BODY_BYTES:
        raise HttpError(413, f"请求体过大（上限 {MAX_BODY_BYTES // 1024} KB）")
    return decode_json(request.body, source="request")


def _service_refusal(error: ValidationError) -> HttpResponse:
    """A service's ValidationError (keyed by field path, or one message) as the API's problems."""
    if hasattr(error, "error_dict"):
        problems = [
            InputProblem("" if field == "__all__" else field, str(message))
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        problems = [InputProblem("", str(message)) for message in error.messages]
    return problems_response(problems)


# --- applications --------------------------------------------------------------------------------------


def _application(request: HttpRequest, scope: str, number: str) -> tuple[User, Application]:
    account = account_with(request, scope)
    try:
        return account, applications_visible_to(account).get(number=number)
    except Application.DoesNotExist:
        raise HttpError(404, "没有这个申报，或它不在您的辖区内") from None


PROFILE_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProfileClusterProfile"}}},
}
PROFILE_ANSWER = {
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProfileClusterProfile"}}}
}


@router.get(
    "/applications/{number}/profile",
    response={200: dict[str, Any], **REFUSALS},
    summary="申报的集群画像（applications:read）",
    openapi_extra={"responses": {200: PROFILE_ANSWER}},
)
def application_profile(request: HttpRequest, number: str = Path(..., pattern=NUMBER)) -> HttpResponse:
    _, application = _application(request, "applications:read", number)
    return json_response(_plain_numbers(profile_document(application, review_date(application))))


@router.put(
    "/applications/{number}/profile",
    response={200: dict[str, Any], **REFUSALS, 413: Detail},
    summary="以集群画像替换申报草稿的画像部分（applications:write）",
    openapi_extra={"requestBody": PROFILE_BODY, "responses": {200: PROFILE_ANSWER}},
)
def application_profile_import(request: HttpRequest, number: str = Path(..., pattern=NUMBER)) -> HttpResponse:
    account, application = _application(request, "applications:write", number)
    try:
        profile = parse_profile(_json_body(request), source="profile")
        application = application_import_profile(
            actor=account,
            application=application,
            profile=profile,
            source=f"API（{getattr(request, 'auth', '')}）",
        )
    except UnusableInput as refused:
        return problems_response(refused.problems)
    except PermissionDenied as refused:
        raise HttpError(403, str(refused) or "不能修改这个申报") from None
    except ValidationError as refused:
        return _service_refusal(refused)
    return json_response(_plain_numbers(profile_document(application, review_date(application))))


# --- annual figures -------------------------------------------------------------------------------------


def _report(request: HttpRequest, scope: str, number: str, year: int) -> tuple[User, AnnualReport]:
    account = account_with(request, scope)
    try:
        return account, reports_visible_to(account).get(cluster__number=number, year=year)
    except AnnualReport.DoesNotExist:
        raise HttpError(404, "没有这个年度报告，或它不在您的辖区内") from None


class AnnualReportOut(Schema):
    number: str = Field(description="认定编号")
    year: int
    status: str
    status_label: str
    figures: dict[str, Any] | None = Field(description="年度数据（与年度报告页面和工作簿相同的字段）")


def _report_out(report: AnnualReport) -> dict[str, Any]:
    return {
        "number": report.cluster.number,
        "year": report.year,
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "figures": report.figures,
    }


@router.get(
    "/clusters/{number}/annual-reports/{year}",
    response={200: AnnualReportOut, **REFUSALS},
    summary="集群某年度报告的年度数据（annual_reports:read）",
)
def annual_report(
    request: HttpRequest,
    number: str = Path(..., pattern=NUMBER),
    year: int = Path(..., ge=1900, le=2999),
) -> dict[str, Any]:
    _, report = _report(request, "annual_reports:read", number, year)
    return _report_out(report)


FIGURES_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FiguresAnnualFigures"}}},
}


@router.put(
    "/clusters/{number}/annual-reports/{year}/figures",
    response={200: AnnualReportOut, **REFUSALS, 413: Detail},
    summary="填报年度数据到填报中的年度报告（annual_reports:write；与页面相同的校验）",
    openapi_extra={"requestBody": FIGURES_BODY},
)
def annual_report_figures(
    request: HttpRequest,
    number: str = Path(..., pattern=NUMBER),
    year: int = Path(..., ge=1900, le=2999),
) -> Any:
    account, report = _report(request, "annual_reports:write", number, year)
    try:
        document = _json_body(request)
        if not isinstance(document, dict):
            return problems_response([InputProblem("", "须为年度数据对象")])
        report = report_save_figures(actor=account, report=report, document=document)
    except UnusableInput as refused:
        return problems_response(refused.problems)
    except PermissionDenied as refused:
        raise HttpError(403, str(refused) or "不能修改这个年度报告") from None
    return _report_out(report)


# --- rosters ----------------------------------------------------------------------------------------------


class RosterEnterpriseOut(Schema):
    line: int
    credit_code: str
    name: str
    county_code: str
    industry_code: str
    employees: int | None
    revenue: float | None = Field(description="营业收入（万元）")
    output: float | None = Field(description="工业总产值（万元）")
    titles: str
    leading: bool


class RosterOut(Schema):
    number: str
    year: int
    version: int
    file_sha256: str
    enterprises: list[RosterEnterpriseOut]


@router.get(
    "/clusters/{number}/rosters/{year}",
    response={200: RosterOut, **REFUSALS},
    summary="集群某年度的企业名单（rosters:read）",
)
def cluster_roster(
    request: HttpRequest,
    number: str = Path(..., pattern=NUMBER),
    year: int = Path(..., ge=1900, le=2999),
) -> dict[str, Any]:
    account = account_with(request, "rosters:read")
    try:
        pk = RecognizedCluster.objects.values_list("pk", flat=True).get(number=number)
        cluster = rosters.cluster_for(account, pk)
    except RecognizedCluster.DoesNotExist:
        raise HttpError(404, "没有这个集群，或它不在您的辖区内") from None
    version = rosters.current_version(rosters.roster_of_cluster(cluster, year))
    if version is None:
        raise HttpError(404, "这个集群没有该年度的企业名单")
    enterprises = [
        {
            "line": each.line,
            "credit_code": each.credit_code,
            "name": each.name,
            "county_code": each.county_code,
            "industry_code": each.industry_code,
            "employees": each.employees,
            "revenue": each.revenue,
            "output": each.output,
            "titles": each.titles,
            "leading": each.leading,
        }
        for each in rosters.enterprises_of(version)
    ]
    return {
        "number": cluster.number,
        "year": year,
        "version": version.number,
        "file_sha256": version.sha256,
        "enterprises": enterprises,
    }


# --- monitoring ------------------------------------------------------------------------------------------


class ClusterYearOut(Schema):
    number: str
    name: str
    county_code: str
    industry: str
    year: int
    source: str = Field(description="数据来源：年度培育情况信息表或认定申报材料")
    figures: dict[str, Any]


class EvaluationOut(Schema):
    scope: str = Field(description="范围的区划代码（全国为 000000）")
    programme: int
    year: int
    clusters: list[ClusterYearOut]


@router.get(
    "/monitoring/figures",
    response={200: EvaluationOut, **REFUSALS},
    summary="某范围某年度各集群的监测评估数据（monitoring:read）",
)
def monitoring_figures(
    request: HttpRequest,
    scope: str = Query(..., pattern=r"^[0-9]{6}$", description="范围：全国、省或市的区划代码"),
    year: int = Query(..., ge=1900, le=2999),
    programme: int = Query(..., ge=1, le=DATABASE_INT, description="认定项目 id"),
) -> dict[str, Any]:
    account = account_with(request, "monitoring:read")
    if not can_open_monitoring(account):
        raise HttpError(403, "集群监测与评估数据仅供工业和信息化部、省级管理员和市级主管部门使用")
    try:
        area = scope_for(account, scope)
        chosen = programme_for(account, str(programme))
    except (Jurisdiction.DoesNotExist, Programme.DoesNotExist):
        raise HttpError(404, "没有这个范围或认定项目，或它不在您的辖区内") from None
    rows = [
        {
            "number": each.number,
            "name": each.name,
            "county_code": each.county,
            "industry": each.industry,
            "year": each.year,
            "source": str(each.source),
            "figures": each.figures.as_document(),
        }
        for each in cluster_years(area, year, programme=chosen)
    ]
    return {"scope": area.code, "programme": chosen.pk, "year": year, "clusters": rows}


def _plain_numbers(document: Any) -> Any:
    """Decimals as JSON numbers (``json.dumps`` writes none by itself)."""
    if isinstance(document, Decimal):
        return int(document) if document == document.to_integral_value() else float(document)
    if isinstance(document, dict):
        return {key: _plain_numbers(value) for key, value in document.items()}
    if isinstance(document, list):
        return [_plain_numbers(value) for value in document]
    return document


# --- ministry collection (the province's side) -----------------------------------------------------------


@router.get(
    "/collection/{year}",
    response={200: dict[str, Any], **REFUSALS},
    summary="本省国家级集群某年度的年度数据包，供工业和信息化部平台拉取（annual_reports:read）",
)
def collection(request: HttpRequest, year: int = Path(..., ge=1900, le=2999)) -> HttpResponse:
    account = account_with(request, "annual_reports:read")
    return json_response(collection_package(account, year))
