"""Rule sets as data: the schema of a rule-set file and its loader.

One YAML file per programme version (``rulesets/<id>.yaml``). The schema is strict: an unknown key, a
comparator that contradicts its number word, a quantitative criterion without a threshold, a duplicate
YAML key: each fails loudly at load time, naming the file and the field. A province changes its rules
by editing its file; no code branches per province exist anywhere.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from smecluster.atomic_files import write_atomically
from smecluster.errors import Problem, UnusableInput
from smecluster.policy.numberwords import COMPARATOR_OF_WORD, Comparator
from smecluster.profile import INCIDENT_LEVELS, IncidentKind, IncidentLevel, QualityTitle, field_path
from smecluster.reference.divisions import division
from smecluster.reference.offices import office
from smecluster.workdays import default_data_dir

_CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """1 → 一, 13 → 十三, 20 → 二十, 21 → 二十一: how articles are numbered (up to 99)."""
    if not 0 < number < 100:
        raise ValueError(f"article numbers run from 1 to 99, not {number}")
    tens, units = divmod(number, 10)
    text = ("" if tens == 1 else _CHINESE_DIGITS[tens]) + "十" if tens else ""
    return text + (_CHINESE_DIGITS[units] if units else "")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Article(_Strict):
    """Where a clause stands: 章, 条, 款, 项, or a label for texts not numbered that way."""

    chapter: int | None = Field(None, ge=1, description="章")
    article: int | None = Field(None, ge=1, description="条")
    paragraph: int | None = Field(None, ge=1, description="款")
    item: int | None = Field(None, ge=1, description="项")
    label: str | None = Field(None, description="a citation for texts without 条/款/项, printed as given")

    @model_validator(mode="after")
    def _cites_something(self) -> Article:
        if not any((self.chapter, self.article, self.paragraph, self.item, self.label)):
            raise ValueError("cite at least one of chapter, article, paragraph, item or label")
        return self

    def cite(self) -> str:
        """第十三条第（二）项, the way Chinese legal texts are cited."""
        parts = []
        if self.label:
            parts.append(self.label)
        if self.chapter:
            parts.append(f"第{chinese_numeral(self.chapter)}章")
        if self.article:
            parts.append(f"第{chinese_numeral(self.article)}条")
        if self.paragraph:
            parts.append(f"第{chinese_numeral(self.paragraph)}款")
        if self.item:
            parts.append(f"第（{chinese_numeral(self.item)}）项")
        return "".join(parts)


class Citation(_Strict):
    """A provision of the rule set other than a criterion, with its words."""

    article: Article
    clause: str = Field(min_length=1)


class DocumentStatus(StrEnum):
    IN_FORCE = "in_force"
    DRAFT = "draft"  # 征求意见稿: published for comment, not yet issued
    INTERPRETATION = "interpretation"  # only the official interpretation (解读) is at hand


class Document(_Strict):
    title: str
    number: str | None = Field(None, description="文号, e.g. 陕工信发〔2023〕89号")
    issuer: str
    issued: date | None = None
    issued_note: str | None = Field(None, description="why the date of issue is not known, when it is not")
    status: DocumentStatus
    source_file: str | None = Field(None, description="the text in policy/sources/, when the project has it")
    parent: str | None = Field(None, description="the measure this one implements")

    @model_validator(mode="after")
    def _date_or_reason(self) -> Document:
        if self.issued is None and not self.issued_note:
            raise ValueError("give the date of issue (issued) or say why it is unknown (issued_note)")
        return self


class Validity(_Strict):
    """The rule set's own window of validity, where its text gives one."""

    valid_from: date | None = None
    valid_until: date | None = None
    clause: str | None = None
    article: Article | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Validity:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class SpatialScope(_Strict):
    max_counties: int | None = Field(
        description="how many county-level divisions a cluster may span; null when several may"
    )
    adjacent_required: bool = Field(description="several divisions must be adjacent to one another")
    declaring_county: str = Field(description="which county declares a cross-county cluster")
    article: Article
    clause: str


