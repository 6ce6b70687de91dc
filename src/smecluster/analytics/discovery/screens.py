"""Candidate clusters: every county × division of a year, screened against a rule set and ranked.

A **would-be cluster** is the file's firms of one GB/T 4754 division in one county. Its figures per year
come from :func:`.queries.indicator_panel` (run over the three years ending in the chosen one); the rule
set's quantitative criteria are applied to them **as written in the rule-set YAML** (comparator,
threshold, unit), never with thresholds of their own:

* ``each_year`` (近三年产值均在 40 亿元以上): every one of the last ``years`` years, exact comparison in
  万元 (1 亿元 = 10,000 万元);
* ``latest_share`` (中小企业产值占比, 主导产业占比): ``part × 100`` against ``threshold × whole``, exact.
  The leading industry (主导产业) of a county × division is its 4-digit class with the largest output;
* ``compound_growth`` (年均增速): ``(last / first)^(1/(n−1)) − 1`` compared exactly as
  ``last / first`` against ``(1 + threshold / 100)^(n−1)`` with rational arithmetic;
* ``per_ten_thousand`` and ``latest_value`` for the figures the file has (employees, patents, R&D);
* ``quality_firms``: distinct firms of the latest year holding any title of each alternative.

Criteria the registry cannot answer (area, incidents, trends of energy figures, qualitative aspects) are
not screened; each candidate says how many were left to the application and the experts.

**Ranking** (documented in the ADR): 1. the number of quantitative screens met, most first; 2. strong
cluster (U.S. Cluster Mapping flags) before not; 3. LQ, highest first; 4. latest output, largest first;
then county and division codes, so the order is total and the same on every run.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import importlib.resources
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from importlib import metadata
from pathlib import Path
from typing import Any, Final

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from smecluster.analytics.discovery import cube as summary_cube
from smecluster.analytics.discovery import queries, source
from smecluster.analytics.discovery.cube import Cube
from smecluster.analytics.discovery.source import as_text_code
from smecluster.errors import UnusableInput
from smecluster.policy.evaluator import FIELD_NAMES
from smecluster.policy.numberwords import SYMBOL, Comparator
from smecluster.policy.ruleset import (
    CompoundGrowth,
    Criterion,
    CriterionKind,
    EachYear,
    LatestShare,
    LatestValue,
    PerTenThousand,
    QualityFirms,
    RuleSet,
)
from smecluster.reference import divisions

Number = int | Decimal

# The registry's figure for each rule-set field, and its unit in the file.
PANEL_FIELDS: dict[str, tuple[str, str]] = {
    "output": ("output", "万元"),
    "sme_output": ("sme_output", "万元"),
    "leading_output": ("leading_output", "万元"),
    "sme_rnd": ("sme_rnd", "万元"),
    "invention_patents": ("patents", "件"),
    "employees": ("employees", "人"),
}
# How many of the file's unit make one of the rule set's unit.
UNIT_FACTORS: dict[tuple[str, str], int] = {
    ("万元", "万元"): 1,
    ("万元", "亿元"): 10_000,
    ("件", "件"): 1,
    ("件", "个"): 1,
    ("人", "人"): 1,
}


@dataclass(frozen=True, slots=True)
class Screen:
    criterion_id: str
    passed: bool | None  # None: the file lacks a figure it needs
    reason: str

    @property
    def mark(self) -> str:
        return {True: "✓", False: "✗", None: "缺"}[self.passed]


@dataclass(frozen=True, slots=True)
class Candidate:
    county_code: str
    division: str
    year: int
    figures: Mapping[int, Mapping[str, Any]]  # year → the panel's row
    quality_firms: Mapping[str, int]  # alternative clause → distinct firms in the latest year
    screens: tuple[Screen, ...]
    not_screened: int
    rank: int = 0
    reasons: tuple[str, ...] = field(default=())

    @property
    def latest(self) -> Mapping[str, Any]:
        return self.figures[self.year]

    @property
    def screens_met(self) -> int:
        return sum(1 for screen in self.screens if screen.passed)

    @property
    def cagr(self) -> float | None:
        first = self.figures.get(self.year - 2)
        if not first or not first["output"]:
            return None
        ratio: float = float(self.latest["output"]) / float(first["output"])
        return float(ratio**0.5 * 100 - 100)

    def sort_key(self) -> tuple[Any, ...]:
        return (
            -self.screens_met,
            not self.latest["strong"],
            -self.latest["lq"],
            -self.latest["output"],
            self.county_code,
            self.division,
        )


@dataclass(frozen=True, slots=True)
class Discovery:
    year: int
    rule_set_id: str
    province: str | None
    candidates: tuple[Candidate, ...]  # ranked
    pairs: int  # county × division pairs considered before the top-N cut


# --- reference tables ---------------------------------------------------------------------------


@functools.cache
def _rows(name: str) -> tuple[dict[str, str], ...]:
    text = importlib.resources.files(__package__).joinpath(f"data/{name}").read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))


def division_label(division: str) -> str:
    """``C17 纺织业``: the section letter and name of a GB/T 4754-2017 division, as far as known."""
    names = {row["division"]: row["name"] for row in _rows("gbt4754_divisions.csv")}
    section = next(
        (
            row
            for row in _rows("gbt4754_sections.csv")
            if row["first_division"] <= division <= row["last_division"]
        ),
        None,
    )
    code = f"{section['section']}{division}" if section else division
    name = names.get(division) or (section["name"] if section else "")
    return f"{code} {name}".strip()


def place_names(county_code: str) -> tuple[str, str, str]:
    """(county, city, province) names of a GB/T 2260 code; the code itself where it is unknown."""
    county = divisions.division(county_code)
    if county is None:
        return county_code, "", ""
    city = divisions.city_of(county_code)
    try:
        province = divisions.province_of(county_code).name
    except divisions.UnknownDivisionError:
        province = ""
    return county.name, city.name if city else "", province


def province_prefix(code: str) -> str:
    """A province given as ``33`` or ``330000`` → ``33`` (GB/T 2260 codes start with the province)."""
    text = code.strip()
    if len(text) == 6 and text.isdigit() and text.endswith("0000"):
        return text[:2]
    if len(text) == 2 and text.isdigit():
        return text
    raise UnusableInput.single("--province", "province", f"{code!r} is not a province code (33 or 330000)")


# --- screens ----------------------------------------------------------------------------------------


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


def _compare(left: Number | Fraction, comparator: Comparator, right: Number | Fraction) -> bool:
    """Exact: integers and fractions compare exactly in Python (a Decimal goes in as a Fraction)."""
    return _OPERATORS[comparator](left, right)


def _fmt(value: Fraction | float, digits: int = 2) -> str:
    return f"{float(value):,.{digits}f}"


def _bound_text(criterion: Criterion) -> str:
    assert criterion.comparator is not None
    assert criterion.threshold is not None
    unit = criterion.unit or ""
    number = f"{criterion.threshold:f}"
    return (
        f"{SYMBOL[criterion.comparator]} {number}{unit}"
        if unit == "%"
        else f"{SYMBOL[criterion.comparator]} {number} {unit}"
    )


def screenable(criterion: Criterion) -> bool:
    """Can the registry file answer this criterion?"""
    if criterion.kind is not CriterionKind.QUANTITATIVE:
        return False
    measure = criterion.measure
    if isinstance(measure, EachYear | LatestValue):
        return measure.field in PANEL_FIELDS and _factor(measure.field, criterion.unit) is not None
    if isinstance(measure, LatestShare):
        return measure.part in PANEL_FIELDS and measure.whole in PANEL_FIELDS and criterion.unit == "%"
    if isinstance(measure, CompoundGrowth):
        return measure.field in PANEL_FIELDS and criterion.unit == "%"
    if isinstance(measure, PerTenThousand):
        return measure.field in PANEL_FIELDS and measure.per in PANEL_FIELDS
    return isinstance(measure, QualityFirms)


def _factor(field_name: str, unit: str | None) -> int | None:
    return UNIT_FACTORS.get((PANEL_FIELDS[field_name][1], unit or ""))


@functools.cache
def _fraction(threshold: Decimal, factor: int = 1) -> Fraction:
    """A rule-set threshold (times a unit factor) as an exact fraction, made once per criterion."""
    return Fraction(threshold) * factor


@functools.cache
def _growth_factor(threshold: Decimal, periods: int) -> Fraction:
    """(1 + t/100)^periods: the ratio last/first a compound growth of t % over ``periods`` years gives."""
    return (1 + Fraction(threshold) / 100) ** periods


def _value(row: Mapping[str, Any] | None, field_name: str) -> int | Fraction | None:
    """The figure, exact: an int as it is (fast), a decimal (CSV money) as a Fraction."""
    if row is None:
        return None
    value = row.get(PANEL_FIELDS[field_name][0])
    if value is None or isinstance(value, int):
        return value
    return Fraction(value)


def screen(
    criterion: Criterion,
    figures: Mapping[int, Mapping[str, Any]],
    year: int,
    quality: Mapping[str, int],
    *,
    explain: bool = True,
) -> Screen:
    """One criterion on one would-be cluster's figures (``figures[year]`` is the latest year). Without
    ``explain`` only the outcome is computed (the ranking screens every pair; only the listed ones need
    their words)."""
    measure = criterion.measure
    comparator, threshold = criterion.comparator, criterion.threshold
    latest = figures.get(year)
    if isinstance(measure, QualityFirms):
        met = any(
            _compare(quality.get(group.clause, 0), group.comparator, group.threshold)
            for group in measure.alternatives
        )
        if not explain:
            return Screen(criterion.id, met, "")
        parts = []
        for group in measure.alternatives:
            count = quality.get(group.clause, 0)
            names = "、".join(FIELD_NAMES[title] for title in group.titles)
            parts.append(f"{names} {count} 家（{SYMBOL[group.comparator]} {group.threshold} 家）")
        return Screen(criterion.id, met, "；或 ".join(parts))
    assert comparator is not None
    assert threshold is not None
    bound = _fraction(threshold)
    if isinstance(measure, EachYear):
        factor = _factor(measure.field, criterion.unit)
        assert factor is not None
        years = list(range(year - measure.years + 1, year + 1))
        values = [_value(figures.get(y), measure.field) for y in years]
        name = FIELD_NAMES[measure.field]
        if any(v is None for v in values):
            missing = [str(y) for y, v in zip(years, values, strict=True) if v is None]
            return Screen(criterion.id, None, f"{name}缺 {'、'.join(missing)} 年数据")
        scaled = _fraction(threshold, factor)
        ok = all(_compare(v, comparator, scaled) for v in values if v is not None)
        if not explain:
            return Screen(criterion.id, ok, "")
        shown = "、".join(_fmt(Fraction(v) / factor) for v in values if v is not None)
        return Screen(
            criterion.id,
            ok,
            f"{name}近 {measure.years} 年均 {_bound_text(criterion)}（{shown} {criterion.unit}）",
        )
    if isinstance(measure, LatestValue):
        factor = _factor(measure.field, criterion.unit)
        value = _value(latest, measure.field)
        if value is None or factor is None:
            return Screen(criterion.id, None, f"缺{FIELD_NAMES[measure.field]}")
        ok = _compare(value, comparator, _fraction(threshold, factor))
        if not explain:
            return Screen(criterion.id, ok, "")
        return Screen(
            criterion.id,
            ok,
            f"{FIELD_NAMES[measure.field]} {_fmt(Fraction(value) / factor)}（{_bound_text(criterion)}）",
        )
    if isinstance(measure, LatestShare):
        part, whole = _value(latest, measure.part), _value(latest, measure.whole)
        label = "主导产业" if measure.part == "leading_output" else FIELD_NAMES[measure.part]
        if measure.part == "leading_output" and latest is not None:
            label = f"主导产业（{latest.get('leading_class')}）"
        if part is None or not whole:
            return Screen(criterion.id, None, f"{label}占比无法计算")
        ok = _compare(part * 100, comparator, bound * whole)
        if not explain:
            return Screen(criterion.id, ok, "")
        return Screen(
            criterion.id, ok, f"{label}占总产值 {_fmt(part * 100 / whole, 1)}%（{_bound_text(criterion)}）"
        )
    if isinstance(measure, CompoundGrowth):
        first = _value(figures.get(year - measure.years + 1), measure.field)
        last = _value(latest, measure.field)
        name = FIELD_NAMES[measure.field]
        if first is None or last is None or first <= 0:
            return Screen(criterion.id, None, f"{name}年均增速无法计算（缺首年或首年为 0）")
        periods = measure.years - 1
        # (last/first)^(1/p) − 1 ⋛ t/100  ⇔  last/first ⋛ (1 + t/100)^p  (both sides positive)
        ok = _compare(Fraction(last) / first, comparator, _growth_factor(threshold, periods))
        if not explain:
            return Screen(criterion.id, ok, "")
        rate = (float(last / first) ** (1 / periods) - 1) * 100
        return Screen(criterion.id, ok, f"{name}年均增速 {rate:.1f}%（{_bound_text(criterion)}）")
    if isinstance(measure, PerTenThousand):
        part, per = _value(latest, measure.field), _value(latest, measure.per)
        if part is None or not per:
            return Screen(criterion.id, None, f"每万人{FIELD_NAMES[measure.field]}无法计算")
        ok = _compare(part * 10_000, comparator, bound * per)
        if not explain:
            return Screen(criterion.id, ok, "")
        return Screen(
            criterion.id,
            ok,
            f"每万名{FIELD_NAMES[measure.per]}{FIELD_NAMES[measure.field]} "
            f"{_fmt(part * 10_000 / per)}（{_bound_text(criterion)}）",
        )
    raise ValueError(f"{criterion.id}: not a screen the registry can answer")


def lq_reasons(row: Mapping[str, Any]) -> list[str]:
    """The U.S. Cluster Mapping flags as words: what makes (or fails to make) a strong cluster."""
    reasons = [
        f"区位熵 LQ {row['lq']:.2f}（{'前 25%' if row['top_quartile_lq'] else '未进前 25%'}，"
        f"{'≥ 1' if row['lq_at_least_one'] else '< 1'}）",
        f"从业人员 {row['employees']:,} 人"
        f"（{'高于' if row['employment_above_q1'] else '不高于'}后 25% 分位）",
        f"企业 {row['firms']:,} 家（{'高于' if row['firms_above_q1'] else '不高于'}后 25% 分位）",
    ]
    reasons.insert(0, "强集群（四项标志均满足）" if row["strong"] else "非强集群")
    return reasons


# --- the discovery run ------------------------------------------------------------------------------


def quality_firm_counts(enterprises: ir.Table, year: int, groups: Mapping[str, Iterable[str]]) -> ir.Table:
    """Distinct firms (rows) of ``year`` per county × division holding any title of each group."""
    t = enterprises.filter(enterprises.year == year)
    titles = t.titles
    counts = {}
    for index, keys in enumerate(groups.values()):
        holds = queries.any_of([titles.contains(key).fill_null(False) for key in keys])
        counts[f"group_{index}"] = ibis.ifelse(holds, 1, 0).sum().cast(dt.int64)
    cells = t.group_by(["county_code", "division"]).aggregate(**counts)
    return cells.mutate(
        county_code=as_text_code(cells.county_code, 6), division=as_text_code(cells.division, 2)
    )


@dataclass(frozen=True, slots=True)
class _Question:
    """What a discovery run asks: the year, the rule set's screenable criteria, the title groups its
    quality-firm criteria name (clause → titles), the province and how many to list."""

    year: int
    rule_set: RuleSet
    criteria: list[Criterion]
    not_screened: int
    groups: Mapping[str, tuple[str, ...]]
    prefix: str | None
    top: int | None

    @classmethod
    def of(cls, year: int, rule_set: RuleSet, province: str | None, top: int | None) -> _Question:
        criteria = [c for c in rule_set.criteria if screenable(c)]
        groups = {
            group.clause: tuple(group.titles)
            for c in criteria
            if isinstance(c.measure, QualityFirms)
            for group in c.measure.alternatives
        }
        return cls(
            year=year,
            rule_set=rule_set,
            criteria=criteria,
            not_screened=len(rule_set.criteria) - len(criteria),
            groups=groups,
            prefix=province_prefix(province) if province else None,
            top=top,
        )

    @property
    def window(self) -> tuple[int, int]:
        return (self.year - 2, self.year)


def discover(
    data: ir.Table | Cube,
    year: int,
    rule_set: RuleSet,
    *,
    province: str | None = None,
    top: int | None = None,
) -> Discovery:
    """Screen and rank every county × division with firms in ``year`` (within ``province`` if given;
    LQs stay relative to the whole file, as the Cluster Mapping method compares with the nation).

    ``data`` is the firm-year table (:mod:`.source`) or a prepared dataset's cube (:mod:`.cube`), which
    gives the same answer in milliseconds. The screens and the order are computed by the engine
    (:func:`ranking`) over every pair, and only the ``top`` listed are screened again here, with words;
    where a figure the screens compare is a floating-point column (an extract with money as doubles) the
    engine could not compare exactly, and every pair is screened here instead (:func:`screen`)."""
    question = _Question.of(year, rule_set, province, top)
    if isinstance(data, Cube):
        return _from_cube(data, question)
    return _from_firm_years(data, question)


def _from_firm_years(enterprises: ir.Table, question: _Question) -> Discovery:
    in_window = enterprises.filter(enterprises.year.between(*question.window))
    panel = queries.indicator_panel(in_window)
    if question.prefix:
        panel = panel.filter(panel.county_code.startswith(question.prefix))
    groups = question.groups
    quality = quality_firm_counts(in_window, question.year, groups) if groups else None
    with panel.cache() as cached:  # read twice: by the ranking and to count the pairs
        if not _exact_in_engine(cached.schema(), question.criteria):
            return _ranked_here(cached, quality, question)
        wide = queries.with_earlier_years(cached, summary_cube.EARLIER_YEAR_FIGURES)
        wide = wide.filter(wide.year == question.year)
        listed = ranking(wide, quality, question.criteria, groups, question.top).to_pyarrow().to_pylist()
        pairs = int(wide.count().to_pyarrow().as_py())
    return _listed(listed, pairs, question)


def _from_cube(cube: Cube, question: _Question) -> Discovery:
    """The ranking over the cube's panel (one row per pair and year, the earlier years' figures beside),
    as SQL compiled once per rule set and kept (:func:`cube_ranking_sql`): a question reads two views of
    the asked year and province, so changing them costs no compiling."""
    if not _exact_in_engine(cube.panel.schema(), question.criteria):
        panel = summary_cube.indicator_panel(cube, question.window)
        if question.prefix:
            panel = panel.filter(panel.county_code.startswith(question.prefix))
        groups = question.groups
        quality = summary_cube.quality_firm_counts(cube, question.year, groups) if groups else None
        return _ranked_here(panel, quality, question)
    connection = cube.connection
    prefix = question.prefix or ""
    year = int(question.year)
    connection.raw_sql(
        f"CREATE OR REPLACE TEMP VIEW discovery_wide AS SELECT * FROM {cube.panel_sql} "
        f"WHERE year = {year} AND starts_with(county_code, '{prefix}')"
    )
    connection.raw_sql(
        f"CREATE OR REPLACE TEMP VIEW discovery_titles AS SELECT * FROM {cube.titles_sql} WHERE year = {year}"
    )
    sql = cube_ranking_sql(cube, question.rule_set, question.top)
    listed = connection.raw_sql(sql).arrow().read_all().to_pylist()
    (pairs,) = connection.raw_sql("SELECT count(*) FROM discovery_wide").fetchone()
    return _listed(listed, int(pairs), question)


def cube_ranking_sql(cube: Cube, rule_set: RuleSet, top: int | None) -> str:
    """:func:`ranking` of ``rule_set`` over the views ``discovery_wide`` and ``discovery_titles`` as DuckDB
    SQL, listing ``top`` pairs. Ibis takes 50–150 ms to build and compile it, more than DuckDB takes to run
    it, so it is compiled once: by ``discover prepare`` for every rule set loaded then (kept in the prepared
    directory, :func:`keep_compiled_rankings`), or at the first question in a process (kept in memory)."""
    text, panel, titles = rule_set.model_dump_json(), cube.panel.schema(), cube.titles.schema()
    kept = cube.directory / summary_cube.COMPILED_DIRECTORY / f"{_ranking_key(text, panel, titles)}.sql"
    sql = _kept_statement(kept) if kept.is_file() else _compiled_ranking(text, panel, titles)
    return summary_cube.limited(sql, top)


@functools.lru_cache(maxsize=64)
def _kept_statement(path: Path) -> str:
    """A compiled statement of a prepared directory, read once per process (its name is the hash of what
    it was compiled from, so the same name is the same statement)."""
    return path.read_text(encoding="utf-8")


def keep_compiled_rankings(directory: Path, rule_sets: Iterable[RuleSet]) -> int:
    """Compile the ranking of each rule set for the prepared ``directory`` into it (``compiled/<key>.sql``):
    a question then compiles nothing, even in a fresh process (the command line). Returns how many."""
    connection = source.connect_duckdb(1)
    panel = connection.read_parquet(str(directory / summary_cube.PANEL_FILE)).schema()
    titles = connection.read_parquet(str(directory / summary_cube.TITLES_FILE)).schema()
    kept = directory / summary_cube.COMPILED_DIRECTORY
    kept.mkdir(exist_ok=True)
    count = 0
    for rule_set in rule_sets:
        text = rule_set.model_dump_json()
        sql = _compiled_ranking(text, panel, titles)
        (kept / f"{_ranking_key(text, panel, titles)}.sql").write_text(sql, encoding="utf-8")
        count += 1
    return count


def _ranking_key(rule_set_json: str, panel_schema: ibis.Schema, titles_schema: ibis.Schema) -> str:
    """What a kept statement depends on: the rule set's text, the two tables' columns and types, and the
    versions of the compilers (a new Ibis may write other SQL)."""
    material = "\n".join(
        [
            rule_set_json,
            repr(panel_schema),
            repr(titles_schema),
            ibis.__version__,
            metadata.version("sqlglot"),
        ]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=64)
def _compiled_ranking(rule_set_json: str, panel_schema: ibis.Schema, titles_schema: ibis.Schema) -> str:
    question = _Question.of(0, RuleSet.model_validate_json(rule_set_json), None, summary_cube.ANY_LIMIT)
    wide = ibis.table(panel_schema, name="discovery_wide")
    titles = ibis.table(titles_schema, name="discovery_titles")
    groups = question.groups
    quality = summary_cube.quality_counts(titles, groups) if groups else None
    expression = ranking(wide, quality, question.criteria, groups, summary_cube.ANY_LIMIT)
    sql = str(ibis.to_sql(expression, dialect="duckdb"))
    assert sql.count(f"LIMIT {summary_cube.ANY_LIMIT}") == 1
    return sql


def _listed(listed: list[dict[str, Any]], pairs: int, question: _Question) -> Discovery:
    """The pairs the engine listed, in its order (rows of :func:`ranking`), screened again with words."""
    earlier = summary_cube.EARLIER_YEAR_FIGURES
    candidates = []
    for index, row in enumerate(listed, start=1):
        latest = {name: value for name, value in row.items() if not _is_carried(name)}
        figures: dict[int, Mapping[str, Any]] = {question.year: latest}
        for back in (1, 2):
            if row[f"firms_{back}"] is not None:  # the pair had a row that year (firms is never NULL)
                figures[question.year - back] = {name: row[f"{name}_{back}"] for name in earlier}
        counts = {clause: row[f"group_{i}"] for i, clause in enumerate(question.groups)}
        screens = tuple(screen(c, figures, question.year, counts, explain=False) for c in question.criteria)
        candidate = Candidate(
            row["county_code"],
            row["division"],
            question.year,
            figures,
            counts,
            screens,
            question.not_screened,
        )
        candidates.append(_with_rank(candidate, index, question.criteria))
    return Discovery(question.year, question.rule_set.id, question.prefix, tuple(candidates), pairs)


def _is_carried(name: str) -> bool:
    """A column :func:`ranking` adds to the panel's: an earlier year's figure or a quality-firm count."""
    stem, _, suffix = name.rpartition("_")
    return (suffix in ("1", "2") and stem in summary_cube.EARLIER_YEAR_FIGURES) or stem == "group"


def _quality_counts(
    rows: Iterable[Mapping[str, Any]], groups: Mapping[str, Any]
) -> dict[tuple[str, str], dict[str, int]]:
    return {
        (row["county_code"], row["division"]): {
            clause: row[f"group_{index}"] for index, clause in enumerate(groups)
        }
        for row in rows
    }


def _candidates(
    rows: Iterable[Mapping[str, Any]],
    quality: Mapping[tuple[str, str], Mapping[str, int]],
    question: _Question,
) -> list[Candidate]:
    """Every pair with figures in the asked year among the panel ``rows``, screened (without words)."""
    year = question.year
    figures: dict[tuple[str, str], dict[int, Mapping[str, Any]]] = {}
    for row in rows:
        figures.setdefault((row["county_code"], row["division"]), {})[row["year"]] = row
    candidates = []
    for (county, division), by_year in figures.items():
        if year not in by_year:
            continue
        # A pair without titled firms may have no row of counts (the cube keeps only titled firms).
        counts = quality.get((county, division)) or dict.fromkeys(question.groups, 0)
        screens = tuple(screen(c, by_year, year, counts, explain=False) for c in question.criteria)
        candidates.append(Candidate(county, division, year, by_year, counts, screens, question.not_screened))
    return candidates


def _ranked_here(panel: ir.Table, quality: ir.Table | None, question: _Question) -> Discovery:
    """Every pair of ``panel`` screened and ranked here (:attr:`Candidate.sort_key`), with the quality-firm
    counts of ``quality``: where the engine cannot compare exactly."""
    rows = panel.to_pyarrow().to_pylist()
    quality_rows = quality.to_pyarrow().to_pylist() if quality is not None else []
    candidates = _candidates(rows, _quality_counts(quality_rows, question.groups), question)
    candidates.sort(key=Candidate.sort_key)
    pairs = len(candidates)
    if question.top is not None:
        candidates = candidates[: question.top]
    ranked = tuple(
        _with_rank(candidate, index, question.criteria) for index, candidate in enumerate(candidates, start=1)
    )
    return Discovery(question.year, question.rule_set.id, question.prefix, ranked, pairs)


def ranking(
    wide: ir.Table,
    quality: ir.Table | None,
    criteria: list[Criterion],
    groups: Mapping[str, Any],
    top: int | None,
) -> ir.Table:
    """The rows of ``wide`` (one per pair of the asked year, with the earlier years' figures:
    :func:`.queries.with_earlier_years`) in the order of :attr:`Candidate.sort_key`, the first ``top``, with
    their quality-firm counts (``group_<i>``)."""
    key = ["county_code", "division"]
    if quality is not None:
        joined = wide.left_join(quality, key)
        wide = joined.select(
            *(joined[name] for name in wide.columns),
            **{f"group_{i}": joined[f"group_{i}"].fill_null(0) for i in range(len(groups))},
        )
    met = [ibis.ifelse(outcome.fill_null(False), 1, 0) for outcome in engine_screens(wide, criteria, groups)]
    ranked = wide.mutate(screens_met=sum(met[1:], met[0]) if met else ibis.literal(0))
    ranked = ranked.order_by(
        [
            ibis.desc(ranked.screens_met),
            ibis.desc(ranked.strong),
            ibis.desc(ranked.lq),
            ibis.desc(ranked.output),
            ranked.county_code,
            ranked.division,
        ]
    )
    if top is not None:
        ranked = ranked.limit(top)
    return ranked.drop("screens_met")


ENGINE_FIELDS: Final = tuple(column for column, _unit in PANEL_FIELDS.values())
"""The panel's figures the screens compare."""
assert set(ENGINE_FIELDS) <= set(summary_cube.EARLIER_YEAR_FIGURES)


