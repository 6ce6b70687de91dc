"""The platform's REST API at ``/api/v1/`` (django-ninja; ADR 0026): its OpenAPI 3.1 document at
``/api/v1/openapi.json`` and a docs page at ``/api/v1/docs`` served from the platform's own static files
(ninja's bundled Swagger UI: no outside network, no inline script, so the strict CSP holds).

The API speaks Chinese whatever the language cookie or Accept-Language: its labels (``status_label`` …)
and messages are data other systems store and compare, so they do not change with the caller's language."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError, ValidationErrorContext
from ninja.openapi.schema import OpenAPISchema

from smecluster.annual_figures import AnnualFigures
from smecluster.apps.api import check, private, public
from smecluster.apps.api.access import PER_ADDRESS
from smecluster.policy.ruleset import RuleSet
from smecluster.profile import ClusterProfile, detail_problem

API_LANGUAGE = "zh-hans"


def _in_chinese(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def answered(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with translation.override(API_LANGUAGE):
            return view(request, *args, **kwargs)

    return answered


# The verdict of ``smecluster check --json`` (policy/verdict.py ``Verdict.as_json``), described by hand: the
# API answers the command line's document as it is, so ninja does not build it from a model.
_NUMBER_OR_FIGURES: dict[str, Any] = {
    "anyOf": [
        {"type": "number"},
        {"type": "string"},
        {"type": "null"},
        {"type": "array", "items": {"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]}},
    ]
}
VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Verdict",
    "required": ["rule_set", "rule_set_title", "as_of", "outcome", "criteria", "warnings"],
    "properties": {
        "rule_set": {"type": "string"},
        "rule_set_title": {"type": "string"},
        "as_of": {"type": "string", "format": "date"},
        "outcome": {"type": "string", "enum": ["eligible", "ineligible", "incomplete", "needs_review"]},
        "criteria": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "article", "clause", "kind", "status", "explanation"],
                "properties": {
                    "id": {"type": "string"},
                    "aspect": {"type": ["string", "null"]},
                    "article": {"type": "string"},
                    "clause": {"type": "string"},
                    "kind": {"type": "string"},
                    "status": {"type": "string", "enum": ["pass", "fail", "missing", "review"]},
                    "value": _NUMBER_OR_FIGURES,
                    "comparator": {"type": ["string", "null"]},
                    "threshold": _NUMBER_OR_FIGURES,
                    "unit": {"type": ["string", "null"]},
                    "explanation": {"type": "string"},
                },
            },
        },
        "warnings": {"type": "array", "items": {"type": "string"}},
    },
}


def rule_set_json_schema_for_components() -> dict[str, Any]:
    """The rule-set file's JSON Schema (``smecluster rule-set-schema``), its definitions under a prefix."""
    return RuleSet.model_json_schema(
        by_alias=True, ref_template="#/components/schemas/RuleSetDocument{model}"
    )


class PlatformApi(NinjaAPI):
    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        """A refused parameter as every refusal of the API reads: ``[{"path", "message"}]``, the message
        worded as the profile's problems are (Chinese), the path without ninja's source prefix."""
        problems: list[dict[str, str]] = []
        for context in error_contexts:
            flattened = getattr(context.model, "__ninja_flatten_map_reverse__", {})
            for detail in context.pydantic_validation_error.errors(include_url=False):
                detail["loc"] = tuple(flattened.get(detail["loc"], detail["loc"]))
                problem = detail_problem(detail)
                problems.append({"path": problem.field, "message": str(problem.message)})
        return ValidationError(problems)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        # The profile's own JSON Schema (``smecluster profile-schema``), its definitions moved among the
        # components under a prefix of their own so that none collides with ninja's.
        profile = ClusterProfile.model_json_schema(
            by_alias=True, ref_template="#/components/schemas/Profile{model}"
        )
        for name, definition in profile.pop("$defs", {}).items():
            components[f"Profile{name}"] = definition
        components["ProfileClusterProfile"] = profile
        figures = AnnualFigures.model_json_schema(
            by_alias=True, ref_template="#/components/schemas/Figures{model}"
        )
        for name, definition in figures.pop("$defs", {}).items():
            components[f"Figures{name}"] = definition
        components["FiguresAnnualFigures"] = figures
        components["CheckRequest"] = {
            "type": "object",
            "title": "CheckRequest",
            "required": ["rule_set", "profile"],
            "additionalProperties": False,
            "properties": {
                "rule_set": {
                    "description": "规则集 id（见 /api/v1/rule-sets）；或一个规则集文件的内容（须令牌有 "
                    "rule_sets:read 权限）",
                    "anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/RuleSetDocument"}],
                },
                "profile": {"$ref": "#/components/schemas/ProfileClusterProfile"},
                "as_of": {
                    "type": "string",
                    "format": "date",
                    "description": "规则集有效期的核对日期（默认申报日期），同 smecluster check --as-of",
                },
            },
        }
        components["Verdict"] = VERDICT_SCHEMA
        rule_set = rule_set_json_schema_for_components()
        for name, definition in rule_set.pop("$defs", {}).items():
            components[f"RuleSetDocument{name}"] = definition
        components["RuleSetDocument"] = rule_set
        return schema


api = PlatformApi(
    title="中小企业特色产业集群管理平台 API",
    version="1",
    description=(
        "公开数据（认定项目、规则集、申报通知、已认定集群名单、公示）与规则核验服务无需登录；"
        "其余接口须在请求头中携带 `Authorization: Bearer <令牌>`，令牌在“账号安全”页面创建。"
        "所有标签和提示均为中文，不随界面语言变化。"
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # Every request counts against its address; a token's requests against the token too (access.py).
    throttle=[PER_ADDRESS],
)
api.add_decorator(_in_chinese, mode="view")
api.add_router("", public.router)
api.add_router("", check.router)
api.add_router("", private.router)


@api.exception_handler(ValidationError)
def _refused(request: HttpRequest, refusal: ValidationError) -> HttpResponse:
    return api.create_response(request, refusal.errors, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=error.status_code)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "需要有效的接口令牌：Authorization: Bearer <令牌>（在“账号安全”页面创建）"},
        status=401,
    )


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, error: Throttled) -> HttpResponse:
    response = api.create_response(request, {"detail": "请求过于频繁，请稍后再试"}, status=429)
    if error.wait:
        response["Retry-After"] = str(int(error.wait) + 1)
    return response
