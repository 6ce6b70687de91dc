"""Each rule set covers every criterion of its source article(s), in the source's own words.

Guangdong art. 13 and Shaanxi art. 12 are parsed from the source texts in ``policy/sources/``: every
piece of every item （一）…（九） must be found in the clause of a criterion cited with that item, and every
criterion of an item is filed under the item's heading. Guizhou holds only the interpretation (解读): its
eight aspects (第三问) and its list of development results (第五问) must be covered. The national measure
is not in the project: the public facts of ``shared/data/README.md`` are copied here as literal
expectations. Whitespace is removed before comparing: the Shaanxi text breaks lines inside sentences and
puts spaces around numbers ("有效期 2 年").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources

import pytest

from smecluster.policy.ruleset import (
    AreaValue,
    Article,
    CompoundGrowth,
    Criterion,
    CriterionKind,
    EachYear,
    IncidentExclusion,
    LatestShare,
    LatestValue,
    PerTenThousand,
    QualityFirms,
    RuleSet,
    chinese_numeral,
    rule_set,
    rule_sets,
)
from smecluster.profile import IncidentKind

NUMERALS = {chinese_numeral(number): number for number in range(1, 100)}
NUMERAL = "[一二三四五六七八九十]+"

NINE_GROUPS = (
    "统筹发展与安全",
    "具有较强核心竞争力",
    "优质中小企业梯度培育成效显著",
    "产业链供应链协作高效",
    "具有较强协同创新能力",
    "数字化转型效果明显",
    "具有较高绿色化发展水平",
    "积极参与产业开放合作",
    "具有较强治理和服务能力",
)
"""The nine groups of the national standard, which Guangdong art. 13 and Shaanxi art. 12 follow."""

GUIZHOU_EIGHT_ASPECTS = (
    "具有较强核心竞争力",
    "优质中小企业梯度培育成效显著",
    "产业链供应链协作高效",
    "协同创新能力较强",
    "数字化转型效果明显",
    "绿色化发展水平较高",
    "开展高水平开放合作",
    "治理和服务能力较强",
)
"""As the Guizhou interpretation words them in 第三问."""


def flat(text: str) -> str:
    """The text without any whitespace (line breaks, spaces, full-width spaces)."""
    return re.sub(r"\s+", "", text)


def source_text(rule_set_id: str) -> str:
    source_file = rule_set(rule_set_id).document.source_file
    assert source_file is not None
    return (resources.files("smecluster.policy") / "sources" / source_file).read_text(encoding="utf-8")


# --- the structure of a measure's text -------------------------------------------------------------


def articles(text: str) -> dict[int, str]:
    """The articles (条) of a measure by number, whitespace removed, each up to the next 条 or 章 heading."""
    heading = re.compile(rf"^\s*第({NUMERAL})(条|章)", re.MULTILINE)
    matches = list(heading.finditer(text))
    found: dict[int, str] = {}
    for index, match in enumerate(matches):
        if match.group(2) != "条":
            continue
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        number = NUMERALS[match.group(1)]
        assert number not in found, f"第{match.group(1)}条 is headed twice"
        found[number] = flat(text[match.end() : end])
    return found


def article_between(text: str, start: str, end: str) -> str:
    """The words from ``start`` to ``end``, whitespace removed (第十三条 … 第十四条)."""
    words = flat(text)
    begin = words.index(start) + len(start)
    return words[begin : words.index(end, begin)]


def items(article: str) -> dict[int, str]:
    """The items （一）（二）… of an article, by number, in order."""
    parts = re.split(rf"（({NUMERAL})）", article)
    numbers = [NUMERALS[numeral] for numeral in parts[1::2]]
    assert numbers == list(range(1, len(numbers) + 1)), f"items out of order: {numbers}"
    return dict(zip(numbers, parts[2::2], strict=True))


@dataclass(frozen=True)
class Item:
    number: int
    heading: str
    pieces: list[str]


def criteria_items(article: str) -> list[Item]:
    """Each item's heading (up to its first 。) and the pieces of the rest, split on ，；。."""
    parsed = []
    for number, body in items(article).items():
        heading, _, rest = body.partition("。")
        pieces = [piece for piece in re.split("[，；。]", rest) if piece]
        parsed.append(Item(number, heading, pieces))
    return parsed