class PublicNotice(_Strict):
    working_days: int | None = Field(None, ge=1)
    article: Article | None = None
    clause: str | None = None
    note: str | None = None


class ValidityCounting(_Strict):
    """How the programme's recognition decisions express the validity, with the text that shows it: from
    the day of the decision (``decision_day``: N years to the day before the same date), or as whole
    calendar years from the year after the batch (``calendar_years_after_batch``: the national 2022 batch
    "认定有效期为2023年至2025年"). It gives only the default: the decision states the validity."""

    basis: Literal["decision_day", "calendar_years_after_batch"]
    source: str
    clause: str
    note: str | None = None


class RecognitionValidity(_Strict):
    years: int = Field(ge=1)
    extension_years: int | None = Field(None, ge=1, description="added on passing re-review (复核)")
    article: Article
    clause: str
    counting: ValidityCounting


class DueDate(_Strict):
    """A yearly due date, effective from a year on (values keyed by date, as OpenFisca does)."""

    from_year: int
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    source: str


class AnnualReport(_Strict):
    due: list[DueDate] = Field(description="ascending by from_year; empty when the text gives no date")
    covers: Literal["previous_year"] = "previous_year"
    article: Article | None = None
    clause: str | None = None
    note: str | None = None

    def due_date(self, year: int) -> date | None:
        """The due date of the report filed in ``year``, under the value in force for that year."""
        effective = [value for value in self.due if value.from_year <= year]
        if not effective:
            return None
        chosen = max(effective, key=lambda value: value.from_year)
        return date(year, chosen.month, chosen.day)


class RecommenderKind(StrEnum):
    """Which recommending units a quota binds."""

    PROVINCE = "province"  # 省、自治区、直辖市
    SEPARATELY_LISTED = "separately_listed"  # 计划单列市、新疆生产建设兵团: see RuleSet.separate_recommenders


class Quota(_Strict):
    """A limit on recommendations per recommending unit and year."""

    unit: str = Field(description="who recommends, in the notice's words, e.g. 省、自治区、直辖市")
    recommender: RecommenderKind = Field(
        description="the units it binds: the provinces, or the separately listed recommenders"
    )
    max_recommended: int = Field(ge=0)
    from_year: int
    until_year: int | None = None
    source: str
    relaxable_in: Relaxation | None = Field(
        None,
        description="a region where the owner may allow more (西部地区可适当放宽): there the call's own "
        "quota, when the owner sets one, binds instead of this one",
    )

    def applies_in(self, year: int) -> bool:
        return self.from_year <= year and (self.until_year is None or year <= self.until_year)


class SeparateRecommender(_Strict):
    """A unit that recommends to the owner itself, beside the provinces and with a quota of its own (the
    national programme's 计划单列市 and 新疆生产建设兵团): the county-level divisions it covers apply through
    it, not through their province. A 计划单列市 covers its city's counties; an office GB/T 2260 has no
    division for (the XPCC) covers the divisions its reference data lists (reference/offices.py)."""

    code: str = Field(
        pattern=r"^[0-9]{4}00$",
        description="GB/T 2260 code of the city-level division, or the platform's code of an office beyond "
        "GB/T 2260 (reference/data/offices.csv)",
    )
    name: str
    kind: str = Field(description="e.g. 计划单列市, 新疆生产建设兵团")
    source: str

    @model_validator(mode="after")
    def _known_unit(self) -> SeparateRecommender:
        city = division(self.code)
        if office(self.code) is None and (city is None or city.level != "city"):
            raise ValueError(
                f"{self.code} is neither a GB/T 2260 city nor an office in reference/data/offices.csv"
            )
        return self

    @property
    def covered_prefixes(self) -> tuple[str, ...]:
        """The code prefixes of the county-level divisions it covers: the city's four digits, or each
        covered division's code."""
        found = office(self.code)
        return found.covers if found is not None else (self.code[:4],)

    def covers(self, county_code: str) -> bool:
        return county_code.startswith(self.covered_prefixes)


