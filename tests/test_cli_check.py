"""``smecluster check``, ``rule-sets``, ``rule-set-schema`` and ``profile-schema`` against the CLI
contract of design/cluster-profile.md: the JSON verdict's shape, exit 0 whenever the check ran, exit 2
with the file and the field for unusable input, and never a traceback.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from smecluster.cli import main
from smecluster.policy.ruleset import rule_sets
from smecluster.profile import profile_json_schema
from test_profile import (
    BAD_DOCUMENTS,
    BAD_FILES,
    EXAMPLE,
    Bad,
    BadFile,
    dump,
    example_document,
    negative_output_document,
)

RULE_SET_DIR = Path(__file__).resolve().parent.parent / "src" / "smecluster" / "policy" / "rulesets"
RULE_SET_IDS = {"national-2022", "guangdong-2022", "guizhou-2023", "shaanxi-2023"}

VERDICT_KEYS = {"rule_set", "outcome", "criteria", "warnings"}
CRITERION_KEYS = {
    "id", "article", "clause", "kind", "status", "value", "comparator", "threshold", "unit", "explanation",
}  # fmt: skip
STATUSES = {"pass", "fail", "missing", "review"}
OUTCOMES = {"eligible", "ineligible", "incomplete", "needs_review"}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def check(*args: str) -> Result:
    return run("check", str(EXAMPLE), *args)


def json_of(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_refused(result: Result, *named: str) -> None:
    """Exit 2, no traceback, and stderr naming each of ``named``."""
    assert result.exit_code == 2, result.output
    # A clean refusal is a SystemExit, not an exception that CliRunner caught.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for text in named:
        assert text in result.stderr, (text, result.stderr)


def expected_outcome(statuses: list[str]) -> str:
    """The design's rule: ineligible if any fails; else incomplete if any is missing; else needs_review
    if any awaits an expert; else eligible."""
    for status, outcome in (("fail", "ineligible"), ("missing", "incomplete"), ("review", "needs_review")):
        if status in statuses:
            return outcome
    return "eligible"


def assert_verdict_shape(verdict: dict[str, Any]) -> None:
    assert set(verdict) >= VERDICT_KEYS, set(verdict)
    assert verdict["outcome"] in OUTCOMES
    assert isinstance(verdict["warnings"], list)
    assert all(isinstance(warning, str) for warning in verdict["warnings"])
    assert verdict["criteria"]
    for criterion in verdict["criteria"]:
        assert set(criterion) >= CRITERION_KEYS, set(criterion)
        assert criterion["status"] in STATUSES
        assert criterion["kind"] in {"quantitative", "qualitative", "exclusion", "scope"}
        assert isinstance(criterion["explanation"], str)
        assert criterion["explanation"]
        for figure in ("value", "threshold"):
            numbers = criterion[figure] if isinstance(criterion[figure], list) else [criterion[figure]]
            assert all(n is None or isinstance(n, int | float) for n in numbers), criterion
    assert verdict["outcome"] == expected_outcome([criterion["status"] for criterion in verdict["criteria"]])


def write_profile(tmp_path: Path, document: Any, name: str = "profile.json") -> Path:
    path = tmp_path / name
    path.write_text(dump(document), encoding="utf-8")
    return path


def edited_rule_set(tmp_path: Path, old: str, new: str, name: str = "national-edited.yaml") -> Path:
    """A copy of the packaged national rule set with one line of text replaced."""
    text = (RULE_SET_DIR / "national-2022.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def criterion_index(criterion_id: str) -> int:
    document = yaml.safe_load((RULE_SET_DIR / "national-2022.yaml").read_text(encoding="utf-8"))
    return [criterion["id"] for criterion in document["criteria"]].index(criterion_id)


# --- the JSON verdict ----------------------------------------------------------------------------


def test_json_verdict_has_the_shape_of_the_contract() -> None:
    """`check --rule-set national-2022 --json` prints one object: rule_set, outcome, criteria, warnings,
    each criterion with id, article, clause, kind, status, value, comparator, threshold, unit, explanation."""
    verdict = json_of(check("--rule-set", "national-2022", "--json"))
    assert isinstance(verdict, dict)
    assert verdict["rule_set"] == "national-2022"
    assert_verdict_shape(verdict)


def test_the_example_meets_the_national_quantitative_criteria() -> None:
    """As the design says: every computed national criterion passes, experts judge the rest."""
    verdict = json_of(check("--rule-set", "national-2022", "--json"))
    computed = {c["id"]: c["status"] for c in verdict["criteria"] if c["kind"] != "qualitative"}
    judged = {c["status"] for c in verdict["criteria"] if c["kind"] == "qualitative"}
    assert set(computed.values()) == {"pass"}, computed
    assert judged == {"review"}
    assert verdict["outcome"] == "needs_review"
    output = next(c for c in verdict["criteria"] if c["id"] == "nat-output")
    assert (output["comparator"], output["threshold"], output["unit"]) == (">=", 40, "亿元")
    assert output["value"] == 42


def test_all_json_is_a_list_of_every_rule_set_national_first() -> None:
    """`--all --json` prints a list of one verdict per rule set, in rule_sets() order, national first."""
    verdicts = json_of(check("--all", "--json"))
    assert isinstance(verdicts, list)
    ids = [verdict["rule_set"] for verdict in verdicts]
    assert ids == list(rule_sets())
    assert set(ids) == RULE_SET_IDS
    assert ids[0] == "national-2022"
    for verdict in verdicts:
        assert_verdict_shape(verdict)


def test_an_ineligible_profile_still_exits_0(tmp_path: Path) -> None:
    """The check ran, so the exit status is 0 although the outcome is ineligible (output below 40 亿元)."""
    document = example_document()
    for entry, output in zip(document["years"], (30, 31, 32), strict=True):
        entry.update(output=output, sme_output=25, leading_output=26)
    path = write_profile(tmp_path, document)
    verdict = json_of(run("check", str(path), "--rule-set", "national-2022", "--json"))
    assert verdict["outcome"] == "ineligible"
    assert next(c for c in verdict["criteria"] if c["id"] == "nat-output")["status"] == "fail"
    table = run("check", str(path), "--rule-set", "national-2022")
    assert table.exit_code == 0, table.output
    assert "结论：不符合认定条件" in table.stdout
    assert "✗" in table.stdout


def test_missing_figures_make_the_outcome_incomplete_and_exit_0(tmp_path: Path) -> None:
    """A profile without sme_output is incomplete data, not invalid: status missing, exit 0."""
    document = example_document()
    for entry in document["years"]:
        del entry["sme_output"]
    verdict = json_of(
        run("check", str(write_profile(tmp_path, document)), "--rule-set", "national-2022", "--json")
    )
    assert next(c for c in verdict["criteria"] if c["id"] == "nat-sme-share")["status"] == "missing"
    assert verdict["outcome"] == "incomplete"


# --- the table -----------------------------------------------------------------------------------


def test_the_default_output_is_a_readable_chinese_table() -> None:
    """Without --json, check prints a table with 条款 and ✓ marks, the legend and the 结论."""
    result = check("--rule-set", "national-2022")
    assert result.exit_code == 0, result.output
    for text in ("佛山市顺德区示例智能家电产业集群", "条款", "✓", "结论：", "national-2022", "计算过程"):
        assert text in result.stdout, text
    assert "{" not in result.stdout


def test_explain_shows_the_working_of_qualitative_criteria_too() -> None:
    """--explain adds the working of every criterion; without it the qualitative ones are left out."""
    plain = check("--rule-set", "national-2022")
    explained = check("--rule-set", "national-2022", "--explain")
    assert explained.exit_code == 0, explained.output
    assert "nat-brand" not in plain.stdout
    for criterion in rule_sets()["national-2022"].criteria:
        assert criterion.id in explained.stdout, criterion.id


def test_all_shows_every_rule_set_side_by_side() -> None:
    """`check --all` (what `make demo` runs) exits 0 and names all four rule sets and their 结论."""
    result = check("--all")
    assert result.exit_code == 0, result.output
    for rule_set_id in RULE_SET_IDS:
        assert rule_set_id in result.stdout, rule_set_id
    assert "结论" in result.stdout


# --- validity windows ----------------------------------------------------------------------------


def test_an_expired_rule_set_warns_and_still_evaluates() -> None:
    """Shaanxi's measure lapsed on 2025-04-27; checked as of the application date 2025-06-30 the
    verdict warns of it and every criterion is still evaluated."""
    verdict = json_of(check("--rule-set", "shaanxi-2023", "--json"))
    assert verdict["rule_set"] == "shaanxi-2023"
    assert any("2025-04-27" in warning for warning in verdict["warnings"]), verdict["warnings"]
    statuses = {c["id"]: c["status"] for c in verdict["criteria"]}
    assert statuses["sx-output"] == "pass"
    assert len(statuses) == len(rule_sets()["shaanxi-2023"].criteria)
    table = check("--rule-set", "shaanxi-2023")
    assert re.search(r"注意：.*2025-04-27", table.stdout), table.stdout


def test_the_expiry_warning_also_shows_beside_the_other_rule_sets() -> None:
    """With --all the Shaanxi warning is printed under its id."""
    result = check("--all")
    assert re.search(r"注意（shaanxi-2023）：.*2025-04-27", result.stdout), result.stdout


def test_as_of_a_date_inside_the_window_removes_the_expiry_warning() -> None:
    """--as-of 2024-01-01 falls within Shaanxi's validity: no warning of its end."""
    verdict = json_of(check("--rule-set", "shaanxi-2023", "--json", "--as-of", "2024-01-01"))
    assert not any("2025-04-27" in warning for warning in verdict["warnings"]), verdict["warnings"]
    assert_verdict_shape(verdict)


