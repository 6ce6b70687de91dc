"""The cluster profile (design/cluster-profile.md): impossible data is refused naming the field, valid
edge data is accepted, amounts stay exact, and the published JSON Schema says what the model checks.

The bad-input table ``BAD_DOCUMENTS`` and ``BAD_FILES`` is shared with ``test_cli_check.py``, which runs
every case through the command line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smecluster.errors import Problem, UnusableInput
from smecluster.profile import (
    GRADED_KINDS,
    INCIDENT_LEVELS,
    ClusterProfile,
    IncidentKind,
    load_profile,
    parse_profile,
    profile_json_schema,
)

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "profile-example.json"
EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")


def example_document() -> dict[str, Any]:
    """The example profile as ``load_profile`` parses it (JSON decimals read as Decimal), a fresh copy."""
    document: dict[str, Any] = json.loads(EXAMPLE_TEXT, parse_float=Decimal)
    return document


def dump(document: Any) -> str:
    """A document as JSON text; Decimal amounts are written as JSON numbers."""
    return json.dumps(document, ensure_ascii=False, default=lambda value: float(value))


def negative_output_document() -> dict[str, Any]:
    """The example with the output of its second year negative, the design's own example of a fault."""
    document = example_document()
    document["years"][1]["output"] = -1
    return document


def problems_of(document: Any) -> list[Problem]:
    """The problems a document is refused with (it must be refused)."""
    with pytest.raises(UnusableInput) as caught:
        parse_profile(document, source="profile.json")
    assert caught.value.source == "profile.json"
    return caught.value.problems


# --- the table of impossible data ----------------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation that sets the value at ``years.1.output``-style path (list indexes as numbers)."""
    keys: list[str | int] = [int(key) if key.isdigit() else key for key in path.split(".")]

    def mutate(document: dict[str, Any]) -> None:
        target: Any = document
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return mutate


def _years(*numbers: int) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        for entry, number in zip(document["years"], numbers, strict=True):
            entry["year"] = number

    return mutate


def _typo(document: dict[str, Any]) -> None:
    document["years"][0]["sme_ouput"] = document["years"][0].pop("sme_output")


@dataclass(frozen=True)
class Bad:
    """A document made impossible in one place: where the refusal must point and what it must say."""

    id: str
    mutate: Callable[[dict[str, Any]], None]
    field: str
    says: str

    def document(self) -> dict[str, Any]:
        document = example_document()
        self.mutate(document)
        return document


def _incident(**fields: str) -> Callable[[dict[str, Any]], None]:
    return _set("incidents", [{"date": "2024-03-01", **fields}])


