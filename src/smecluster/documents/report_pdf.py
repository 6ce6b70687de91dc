"""The evaluation report as PDF: the report's content as HTML, laid out by WeasyPrint.

The Noto CJK font is declared with ``@font-face`` from its file (the one the charts use), so it is
embedded whatever fontconfig would pick; the charts go in as SVG whose text is text in the same family,
so that the numbers in a chart are as sharp, searchable and copyable as those in the tables.
"""

from __future__ import annotations

import base64
import importlib.resources
from html import escape
from pathlib import Path

from weasyprint import CSS, HTML  # type: ignore[import-untyped]

from smecluster.documents.charts import cjk_font
from smecluster.documents.evaluation_report import (
    Chapter,
    ChartBlock,
    Content,
    EvaluationReport,
    FigureTable,
    Paragraphs,
    Table,
)


def _stylesheet() -> str:
    return (
        importlib.resources.files("smecluster.documents")
        .joinpath("templates/evaluation_report.css")
        .read_text(encoding="utf-8")
    )


def _font_css() -> str:
    font = cjk_font()
    faces = [f'@font-face {{ font-family: "{font.family}"; src: url("{Path(font.regular).as_uri()}"); }}']
    if font.bold:
        faces.append(
            f'@font-face {{ font-family: "{font.family}"; font-weight: bold; '
            f'src: url("{Path(font.bold).as_uri()}"); }}'
        )
    faces.append(f'html {{ font-family: "{font.family}"; }}')
    return "\n".join(faces)


def _table(caption: str, header: tuple[str, ...], rows: list[tuple[str, ...]], numeric: set[int]) -> str:
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="number">{escape(cell)}</td>' if index in numeric else f"<td>{escape(cell)}</td>"
            for index, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption>{escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _content(item: Content) -> str:
    if isinstance(item, Paragraphs):
        return "".join(f"<p>{escape(paragraph)}</p>" for paragraph in item.paragraphs)
    if isinstance(item, FigureTable):
        return _table(item.caption, FigureTable.HEADER, list(item.rows()), {1, 3})
    if isinstance(item, ChartBlock):
        source = base64.b64encode(item.chart.svg.encode("utf-8")).decode("ascii")
        return (
            f'<figure><img src="data:image/svg+xml;base64,{source}" alt="{escape(item.chart.title)}">'
            f"<figcaption>图　{escape(item.chart.title)}</figcaption></figure>"
        )
    if isinstance(item, Table):
        return _table(item.caption, item.header, list(item.rows), {0})
    raise TypeError(f"no PDF layout for {type(item).__name__}")


def _chapter(chapter: Chapter) -> str:
    parts = [f'<section class="chapter"><h2>{escape(chapter.heading)}</h2>']
    parts.extend(_content(item) for item in chapter.content)
    for section in chapter.sections:
        parts.append(f"<h3>{escape(section.title)}</h3>")
        parts.extend(_content(item) for item in section.content)
    parts.append("</section>")
    return "".join(parts)


def report_html(report: EvaluationReport) -> str:
    """The report as one HTML document (also what the page's preview could show)."""
    contents = "".join(f"<li>{escape(chapter.heading)}</li>" for chapter in report.chapters)
    return (
        # zh-CN, not zh-Hans: fontconfig maps zh-CN to the Simplified Chinese face of the Noto CJK collection.
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(report.title)}</title></head><body>"
        f'<div class="cover"><h1>{escape(report.title)}</h1>'
        f'<div class="scope">{escape(report.scope.label)}　{report.year}年度</div>'
        f'<div class="prepared">{escape(report.subtitle)}</div></div>'
        f'<div class="contents"><h2>目　录</h2><ul>{contents}</ul></div>'
        + "".join(_chapter(chapter) for chapter in report.chapters)
        + "</body></html>"
    )


def render_pdf(report: EvaluationReport) -> bytes:
    """The report as PDF bytes, the Noto CJK font embedded (:class:`CJKFontMissing` when absent)."""
    stylesheets = [CSS(string=_stylesheet()), CSS(string=_font_css())]
    pdf: bytes = HTML(string=report_html(report)).write_pdf(stylesheets=stylesheets)
    return pdf
