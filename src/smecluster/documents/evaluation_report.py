"""The yearly evaluation report (集群发展评估报告): its content, once, for the PDF, the DOCX and the page.

The structure is the CESI report's (seed 004): 一、培育中小企业特色产业集群的重要意义; 二、总体情况 (how
many clusters the programme has in the scope and how many reported, by sector and by region); 三、发展成效,
one section per theme with its table of figures and its charts; 四、动态管理情况 (annual reports, major
changes, incidents, revocations, re-review: the platform's own record, which CESI's report has no source
for); 五、存在问题; 六、对策建议; then the annexes: the clusters with the source of each one's figures, the
clusters without figures for the year, the stored records that could not be read, and the definition of
every figure. The figures come from :mod:`smecluster.analytics.figures` only.

A report covers one programme's clusters (:class:`ReportScope`): the national report the national
programme's, a province's its own programme's, optionally narrowed to a region within it.

The prose is the analyst's. Each text block starts as a draft written from the figures (a sentence for
each figure that has a value, with its coverage when not every cluster reported it; the weaknesses and
measures from what the figures show: data gaps, declines, mechanisms not yet in place), and the analyst
edits it; the edited text replaces the draft, block by block. A renderer walks :attr:`EvaluationReport.
chapters` and never computes anything itself, so the PDF and the DOCX say the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction

from smecluster.analytics.figures import (
    CATALOGUE,
    SECTOR_ORDER,
    ClusterEntry,
    ClusterYear,
    Coverage,
    Figure,
    FigureValue,
    Panel,
    Part,
    Theme,
    distribution,
    panel,
    previous_panel,
    rounded,
)
from smecluster.documents.charts import Chart, bar_chart, theme_charts
from smecluster.errors import Problem, UnusableInput
from smecluster.reference.regions import REGIONS_SOURCE, RegionScheme
from smecluster.reference.sectors import NOT_GIVEN, UNRECOGNISED

CHINESE_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")


class Block(StrEnum):
    """The text blocks the analyst edits."""

    SIGNIFICANCE = "significance"
    OVERVIEW = "overview"
    SCALE = "scale"
    FIRMS = "firms"
    INNOVATION = "innovation"
    DIGITAL = "digital"
    GREEN = "green"
    OPENNESS = "openness"
    GOVERNANCE = "governance"
    DYNAMIC = "dynamic"
    WEAKNESSES = "weaknesses"
    MEASURES = "measures"


THEME_BLOCKS: dict[Theme, Block] = {
    Theme.SCALE: Block.SCALE,
    Theme.FIRMS: Block.FIRMS,
    Theme.INNOVATION: Block.INNOVATION,
    Theme.DIGITAL: Block.DIGITAL,
    Theme.GREEN: Block.GREEN,
    Theme.OPENNESS: Block.OPENNESS,
    Theme.GOVERNANCE: Block.GOVERNANCE,
}

THEME_TITLES: dict[Theme, str] = {
    Theme.SCALE: "主导产业蓬勃发展，产业规模稳步扩大",
    Theme.FIRMS: "中小企业主体地位突出，优质企业加快集聚",
    Theme.INNOVATION: "创新效能持续提升",
    Theme.DIGITAL: "数字化转型扎实推进",
    Theme.GREEN: "绿色化升级稳步推进",
    Theme.OPENNESS: "开放合作不断深入",
    Theme.GOVERNANCE: "治理服务不断优化",
}

BLOCK_TITLES: dict[Block, str] = {
    Block.SIGNIFICANCE: "培育中小企业特色产业集群的重要意义",
    Block.OVERVIEW: "总体情况",
    **{block: f"{theme.value}：{THEME_TITLES[theme]}" for theme, block in THEME_BLOCKS.items()},
    Block.DYNAMIC: "动态管理情况",
    Block.WEAKNESSES: "存在问题",
    Block.MEASURES: "对策建议",
}

MAX_BLOCK_LENGTH = 20000
"""Characters in one text block: a long chapter, not a pasted book."""


@dataclass(frozen=True)
class ReportScope:
    """Whose clusters the report covers: one programme's (``level``: 国家级, 省级 or 市级 clusters), in the
    whole of its reach (``code`` None and ``name`` empty for the national programme; the owner's code and
    name for a province's or a city's) or narrowed to a region within it (that region's code and name)."""

    code: str | None
    name: str
    level: str = ""

    @property
    def label(self) -> str:
        """Whose clusters, as a title says it: 国家级, 广东省省级, 广东省国家级 (the national programme's
        clusters in 广东), 广东省佛山市省级."""
        return f"{self.name}{self.level}" or "全国"


@dataclass(frozen=True)
class Tally:
    label: str
    count: int


@dataclass(frozen=True)
class DynamicManagement:
    """What dynamic management recorded for the report's clusters in its year, as plain counts: gathered
    by the monitoring selectors from the records (this module reads no database)."""

    reports_due: int = 0
    """Annual information forms of the year opened for the clusters (应报送)."""
    reports_filed: int = 0
    """… forwarded to or received by the owner (已报送)."""
    reports_received: int = 0
    reports_late: int = 0
    """… submitted by the cluster after the due day (逾期提交)."""
    reports_overdue: int = 0
    """… flagged overdue and still not filed (逾期未报送)."""
    changes: tuple[Tally, ...] = ()
    """Major changes effective in the year, by kind."""
    changes_late: int = 0
    changes_unfiled: int = 0
    incidents: tuple[Tally, ...] = ()
    """Incidents that occurred in the year, by kind."""
    incidents_meeting_threshold: int = 0
    revocations: tuple[Tally, ...] = ()
    """Recognitions revoked in the year, by statutory case."""
    re_reviews_passed: int = 0
    re_reviews_failed: int = 0
    re_reviews_pending: int = 0

    @property
    def changes_total(self) -> int:
        return sum(tally.count for tally in self.changes)

    @property
    def incidents_total(self) -> int:
        return sum(tally.count for tally in self.incidents)

    @property
    def revocations_total(self) -> int:
        return sum(tally.count for tally in self.revocations)

    def rows(self) -> tuple[tuple[str, str, str], ...]:
        """The section's table: item, count, breakdown."""

        def parts(tallies: Sequence[Tally]) -> str:
            return "、".join(f"{tally.label}{tally.count}" for tally in tallies if tally.count)

        return (
            ("年度培育情况信息表应报送", f"{self.reports_due} 份", ""),
            ("已报送", f"{self.reports_filed} 份", f"其中省级已接收{self.reports_received}份"),
            ("逾期提交", f"{self.reports_late} 份", ""),
            ("逾期未报送", f"{self.reports_overdue} 份", ""),
            (
                "重大变动",
                f"{self.changes_total} 项",
                "；".join(
                    text
                    for text in (
                        parts(self.changes),
                        f"逾期报备{self.changes_late}项" if self.changes_late else "",
                        f"未报备（核查发现）{self.changes_unfiled}项" if self.changes_unfiled else "",
                    )
                    if text
                ),
            ),
            (
                "事件登记",
                f"{self.incidents_total} 起",
                "；".join(
                    text
                    for text in (
                        parts(self.incidents),
                        f"达到撤销情形{self.incidents_meeting_threshold}起"
                        if self.incidents_meeting_threshold
                        else "",
                    )
                    if text
                ),
            ),
            ("撤销认定", f"{self.revocations_total} 个", parts(self.revocations)),
            (
                "复核",
                f"{self.re_reviews_passed + self.re_reviews_failed} 个",
                f"通过{self.re_reviews_passed}个、未通过{self.re_reviews_failed}个、待决定{self.re_reviews_pending}个",
            ),
        )


# --- every cluster of the scope, by sector and by region ---------------------------------------------


def by_sector(coverage: Coverage) -> tuple[Part, ...]:
    """Every cluster the report covers (with or without figures) by the sector of its leading industry's
    GB/T 4754 code, most first; a cluster without a code counts as 未填报行业代码, never guessed."""
    return distribution(coverage.entries, lambda entry: entry.sector, SECTOR_ORDER)


def by_region(coverage: Coverage) -> tuple[Part, ...]:
    """Every cluster the report covers by the three regions CESI counts by ("东、中、西部分别认定47、23、30个
    集群"), each region listed, zeros kept."""
    return distribution(
        coverage.entries,
        lambda entry: entry.region(RegionScheme.THREE),
        RegionScheme.THREE.regions,
        zeros=True,
    )


def _distribution_rows(parts: Sequence[Part]) -> tuple[tuple[str, ...], ...]:
    total = sum(int(part.value) for part in parts)
    rows = [
        (
            part.label,
            str(int(part.value)),
            format(rounded(part.value * 100 / total, 1), "f") if total else "—",
        )
        for part in parts
    ]
    return (*rows, ("合计", str(total), "100.0" if total else "—"))


# --- the drafts written from the figures -------------------------------------------------------------


def _coverage_note(value: FigureValue) -> str:
    if value.covered == value.total:
        return ""
    return f"（{value.total}个集群中{value.covered}个填报）"


def _clause(panel: Panel, id: str, template: str) -> str | None:
    """``template`` with {v} as the figure's value and unit, or None when the figure has no value."""
    value = panel[id]
    if value.value is None:
        return None
    return template.format(v=value.text(spaced=False)) + _coverage_note(value)


def _sentence(panel: Panel, clauses: Sequence[tuple[str, str]]) -> str:
    parts = [text for id, template in clauses if (text := _clause(panel, id, template)) is not None]
    return "；".join(parts) + "。" if parts else ""


def _parts_text(value: FigureValue, unit: str, limit: int | None = None) -> str:
    parts = [part for part in value.parts if part.value > 0][:limit]
    return "、".join(f"{part.label}{value.part_text(part)}{unit}" for part in parts)


SIGNIFICANCE_DRAFT = (
    "中小企业特色产业集群是定位在县级区划范围内，以新发展理念为引领，以中小企业为主体，主导产业聚焦、"
    "优势特色突出、资源要素汇聚、协作网络高效、治理服务完善，具有较强核心竞争力的中小企业产业集群"
    "（《促进中小企业特色产业集群发展暂行办法》，工信部企业〔2022〕119号）。\n\n"
    "培育中小企业特色产业集群，是落实党中央、国务院决策部署的重要举措，有利于构建“点线面结合”的"
    "优质中小企业培育体系，有利于推进产业基础高级化、产业链现代化，有利于为中小企业纾困解难，"
    "有利于促进县域经济高质量发展。"
)

THEME_CLAUSES: dict[Theme, tuple[tuple[str, str], ...]] = {
    Theme.SCALE: (
        ("output", "集群总产值{v}"),
        ("output_growth", "同比增长{v}"),
        ("leading_share", "主导产业产值占集群总产值的{v}"),
        ("employees", "吸纳从业人员{v}"),
    ),
    Theme.FIRMS: (
        ("firms", "集群共有企业{v}"),
        ("sme_firms", "其中中小企业{v}"),
        ("sme_firm_share", "中小企业占集群企业数的{v}"),
        ("sme_output", "中小企业产值{v}"),
        ("sme_output_share", "占集群总产值的{v}"),
        ("quality_champion", "拥有制造业单项冠军企业{v}"),
        ("quality_little_giant", "专精特新“小巨人”企业{v}"),
        ("quality_specialized", "专精特新中小企业{v}"),
        ("quality_innovative", "创新型中小企业{v}"),
        ("quality_sme_share", "优质中小企业（按称号计）相当于中小企业数的{v}"),
    ),
    Theme.INNOVATION: (
        ("platforms_national", "共建设国家级创新平台{v}"),
        ("platforms_provincial", "省级及以下创新平台{v}"),
        ("rnd_intensity", "研发强度达到{v}"),
        ("invention_patents", "有效发明专利拥有量{v}"),
        ("invention_patents_growth", "同比增长{v}"),
        ("standards", "当年主导或参与制修订标准{v}"),
        ("standards_growth", "同比增长{v}"),
        ("tech_roadmap", "{v}的集群制定了产业技术路线图"),
        ("challenge_firm_share", "参与“揭榜挂帅”等攻关任务的企业占集群企业的{v}"),
    ),
    Theme.DIGITAL: (
        ("iip_penetration", "工业互联网平台应用普及率达到{v}"),
        ("cloud_adoption", "企业上云比例达到{v}"),
        ("digital_service_coverage", "数字化转型服务覆盖{v}的企业"),
        ("new_model_project_clusters", "{v}的集群建有智能制造等国家级新模式新业态项目"),
    ),
    Theme.GREEN: (
        ("green_service_clusters", "{v}的集群开展了绿色低碳服务"),
        ("solid_waste_utilisation", "工业固体废物综合利用率平均为{v}"),
        ("solid_waste_above_mark", "{v}的集群利用率高于60%"),
        ("water_reuse", "工业用水重复利用率平均为{v}"),
        ("water_reuse_above_mark", "{v}的集群高于94%"),
        ("co2_intensity_decline", "单位产值二氧化碳排放平均下降{v}"),
        ("non_fossil_share", "非化石能源消费比重平均为{v}"),
    ),
    Theme.OPENNESS: (
        ("exports", "集群出口交货值{v}"),
        ("exports_growth", "同比增长{v}"),
        ("international_events", "举办或参加国际性交流合作活动{v}"),
        ("international_event_clusters", "{v}的集群举办或参加了国际交流活动"),
    ),
    Theme.GOVERNANCE: (
        ("promotion_body", "{v}的集群建立了集群发展促进机构"),
        ("rights_protection", "{v}的集群建立了中小企业权益保护机制"),
        ("public_service_assessed", "{v}的集群开展了公共服务评价"),
        ("service_coverage", "公共服务覆盖{v}的集群企业"),
        (
            "full_service",
            "{v}的集群促进机构能提供信息服务、人员培训、创业辅导、创新支持、投融资、管理咨询和政策宣贯等全方位服务",
        ),
    ),
}


def _count_words(parts: Sequence[Part]) -> str:
    return "、".join(str(int(part.value)) for part in parts)


def _overview_draft(scope: ReportScope, current: Panel, coverage: Coverage) -> str:
    reported = len(coverage.facts)
    lines = [
        f"截至{current.year}年，{scope.label}中小企业特色产业集群共{coverage.total}个，"
        f"其中{reported}个有{current.year}年度数据纳入本报告"
        + (f"，{len(coverage.unreported)}个未报送（见附表2）" if coverage.unreported else "")
        + "。"
    ]
    regions = [part for part in by_region(coverage) if part.value]
    if len(regions) > 1:
        names = "、".join(part.label.removesuffix("部") for part in regions)
        lines.append(f"从区域分布看，{names}部分别有{_count_words(regions)}个集群。")
    sectors = [part for part in by_sector(coverage) if part.label not in (NOT_GIVEN, UNRECOGNISED)]
    if sectors:
        top = sectors[:6]
        lines.append(
            f"从行业分布看，{'、'.join(part.label for part in top)}行业集群较多，"
            f"分别有{_count_words(top)}个。"
        )
    headline = _sentence(
        current,
        (("output", "集群总产值{v}"), ("output_growth", "同比增长{v}"), ("employees", "吸纳从业人员{v}")),
    )
    if headline:
        lines.append(headline)
    if sources := sorted(current.sources.items()):
        lines.append(
            "数据来源：" + "，".join(f"{number}个集群来自{source.value}" for source, number in sources) + "。"
        )
    return "".join(lines)


def _dynamic_draft(year: int, dynamic: DynamicManagement) -> str:
    lines = [
        f"{year}年度培育情况信息表应报送{dynamic.reports_due}份，已报送{dynamic.reports_filed}份"
        + (f"，其中逾期提交{dynamic.reports_late}份" if dynamic.reports_late else "")
        + (f"；逾期未报送{dynamic.reports_overdue}份" if dynamic.reports_overdue else "")
        + "。"
    ]
    if dynamic.changes_total:
        kinds = "、".join(f"{tally.label}变动{tally.count}项" for tally in dynamic.changes if tally.count)
        lines.append(f"{year}年发生重大变动{dynamic.changes_total}项（{kinds}）。")
    if dynamic.incidents_total:
        lines.append(
            f"登记安全、质量、环境等事件{dynamic.incidents_total}起"
            + (
                f"，其中达到撤销情形的{dynamic.incidents_meeting_threshold}起"
                if dynamic.incidents_meeting_threshold
                else ""
            )
            + "。"
        )
    if dynamic.revocations_total:
        cases = "、".join(f"{tally.label}{tally.count}个" for tally in dynamic.revocations if tally.count)
        lines.append(f"撤销认定{dynamic.revocations_total}个集群（{cases}）。")
    decided = dynamic.re_reviews_passed + dynamic.re_reviews_failed
    if decided or dynamic.re_reviews_pending:
        lines.append(
            f"复核决定{decided}个，其中通过{dynamic.re_reviews_passed}个、未通过{dynamic.re_reviews_failed}个"
            + (f"，另有{dynamic.re_reviews_pending}个待决定" if dynamic.re_reviews_pending else "")
            + "。"
        )
    return "".join(lines)


def _theme_draft(theme: Theme, current: Panel) -> str:
    text = _sentence(current, THEME_CLAUSES[theme])
    if text:
        return f"{current.year}年，{text}"
    return f"{current.year}年，本范围内没有集群填报{theme.value}方面的指标。"


def _data_gaps(current: Panel) -> list[FigureValue]:
    """Figures fewer than half of the clusters reported (the counts cover every cluster by definition)."""
    return [
        value
        for value in current.values.values()
        if value.total and value.covered * 2 < value.total and not value.figure.id.startswith("clusters")
    ]


def _declines(current: Panel) -> list[FigureValue]:
    return [
        value
        for value in current.values.values()
        if value.figure.id.endswith("_growth") and value.value is not None and value.value < 0
    ]


GOVERNANCE_FLAGS = ("promotion_body", "rights_protection", "public_service_assessed")


def _missing_mechanisms(current: Panel) -> list[FigureValue]:
    return [
        value for id in GOVERNANCE_FLAGS if (value := current[id]).value is not None and value.value < 100
    ]


HALF = Fraction(50)


def _weak_shares(current: Panel) -> list[FigureValue]:
    """Per-cent figures of the digital and green themes below half."""
    ids = ("iip_penetration", "cloud_adoption", "digital_service_coverage", "solid_waste_above_mark",
           "water_reuse_above_mark", "green_service_clusters")  # fmt: skip
    return [value for id in ids if (value := current[id]).value is not None and value.value < HALF]


def _names(values: Sequence[FigureValue], limit: int = 6) -> str:
    names = [value.figure.name for value in values[:limit]]
    more = f"等{len(values)}项指标" if len(values) > limit else ""
    return "、".join(names) + more


def _weaknesses_draft(current: Panel) -> str:
    items = []
    if declines := _declines(current):
        items.append(
            "部分指标同比下降："
            + "，".join(f"{value.figure.name}{value.text(spaced=False)}" for value in declines)
            + "。"
        )
    if weak := _weak_shares(current):
        items.append(
            "数字化、绿色化水平有待提高："
            + "，".join(f"{value.figure.name}{value.text(spaced=False)}" for value in weak)
            + "。"
        )
    if missing := _missing_mechanisms(current):
        items.append(
            "治理机制尚不健全："
            + "，".join(
                f"{value.figure.name.removesuffix('的集群占比')}的集群占{value.text(spaced=False)}"
                for value in missing
            )
            + "。"
        )
    if gaps := _data_gaps(current):
        items.append(f"数据填报不完整：{_names(gaps)}填报的集群不足半数，相关结论的代表性有限。")
    if not items:
        return (
            f"{current.year}年的数据未显示明显短板：没有同比下降的指标，各项机制均已建立，主要指标填报完整。"
        )
    return "\n\n".join(f"{index}. {item}" for index, item in enumerate(items, start=1))


def _measures_draft(current: Panel) -> str:
    items = []
    if _declines(current):
        items.append("做强主导产业：对产值、出口等指标下降的集群开展跟踪分析，依据产业链图谱强链补链。")
    if any(value.figure.theme is Theme.DIGITAL for value in _weak_shares(current)):
        items.append(
            "推进数字化转型：支持数字化服务商围绕主导产业推广“小快轻准”解决方案，提高上云用平台比例。"
        )
    if any(value.figure.theme is Theme.GREEN for value in _weak_shares(current)):
        items.append("加快绿色低碳转型：加强节能诊断、清洁生产等服务，提升资源综合利用水平。")
    if _missing_mechanisms(current):
        items.append(
            "完善治理机制：指导尚未建立相关机制的集群依托行业组织、产业联盟等建立集群发展促进机构和中小企业权益保护机制，开展公共服务评价。"
        )
    if gaps := _data_gaps(current):
        items.append(f"夯实监测基础：督促集群按时、完整填报年度培育情况信息表，重点补齐{_names(gaps)}。")
    items.append("加强政策引导：结合评估结果对集群实施动态管理，引导人才、土地、资金、技术等资源向集群集聚。")
    return "\n\n".join(f"{index}. {item}" for index, item in enumerate(items, start=1))


def draft_texts(
    scope: ReportScope,
    current: Panel,
    coverage: Coverage | None = None,
    dynamic: DynamicManagement | None = None,
) -> dict[Block, str]:
    """Every block's draft, written from the figures (and, for the overview, from every cluster the report
    covers, with or without figures; without ``coverage``, the clusters with figures are all)."""
    coverage = coverage or Coverage(current.year, current.facts)
    drafts = {
        Block.SIGNIFICANCE: SIGNIFICANCE_DRAFT,
        Block.OVERVIEW: _overview_draft(scope, current, coverage),
        Block.DYNAMIC: _dynamic_draft(current.year, dynamic or DynamicManagement()),
        Block.WEAKNESSES: _weaknesses_draft(current),
        Block.MEASURES: _measures_draft(current),
    }
    for theme, block in THEME_BLOCKS.items():
        drafts[block] = _theme_draft(theme, current)
    return drafts


def block_figures(block: Block, current: Panel) -> list[FigureValue]:
    """The figures shown beside a text block while the analyst edits it."""
    for theme, theme_block in THEME_BLOCKS.items():
        if block is theme_block:
            return current.of_theme(theme)
    if block is Block.OVERVIEW:
        return current.headlines
    if block is Block.WEAKNESSES or block is Block.MEASURES:
        flagged = [
            *_declines(current),
            *_weak_shares(current),
            *_missing_mechanisms(current),
            *_data_gaps(current),
        ]
        return list({value.figure.id: value for value in flagged}.values())
    return []


def check_texts(texts: Mapping[str, str]) -> dict[Block, str]:
    """The analyst's texts by block; an unknown block or an over-long text is :class:`UnusableInput`."""
    problems = []
    known: dict[Block, str] = {}
    for key, text in texts.items():
        try:
            block = Block(key)
        except ValueError:
            problems.append((key, "is not a text block of the report"))
            continue
        if len(text) > MAX_BLOCK_LENGTH:
            problems.append((key, f"has {len(text)} characters; at most {MAX_BLOCK_LENGTH}"))
            continue
        known[block] = text.replace("\r\n", "\n").strip()
    if problems:
        raise UnusableInput("report texts", [Problem(key, message) for key, message in problems])
    return known


# --- the content, as the renderers walk it -------------------------------------------------------------


@dataclass(frozen=True)
class Paragraphs:
    """A text block: paragraphs separated by a blank line in the analyst's text."""

    block: Block
    text: str
    edited: bool

    @property
    def paragraphs(self) -> list[str]:
        return [paragraph.strip() for paragraph in self.text.split("\n\n") if paragraph.strip()]


@dataclass(frozen=True)
class FigureTable:
    """Figures with value, unit and coverage; breakdowns add a row per part."""

    caption: str
    values: tuple[FigureValue, ...]

    HEADER = ("指标", "数值", "单位", "覆盖集群")

    def rows(self) -> list[tuple[str, str, str, str]]:
        rows = []
        for value in self.values:
            number = value.text(with_unit=False) if value.value is not None else value.text()
            rows.append((value.figure.name, number, value.figure.unit, value.coverage))
            for part in value.parts:
                rows.append((f"　其中：{part.label}", value.part_text(part), value.figure.unit, ""))
        return rows


@dataclass(frozen=True)
class ChartBlock:
    chart: Chart


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Content = Paragraphs | FigureTable | ChartBlock | Table


@dataclass(frozen=True)
class Section:
    title: str
    content: tuple[Content, ...]


@dataclass(frozen=True)
class Chapter:
    number: str
    title: str
    content: tuple[Content, ...] = ()
    sections: tuple[Section, ...] = ()

    @property
    def heading(self) -> str:
        return f"{self.number}、{self.title}" if self.number else self.title


@dataclass(frozen=True)
class EvaluationReport:
    scope: ReportScope
    year: int
    current: Panel
    previous: Panel
    texts: dict[Block, str]
    edited: frozenset[Block]
    prepared_on: date
    prepared_by: str = ""
    chapters: tuple[Chapter, ...] = field(default=())
    coverage: Coverage | None = None
    dynamic: DynamicManagement | None = None

    @property
    def title(self) -> str:
        return f"{self.scope.label}中小企业特色产业集群发展评估报告（{self.year}年度）"

    @property
    def reported(self) -> str:
        """``n/N``: the clusters with figures for the year of all the clusters the report covers."""
        total = self.coverage.total if self.coverage is not None else len(self.current.facts)
        return f"{len(self.current.facts)}/{total}"

    @property
    def subtitle(self) -> str:
        by = f"{self.prepared_by}　" if self.prepared_by else ""
        return f"{by}{self.prepared_on.year}年{self.prepared_on.month}月{self.prepared_on.day}日"


def _paragraphs(report_texts: dict[Block, str], edited: frozenset[Block], block: Block) -> Paragraphs:
    return Paragraphs(block, report_texts[block], block in edited)


def _cluster_rows(current: Panel) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            str(index),
            fact.number,
            fact.name,
            fact.place or fact.county,
            fact.industry,
            fact.sector,
            fact.region(RegionScheme.THREE),
            fact.source.value,
            fact.previous_source.value if fact.previous_source else "无",
        )
        for index, fact in enumerate(current.facts, start=1)
    )