def interpretation_sections(text: str) -> dict[int, str]:
    """The questions of an interpretation (一、…？ 二、…？), by number, whitespace removed."""
    heading = re.compile(rf"^\s*({NUMERAL})、", re.MULTILINE)
    matches = list(heading.finditer(text))
    sections = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        sections[NUMERALS[match.group(1)]] = flat(text[match.end() : end])
    assert list(sections) == list(range(1, len(sections) + 1))
    return sections


def cited_text(rule_set: RuleSet, article: Article) -> str:
    """The words of the provision ``article`` cites in the rule set's source."""
    text = source_text(rule_set.id)
    if article.article is not None:
        words = articles(text)[article.article]
        return items(words)[article.item] if article.item is not None else words
    label = article.label or ""
    question = re.fullmatch(rf"政策解读第({NUMERAL})问", label)
    assert question, f"{rule_set.id}: cannot find {label!r} in {rule_set.document.source_file}"
    return interpretation_sections(text)[NUMERALS[question.group(1)]]


def cited_with(rule_set: RuleSet, article: int, item: int) -> list[Criterion]:
    return [
        criterion
        for criterion in rule_set.criteria
        if criterion.article.article == article and criterion.article.item == item
    ]


# --- Guangdong art. 13 and Shaanxi art. 12 -------------------------------------------------------

PROVINCIAL_ARTICLES = [
    pytest.param("guangdong-2022", 13, "第十三条", "第十四条", id="guangdong-2022:art13"),
    pytest.param("shaanxi-2023", 12, "第十二条", "第十三条", id="shaanxi-2023:art12"),
]


@pytest.mark.parametrize(("rule_set_id", "number", "start", "end"), PROVINCIAL_ARTICLES)
def test_the_article_has_nine_items_headed_by_the_nine_groups(
    rule_set_id: str, number: int, start: str, end: str
) -> None:
    """The article parses into nine items whose headings are the nine groups of the national standard."""
    article = article_between(source_text(rule_set_id), start, end)
    assert article == articles(source_text(rule_set_id))[number]
    assert tuple(item.heading for item in criteria_items(article)) == NINE_GROUPS


@pytest.mark.parametrize(("rule_set_id", "number", "start", "end"), PROVINCIAL_ARTICLES)
def test_every_piece_of_every_item_is_in_a_criterion_cited_with_that_item(
    rule_set_id: str, number: int, start: str, end: str
) -> None:
    """Every piece of item (n), split on ，；。, is part of the clause of a criterion citing item (n)."""
    rules = rule_set(rule_set_id)
    uncovered = []
    for item in criteria_items(article_between(source_text(rule_set_id), start, end)):
        clauses = [flat(criterion.clause) for criterion in cited_with(rules, number, item.number)]
        assert clauses, (
            f"no criterion cites 第{chinese_numeral(number)}条第（{chinese_numeral(item.number)}）项"
        )
        uncovered += [
            f"（{chinese_numeral(item.number)}）{piece}"
            for piece in item.pieces
            if not any(piece in clause for clause in clauses)
        ]
    assert uncovered == [], f"{rule_set_id}: not covered by any criterion of the item: {uncovered}"


@pytest.mark.parametrize(("rule_set_id", "number", "start", "end"), PROVINCIAL_ARTICLES)
def test_every_criterion_of_an_item_is_filed_under_the_items_heading(
    rule_set_id: str, number: int, start: str, end: str
) -> None:
    """A criterion citing item (n) is filed under the heading of item (n), and its clause is in that item."""
    rules = rule_set(rule_set_id)
    parsed = {
        item.number: item for item in criteria_items(article_between(source_text(rule_set_id), start, end))
    }
    body = items(article_between(source_text(rule_set_id), start, end))
    citing = [criterion for criterion in rules.criteria if criterion.article.article == number]
    assert citing
    for criterion in citing:
        assert criterion.article.item in parsed, f"{criterion.id} cites no item of the article"
        assert criterion.aspect == parsed[criterion.article.item].heading, criterion.id
        assert flat(criterion.clause) in body[criterion.article.item], criterion.id


