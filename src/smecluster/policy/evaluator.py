"""The evaluator: profile + rule set + as-of date → verdict, criterion by criterion, with the working.

Comparisons are exact. Figures arrive as decimals; every ratio, share and growth rate is compared as a
fraction (:class:`fractions.Fraction`), never as a rounded float. A growth rate is compared without
taking a root: (last / first)^(1/(n−1)) − 1 > t  ⟺  last / first > (1 + t)^(n−1), which is rational. So
400 → 529 over two years is exactly 15 % a year, and 40 → 48.4 exactly 10 %. Rates are then rounded to
the criterion's stated precision only for display, and the explanation says when a figure sits exactly
on its threshold.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from smecluster.policy.numberwords import SYMBOL, Comparator
from smecluster.policy.ruleset import (
    AreaValue,
    CompoundGrowth,
    ConditionalFlag,
    CountyScope,
    Criterion,
    CriterionKind,
    DocumentStatus,
    EachYear,
    IncidentExclusion,
    LatestShare,
    LatestValue,
    PerTenThousand,
    QualityFirms,
    RuleSet,
    TitleGroup,
    Trend,
    YearField,
)
from smecluster.policy.verdict import CriterionResult, Status, Verdict, with_unit
from smecluster.profile import ClusterProfile, Incident
from smecluster.reference.divisions import full_name, province_of

_COMPARE: dict[Comparator, Callable[[Fraction, Fraction], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}

FIELD_NAMES: dict[str, str] = {
    "output": "产值",
    "sme_output": "中小企业产值",
    "leading_output": "主导产业产值",
    "sme_rnd": "中小企业研发经费",
    "invention_patents": "有效发明专利",
    "employees": "从业人员",
    "iip_penetration": "工业互联网平台应用普及率",
    "co2_intensity": "二氧化碳排放强度",
    "non_fossil_share": "非化石能源消费比重",
    "energy_intensive": "属于高耗能行业",
    "water_intensive": "属于高用水行业",
    "energy_efficiency_better_than_benchmark": "能效优于行业基准",
    "water_efficiency_better_than_benchmark": "水效优于行业基准",
    "champion": "制造业单项冠军",
    "little_giant": "专精特新“小巨人”",
    "specialized": "专精特新中小企业",
    "innovative": "创新型中小企业",
    "high_tech": "高新技术企业",
}


def evaluate(profile: ClusterProfile, rule_set: RuleSet, as_of: date | None = None) -> Verdict:
    """Check ``profile`` against every criterion of ``rule_set`` as of ``as_of`` (default: applied on)."""
    day = as_of or profile.application_date
    context = _Context(profile, rule_set)
    results = [context.evaluate(criterion) for criterion in rule_set.criteria]
    return Verdict(rule_set.id, rule_set.title, day, results, _warnings(profile, rule_set, day))


def _warnings(profile: ClusterProfile, rule_set: RuleSet, day: date) -> list[str]:
    warnings = []
    validity = rule_set.validity
    if validity.valid_from and day < validity.valid_from:
        warnings.append(f"本规则集自 {validity.valid_from} 起施行，评估日 {day} 尚未施行")
    if validity.valid_until and day > validity.valid_until:
        warnings.append(f"本规则集有效期已于 {validity.valid_until} 届满（评估日 {day}）")
    if validity.valid_from is None and validity.valid_until is None and validity.note:
        warnings.append(f"本规则集的有效期无法确定：{validity.note}")
    if rule_set.document.status is DocumentStatus.DRAFT:
        warnings.append("本规则集依据的是征求意见稿，正式文件可能不同")
    if rule_set.document.status is DocumentStatus.INTERPRETATION:
        warnings.append("本规则集依据的是政策解读，未见办法原文")
    province = rule_set.applies_to_province
    if province and not profile.counties[0].startswith(province):
        home = province_of(profile.counties[0]).name
        warnings.append(
            f"本规则集适用于{province_of(province + '0000').name}的集群，"
            f"申报县 {profile.counties[0]} 位于{home}"
        )
    return warnings


class _Context:
    """One evaluation: the profile, the rule set, and the years the criteria look at."""

    def __init__(self, profile: ClusterProfile, rule_set: RuleSet) -> None:
        self.profile = profile
        self.rule_set = rule_set
        # "Last 3 years" end with the call's last complete year (every applicant of a call is judged on the
        # same years), or without a call the year before the application date.
        self.latest_year = profile.judged_until

    def evaluate(self, criterion: Criterion) -> CriterionResult:
        result = self._evaluate(criterion)
        relaxation = criterion.relaxable_in
        if result.status is Status.FAIL and relaxation is not None:
            region = self.rule_set.region(relaxation.region)
            if self.profile.counties[0][:2] in region.provinces:
                # The bound may be relaxed here: falling short is a matter for a reasoned decision, not a bar.
                return replace(
                    result,
                    status=Status.REVIEW,
                    explanation=f"{result.explanation}；{region.name}适用“{relaxation.clause}”"
                    f"（{relaxation.article.cite()}），由审核人员判断是否放宽",
                )
        return result

    def _evaluate(self, criterion: Criterion) -> CriterionResult:
        measure = criterion.measure
        if criterion.kind is CriterionKind.QUALITATIVE or measure is None:
            return CriterionResult(
                criterion, Status.REVIEW, "定性条件，由专家依据佐证材料判断：" + "；".join(criterion.evidence)
            )
        if isinstance(measure, EachYear):
            return self._each_year(criterion, measure)
        if isinstance(measure, LatestValue | AreaValue | LatestShare | PerTenThousand):
            return self._single_value(criterion, measure)
        if isinstance(measure, CompoundGrowth):
            return self._compound_growth(criterion, measure)
        if isinstance(measure, Trend):
            return self._trend(criterion, measure)
        if isinstance(measure, QualityFirms):
            return self._quality_firms(criterion, measure)
        if isinstance(measure, ConditionalFlag):
            return self._conditional_flag(criterion, measure)
        if isinstance(measure, IncidentExclusion):
            return self._incidents(criterion, measure)
        return self._county_scope(criterion, measure)

    # --- figures ---------------------------------------------------------------------------------

    def _window(self, years: int) -> list[int]:
        return list(range(self.latest_year - years + 1, self.latest_year + 1))

    def _figures(self, field: YearField, years: list[int]) -> tuple[dict[int, Decimal], list[int]]:
        """The figures of ``field`` for ``years``, and the years that lack one."""
        found: dict[int, Decimal] = {}
        absent = []
        for year in years:
            entry = self.profile.year(year)
            figure = getattr(entry, field) if entry is not None else None
            if figure is None:
                absent.append(year)
            else:
                found[year] = Decimal(figure)
        return found, absent

    def _missing(self, criterion: Criterion, field: YearField, absent: list[int]) -> CriterionResult:
        listed = "、".join(f"{year}年" for year in absent)
        return CriterionResult(
            criterion,
            Status.MISSING,
            f"缺少{listed}的{FIELD_NAMES[field]}数据（{self._period_words()}）",
            comparator=criterion.comparator,
            threshold=criterion.threshold,
            unit=criterion.unit,
        )

    def _period_words(self) -> str:
        if self.profile.last_complete_year is not None:
            return f"评价年度截至 {self.latest_year} 年，由本年度申报统一确定"
        return f"近三年指申报日期 {self.profile.application_date} 之前最近的完整年度"

    def _compared(
        self, criterion: Criterion, status: Status, value: Decimal | None, explanation: str
    ) -> CriterionResult:
        if status is Status.FAIL and criterion.qualifier == "一般":
            status = Status.REVIEW
            explanation += f"；条文为“{criterion.qualifier}”，超出时由评审判断是否例外"
        return CriterionResult(
            criterion,
            status,
            explanation,
            value=value,
            comparator=criterion.comparator,
            threshold=criterion.threshold,
            unit=criterion.unit,
        )

    def _bound(self, criterion: Criterion) -> tuple[Comparator, Fraction, str]:
        assert criterion.comparator is not None
        assert criterion.threshold is not None
        threshold = criterion.threshold
        bound = with_unit(f"{SYMBOL[criterion.comparator]} {threshold}", criterion.unit)
        return criterion.comparator, Fraction(threshold), bound

    def _each_year(self, criterion: Criterion, measure: EachYear) -> CriterionResult:
        found, absent = self._figures(measure.field, self._window(measure.years))
        if absent:
            return self._missing(criterion, measure.field, absent)
        comparator, threshold, bound = self._bound(criterion)
        meets = {year: _COMPARE[comparator](Fraction(figure), threshold) for year, figure in found.items()}
        listed = "，".join(
            f"{year}年 {with_unit(str(figure), criterion.unit)}" for year, figure in found.items()
        )
        # The binding figure is the one nearest to failing: the least for a floor, the greatest for a cap.
        binding = min(found.values()) if comparator in (">=", ">") else max(found.values())
        if all(meets.values()):
            return self._compared(criterion, Status.PASS, binding, f"{listed}：均 {bound}")
        failing = "、".join(f"{year}年" for year, ok in meets.items() if not ok)
        return self._compared(criterion, Status.FAIL, binding, f"{listed}：{failing}不满足 {bound}")

    def _single_value(
        self, criterion: Criterion, measure: LatestValue | AreaValue | LatestShare | PerTenThousand
    ) -> CriterionResult:
        if isinstance(measure, AreaValue):
            area = self.profile.area_km2
            return self._judge(
                criterion, Fraction(area), area, f"占地面积 {with_unit(str(area), criterion.unit)}"
            )
        if isinstance(measure, LatestValue):
            found, absent = self._figures(measure.field, [self.latest_year])
            if absent:
                return self._missing(criterion, measure.field, absent)
            figure = found[self.latest_year]
            working = (
                f"{self.latest_year}年 {FIELD_NAMES[measure.field]} {with_unit(str(figure), criterion.unit)}"
            )
            return self._judge(criterion, Fraction(figure), figure, working)
        if isinstance(measure, LatestShare):
            return self._ratio(criterion, measure.part, measure.whole, 100)
        return self._ratio(criterion, measure.field, measure.per, 10_000)

    def _ratio(self, criterion: Criterion, top: YearField, bottom: YearField, scale: int) -> CriterionResult:
        """top ÷ bottom × scale in the latest year: a share (× 100) or a density (× 10,000)."""
        figures: list[Decimal] = []
        for field in (top, bottom):
            found, absent = self._figures(field, [self.latest_year])
            if absent:
                return self._missing(criterion, field, absent)
            figures.append(found[self.latest_year])
        numerator, denominator = figures
        if denominator == 0:
            return CriterionResult(
                criterion,
                Status.MISSING,
                f"{self.latest_year}年 {FIELD_NAMES[bottom]} 为 0，无法计算比值",
                comparator=criterion.comparator,
                threshold=criterion.threshold,
                unit=criterion.unit,
            )
        exact = Fraction(numerator) / Fraction(denominator) * scale
        working = (
            f"{self.latest_year}年 {FIELD_NAMES[top]} {numerator} ÷ {FIELD_NAMES[bottom]} {denominator} "
            f"× {scale:,} = {with_unit(_shown(exact, criterion.precision), criterion.unit)}"
            f"{_exactness(exact, criterion.precision)}"
        )
        return self._judge(criterion, exact, _rounded(exact, criterion.precision), working)

    def _judge(self, criterion: Criterion, exact: Fraction, shown: Decimal, working: str) -> CriterionResult:
        """Compare an exact figure with the criterion's threshold; ``shown`` is what the verdict prints."""
        comparator, threshold, bound = self._bound(criterion)
        ok = _COMPARE[comparator](exact, threshold)
        return self._compared(
            criterion,
            Status.PASS if ok else Status.FAIL,
            shown,
            f"{working}，{'满足' if ok else '不满足'} {bound}{_at_threshold(exact, threshold)}",
        )

    def _compound_growth(self, criterion: Criterion, measure: CompoundGrowth) -> CriterionResult:
        years = self._window(measure.years)
        found, absent = self._figures(measure.field, years)
        if absent:
            return self._missing(criterion, measure.field, absent)
        first, last = found[years[0]], found[years[-1]]
        comparator, threshold, bound = self._bound(criterion)
        span = measure.years - 1
        if first == 0:
            return CriterionResult(
                criterion,
                Status.MISSING,
                f"{years[0]}年 {FIELD_NAMES[measure.field]} 为 0，年均增速无法计算",
                comparator=comparator,
                threshold=criterion.threshold,
                unit=criterion.unit,
            )
        ratio = Fraction(last) / Fraction(first)
        # Compare ratio with (1 + t)^span: the same inequality as the rate with t, without a root.
        target = (1 + threshold / 100) ** span
        ok = _COMPARE[comparator](ratio, target)
        rate = _growth_rate(ratio, span)
        equal = " 恰好等于阈值" if ratio == target else ""
        working = (
            f"({last} ÷ {first})^(1/{span}) − 1 = {rate:.{criterion.precision}f}%"
            f"（精确比较：{last} ÷ {first} = {_shown(ratio, 6)}，"
            f"(1 + {criterion.threshold}%)^{span} = {_shown(target, 6)}{equal}）"
        )
        return self._compared(
            criterion,
            Status.PASS if ok else Status.FAIL,
            rate.quantize(Decimal(1).scaleb(-criterion.precision), ROUND_HALF_UP),
            f"{working}，{'满足' if ok else '不满足'} {bound}",
        )

    def _trend(self, criterion: Criterion, measure: Trend) -> CriterionResult:
        years = self._window(measure.years)
        found, absent = self._figures(measure.field, years)
        if absent:
            return self._missing(criterion, measure.field, absent)
        better = operator.lt if measure.direction == "falling" else operator.gt
        word = "下降" if measure.direction == "falling" else "提高"
        listed = " → ".join(f"{year}年 {found[year]}" for year in years)
        if measure.every_year:
            steps = list(itertools.pairwise(years))
            broken = [f"{later}年" for earlier, later in steps if not better(found[later], found[earlier])]
            ok = not broken
            detail = f"逐年{word}" if ok else f"{'、'.join(broken)}未较上年{word}"
        else:
            ok = better(found[years[-1]], found[years[0]])
            detail = f"{years[-1]}年较{years[0]}年{word if ok else '未' + word}"
        return CriterionResult(criterion, Status.PASS if ok else Status.FAIL, f"{listed}：{detail}")

    def _quality_firms(self, criterion: Criterion, measure: QualityFirms) -> CriterionResult:
        totals: list[int | None] = []
        parts = []
        passed = False
        for group in measure.alternatives:
            total, ok, part = self._title_group(group)
            totals.append(total if ok is not None else None)
            parts.append(part)
            passed = passed or bool(ok)
        status = Status.PASS if passed else Status.MISSING if None in totals else Status.FAIL
        return CriterionResult(
            criterion,
            status,
            "；或 ".join(parts) + ("（满足其一即可）" if len(parts) > 1 else ""),
            value=list(totals),
            comparator=[group.comparator for group in measure.alternatives],
            threshold=[group.threshold for group in measure.alternatives],
            unit="家",
        )

    def _title_group(self, group: TitleGroup) -> tuple[int | None, bool | None, str]:
        """One alternative: (the count it was decided on, met / not met / undecided, the working)."""
        firms = self.profile.quality_firms
        counts = [getattr(firms, title) for title in group.titles]
        names = " + ".join(FIELD_NAMES[title] for title in group.titles)
        compare = _COMPARE[group.comparator]
        threshold = Fraction(group.threshold)
        wanted = f"{SYMBOL[group.comparator]} {group.threshold} 家"
        known = [count for count in counts if count is not None]
        absent = "、".join(
            FIELD_NAMES[title] for title, count in zip(group.titles, counts, strict=True) if count is None
        )
        floor = group.comparator in (">=", ">")
        if len(group.titles) > 1 and group.counts == "firms":
            stated = firms.holders_of(group.titles)
            if stated is not None:
                ok = compare(Fraction(stated), threshold)
                verdict = "满足" if ok else "不满足"
                holders = f"持有{names}任一称号的企业 = {stated} 家（每家只计一次）"
                return stated, ok, f"{holders}，{verdict} {wanted}"
            # Without the stated number the titles still bound it: the firms holding any of them are at
            # least the holders of the most held title and at most the holdings counted one by one.
            least = max(known, default=None)
            most = sum(known) if not absent else None
            sure, impossible = (least, most) if floor else (most, least)
            if sure is not None and compare(Fraction(sure), threshold):
                bound = "至少" if floor else "至多"
                return sure, True, f"持有{names}任一称号的企业{bound} {sure} 家，满足 {wanted}"
            if impossible is not None and not compare(Fraction(impossible), threshold):
                bound = "至多" if floor else "至少"
                return impossible, False, f"持有{names}任一称号的企业{bound} {impossible} 家，不满足 {wanted}"
            if absent:
                return None, None, f"{names}：缺少{absent}数量"
            return (
                None,
                None,
                f"{names}：各称号合计 {sum(known)} 家，但一家企业可能持有多个称号，"
                f"按企业计可能不满足 {wanted}；需填报持有其中任一称号的企业数（每家只计一次）",
            )
        total = sum(known)
        # A floor already met by the known counts needs no more: unknown counts can only add.
        if absent and not (floor and compare(Fraction(total), threshold)):
            return None, None, f"{names}：缺少{absent}数量"
        ok = compare(Fraction(total), threshold)
        return total, ok, f"{names} = {total} 家，{'满足' if ok else '不满足'} {wanted}"

    def _conditional_flag(self, criterion: Criterion, measure: ConditionalFlag) -> CriterionResult:
        condition = getattr(self.profile, measure.applies_if)
        if not condition:
            return CriterionResult(criterion, Status.PASS, f"不适用：集群不{FIELD_NAMES[measure.applies_if]}")
        requirement = getattr(self.profile, measure.requires)
        if requirement is None:
            return CriterionResult(
                criterion,
                Status.MISSING,
                f"集群{FIELD_NAMES[measure.applies_if]}，但未填报是否{FIELD_NAMES[measure.requires]}",
            )
        verb = "" if requirement else "未"
        return CriterionResult(
            criterion,
            Status.PASS if requirement else Status.FAIL,
            f"集群{FIELD_NAMES[measure.applies_if]}，{verb}{FIELD_NAMES[measure.requires]}",
        )

    def _incidents(self, criterion: Criterion, measure: IncidentExclusion) -> CriterionResult:
        applied = self.profile.application_date
        # The same years as the figures: from 1 January of the first of them to the application date, so a
        # 2022 accident counts against an application judged on 2022–2024 figures.
        start = date(self.latest_year - measure.window_years + 1, 1, 1)
        within = [incident for incident in self.profile.incidents if start <= incident.date <= applied]
        counted = [incident for incident in within if _counts(incident, measure)]
        outside = len(self.profile.incidents) - len(within)
        window = f"{start} 至 {applied}"
        notes = []
        if len(within) > len(counted):
            notes.append(f"另有 {len(within) - len(counted)} 起未达计入等级")
        if outside:
            notes.append(f"{outside} 起不在期间内，不计入")
        tail = ("；" + "；".join(notes)) if notes else ""
        if counted:
            listed = "；".join(_describe(incident) for incident in counted)
            explanation = f"{window} 期间发生 {len(counted)} 起计入事件：{listed}{tail}"
            status = Status.FAIL
        else:
            explanation = f"{window} 期间未发生计入事件{tail}"
            status = Status.PASS
        return CriterionResult(
            criterion, status, explanation, value=len(counted), comparator="==", threshold=0, unit="起"
        )

    def _county_scope(self, criterion: Criterion, measure: CountyScope) -> CriterionResult:
        scope = self.rule_set.spatial_scope
        counties = self.profile.counties
        names = "、".join(f"{code} {full_name(code)}" for code in counties)
        if len(counties) == 1:
            return CriterionResult(
                criterion, Status.PASS, f"位于一个县级区划内：{names}", value=1, comparator="<=", unit="个"
            )
        if scope.max_counties is not None and len(counties) > scope.max_counties:
            return CriterionResult(
                criterion,
                Status.FAIL,
                f"跨 {len(counties)} 个县级区划（{names}），本规则集限于 {scope.max_counties} 个",
                value=len(counties),
                comparator="<=",
                threshold=scope.max_counties,
                unit="个",
            )
        # Neither can be computed: the project holds no adjacency of divisions (GB/T 2260 lists codes and
        # names only), and the profile states output for the cluster as a whole, not per county. So a
        # person checks both, and the explanation says why.
        checks = []
        if scope.adjacent_required:
            checks.append("各县级区划是否相邻（项目未收录县级区划邻接数据，无法自动核对）")
        checks.append(f"申报主体是否为{scope.declaring_county}（申报数据未按县分列产值，无法自动核对）")
        return CriterionResult(
            criterion,
            Status.REVIEW,
            f"跨 {len(counties)} 个县级区划（{names}）；依据{scope.article.cite()}“{scope.clause}”，"
            + "需人工核实"
            + "；".join(checks),
            value=len(counties),
            unit="个",
        )


