"""The policy examples (``policy/examples/<rule-set-id>.yaml``) hold, case by case.

Each file is a list of cases a policy officer can read: a name saying what is tested, a cluster profile,
an optional as-of date, and the expected outcome and statuses. The first case gives a full profile; each
later case gives either a full profile or ``changes`` to the first case's profile, as dotted paths
(``years[2].sme_output: 37.1``; ``null`` leaves a figure out). Dates are written as YAML dates and
read as the profile's ISO strings. The files are validated strictly: an unknown key, an unknown
criterion id, a path that does not exist or a duplicate YAML key fails, naming the file and the place.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError, model_validator

from smecluster.errors import Problem, UnusableInput
from smecluster.policy.evaluator import evaluate
from smecluster.policy.ruleset import CriterionKind, RuleSet, read_yaml, rule_set, rule_sets
from smecluster.policy.verdict import Outcome, Status, Verdict
from smecluster.profile import field_path, parse_profile

EXAMPLES = resources.files("smecluster.policy") / "examples"


# --- the format of an examples file ---------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expect(_Strict):
    outcome: Outcome
    criteria: dict[str, Status] = Field(
        default_factory=dict, description="only the criteria the case is about"
    )
    warnings: list[str] | None = Field(
        None, description="a text each warning contains, one per warning; [] means no warning"
    )


_KEY = r"[a-z_][a-z0-9_]*"
_PATH = re.compile(rf"{_KEY}(\[\d+\])*(\.{_KEY}(\[\d+\])*)*")


class Case(_Strict):
    name: str = Field(min_length=1)
    profile: dict[str, Any] | None = None
    changes: dict[str, Any] | None = Field(None, description="{} keeps the first case's profile as it is")
    as_of: date | None = None
    expect: Expect

    @model_validator(mode="after")
    def _profile_or_changes(self) -> Case:
        if (self.profile is None) == (self.changes is None):
            raise ValueError("give either a full profile or changes to the first case's profile")
        for path in self.changes or {}:
            if not _PATH.fullmatch(path):
                raise ValueError(f"{path!r} is not a path like years[2].sme_output")
        return self


class ExamplesFile(RootModel[list[Case]]):
    root: list[Case] = Field(min_length=6)

    @model_validator(mode="after")
    def _first_is_full_and_names_unique(self) -> ExamplesFile:
        if self.root[0].profile is None:
            raise ValueError("the first case gives a full profile: the others change it")
        names = [case.name for case in self.root]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"case names are used twice: {', '.join(twice)}")
        return self


def _steps(path: str) -> list[str | int]:
    return [int(index) if index else key for key, index in re.findall(rf"({_KEY})|\[(\d+)\]", path)]


def changed(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with each dotted path set to its value; a path through something absent is an error."""
    document = copy.deepcopy(base)
    for path, value in changes.items():
        *parents, last = _steps(path)
        target: Any = document
        try:
            for step in parents:
                target = target[step]
            if isinstance(last, int):
                _ = target[last]  # an index must exist: changes replace, they do not append
            elif not isinstance(target, dict):
                raise TypeError
        except (KeyError, IndexError, TypeError):
            raise ValueError(f"{path}: no such place in the first case's profile") from None
        target[last] = copy.deepcopy(value)
    return document


