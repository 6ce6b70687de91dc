"""Answers from a prepared dataset's summary cube instead of its firm-years.

``smecluster discover prepare`` (:mod:`.prepare`) writes, beside the firm-level layout, small tables
built here from that layout (:func:`write_cube`):

``cube.parquet``
    one row per county × division × year × size class × title set: the firm count and the sums of every
    figure. The size class is :func:`.queries.size_class_code`'s under the standard named in the
    preparation report (1 large … 4 micro, NULL undecided). The title set is a bit mask over
    :data:`.file_columns.TITLE_KEYS` (bit *i* set when the firm's ``titles`` contain key *i*; NULL for a
    firm without titles, 0 for titles of which none is a known key), so that "firms holding any of these
    titles" is exact for any group of titles a rule set names. 1.9 million rows for 10⁸ firm-years.
``cube_titles.parquet``
    the cube's firms with titles, per county × division × year × title set (the size class summed away):
    the quality-firm counts a rule set asks for, from a few percent of the cube.
``cube_panel.parquet``
    the indicator panel (:func:`indicator_panel`) computed once from the cube, each row with the figures
    the screens compare of the pair's two earlier years beside it (:data:`EARLIER_YEAR_FIGURES`): a
    discovery question reads the rows of its year and province here (:func:`.screens.discover`).
``cube_leading.parquet``
    the leading class of each county × division × year (the 4-digit class with the largest output, ties to
    the smaller code) and its output: the one panel figure that needs the class, which the cube does not
    keep.

Every firm-level query of :mod:`.queries` has its counterpart here with the same columns, names, types and
values (the tests compare them row by row on the same rows): a count of firm-years becomes a sum of
``firms``, a sum stays a sum (SQL's sums skip NULLs at both levels, so partial sums add up to the firm-level
sum), and "is an SME" is "the class is medium, small or micro". The LQ and the strong flags are computed by
the very same :func:`.queries.with_location_quotient` from the per-cell sums.

The cube answers only for the size standard it was built with; :func:`open_cube` reports which, and a
question under another standard goes to the firm-years (:attr:`Cube.layout`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from smecluster.analytics.discovery import queries, source
from smecluster.analytics.discovery.file_columns import FIGURES, TITLE_KEYS
from smecluster.analytics.discovery.size_standard import STANDARD_2011, size_standard_2011
from smecluster.errors import UnusableInput
from smecluster.i18n import Text as _

CUBE_FILE: Final = "cube.parquet"
LEADING_FILE: Final = "cube_leading.parquet"
LAYOUT_DIRECTORY: Final = "enterprise_year"
PANEL_FILE: Final = "cube_panel.parquet"
REPORT_FILE: Final = "preparation.json"
TITLES_FILE: Final = "cube_titles.parquet"
COMPILED_DIRECTORY: Final = "compiled"
"""The ranking statements compiled when prepared, one per rule set
(:func:`.screens.keep_compiled_rankings`)."""
PREPARED_FILES: Final = (CUBE_FILE, LEADING_FILE, PANEL_FILE, TITLES_FILE, LAYOUT_DIRECTORY, REPORT_FILE)
EARLIER_YEAR_FIGURES: Final = (
    "firms",
    "output",
    "sme_output",
    "leading_output",
    "sme_rnd",
    "patents",
    "employees",
)
"""The panel's figures the discovery screens compare (:data:`.screens.ENGINE_FIELDS`), and the firms (never
NULL where the pair has a row), kept for the two earlier years beside each row of ``cube_panel.parquet``."""
TITLE_BITS: Final = {key: 1 << index for index, key in enumerate(TITLE_KEYS)}
"""Each title's bit in the cube's ``titles_mask``."""


@dataclass(frozen=True, slots=True)
class Cube:
    """A prepared dataset's cube, opened on a DuckDB connection: ``cells`` (the cube), ``leading`` (the
    leading classes), ``panel`` (the indicator panel computed from them when prepared, each row with the
    two earlier years' screened figures), the size standard the classes follow, and where the firm-years
    are for drill-down."""

    directory: Path
    connection: ibis.BaseBackend
    cells: ir.Table
    leading: ir.Table
    panel: ir.Table
    titles: ir.Table
    size_standard: str

    @property
    def layout(self) -> Path:
        return self.directory / LAYOUT_DIRECTORY

    @property
    def panel_sql(self) -> str:
        """The panel as a DuckDB table function, for the statements :mod:`.screens` keeps compiled."""
        return read_parquet_sql(self.directory / PANEL_FILE)

    @property
    def titles_sql(self) -> str:
        return read_parquet_sql(self.directory / TITLES_FILE)

    @property
    def panel_columns(self) -> list[str]:
        """The indicator panel's own columns (without the earlier years' figures)."""
        return [name for name in self.panel.columns if not name.endswith(("_1", "_2"))]


def read_parquet_sql(path: Path | str) -> str:
    """``path`` (a file or a glob) as DuckDB's table function, quoted, for the statements kept compiled."""
    return "read_parquet('" + str(path).replace("'", "''") + "')"


