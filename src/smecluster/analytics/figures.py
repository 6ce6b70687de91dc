"""The figures of the yearly evaluation report (集群发展评估报告), each defined once.

A figure is computed over a list of :class:`ClusterYear` facts: one recognized cluster in one reported
year, with its annual information form's figures (:class:`~smecluster.annual_figures.AnnualFigures`) and,
for growth, the previous year's. The report, the dashboard and the XLSX export all read
:data:`CATALOGUE`; nothing else defines a figure.

How the figures treat incomplete data, so that a figure never pretends:

* Absent is not zero. A sum covers the clusters that reported the field, and says how many they are
  (``covered`` of ``total``). A figure no cluster reported has no value, and says so.
* A share pairs its numerator and denominator cluster by cluster: SME output share is the SME output of
  the clusters that reported it over the total output of the *same* clusters.
* Growth is like for like: the clusters that reported the field in both years, this year's sum over last
  year's, so a cluster recognized this year does not read as growth.
* Arithmetic is exact (:class:`~fractions.Fraction` over the forms' decimals); rounding happens once, when
  a value is written out, half up, to the figure's places.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from typing import TypeVar

from smecluster.annual_figures import AnnualFigures
from smecluster.reference.regions import RegionScheme, region_of
from smecluster.reference.sectors import NOT_GIVEN, UNRECOGNISED, sector_or_unrecognised, sectors


class Theme(StrEnum):
    """The report's themes, in the order of the CESI report's 发展成效 chapter."""

    SCALE = "产业规模"
    FIRMS = "企业结构"
    INNOVATION = "创新"
    DIGITAL = "数字化"
    GREEN = "绿色"
    OPENNESS = "开放"
    GOVERNANCE = "治理"


class Source(StrEnum):
    """Where a cluster-year's figures came from; the report lists it for every cluster-year."""

    ANNUAL_REPORT = "年度培育情况信息表"
    APPLICATION = "认定申报材料（年度数据）"


@dataclass(frozen=True)
class ClusterYear:
    """One recognized cluster's figures for one reported year."""

    number: str
    name: str
    province: str
    city: str | None
    county: str
    industry: str
    year: int
    figures: AnnualFigures
    source: Source
    previous: AnnualFigures | None = None
    previous_source: Source | None = None
    place: str = ""
    """The county's full name (广东省佛山市顺德区), for the report's tables; the codes are what counts."""
    industry_code: str = ""
    """The leading industry's GB/T 4754 code; the sector a report counts the cluster under comes from it."""

    def __post_init__(self) -> None:
        if self.figures.year != self.year:
            raise ValueError(f"{self.number}: figures of {self.figures.year} given as those of {self.year}")
        if self.previous is not None and self.previous.year != self.year - 1:
            raise ValueError(
                f"{self.number}: previous figures of {self.previous.year} given for {self.year - 1}"
            )

    def region(self, scheme: RegionScheme = RegionScheme.THREE) -> str:
        return region_of(self.province, scheme)

    @property
    def sector(self) -> str:
        return sector_or_unrecognised(self.industry_code)

    def previous_year(self) -> ClusterYear | None:
        """The same cluster one year earlier (without its own previous year), when it was reported."""
        if self.previous is None or self.previous_source is None:
            return None
        return replace(
            self,
            year=self.year - 1,
            figures=self.previous,
            source=self.previous_source,
            previous=None,
            previous_source=None,
        )


@dataclass(frozen=True)
class ClusterEntry:
    """A cluster a report covers, whether or not it has figures for the year: what the distributions by
    sector and region count, and what the list of clusters without figures names."""

    number: str
    name: str
    province: str
    county: str
    place: str
    industry: str
    industry_code: str = ""

    @property
    def sector(self) -> str:
        return sector_or_unrecognised(self.industry_code)

    def region(self, scheme: RegionScheme = RegionScheme.THREE) -> str:
        return region_of(self.province, scheme)

    @classmethod
    def of(cls, fact: ClusterYear) -> ClusterEntry:
        return cls(
            fact.number, fact.name, fact.province, fact.county, fact.place, fact.industry, fact.industry_code
        )


@dataclass(frozen=True)
class UnreadableRecord:
    """A stored record that failed validation (an annual form, an application's year): named by cluster
    number and year with the reason, so one bad record is reported instead of stopping the report."""

    number: str
    year: int
    source: str
    reason: str


@dataclass(frozen=True)
class Coverage:
    """Every cluster of a scope's report for one year: those with figures (``facts``), those without
    (``unreported``, never dropped silently), and the stored records that could not be read."""

    year: int
    facts: tuple[ClusterYear, ...]
    unreported: tuple[ClusterEntry, ...] = ()
    unreadable: tuple[UnreadableRecord, ...] = ()

    @property
    def total(self) -> int:
        return len(self.facts) + len(self.unreported)

    @property
    def entries(self) -> tuple[ClusterEntry, ...]:
        """All the clusters, by number."""
        every = [ClusterEntry.of(fact) for fact in self.facts] + list(self.unreported)
        return tuple(sorted(every, key=lambda entry: entry.number))


