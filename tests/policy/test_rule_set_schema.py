"""The rule-set schema fails loudly, naming the file and the field.

Each case is the real Guangdong file with one small edit: an unknown key, a duplicate YAML key, a number
word that contradicts its comparator or is not in the clause, a compared criterion without its bound, a
qualitative one without evidence, a duplicate id. Decimals in the file stay decimal.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from importlib import resources

import pytest

from smecluster.errors import Problem, UnusableInput
from smecluster.policy.ruleset import RuleSet, parse_rule_set, read_yaml, rule_set

SOURCE = "rulesets/guangdong-2022.yaml"
GUANGDONG = (resources.files("smecluster.policy") / "rulesets" / "guangdong-2022.yaml").read_text(
    encoding="utf-8"
)
RULES = rule_set("guangdong-2022")


def index(criterion_id: str) -> int:
    return next(number for number, criterion in enumerate(RULES.criteria) if criterion.id == criterion_id)


def edited(*replacements: tuple[str, str]) -> str:
    """The Guangdong file with each ``old`` (which must occur exactly once) replaced by ``new``."""
    text = GUANGDONG
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def load(text: str) -> RuleSet:
    return parse_rule_set(read_yaml(text, source=SOURCE), source=SOURCE)


def refused(text: str) -> list[Problem]:
    """The problems of a refused file; the error names the file in its source and in every line."""
    with pytest.raises(UnusableInput) as caught:
        load(text)
    error = caught.value
    assert error.source == SOURCE
    assert all(line.startswith(f"{SOURCE}: ") for line in str(error).splitlines())
    return error.problems


_SME_SHARE = (
    "measure: {formula: latest_share, part: sme_output, whole: output}\n"
    "    number_word: 高于\n"
    '    comparator: ">"'
)


def names(field: str, path: str) -> bool:
    """The problem is at ``path`` or at a field under it (criteria[8] or criteria[8].comparator)."""
    return field == path or field.startswith(f"{path}.")


def test_the_unedited_file_loads_as_the_packaged_rule_set() -> None:
    """The base of every edit below is valid: any refusal is the edit's doing."""
    assert load(GUANGDONG) == RULES


# --- unknown keys --------------------------------------------------------------------------------


def test_an_unknown_top_level_key_is_refused() -> None:
    """A key the schema does not know (a typo of a real one, say) is an error, not ignored."""
    problems = refused(GUANGDONG + "qoutas: []\n")
    assert problems == [Problem("qoutas", "unknown key: the rule-set schema has no such field")]


def test_an_unknown_key_inside_a_criterion_is_refused() -> None:
    """An unknown key in a criterion names the criterion by its place in the list."""
    problems = refused(edited(("  - id: gd-area\n", "  - id: gd-area\n    treshold: 100\n")))
    assert problems == [
        Problem(
            f"criteria[{index('gd-area')}].treshold", "unknown key: the rule-set schema has no such field"
        )
    ]


def test_an_unknown_key_inside_a_measure_is_refused() -> None:
    """Strictness reaches down into the measure."""
    problems = refused(edited(("measure: {formula: area}", "measure: {formula: area, years: 3}")))
    assert len(problems) == 1
    assert problems[0].field.startswith(f"criteria[{index('gd-area')}].measure")
    assert problems[0].field.endswith(".years")
    assert problems[0].message.startswith("unknown key")


def test_an_unknown_formula_is_refused_and_the_known_ones_listed() -> None:
    """The measures are a closed set; a formula outside it names the ones there are."""
    problems = refused(edited(("measure: {formula: area}", "measure: {formula: volume}")))
    assert len(problems) == 1
    assert problems[0].field == f"criteria[{index('gd-area')}].measure"
    assert "volume" in problems[0].message
    assert "each_year" in problems[0].message


def test_a_missing_required_field_is_named() -> None:
    """A rule set without a title is refused at the field ``title``."""
    problems = refused(edited(("title: 广东省省级中小企业特色产业集群认定条件（2022 征求意见稿）\n", "")))
    assert [problem.field for problem in problems] == ["title"]


# --- YAML -----------------------------------------------------------------------------------------


