"""``POST /api/v1/check``: the rules as a service. A cluster profile and a rule-set id in, the verdict out:
the same document as ``smecluster check PROFILE --rule-set ID --json`` (``policy.checking.check_document``,
one function for both). No token needed.

The body is read here, not by ninja: numbers must arrive as ``Decimal`` (48.4 stays 48.4 at a threshold),
and every problem is answered as the profile's own, ``[{"path": "years[1].output", "message": "…"}]``
(Chinese), as the command line names them. The OpenAPI document still describes the body in full
(``openapi.py`` puts the profile's JSON Schema in its components)."""

import json
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError

from smecluster.apps.api.access import BearerToken
from smecluster.apps.api.models import ApiToken
from smecluster.apps.api.public import Detail, Problem
from smecluster.errors import Problem as InputProblem
from smecluster.errors import UnusableInput
from smecluster.policy.checking import check_document
from smecluster.policy.ruleset import RuleSet, parse_rule_set, rule_sets
from smecluster.profile import decode_json, parse_profile

router = Router(tags=["规则服务"])

MAX_BODY_BYTES = 1024 * 1024  # a profile is a few kilobytes; a megabyte leaves room for long incident notes

VERDICT_REF = {"$ref": "#/components/schemas/Verdict"}
CHECK_REQUEST = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckRequest"}}},
}


def problems_response(problems: list[InputProblem], status: int = 422) -> HttpResponse:
    body = [{"path": problem.field, "message": str(problem.message)} for problem in problems]
    return json_response(body, status)


def json_response(document: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(document, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


@router.post(
    "/check",
    response={
        200: dict[str, Any],
        401: Detail,
        403: Detail,
        413: list[Problem],
        422: list[Problem],
        429: Detail,
    },
    summary="按规则集核验集群画像（与 smecluster check --json 相同）",
    openapi_extra={
        "requestBody": CHECK_REQUEST,
        "responses": {
            200: {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Verdict"}}}}
        },
    },
)
def check(request: HttpRequest) -> HttpResponse:
    if len(request.body) > MAX_BODY_BYTES:
        return problems_response([InputProblem("", f"请求体过大（上限 {MAX_BODY_BYTES // 1024} KB）")], 413)
    try:
        document = decode_json(request.body, source="request")
    except UnusableInput as refused:
        return problems_response(refused.problems)
    if not isinstance(document, dict):
        return problems_response([InputProblem("", '请求体须为 JSON 对象：{"rule_set": …, "profile": {…}}')])
    problems: list[InputProblem] = []
    known = rule_sets()
    chosen_id = document.get("rule_set")
    chosen: RuleSet | None = None
    if isinstance(chosen_id, dict):
        # A rule-set document (a province's revised rules, tried before they are installed): for a token
        # that may (scope rule_sets:read), checked by the rule-set schema as an uploaded file is.
        token = BearerToken()(request)
        if not isinstance(token, ApiToken):
            raise HttpError(401, "以规则集文件核验需要接口令牌（rule_sets:read）")
        if "rule_sets:read" not in token.scopes:
            raise HttpError(403, "令牌没有 rule_sets:read 权限")
        try:
            chosen = parse_rule_set(chosen_id, source="rule_set")
        except UnusableInput as refused:
            problems.extend(
                InputProblem(f"rule_set.{each.field}".rstrip("."), each.message) for each in refused.problems
            )
    elif not isinstance(chosen_id, str) or chosen_id not in known:
        problems.append(InputProblem("rule_set", f"须为规则集 id 之一：{'、'.join(sorted(known))}"))
    else:
        chosen = known[chosen_id]
    as_of = document.get("as_of")
    if as_of is not None:
        try:
            as_of = date.fromisoformat(as_of) if isinstance(as_of, str) and len(as_of) == 10 else None
        except ValueError:
            as_of = None
        if as_of is None:
            problems.append(InputProblem("as_of", "须为日期，写作 YYYY-MM-DD"))
    unknown = sorted(str(key) for key in document if key not in {"rule_set", "profile", "as_of"})
    problems.extend(InputProblem(key, "不认识的字段") for key in unknown)
    if "profile" not in document:
        problems.append(InputProblem("profile", "缺少集群画像"))
    if problems or chosen is None:
        return problems_response(problems)
    try:
        cluster = parse_profile(document["profile"], source="profile")
    except UnusableInput as refused:
        return problems_response(refused.problems)
    return json_response(check_document(cluster, chosen, as_of))