Counted = TypeVar("Counted")

SECTOR_ORDER = (*sectors(), UNRECOGNISED, NOT_GIVEN)
"""Sectors in the mapping's order; a code not recognised and no code at all last."""


def distribution(
    entries: Iterable[Counted],
    key: Callable[[Counted], str],
    order: Sequence[str] = (),
    *,
    zeros: bool = False,
) -> tuple[Part, ...]:
    """Clusters counted per label. With ``zeros``, every label of ``order`` in that order, zeros kept (a
    region list: "东、中、西部分别…"), then any other label; without, only the labels that have clusters,
    most first, ties in the order of ``order`` (a sector list: the mapping's order, unknowns last)."""
    counts = Counter(key(entry) for entry in entries)
    position = {label: index for index, label in enumerate(order)}

    def rank(label: str) -> tuple[int, int, str]:
        return -counts[label], position.get(label, len(position)), label

    if zeros:
        labels = list(order) + sorted((label for label in counts if label not in position), key=rank)
    else:
        labels = sorted(counts, key=rank)
    return tuple(Part(label, Fraction(counts[label])) for label in labels)


def _exact(value: Decimal | int | None) -> Fraction | None:
    return None if value is None else Fraction(value)


@dataclass(frozen=True)
class Part:
    """One row of a breakdown (an industry, a region, a title) with its value."""

    label: str
    value: Fraction


@dataclass(frozen=True)
class Outcome:
    """What a figure's formula gives: a value, or none with the reason; and the clusters it covers."""

    value: Fraction | None
    covered: int
    parts: tuple[Part, ...] = ()
    reason: str = ""
    note: str = ""
    """How the value was reached when the formula had to fall back (a plain mean without firm counts)."""


NO_DATA = "无数据"


@dataclass(frozen=True)
class Figure:
    """One figure of the report: what it is, how it is computed, from which fields of the form."""

    id: str
    name: str
    unit: str
    theme: Theme
    formula: str
    sources: tuple[str, ...]
    compute: Callable[[Sequence[ClusterYear]], Outcome] = field(repr=False, compare=False)
    places: int = 0
    headline: bool = False

    def over(self, facts: Sequence[ClusterYear]) -> FigureValue:
        outcome = self.compute(facts)
        return FigureValue(
            self, outcome.value, outcome.covered, len(facts), outcome.parts, outcome.reason, outcome.note
        )


@dataclass(frozen=True)
class FigureValue:
    """A figure's value over a set of cluster-years, with how many of them it covers."""

    figure: Figure
    value: Fraction | None
    covered: int
    total: int
    parts: tuple[Part, ...] = ()
    reason: str = ""
    note: str = ""

    @property
    def decimal(self) -> Decimal | None:
        """The value rounded half up to the figure's places; None when there is none."""
        return None if self.value is None else rounded(self.value, self.figure.places)

    @property
    def coverage(self) -> str:
        """``n/N``: how many of the cluster-years the figure covers, and how when the formula fell back."""
        note = f"（{self.note}）" if self.note else ""
        return f"{self.covered}/{self.total}{note}"

    def text(self, *, with_unit: bool = True, spaced: bool = True) -> str:
        """The value as a table writes it (``48.40 亿元``) or, not ``spaced``, as Chinese prose does
        (``48.40亿元``); or 无数据 with the reason."""
        if self.value is None:
            return f"{NO_DATA}（{self.reason}）" if self.reason else NO_DATA
        number = format(self.decimal, "f")
        if not with_unit:
            return number
        return f"{number} {self.figure.unit}" if spaced else f"{number}{self.figure.unit}"

    def part_text(self, part: Part) -> str:
        return format(rounded(part.value, self.figure.places), "f")


def rounded(value: Fraction, places: int) -> Decimal:
    """``value`` rounded half up to ``places`` decimals, exactly (no float on the way)."""
    with localcontext() as context:
        context.prec = 50
        quotient = Decimal(value.numerator) / Decimal(value.denominator)
        return quotient.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# --- the formulas ------------------------------------------------------------------------------------

Getter = Callable[[AnnualFigures], Decimal | int | None]
FlagGetter = Callable[[AnnualFigures], bool | None]

HUNDRED = Fraction(100)


def _nobody_reported(sources: str) -> str:
    return f"没有集群填报{sources}"


def _total(get: Getter, what: str) -> Callable[[Sequence[ClusterYear]], Outcome]:
    def compute(facts: Sequence[ClusterYear]) -> Outcome:
        values = [value for fact in facts if (value := _exact(get(fact.figures))) is not None]
        if not values:
            return Outcome(None, 0, reason=_nobody_reported(what))
        return Outcome(sum(values, Fraction(0)), len(values))

    return compute