class ClauseSource(StrEnum):
    VERBATIM = "verbatim"  # copied from the source text the project holds
    REPORTED = "reported"  # as quoted by a public secondary source; the original was not at hand
    SUMMARY = "summary"  # a heading or summary: the text of the provision was not at hand


class RevocationCase(_Strict):
    case: int = Field(ge=1)
    article: Article
    clause: str
    clause_source: ClauseSource = ClauseSource.VERBATIM


class Definition(_Strict):
    term: str
    meaning: str


# --- criteria -------------------------------------------------------------------------------------

YearField = Literal[
    "output",
    "sme_output",
    "leading_output",
    "sme_rnd",
    "invention_patents",
    "employees",
    "iip_penetration",
    "co2_intensity",
    "non_fossil_share",
]
ProfileFlag = Literal[
    "energy_intensive",
    "water_intensive",
    "energy_efficiency_better_than_benchmark",
    "water_efficiency_better_than_benchmark",
]


class CriterionKind(StrEnum):
    QUANTITATIVE = "quantitative"  # computed from the profile's figures
    QUALITATIVE = "qualitative"  # an expert judges it from evidence: status review
    EXCLUSION = "exclusion"  # disqualifying events within a window
    SCOPE = "scope"  # where the cluster lies


class EachYear(_Strict):
    """Every one of the last ``years`` complete years meets the threshold (近三年…均在…以上)."""

    formula: Literal["each_year"]
    field: YearField
    years: int = Field(3, ge=1)


class LatestValue(_Strict):
    """The latest reported year's figure."""

    formula: Literal["latest_value"]
    field: YearField


class AreaValue(_Strict):
    """The cluster's area, km²."""

    formula: Literal["area"]


class LatestShare(_Strict):
    """part / whole × 100 in the latest reported year."""

    formula: Literal["latest_share"]
    part: YearField
    whole: YearField


class CompoundGrowth(_Strict):
    """(last / first)^(1/(n−1)) − 1 across the last ``years`` years: 年均增速/年均增长."""

    formula: Literal["compound_growth"]
    field: YearField
    years: int = Field(3, ge=2)


class PerTenThousand(_Strict):
    """field / per × 10,000 in the latest year: e.g. valid invention patents per 10,000 employees."""

    formula: Literal["per_ten_thousand"]
    field: YearField
    per: YearField


class Trend(_Strict):
    """A figure that keeps falling (持续下降: every year below the one before) or rises over the period."""

    formula: Literal["trend"]
    field: YearField
    direction: Literal["falling", "rising"]
    every_year: bool = Field(description="true: each year against the one before; false: last against first")
    years: int = Field(3, ge=2)


class TitleGroup(_Strict):
    titles: list[QualityTitle] = Field(min_length=1)
    counts: Literal["firms", "titles"] = Field(
        description="what the threshold counts when several titles are summed: firms (家, a firm holding "
        "two titles is one) or title holdings (a firm holding two counts twice)"
    )
    number_word: str
    comparator: Comparator
    threshold: int = Field(ge=0)
    clause: str = Field(description="the words of this alternative")


class QualityFirms(_Strict):
    """At least one of the alternatives holds: e.g. ≥1 champion or little giant, or ≥10 of three titles."""

    formula: Literal["quality_firms"]
    alternatives: list[TitleGroup] = Field(min_length=1)


class ConditionalFlag(_Strict):
    """When ``applies_if`` is true, ``requires`` must be true too (e.g. energy-intensive → efficiency)."""

    formula: Literal["conditional_flag"]
    applies_if: ProfileFlag
    requires: ProfileFlag


class IncidentClass(_Strict):
    kinds: list[IncidentKind] = Field(min_length=1)
    min_level: IncidentLevel | None = Field(
        None, description="the least serious level that counts (较大及以上 → 较大); null: any level"
    )
    words: str = Field(description="the words of the clause that name this class")


