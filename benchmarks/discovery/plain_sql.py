"""The four discovery queries as hand-written DuckDB SQL: the anchor the Ibis path is timed against (issue
18: the compiled Ibis queries within 1.2x of a plain statement giving the same result).

Written as a DuckDB user who knows the data would write them: one statement per query, read straight from
the Parquet file (or a prepared layout's ``year=YYYY`` directories, the year typed by ``hive_types``),
grouped on the integer ``county_division`` key the file carries (the generator's file and every prepared
layout have it), totals and ranks as window functions over the aggregated cells, the codes printed as
zero-padded text last. Nothing is cached or staged between steps. The size-class CASE is generated from
the same size-standard table the Ibis queries use (no threshold is written here), with the same
three-valued logic (a missing figure that could change the class leaves it NULL).

Each function returns the SQL text for ``source``, a relation (``read_parquet(...)``) from
:func:`relation`; the column names and values are those of :mod:`smecluster.analytics.discovery.queries`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from smecluster.analytics.discovery.file_columns import TITLE_KEYS
from smecluster.analytics.discovery.queries import SIZE_CODES
from smecluster.analytics.discovery.size_standard import MEASURES, SizeStandard, size_standard_2011


def relation(path: Path) -> str:
    """``path`` (a Parquet file, or a prepared layout's directory) as a DuckDB table function call."""
    if path.is_dir() and any(part.is_dir() for part in path.glob("year=*")):
        pattern = _quote(str(path / "year=*" / "*.parquet"))
        return f"read_parquet({pattern}, hive_partitioning = true, hive_types = {{'year': SMALLINT}})"
    if path.is_dir():
        return f"read_parquet({_quote(str(path / '*.parquet'))})"
    return f"read_parquet({_quote(str(path))})"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


KEYS_AS_TEXT = """lpad(county_code::VARCHAR, 6, '0') AS county_code,
    lpad(division::VARCHAR, 2, '0') AS division,
    year::INTEGER AS year"""


def _location_quotient_steps(cells: str) -> str:
    """CTEs ``totals`` and ``ranked`` over the CTE named ``cells`` (county_code, division, year, employees,
    firms, ...): the county, industry and year totals (grouped and joined on: measured faster in DuckDB
    than three more window partitionings) and the three ranks, as windows."""
    return f"""totals AS (
    SELECT *
    FROM {cells}
    JOIN (SELECT county_code, year, sum(employees)::BIGINT AS county_employees FROM {cells} GROUP BY ALL)
        USING (county_code, year)
    JOIN (
        SELECT division, year, sum(employees)::BIGINT AS industry_employees, count(*) AS counties
        FROM {cells} GROUP BY ALL
    ) USING (division, year)
    JOIN (SELECT year, sum(employees)::BIGINT AS total_employees FROM {cells} GROUP BY ALL) USING (year)
), ranked AS (
    SELECT *,
        employees * total_employees >= county_employees * industry_employees AS lq_at_least_one,
        rank() OVER (PARTITION BY division, year ORDER BY lq DESC) - 1 AS counties_greater_lq,
        rank() OVER (PARTITION BY division, year ORDER BY employees) - 1 AS counties_fewer_employees,
        rank() OVER (PARTITION BY division, year ORDER BY firms) - 1 AS counties_fewer_firms
    FROM (
        SELECT *,
            (employees * total_employees)::DOUBLE / (county_employees * industry_employees)::DOUBLE AS lq
        FROM totals
    )
)"""


LQ_COLUMNS = """county_employees, industry_employees, total_employees, counties, lq, lq_at_least_one,
    4 * (counties - counties_greater_lq) >= 3 * counties AS top_quartile_lq,
    4 * counties_fewer_employees >= counties AS employment_above_q1,
    4 * counties_fewer_firms >= counties AS firms_above_q1,
    4 * (counties - counties_greater_lq) >= 3 * counties AND lq_at_least_one
        AND 4 * counties_fewer_employees >= counties AND 4 * counties_fewer_firms >= counties AS strong"""


def location_quotients(source: str) -> str:
    return f"""
WITH cells AS (
    SELECT county_division // 100 AS county_code, county_division % 100 AS division, year,
        sum(employees)::BIGINT AS employees, count(*) AS firms, sum(output)::BIGINT AS output
    FROM {source}
    GROUP BY county_division, year
), {_location_quotient_steps("cells")}
SELECT {KEYS_AS_TEXT}, employees, firms, output,
    {LQ_COLUMNS}
FROM ranked
"""


# --- the size class, generated from the standard ---------------------------------------------------


def _number(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else str(value)


def _all(conditions: list[str]) -> str:
    return "(" + " AND ".join(conditions) + ")"


def size_class_code(standard: SizeStandard | None = None) -> str:
    """The CASE giving each firm-year's class code (1 large … 4 micro, NULL undecided or not covered), from
    the standard's table: the first scope range holding the code's division (and group digits for a group
    range) decides which industry's thresholds apply."""
    standard = standard or size_standard_2011()
    digits = "CASE WHEN industry_code[1] >= 'A' THEN industry_code[2:] ELSE industry_code END"
    branches = []
    for scope in standard.scope:
        covered = f"division BETWEEN {int(scope.first_code[:2])} AND {int(scope.last_code[:2])}"
        if scope.digits > 2:
            covered += (
                f" AND ({digits})[1:{scope.digits}] BETWEEN '{scope.first_code}' AND '{scope.last_code}'"
            )
        row = standard.industry(scope.industry)
        large = _all([f"{m} >= {_number(row.sme_ceilings[m])}" for m in MEASURES if m in row.sme_ceilings])
        medium = _all([f"{m} >= {_number(row.medium_floors[m])}" for m in MEASURES if m in row.medium_floors])
        small = _all([f"{m} >= {_number(row.small_floors[m])}" for m in MEASURES if m in row.small_floors])
        # Three-valued logic as in queries._class_expression: a NULL comparison leaves the class NULL.
        inner = (
            f"CASE WHEN {large} THEN {SIZE_CODES['large']} WHEN NOT {large} THEN CASE "
            f"WHEN {medium} THEN {SIZE_CODES['medium']} WHEN {small} THEN {SIZE_CODES['small']} "
            f"WHEN NOT {small} THEN {SIZE_CODES['micro']} END END"
        )
        branches.append(f"WHEN {covered} THEN {inner}")
    return "CASE " + " ".join(branches) + " END"


SME = f"size_code >= {SIZE_CODES['medium']}"


def _percent(part: str, whole: str) -> str:
    return f"CASE WHEN {whole} = 0 THEN NULL ELSE {part}::DOUBLE * 100.0 / {whole}::DOUBLE END"


def sme_shares(source: str, standard: SizeStandard | None = None) -> str:
    return f"""
WITH classified AS (
    SELECT county_division, year, output, {size_class_code(standard)} AS size_code
    FROM {source}
), cells AS (
    SELECT county_division // 100 AS county_code, county_division % 100 AS division, year,
        count(*) AS firms,
        count(*) FILTER (WHERE {SME}) AS smes,
        count(*) FILTER (WHERE size_code IS NULL) AS unclassified,
        sum(output)::BIGINT AS output,
        sum(CASE WHEN {SME} THEN output ELSE 0 END)::BIGINT AS sme_output
    FROM classified
    GROUP BY county_division, year
)
SELECT {KEYS_AS_TEXT}, firms, smes, unclassified, output, sme_output,
    {_percent("smes", "firms")} AS sme_firm_share,
    {_percent("sme_output", "output")} AS sme_output_share
FROM cells
"""


def indicator_panel(source: str, standard: SizeStandard | None = None) -> str:
    """One pass aggregates per county × division × class × year (the leading class is the class row with
    the largest output, ties to the smaller code); the titles are counted in a second pass over only the
    rows that hold one, as a DuckDB user would once they see that a LIKE on every row costs more."""
    summed = ["firms", "smes", "employees", "output", "sme_output", "revenue", "rnd", "sme_rnd", "patents"]
    titles = ",\n        ".join(
        f"count(*) FILTER (WHERE titles LIKE '%{key}%') AS {key}_firms" for key in TITLE_KEYS
    )
    title_columns = [f"{key}_firms" for key in TITLE_KEYS] + ["titled_firms"]
    return f"""
WITH classified AS (
    SELECT county_division, year, industry_code, employees, output, revenue, rnd, patents,
        {size_class_code(standard)} AS size_code
    FROM {source}
), classes AS (
    SELECT county_division, year, industry_code,
        count(*) AS firms,
        count(*) FILTER (WHERE {SME}) AS smes,
        sum(employees)::BIGINT AS employees,
        sum(output)::BIGINT AS output,
        sum(CASE WHEN {SME} THEN output ELSE 0 END)::BIGINT AS sme_output,
        sum(revenue)::BIGINT AS revenue,
        sum(rnd)::BIGINT AS rnd,
        sum(CASE WHEN {SME} THEN rnd ELSE 0 END)::BIGINT AS sme_rnd,
        sum(patents)::BIGINT AS patents
    FROM classified
    GROUP BY county_division, year, industry_code
), rolled AS (
    SELECT county_division, year,
        {", ".join(f"sum({name})::BIGINT AS {name}" for name in summed)},
        max(output) AS leading_output,
        arg_min(industry_code, (-output, industry_code)) AS leading_class
    FROM classes
    GROUP BY county_division, year
), titled AS (
    SELECT county_division, year,
        {titles},
        count(*) AS titled_firms
    FROM {source}
    WHERE titles IS NOT NULL AND titles <> ''
    GROUP BY county_division, year
), cells AS (
    SELECT rolled.county_division // 100 AS county_code, rolled.county_division % 100 AS division,
        rolled.year, {", ".join(summed)}, leading_output,
        {", ".join(f"coalesce({name}, 0) AS {name}" for name in title_columns)},
        leading_class
    FROM rolled LEFT JOIN titled USING (county_division, year)
), {_location_quotient_steps("cells")}
SELECT {KEYS_AS_TEXT}, {", ".join(summed)}, leading_output, {", ".join(title_columns)}, leading_class,
    {_percent("sme_output", "output")} AS sme_output_share,
    {_percent("rnd", "revenue")} AS rnd_intensity,
    CASE WHEN employees = 0 THEN NULL ELSE patents::DOUBLE * 10000.0 / employees::DOUBLE END
        AS patents_per_10k_employees,
    {LQ_COLUMNS}
FROM ranked
"""


def output_growth(source: str, span: int = 2) -> str:
    return f"""
WITH cells AS (
    SELECT county_division, year, sum(output)::BIGINT AS output
    FROM {source}
    GROUP BY county_division, year
)
SELECT lpad((later.county_division // 100)::VARCHAR, 6, '0') AS county_code,
    lpad((later.county_division % 100)::VARCHAR, 2, '0') AS division,
    later.year::INTEGER AS year, later.output, earlier.output AS earlier_output,
    CASE WHEN earlier.output > 0
        THEN (pow(later.output::DOUBLE / earlier.output::DOUBLE, 1.0 / {span}) - 1.0) * 100.0 END AS cagr
FROM cells AS later JOIN cells AS earlier
    ON earlier.county_division = later.county_division AND earlier.year + {span} = later.year
"""


QUERIES = {
    "location_quotients": location_quotients,
    "sme_shares": sme_shares,
    "indicator_panel": indicator_panel,
    "output_growth": output_growth,
}