def as_json(value: Any) -> Any:
    """The profile as its JSON would be: a YAML date (2025-06-30) is the string "2025-06-30"."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value


@dataclass(frozen=True)
class Example:
    rule_set_id: str
    source: str
    number: int
    case: Case
    document: dict[str, Any]

    @property
    def title(self) -> str:
        return f"{self.source} 案例 {self.number}「{self.case.name}」"


def load_examples(text: str, *, source: str, rules: RuleSet) -> list[Example]:
    """Parse and validate an examples file; every problem names the file and its place."""
    try:
        cases = ExamplesFile.model_validate(read_yaml(text, source=source)).root
    except ValidationError as error:
        raise UnusableInput(
            source,
            [Problem(field_path(tuple(detail["loc"])), _message(detail)) for detail in error.errors()],
        ) from None
    known = {criterion.id for criterion in rules.criteria}
    problems = [
        Problem(f"[{index}].expect.criteria.{criterion_id}", f"{rules.id} has no criterion {criterion_id}")
        for index, case in enumerate(cases)
        for criterion_id in case.expect.criteria
        if criterion_id not in known
    ]
    base = cases[0].profile
    assert base is not None
    examples = []
    for index, case in enumerate(cases):
        try:
            document = case.profile if case.profile is not None else changed(base, case.changes or {})
        except ValueError as error:
            problems.append(Problem(f"[{index}].changes", str(error)))
            continue
        examples.append(Example(rules.id, source, index + 1, case, as_json(document)))
    if problems:
        raise UnusableInput(source, problems)
    return examples


def _message(detail: Any) -> str:
    if detail["type"] == "extra_forbidden":
        return "unknown key: an example case has name, profile or changes, as_of and expect"
    if detail["type"] == "value_error":
        return str(detail["ctx"]["error"])
    return str(detail["msg"])


# --- the packaged files ----------------------------------------------------------------------------


def packaged() -> dict[str, str]:
    """The examples files by rule-set id, read through importlib.resources as the package ships them."""
    files = sorted(
        (entry for entry in EXAMPLES.iterdir() if entry.name.endswith(".yaml")), key=lambda e: e.name
    )
    return {entry.name.removesuffix(".yaml"): entry.read_text(encoding="utf-8") for entry in files}


def _loaded() -> tuple[dict[str, list[Example]], dict[str, UnusableInput]]:
    loaded, errors = {}, {}
    for rule_set_id, text in packaged().items():
        try:
            loaded[rule_set_id] = load_examples(
                text, source=f"policy/examples/{rule_set_id}.yaml", rules=rule_set(rule_set_id)
            )
        except UnusableInput as error:
            errors[rule_set_id] = error
    return loaded, errors


LOADED, LOAD_ERRORS = _loaded()


def test_every_rule_set_has_an_examples_file_and_every_file_a_rule_set() -> None:
    """policy/examples/ holds one file per rule set, named by its id."""
    assert sorted(packaged()) == sorted(rule_sets())


@pytest.mark.parametrize("rule_set_id", sorted(rule_sets()))
def test_the_examples_file_is_valid(rule_set_id: str) -> None:
    """The file parses strictly: known keys, known criteria, paths that exist, at least six cases."""
    assert rule_set_id not in LOAD_ERRORS, str(LOAD_ERRORS[rule_set_id])
    assert rule_set_id in LOADED, f"no policy/examples/{rule_set_id}.yaml"
    assert len(LOADED[rule_set_id]) >= 6


@pytest.mark.parametrize(
    "example",
    [
        pytest.param(example, id=f"{rule_set_id}:{example.number:02d}")
        for rule_set_id, examples in LOADED.items()
        for example in examples
    ],
)
def test_an_example_case_holds(example: Example) -> None:
    """The case's profile is valid, and its outcome, listed statuses and warnings are as expected."""
    rules = rule_set(example.rule_set_id)
    try:
        profile = parse_profile(example.document, source=example.title)
    except UnusableInput as error:
        pytest.fail(f"{example.title}: the profile is not valid:\n{error}")
    verdict = evaluate(profile, rules, example.case.as_of)
    problems = _differences(verdict, example.case.expect)
    assert problems == [], f"{example.title}:\n" + "\n".join(problems)


def _differences(verdict: Verdict, expect: Expect) -> list[str]:
    problems = []
    if verdict.outcome is not expect.outcome:
        problems.append(f"结论应为 {expect.outcome.value}，实为 {verdict.outcome.value}")
    for criterion_id, status in expect.criteria.items():
        result = verdict.result(criterion_id)
        if result.status is not status:
            problems.append(
                f"{criterion_id} 应为 {status.value}，实为 {result.status.value}：{result.explanation}"
            )
    if expect.warnings is not None:
        unmatched = [
            text for text in expect.warnings if not any(text in warning for warning in verdict.warnings)
        ]
        if unmatched or len(expect.warnings) != len(verdict.warnings):
            problems.append(f"提示应含 {expect.warnings}，实为 {verdict.warnings}")
    return problems


@pytest.mark.parametrize("rule_set_id", sorted(rule_sets()))
def test_the_examples_cover_the_rule_set(rule_set_id: str) -> None:
    """A case that awaits only the experts, a failure of each computed criterion (review for 一般),
    the exclusion failing, and, where figures are computed, a case with incomplete data."""
    examples = LOADED.get(rule_set_id, [])
    rules = rule_set(rule_set_id)
    expectations = [example.case.expect for example in examples]
    clean = [
        example
        for example in examples
        if {result.status for result in evaluate(parse_profile(example.document, source=""), rules).results}
        <= {Status.PASS, Status.REVIEW}
    ]
    assert clean, "no case where every computed criterion passes and only the experts remain"
    assert any(expect.outcome is Outcome.NEEDS_REVIEW for expect in expectations)
    uncovered = []
    for criterion in rules.criteria:
        if criterion.kind in (CriterionKind.QUANTITATIVE, CriterionKind.EXCLUSION):
            failing = Status.REVIEW if criterion.qualifier == "一般" else Status.FAIL
            if not any(expect.criteria.get(criterion.id) is failing for expect in expectations):
                uncovered.append(criterion.id)
    assert uncovered == [], f"no case shows these criteria failing: {uncovered}"
    if any(criterion.kind is CriterionKind.QUANTITATIVE for criterion in rules.criteria):
        assert any(expect.outcome is Outcome.INCOMPLETE for expect in expectations)


# --- the loader itself ------------------------------------------------------------------------------

_CASE = """\
- name: 基准
  profile: {schema: 1}
  expect: {outcome: needs_review}
"""
_MINIMAL = _CASE + "".join(
    f"- name: 案例{number}\n  changes: {{schema: 1}}\n  expect: {{outcome: needs_review}}\n"
    for number in range(2, 7)
)