# --- usage errors --------------------------------------------------------------------------------


def test_an_unknown_rule_set_exits_2_naming_the_known_ones() -> None:
    """--rule-set foo is refused with the four ids that exist."""
    assert_refused(check("--rule-set", "foo"), "foo", *RULE_SET_IDS)


@pytest.mark.parametrize("args", [[], ["--rule-set", "national-2022", "--all"]], ids=["neither", "both"])
def test_rule_set_and_all_are_exclusive_and_one_is_required(args: list[str]) -> None:
    """Neither --rule-set nor --all, or both, is a usage error (exit 2) naming the two options."""
    assert_refused(check(*args), "--rule-set", "--all")


def test_an_impossible_as_of_date_exits_2_naming_the_option() -> None:
    """--as-of 2025-13-01 is not a date: exit 2 naming --as-of."""
    assert_refused(check("--rule-set", "national-2022", "--as-of", "2025-13-01"), "--as-of", "2025-13-01")


# --- rule-set files ------------------------------------------------------------------------------


def test_a_rule_set_file_is_used_when_given_as_a_path(tmp_path: Path) -> None:
    """--rule-set path.yaml checks against that file: raising national output to 50 亿元 fails 2022 (42.0)."""
    path = edited_rule_set(tmp_path, "    threshold: 40\n", "    threshold: 50\n")
    result = check("--rule-set", str(path), "--json")
    verdict = json_of(result)
    output = next(c for c in verdict["criteria"] if c["id"] == "nat-output")
    assert (output["threshold"], output["status"]) == (50, "fail")
    assert verdict["outcome"] == "ineligible"