def test_a_duplicate_yaml_key_is_refused_at_its_line() -> None:
    """Two thresholds in one criterion: plain YAML keeps the last silently; the loader refuses the file."""
    text = edited(("    threshold: 100\n", "    threshold: 100\n    threshold: 90\n"))
    line = text.splitlines().index("    threshold: 90") + 1
    with pytest.raises(UnusableInput) as caught:
        read_yaml(text, source=SOURCE)
    assert caught.value.source == SOURCE
    assert caught.value.problems == [Problem(f"line {line}", "is not valid YAML: duplicate key 'threshold'")]


def test_a_decimal_threshold_stays_decimal() -> None:
    """0.1 in the file is Decimal('0.1'), exactly one tenth: never the float 0.1000000000000000055…."""
    criterion = load(
        edited((_SME_SHARE + "\n    threshold: 70\n", _SME_SHARE + "\n    threshold: 0.1\n"))
    ).criterion("gd-sme-share")
    assert isinstance(criterion.threshold, Decimal)
    assert str(criterion.threshold) == "0.1"
    assert Fraction(criterion.threshold) == Fraction(1, 10)


def test_yaml_numbers_are_read_exactly() -> None:
    """Floats are decimals as written (48.4, 1.1664, 0.10); integers stay integers."""
    assert read_yaml("a: 48.4\nb: 1.1664\nc: 0.10\nd: 40\ne: 1_000.5\n", source=SOURCE) == {
        "a": Decimal("48.4"),
        "b": Decimal("1.1664"),
        "c": Decimal("0.10"),
        "d": 40,
        "e": Decimal("1000.5"),
    }
    assert type(read_yaml("d: 40", source=SOURCE)["d"]) is int


@pytest.mark.parametrize("written", [".inf", "-.inf", ".nan", "1:30.5"])
def test_a_number_yaml_reads_as_a_float_but_is_no_decimal_is_refused_by_name(written: str) -> None:
    """YAML 1.1 also reads .inf, .nan and 1:30.5 (base 60) as floats; no threshold is infinite, so the
    file is refused as unusable input naming the line, never with a decimal.InvalidOperation traceback."""
    with pytest.raises(UnusableInput) as caught:
        read_yaml(edited(("    threshold: 100\n", f"    threshold: {written}\n")), source=SOURCE)
    assert caught.value.source == SOURCE
    assert caught.value.problems[0].field.startswith("line ")


# --- number words ---------------------------------------------------------------------------------


def test_gaoyu_with_an_inclusive_comparator_is_refused() -> None:
    """高于 excludes its number: comparator ≥ contradicts the word and the file is refused."""
    problems = refused(edited((_SME_SHARE, _SME_SHARE.replace('">"', '">="'))))
    assert len(problems) == 1
    assert names(problems[0].field, f"criteria[{index('gd-sme-share')}]")
    assert problems[0].message == "高于 means >, not >="


def test_a_number_word_of_a_quality_firm_alternative_is_checked_too() -> None:
    """不少于 includes its number: an alternative with comparator > is refused."""
    old = (
        "        - titles: [specialized, innovative, high_tech]\n"
        "          counts: firms  # 家: a firm holding two of the titles is one firm\n"
        "          number_word: 不少于\n"
        '          comparator: ">="'
    )
    problems = refused(edited((old, old.replace('">="', '">"'))))
    assert names(problems[0].field, f"criteria[{index('gd-quality-firms')}]")
    assert problems[0].message == "不少于 means >=, not >"


def test_a_number_word_absent_from_the_clause_is_refused() -> None:
    """以内 would give the same comparator as 不超过, but it is not the clause's word."""
    problems = refused(edited(("    number_word: 不超过\n", "    number_word: 以内\n")))
    assert names(problems[0].field, f"criteria[{index('gd-area')}]")
    assert (
        problems[0].message
        == "the number word 以内 does not occur on its own in the clause '占地面积不超过100平方公里'"
    )