def _unreported_rows(entries: Sequence[ClusterEntry]) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (str(index), entry.number, entry.name, entry.place or entry.county, entry.industry, entry.sector)
        for index, entry in enumerate(entries, start=1)
    )


def _definition_rows(figures: Sequence[Figure]) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (figure.theme.value, figure.name, figure.unit, figure.formula, "、".join(figure.sources))
        for figure in figures
    )


def _distribution_chart(key: str, title: str, parts: Sequence[Part], *, horizontal: bool) -> list[Chart]:
    shown = [part for part in parts if part.value > 0] if horizontal else list(parts)
    if not shown:
        return []
    return [bar_chart(key, title, [part.label for part in shown], [part.value for part in shown], "个",
                      horizontal=horizontal)]  # fmt: skip


def build_report(
    scope: ReportScope,
    year: int,
    facts: Sequence[ClusterYear] | Coverage,
    *,
    texts: Mapping[str, str] | None = None,
    prepared_on: date,
    prepared_by: str = "",
    with_charts: bool = True,
    dynamic: DynamicManagement | None = None,
) -> EvaluationReport:
    """The report of ``scope`` for ``year``; the analyst's ``texts`` replace the drafts block by block.

    ``facts`` is every cluster the report covers (:class:`Coverage`: those with figures, those without,
    and the records that could not be read), or just the cluster-years with figures when all have them.
    A scope without a single cluster counted in the year is :class:`UnusableInput`: an empty report is not
    a report. Clusters that are counted but none of which has figures (a register just imported) still
    make a report: how many there are, by sector and region, and the list of them without figures.
    """
    coverage = facts if isinstance(facts, Coverage) else Coverage(year, tuple(facts))
    if not coverage.total:
        raise UnusableInput.single(
            "report",
            "year",
            f"{scope.label}在{year}年没有已认定集群的年度数据（年度培育情况信息表或认定申报材料），无法生成评估报告",
        )
    dynamic = dynamic or DynamicManagement()
    current = panel(year, coverage.facts)
    previous = previous_panel(current)
    drafts = draft_texts(scope, current, coverage, dynamic)
    analyst = check_texts(texts or {})
    chosen = {block: analyst.get(block) or drafts[block] for block in Block}
    edited = frozenset(block for block, text in analyst.items() if text and text != drafts[block])

    def charts(found: list[Chart]) -> tuple[ChartBlock, ...]:
        return tuple(ChartBlock(chart) for chart in found) if with_charts else ()

    sections = []
    for index, theme in enumerate(Theme, start=1):
        block = THEME_BLOCKS[theme]
        sections.append(
            Section(
                f"（{CHINESE_NUMERALS[index - 1]}）{BLOCK_TITLES[block]}",
                (
                    _paragraphs(chosen, edited, block),
                    FigureTable(
                        f"表3-{index}　{theme.value}指标",
                        # the counts of clusters are chapter two's tables
                        tuple(
                            value
                            for value in current.of_theme(theme)
                            if not value.figure.id.startswith("clusters")
                        ),
                    ),
                    *charts(theme_charts(theme, current, previous) if with_charts else []),
                ),
            )
        )
    sectors, regions = by_sector(coverage), by_region(coverage)
    everyone = f"范围内全部{coverage.total}个集群（含未报送本年数据的）"
    annexes: list[Chapter] = [
        Chapter(
            "",
            "附表1　纳入评估的集群及数据来源",
            (
                Table(
                    f"本年数据来自“{SOURCE_NOTE}”；行业按主导产业代码（GB/T 4754-2017）；"
                    f"地区按{REGIONS_SOURCE}",
                    (
                        "序号",
                        "认定编号",
                        "集群名称",
                        "所在地",
                        "主导产业",
                        "行业",
                        "地区",
                        f"{year}年数据来源",
                        f"{year - 1}年数据来源",
                    ),
                    _cluster_rows(current),
                ),
            ),
        ),
        Chapter(
            "",
            f"附表2　未报送{year}年度数据的集群",
            (
                Table(
                    f"{coverage.total}个集群中{len(coverage.unreported)}个没有{year}年度数据"
                    "（未接收年度培育情况信息表，认定申报材料也未含该年度），不计入各项指标",
                    ("序号", "认定编号", "集群名称", "所在地", "主导产业", "行业"),
                    _unreported_rows(coverage.unreported),
                ),
            ),
        ),
    ]
    if coverage.unreadable:
        annexes.append(
            Chapter(
                "",
                f"附表{len(annexes) + 1}　无法读取的数据记录",
                (
                    Table(
                        "以下已存储的记录未通过校验，按未报送处理；请核实更正后重新生成报告",
                        ("认定编号", "年度", "记录", "原因"),
                        tuple(
                            (record.number, str(record.year), record.source, record.reason)
                            for record in coverage.unreadable
                        ),
                    ),
                ),
            )
        )
    annexes.append(
        Chapter(
            "",
            f"附表{len(annexes) + 1}　指标定义",
            (
                Table(
                    "每项指标只在此定义一次；报告、监测看板和数据表均按此计算",
                    ("主题", "指标", "单位", "计算方法", "来源字段"),
                    _definition_rows(CATALOGUE),
                ),
            ),
        )
    )
    chapters = (
        Chapter("一", BLOCK_TITLES[Block.SIGNIFICANCE], (_paragraphs(chosen, edited, Block.SIGNIFICANCE),)),
        Chapter(
            "二",
            BLOCK_TITLES[Block.OVERVIEW],
            (
                _paragraphs(chosen, edited, Block.OVERVIEW),
                FigureTable("表2-1　主要指标", tuple(current.headlines)),
                Table(
                    f"表2-2　集群行业分布（{everyone}）",
                    ("行业", "集群数（个）", "占比（%）"),
                    _distribution_rows(sectors),
                ),
                *charts(
                    _distribution_chart(
                        "clusters_by_sector",
                        f"集群行业分布（{coverage.total}个集群）",
                        sectors,
                        horizontal=True,
                    )
                ),
                Table(
                    f"表2-3　集群区域分布（东中西三大地区，{everyone}）",
                    ("地区", "集群数（个）", "占比（%）"),
                    _distribution_rows(regions),
                ),
                *charts(
                    _distribution_chart(
                        "clusters_by_region",
                        f"集群区域分布（{coverage.total}个集群）",
                        regions,
                        horizontal=False,
                    )
                ),
            ),
        ),
        Chapter("三", "发展成效", sections=tuple(sections)),
        Chapter(
            "四",
            BLOCK_TITLES[Block.DYNAMIC],
            (
                _paragraphs(chosen, edited, Block.DYNAMIC),
                Table(f"表4-1　{year}年动态管理情况", ("事项", "数量", "其中"), dynamic.rows()),
            ),
        ),
        Chapter("五", BLOCK_TITLES[Block.WEAKNESSES], (_paragraphs(chosen, edited, Block.WEAKNESSES),)),
        Chapter("六", BLOCK_TITLES[Block.MEASURES], (_paragraphs(chosen, edited, Block.MEASURES),)),
        *annexes,
    )
    return EvaluationReport(
        scope, year, current, previous, chosen, edited, prepared_on, prepared_by, chapters, coverage, dynamic
    )


SOURCE_NOTE = "年度培育情况信息表（省级已接收），无则取认定申报材料中该年度的数据"


__all__ = [
    "Block",
    "Chapter",
    "ChartBlock",
    "DynamicManagement",
    "EvaluationReport",
    "FigureTable",
    "Paragraphs",
    "ReportScope",
    "Section",
    "Table",
    "Tally",
    "block_figures",
    "build_report",
    "by_region",
    "by_sector",
    "check_texts",
    "draft_texts",
]