ANY_LIMIT: Final = 987_654_321
"""The LIMIT (and, plus one, the OFFSET) a statement kept compiled is built with, replaced by the asked
ones (:func:`limited`): one compiled statement serves every page size (no question lists 987,654,321
rows; a year has about 10⁵ pairs)."""


def limited(sql: str, limit: int | None, offset: int = 0) -> str:
    """A kept statement with its sentinel LIMIT (and OFFSET, if it has one) replaced: ``limit`` rows (all
    when None) from ``offset``."""
    sql = sql.replace(f"LIMIT {ANY_LIMIT}", "" if limit is None else f"LIMIT {int(limit)}")
    return sql.replace(f"OFFSET {ANY_LIMIT + 1}", f"OFFSET {int(offset)}")


def is_prepared(directory: Path) -> bool:
    """Is ``directory`` a complete prepared dataset (its report is written last)?"""
    return directory.is_dir() and all((directory / name).exists() for name in PREPARED_FILES)


def open_cube(connection: ibis.BaseBackend, directory: Path) -> Cube:
    """The cube of the prepared dataset in ``directory`` (on a DuckDB ``connection``), or
    :class:`UnusableInput` saying what is missing (a preparation by an older version is prepared again)."""
    if not is_prepared(directory):
        raise UnusableInput.single(
            str(directory), "", _("不是完整的已准备数据集（缺少汇总立方体）；请重新运行 discover prepare")
        )
    report = json.loads((directory / REPORT_FILE).read_text(encoding="utf-8"))
    return Cube(
        directory=directory,
        connection=connection,
        cells=connection.read_parquet(str(directory / CUBE_FILE)),
        leading=connection.read_parquet(str(directory / LEADING_FILE)),
        panel=connection.read_parquet(str(directory / PANEL_FILE)),
        titles=connection.read_parquet(str(directory / TITLES_FILE)),
        size_standard=str(report.get("size_standard", STANDARD_2011)),
    )


# --- building ---------------------------------------------------------------------------------------


def titles_mask(titles: ir.StringValue) -> ir.IntegerValue:
    """The title set as a bit mask (:data:`TITLE_BITS`), NULL for a firm without titles."""
    mask: ir.IntegerValue = ibis.literal(0, dt.int16)
    for key, bit in TITLE_BITS.items():
        mask = mask + ibis.ifelse(titles.contains(key), bit, 0)
    untitled = titles.isnull() | (titles == "")
    result: ir.IntegerValue = ibis.ifelse(untitled, ibis.null(dt.int16), mask.cast(dt.int16))
    return result