def test_a_broken_rule_set_file_exits_2_naming_the_file_and_field(tmp_path: Path) -> None:
    """A threshold in words is refused naming the file and `criteria[i].threshold`."""
    path = edited_rule_set(tmp_path, "    threshold: 40\n", "    threshold: forty\n")
    index = criterion_index("nat-output")
    assert_refused(check("--rule-set", str(path)), f"{path}: criteria[{index}].threshold")


def test_an_unknown_key_in_a_rule_set_file_exits_2_naming_it(tmp_path: Path) -> None:
    """A misspelt key in a rule-set file (tresholds) is refused naming where it is."""
    path = edited_rule_set(tmp_path, "    threshold: 40\n", "    threshold: 40\n    tresholds: 50\n")
    index = criterion_index("nat-output")
    assert_refused(check("--rule-set", str(path)), f"{path}: criteria[{index}].tresholds")


def test_a_missing_rule_set_file_exits_2_naming_it(tmp_path: Path) -> None:
    """--rule-set absent.yaml names the file that is not there."""
    path = tmp_path / "absent.yaml"
    assert_refused(check("--rule-set", str(path)), str(path))


def test_a_rule_set_file_that_is_not_utf8_exits_2_naming_it(tmp_path: Path) -> None:
    """A rule-set file saved in GBK is unusable input (exit 2 naming the file), not a crash."""
    text = (RULE_SET_DIR / "national-2022.yaml").read_text(encoding="utf-8")
    path = tmp_path / "national-gbk.yaml"
    path.write_bytes(text.encode("gb18030"))
    assert_refused(check("--rule-set", str(path)), str(path))


# --- listings and schemas ------------------------------------------------------------------------