def test_an_unknown_number_word_needs_a_definition() -> None:
    """A word outside the table (均在) must cite where the document defines it."""
    problems = refused(edited(("    number_word: 以上\n", "    number_word: 均在\n")))
    assert names(problems[0].field, f"criteria[{index('gd-output')}]")
    assert "均在 is not a known number word" in problems[0].message
    assert "number_word_defined_by" in problems[0].message


def test_a_number_word_defined_by_the_document_may_differ_from_the_table() -> None:
    """The SME size standard reads 以下 as “below”: with a citation the comparator follows the document."""
    text = edited(
        ("    clause: 占地面积不超过100平方公里\n", "    clause: 占地面积100平方公里以下\n"),
        ("    number_word: 不超过\n", "    number_word: 以下\n    number_word_defined_by: 某办法第二条\n"),
        ('    comparator: "<="\n    threshold: 100\n', '    comparator: "<"\n    threshold: 100\n'),
    )
    assert load(text).criterion("gd-area").comparator == "<"


@pytest.mark.parametrize(
    ("criterion_id", "old", "new"),
    [
        pytest.param(
            "gd-area",
            '    number_word: 不超过\n    comparator: "<="\n',
            '    number_word: 超过\n    comparator: ">"\n',
            id="chaoguo-inside-buchaoguo",
        ),
        pytest.param(
            "gd-patent-growth",
            'invention_patents, years: 3}\n    number_word: 不低于\n    comparator: ">="\n',
            'invention_patents, years: 3}\n    number_word: 低于\n    comparator: "<"\n',
            id="diyu-inside-budiyu",
        ),
    ],
)
def test_a_number_word_found_only_inside_a_longer_one_is_refused(
    criterion_id: str, old: str, new: str
) -> None:
    """“不超过100” does not contain the word 超过: it contains 不超过. Reading 超过 (>) out of it would turn
    a cap into a floor; such a file must be refused, not loaded with the comparator reversed."""
    problems = refused(edited((old, new)))
    assert names(problems[0].field, f"criteria[{index(criterion_id)}]")


# --- the shape of a criterion ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "missing"),
    [
        pytest.param("    threshold: 40\n", "", "threshold", id="threshold"),
        pytest.param(
            '    comparator: ">="\n    threshold: 40\n', "    threshold: 40\n", "comparator", id="comparator"
        ),
        pytest.param("    number_word: 以上\n", "", "number_word", id="number_word"),
        pytest.param("    unit: 亿元\n", "", "unit", id="unit"),
    ],
)
def test_a_compared_criterion_without_its_bound_is_refused(old: str, new: str, missing: str) -> None:
    """近三年产值均在40亿元以上 needs number word, comparator, threshold and unit; one left out is named."""
    problems = refused(edited((old, new)))
    assert len(problems) == 1
    assert names(problems[0].field, f"criteria[{index('gd-output')}]")
    assert problems[0].message == f"a compared measure needs {missing}"


def test_a_qualitative_criterion_without_evidence_is_refused() -> None:
    """An expert judges a qualitative criterion from evidence: the file must say which."""
    problems = refused(edited(("    evidence: [区域品牌、集体商标、地理标志或行业荣誉的证明]\n", "")))
    assert names(problems[0].field, f"criteria[{index('gd-brand')}]")
    assert problems[0].message == "a qualitative criterion lists the evidence it calls for"


def test_a_qualitative_criterion_with_a_measure_is_refused() -> None:
    """A criterion is either judged by experts or computed, not both."""
    old = "    evidence: [区域品牌、集体商标、地理标志或行业荣誉的证明]\n"
    problems = refused(edited((old, old + "    measure: {formula: area}\n")))
    assert names(problems[0].field, f"criteria[{index('gd-brand')}]")
    assert "no measure" in problems[0].message


def test_a_qualitative_criterion_with_a_threshold_is_refused() -> None:
    """A threshold on a criterion no one computes would be ignored in silence; the file is refused."""
    old = "    evidence: [区域品牌、集体商标、地理标志或行业荣誉的证明]\n"
    problems = refused(
        edited((old, old + '    number_word: 不低于\n    comparator: ">="\n    threshold: 5\n    unit: 个\n'))
    )
    assert names(problems[0].field, f"criteria[{index('gd-brand')}]")


