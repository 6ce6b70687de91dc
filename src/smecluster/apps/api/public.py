"""The public endpoints (no token): what the public pages show, as data with stable codes.

Programmes and their rule sets (with the articles), yearly calls, the published list of recognized clusters
(division code, GB/T 4754 code, status code with its label) and each cluster with its public history, and
the public notices with their lists. Reach = the public pages': each endpoint reads the pages' own selectors
(``registry.selectors.public_clusters`` and ``public_cluster``, ``notices.selectors.public_notices``)."""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

# The parameter functions, not ninja's shortcuts: their bounds and patterns are in the OpenAPI document.
from ninja.params.functions import Path, Query

from smecluster.apps.api.pagination import Pages, Rows
from smecluster.apps.notices.models import Notice
from smecluster.apps.notices.permissions import PHASE_LABELS, notice_phase
from smecluster.apps.notices.selectors import notice_entries, public_notice, public_notices
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.registry.models import RecognizedCluster, ReReview
from smecluster.apps.registry.selectors import public_cluster, public_clusters
from smecluster.policy.ruleset import RuleSet, rule_set_summary, rule_sets

router = Router(tags=["公开数据"])

# Text the database cannot store (PostgreSQL refuses NUL in a string): refused as a 422, not a 500.
NO_NUL = r"^[^\x00]*$"
DIVISION_CODE = r"^[0-9]{6}$"
LEVEL_CODES = Literal["national", "province", "city"]
DATABASE_INT = 2_147_483_647


class Problem(Schema):
    path: str = Field(description="出错字段的路径，如 years[1].output；整体问题为空")
    message: str = Field(description="问题说明（中文）")


class Detail(Schema):
    detail: str = Field(description="未找到等问题的说明（中文）")


class ProgrammeOut(Schema):
    id: int
    name: str
    level: str = Field(description="认定层级代码：national、province、city")
    level_label: str
    owner_division_code: str | None = Field(description="认定机关所在辖区的区划代码；国家级为空")
    rule_set: str = Field(description="规则集 id，见 /api/v1/rule-sets/{id}")


class RuleSetSummaryOut(Schema):
    id: str
    title: str
    document: str
    number: str | None
    issuer: str
    issued: date | None
    status: str
    valid_from: date | None
    valid_until: date | None
    criteria: int = Field(description="认定条件条数")


class CallOut(Schema):
    id: int
    programme: int
    programme_name: str
    year: int
    opens_on: date
    closes_on: date = Field(description="县级申报截止")
    city_deadline: date
    province_deadline: date | None


class ClusterOut(Schema):
    number: str
    name: str
    division_code: str = Field(description="所在县的区划代码（GB/T 2260，6 位）")
    place: str
    industry_code: str = Field(description="主导产业代码（GB/T 4754-2017）；历史导入的集群可能为空")
    leading_industry: str
    programme: str
    level: str = Field(description="认定层级代码：national、province、city")
    year: int
    status: Literal["valid", "expired", "revoked"]
    status_label: str = Field(description="状态的中文名称（不随界面语言变化）")
    recognized_on: date
    valid_from: date
    valid_until: date


class HistoryEventOut(Schema):
    event: Literal["recognition", "re_review", "revocation"]
    label: str
    date: date
    detail: str


class ClusterDetailOut(ClusterOut):
    validity: str
    history: list[HistoryEventOut]


class NoticeOut(Schema):
    id: int
    title: str
    programme: str
    year: int
    starts_on: date
    ends_on: date
    working_days: int
    phase: str = Field(description="upcoming、open、ended")
    phase_label: str


class NoticeEntryOut(Schema):
    order: int = Field(description="序号（公示不公开得分和排名）")
    name: str
    division_code: str
    place: str
    leading_industry: str
    removed: bool = Field(description="经公示异议成立，已移出名单")


class NoticeDetailOut(NoticeOut):
    entries: list[NoticeEntryOut]


# --- programmes, rule sets, calls --------------------------------------------------------------------


def _programme(programme: Programme) -> dict[str, Any]:
    return {
        "id": programme.pk,
        "name": programme.name,
        "level": programme.owner_level,
        "level_label": str(programme.get_owner_level_display()),
        "owner_division_code": programme.owner_id,
        "rule_set": programme.rule_set_id,
    }


@router.get("/programmes", response={200: list[ProgrammeOut], 422: list[Problem]}, summary="认定项目")
@paginate(Pages)
def programmes(request: HttpRequest) -> list[dict[str, Any]]:
    return [_programme(each) for each in Programme.objects.order_by("pk")]


@router.get(
    "/rule-sets", response={200: list[RuleSetSummaryOut], 422: list[Problem]}, summary="规则集（认定标准）"
)
def rule_set_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [rule_set_summary(each) for each in rule_sets().values()]


@router.get(
    "/rule-sets/{rule_set_id}",
    response={200: RuleSet, 404: Detail, 422: list[Problem]},
    summary="一个规则集，含各条款原文",
)
def rule_set_detail(
    request: HttpRequest, rule_set_id: str = Path(..., pattern=r"^[a-z0-9-]{1,64}$")
) -> RuleSet:
    known = rule_sets()
    if rule_set_id not in known:
        raise HttpError(404, f"没有这个规则集：{rule_set_id}")
    return known[rule_set_id]


@router.get("/calls", response={200: list[CallOut], 422: list[Problem]}, summary="年度申报通知")
@paginate(Pages)
def calls(
    request: HttpRequest,
    programme: int | None = Query(None, ge=1, le=DATABASE_INT),
    year: int | None = Query(None, ge=1900, le=2999),
) -> Rows:
    found = YearlyCall.objects.select_related("programme").order_by("-year", "pk")
    if programme is not None:
        found = found.filter(programme=programme)
    if year is not None:
        found = found.filter(year=year)
    return Rows(found, _call)