def test_rule_sets_json_lists_the_four_with_their_documents() -> None:
    """`rule-sets --json` lists each rule set with its document, issuer, date and validity."""
    listed = json_of(run("rule-sets", "--json"))
    assert [entry["id"] for entry in listed] == list(rule_sets())
    assert {entry["id"] for entry in listed} == RULE_SET_IDS
    for entry in listed:
        assert {
            "title",
            "document",
            "number",
            "issuer",
            "issued",
            "status",
            "valid_from",
            "valid_until",
        } <= set(entry)
        assert entry["document"]
        assert entry["issuer"]
        assert entry["criteria"] == len(rule_sets()[entry["id"]].criteria)
    shaanxi = next(entry for entry in listed if entry["id"] == "shaanxi-2023")
    assert (shaanxi["valid_from"], shaanxi["valid_until"]) == ("2023-04-28", "2025-04-27")
    national = next(entry for entry in listed if entry["id"] == "national-2022")
    assert national["number"] == "工信部企业〔2022〕119号"


def test_rule_sets_table_names_every_rule_set() -> None:
    """`rule-sets` without --json prints a table naming each id."""
    result = run("rule-sets")
    assert result.exit_code == 0, result.output
    for rule_set_id in RULE_SET_IDS:
        assert rule_set_id in result.stdout


def test_rule_set_schema_prints_a_json_schema() -> None:
    """`rule-set-schema` prints one JSON object describing rule-set files (criteria among its fields)."""
    schema = json_of(run("rule-set-schema"))
    assert schema["type"] == "object"
    assert "criteria" in schema["properties"]
    assert "criteria" in schema["required"]


def test_profile_schema_prints_the_published_schema() -> None:
    """`profile-schema` prints the profile's draft 2020-12 JSON Schema as valid JSON."""
    schema = json_of(run("profile-schema"))
    assert schema == profile_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


# --- unusable profiles ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_DOCUMENTS, ids=lambda bad: bad.id)
def test_every_impossible_profile_exits_2_naming_file_and_field(bad: Bad, tmp_path: Path) -> None:
    """Each impossible document of test_profile.py exits 2 with `error: FILE: FIELD: …`, no traceback."""
    path = write_profile(tmp_path, bad.document())
    result = run("check", str(path), "--rule-set", "national-2022", "--json")
    assert_refused(result, f"error: {path}: {bad.field}: ", bad.says)
    assert result.stdout == ""


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.id)
def test_every_unreadable_profile_file_exits_2_naming_it(bad: BadFile, tmp_path: Path) -> None:
    """A missing, non-UTF-8, non-JSON or unparsable file exits 2 naming the file, no traceback."""
    path = tmp_path / "profile.json"
    if bad.content is not None:
        path.write_bytes(bad.content)
    assert_refused(run("check", str(path), "--all"), f"error: {path}: ", bad.says)


def test_a_bad_profile_is_refused_before_any_rule_set_is_looked_up(tmp_path: Path) -> None:
    """With both an unknown rule set and a bad profile, the profile's fault is reported (exit 2)."""
    path = write_profile(tmp_path, example_document() | {"area_km2": -1})
    assert_refused(run("check", str(path), "--rule-set", "foo"), f"{path}: area_km2: 须不小于 0")


# --- in a real process ---------------------------------------------------------------------------

COMMAND = str(Path(sys.executable).parent / "smecluster")


def smecluster(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([COMMAND, *args], capture_output=True, text=True, check=False, timeout=60)


def test_the_installed_command_prints_a_json_verdict() -> None:
    """The `smecluster` script prints the national verdict as JSON and exits 0."""
    completed = smecluster("check", str(EXAMPLE), "--rule-set", "national-2022", "--json")
    assert completed.returncode == 0, completed.stderr
    verdict = json.loads(completed.stdout)
    assert verdict["rule_set"] == "national-2022"
    assert_verdict_shape(verdict)


def test_the_installed_command_refuses_a_negative_amount_without_a_traceback(tmp_path: Path) -> None:
    """In a real process a negative output exits 2 with `FILE: years[1].output: 须不小于 0` on stderr."""
    path = write_profile(tmp_path, negative_output_document())
    completed = smecluster("check", str(path), "--all", "--json")
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert f"{path}: years[1].output: 须不小于 0" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_make_demo_runs_in_a_real_process() -> None:
    """What `make demo` runs (`check examples/profile-example.json --all`) exits 0 naming all four."""
    completed = smecluster("check", str(EXAMPLE), "--all")
    assert completed.returncode == 0, completed.stderr
    for rule_set_id in RULE_SET_IDS:
        assert rule_set_id in completed.stdout
    assert "Traceback" not in completed.stderr