def _exact_in_engine(schema: ibis.Schema, criteria: list[Criterion]) -> bool:
    """Can the engine compare every screened figure exactly (integers or decimals, no doubles)?"""
    return not criteria or all(
        schema[column].is_integer() or schema[column].is_decimal() for column in ENGINE_FIELDS
    )


_EXACT = dt.Decimal(38, 0)


def _scaled(value: ir.NumericValue, factor: int) -> ir.NumericValue:
    """``value × factor`` without overflow or rounding: integers as 38-digit decimals (an overflow is an
    error, never a wrapped number), decimals as they are."""
    exact: ir.NumericValue = value.cast(_EXACT) if value.type().is_integer() else value
    return exact * factor


def _ratio_compare(
    left: ir.NumericValue, comparator: Comparator, right: ir.NumericValue, bound: Fraction
) -> ir.BooleanValue:
    """``left ⋛ bound × right`` exactly: ``left × q ⋛ right × p`` for ``bound = p / q`` (q > 0)."""
    compared: ir.BooleanValue = _OPERATORS[comparator](
        _scaled(left, bound.denominator), _scaled(right, bound.numerator)
    )
    return compared


def _value_compare(value: ir.NumericValue, comparator: Comparator, bound: Fraction) -> ir.BooleanValue:
    """``value ⋛ bound`` exactly."""
    compared: ir.BooleanValue = _OPERATORS[comparator](
        _scaled(value, bound.denominator), ibis.literal(bound.numerator).cast(_EXACT)
    )
    return compared