def _ratio(
    numerator: Getter, denominator: Getter, what: str, scale: Fraction = HUNDRED
) -> Callable[[Sequence[ClusterYear]], Outcome]:
    """Σ numerator / Σ denominator × scale, over the clusters that reported both."""

    def compute(facts: Sequence[ClusterYear]) -> Outcome:
        pairs = [
            (top, bottom)
            for fact in facts
            if (top := _exact(numerator(fact.figures))) is not None
            and (bottom := _exact(denominator(fact.figures))) is not None
        ]
        if not pairs:
            return Outcome(None, 0, reason=_nobody_reported(what))
        below = sum((bottom for _top, bottom in pairs), Fraction(0))
        if below == 0:
            return Outcome(None, len(pairs), reason="分母为零")
        return Outcome(sum((top for top, _bottom in pairs), Fraction(0)) / below * scale, len(pairs))

    return compute


def _growth(get: Getter, what: str) -> Callable[[Sequence[ClusterYear]], Outcome]:
    """(Σ this year / Σ last year − 1) × 100 over the clusters that reported the field in both years."""

    def compute(facts: Sequence[ClusterYear]) -> Outcome:
        pairs = [
            (now, before)
            for fact in facts
            if fact.previous is not None
            and (now := _exact(get(fact.figures))) is not None
            and (before := _exact(get(fact.previous))) is not None
        ]
        if not pairs:
            return Outcome(None, 0, reason=f"没有集群同时填报本年和上年的{what}")
        before_total = sum((before for _now, before in pairs), Fraction(0))
        if before_total == 0:
            return Outcome(None, len(pairs), reason="上年合计为零")
        now_total = sum((now for now, _before in pairs), Fraction(0))
        return Outcome((now_total / before_total - 1) * HUNDRED, len(pairs))

    return compute


def _mean(get: Getter, what: str) -> Callable[[Sequence[ClusterYear]], Outcome]:
    """The arithmetic mean of a per-cent figure over the clusters that reported it: only for figures whose
    whole (tonnes of waste, cubic metres of water, tonnes of coal equivalent) no form reports, so no
    weighted share can be formed; the figure's formula says so."""

    def compute(facts: Sequence[ClusterYear]) -> Outcome:
        values = [value for fact in facts if (value := _exact(get(fact.figures))) is not None]
        if not values:
            return Outcome(None, 0, reason=_nobody_reported(what))
        return Outcome(sum(values, Fraction(0)) / len(values), len(values))

    return compute


def _firms(figures: AnnualFigures) -> int | None:
    return figures.firms


def _share_of_firms(rate: Getter, what: str) -> Callable[[Sequence[ClusterYear]], Outcome]:
    """A per-cent share of firms over several clusters, as one share of all their firms:
    Σ (rate × firms) ÷ Σ firms, over the clusters that reported both (a cluster of 300 firms weighs thrice
    one of 100; the mean of the ratios would weigh them alike). Where none of the clusters that reported
    the rate reported its firm count, the plain mean of the rates, and the value's note says so."""

    def compute(facts: Sequence[ClusterYear]) -> Outcome:
        rates = [(value, fact) for fact in facts if (value := _exact(rate(fact.figures))) is not None]
        if not rates:
            return Outcome(None, 0, reason=_nobody_reported(what))
        weighted = [
            (value, weight) for value, fact in rates if (weight := _exact(_firms(fact.figures))) is not None
        ]
        firms = sum((weight for _value, weight in weighted), Fraction(0))
        if not weighted or firms == 0:
            mean = sum((value for value, _fact in rates), Fraction(0)) / len(rates)
            return Outcome(mean, len(rates), note=PLAIN_MEAN_NOTE)
        return Outcome(
            sum((value * weight for value, weight in weighted), Fraction(0)) / firms, len(weighted)
        )

    return compute


PLAIN_MEAN_NOTE = "未填报企业数，取算术平均"


def _clusters_with(flag: FlagGetter, what: str) -> Callable[[Sequence[ClusterYear]], Outcome]:
    """The share of clusters, among those that answered, whose answer is yes; in per cent."""

    def compute(facts: Sequence[ClusterYear]) -> Outcome:
        answers = [answer for fact in facts if (answer := flag(fact.figures)) is not None]
        if not answers:
            return Outcome(None, 0, reason=_nobody_reported(what))
        return Outcome(Fraction(sum(answers), len(answers)) * HUNDRED, len(answers))

    return compute


def _above(get: Getter, mark: Decimal) -> FlagGetter:
    """Strictly above ``mark``: CESI's "高于60%" is exclusive, as 高于 and 超过 are in the rule sets' number
    words (以上 and 不低于 are the inclusive ones); a cluster at exactly 60 % is not above it."""

    def flag(figures: AnnualFigures) -> bool | None:
        value = get(figures)
        return None if value is None else value > mark

    return flag


