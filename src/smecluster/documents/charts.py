"""The evaluation report's charts, drawn with matplotlib in the Noto CJK font.

Each chart is drawn as SVG with its text kept as text (``svg.fonttype = "none"``), for the PDF (WeasyPrint
lays the text out in the same CJK font and embeds it) and the dashboard; and, only when asked for (the
DOCX), as PNG at 200 dpi, where Word would otherwise substitute a font of its own.

Drawing is most of the dashboard's time (0.1–0.3 s a chart) and a chart is a pure function of its inputs,
so the drawings are memoised per process on those inputs: the dashboard of a scope and year draws its
charts once per server process until the figures behind them change.

Every text a chart draws is data: mathtext is off (``text.parse_math``), so ``$…$`` in a name prints as
typed.

Without a CJK font every 汉字 in a chart is an empty box and matplotlib only warns, so the font is looked
up first and its absence is an error (:class:`CJKFontMissing`) naming the package to install.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: charts are files

from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.figure import Figure as Canvas
from matplotlib.ticker import MaxNLocator

from smecluster.analytics.figures import FigureValue, Panel, Theme
from smecluster.analytics.figures import panel as make_panel

PNG_DPI = 200

# Units of whole things: their axes have whole-number ticks.
COUNTABLE_UNITS = frozenset({"个", "家", "件", "项", "次", "人"})

# Simplified Chinese first; the .ttc files of Debian's fonts-noto-cjk hold every variant.
PREFERRED_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP")

PALETTE = ("#1f5f99", "#e08a1e", "#4c9a5b", "#b84a4a", "#7a5ea8", "#5b6770")


class CJKFontMissing(RuntimeError):
    """No Noto CJK font is installed: every 汉字 of a chart or PDF would print as an empty box."""


@dataclass(frozen=True)
class CJKFont:
    family: str
    regular: str
    bold: str | None


@functools.cache
def cjk_font() -> CJKFont:
    """The Noto CJK family matplotlib (and fontconfig, which it reads the same directories of) knows."""
    known = font_manager.fontManager.ttflist
    for family in PREFERRED_FAMILIES:
        faces = [entry for entry in known if entry.name == family]
        regular = next((entry.fname for entry in faces if entry.weight in (400, "normal", "regular")), None)
        if regular is None and faces:
            regular = faces[0].fname
        if regular is not None:
            bold = next((entry.fname for entry in faces if entry.weight in (700, "bold")), None)
            return CJKFont(family, regular, bold)
    raise CJKFontMissing(
        "no Noto CJK font found (looked for " + ", ".join(PREFERRED_FAMILIES) + "): the report's charts "
        "and PDF would print every Chinese character as an empty box. Install Debian's fonts-noto-cjk "
        "(apt-get install fonts-noto-cjk; `make demo` and `make test` do it)."
    )


@dataclass(frozen=True)
class Chart:
    """One chart: its caption and the SVG (text as text); ``png`` draws the same chart at 200 dpi."""

    key: str
    title: str
    svg: str
    draw: Callable[[], Canvas] = field(repr=False, compare=False)

    @property
    def png(self) -> bytes:
        return _render(self.draw, format="png", dpi=PNG_DPI)


def _style() -> dict[Any, Any]:  # matplotlib types its keys as a Literal of every rc name
    font = cjk_font()
    return {
        "font.family": [font.family],
        "svg.fonttype": "none",
        "axes.unicode_minus": False,  # the CJK font has no U+2212; a hyphen-minus reads the same
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 9,
        # Labels, titles and ticks are names people typed: a "$\\x$" in a leading industry is text, not
        # mathtext (which would fail to parse and take the dashboard and every report down with it).
        "text.parse_math": False,
    }


def _render(draw: Callable[[], Canvas], **saving: Any) -> bytes:
    with plt.rc_context(_style()):
        canvas = draw()
        canvas.tight_layout()
        written = io.BytesIO()
        canvas.savefig(written, **saving)
        plt.close(canvas)
        return written.getvalue()


def _finish(key: str, title: str, draw: Callable[[], Canvas]) -> Chart:
    # No date in the SVG: the same data draws the same file.
    return Chart(key, title, _render(draw, format="svg", metadata={"Date": None}).decode("utf-8"), draw)


def _number(value: Fraction) -> float:
    # matplotlib draws floats; the figures themselves stay exact, only the bar's length is approximate.
    return float(value)


def bar_chart(
    key: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[Fraction],
    unit: str,
    *,
    horizontal: bool = False,
) -> Chart:
    """One series of bars, each labelled with its value."""
    cjk_font()  # a memoised drawing must not hide a font that has gone missing since
    return _bar_chart(key, title, tuple(labels), tuple(values), unit, horizontal)


@functools.lru_cache(maxsize=128)
def _bar_chart(
    key: str, title: str, labels: tuple[str, ...], values: tuple[Fraction, ...], unit: str, horizontal: bool
) -> Chart:
    def draw() -> Canvas:
        canvas = plt.figure(figsize=(6.0, max(2.4, 0.32 * len(labels) + 1.0) if horizontal else 3.0))
        axes = canvas.add_subplot()
        heights = [_number(value) for value in values]
        if horizontal:
            bars = axes.barh(list(labels)[::-1], heights[::-1], color=PALETTE[0])
            axes.set_xlabel(unit)
        else:
            bars = axes.bar(list(labels), heights, color=PALETTE[0])
            axes.set_ylabel(unit)
        axes.bar_label(bars, fmt="%g", padding=2, fontsize=8)
        if unit not in COUNTABLE_UNITS:
            pass
        elif horizontal:
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        else:
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(title)
        return canvas

    return _finish(key, title, draw)


def grouped_chart(
    key: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Fraction | None]]],
    unit: str,
) -> Chart:
    """Several series side by side per label (e.g. last year and this year); a missing value is no bar."""
    cjk_font()  # a memoised drawing must not hide a font that has gone missing since
    return _grouped_chart(
        key, title, tuple(labels), tuple((name, tuple(values)) for name, values in series), unit
    )


@functools.lru_cache(maxsize=128)
def _grouped_chart(
    key: str,
    title: str,
    labels: tuple[str, ...],
    series: tuple[tuple[str, tuple[Fraction | None, ...]], ...],
    unit: str,
) -> Chart:
    def draw() -> Canvas:
        canvas = plt.figure(figsize=(6.0, 3.0))
        axes = canvas.add_subplot()
        width = 0.8 / max(1, len(series))
        for index, (name, values) in enumerate(series):
            positions = [slot + (index - (len(series) - 1) / 2) * width for slot in range(len(labels))]
            heights = [_number(value) if value is not None else 0.0 for value in values]
            bars = axes.bar(positions, heights, width, label=name, color=PALETTE[index % len(PALETTE)])
            axes.bar_label(
                bars, labels=["" if value is None else f"{_number(value):g}" for value in values], fontsize=7
            )
        axes.set_xticks(list(range(len(labels))), list(labels))
        axes.set_ylabel(unit)
        axes.set_title(title)
        axes.legend(frameon=False, fontsize=8)
        return canvas

    return _finish(key, title, draw)


# --- the report's charts, from a panel ----------------------------------------------------------------


def _values(panel: Panel, ids: Sequence[str]) -> list[FigureValue]:
    return [panel[id] for id in ids]


def _two_years(
    key: str, title: str, current: Panel, previous: Panel, ids: Sequence[str], unit: str
) -> Chart | None:
    """This year beside last year for the same clusters (those reported in both years)."""
    pairs = {fact.number for fact in previous.facts}
    if not pairs:
        return None
    same = make_panel(current.year, [fact for fact in current.facts if fact.number in pairs])
    now, before = _values(same, ids), _values(previous, ids)
    if all(value.value is None for value in (*now, *before)):
        return None
    labels = [value.figure.name for value in now]
    return grouped_chart(
        key,
        title,
        labels,
        [
            (f"{previous.year}年", [value.value for value in before]),
            (f"{current.year}年", [value.value for value in now]),
        ],
        unit,
    )


def _shares(key: str, title: str, panel: Panel, ids: Sequence[str]) -> Chart | None:
    values = [value for value in _values(panel, ids) if value.value is not None]
    if not values:
        return None
    return bar_chart(
        key,
        title,
        [value.figure.name for value in values],
        [value.value for value in values if value.value is not None],
        "%",
        horizontal=True,
    )


def _breakdown(key: str, title: str, value: FigureValue, *, horizontal: bool = False) -> Chart | None:
    parts = [part for part in value.parts if part.value > 0] if horizontal else list(value.parts)
    if not parts or value.value is None or value.value == 0:
        return None
    return bar_chart(
        key,
        title,
        [part.label for part in parts],
        [part.value for part in parts],
        value.figure.unit,
        horizontal=horizontal,
    )


def overview_charts(panel: Panel) -> list[Chart]:
    """The dashboard's overview charts: the clusters with figures for the year by sector (of the leading
    industry's GB/T 4754 code) and by region."""
    charts = [
        _breakdown(
            "clusters_by_sector", f"{panel.year}年集群行业分布", panel["clusters_by_sector"], horizontal=True
        ),
        _breakdown(
            "clusters_by_region", f"{panel.year}年集群地区分布（东中西三大地区）", panel["clusters_by_region"]
        ),
    ]
    return [chart for chart in charts if chart is not None]