def _call(call: YearlyCall) -> dict[str, Any]:
    return {
        "id": call.pk,
        "programme": call.programme_id,
        "programme_name": call.programme.name,
        "year": call.year,
        "opens_on": call.opens_on,
        "closes_on": call.closes_on,
        "city_deadline": call.city_deadline,
        "province_deadline": call.province_deadline,
    }


# --- the published list and each cluster -------------------------------------------------------------


def _cluster(cluster: RecognizedCluster) -> dict[str, Any]:
    return {
        "number": cluster.number,
        "name": cluster.name,
        "division_code": cluster.county_id,
        "place": cluster.county.full_name(),
        "industry_code": cluster.leading_industry_code,
        "leading_industry": cluster.leading_industry,
        "programme": cluster.programme.name,
        "level": cluster.programme.owner_level,
        "year": cluster.year,
        "status": cluster.status,
        "status_label": str(cluster.get_status_display()),
        "recognized_on": cluster.recognized_on,
        "valid_from": cluster.valid_from,
        "valid_until": cluster.valid_until,
    }


@router.get(
    "/clusters", response={200: list[ClusterOut], 422: list[Problem]}, summary="已认定集群名单（公开名单）"
)
@paginate(Pages)
def clusters(
    request: HttpRequest,
    q: str = Query("", max_length=100, pattern=NO_NUL, description="名称或主导产业中的文字"),
    year: int | None = Query(None, ge=1900, le=2999, description="认定年度"),
    city: str = Query("", pattern=r"^([0-9]{6})?$", description="所在市的区划代码"),
    industry: str = Query("", max_length=64, pattern=NO_NUL, description="主导产业（全称）"),
    status: Literal["", "valid", "expired", "revoked"] = Query("", description="状态代码"),
    programme: int | None = Query(None, ge=1, le=DATABASE_INT, description="认定项目 id"),
) -> Rows:
    # The page's own selector and filters: the API lists exactly what the public list shows.
    found = public_clusters(q=q, year=year, city=city, industry=industry, status=status, programme=programme)
    return Rows(found, _cluster)


def _history(cluster: RecognizedCluster) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {
            "event": "recognition",
            "label": "认定",
            "date": cluster.recognized_on,
            "detail": f"{cluster.programme.name}（{cluster.year} 年度）",
        }
    ]
    for review in cluster.re_reviews.filter(status=ReReview.Status.DECIDED).order_by("decided_on", "pk"):
        if review.decided_on is None or review.outcome is None:
            continue
        events.append(
            {
                "event": "re_review",
                "label": str(review.get_outcome_display()),
                "date": review.decided_on,
                "detail": f"有效期延续至 {review.new_valid_until.isoformat()}"
                if review.new_valid_until
                else "",
            }
        )
    if cluster.status == RecognizedCluster.Status.REVOKED and hasattr(cluster, "revocation"):
        revocation = cluster.revocation
        events.append(
            {
                "event": "revocation",
                "label": "撤销",
                "date": revocation.revoked_on,
                "detail": f"{revocation.article}（情形{revocation.case}）：{revocation.clause}",
            }
        )
    return events


@router.get(
    "/clusters/{number}",
    response={200: ClusterDetailOut, 404: Detail, 422: list[Problem]},
    summary="一个已认定集群及其公开历程",
)
def cluster_detail(
    request: HttpRequest, number: str = Path(..., max_length=32, pattern=r"^[^\x00/]+$")
) -> dict[str, Any]:
    try:
        pk = RecognizedCluster.objects.values_list("pk", flat=True).get(number=number)
    except RecognizedCluster.DoesNotExist:
        raise HttpError(404, "没有这个集群") from None
    cluster = public_cluster(pk)
    return {**_cluster(cluster), "validity": cluster.validity_words, "history": _history(cluster)}


# --- public notices ----------------------------------------------------------------------------------


def _notice(notice: Notice) -> dict[str, Any]:
    phase = notice_phase(notice)
    return {
        "id": notice.pk,
        "title": notice.title,
        "programme": notice.shortlist.call.programme.name,
        "year": notice.shortlist.call.year,
        "starts_on": notice.starts_on,
        "ends_on": notice.ends_on,
        "working_days": notice.working_days,
        "phase": phase.value,
        "phase_label": str(PHASE_LABELS[phase]),
    }


@router.get("/notices", response={200: list[NoticeOut], 422: list[Problem]}, summary="拟认定名单公示")
@paginate(Pages)
def notices(request: HttpRequest) -> Rows:
    return Rows(public_notices(), _notice)


@router.get(
    "/notices/{notice_id}",
    response={200: NoticeDetailOut, 404: Detail, 422: list[Problem]},
    summary="一个公示及其名单",
)
def notice_detail(request: HttpRequest, notice_id: int = Path(..., ge=1, le=DATABASE_INT)) -> dict[str, Any]:
    try:
        notice = public_notice(notice_id)
    except Notice.DoesNotExist:
        raise HttpError(404, "没有这个公示") from None
    entries = [
        {
            "order": order,
            "name": entry.application.name,
            "division_code": entry.application.county_id,
            "place": entry.application.county.full_name(),
            "leading_industry": entry.application.leading_industry,
            "removed": entry.removed,
        }
        for order, entry in enumerate(notice_entries(notice), start=1)
    ]
    return {**_notice(notice), "entries": entries}