BAD_DOCUMENTS = [
    # negative amounts and counts
    Bad("negative output", _set("years.1.output", Decimal(-1)), "years[1].output", "须不小于 0"),
    Bad(
        "negative sme_output", _set("years.0.sme_output", Decimal("-0.5")), "years[0].sme_output", "不小于 0"
    ),
    Bad("negative leading_output", _set("years.2.leading_output", -3), "years[2].leading_output", "不小于 0"),
    Bad("negative area_km2", _set("area_km2", Decimal("-0.01")), "area_km2", "须不小于 0"),
    Bad("negative sme_rnd", _set("years.0.sme_rnd", Decimal("-1.5")), "years[0].sme_rnd", "须不小于 0"),
    Bad("negative co2", _set("years.2.co2_intensity", Decimal("-0.1")), "years[2].co2_intensity", "不小于 0"),
    Bad("negative patents", _set("years.1.invention_patents", -1), "years[1].invention_patents", "不小于 0"),
    Bad("negative employees", _set("years.1.employees", -30000), "years[1].employees", "须不小于 0"),
    Bad("negative firms", _set("quality_firms.little_giant", -2), "quality_firms.little_giant", "不小于 0"),
    # a part larger than its whole
    Bad(
        "sme_output above output",
        _set("years.2.sme_output", Decimal("53.01")),
        "years[2].sme_output",
        "超过了集群总产值 53.0 亿元",
    ),
    Bad(
        "leading above output",
        _set("years.0.leading_output", 43),
        "years[0].leading_output",
        "超过了集群总产值",
    ),
    # years
    Bad("year duplicated", _years(2022, 2022, 2024), "years[1].year", "2022 年重复出现"),
    Bad("years out of order", _years(2023, 2022, 2024), "years[1].year", "自早至晚"),
    Bad("years not consecutive", _years(2021, 2023, 2024), "years[1].year", "年度须连续"),
    Bad("year not complete", _set("application_date", "2024-12-31"), "years[2].year", "尚未结束"),
    Bad("year is the application year", _years(2023, 2024, 2025), "years[2].year", "尚未结束"),
    # counties
    Bad("county of five digits", _set("counties", ["44060"]), "counties[0]", "6 位数字"),
    Bad("county of letters", _set("counties", ["abcdef"]), "counties[0]", "6 位数字"),
    Bad("county in full-width digits", _set("counties", ["４４０６０６"]), "counties[0]", "全角"),
    Bad("unknown county", _set("counties", ["449999"]), "counties[0]", "449999"),
    Bad("prefecture code", _set("counties", ["440600"]), "counties[0]", "地级"),
    Bad("county as a number", _set("counties", [440606]), "counties[0]", "须为文本"),
    Bad("second county malformed", _set("counties", ["440606", "4406O5"]), "counties[1]", "6 位数字"),
    Bad("declaring county elsewhere", _set("province", "陕西省"), "counties[0]", "不属于陕西省"),
    Bad("duplicate counties", _set("counties", ["440606", "440606"]), "counties[1]", "440606 重复列出"),
    # incidents
    Bad("unknown incident kind", _incident(kind="fire", level="一般"), "incidents[0].kind", "须为以下之一"),
    Bad("unknown level", _incident(kind="safety_accident", level="huge"), "incidents[0].level", "较大"),
    Bad("graded kind without level", _incident(kind="safety_accident"), "incidents[0].level", "须填写等级"),
    Bad("incident date", _incident(kind="violation", date="2024-02-30"), "incidents[0].date", "YYYY-MM-DD"),
    # percentages
    Bad(
        "penetration above 100",
        _set("years.2.iip_penetration", Decimal("100.5")),
        "years[2].iip_penetration",
        "不大于 100",
    ),
    Bad(
        "non-fossil share below 0",
        _set("years.1.non_fossil_share", -1),
        "years[1].non_fossil_share",
        "不小于 0",
    ),
    # format
    Bad("misspelt key", _typo, "years[0].sme_ouput", "不是集群画像"),
    Bad("schema version 2", _set("schema", 2), "schema", "须为 1"),
    Bad("output in words", _set("years.0.output", "forty"), "years[0].output", "须为数字"),
    Bad(
        "output missing",
        lambda document: document["years"][0].pop("output"),
        "years[0].output",
        "尚未填写",
    ),
    Bad("fractional count", _set("years.0.employees", Decimal("1.5")), "years[0].employees", "须为整数"),
    Bad("flag as a word", _set("energy_intensive", "perhaps"), "energy_intensive", "须选择是或否"),
    Bad("no counties", _set("counties", []), "counties", "尚未填写"),
]


@dataclass(frozen=True)
class BadFile:
    """A file that cannot be read as a profile at all: the refusal names the file, not a field."""

    id: str
    content: bytes | None  # None: the file does not exist
    says: str  # what the message says, when the wording is settled


BAD_FILES = [
    BadFile("not JSON", b'{"schema": 1, "name": ', "不是 JSON"),
    BadFile("empty file", b"", "不是 JSON"),
    BadFile("not UTF-8 (GBK)", '{"schema": 1, "name": "顺德家电"}'.encode("gbk"), "不是 UTF-8"),
    BadFile("missing file", None, "没有这个文件"),
    # Valid JSON, but nested deeper than Python's parser recurses: unusable input all the same.
    BadFile("nested too deeply", b"[" * 100_000 + b"]" * 100_000, ""),
]


