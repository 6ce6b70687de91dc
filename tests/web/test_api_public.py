"""The REST API's public half (issue 17, "A REST API with OpenAPI"; design/interfaces.md, HTTP): the
OpenAPI 3.1 document at /api/v1/openapi.json, its docs page served offline under the strict CSP, the
published list with stable codes (division code, GB/T 4754 code, status code with a Chinese label whatever
the language), each cluster with its public history, and ``POST /api/v1/check`` answering exactly what
``smecluster check PROFILE --rule-set ID --json`` prints, for every example profile and every rule set."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from django.test import Client
from jsonschema import Draft202012Validator
from schemathesis.specs.openapi.definitions import OPENAPI_31

from factories import api_bearer as bearer
from factories import recognized_cluster
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.cli import main
from smecluster.policy.ruleset import rule_sets
from test_profile import BAD_DOCUMENTS, Bad, dump

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_PROFILES = sorted((REPO / "examples").glob("*.json"))


def test_the_openapi_document_is_openapi_3_1_with_every_public_path(client: Client) -> None:
    """interfaces.md: ``GET /api/v1/openapi.json`` — OpenAPI 3.1 document of the whole API."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    for path in ("/api/v1/check", "/api/v1/clusters", "/api/v1/clusters/{number}", "/api/v1/rule-sets"):
        assert path in document["paths"]
    # The profile's own schema is in the components, so a caller sees what a profile must be.
    assert "ProfileClusterProfile" in document["components"]["schemas"]
    # Valid against the OpenAPI 3.1 specification's own schema (as schemathesis bundles it), and every
    # component a valid JSON Schema 2020-12 (the dialect OpenAPI 3.1 uses).
    assert list(Draft202012Validator(OPENAPI_31).iter_errors(document)) == []
    assert list(Draft202012Validator(OPENAPI_31).iter_errors({**document, "info": {}})) != []
    for component in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(component)
    refs = re.findall(r'"\$ref": "([^"]+)"', json.dumps(document))
    assert refs
    schemas = document["components"]["schemas"]
    assert all(ref.removeprefix("#/components/schemas/") in schemas for ref in refs)