@pytest.mark.parametrize("rule_set_id", ["guangdong-2022", "shaanxi-2023"])
def test_the_rule_set_has_exactly_the_nine_groups_of_its_article(rule_set_id: str) -> None:
    """The aspects of a provincial rule set are the nine item headings of its article, no more, no fewer."""
    assert {criterion.aspect for criterion in rule_set(rule_set_id).criteria} == set(NINE_GROUPS)


# --- every clause is the source's words ----------------------------------------------------------


def _clauses(rules: RuleSet) -> list[tuple[str, str, Article | None]]:
    """Every clause a rule set carries as words of its source: (where in the file, clause, citation)."""
    found: list[tuple[str, str, Article | None]] = []
    for index, criterion in enumerate(rules.criteria):
        if criterion.clause_source == "verbatim":
            found.append((f"criteria[{index}] {criterion.id}", criterion.clause, criterion.article))
    if rules.spatial_scope.clause:
        found.append(("spatial_scope", rules.spatial_scope.clause, rules.spatial_scope.article))
    if rules.public_notice.clause:
        found.append(("public_notice", rules.public_notice.clause, rules.public_notice.article))
    found.append(
        ("recognition_validity", rules.recognition_validity.clause, rules.recognition_validity.article)
    )
    found.append(
        (
            "recognition_validity.counting",
            rules.recognition_validity.counting.clause,
            rules.recognition_validity.article,
        )
    )
    if rules.annual_report.clause:
        found.append(("annual_report", rules.annual_report.clause, rules.annual_report.article))
    if rules.validity.clause:
        found.append(("validity", rules.validity.clause, rules.validity.article))
    for index, case in enumerate(rules.revocation_cases):
        found.append((f"revocation_cases[{index}]", case.clause, case.article))
    return found


WITH_SOURCE = [each.id for each in rule_sets().values() if each.document.source_file]


def test_three_rule_sets_hold_their_source_text() -> None:
    """Guangdong, Shaanxi and Guizhou carry the text they were copied from; the national one does not."""
    assert sorted(WITH_SOURCE) == ["guangdong-2022", "guizhou-2023", "shaanxi-2023"]


@pytest.mark.parametrize("rule_set_id", WITH_SOURCE)
def test_every_verbatim_clause_is_in_the_source_text(rule_set_id: str) -> None:
    """Verbatim clauses (criteria, scope, notice, validity, annual report, revocation) are in the source."""
    rules = rule_set(rule_set_id)
    source = flat(source_text(rule_set_id))
    absent = [where for where, clause, _ in _clauses(rules) if flat(clause) not in source]
    assert absent == [], f"{rule_set_id}: not found in {rules.document.source_file}: {absent}"


@pytest.mark.parametrize("rule_set_id", WITH_SOURCE)
def test_every_verbatim_clause_is_in_the_provision_it_cites(rule_set_id: str) -> None:
    """A clause is not only somewhere in the source: it is in the article, item or question it cites."""
    rules = rule_set(rule_set_id)
    miscited = [
        f"{where} ({article.cite()})"
        for where, clause, article in _clauses(rules)
        if article is not None and flat(clause) not in cited_text(rules, article)
    ]
    assert miscited == [], f"{rule_set_id}: clause not in the provision cited: {miscited}"


