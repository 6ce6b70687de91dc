"""The catalogue of development-plan metrics: what a three-year target may be set on, with its unit, which
way is better, and how a year's value is computed from that year's annual figures (``AnnualFigures``).

Defined once: the plan-target form offers these, the annual report shows progress with them, and the
re-review judges achievement with them. A value that cannot be computed (a figure not reported, a share of
a zero total) is ``None`` — "missing", never zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smecluster.annual_figures import AnnualFigures


class Direction(StrEnum):
    HIGHER = "higher"  # achieved when the value reaches the target or more
    LOWER = "lower"  # achieved when the value falls to the target or below (e.g. CO₂ intensity)


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any
    unit: str | Promise
    compute: Callable[[AnnualFigures], Decimal | None]
    working: Any  # how the value is computed, as the pages explain it
    direction: Direction = Direction.HIGHER


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _share(part: Any, whole: Any) -> Decimal | None:
    """``part`` as a percentage of ``whole``, to two decimals; missing when either is, or the whole is 0."""
    if part is None or whole is None or Decimal(str(whole)) == 0:
        return None
    return (Decimal(str(part)) * 100 / Decimal(str(whole))).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _figure(name: str) -> Callable[[AnnualFigures], Decimal | None]:
    return lambda report: _decimal(getattr(report.figures, name))


def _top(name: str) -> Callable[[AnnualFigures], Decimal | None]:
    return lambda report: _decimal(getattr(report, name))


def _quality(name: str) -> Callable[[AnnualFigures], Decimal | None]:
    return lambda report: _decimal(getattr(report.quality_firms, name))


METRICS: dict[str, Metric] = {
    metric.key: metric
    for metric in (
        Metric("output", _("集群总产值"), "亿元", _figure("output"), _("年报“集群总产值”")),
        Metric(
            "leading_output", _("主导产业产值"), "亿元", _figure("leading_output"), _("年报“主导产业产值”")
        ),
        Metric(
            "sme_output_share",
            _("中小企业产值占集群总产值比重"),
            "%",
            lambda report: _share(report.figures.sme_output, report.figures.output),
            _("中小企业产值 ÷ 集群总产值 × 100"),
        ),
        Metric(
            "leading_output_share",
            _("主导产业产值占集群总产值比重"),
            "%",
            lambda report: _share(report.figures.leading_output, report.figures.output),
            _("主导产业产值 ÷ 集群总产值 × 100"),
        ),
        Metric("sme_rnd", _("中小企业研发经费支出"), "亿元", _figure("sme_rnd"), _("年报“中小企业研发经费”")),
        Metric(
            "sme_rnd_intensity",
            _("中小企业研发经费投入强度"),
            "%",
            lambda report: _share(report.figures.sme_rnd, report.figures.sme_output),
            _("中小企业研发经费 ÷ 中小企业产值 × 100"),
        ),
        Metric(
            "invention_patents",
            _("有效发明专利"),
            "件",
            _figure("invention_patents"),
            _("年报“有效发明专利”"),
        ),
        Metric("employees", _("从业人员"), "人", _figure("employees"), _("年报“从业人员”")),
        Metric(
            "iip_penetration",
            _("工业互联网平台应用普及率"),
            "%",
            _figure("iip_penetration"),
            _("年报“工业互联网平台应用普及率”"),
        ),
        Metric(
            "non_fossil_share",
            _("非化石能源消费比重"),
            "%",
            _figure("non_fossil_share"),
            _("年报“非化石能源消费比重”"),
        ),
        Metric(
            "co2_intensity",
            _("二氧化碳排放强度"),
            _("吨/万元"),
            _figure("co2_intensity"),
            _("年报“二氧化碳排放强度”；越低越好"),
            Direction.LOWER,
        ),
        Metric("firms", _("集群企业数"), "家", _top("firms"), _("年报“集群企业数”")),
        Metric("sme_firms", _("集群中小企业数"), "家", _top("sme_firms"), _("年报“其中中小企业数”")),
        Metric("rnd", _("集群企业研发经费支出"), "亿元", _top("rnd"), _("年报“集群企业研发经费支出合计”")),
        Metric(
            "platforms_national",
            _("国家级创新平台数"),
            "个",
            _top("platforms_national"),
            _("年报“国家级创新平台数”"),
        ),
        Metric(
            "standards",
            _("主导或参与制修订标准数"),
            "项",
            _top("standards"),
            _("年报“主导或参与制修订标准数”"),
        ),
        Metric("cloud_adoption", _("企业上云率"), "%", _top("cloud_adoption"), _("年报“企业上云率”")),
        Metric("exports", _("出口交货值"), "亿元", _top("exports"), _("年报“出口交货值”")),
        Metric(
            "little_giant",
            _("专精特新“小巨人”企业数"),
            "家",
            _quality("little_giant"),
            _("年报“专精特新‘小巨人’企业”"),
        ),
        Metric(
            "specialized", _("专精特新中小企业数"), "家", _quality("specialized"), _("年报“专精特新中小企业”")
        ),
        Metric(
            "champion", _("制造业单项冠军企业数"), "家", _quality("champion"), _("年报“制造业单项冠军企业”")
        ),
        Metric("innovative", _("创新型中小企业数"), "家", _quality("innovative"), _("年报“创新型中小企业”")),
        Metric("high_tech", _("高新技术企业数"), "家", _quality("high_tech"), _("年报“高新技术企业”")),
    )
}


def metric_choices() -> list[tuple[str, str]]:
    return [(key, f"{metric.label}（{metric.unit}）") for key, metric in METRICS.items()]


def number_text(value: Decimal | None) -> str:
    """48.4000 → 48.4; 100.00 → 100: a value as a person writes it."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