def _more_than_zero(get: Getter) -> FlagGetter:
    def flag(figures: AnnualFigures) -> bool | None:
        value = get(figures)
        return None if value is None else value > 0

    return flag


def _decline(get: Getter, what: str) -> Callable[[Sequence[ClusterYear]], Outcome]:
    """The mean over clusters of (1 − this year / last year) × 100: for intensities whose unit each cluster
    chooses (kept across its years), so only each cluster's own ratio is comparable."""

    def compute(facts: Sequence[ClusterYear]) -> Outcome:
        declines = []
        for fact in facts:
            if fact.previous is None:
                continue
            now, before = _exact(get(fact.figures)), _exact(get(fact.previous))
            if now is None or before is None or before == 0:
                continue
            declines.append((1 - now / before) * HUNDRED)
        if not declines:
            return Outcome(None, 0, reason=f"没有集群同时填报本年和上年的{what}")
        return Outcome(sum(declines, Fraction(0)) / len(declines), len(declines))

    return compute


def _count() -> Callable[[Sequence[ClusterYear]], Outcome]:
    def compute(facts: Sequence[ClusterYear]) -> Outcome:
        return Outcome(Fraction(len(facts)), len(facts))

    return compute


def _count_by(
    key: Callable[[ClusterYear], str], order: Sequence[str] = (), *, zeros: bool = True
) -> Callable[[Sequence[ClusterYear]], Outcome]:
    """The number of clusters per label (:func:`distribution`)."""

    def compute(facts: Sequence[ClusterYear]) -> Outcome:
        parts = distribution(facts, key, order, zeros=zeros)
        return Outcome(Fraction(len(facts)), len(facts), parts)

    return compute


# The 十四五 targets the CESI report measures the clusters against ("提前实现十四五目标"): the share of
# bulk industrial solid waste utilised (《"十四五"工业绿色发展规划》: 57 % by 2025, the report counts
# clusters above 60 %) and industrial water reuse (94 %).
SOLID_WASTE_MARK = Decimal(60)
PLAIN_MEAN_RULE = "均未填报企业数时取各集群的算术平均，并注明"
WATER_REUSE_MARK = Decimal(94)

TITLES: tuple[tuple[str, str], ...] = (
    ("champion", "制造业单项冠军企业"),
    ("little_giant", "专精特新“小巨人”企业"),
    ("specialized", "专精特新中小企业"),
    ("innovative", "创新型中小企业"),
    ("high_tech", "高新技术企业"),
)


def _title(name: str) -> Getter:
    def get(figures: AnnualFigures) -> int | None:
        value: int | None = getattr(figures.quality_firms, name)
        return value

    return get


def _quality_smes(figures: AnnualFigures) -> int | None:
    """专精特新“小巨人”, 专精特新中小企业 and 创新型中小企业 added up (the three tiers of 优质中小企业);
    absent when none of the three is reported."""
    titles = figures.quality_firms
    values = [titles.little_giant, titles.specialized, titles.innovative]
    if all(value is None for value in values):
        return None
    return sum(value or 0 for value in values)


def _titles_by_count(facts: Sequence[ClusterYear]) -> Outcome:
    parts = []
    covered = 0
    for name, label in TITLES:
        values = [value for fact in facts if (value := _title(name)(fact.figures)) is not None]
        covered = max(covered, len(values))
        if values:
            parts.append(Part(label, Fraction(sum(values))))
    if not parts:
        return Outcome(None, 0, reason=_nobody_reported("优质企业数"))
    return Outcome(sum((part.value for part in parts), Fraction(0)), covered, tuple(parts))


def _figure(
    id: str,
    name: str,
    unit: str,
    theme: Theme,
    formula: str,
    sources: Iterable[str],
    compute: Callable[[Sequence[ClusterYear]], Outcome],
    places: int = 0,
    *,
    headline: bool = False,
) -> Figure:
    return Figure(id, name, unit, theme, formula, tuple(sources), compute, places, headline)