@pytest.mark.parametrize("rule_set_id", list(rule_sets()))
def test_the_words_of_parts_of_a_criterion_are_in_its_clause(rule_set_id: str) -> None:
    """The words of each incident class and of each quality-firm alternative are part of the clause."""
    for criterion in rule_set(rule_set_id).criteria:
        measure = criterion.measure
        if isinstance(measure, IncidentExclusion):
            for incident_class in measure.classes:
                assert flat(incident_class.words) in flat(criterion.clause), criterion.id
        if isinstance(measure, QualityFirms):
            for group in measure.alternatives:
                assert flat(group.clause) in flat(criterion.clause), criterion.id


# --- the numbers are the clause's numbers ------------------------------------------------------

_NUMBER = r"(\d+(?:\.\d+)?)"
_POSTFIX_WORDS = {"以上", "以下", "以内"}


def number_of_word(clause: str, word: str) -> Decimal:
    """The number a number word bounds: 不低于15 → 15; 均在40亿元以上 → 40."""
    words = flat(clause)
    if word in _POSTFIX_WORDS:
        match = re.search(_NUMBER + r"[^\d，；。]{0,4}" + re.escape(word), words)
    else:
        match = re.search(re.escape(word) + _NUMBER, words)
    assert match, f"no number next to {word} in {clause!r}"
    return Decimal(match.group(1))


@pytest.mark.parametrize("rule_set_id", list(rule_sets()))
def test_every_threshold_is_the_number_its_clause_gives(rule_set_id: str) -> None:
    """The threshold of a compared criterion (and of each quality-firm alternative) is the clause's number."""
    for criterion in rule_set(rule_set_id).criteria:
        if criterion.number_word is not None:
            assert criterion.threshold == number_of_word(criterion.clause, criterion.number_word), (
                criterion.id
            )
        if isinstance(criterion.measure, QualityFirms):
            for group in criterion.measure.alternatives:
                assert group.threshold == number_of_word(group.clause, group.number_word), criterion.id


@pytest.mark.parametrize("rule_set_id", list(rule_sets()))
def test_the_qualifier_yiban_is_set_exactly_when_the_clause_says_it(rule_set_id: str) -> None:
    """“一般不超过” admits exceptions (qualifier 一般); a bound the clause does not soften has none."""
    for criterion in rule_set(rule_set_id).criteria:
        if criterion.number_word is None:
            assert criterion.qualifier is None, criterion.id
            continue
        softened = f"一般{criterion.number_word}" in flat(criterion.clause)
        assert (criterion.qualifier == "一般") == softened, criterion.id


# --- what every rule set has ---------------------------------------------------------------------


@pytest.mark.parametrize("rule_set_id", list(rule_sets()))
def test_every_rule_set_excludes_the_three_classes_of_incidents(rule_set_id: str) -> None:
    """近三年未发生: 较大及以上 accidents, 重大及以上 cyber/data events, and any tax evasion, violation,
    serious dishonesty or other major problem."""
    exclusions = [
        criterion for criterion in rule_set(rule_set_id).criteria if criterion.kind is CriterionKind.EXCLUSION
    ]
    assert len(exclusions) == 1
    criterion = exclusions[0]
    assert criterion.aspect == "统筹发展与安全"
    measure = criterion.measure
    assert isinstance(measure, IncidentExclusion)
    assert measure.window_years == 3
    assert "近三年" in criterion.clause
    classes = {frozenset(each.kinds): each.min_level for each in measure.classes}
    assert classes == {
        frozenset(
            {IncidentKind.SAFETY_ACCIDENT, IncidentKind.QUALITY_ACCIDENT, IncidentKind.ENVIRONMENT_ACCIDENT}
        ): "较大",
        frozenset({IncidentKind.CYBER_SECURITY_EVENT, IncidentKind.DATA_SECURITY_EVENT}): "重大",
        frozenset(
            {
                IncidentKind.TAX_EVASION,
                IncidentKind.VIOLATION,
                IncidentKind.SERIOUS_DISHONESTY,
                IncidentKind.OTHER_MAJOR,
            }
        ): None,
    }
    words = {frozenset(each.kinds): each.words for each in measure.classes}
    assert all("较大及以上" in text for kinds, text in words.items() if IncidentKind.SAFETY_ACCIDENT in kinds)
    assert all(
        "重大及以上" in text for kinds, text in words.items() if IncidentKind.DATA_SECURITY_EVENT in kinds
    )