class IncidentExclusion(_Strict):
    """No counted incident within ``window_years`` before the application date (近三年未发生…)."""

    formula: Literal["incident_exclusion"]
    window_years: int = Field(ge=1)
    classes: list[IncidentClass] = Field(min_length=1)

    def counted_by(self, kind: IncidentKind, level: IncidentLevel | None) -> IncidentClass | None:
        """The class under which an incident of ``kind`` and ``level`` counts, or None when it does not:
        its kind is named and its level is at least the class's least serious level (较大及以上 → 较大)."""
        for incident_class in self.classes:
            if kind not in incident_class.kinds:
                continue
            if incident_class.min_level is None:
                return incident_class
            least = INCIDENT_LEVEL_RANK[incident_class.min_level]
            if level is not None and INCIDENT_LEVEL_RANK[level] >= least:
                return incident_class
        return None


class CountyScope(_Strict):
    """The counties lie within the rule set's spatial scope (see ``spatial_scope``)."""

    formula: Literal["county_scope"]


Measure = Annotated[
    EachYear
    | LatestValue
    | AreaValue
    | LatestShare
    | CompoundGrowth
    | PerTenThousand
    | Trend
    | QualityFirms
    | ConditionalFlag
    | IncidentExclusion
    | CountyScope,
    Field(discriminator="formula"),
]

_FORMULAS = frozenset(
    {
        "each_year", "latest_value", "area", "latest_share", "compound_growth", "per_ten_thousand", "trend",
        "quality_firms", "conditional_flag", "incident_exclusion", "county_scope",
    }
)  # fmt: skip

_COMPARED = (EachYear, LatestValue, AreaValue, LatestShare, CompoundGrowth, PerTenThousand)
"""Measures compared with one threshold through the criterion's number word."""