CATALOGUE: tuple[Figure, ...] = (
    # 产业规模
    _figure(
        "clusters",
        "集群数量",
        "个",
        Theme.SCALE,
        "范围内有本年数据的已认定集群个数",
        ["集群名录"],
        _count(),
        headline=True,
    ),
    _figure(
        "clusters_by_sector",
        "按行业分布",
        "个",
        Theme.SCALE,
        "按主导产业代码（GB/T 4754-2017）所属行业统计集群个数",
        ["主导产业代码→行业"],
        _count_by(lambda fact: fact.sector, SECTOR_ORDER, zeros=False),
    ),
    _figure(
        "clusters_by_region",
        "按地区分布（东中西三大地区）",
        "个",
        Theme.SCALE,
        "按所在省份的地区（国家统计局划分，三大地区）统计集群个数",
        ["所在县→省→地区"],
        _count_by(lambda fact: fact.region(RegionScheme.THREE), RegionScheme.THREE.regions),
    ),
    _figure(
        "clusters_by_region_four",
        "按地区分布（东中西和东北四大地区）",
        "个",
        Theme.SCALE,
        "按所在省份的地区（国家统计局划分，四大地区）统计集群个数",
        ["所在县→省→地区"],
        _count_by(lambda fact: fact.region(RegionScheme.FOUR), RegionScheme.FOUR.regions),
    ),
    _figure(
        "output",
        "集群总产值",
        "亿元",
        Theme.SCALE,
        "Σ 集群总产值",
        ["figures.output"],
        _total(lambda f: f.figures.output, "集群总产值"),
        2,
        headline=True,
    ),
    _figure(
        "output_growth",
        "集群总产值同比增长",
        "%",
        Theme.SCALE,
        "（Σ 本年总产值 ÷ Σ 上年总产值 − 1）× 100，限两年均有数据的集群",
        ["figures.output（本年、上年）"],
        _growth(lambda f: f.figures.output, "集群总产值"),
        1,
        headline=True,
    ),
    _figure(
        "leading_output",
        "主导产业产值",
        "亿元",
        Theme.SCALE,
        "Σ 主导产业产值",
        ["figures.leading_output"],
        _total(lambda f: f.figures.leading_output, "主导产业产值"),
        2,
    ),
    _figure(
        "leading_share",
        "主导产业产值占集群总产值比重",
        "%",
        Theme.SCALE,
        "Σ 主导产业产值 ÷ Σ 集群总产值 × 100，限填报主导产业产值的集群",
        ["figures.leading_output", "figures.output"],
        _ratio(lambda f: f.figures.leading_output, lambda f: f.figures.output, "主导产业产值"),
        1,
    ),
    _figure(
        "employees",
        "从业人员",
        "人",
        Theme.SCALE,
        "Σ 从业人员",
        ["figures.employees"],
        _total(lambda f: f.figures.employees, "从业人员"),
        headline=True,
    ),
    # 企业结构
    _figure(
        "firms",
        "集群企业数",
        "家",
        Theme.FIRMS,
        "Σ 集群企业数",
        ["firms"],
        _total(lambda f: f.firms, "集群企业数"),
    ),
    _figure(
        "sme_firms",
        "中小企业数",
        "家",
        Theme.FIRMS,
        "Σ 中小企业数",
        ["sme_firms"],
        _total(lambda f: f.sme_firms, "中小企业数"),
        headline=True,
    ),
    _figure(
        "sme_firm_share",
        "中小企业占集群企业数比重",
        "%",
        Theme.FIRMS,
        "Σ 中小企业数 ÷ Σ 集群企业数 × 100，限两项均填报的集群",
        ["sme_firms", "firms"],
        _ratio(lambda f: f.sme_firms, lambda f: f.firms, "企业数"),
        1,
    ),
    _figure(
        "sme_output",
        "中小企业产值",
        "亿元",
        Theme.FIRMS,
        "Σ 中小企业产值",
        ["figures.sme_output"],
        _total(lambda f: f.figures.sme_output, "中小企业产值"),
        2,
    ),
    _figure(
        "sme_output_share",
        "中小企业产值占集群总产值比重",
        "%",
        Theme.FIRMS,
        "Σ 中小企业产值 ÷ Σ 集群总产值 × 100，限填报中小企业产值的集群",
        ["figures.sme_output", "figures.output"],
        _ratio(lambda f: f.figures.sme_output, lambda f: f.figures.output, "中小企业产值"),
        1,
        headline=True,
    ),
    _figure(
        "quality_firms_by_title",
        "优质企业（按称号）",
        "家",
        Theme.FIRMS,
        "按称号分别 Σ 企业数；同一企业持多项称号时在各称号下各计一次",
        [f"quality_firms.{name}" for name, _label in TITLES],
        _titles_by_count,
    ),
    *(
        _figure(
            f"quality_{name}",
            label,
            "家",
            Theme.FIRMS,
            f"Σ {label}数",
            [f"quality_firms.{name}"],
            _total(_title(name), label),
        )
        for name, label in TITLES
    ),
    _figure(
        "quality_sme_share",
        "优质中小企业占中小企业比重",
        "%",
        Theme.FIRMS,
        "Σ（“小巨人” + 专精特新中小企业 + 创新型中小企业）÷ Σ 中小企业数 × 100；"
        "同一企业持多项称号时重复计数，故为上限",
        ["quality_firms.little_giant", "quality_firms.specialized", "quality_firms.innovative", "sme_firms"],
        _ratio(_quality_smes, lambda f: f.sme_firms, "优质中小企业数和中小企业数"),
        1,
    ),
    # 创新
    _figure(
        "platforms_national",
        "国家级创新平台",
        "个",
        Theme.INNOVATION,
        "Σ 国家级创新平台数",
        ["platforms_national"],
        _total(lambda f: f.platforms_national, "国家级创新平台数"),
    ),
    _figure(
        "platforms_provincial",
        "省级及以下创新平台",
        "个",
        Theme.INNOVATION,
        "Σ 省级及以下创新平台数",
        ["platforms_provincial"],
        _total(lambda f: f.platforms_provincial, "省级及以下创新平台数"),
    ),
    _figure(
        "rnd",
        "研发经费支出",
        "亿元",
        Theme.INNOVATION,
        "Σ 集群企业研发经费支出",
        ["rnd"],
        _total(lambda f: f.rnd, "研发经费"),
        2,
    ),
    _figure(
        "rnd_intensity",
        "研发强度",
        "%",
        Theme.INNOVATION,
        "Σ 研发经费支出 ÷ Σ 集群总产值 × 100，限填报研发经费的集群",
        ["rnd", "figures.output"],
        _ratio(lambda f: f.rnd, lambda f: f.figures.output, "研发经费"),
        2,
        headline=True,
    ),
    _figure(
        "sme_rnd_intensity",
        "中小企业研发强度",
        "%",
        Theme.INNOVATION,
        "Σ 中小企业研发经费 ÷ Σ 中小企业产值 × 100，限两项均填报的集群",
        ["figures.sme_rnd", "figures.sme_output"],
        _ratio(lambda f: f.figures.sme_rnd, lambda f: f.figures.sme_output, "中小企业研发经费和产值"),
        2,
    ),
    _figure(
        "invention_patents",
        "有效发明专利",
        "件",
        Theme.INNOVATION,
        "Σ 有效发明专利拥有量",
        ["figures.invention_patents"],
        _total(lambda f: f.figures.invention_patents, "有效发明专利"),
        headline=True,
    ),
    _figure(
        "invention_patents_growth",
        "有效发明专利同比增长",
        "%",
        Theme.INNOVATION,
        "（Σ 本年 ÷ Σ 上年 − 1）× 100，限两年均有数据的集群",
        ["figures.invention_patents（本年、上年）"],
        _growth(lambda f: f.figures.invention_patents, "有效发明专利"),
        1,
    ),
    _figure(
        "standards",
        "主导或参与制修订标准",
        "项",
        Theme.INNOVATION,
        "Σ 当年主导或参与制修订标准数",
        ["standards"],
        _total(lambda f: f.standards, "标准制修订数"),
    ),
    _figure(
        "standards_growth",
        "标准制修订数同比增长",
        "%",
        Theme.INNOVATION,
        "（Σ 本年 ÷ Σ 上年 − 1）× 100，限两年均有数据的集群",
        ["standards（本年、上年）"],
        _growth(lambda f: f.standards, "标准制修订数"),
        1,
    ),
    _figure(
        "tech_roadmap",
        "制定产业技术路线图的集群占比",
        "%",
        Theme.INNOVATION,
        "回答“是”的集群数 ÷ 回答该项的集群数 × 100",
        ["tech_roadmap"],
        _clusters_with(lambda f: f.tech_roadmap, "产业技术路线图"),
        1,
    ),
    _figure(
        "challenge_firms",
        "参与“揭榜挂帅”等攻关任务的企业",
        "家",
        Theme.INNOVATION,
        "Σ 参与“揭榜挂帅”等攻关任务的企业数",
        ["challenge_firms"],
        _total(lambda f: f.challenge_firms, "参与“揭榜挂帅”等攻关任务的企业数"),
    ),
    _figure(
        "challenge_firm_share",
        "参与“揭榜挂帅”等攻关任务的企业占集群企业数比重",
        "%",
        Theme.INNOVATION,
        "Σ 参与“揭榜挂帅”等攻关任务的企业数 ÷ Σ 集群企业数 × 100，限两项均填报的集群",
        ["challenge_firms", "firms"],
        _ratio(lambda f: f.challenge_firms, _firms, "参与“揭榜挂帅”等攻关任务的企业数和集群企业数"),
        1,
    ),
    # 数字化
    _figure(
        "iip_penetration",
        "工业互联网平台应用普及率",
        "%",
        Theme.DIGITAL,
        f"Σ（普及率 × 集群企业数）÷ Σ 集群企业数，限两项均填报的集群；{PLAIN_MEAN_RULE}",
        ["figures.iip_penetration", "firms"],
        _share_of_firms(lambda f: f.figures.iip_penetration, "工业互联网平台应用普及率"),
        1,
        headline=True,
    ),
    _figure(
        "cloud_adoption",
        "企业上云率",
        "%",
        Theme.DIGITAL,
        f"Σ（上云率 × 集群企业数）÷ Σ 集群企业数，限两项均填报的集群；{PLAIN_MEAN_RULE}",
        ["cloud_adoption", "firms"],
        _share_of_firms(lambda f: f.cloud_adoption, "企业上云率"),
        1,
        headline=True,
    ),
    _figure(
        "digital_service_coverage",
        "数字化转型服务覆盖企业比例",
        "%",
        Theme.DIGITAL,
        f"Σ（覆盖比例 × 集群企业数）÷ Σ 集群企业数，限两项均填报的集群；{PLAIN_MEAN_RULE}",
        ["digital_service_coverage", "firms"],
        _share_of_firms(lambda f: f.digital_service_coverage, "数字化转型服务覆盖比例"),
        1,
    ),
    _figure(
        "new_model_projects",
        "国家级新模式新业态项目",
        "个",
        Theme.DIGITAL,
        "Σ 智能制造等国家级新模式新业态项目数",
        ["new_model_projects"],
        _total(lambda f: f.new_model_projects, "新模式新业态项目数"),
    ),
    _figure(
        "new_model_project_clusters",
        "建有国家级新模式新业态项目的集群占比",
        "%",
        Theme.DIGITAL,
        "项目数 > 0 的集群数 ÷ 填报该项的集群数 × 100",
        ["new_model_projects"],
        _clusters_with(_more_than_zero(lambda f: f.new_model_projects), "新模式新业态项目数"),
        1,
    ),
    # 绿色
    _figure(
        "green_services",
        "绿色低碳服务",
        "次",
        Theme.GREEN,
        "Σ 开展绿色低碳服务次数",
        ["green_services"],
        _total(lambda f: f.green_services, "绿色低碳服务次数"),
    ),
    _figure(
        "green_service_clusters",
        "开展绿色低碳服务的集群占比",
        "%",
        Theme.GREEN,
        "绿色低碳服务次数 > 0 的集群数 ÷ 填报该项的集群数 × 100",
        ["green_services"],
        _clusters_with(_more_than_zero(lambda f: f.green_services), "绿色低碳服务次数"),
        1,
    ),
    _figure(
        "solid_waste_utilisation",
        "工业固体废物综合利用率",
        "%",
        Theme.GREEN,
        "各集群利用率的算术平均（表中不报固体废物产生量，无从加权）",
        ["solid_waste_utilisation"],
        _mean(lambda f: f.solid_waste_utilisation, "工业固体废物综合利用率"),
        1,
    ),
    _figure(
        "solid_waste_above_mark",
        f"工业固体废物综合利用率高于{SOLID_WASTE_MARK}%的集群占比",
        "%",
        Theme.GREEN,
        f"利用率 > {SOLID_WASTE_MARK}%（高于，不含本数）的集群数 ÷ 填报该项的集群数 × 100",
        ["solid_waste_utilisation"],
        _clusters_with(
            _above(lambda f: f.solid_waste_utilisation, SOLID_WASTE_MARK), "工业固体废物综合利用率"
        ),
        1,
    ),
    _figure(
        "water_reuse",
        "工业用水重复利用率",
        "%",
        Theme.GREEN,
        "各集群重复利用率的算术平均（表中不报用水量，无从加权）",
        ["water_reuse"],
        _mean(lambda f: f.water_reuse, "工业用水重复利用率"),
        1,
    ),
    _figure(
        "water_reuse_above_mark",
        f"工业用水重复利用率高于{WATER_REUSE_MARK}%的集群占比",
        "%",
        Theme.GREEN,
        f"重复利用率 > {WATER_REUSE_MARK}%（高于，不含本数）的集群数 ÷ 填报该项的集群数 × 100",
        ["water_reuse"],
        _clusters_with(_above(lambda f: f.water_reuse, WATER_REUSE_MARK), "工业用水重复利用率"),
        1,
    ),
    _figure(
        "co2_intensity_decline",
        "单位产值二氧化碳排放同比下降",
        "%",
        Theme.GREEN,
        "各集群（1 − 本年强度 ÷ 上年强度）× 100 的算术平均（各集群自定单位，只比本集群两年）",
        ["figures.co2_intensity（本年、上年）"],
        _decline(lambda f: f.figures.co2_intensity, "二氧化碳排放强度"),
        1,
    ),
    _figure(
        "non_fossil_share",
        "非化石能源消费比重",
        "%",
        Theme.GREEN,
        "各集群比重的算术平均（表中不报能源消费量，无从加权）",
        ["figures.non_fossil_share"],
        _mean(lambda f: f.figures.non_fossil_share, "非化石能源消费比重"),
        1,
    ),
    # 开放
    _figure(
        "exports",
        "出口交货值",
        "亿元",
        Theme.OPENNESS,
        "Σ 出口交货值",
        ["exports"],
        _total(lambda f: f.exports, "出口交货值"),
        2,
        headline=True,
    ),
    _figure(
        "exports_growth",
        "出口交货值同比增长",
        "%",
        Theme.OPENNESS,
        "（Σ 本年 ÷ Σ 上年 − 1）× 100，限两年均有数据的集群",
        ["exports（本年、上年）"],
        _growth(lambda f: f.exports, "出口交货值"),
        1,
    ),
    _figure(
        "international_events",
        "国际性交流合作活动",
        "次",
        Theme.OPENNESS,
        "Σ 举办或参加国际性交流合作活动数",
        ["international_events"],
        _total(lambda f: f.international_events, "国际性交流合作活动数"),
    ),
    _figure(
        "international_event_clusters",
        "举办或参加国际交流活动的集群占比",
        "%",
        Theme.OPENNESS,
        "活动数 > 0 的集群数 ÷ 填报该项的集群数 × 100",
        ["international_events"],
        _clusters_with(_more_than_zero(lambda f: f.international_events), "国际性交流合作活动数"),
        1,
    ),
    # 治理
    _figure(
        "promotion_body",
        "建立集群发展促进机构的集群占比",
        "%",
        Theme.GOVERNANCE,
        "回答“是”的集群数 ÷ 回答该项的集群数 × 100",
        ["promotion_body"],
        _clusters_with(lambda f: f.promotion_body, "集群发展促进机构"),
        1,
        headline=True,
    ),
    _figure(
        "rights_protection",
        "建立中小企业权益保护机制的集群占比",
        "%",
        Theme.GOVERNANCE,
        "回答“是”的集群数 ÷ 回答该项的集群数 × 100",
        ["rights_protection"],
        _clusters_with(lambda f: f.rights_protection, "中小企业权益保护机制"),
        1,
    ),
    _figure(
        "public_service_assessed",
        "开展公共服务评价的集群占比",
        "%",
        Theme.GOVERNANCE,
        "回答“是”的集群数 ÷ 回答该项的集群数 × 100",
        ["public_service_assessed"],
        _clusters_with(lambda f: f.public_service_assessed, "公共服务评价"),
        1,
    ),
    _figure(
        "service_coverage",
        "公共服务覆盖集群企业比例",
        "%",
        Theme.GOVERNANCE,
        f"Σ（覆盖比例 × 集群企业数）÷ Σ 集群企业数，限两项均填报的集群；{PLAIN_MEAN_RULE}",
        ["service_coverage", "firms"],
        _share_of_firms(lambda f: f.service_coverage, "公共服务覆盖比例"),
        1,
    ),
    _figure(
        "full_service",
        "集群促进机构能提供全方位服务的集群占比",
        "%",
        Theme.GOVERNANCE,
        "回答“是”（信息服务、人员培训、创业辅导、创新支持、投融资、管理咨询和政策宣贯等服务均能提供）的"
        "集群数 ÷ 回答该项的集群数 × 100",
        ["full_service"],
        _clusters_with(lambda f: f.full_service, "全方位服务能力"),
        1,
    ),
)