@pytest.mark.parametrize("rule_set_id", list(rule_sets()))
def test_every_rule_set_states_its_definitions(rule_set_id: str) -> None:
    """近三年, the latest-year shares, compound growth and the incident window are defined in the file."""
    definitions = {each.term: each.meaning for each in rule_set(rule_set_id).definitions}
    assert "最近的三个完整年度" in definitions["近三年"]
    assert "最近一个完整年度" in definitions["占比、普及率、每万人拥有量"]
    assert "(末年 ÷ 首年)^(1/(n−1)) − 1" in definitions["年均增速、年均增长（率）"]
    assert "自近三年第一年的1月1日起至申报日期" in definitions["近三年未发生"]  # ADR 14


@pytest.mark.parametrize("rule_set_id", list(rule_sets()))
def test_every_rule_set_cites_each_criterion_and_judges_the_qualitative_on_evidence(rule_set_id: str) -> None:
    """Every criterion cites where it stands; qualitative ones carry evidence and no measure."""
    for criterion in rule_set(rule_set_id).criteria:
        assert criterion.article.cite(), criterion.id
        if criterion.kind is CriterionKind.QUALITATIVE:
            assert criterion.measure is None
            assert criterion.evidence, criterion.id


# --- Guizhou: the interpretation --------------------------------------------------------------


def guizhou_question(number: int) -> str:
    return interpretation_sections(source_text("guizhou-2023"))[number]


def test_guizhou_has_the_eight_aspects_of_question_three_as_qualitative_criteria() -> None:
    """The eight aspects 第三问 lists each head a qualitative criterion; with the exclusion, nine groups."""
    listed = re.search("须满足(.+?)等八个方面的要求", guizhou_question(3))
    assert listed
    aspects = tuple(listed.group(1).split("、"))
    assert aspects == GUIZHOU_EIGHT_ASPECTS
    rules = rule_set("guizhou-2023")
    qualitative = {
        criterion.aspect for criterion in rules.criteria if criterion.kind is CriterionKind.QUALITATIVE
    }
    assert qualitative == set(aspects)
    assert {criterion.aspect for criterion in rules.criteria} == {"统筹发展与安全", *aspects}


def test_guizhou_covers_every_development_result_of_question_five() -> None:
    """Each result listed after “主要包括：” (split on ；, then ，) is in a qualitative criterion's clause."""
    results = re.search("同时，集群还需具有显著的发展成效，主要包括：(.+?)。", guizhou_question(5))
    assert results
    listed = results.group(1).removesuffix("等").split("；")
    assert len(listed) == 7
    clauses = [
        flat(criterion.clause)
        for criterion in rule_set("guizhou-2023").criteria
        if criterion.kind is CriterionKind.QUALITATIVE
    ]
    uncovered = [
        part
        for result in listed
        for part in result.split("，")
        if not any(part in clause for clause in clauses)
    ]
    assert uncovered == []


def test_guizhou_exclusion_and_scope_are_the_words_of_question_five() -> None:
    """The exclusion and the spatial scope (one or several adjacent counties) are verbatim from 第五问."""
    rules = rule_set("guizhou-2023")
    answer = guizhou_question(5)
    assert flat(rules.criterion("gz-incidents").clause) in answer
    assert flat(rules.criterion("gz-scope").clause) in answer
    assert "一个或几个相邻县区划" in rules.criterion("gz-scope").clause
    assert rules.spatial_scope.max_counties is None
    assert rules.spatial_scope.adjacent_required is True
    assert "产值占比最大" in rules.spatial_scope.declaring_county
    assert flat(rules.spatial_scope.clause) in guizhou_question(6)