# --- model level ---------------------------------------------------------------------------------


def test_the_example_profile_loads() -> None:
    """examples/profile-example.json is a valid profile of three complete years."""
    profile = load_profile(EXAMPLE)
    assert profile.counties == ["440606"]
    assert [entry.year for entry in profile.years] == [2022, 2023, 2024]
    assert profile.application_date == date(2025, 6, 30)


@pytest.mark.parametrize("bad", BAD_DOCUMENTS, ids=lambda bad: bad.id)
def test_impossible_data_is_refused_naming_the_field(bad: Bad) -> None:
    """Each impossible document is refused with one problem at the exact field, saying what is wrong."""
    problems = problems_of(bad.document())
    assert [problem.field for problem in problems] == [bad.field]
    assert bad.says in problems[0].message
    assert str(problems[0]).startswith(f"{bad.field}: ")


def test_the_message_reads_as_the_design_shows() -> None:
    """A negative output reads `profile.json: years[1].output: 须不小于 0`, as in the design."""
    with pytest.raises(UnusableInput) as caught:
        parse_profile(negative_output_document(), source="profile.json")
    assert str(caught.value) == "profile.json: years[1].output: 须不小于 0"


def test_every_problem_is_reported_at_once() -> None:
    """Several faults are all listed, so a person fixes them in one go rather than one per run."""
    document = example_document()
    document["area_km2"] = -1
    document["years"][0]["output"] = "forty"
    document["years"][2]["iip_penetration"] = 101
    document["incidents"] = [{"date": "2024-01-01", "kind": "fire"}]
    fields = {problem.field for problem in problems_of(document)}
    assert fields == {"area_km2", "years[0].output", "years[2].iip_penetration", "incidents[0].kind"}


@pytest.mark.parametrize("kind", sorted(GRADED_KINDS))
def test_every_graded_kind_requires_a_level(kind: IncidentKind) -> None:
    """An accident or security event without a level cannot be weighed against 较大及以上: refused."""
    document = example_document()
    document["incidents"] = [{"date": "2024-03-01", "kind": kind.value}]
    assert [problem.field for problem in problems_of(document)] == ["incidents[0].level"]


@pytest.mark.parametrize("kind", sorted(set(IncidentKind) - GRADED_KINDS))
def test_conduct_kinds_may_omit_the_level(kind: IncidentKind) -> None:
    """tax_evasion, violation, serious_dishonesty and other_major count whatever their grade."""
    document = example_document()
    document["incidents"] = [{"date": "2024-03-01", "kind": kind.value, "note": "稽查"}]
    profile = parse_profile(document, source="profile.json")
    assert profile.incidents[0].level is None


def test_a_document_that_is_not_an_object_is_not_blamed_on_a_field() -> None:
    """A JSON list where the profile object belongs is refused as a whole, not as `schema: …`."""
    problems = problems_of([example_document()])
    assert len(problems) == 1
    assert problems[0].field != "schema"
    assert "须为对象" in problems[0].message


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.id)
def test_an_unreadable_file_is_refused_naming_it(bad: BadFile, tmp_path: Path) -> None:
    """A file that is missing, not UTF-8 or not JSON raises UnusableInput naming the file."""
    path = tmp_path / "profile.json"
    if bad.content is not None:
        path.write_bytes(bad.content)
    with pytest.raises(UnusableInput) as caught:
        load_profile(path)
    assert caught.value.source == str(path)
    assert [problem.field for problem in caught.value.problems] == [""]
    assert bad.says in str(caught.value)
    assert str(caught.value).startswith(f"{path}: ")