def write_cube(layout: Path, directory: Path, *, threads: int | None = None) -> int:
    """Build the cube and the leading classes of the prepared ``layout`` into ``directory``; returns the
    cube's row count. The size class is the queries' own expression, so the cube's classes are the ones
    the firm-level queries compute."""
    connection = source.connect_duckdb(threads)
    table = source.open_enterprise_years(connection, layout)
    t = table.mutate(
        size_code=queries.size_class_code(table, size_standard_2011()), titles_mask=titles_mask(table.titles)
    )
    cells = (
        t.group_by([*queries.GROUP, "size_code", "titles_mask"])
        .aggregate(firms=t.count(), **{name: queries.total(t[name]) for name in FIGURES})
        .order_by(["year", "county_division", "size_code", "titles_mask"])
    )
    connection.to_parquet(cells, str(directory / CUBE_FILE), compression="lz4")
    written = connection.read_parquet(str(directory / CUBE_FILE))
    titled = written.filter(written.titles_mask.notnull())
    titles = titled.group_by([*queries.GROUP, "titles_mask"]).aggregate(firms=queries.total(titled.firms))
    connection.to_parquet(
        titles.order_by(["year", "county_division", "titles_mask"]), str(directory / TITLES_FILE)
    )
    classes = table.group_by([*queries.GROUP, "industry_code"]).aggregate(output=queries.total(table.output))
    with classes.cache() as cached:  # read twice below; dropped when done
        top = cached.group_by(list(queries.GROUP)).aggregate(leading_output=cached.output.max())
        # Ties go to the smaller code, as in the firm-level panel, so every backend agrees.
        tied = cached.join(top, [*queries.GROUP, cached.output == top.leading_output])
        leading = tied.group_by([*queries.GROUP, "leading_output"]).aggregate(
            leading_class=tied.industry_code.min()
        )
        connection.to_parquet(
            leading.order_by(list(queries.GROUP)), str(directory / LEADING_FILE), compression="lz4"
        )
    cells_table = connection.read_parquet(str(directory / CUBE_FILE))
    leading_table = connection.read_parquet(str(directory / LEADING_FILE))
    panel = queries.with_earlier_years(_panel(cells_table, leading_table), EARLIER_YEAR_FIGURES)
    # Sorted by year and county, so that a question's year and province skip most of the file.
    connection.to_parquet(
        panel.order_by(["year", "county_code", "division"]),
        str(directory / PANEL_FILE),
        compression="lz4",
        row_group_size=16_384,
    )
    return int(cells_table.count().to_pyarrow().as_py())


# --- the queries ------------------------------------------------------------------------------------


def _is_sme(cube: ir.Table) -> ir.BooleanValue:
    sme: ir.BooleanValue = (cube.size_code >= queries.SIZE_CODES["medium"]).fill_null(False)
    return sme


def _sum_where(condition: ir.BooleanValue, column: ir.NumericValue) -> ir.NumericValue:
    """The firm-level ``SUM(IF(condition, column, 0))`` from partial sums: the rows outside count 0."""
    return queries.total(ibis.ifelse(condition, column, 0))


def _summed_cells(cells: ir.Table, years: tuple[int, int] | None = None) -> ir.Table:
    """Per county × division × year (keyed ``county_division``, ``year``): the panel's sums and counts."""
    c = cells
    if years is not None:
        c = c.filter(c.year.between(*years))
    sme = _is_sme(c)
    titled = c.titles_mask.notnull()
    return c.group_by(list(queries.GROUP)).aggregate(
        firms=queries.total(c.firms),
        smes=_sum_where(sme, c.firms),
        unclassified=_sum_where(c.size_code.isnull(), c.firms),
        employees=queries.total(c.employees),
        output=queries.total(c.output),
        sme_output=_sum_where(sme, c.output),
        revenue=queries.total(c.revenue),
        rnd=queries.total(c.rnd),
        sme_rnd=_sum_where(sme, c.rnd),
        patents=queries.total(c.patents),
        titled_firms=_sum_where(titled, c.firms),
        **{
            f"{key}_firms": _sum_where(((c.titles_mask & bit) != 0).fill_null(False), c.firms)
            for key, bit in TITLE_BITS.items()
        },
    )