def theme_charts(theme: Theme, current: Panel, previous: Panel) -> list[Chart]:
    """The charts of one theme's results; a chart without any data is left out (its table says 无数据)."""
    year = current.year
    charts: list[Chart | None]
    if theme is Theme.SCALE:
        charts = [
            _two_years(
                "output_two_years",
                "集群产值增长情况（两年均有数据的集群）",
                current,
                previous,
                ["output", "sme_output", "leading_output"],
                "亿元",
            )
        ]
    elif theme is Theme.FIRMS:
        charts = [
            _breakdown(
                "quality_firms_by_title", f"{year}年集群优质企业数量", current["quality_firms_by_title"]
            )
        ]
    elif theme is Theme.INNOVATION:
        charts = [
            _two_years(
                "platforms_two_years",
                "创新平台建设情况",
                current,
                previous,
                ["platforms_national", "platforms_provincial"],
                "个",
            ),
            _two_years(
                "patents_two_years", "有效发明专利情况", current, previous, ["invention_patents"], "件"
            ),
        ]
    elif theme is Theme.DIGITAL:
        charts = [
            _shares(
                "digital_shares",
                f"{year}年集群上云比例和工业互联网平台普及率",
                current,
                ["iip_penetration", "cloud_adoption", "digital_service_coverage"],
            )
        ]
    elif theme is Theme.GREEN:
        charts = [
            _shares(
                "green_shares",
                f"{year}年集群绿色化水平",
                current,
                [
                    "solid_waste_utilisation",
                    "solid_waste_above_mark",
                    "water_reuse",
                    "water_reuse_above_mark",
                    "non_fossil_share",
                    "green_service_clusters",
                ],
            )
        ]
    elif theme is Theme.OPENNESS:
        charts = [_two_years("exports_two_years", "出口交货值情况", current, previous, ["exports"], "亿元")]
    else:
        charts = [
            _shares(
                "governance_shares",
                f"{year}年集群治理机制建设情况",
                current,
                ["promotion_body", "rights_protection", "public_service_assessed", "service_coverage"],
            )
        ]
    return [chart for chart in charts if chart is not None]