def test_guizhou_states_no_figure_so_no_criterion_is_computed_from_figures() -> None:
    """The interpretation gives no figures: only the exclusion and the scope are checked from the profile."""
    kinds = {criterion.id: criterion.kind for criterion in rule_set("guizhou-2023").criteria}
    computed = {key for key, kind in kinds.items() if kind is not CriterionKind.QUALITATIVE}
    assert computed == {"gz-incidents", "gz-scope"}


# --- national: the public facts of shared/data/README.md ---------------------------------------


def the_criterion(rules: RuleSet, measure: object) -> Criterion:
    """The one criterion of ``rules`` with this measure (compared by value)."""
    found = [criterion for criterion in rules.criteria if criterion.measure == measure]
    assert len(found) == 1, f"{len(found)} criteria with measure {measure!r}"
    return found[0]


@dataclass(frozen=True)
class Bound:
    number_word: str
    comparator: str
    threshold: Decimal
    unit: str
    qualifier: str | None = None


NATIONAL_BOUNDS = [
    # 占地面积一般不超过100平方公里
    pytest.param(AreaValue(formula="area"), Bound("不超过", "<=", Decimal(100), "km²", "一般"), id="area"),
    # 近三年产值均在40亿元以上
    pytest.param(
        EachYear(formula="each_year", field="output", years=3),
        Bound("以上", ">=", Decimal(40), "亿元"),
        id="output",
    ),
    # 中小企业产值占集群总产值70%以上 (inclusive)
    pytest.param(
        LatestShare(formula="latest_share", part="sme_output", whole="output"),
        Bound("以上", ">=", Decimal(70), "%"),
        id="sme-share",
    ),
    # 主导产业占集群总产值比例高于70%
    pytest.param(
        LatestShare(formula="latest_share", part="leading_output", whole="output"),
        Bound("高于", ">", Decimal(70), "%"),
        id="leading-share",
    ),
    # 产值年均增速高于10%
    pytest.param(
        CompoundGrowth(formula="compound_growth", field="output", years=3),
        Bound("高于", ">", Decimal(10), "%"),
        id="output-growth",
    ),
]


@pytest.mark.parametrize(("measure", "bound"), NATIONAL_BOUNDS)
def test_national_thresholds_are_the_published_ones(measure: object, bound: Bound) -> None:
    """Area ≤100 (一般), output ≥40 each year, SME share ≥70 (以上), leading share >70, growth >10."""
    criterion = the_criterion(rule_set("national-2022"), measure)
    assert (criterion.number_word, criterion.comparator, criterion.threshold, criterion.unit) == (
        bound.number_word,
        bound.comparator,
        bound.threshold,
        bound.unit,
    )
    assert criterion.qualifier == bound.qualifier
    assert criterion.kind is CriterionKind.QUANTITATIVE


def test_national_quality_firms_are_one_champion_or_little_giant_or_ten_of_three_titles() -> None:
    """≥1 单项冠军 or 小巨人 in the leading industry, or ≥10 专精特新 + 创新型 + 国家级高新."""
    (criterion,) = [c for c in rule_set("national-2022").criteria if isinstance(c.measure, QualityFirms)]
    assert isinstance(criterion.measure, QualityFirms)
    alternatives = [
        (group.titles, group.number_word, group.comparator, group.threshold)
        for group in criterion.measure.alternatives
    ]
    assert alternatives == [
        (["champion", "little_giant"], "不少于", ">=", 1),
        (["specialized", "innovative", "high_tech"], "不少于", ">=", 10),
    ]


def test_national_figures_not_found_are_not_invented() -> None:
    """R&D growth, patents and industrial-internet figures were not found: no criterion computes them."""
    computed = [
        criterion.measure
        for criterion in rule_set("national-2022").criteria
        if isinstance(criterion.measure, CompoundGrowth | PerTenThousand | LatestValue)
    ]
    fields = {getattr(measure, "field", None) for measure in computed}
    assert fields <= {"output"}
    assert all(isinstance(measure, CompoundGrowth) and measure.field == "output" for measure in computed)