def _column(wide: ir.Table, field_name: str, back: int = 0) -> ir.NumericValue:
    column = PANEL_FIELDS[field_name][0]
    value: ir.NumericValue = wide[column if back == 0 else f"{column}_{back}"]
    return value


def _unknown() -> ir.BooleanValue:
    return ibis.null(dt.boolean)


def engine_screens(
    wide: ir.Table, criteria: list[Criterion], groups: Mapping[str, Any]
) -> list[ir.BooleanValue]:
    """Each criterion as a boolean column of :func:`ranking`'s table: TRUE met, FALSE not, NULL where
    :func:`screen` says a figure is missing, with the same exact comparisons (integer and decimal
    arithmetic)."""
    clauses = list(groups)
    outcomes: list[ir.BooleanValue] = []
    for criterion in criteria:
        measure = criterion.measure
        if isinstance(measure, QualityFirms):
            met = [
                _OPERATORS[group.comparator](wide[f"group_{clauses.index(group.clause)}"], group.threshold)
                for group in measure.alternatives
            ]
            outcomes.append(queries.any_of(met))
            continue
        comparator, threshold = criterion.comparator, criterion.threshold
        assert comparator is not None
        assert threshold is not None
        bound = _fraction(threshold)
        if isinstance(measure, EachYear):
            factor = _factor(measure.field, criterion.unit)
            assert factor is not None
            if measure.years > 3:  # beyond the three years read: a year is always missing
                outcomes.append(_unknown())
                continue
            values = [_column(wide, measure.field, back) for back in range(measure.years)]
            missing = queries.any_of([value.isnull() for value in values])
            each = queries.all_of(
                [_value_compare(v, comparator, _fraction(threshold, factor)) for v in values]
            )
            outcomes.append(ibis.ifelse(missing, _unknown(), each))
        elif isinstance(measure, LatestValue):
            factor = _factor(measure.field, criterion.unit)
            assert factor is not None
            outcomes.append(
                _value_compare(_column(wide, measure.field), comparator, _fraction(threshold, factor))
            )
        elif isinstance(measure, LatestShare):
            part, whole = _column(wide, measure.part), _column(wide, measure.whole)
            unknown = part.isnull() | whole.isnull() | (whole == 0)
            share = _ratio_compare(_scaled(part, 100), comparator, whole, bound)
            outcomes.append(ibis.ifelse(unknown, _unknown(), share))
        elif isinstance(measure, CompoundGrowth):
            if measure.years > 3:
                outcomes.append(_unknown())
                continue
            first = _column(wide, measure.field, measure.years - 1)
            last = _column(wide, measure.field)
            unknown = first.isnull() | last.isnull() | (first <= 0)
            grown = _ratio_compare(last, comparator, first, _growth_factor(threshold, measure.years - 1))
            outcomes.append(ibis.ifelse(unknown, _unknown(), grown))
        elif isinstance(measure, PerTenThousand):
            part, per = _column(wide, measure.field), _column(wide, measure.per)
            unknown = part.isnull() | per.isnull() | (per == 0)
            rate = _ratio_compare(_scaled(part, 10_000), comparator, per, bound)
            outcomes.append(ibis.ifelse(unknown, _unknown(), rate))
        else:
            raise ValueError(f"{criterion.id}: not a screen the registry can answer")
    return outcomes