def _counts(incident: Incident, measure: IncidentExclusion) -> bool:
    return measure.counted_by(incident.kind, incident.level) is not None


_KIND_NAMES = {
    "safety_accident": "安全事故",
    "quality_accident": "质量事故",
    "environment_accident": "环境污染事故",
    "cyber_security_event": "网络安全事件",
    "data_security_event": "数据安全事件",
    "tax_evasion": "偷税漏税",
    "violation": "违法违规",
    "serious_dishonesty": "严重失信",
    "other_major": "其它重大问题",
}


def _describe(incident: Incident) -> str:
    level = f"{incident.level}" if incident.level else ""
    return f"{incident.date} {level}{_KIND_NAMES[incident.kind.value]}"


def _growth_rate(ratio: Fraction, span: int) -> Decimal:
    """The yearly rate in per cent, for display: exact when the root is exact (1.3225 → 15)."""
    with localcontext() as context:
        context.prec = 40
        quotient = Decimal(ratio.numerator) / Decimal(ratio.denominator)
        # sqrt is correctly rounded, so an exact square root (the usual 3-year case) stays exact.
        root = quotient.sqrt() if span == 2 else quotient ** (Decimal(1) / Decimal(span))
        return (root - 1) * 100


def _rounded(exact: Fraction, precision: int) -> Decimal:
    with localcontext() as context:
        context.prec = 40
        value = Decimal(exact.numerator) / Decimal(exact.denominator)
        return value.quantize(Decimal(1).scaleb(-precision), ROUND_HALF_UP)


def _shown(exact: Fraction, precision: int) -> str:
    if exact.denominator == 1:
        return str(exact.numerator)
    return str(_rounded(exact, precision).normalize())


def _exactness(exact: Fraction, precision: int) -> str:
    return "" if _rounded(exact, precision) == exact else f"（保留 {precision} 位小数）"


def _at_threshold(exact: Fraction, threshold: Fraction) -> str:
    return "（恰好等于阈值）" if exact == threshold else ""