def test_national_clauses_are_not_claimed_as_verbatim() -> None:
    """Without the original text every national clause is marked reported or summary."""
    rules = rule_set("national-2022")
    assert rules.document.source_file is None
    assert {criterion.clause_source for criterion in rules.criteria} <= {"reported", "summary"}


def test_national_has_the_nine_groups() -> None:
    """The national standard's nine groups, of which Guangdong and Shaanxi are copies."""
    assert {criterion.aspect for criterion in rule_set("national-2022").criteria} == set(NINE_GROUPS)


def test_national_public_notice_is_five_working_days() -> None:
    """The ministry's notices ran 5 working days (2022-12-29 … 2023-01-05; 2023-09-28 … 10-10)."""
    assert rule_set("national-2022").public_notice.working_days == 5


@pytest.mark.parametrize(
    ("year", "due"),
    [
        (2022, date(2022, 4, 30)),
        (2023, date(2023, 4, 30)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 3, 31)),
    ],
)
def test_national_annual_report_is_due_30_april_then_31_march_from_2024(year: int, due: date) -> None:
    """The annual report was due 30 April in the 2022–2023 notices and 31 March from 2024."""
    assert rule_set("national-2022").annual_report.due_date(year) == due


def national_quota(unit_word: str, year: int) -> int:
    quotas = [
        quota
        for quota in rule_set("national-2022").quotas
        if unit_word in quota.unit
        and quota.from_year <= year
        and (quota.until_year is None or year <= quota.until_year)
    ]
    assert len(quotas) == 1, f"{len(quotas)} quotas for {unit_word} in {year}"
    return quotas[0].max_recommended


@pytest.mark.parametrize(
    ("unit_word", "year", "quota"),
    [("省", 2022, 5), ("省", 2024, 8), ("省", 2025, 8), ("计划单列市", 2022, 3), ("计划单列市", 2025, 2)],
)
def test_national_recommendation_quotas(unit_word: str, year: int, quota: int) -> None:
    """≤5 per province in 2022, ≤8 in 2024 and 2025; ≤3, then ≤2, for 计划单列市 and the XPCC."""
    assert national_quota(unit_word, year) == quota


def test_national_document_and_validity_of_a_recognition() -> None:
    """工信部企业〔2022〕119号 of 2022-09-13; a recognition holds 3 years, extended 3 on re-review."""
    rules = rule_set("national-2022")
    assert rules.document.number == "工信部企业〔2022〕119号"
    assert rules.document.issued == date(2022, 9, 13)
    assert rules.applies_to_province is None
    assert (rules.recognition_validity.years, rules.recognition_validity.extension_years) == (3, 3)
    assert rules.spatial_scope.max_counties == 1


# --- the provinces' own provisions, as their texts give them --------------------------------------


def test_guangdong_provisions() -> None:
    """Guangdong draft: notice 7 working days, report by 31 March, recognition 3 years, no date of issue."""
    rules = rule_set("guangdong-2022")
    assert rules.public_notice.working_days == 7
    assert rules.annual_report.due_date(2023) == date(2023, 3, 31)
    assert (rules.recognition_validity.years, rules.recognition_validity.extension_years) == (3, 3)
    assert rules.validity.valid_from is None
    assert rules.document.status == "draft"
    assert [case.case for case in rules.revocation_cases] == [1, 2, 3, 4, 5]


def test_shaanxi_provisions() -> None:
    """Shaanxi: issued 2023-04-28 and valid 2 years (to 2025-04-27); no notice length; report by 31 March."""
    rules = rule_set("shaanxi-2023")
    assert rules.document.issued == date(2023, 4, 28)
    assert (rules.validity.valid_from, rules.validity.valid_until) == (date(2023, 4, 28), date(2025, 4, 27))
    assert rules.public_notice.working_days is None
    assert rules.annual_report.due_date(2024) == date(2024, 3, 31)
    assert [case.case for case in rules.revocation_cases] == [1, 2, 3, 4, 5]