def refused(text: str) -> list[Problem]:
    with pytest.raises(UnusableInput) as caught:
        load_examples(text, source="examples.yaml", rules=rule_set("guangdong-2022"))
    assert caught.value.source == "examples.yaml"
    return caught.value.problems


def test_the_minimal_file_loads() -> None:
    """Six cases, the first with a profile and the others with changes: the shape the tests below edit."""
    assert len(load_examples(_MINIMAL, source="examples.yaml", rules=rule_set("guangdong-2022"))) == 6


def test_an_unknown_key_of_a_case_is_refused() -> None:
    """A misspelt key (chnages) is an error naming the case, not a silently ignored line."""
    problems = refused(_MINIMAL.replace("  changes: {schema: 1}", "  chnages: {schema: 1}", 1))
    assert Problem(
        "[1].chnages", "unknown key: an example case has name, profile or changes, as_of and expect"
    ) in (problems)


def test_an_unknown_key_of_an_expectation_is_refused() -> None:
    """A misspelt expectation (outcom) is an error naming its place."""
    problems = refused(
        _MINIMAL.replace("expect: {outcome: needs_review}", "expect: {outcom: needs_review}", 1)
    )
    assert [problem.field for problem in problems] == ["[0].expect.outcome", "[0].expect.outcom"]


def test_an_unknown_status_or_outcome_is_refused() -> None:
    """Statuses are pass, fail, missing, review; outcomes eligible, ineligible, incomplete, needs_review."""
    problems = refused(
        _MINIMAL.replace("{outcome: needs_review}", "{outcome: ok, criteria: {gd-area: good}}", 1)
    )
    assert [problem.field for problem in problems] == ["[0].expect.outcome", "[0].expect.criteria.gd-area"]


def test_an_unknown_criterion_is_refused() -> None:
    """An expectation about a criterion the rule set does not have names the id."""
    problems = refused(
        _MINIMAL.replace("{outcome: needs_review}", "{outcome: needs_review, criteria: {gd-aera: pass}}")
    )
    assert problems[0] == Problem("[0].expect.criteria.gd-aera", "guangdong-2022 has no criterion gd-aera")


def test_a_change_to_a_place_the_profile_does_not_have_is_refused() -> None:
    """years[5] of a profile with fewer years, or a key under a number, is an error naming the path."""
    problems = refused(_MINIMAL.replace("changes: {schema: 1}", "changes: {'years[5].output': 40}", 1))
    assert problems == [Problem("[1].changes", "years[5].output: no such place in the first case's profile")]
    problems = refused(_MINIMAL.replace("changes: {schema: 1}", "changes: {schema.output: 40}", 1))
    assert problems == [Problem("[1].changes", "schema.output: no such place in the first case's profile")]


def test_a_case_with_both_or_neither_profile_and_changes_is_refused() -> None:
    """A case either gives a full profile or changes the first one."""
    both = _MINIMAL.replace("  changes: {schema: 1}", "  changes: {schema: 1}\n  profile: {schema: 1}", 1)
    assert refused(both)[0].field == "[1]"
    neither = _MINIMAL.replace("  changes: {schema: 1}\n", "", 1)
    assert refused(neither)[0].field == "[1]"


def test_the_first_case_must_give_a_full_profile() -> None:
    """Changes need something to change: the first case carries the whole profile."""
    text = _MINIMAL.replace("  profile: {schema: 1}", "  changes: {schema: 1}", 1)
    assert "the first case gives a full profile" in refused(text)[0].message


def test_fewer_than_six_cases_or_a_name_used_twice_is_refused() -> None:
    """At least six cases, each named differently."""
    assert refused(_CASE)[0].message.startswith("List should have at least 6 items")
    assert "案例2" in refused(_MINIMAL.replace("案例3", "案例2"))[0].message


def test_a_duplicate_yaml_key_is_refused() -> None:
    """Two expectations for one case: the second would silently win, so the file is refused."""
    problems = refused(
        _MINIMAL.replace("  expect: {outcome: needs_review}\n", "  expect: {outcome: ineligible}\n" * 2, 1)
    )
    assert "duplicate key 'expect'" in problems[0].message
    assert problems[0].field == "line 4"


def test_changes_set_replace_and_add_but_never_append() -> None:
    """A path replaces a list entry or a key's value, or adds an absent key to an object; nothing else."""
    base = {"years": [{"year": 2024, "output": 1}], "quality_firms": {}}
    document = changed(
        base,
        {"years[0].output": 2, "quality_firms.champion": 1, "energy_efficiency_better_than_benchmark": None},
    )
    assert document == {
        "years": [{"year": 2024, "output": 2}],
        "quality_firms": {"champion": 1},
        "energy_efficiency_better_than_benchmark": None,
    }
    assert base == {"years": [{"year": 2024, "output": 1}], "quality_firms": {}}
    with pytest.raises(ValueError, match="no such place"):
        changed(base, {"years[1]": {"year": 2025, "output": 1}})