def test_a_bad_document_in_a_file_names_the_file_and_the_field(tmp_path: Path) -> None:
    """load_profile names the file it read and the field at fault."""
    path = tmp_path / "顺德.json"
    path.write_text(dump(negative_output_document()), encoding="utf-8")
    with pytest.raises(UnusableInput) as caught:
        load_profile(path)
    assert str(caught.value) == f"{path}: years[1].output: 须不小于 0"


# --- valid edge data -----------------------------------------------------------------------------


def test_values_at_their_bounds_are_accepted() -> None:
    """Zero amounts, percentages of exactly 0 and 100, and parts equal to the whole are valid data."""
    document = example_document()
    document["area_km2"] = 0
    document["quality_firms"] = dict.fromkeys(document["quality_firms"], 0)
    document["years"][0].update(
        output=0, sme_output=0, leading_output=0, sme_rnd=0, invention_patents=0, employees=0,
        iip_penetration=0, co2_intensity=0, non_fossil_share=0,
    )  # fmt: skip
    document["years"][2].update(
        sme_output=Decimal("53.0"), leading_output=Decimal("53.0"), iip_penetration=100, non_fossil_share=100
    )
    profile = parse_profile(document, source="profile.json")
    first, last = profile.years[0], profile.years[2]
    assert profile.area_km2 == 0
    assert first.output == first.sme_output == first.leading_output == 0
    assert first.iip_penetration == 0
    assert last.sme_output == last.leading_output == last.output
    assert last.iip_penetration == last.non_fossil_share == 100


def test_only_year_and_output_are_required_in_a_year() -> None:
    """A year with nothing but its output is incomplete data, not invalid data."""
    document = example_document()
    document["years"] = [{"year": 2024, "output": 53}]
    profile = parse_profile(document, source="profile.json")
    assert profile.years[0].sme_output is None
    assert profile.years[0].non_fossil_share is None


def test_a_cross_county_cluster_in_the_province_is_accepted() -> None:
    """Several distinct counties, the first in the named province, make a valid cross-county profile."""
    document = example_document()
    document["counties"] = ["440606", "440605"]
    assert parse_profile(document, source="profile.json").counties == ["440606", "440605"]


def test_a_prefecture_city_without_counties_may_declare() -> None:
    """东莞 441900 has no counties, so it names itself (design of divisions.can_declare)."""
    document = example_document()
    document["counties"] = ["441900"]
    assert parse_profile(document, source="profile.json").counties == ["441900"]


def test_a_year_ending_the_day_before_the_application_year_is_complete() -> None:
    """Applying on 1 January 2025, the year 2024 is complete."""
    document = example_document()
    document["application_date"] = "2025-01-01"
    assert parse_profile(document, source="profile.json").years[-1].year == 2024


def test_decimals_stay_exact(tmp_path: Path) -> None:
    """48.4 in the file is Decimal('48.4'), not the float 48.399999…; 0.1 + 0.2 parts sum to 0.3 exactly."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('"output": 53.0, "sme_output": 40.0', '"output": 48.4, "sme_output": 48.4')
    text = text.replace('"sme_rnd": 1.32', '"sme_rnd": 0.1')
    path = tmp_path / "profile.json"
    path.write_text(text, encoding="utf-8")
    latest = load_profile(path).years[-1]
    assert latest.output == Decimal("48.4")
    assert str(latest.output) == "48.4"
    assert isinstance(latest.output, Decimal)
    assert latest.sme_output == latest.output
    assert latest.sme_rnd is not None
    assert latest.sme_rnd + Decimal("0.2") == Decimal("0.3")


def test_a_profile_is_immutable() -> None:
    """The evaluator cannot alter the facts it is given."""
    profile = load_profile(EXAMPLE)
    with pytest.raises(ValueError, match="frozen"):
        profile.years[0].output = Decimal(1)  # type: ignore[misc]


# --- the published JSON Schema -------------------------------------------------------------------


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (``#/$defs/Year``) and unwrap ``anyOf [X, null]`` to X."""
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
    if "anyOf" in node:
        (node,) = [option for option in node["anyOf"] if option.get("type") != "null"]
        return _resolve(schema, node)
    return node