def test_a_measure_carrying_its_own_bounds_takes_no_threshold() -> None:
    """A trend (持续下降) has no threshold; one given is refused, not ignored."""
    old = "every_year: true, years: 3}\n"
    problems = refused(edited((old, old + '    comparator: "<"\n    threshold: 1\n')))
    assert names(problems[0].field, f"criteria[{index('gd-co2-intensity')}]")
    assert problems[0].message == "the trend measure carries its own bounds"


def test_the_qualifier_yiban_must_be_the_clauses_word() -> None:
    """一般 turns a failure into a review; it may only be set where the clause says 一般."""
    problems = refused(
        edited(("    measure: {formula: area}\n", "    measure: {formula: area}\n    qualifier: 一般\n"))
    )
    assert names(problems[0].field, f"criteria[{index('gd-area')}]")


def test_an_unknown_comparator_is_refused() -> None:
    """Comparators are >=, >, <=, <: “=>” is named at its field."""
    problems = refused(
        edited(('    comparator: "<="\n    threshold: 100\n', '    comparator: "=>"\n    threshold: 100\n'))
    )
    assert [problem.field for problem in problems] == [f"criteria[{index('gd-area')}].comparator"]


def test_duplicate_criterion_ids_are_refused_naming_the_field() -> None:
    """Ids are how other records refer to a criterion: one used twice is refused at ``criteria``."""
    problems = refused(edited(("  - id: gd-brand\n", "  - id: gd-area\n")))
    assert len(problems) == 1
    assert "gd-area" in problems[0].message
    assert names(problems[0].field, "criteria") or problems[0].field.startswith("criteria[")


def test_the_validity_counting_is_one_the_platform_knows() -> None:
    """How the default validity is counted is data (issue 13, finding 8): an unknown basis is refused by
    name, and a file without the counting is refused too."""
    problems = refused(edited(("basis: decision_day", "basis: from_signature")))
    assert [problem.field for problem in problems] == ["recognition_validity.counting.basis"]
    start = GUANGDONG.index("  counting:\n")
    end = GUANGDONG.index("annual_report:\n", start)
    missing = refused(GUANGDONG[:start] + GUANGDONG[end:])
    assert [problem.field for problem in missing] == ["recognition_validity.counting"]


# --- regions and relaxations (issue 13, finding 1) -------------------------------------------------

_RELAXED_OUTPUT = (
    "  - id: gd-output\n",
    "  - id: gd-output\n"
    "    relaxable_in:\n"
    "      {region: west, article: {label: 测试}, clause: 西部地区可适当放宽, clause_source: reported}\n",
)


def test_a_relaxation_names_a_region_of_the_rule_set() -> None:
    """A criterion relaxable in a region the rule set does not list is refused, naming the criterion."""
    problems = refused(edited(_RELAXED_OUTPUT))
    assert len(problems) == 1
    assert problems[0].field == f"criteria[{index('gd-output')}].relaxable_in.region"
    assert "west is not one of the rule set's regions" in problems[0].message


def test_a_region_lists_provinces_by_their_two_digit_prefix() -> None:
    """Regions are data by GB/T 2260 province prefix; another code is refused where it stands."""
    region = "regions:\n  - {id: west, name: 西部地区, provinces: ['52', '5200'], source: 测试}\ncriteria:\n"
    problems = refused(edited(("\ncriteria:\n", "\n" + region), _RELAXED_OUTPUT))
    assert len(problems) == 1
    assert names(problems[0].field, "regions[0].provinces")
    assert "5200 is not a GB/T 2260 province prefix" in problems[0].message


def test_a_relaxed_criterion_loads_with_its_region() -> None:
    region = "regions:\n  - {id: west, name: 西部地区, provinces: ['52'], source: 测试}\ncriteria:\n"
    rules = load(edited(("\ncriteria:\n", "\n" + region), _RELAXED_OUTPUT))
    relaxation = rules.criterion("gd-output").relaxable_in
    assert relaxation is not None
    assert relaxation.region == "west"
    assert rules.region("west").provinces == ["52"]