class Region(_Strict):
    """A named group of provinces a provision treats apart (the western provinces), listed as data."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    provinces: list[str] = Field(min_length=1, description="GB/T 2260 province prefixes (两位)")
    source: str = Field(description="where the list of provinces comes from")

    @field_validator("provinces")
    @classmethod
    def _codes(cls, provinces: list[str]) -> list[str]:
        for code in provinces:
            if not (len(code) == 2 and code.isdigit()):
                raise ValueError(f"{code} is not a GB/T 2260 province prefix (two digits)")
        return provinces


class Relaxation(_Strict):
    """A provision that lets a region fall short of a criterion's bound: there a `fail` asks a person
    (`review`) instead of binding."""

    region: str = Field(description="the id of one of the rule set's regions")
    article: Article
    clause: str = Field(min_length=1)
    clause_source: ClauseSource = ClauseSource.VERBATIM


class Criterion(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="stable: other records refer to it")
    aspect: str = Field(description="the group it belongs to, as its text heads it (具有较强核心竞争力)")
    article: Article
    clause: str = Field(min_length=1, description="the verbatim words")
    clause_source: ClauseSource = ClauseSource.VERBATIM
    kind: CriterionKind
    measure: Measure | None = None
    number_word: str | None = None
    number_word_defined_by: str | None = Field(
        None, description="a citation, when the document defines its number word its own way"
    )
    comparator: Comparator | None = None
    threshold: Decimal | None = None
    unit: str | None = None
    precision: int = Field(2, ge=0, le=6, description="decimals shown for a computed rate or ratio")
    qualifier: Literal["一般"] | None = Field(
        None, description="一般 (as a rule): a value beyond the threshold asks a reviewer, not fails"
    )
    evidence: list[str] = Field(default_factory=list, description="what a qualitative criterion calls for")
    note: str | None = Field(None, description="how the text was read, when a choice was made")
    relaxable_in: Relaxation | None = Field(
        None, description="a region where a fail of this criterion is reviewed by a person, not binding"
    )

    @model_validator(mode="after")
    def _coherent(self) -> Criterion:
        if self.kind is CriterionKind.QUALITATIVE:
            if self.relaxable_in is not None:
                raise ValueError("a qualitative criterion is judged by a person; it needs no relaxation")
            if self.measure is not None:
                raise ValueError("a qualitative criterion has no measure: an expert judges it")
            if not self.evidence:
                raise ValueError("a qualitative criterion lists the evidence it calls for")
            bounds = [
                name
                for name in ("number_word", "comparator", "threshold", "unit", "qualifier")
                if getattr(self, name) is not None
            ]
            if bounds:
                raise ValueError(f"a qualitative criterion has no bounds; remove {', '.join(bounds)}")
            return self
        if self.measure is None:
            raise ValueError(f"a {self.kind} criterion needs a measure")
        compared = isinstance(self.measure, _COMPARED)
        given = [
            name
            for name in ("number_word", "comparator", "threshold", "unit")
            if getattr(self, name) is not None
        ]
        if compared and len(given) < 4:
            missing = sorted({"number_word", "comparator", "threshold", "unit"} - set(given))
            raise ValueError(f"a compared measure needs {', '.join(missing)}")
        if not compared and {"comparator", "threshold"} & set(given):
            raise ValueError(f"the {self.measure.formula} measure carries its own bounds")
        if compared:
            assert self.number_word is not None
            _check_word(self.number_word, self.comparator, self.number_word_defined_by, self.clause)
            if self.qualifier and f"{self.qualifier}{self.number_word}" not in self.clause:
                raise ValueError(
                    f"the qualifier {self.qualifier} must stand before {self.number_word} in the clause"
                )
        elif self.qualifier:
            raise ValueError(f"the qualifier {self.qualifier} softens a threshold; this measure has none")
        if isinstance(self.measure, QualityFirms):
            for group in self.measure.alternatives:
                _check_word(group.number_word, group.comparator, None, group.clause)
        return self


def _stands_alone(word: str, clause: str) -> bool:
    """Does ``word`` occur other than inside a longer number word (超过 inside 不超过, 低于 inside 不低于)?"""
    longer = [other for other in COMPARATOR_OF_WORD if word in other and other != word]
    for start in (index for index in range(len(clause)) if clause.startswith(word, index)):
        covered = any(
            clause.startswith(other, start - other.index(word))
            for other in longer
            if start >= other.index(word)
        )
        if not covered:
            return True
    return False


def _check_word(word: str, comparator: Comparator | None, defined_by: str | None, clause: str) -> None:
    if not _stands_alone(word, clause):
        raise ValueError(f"the number word {word} does not occur on its own in the clause {clause!r}")
    if defined_by:
        return
    if word not in COMPARATOR_OF_WORD:
        raise ValueError(
            f"{word} is not a known number word; cite where the document defines it (number_word_defined_by)"
        )
    if COMPARATOR_OF_WORD[word] != comparator:
        raise ValueError(f"{word} means {COMPARATOR_OF_WORD[word]}, not {comparator}")


class RuleSet(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    document: Document
    applies_to_province: str | None = Field(
        None, pattern=r"^[0-9]{2}$", description="GB/T 2260 province prefix; null for the national programme"
    )
    validity: Validity
    spatial_scope: SpatialScope
    public_notice: PublicNotice
    recognition_validity: RecognitionValidity
    annual_report: AnnualReport
    quotas: list[Quota] = Field(default_factory=list)
    separate_recommenders: list[SeparateRecommender] = Field(
        default_factory=list,
        description="units recommending to the owner themselves with their own quota (计划单列市)",
    )
    revocation_cases: list[RevocationCase] = Field(default_factory=list)
    definitions: list[Definition] = Field(default_factory=list)
    recommendation_basis: Citation | None = Field(
        None,
        description="the clause that lets the recommending level recommend only applications meeting the "
        "criteria (在符合认定条件的基础上); null where the project does not hold the text",
    )
    regions: list[Region] = Field(default_factory=list)
    criteria: list[Criterion] = Field(min_length=1)

    @field_validator("criteria")
    @classmethod
    def _known_regions(cls, criteria: list[Criterion], info: ValidationInfo) -> list[Criterion]:
        # regions is declared before criteria, so it is validated (and in info.data) by now; when it was
        # refused itself, its own problem is the one to report.
        if "regions" not in info.data:
            return criteria
        known = {region.id for region in info.data["regions"]}
        for index, criterion in enumerate(criteria):
            if criterion.relaxable_in and criterion.relaxable_in.region not in known:
                raise ValueError(
                    f"criteria[{index}].relaxable_in.region: {criterion.relaxable_in.region} is not one of "
                    f"the rule set's regions ({', '.join(sorted(known)) or 'none'})"
                )
        return criteria

    @model_validator(mode="after")
    def _quota_regions_known(self) -> RuleSet:
        known = {region.id for region in self.regions}
        for index, quota in enumerate(self.quotas):
            if quota.relaxable_in and quota.relaxable_in.region not in known:
                raise ValueError(
                    f"quotas[{index}].relaxable_in.region: {quota.relaxable_in.region} is not one of the "
                    f"rule set's regions ({', '.join(sorted(known)) or 'none'})"
                )
        return self

    def region_of(self, code: str) -> Region | None:
        """The rule set's region holding the division ``code`` (by its province prefix), if any."""
        return next((region for region in self.regions if code[:2] in region.provinces), None)

    def region(self, region_id: str) -> Region:
        return next(region for region in self.regions if region.id == region_id)

    def citation(self) -> str:
        """The measure as a document cites it: 《title》（文号）, a draft named as such."""
        document = self.document
        text = f"《{document.title}》"
        if document.status is DocumentStatus.DRAFT and "征求意见稿" not in document.title:
            text += "（征求意见稿）"
        if document.number:
            text += f"（{document.number}）"
        return text

    def standing_gaps(self, first: date, last: date) -> list[str]:
        """Why the measure does not plainly stand from ``first`` to ``last`` (a call's dates): a draft
        (征求意见稿) is not an issued measure, and a measure not yet in force or whose validity ended
        cannot by itself ground a decision taken then. Empty when it stands."""
        gaps = []
        if self.document.status is DocumentStatus.DRAFT:
            gaps.append(f"{self.citation()}为征求意见稿，未见正式印发")
        if self.document.status is DocumentStatus.INTERPRETATION:
            gaps.append(f"{self.citation()}仅有政策解读，未见办法原文")
        validity = self.validity
        if validity.valid_from and first < validity.valid_from:
            gaps.append(f"{self.citation()}自 {validity.valid_from} 起施行，申报开始时尚未施行")
        if validity.valid_until and last > validity.valid_until:
            where = (
                f"（{validity.article.cite()}“{validity.clause}”）"
                if validity.article and validity.clause
                else ""
            )
            gaps.append(f"{self.citation()}有效期已于 {validity.valid_until} 届满{where}")
        return gaps

    @field_validator("criteria")
    @classmethod
    def _unique_ids(cls, criteria: list[Criterion]) -> list[Criterion]:
        seen: set[str] = set()
        for index, criterion in enumerate(criteria):
            if criterion.id in seen:
                raise ValueError(f"criteria[{index}].id: {criterion.id} is used twice")
            seen.add(criterion.id)
        return criteria

    def criterion(self, criterion_id: str) -> Criterion:
        return next(criterion for criterion in self.criteria if criterion.id == criterion_id)

    def separate_recommender(self, county_code: str) -> SeparateRecommender | None:
        """The separately listed unit the county applies through, or None when it applies as usual."""
        return next((unit for unit in self.separate_recommenders if unit.covers(county_code)), None)

    def quota(self, year: int, recommender: RecommenderKind) -> Quota | None:
        """The quota binding ``recommender`` in ``year``, or None when the rule set fixes none that year."""
        return next(
            (each for each in self.quotas if each.recommender == recommender and each.applies_in(year)), None
        )