def test_the_schema_is_draft_2020_12_and_round_trips_as_json() -> None:
    """profile_json_schema() is a JSON document declaring draft 2020-12 and version 1 of the format."""
    schema = profile_json_schema()
    assert json.loads(json.dumps(schema, ensure_ascii=False)) == schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["properties"]["schema"]["const"] == 1


def test_the_schema_requires_what_the_model_requires() -> None:
    """The required fields are those of the design; year and output are required in a year."""
    schema = profile_json_schema()
    assert set(schema["required"]) == {
        "schema", "name", "province", "counties", "leading_industry", "area_km2", "application_date",
        "energy_intensive", "water_intensive", "years", "quality_firms", "incidents",
    }  # fmt: skip
    year = _resolve(schema, schema["properties"]["years"]["items"])
    assert set(year["required"]) == {"year", "output"}
    incident = _resolve(schema, schema["properties"]["incidents"]["items"])
    assert set(incident["required"]) == {"date", "kind"}


def test_the_schema_lists_the_fields_of_the_design() -> None:
    """Every field of design/cluster-profile.md is a property, under its public name (`schema`, not
    `schema_`)."""
    schema = profile_json_schema()
    assert set(schema["properties"]) == {
        "schema", "name", "province", "counties", "leading_industry", "leading_industry_code", "area_km2",
        "application_date", "energy_intensive", "water_intensive", "energy_efficiency_better_than_benchmark",
        "water_efficiency_better_than_benchmark", "last_complete_year", "years", "quality_firms", "incidents",
        "places", "development_zone",
    }  # fmt: skip
    year = _resolve(schema, schema["properties"]["years"]["items"])
    assert set(year["properties"]) == {
        "year", "output", "sme_output", "leading_output", "sme_rnd", "invention_patents", "employees",
        "iip_penetration", "co2_intensity", "non_fossil_share",
    }  # fmt: skip
    firms = _resolve(schema, schema["properties"]["quality_firms"])
    assert set(firms["properties"]) == {
        "champion", "little_giant", "specialized", "innovative", "high_tech", "holding_any",
    }  # fmt: skip


def test_the_schema_states_the_bounds_the_model_checks() -> None:
    """Amounts are numbers ≥ 0, percentages lie in 0–100, counts are integers ≥ 0, dates are dates."""
    schema = profile_json_schema()
    year = _resolve(schema, schema["properties"]["years"]["items"])
    output = year["properties"]["output"]
    assert output["type"] == "number"
    assert output["minimum"] == 0
    for name in ("sme_output", "leading_output", "sme_rnd", "co2_intensity"):
        assert _resolve(schema, year["properties"][name]) == {"type": "number", "minimum": 0}, name
    for name in ("iip_penetration", "non_fossil_share"):
        bounds = _resolve(schema, year["properties"][name])
        assert (bounds["type"], bounds["minimum"], bounds["maximum"]) == ("number", 0, 100), name
    for name in ("invention_patents", "employees"):
        assert _resolve(schema, year["properties"][name]) == {"type": "integer", "minimum": 0}, name
    assert schema["properties"]["area_km2"]["minimum"] == 0
    assert schema["properties"]["application_date"]["format"] == "date"
    county = _resolve(schema, schema["properties"]["counties"]["items"])
    assert county["pattern"] == "^[0-9]{6}$"


