"""The discovery queries, written once in Ibis: they run on DuckDB here and on PostgreSQL (or any Ibis
backend with window functions) for a national deployment.

Every function takes the checked enterprise-year table of :mod:`.source` and returns an Ibis table
expression, one row per county × division × year (``county_code``, ``division``, ``year``). The steps
after the pass over the firm-years (windows, joins) read its aggregated rows more than once, and a backend
must not scan the firm-years again for each reference: on DuckDB the whole query is one statement in which
those rows are a common table expression, materialised once (the caller's ``.to_pyarrow()`` runs it all,
each time it is called); on other backends the pass runs when the function is called and its rows are
kept in a temporary table (Ibis ``cache()``; Spark would recompute an inlined CTE), the caller executing
the rest (see :func:`_reused`). On DuckDB a query takes within 1.2× of the same query written by hand in
SQL, from 20 M firm-years on (``benchmarks/discovery/plain_sql.py``; ADR 0011).

**Location quotient** on employment (U.S. Cluster Mapping Project; Delgado, Porter and Stern):
``LQ = (e_ci / e_c) / (e_i / e)`` with e_ci the county's employment in the division, e_c the county's
employment in all divisions of the file, e_i the division's employment in all counties and e the file's
total, all within the same year. The "industry's counties" are the counties with at least one firm of the
division that year (a county without any has no row and no LQ).

**Strong-cluster flags**, within each division × year over its n counties:

* ``top_quartile_lq``: LQ ≥ Q3, where Q3 is the discrete (inverted-CDF, SQL ``percentile_disc(0.75)``)
  upper quartile: the smallest LQ at or above which 75 % of the counties lie. Computed by counting, not by
  interpolating: with g = the number of counties whose LQ is greater (``rank()`` descending), the flag is
  ``4 × (n − g) ≥ 3 × n``, an integer comparison.
* ``lq_at_least_one``: ``e_ci × e ≥ e_c × e_i``, exact integer (or decimal) arithmetic, no division.
* ``employment_above_q1`` / ``firms_above_q1``: the value is greater than Q1 = ``percentile_disc(0.25)``;
  with l = the number of counties whose value is smaller (``rank()`` ascending), ``4 × l ≥ n``. Counties
  tied at Q1 are not above it.
* ``strong``: all four.

The only floating-point step is the order of counties by LQ (a double on every backend, computed as
``double(e_ci × e) / double(e_c × e_i)``; IEEE division is correctly rounded, so backends agree).
"""

from __future__ import annotations

from decimal import Decimal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir

from smecluster.analytics.discovery.file_columns import TITLE_KEYS
from smecluster.analytics.discovery.size_standard import (
    MEASURES,
    SIZE_CLASSES,
    SizeStandard,
    size_standard_2011,
)
from smecluster.analytics.discovery.source import as_text_code, class_digits

KEY = ("county_code", "division", "year")
GROUP = ("county_division", "year")
"""What the firm-years are grouped on: one integer per county × division (:mod:`.source`) and the year.
The county code and the division are split out of the key once the rows are aggregated
(:func:`split_key`)."""


def total(column: ir.Value) -> ir.NumericValue:
    """SUM, kept in int64 for integer and boolean columns: DuckDB widens integer sums to 128 bits, which
    makes every later step (windows, joins, second-level sums) several times slower, and 2^63 万元 is far
    beyond any economy. Decimal columns (CSV money) keep their exact decimal sum."""
    kind = column.type()
    if kind.is_boolean():  # counted as 1/0: PostgreSQL has no cast from boolean to bigint
        column = ibis.ifelse(column, 1, 0)
    total: ir.NumericValue = column.sum()
    if not (kind.is_integer() or kind.is_boolean()):
        return total
    # The Cast node is built directly: Ibis types an integer SUM as int64 already and drops a cast to the
    # same type as a no-op, so ``.cast(int64)`` never reached the SQL and DuckDB kept its HUGEINT.
    widened: ir.NumericValue = ops.Cast(total, to=dt.int64).to_expr()
    return widened