# --- loading --------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """YAML as policy needs it: a duplicate key is an error and decimals stay decimal."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


def _decimal(loader: _StrictLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")  # YAML 1.1 floats such as 1:30.5 (base 60) or .inf
    if not value.is_finite():
        raise yaml.constructor.ConstructorError(
            None, None, f"{text} is not a finite decimal number", node.start_mark
        )
    return value


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def read_yaml(text: str, *, source: str) -> Any:
    """Parse YAML strictly; a syntax error or duplicate key names the line."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise UnusableInput.single(source, where, f"is not valid YAML: {problem}") from None


def parse_rule_set(document: Any, *, source: str) -> RuleSet:
    try:
        return RuleSet.model_validate(document)
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            message = _message(detail)
            path = field_path(_without_variant_tags(tuple(detail["loc"])))
            # A check over a list names the exact entry in its message ("criteria[3].id: ...").
            if message.startswith(f"{path}["):
                path, _, message = message.partition(": ")
            problems.append(Problem(path, message))
        raise UnusableInput(source, problems) from None


def _without_variant_tags(location: tuple[int | str, ...]) -> tuple[int | str, ...]:
    # pydantic names the variant of a tagged union in the path (measure.area.years); the file has no
    # such key, so the path drops it.
    return tuple(
        part
        for index, part in enumerate(location)
        if not (index and location[index - 1] == "measure" and part in _FORMULAS)
    )


def _message(detail: Any) -> str:
    if detail["type"] == "extra_forbidden":
        return "unknown key: the rule-set schema has no such field"
    if detail["type"] == "value_error":
        return str(detail["ctx"]["error"])
    return str(detail["msg"])


def load_rule_set_file(path: Path) -> RuleSet:
    """Read a rule set from a file, e.g. a province's edited copy tried before it is deployed."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UnusableInput.single(source, "", "is not UTF-8 text") from None
    except OSError as error:
        raise UnusableInput.single(source, "", f"cannot be read: {error.strerror}") from None
    return parse_rule_set(read_yaml(text, source=source), source=source)


def _packaged_rule_sets() -> Iterator[tuple[str, str]]:
    folder = resources.files("smecluster.policy") / "rulesets"
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.name.endswith(".yaml"):
            yield entry.name.removesuffix(".yaml"), entry.read_text(encoding="utf-8")


# Rule sets an administrator installed (a province's revised measure, a new programme's criteria) live in
# the data directory beside the packaged ones, ``$SMECLUSTER_DATA_DIR/rulesets/<id>.yaml``; an installed
# file replaces the packaged rule set of the same id. The directory is looked at on every call (a few
# stat calls), so a rule set installed by the web page or the CLI takes effect in every process at once,
# without a restart; parsing happens only when a file changed.
_RULE_SET_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
_INSTALLED_FILE = re.compile(r"([a-z0-9][a-z0-9-]{1,62})\.yaml")


def installed_rule_sets_dir(data_dir: Path | None = None) -> Path:
    return (data_dir if data_dir is not None else default_data_dir()) / "rulesets"


def _installed_files(directory: Path) -> dict[str, Path]:
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return {}
    matches = ((_INSTALLED_FILE.fullmatch(name), name) for name in names)
    return {match.group(1): directory / name for match, name in matches if match}


def rule_sets() -> dict[str, RuleSet]:
    """Every rule set, by id: the packaged ones and those installed in the data directory (which win).
    A file whose id differs from its name is refused."""
    directory = installed_rule_sets_dir().resolve()
    fingerprint = tuple(
        (name, path.stat().st_ino, path.stat().st_mtime_ns, path.stat().st_size)
        for name, path in sorted(_installed_files(directory).items())
    )
    return _rule_sets(directory, fingerprint)


@lru_cache(maxsize=8)
def _rule_sets(directory: Path, fingerprint: tuple[tuple[str, int, int, int], ...]) -> dict[str, RuleSet]:
    texts = {name: (f"rulesets/{name}.yaml", text) for name, text in _packaged_rule_sets()}
    for name, path in _installed_files(directory).items():
        texts[name] = (str(path), path.read_text(encoding="utf-8-sig"))
    loaded: list[RuleSet] = []
    for name, (source, text) in texts.items():
        rule_set = parse_rule_set(read_yaml(text, source=source), source=source)
        if rule_set.id != name:
            raise UnusableInput.single(source, "id", f"{rule_set.id} differs from the file name {name}")
        loaded.append(rule_set)
    # The national programme first, as the provinces' measures implement it; then by id.
    loaded.sort(key=lambda each: (each.applies_to_province is not None, each.id))
    return {each.id: each for each in loaded}


def rule_set_text(rule_set_id: str, data_dir: Path | None = None) -> tuple[str, str] | None:
    """The YAML text a rule set is read from and where (the installed file's path, or ``package``); None
    for an id that is neither installed nor packaged."""
    installed = _installed_files(installed_rule_sets_dir(data_dir)).get(rule_set_id)
    if installed is not None:
        return str(installed), installed.read_text(encoding="utf-8-sig")
    packaged = dict(_packaged_rule_sets()).get(rule_set_id)
    return None if packaged is None else ("package", packaged)


def parse_rule_set_bytes(raw: bytes, source: str) -> RuleSet:
    """A rule set from the bytes of an upload, validated by the schema; every problem named."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnusableInput.single(source, "", "is not UTF-8 text") from None
    rule_set = parse_rule_set(read_yaml(text, source=source), source=source)
    if not _RULE_SET_ID.fullmatch(rule_set.id):
        raise UnusableInput.single(
            source, "id", f"{rule_set.id!r}: use lower-case letters, digits and hyphens, e.g. guangdong-2025"
        )
    return rule_set


def install_rule_set(raw: bytes, source: str, data_dir: Path | None = None) -> RuleSet:
    """Validate an uploaded rule set and install it under its id, replacing an earlier installed copy,
    which is kept in ``rulesets/history/`` with the time it was replaced. The file appears whole or not at
    all; the bytes validated are the bytes stored."""
    rule_set = parse_rule_set_bytes(raw, source)
    directory = installed_rule_sets_dir(data_dir)
    target = directory / f"{rule_set.id}.yaml"
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        write_atomically(directory / "history" / f"{rule_set.id}.{stamp}.yaml", target.read_bytes())
    write_atomically(target, raw)
    return rule_set


def firm_counted_title_sets(*chosen: RuleSet) -> list[tuple[QualityTitle, ...]]:
    """The sets of titles the ``chosen`` rule sets (default: every one) count together by firm, a firm
    holding two of them once: what a roster or an applicant states as ``quality_firms.holding_any`` so that
    those rule sets decide without guessing."""
    found: dict[frozenset[str], tuple[QualityTitle, ...]] = {}
    for rules in chosen or tuple(rule_sets().values()):
        for criterion in rules.criteria:
            if isinstance(criterion.measure, QualityFirms):
                for group in criterion.measure.alternatives:
                    if group.counts == "firms" and len(group.titles) > 1:
                        found.setdefault(frozenset(group.titles), tuple(group.titles))
    return list(found.values())


def rule_set_summary(each: RuleSet) -> dict[str, Any]:
    """A rule set in one line: id, document, issuer, date and validity (``smecluster rule-sets --json``, and
    ``GET /api/v1/rule-sets``)."""
    return {
        "id": each.id,
        "title": each.title,
        "document": each.document.title,
        "number": each.document.number,
        "issuer": each.document.issuer,
        "issued": each.document.issued.isoformat() if each.document.issued else None,
        "status": each.document.status.value,
        "valid_from": each.validity.valid_from.isoformat() if each.validity.valid_from else None,
        "valid_until": each.validity.valid_until.isoformat() if each.validity.valid_until else None,
        "criteria": len(each.criteria),
    }


def rule_set(rule_set_id: str) -> RuleSet:
    """The rule set with this id; an unknown id names the ones that exist."""
    known = rule_sets()
    if rule_set_id not in known:
        raise UnusableInput.single(
            "--rule-set", "", f"unknown rule set {rule_set_id!r}; known: {', '.join(sorted(known))}"
        )
    return known[rule_set_id]


def rule_set_json_schema() -> dict[str, Any]:
    return RuleSet.model_json_schema()


INCIDENT_LEVEL_RANK = {level: rank for rank, level in enumerate(INCIDENT_LEVELS)}