def test_the_schema_enumerates_incident_kinds_and_levels() -> None:
    """The kinds and levels of the design are the schema's enums, in the design's order."""
    schema = profile_json_schema()
    incident = _resolve(schema, schema["properties"]["incidents"]["items"])
    kind = _resolve(schema, incident["properties"]["kind"])
    assert kind["enum"] == [
        "safety_accident", "quality_accident", "environment_accident", "cyber_security_event",
        "data_security_event", "tax_evasion", "violation", "serious_dishonesty", "other_major",
    ]  # fmt: skip
    assert _resolve(schema, incident["properties"]["level"])["enum"] == ["一般", "较大", "重大", "特别重大"]
    assert list(INCIDENT_LEVELS) == ["一般", "较大", "重大", "特别重大"]


def test_the_schema_refuses_unknown_keys_at_every_level() -> None:
    """additionalProperties is false for the profile, a year, quality_firms and an incident."""
    schema = profile_json_schema()
    assert schema["additionalProperties"] is False
    for name in ("Year", "QualityFirms", "Incident"):
        assert schema["$defs"][name]["additionalProperties"] is False, name


def test_the_example_satisfies_the_schema() -> None:
    """The example validates against the published schema.

    The venv has no `jsonschema` package today, so this checks keys against properties and required
    fields; where `jsonschema` is importable it also validates the example with a 2020-12 validator.
    """
    schema = profile_json_schema()
    document = json.loads(EXAMPLE_TEXT)
    try:
        import jsonschema  # type: ignore[import-untyped]
    except ImportError:
        pass
    else:
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.Draft202012Validator(schema).validate(document)
    assert set(schema["required"]) <= set(document) <= set(schema["properties"])
    year = schema["$defs"]["Year"]
    for entry in document["years"]:
        assert set(year["required"]) <= set(entry) <= set(year["properties"])
    assert set(document["quality_firms"]) <= set(schema["$defs"]["QualityFirms"]["properties"])


# --- properties ----------------------------------------------------------------------------------

AMOUNT_FIELDS = ("output", "sme_output", "leading_output", "sme_rnd", "co2_intensity")
PERCENT_FIELDS = ("iip_penetration", "non_fossil_share")
COUNT_FIELDS = ("invention_patents", "employees")
FIRM_TITLES = ("champion", "little_giant", "specialized", "innovative", "high_tech")

amounts = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
counts = st.integers(min_value=0, max_value=10_000_000)


@st.composite
def year_entries(draw: st.DrawFn, year: int) -> dict[str, Any]:
    """One year of valid figures: parts never above the whole; optional figures present or not."""
    output = draw(amounts)
    parts = st.decimals(min_value=0, max_value=output, places=2, allow_nan=False, allow_infinity=False)
    optional = {
        "sme_output": parts,
        "leading_output": parts,
        "sme_rnd": amounts,
        "invention_patents": counts,
        "employees": counts,
        "iip_penetration": percents,
        "co2_intensity": amounts,
        "non_fossil_share": percents,
    }
    entry: dict[str, Any] = {"year": year, "output": output}
    for name, values in optional.items():
        if draw(st.booleans()):
            entry[name] = draw(values)
    return entry