def _with_rank(candidate: Candidate, rank: int, criteria: list[Criterion]) -> Candidate:
    """The candidate at its place in the ranking, its screens now with their words."""
    screens = tuple(screen(c, candidate.figures, candidate.year, candidate.quality_firms) for c in criteria)
    reasons = [*lq_reasons(candidate.latest)]
    reasons += [f"{s.mark} {s.reason}" for s in screens]
    if candidate.not_screened:
        reasons.append(f"另有 {candidate.not_screened} 项条件需申报材料或专家评审，未从企业数据筛查")
    return Candidate(
        candidate.county_code,
        candidate.division,
        candidate.year,
        candidate.figures,
        candidate.quality_firms,
        screens,
        candidate.not_screened,
        rank,
        tuple(reasons),
    )


def candidate_record(candidate: Candidate) -> dict[str, Any]:
    """One candidate as a flat record for CSV, XLSX and JSON (every amount names its unit)."""
    latest = candidate.latest
    county, city, province = place_names(candidate.county_code)
    output_yi = [
        float(Fraction(candidate.figures[y]["output"]) / 10_000) if y in candidate.figures else None
        for y in range(candidate.year - 2, candidate.year + 1)
    ]
    cagr = candidate.cagr
    return {
        "rank": candidate.rank,
        "county_code": candidate.county_code,
        "county": county,
        "city": city,
        "province": province,
        "division": candidate.division,
        "industry": division_label(candidate.division),
        "year": candidate.year,
        "firms": latest["firms"],
        "smes": latest["smes"],
        "employees": latest["employees"],
        "output_yi_yuan": round(float(Fraction(latest["output"]) / 10_000), 4),
        "output_yi_yuan_by_year": output_yi,
        "lq": round(latest["lq"], 4),
        "strong_cluster": latest["strong"],
        "top_quartile_lq": latest["top_quartile_lq"],
        "lq_at_least_one": latest["lq_at_least_one"],
        "employment_above_q1": latest["employment_above_q1"],
        "firms_above_q1": latest["firms_above_q1"],
        "sme_output_share_percent": None
        if latest["sme_output_share"] is None
        else round(latest["sme_output_share"], 2),
        "leading_class": latest["leading_class"],
        "output_cagr_percent": None if cagr is None else round(cagr, 2),
        "rnd_intensity_percent": None
        if latest["rnd_intensity"] is None
        else round(latest["rnd_intensity"], 2),
        "patents_per_10k_employees": None
        if latest["patents_per_10k_employees"] is None
        else round(latest["patents_per_10k_employees"], 2),
        "titled_firms": latest["titled_firms"],
        "screens_met": candidate.screens_met,
        "screens": len(candidate.screens),
        "screens_detail": {s.criterion_id: s.passed for s in candidate.screens},
        "reasons": list(candidate.reasons),
    }