_BY_ID = {figure.id: figure for figure in CATALOGUE}
if len(_BY_ID) != len(CATALOGUE):  # pragma: no cover - a duplicated id is a programming error
    raise RuntimeError("two figures share an id")


def figure(id: str) -> Figure:
    """The figure with ``id``; :class:`KeyError` names it when there is none."""
    try:
        return _BY_ID[id]
    except KeyError:
        raise KeyError(f"no figure {id!r} in the catalogue") from None


def of_theme(theme: Theme) -> tuple[Figure, ...]:
    return tuple(figure for figure in CATALOGUE if figure.theme is theme)


@dataclass(frozen=True)
class Panel:
    """Every figure of the catalogue over one set of cluster-years (one scope, one year)."""

    year: int
    facts: tuple[ClusterYear, ...]
    values: dict[str, FigureValue]

    def __getitem__(self, id: str) -> FigureValue:
        return self.values[figure(id).id]

    def of_theme(self, theme: Theme) -> list[FigureValue]:
        return [self.values[figure.id] for figure in of_theme(theme)]

    @property
    def headlines(self) -> list[FigureValue]:
        return [value for value in self.values.values() if value.figure.headline]

    @property
    def sources(self) -> Counter[Source]:
        """How many cluster-years came from each source."""
        return Counter(fact.source for fact in self.facts)


def panel(year: int, facts: Iterable[ClusterYear]) -> Panel:
    """The catalogue over the cluster-years of ``year`` (facts of other years are a caller's mistake)."""
    chosen = tuple(sorted(facts, key=lambda fact: fact.number))
    for fact in chosen:
        if fact.year != year:
            raise ValueError(f"{fact.number}: a fact of {fact.year} in the panel of {year}")
    return Panel(year, chosen, {figure.id: figure.over(chosen) for figure in CATALOGUE})


def previous_panel(current: Panel) -> Panel:
    """The same clusters one year earlier, for the charts that set two years side by side."""
    earlier = [before for fact in current.facts if (before := fact.previous_year()) is not None]
    return panel(current.year - 1, earlier)