def location_quotients(enterprises: ir.Table) -> ir.Table:
    """Employment, firms, output, LQ and the strong-cluster flags per county × division × year."""
    t = enterprises
    cells = t.group_by(list(GROUP)).aggregate(
        employees=total(t.employees), firms=t.count(), output=total(t.output)
    )
    return text_keys(with_location_quotient(split_key(cells)))


def split_key(cells: ir.Table) -> ir.Table:
    """Aggregated rows keyed by ``county_division`` and ``year`` as rows keyed by the county code, the
    division and the year (integers), followed by the other columns."""
    key = cells.county_division
    rest = [name for name in cells.columns if name not in GROUP]
    return cells.select(
        county_code=(key // 100).cast(dt.int32),
        division=(key % 100).cast(dt.int16),
        year=cells.year,
        **{name: cells[name] for name in rest},
    )


def text_keys(cells: ir.Table) -> ir.Table:
    """County and division codes as zero-padded text, the year as a plain integer: applied last, on
    aggregated rows, so that the steps before it group and partition on integers when the file has them."""
    return cells.mutate(
        county_code=as_text_code(cells.county_code, 6),
        division=as_text_code(cells.division, 2),
        year=cells.year.cast(dt.int32),
    )


def _reused(table: ir.Table) -> ir.Table:
    """``table``, to be read more than once by the expression built on it, computed once. On DuckDB the
    expression is left as it is: Ibis writes a table used twice as one common table expression, which
    DuckDB materialises once, within the same statement (a temporary table, Ibis ``cache()``, costs a
    second statement, a write and a read: at 1 M rows the queries took 1.2–2.2× the plain SQL with it).
    Other backends get ``cache()``: Spark would recompute an inlined CTE at every reference."""
    if ibis.get_backend(table).name == "duckdb":
        return table
    return table.cache()


def with_location_quotient(cells: ir.Table) -> ir.Table:
    """``cells`` (one row per county × division × year with ``employees`` and ``firms``) with the LQ
    columns and flags joined on. The county, industry and year totals are small grouped tables joined
    on (a hash join is cheaper than a window, which partitions and sorts its input); only the ranks are
    windows, and they run over a narrow copy (key, employees, firms), since a window materialises every
    column it is given."""
    cells = _reused(cells)  # referenced several times below: computed once
    county = cells.group_by(["county_code", "year"]).aggregate(county_employees=total(cells.employees))
    industry = cells.group_by(["division", "year"]).aggregate(
        industry_employees=total(cells.employees), counties=cells.count()
    )
    everything = cells.group_by("year").aggregate(total_employees=total(cells.employees))
    narrow = cells.select(*KEY, "employees", "firms")
    narrow = (
        narrow.join(county, ["county_code", "year"])
        .join(industry, ["division", "year"])
        .join(everything, "year")
    )
    own = narrow.employees * narrow.total_employees
    expected = narrow.county_employees * narrow.industry_employees
    narrow = narrow.mutate(
        lq=own.cast(dt.float64) / expected.cast(dt.float64), lq_at_least_one=own >= expected
    )
    narrow = narrow.mutate(
        counties_greater_lq=ibis.rank().over(
            group_by=[narrow.division, narrow.year], order_by=ibis.desc(narrow.lq)
        ),
        counties_fewer_employees=ibis.rank().over(
            group_by=[narrow.division, narrow.year], order_by=narrow.employees
        ),
        counties_fewer_firms=ibis.rank().over(group_by=[narrow.division, narrow.year], order_by=narrow.firms),
    )
    n = narrow.counties
    top = 4 * (n - narrow.counties_greater_lq) >= 3 * n
    employment = 4 * narrow.counties_fewer_employees >= n
    firms = 4 * narrow.counties_fewer_firms >= n
    flags = narrow.select(
        *KEY,
        "county_employees",
        "industry_employees",
        "total_employees",
        "counties",
        "lq",
        "lq_at_least_one",
        top_quartile_lq=top,
        employment_above_q1=employment,
        firms_above_q1=firms,
        strong=top & narrow.lq_at_least_one & employment & firms,
    )
    return cells.join(flags, list(KEY))


# --- SME classification -----------------------------------------------------------------------------


def all_of(conditions: list[ir.BooleanValue]) -> ir.BooleanValue:
    result = conditions[0]
    for condition in conditions[1:]:
        result = result & condition
    return result


def any_of(conditions: list[ir.BooleanValue]) -> ir.BooleanValue:
    result = conditions[0]
    for condition in conditions[1:]:
        result = result | condition
    return result


SIZE_CODES = {name: code for code, name in enumerate(SIZE_CLASSES, start=1)}
"""Classes as small integers inside the queries (large 1, medium 2, small 3, micro 4): a CASE that yields
integers costs a fraction of one that yields text, over a hundred million firm-years."""


def size_class(enterprises: ir.Table, standard: SizeStandard | None = None) -> ir.StringValue:
    """:func:`size_class_code` as the class names."""
    code = size_class_code(enterprises, standard)
    return ibis.cases(
        *((code == value, name) for name, value in SIZE_CODES.items()), else_=ibis.null(dt.string)
    )


def size_class_code(enterprises: ir.Table, standard: SizeStandard | None = None) -> ir.IntegerValue:
    """Each firm-year's class under the size standard: ``large``, ``medium``, ``small``, ``micro``, or
    NULL when a figure the rule needs is missing. Generated from the standard's table, row by row:
    SQL's three-valued logic leaves a class undecided (NULL) exactly when a missing figure could change
    it (``employees < 1000 OR revenue < 40000`` is true with revenue missing if employees are 500)."""
    standard = standard or size_standard_2011()
    t = enterprises
    digits = class_digits(t.industry_code)
    cases: list[tuple[ir.BooleanValue, ir.Value]] = []
    for scope in standard.scope:  # a group range (701) comes before a division range containing it
        covered = _division_between(t, scope.first_code[:2], scope.last_code[:2])
        if scope.digits > 2:  # a group range lies within one division: test the digits only there
            covered = covered & digits.substr(0, scope.digits).between(scope.first_code, scope.last_code)
        # CASE takes the first branch that holds, so a code in a group range never reaches its division's.
        cases.append((covered, _class_expression(t, standard, scope.industry)))
    # A code the standard does not cover (铁路运输业, 金融业, ...) has no class.
    return ibis.cases(*cases, else_=ibis.null(dt.int8)).cast(dt.int8)


def _division_between(t: ir.Table, first: str, last: str) -> ir.BooleanValue:
    if t.division.type().is_integer():
        return t.division.between(int(first), int(last))
    return t.division.between(first, last)


def _measure(t: ir.Table, name: str) -> ir.NumericValue:
    column: ir.NumericValue = t[name]
    return column


def _bound(value: Decimal) -> int | Decimal:
    """A threshold as an integer literal when it is whole (every figure of the 2011 table is), so that
    integer columns are compared with integers rather than cast to decimals row by row."""
    return int(value) if value == value.to_integral_value() else value


def _class_expression(t: ir.Table, standard: SizeStandard, industry: str) -> ir.Value:
    """``large`` when at or above every ceiling; else (an SME) ``medium`` at or above every medium floor,
    ``small`` at or above every small floor, ``micro`` otherwise. CASE takes the first branch that is TRUE,
    and a branch whose test is NULL (a missing figure) is not taken, so ``small`` after the medium branch
    is right: the floors of medium and small firms use the same figures (the loader checks), so a small
    test that is TRUE means the medium test was FALSE, not NULL."""
    row = standard.industry(industry)
    ceilings = [m for m in MEASURES if m in row.sme_ceilings]
    large = all_of([_measure(t, m) >= _bound(row.sme_ceilings[m]) for m in ceilings])
    medium = all_of(
        [_measure(t, m) >= _bound(row.medium_floors[m]) for m in MEASURES if m in row.medium_floors]
    )
    small = all_of([_measure(t, m) >= _bound(row.small_floors[m]) for m in MEASURES if m in row.small_floors])
    sme_class = ibis.cases(
        (medium, SIZE_CODES["medium"]),
        (small, SIZE_CODES["small"]),
        (~small, SIZE_CODES["micro"]),
        else_=ibis.null(dt.int8),
    )
    # "Under any ceiling" is exactly NOT large in three-valued logic (a FALSE comparison makes the
    # conjunction FALSE and the disjunction of the negations TRUE; otherwise a NULL leaves both NULL). The
    # SME classes are a CASE nested in that branch, so the ceiling comparisons are written (and compiled,
    # and evaluated) once per industry, not in every branch.
    return ibis.cases((large, SIZE_CODES["large"]), (~large, sme_class), else_=ibis.null(dt.int8))


def with_size_class(enterprises: ir.Table, standard: SizeStandard | None = None) -> ir.Table:
    return enterprises.mutate(size_class=size_class(enterprises, standard))


def _with_sme_flag(enterprises: ir.Table, standard: SizeStandard | None) -> ir.Table:
    """The size class and whether it is an SME, as columns computed once per firm-year (a NULL class is
    not an SME)."""
    t = enterprises.mutate(size_code=size_class_code(enterprises, standard))
    return t.mutate(is_sme=(t.size_code >= SIZE_CODES["medium"]).fill_null(False))


def sme_shares(enterprises: ir.Table, standard: SizeStandard | None = None) -> ir.Table:
    """Firms, SMEs, output and SME output, and the SME shares (%, of firms and of output) per county ×
    division × year. Firm-years whose class is undecided (a missing figure) are counted apart
    (``unclassified``) and are in neither the SMEs nor the large firms."""
    t = _with_sme_flag(enterprises, standard)
    cells = t.group_by(list(GROUP)).aggregate(
        firms=t.count(),
        smes=t.count(where=t.is_sme),
        unclassified=t.count(where=t.size_code.isnull()),
        output=total(t.output),
        sme_output=total(ibis.ifelse(t.is_sme, t.output, 0)),
    )
    cells = text_keys(split_key(cells))
    return cells.mutate(
        sme_firm_share=percent(cells.smes, cells.firms),
        sme_output_share=percent(cells.sme_output, cells.output),
    )


def percent(part: ir.NumericValue, whole: ir.NumericValue) -> ir.FloatingValue:
    share: ir.FloatingValue = ibis.ifelse(
        whole == 0, ibis.null(dt.float64), part.cast(dt.float64) * 100.0 / whole.cast(dt.float64)
    )
    return share


def per_ten_thousand(part: ir.NumericValue, whole: ir.NumericValue) -> ir.FloatingValue:
    """``part`` per 10,000 of ``whole`` (patents per 10,000 employees), NULL for a zero whole."""
    rate: ir.FloatingValue = ibis.ifelse(
        whole == 0, ibis.null(dt.float64), part.cast(dt.float64) * 10000.0 / whole.cast(dt.float64)
    )
    return rate


# --- the indicator panel ----------------------------------------------------------------------------


PANEL_SUMS = ("firms", "smes", "employees", "output", "sme_output", "revenue", "rnd", "sme_rnd", "patents")
"""The panel's summed columns, in its order (the cube's panel sums the same, :mod:`.cube`)."""


def indicator_panel(enterprises: ir.Table, standard: SizeStandard | None = None) -> ir.Table:
    """The full county × division × year panel: firms, SMEs, employees, output, SME output and its share,
    R&D intensity (研发经费 / 营业收入, %), patents per 10,000 employees (件/万人), firms holding each
    title, firms with any title, the LQ and strong flags, and the leading class (the 4-digit class with
    the largest output in the county × division) with its output.

    Two scans of the firm-years: one aggregates every firm-year per county × division × class × year (then
    rolled up to the county × division; the leading class falls out of the class-level rows); the other
    reads only the firm-years holding a title (about 6 % of them: the engine skips the rest as it
    reads) and counts each title per county × division × year. Testing the title text on every firm-year
    in the first scan cost more than this second, narrow scan."""
    t = _with_sme_flag(enterprises, standard)
    summed = PANEL_SUMS
    classes = _reused(
        t.group_by([*GROUP, "industry_code"]).aggregate(
            firms=t.count(),
            smes=t.count(where=t.is_sme),
            employees=total(t.employees),
            output=total(t.output),
            sme_output=total(ibis.ifelse(t.is_sme, t.output, 0)),
            revenue=total(t.revenue),
            rnd=total(t.rnd),
            sme_rnd=total(ibis.ifelse(t.is_sme, t.rnd, 0)),
            patents=total(t.patents),
        )
    )  # the one full pass over the firm-years; the steps below work on these class-level rows
    rolled = _reused(  # read twice below: for the leading class and as the panel's rows
        classes.group_by(list(GROUP)).aggregate(
            **{name: total(classes[name]) for name in summed}, leading_output=classes.output.max()
        )
    )
    # The leading class: the largest output; ties go to the smaller code so every backend agrees.
    top = classes.join(
        rolled.select(*GROUP, "leading_output"),
        [*GROUP, classes.output == rolled.leading_output],
    )
    leading = top.group_by(list(GROUP)).aggregate(leading_class=top.industry_code.min())
    titled = enterprises.filter(enterprises.titles.notnull() & (enterprises.titles != ""))
    counted = {f"{key}_firms": titled.count(where=titled.titles.contains(key)) for key in TITLE_KEYS}
    counted["titled_firms"] = titled.count()
    titles = titled.group_by(list(GROUP)).aggregate(**counted)
    with_titles = rolled.left_join(titles, list(GROUP))
    cells = with_titles.select(
        *(rolled[name] for name in rolled.columns),
        **{name: with_titles[name].fill_null(0).cast(dt.int64) for name in counted},
    )
    cells = split_key(cells.join(leading, list(GROUP)))
    cells = cells.mutate(
        sme_output_share=percent(cells.sme_output, cells.output),
        rnd_intensity=percent(cells.rnd, cells.revenue),
        patents_per_10k_employees=per_ten_thousand(cells.patents, cells.employees),
    )
    return text_keys(with_location_quotient(cells))


def with_earlier_years(
    panel: ir.Table, columns: tuple[str, ...], backs: tuple[int, ...] = (1, 2)
) -> ir.Table:
    """``panel`` (one row per county × division × year) with ``columns`` of the same pair ``back`` years
    earlier beside each row, as ``<column>_<back>`` (NULL where the pair has no row that year): what the
    screens of several years compare, in one row."""
    key = ["county_code", "division", "year"]
    wide = panel
    for back in backs:
        earlier = panel.select(
            "county_code",
            "division",
            year=panel.year + back,
            **{f"{column}_{back}": panel[column] for column in columns},
        )
        joined = wide.left_join(earlier, key)
        wide = joined.select(
            *(joined[name] for name in wide.columns), *(joined[f"{column}_{back}"] for column in columns)
        )
    return wide


# --- growth -----------------------------------------------------------------------------------------


def output_growth(enterprises: ir.Table, span: int = 2) -> ir.Table:
    """Output in ``year`` and ``year − span`` per county × division, and the compound annual growth rate
    ``(output / earlier) ** (1 / span) − 1`` in % (a double, for display and ordering; thresholds are
    compared exactly from the two outputs by :mod:`.screens`). Rows only for years whose earlier year
    has output for the same county × division."""
    t = enterprises
    return growth_of(t.group_by(list(GROUP)).aggregate(output=total(t.output)), span)


def growth_of(outputs: ir.Table, span: int = 2) -> ir.Table:
    """:func:`output_growth` from the output per ``county_division`` × ``year`` (however it was summed).
    Joined on the integer key; the codes are split out and printed as text on the joined rows only."""
    cells = _reused(outputs.select(*GROUP, "output"))
    earlier = cells.select(
        county_division=cells.county_division, year=cells.year + span, earlier_output=cells.output
    )
    joined = cells.join(earlier, list(GROUP))
    ratio = joined.output.cast(dt.float64) / joined.earlier_output.cast(dt.float64)
    growth = joined.mutate(
        cagr=ibis.ifelse(
            joined.earlier_output > 0, (ratio ** (1.0 / span) - 1.0) * 100.0, ibis.null(dt.float64)
        )
    )
    return text_keys(split_key(growth))
