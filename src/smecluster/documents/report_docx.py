"""The evaluation report as DOCX (python-docx), from the same content as the PDF.

Word lays out its own text, so the charts go in as PNG at 200 dpi (their text drawn in the Noto CJK
font); the document's East Asian font is set to the same family, with Word's own substitution where
it is not installed.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.styles.style import ParagraphStyle

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

CHART_WIDTH = Cm(15)


def _east_asian(style: ParagraphStyle, family: str) -> None:
    style.font.name = family
    properties = style.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), family)


def _styles(document: DocxDocument) -> None:
    family = cjk_font().family
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption"):
        style = document.styles[name]
        if isinstance(style, ParagraphStyle):
            _east_asian(style, family)
    normal = document.styles["Normal"]
    if isinstance(normal, ParagraphStyle):
        normal.font.size = Pt(10.5)
        normal.paragraph_format.first_line_indent = Pt(21)
        normal.paragraph_format.line_spacing = 1.4


def _table(
    document: DocxDocument, caption: str, header: tuple[str, ...], rows: list[tuple[str, ...]]
) -> None:
    title = document.add_paragraph(caption, style="Caption")
    title.paragraph_format.first_line_indent = Pt(0)
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.first_line_indent = Pt(0)
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    document.add_paragraph()


def _content(document: DocxDocument, item: Content) -> None:
    if isinstance(item, Paragraphs):
        for paragraph in item.paragraphs:
            document.add_paragraph(paragraph)
    elif isinstance(item, FigureTable):
        _table(document, item.caption, FigureTable.HEADER, list(item.rows()))
    elif isinstance(item, ChartBlock):
        document.add_picture(io.BytesIO(item.chart.png), width=CHART_WIDTH)
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        document.paragraphs[-1].paragraph_format.first_line_indent = Pt(0)
        caption = document.add_paragraph(f"图　{item.chart.title}", style="Caption")
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif isinstance(item, Table):
        _table(document, item.caption, item.header, list(item.rows))
    else:
        raise TypeError(f"no DOCX layout for {type(item).__name__}")


def _chapter(document: DocxDocument, chapter: Chapter) -> None:
    document.add_heading(chapter.heading, level=1)
    for item in chapter.content:
        _content(document, item)
    for section in chapter.sections:
        document.add_heading(section.title, level=2)
        for item in section.content:
            _content(document, item)


def render_docx(report: EvaluationReport) -> bytes:
    """The report as DOCX bytes."""
    document = Document()
    _styles(document)
    document.core_properties.title = report.title
    document.core_properties.language = "zh-CN"
    title = document.add_heading(report.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (f"{report.scope.label}　{report.year}年度", report.subtitle):
        paragraph = document.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Pt(0)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for chapter in report.chapters:
        _chapter(document, chapter)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