@st.composite
def valid_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A profile of 1–5 consecutive complete years before the application year, with random figures."""
    applied = draw(st.dates(min_value=date(1960, 1, 1), max_value=date(2100, 12, 31)))
    last = applied.year - draw(st.integers(min_value=1, max_value=3))
    first = max(1949, last - draw(st.integers(min_value=0, max_value=4)))
    document = example_document()
    document["application_date"] = applied.isoformat()
    document["area_km2"] = draw(amounts)
    document["years"] = [draw(year_entries(year)) for year in range(first, last + 1)]
    document["quality_firms"] = {title: draw(counts) for title in FIRM_TITLES if draw(st.booleans())}
    return document


@given(document=valid_documents())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_document_of_valid_figures_loads_with_its_figures_exact(document: dict[str, Any]) -> None:
    """Valid random figures (parts ≤ whole, consecutive complete years) always load, unchanged."""
    profile = parse_profile(document, source="profile.json")
    assert isinstance(profile, ClusterProfile)
    assert profile.area_km2 == document["area_km2"]
    for loaded, given_entry in zip(profile.years, document["years"], strict=True):
        assert loaded.model_dump(exclude_none=True) == given_entry


@st.composite
def documents_with_a_negative(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A valid document with one numeric field, drawn at random, set below zero; and that field's path."""
    document = draw(valid_documents())
    where = draw(st.sampled_from(["area", "year", "firms"]))
    negative_amount = draw(st.decimals(max_value=Decimal("-0.01"), min_value=-100_000, places=2))
    if where == "area":
        document["area_km2"] = negative_amount
        return document, "area_km2"
    if where == "firms":
        title = draw(st.sampled_from(FIRM_TITLES))
        document["quality_firms"][title] = draw(st.integers(max_value=-1, min_value=-1000))
        return document, f"quality_firms.{title}"
    index = draw(st.integers(min_value=0, max_value=len(document["years"]) - 1))
    name = draw(st.sampled_from(AMOUNT_FIELDS + PERCENT_FIELDS + COUNT_FIELDS))
    value = draw(st.integers(max_value=-1, min_value=-1000)) if name in COUNT_FIELDS else negative_amount
    document["years"][index][name] = value
    return document, f"years[{index}].{name}"


@given(case=documents_with_a_negative())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_negative_figure_anywhere_is_refused_naming_that_field(case: tuple[dict[str, Any], str]) -> None:
    """Whichever numeric field turns negative, the refusal is `<that field>: 须不小于 0` and nothing else."""
    document, field = case
    assert problems_of(document) == [Problem(field, "须不小于 0")]


def test_the_example_document_is_not_shared_between_tests() -> None:
    """example_document() returns a fresh copy each time, so one case's mutation does not leak."""
    first = example_document()
    first["years"][0]["output"] = -1
    assert example_document()["years"][0]["output"] == Decimal("42.0")


# --- firms holding any of several titles ----------------------------------------------------------


def _holders(
    firms: int, titles: tuple[str, ...] = ("specialized", "innovative", "high_tech")
) -> dict[str, Any]:
    document = example_document()  # specialized 6, innovative 3, high_tech 4
    document["quality_firms"]["holding_any"] = [{"titles": list(titles), "firms": firms}]
    return document


def test_the_firms_holding_any_of_several_titles_are_read() -> None:
    """13 title holdings may be 10 firms: one firm may hold two titles (design: counts of distinct firms)."""
    profile = parse_profile(_holders(10), source="profile.json")
    assert profile.quality_firms.holders_of(["high_tech", "specialized", "innovative"]) == 10
    assert profile.quality_firms.holders_of(["specialized", "innovative"]) is None


@pytest.mark.parametrize(
    ("firms", "says"),
    [(5, "但仅持有其中一项称号的就有 6 家"), (14, "多于逐项称号企业数之和 13 家")],
    ids=["fewer-than-one-title", "more-than-the-holdings"],
)
def test_impossible_holders_are_refused_naming_the_entry(firms: int, says: str) -> None:
    """Fewer firms than hold the most held title, or more than all holdings, cannot be."""
    problems = problems_of(_holders(firms))
    assert [problem.field for problem in problems] == ["quality_firms.holding_any[0].firms"]
    assert says in problems[0].message


def test_a_set_of_titles_listed_twice_is_refused() -> None:
    document = _holders(10)
    document["quality_firms"]["holding_any"].append(
        {"titles": ["innovative", "specialized", "high_tech"], "firms": 11}
    )
    problems = problems_of(document)
    assert [problem.field for problem in problems] == ["quality_firms.holding_any[1].titles"]


def test_a_title_listed_twice_in_one_set_is_refused() -> None:
    problems = problems_of(_holders(6, ("specialized", "specialized")))
    assert [problem.field for problem in problems] == ["quality_firms.holding_any[0].titles"]