def location_quotients(cube: Cube) -> ir.Table:
    """:func:`.queries.location_quotients` from the cube."""
    cells = _summed_cells(cube.cells)
    cells = cells.select(*queries.GROUP, "employees", "firms", "output")
    return queries.text_keys(queries.with_location_quotient(queries.split_key(cells)))


def sme_shares(cube: Cube) -> ir.Table:
    """:func:`.queries.sme_shares` from the cube."""
    cells = _summed_cells(cube.cells).select(
        *queries.GROUP, "firms", "smes", "unclassified", "output", "sme_output"
    )
    cells = queries.text_keys(queries.split_key(cells))
    return cells.mutate(
        sme_firm_share=queries.percent(cells.smes, cells.firms),
        sme_output_share=queries.percent(cells.sme_output, cells.output),
    )


def indicator_panel(cube: Cube, years: tuple[int, int] | None = None) -> ir.Table:
    """:func:`.queries.indicator_panel` from the cube (of ``years``, first and last, when given: the LQ
    of a year depends on that year only)."""
    return _panel(cube.cells, cube.leading, years)


def _panel(cells: ir.Table, leading: ir.Table, years: tuple[int, int] | None = None) -> ir.Table:
    summed = _summed_cells(cells, years)
    titles = [*(f"{key}_firms" for key in TITLE_KEYS), "titled_firms"]
    summed = summed.select(*queries.GROUP, *queries.PANEL_SUMS, *titles)
    if years is not None:
        leading = leading.filter(leading.year.between(*years))
    # An inner join, as in the firm-level panel: a cell whose classes all lack output has no leading class
    # and no row there either.
    joined = summed.join(leading, list(queries.GROUP))
    joined = joined.select(*queries.GROUP, *queries.PANEL_SUMS, "leading_output", *titles, "leading_class")
    split = queries.split_key(joined)
    split = split.mutate(
        sme_output_share=queries.percent(split.sme_output, split.output),
        rnd_intensity=queries.percent(split.rnd, split.revenue),
        patents_per_10k_employees=queries.per_ten_thousand(split.patents, split.employees),
    )
    return queries.text_keys(queries.with_location_quotient(split))


def output_growth(cube: Cube, span: int = 2) -> ir.Table:
    """:func:`.queries.output_growth` from the cube."""
    return queries.growth_of(_summed_cells(cube.cells).select(*queries.GROUP, "output"), span)


def quality_firm_counts(cube: Cube, year: int, groups: Mapping[str, tuple[str, ...]]) -> ir.Table:
    """:func:`.screens.quality_firm_counts` from the cube: distinct firms of ``year`` per county ×
    division holding any title of each group (``group_0``, ``group_1``, … in the order of ``groups``)."""
    return quality_counts(cube.titles.filter(cube.titles.year == year), groups)


def quality_counts(cells: ir.Table, groups: Mapping[str, tuple[str, ...]]) -> ir.Table:
    """The firms of ``cells`` (rows of the cube or of its titled part, ``cube_titles.parquet``) per
    county × division holding any title of each group."""
    counts = {}
    for index, keys in enumerate(groups.values()):
        bits = sum(TITLE_BITS[key] for key in keys)
        counts[f"group_{index}"] = _sum_where(((cells.titles_mask & bits) != 0).fill_null(False), cells.firms)
    summed = queries.split_key(cells.group_by(list(queries.GROUP)).aggregate(**counts))
    return summed.select(
        county_code=source.as_text_code(summed.county_code, 6),
        division=source.as_text_code(summed.division, 2),
        **{name: summed[name] for name in counts},
    )


def years_in(cube: Cube) -> list[int]:
    """The years the prepared dataset holds (from its report: no data read)."""
    report = json.loads((cube.directory / REPORT_FILE).read_text(encoding="utf-8"))
    return [int(year) for year in report.get("years", [])]