class Achievement(StrEnum):
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"
    MISSING = "missing"


ACHIEVEMENT_LABELS = {
    Achievement.ACHIEVED: _("达成"),
    Achievement.NOT_ACHIEVED: _("未达成"),
    Achievement.MISSING: _("数据缺失"),
}


@dataclass(frozen=True)
class TargetProgress:
    """One plan target against the figures of one year (or of none, when no report has been received)."""

    metric: Metric
    baseline_year: int
    baseline_value: Decimal
    target_value: Decimal
    target_year: int
    achieved_year: int | None
    achieved_value: Decimal | None

    @property
    def status(self) -> Achievement:
        if self.achieved_value is None:
            return Achievement.MISSING
        if self.metric.direction == Direction.LOWER:
            reached = self.achieved_value <= self.target_value
        else:
            reached = self.achieved_value >= self.target_value
        return Achievement.ACHIEVED if reached else Achievement.NOT_ACHIEVED

    @property
    def status_label(self) -> Any:
        return ACHIEVEMENT_LABELS[self.status]

    @property
    def expected_value(self) -> Decimal | None:
        """Where the value should stand in the achieved year on the straight way from baseline to target
        (the target itself from the target year on): what the yearly assessment measures progress by."""
        if self.achieved_year is None:
            return None
        span = self.target_year - self.baseline_year
        if span <= 0 or self.achieved_year >= self.target_year:
            return self.target_value
        elapsed = max(self.achieved_year - self.baseline_year, 0)
        way = (self.target_value - self.baseline_value) * elapsed / span
        return (self.baseline_value + way).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def on_track(self) -> bool | None:
        """Whether the achieved value has covered the expected part of the way; None when it is missing."""
        expected = self.expected_value
        if self.achieved_value is None or expected is None:
            return None
        if self.metric.direction == Direction.LOWER:
            return self.achieved_value <= expected
        return self.achieved_value >= expected

    def text(self, value: Decimal | None) -> str:
        return f"{number_text(value)} {self.metric.unit}" if value is not None else ""

    @property
    def baseline_text(self) -> str:
        return self.text(self.baseline_value)

    @property
    def target_text(self) -> str:
        return self.text(self.target_value)

    @property
    def achieved_text(self) -> str:
        return self.text(self.achieved_value)


def progress(
    *,
    metric_key: str,
    baseline_year: int,
    baseline_value: Decimal,
    target_value: Decimal,
    target_year: int,
    figures: AnnualFigures | None,
) -> TargetProgress:
    """The target against ``figures`` (the year they report is the achieved year), or missing without."""
    metric = METRICS[metric_key]
    value = metric.compute(figures) if figures is not None else None
    return TargetProgress(
        metric=metric,
        baseline_year=baseline_year,
        baseline_value=baseline_value,
        target_value=target_value,
        target_year=target_year,
        achieved_year=figures.year if figures is not None else None,
        achieved_value=value,
    )


def default_target_year(valid_until: date) -> int:
    """A three-year plan's target year by default: the last calendar year wholly inside the validity
    (validity ending 2028-03-09 → 2027), the last year whose complete figures an annual report can carry."""
    return valid_until.year if (valid_until.month, valid_until.day) == (12, 31) else valid_until.year - 1