def test_the_docs_page_loads_its_scripts_and_styles_from_the_platform_itself(client: Client) -> None:
    """The brief: the docs page works with no outside network and under the strict CSP (no inline script)."""
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "https://" not in html
    assert "http://" not in html
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert any(source.endswith("swagger-ui-bundle.js") for source in sources)
    for source in sources:
        assert source.startswith("/static/"), source
        assert client.get(source).status_code == 200, source
    # Every <script> is a file or data (application/json), never inline code the CSP would block.
    for opening, _body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in opening or 'type="application/json"' in opening, opening
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_published_list_carries_stable_codes_and_a_chinese_label(client: Client, web_users: Any) -> None:
    cluster = recognized_cluster()
    cluster.leading_industry_code = "C3854"
    cluster.save()
    client.cookies["django_language"] = "en"
    response = client.get("/api/v1/clusters", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["number"] == cluster.number
    assert re.fullmatch(r"[0-9]{6}", item["division_code"])
    assert item["division_code"] == cluster.county_id
    assert item["industry_code"] == "C3854"
    assert (item["status"], item["status_label"]) == ("valid", "有效")
    assert item["level"] == cluster.programme.owner_level
    assert client.get("/api/v1/clusters", {"status": "revoked"}).json()["count"] == 0
    assert client.get("/api/v1/clusters", {"status": "bogus"}).status_code == 422


def test_one_cluster_with_its_public_history(client: Client, web_users: Any) -> None:
    cluster = recognized_cluster()
    response = client.get(f"/api/v1/clusters/{cluster.number}")
    assert response.status_code == 200
    body = response.json()
    assert body["history"][0]["event"] == "recognition"
    assert body["history"][0]["date"] == cluster.recognized_on.isoformat()
    assert client.get("/api/v1/clusters/NO-SUCH").status_code == 404
    assert RecognizedCluster.objects.count() == 1


def test_rule_sets_with_their_articles(client: Client) -> None:
    listed = client.get("/api/v1/rule-sets").json()
    assert {each["id"] for each in listed} == set(rule_sets())
    national = client.get("/api/v1/rule-sets/national-2022").json()
    assert national["criteria"][0]["article"]
    assert client.get("/api/v1/rule-sets/nothing-2000").status_code == 404


def _cli_json(profile: Path, rule_set_id: str) -> Any:
    result = CliRunner().invoke(main, ["check", str(profile), "--rule-set", rule_set_id, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("rule_set_id", sorted(rule_sets()))
@pytest.mark.parametrize("profile", EXAMPLE_PROFILES, ids=lambda path: path.name)
def test_check_answers_what_the_command_line_prints(client: Client, profile: Path, rule_set_id: str) -> None:
    """interfaces.md: POST /api/v1/check answers the same JSON document as ``smecluster check … --json``."""
    # The file's text as it is: its numbers as written (1.00 stays 1.00, as the command line reads it).
    body = f'{{"rule_set": "{rule_set_id}", "profile": {profile.read_text(encoding="utf-8")}}}'
    response = client.post("/api/v1/check", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == _cli_json(profile, rule_set_id)


def _example_cases() -> list[Any]:
    # The policy review's example cases (src/smecluster/policy/examples/*.yaml), as their own test reads
    # them: every profile the project ships with an expected verdict.
    from policy.test_rule_set_examples import LOADED

    return [example for examples in LOADED.values() for example in examples]


@pytest.mark.parametrize(
    "example", _example_cases(), ids=lambda example: f"{example.rule_set_id}-{example.number}"
)
def test_check_answers_what_the_command_line_prints_for_every_policy_example(
    client: Client, example: Any, tmp_path: Path
) -> None:
    """The same for every example case of the rule sets' policy review, with its evaluation date
    (``--as-of`` on the command line, ``as_of`` in the body)."""
    text = dump(example.document)  # the same text to both: amounts as JSON numbers
    written = tmp_path / "profile.json"
    written.write_text(text, encoding="utf-8")
    arguments = ["check", str(written), "--rule-set", example.rule_set_id, "--json"]
    as_of = example.case.as_of
    if as_of is not None:
        arguments += ["--as-of", as_of.isoformat()]
    printed = CliRunner().invoke(main, arguments)
    body = f'{{"rule_set": "{example.rule_set_id}", "profile": {text}'
    body += f', "as_of": "{as_of.isoformat()}"}}' if as_of is not None else "}"
    answer = client.post("/api/v1/check", body, content_type="application/json")
    assert printed.exit_code == 0, printed.output
    assert answer.status_code == 200, answer.content
    assert answer.json() == json.loads(printed.output)


@pytest.mark.parametrize("bad", BAD_DOCUMENTS[:12], ids=lambda bad: bad.id)
def test_a_bad_profile_is_a_422_naming_the_field_in_chinese(client: Client, bad: Bad, tmp_path: Path) -> None:
    """interfaces.md: a bad profile → 422 with [{"path": "years[1].output", "message": "…"}]; the same
    field and words as the command line's exit-2 message."""
    document = bad.document()
    response = client.post(
        "/api/v1/check",
        f'{{"rule_set": "national-2022", "profile": {dump(document)}}}',
        content_type="application/json",
    )
    assert response.status_code == 422
    problems = response.json()
    assert {"path": bad.field, "message": problems[0]["message"]} in problems
    assert bad.says in problems[0]["message"] or any(bad.says in each["message"] for each in problems)
    written = tmp_path / "bad.json"
    written.write_text(dump(document), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(written), "--rule-set", "national-2022", "--json"])
    assert result.exit_code == 2
    for each in problems:
        assert f"{each['path']}: {each['message']}" in result.output


def test_check_refuses_what_is_not_a_request(client: Client) -> None:
    assert client.post("/api/v1/check", "not json", content_type="application/json").status_code == 422
    refused = client.post("/api/v1/check", {"profile": {}}, content_type="application/json").json()
    assert {each["path"] for each in refused} == {"rule_set"}
    assert client.post("/api/v1/check", [], content_type="application/json").status_code == 422


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/clusters", {"page": "99999999999999999999"}),  # overflowed the database's OFFSET: a 500
        ("/api/v1/clusters", {"year": "99999"}),  # beyond the year column's integer
        ("/api/v1/clusters", {"q": "\x00"}),  # PostgreSQL refuses NUL in text
        ("/api/v1/calls", {"programme": "9999999999"}),
        ("/api/v1/notices/99999999999", {}),
    ],
)
def test_out_of_range_parameters_are_a_422_naming_them_not_a_server_error(
    client: Client, db: Any, path: str, query: dict[str, str]
) -> None:
    """Edges schemathesis' few examples per operation may not reach: the first three answer a server error
    without their bounds (checked by removing the page's); the ids are bounded to the database's integer."""
    answer = client.get(path, query)
    assert answer.status_code == 422
    problem = answer.json()[0]
    assert problem["path"] in {*query, "notice_id"}
    assert problem["message"]


def test_check_with_a_rule_set_document_needs_a_token_allowed_to(client: Client, web_users: Any) -> None:
    """interfaces.md: ``rule_set`` is an id or, with a token allowed to, a rule-set document (a province
    trying its revised rules): the verdict is the command line's with that file (``--rule-set FILE``)."""
    path = REPO / "src" / "smecluster" / "policy" / "rulesets" / "shaanxi-2023.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    body = json.dumps({"rule_set": document, "profile": "PROFILE"}, default=str, ensure_ascii=False)
    body = body.replace('"PROFILE"', (REPO / "examples" / "profile-example.json").read_text(encoding="utf-8"))
    assert client.post("/api/v1/check", body, content_type="application/json").status_code == 401
    narrow = bearer(web_users["province_admin"], ("applications:read",))
    assert client.post("/api/v1/check", body, content_type="application/json", **narrow).status_code == 403
    allowed = bearer(web_users["province_admin"], ("rule_sets:read",))
    answer = client.post("/api/v1/check", body, content_type="application/json", **allowed)
    assert answer.status_code == 200, answer.content
    assert answer.json() == _cli_json(REPO / "examples" / "profile-example.json", str(path))
    broken = body.replace('"id": "shaanxi-2023"', '"id": "Shaanxi 2023"')
    refused = client.post("/api/v1/check", broken, content_type="application/json", **allowed)
    assert refused.status_code == 422
    assert [problem["path"] for problem in refused.json()] == ["rule_set.id"]
