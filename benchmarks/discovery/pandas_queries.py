"""The discovery queries again, in pandas: the baseline the Ibis/DuckDB versions are timed against and
checked with (same rows, same integers, floats equal to the last bit or within 1e-12 where a power is
involved).

Written the way a careful pandas user would: only the needed columns are read, through pyarrow (compact
integer dtypes, dictionary-encoded text as categoricals), grouped with ``observed=True`` and
``sort=False``. The SME classification
reads the same size-standard table as the Ibis version (no thresholds here). The generated data has no
missing figures, so NULL handling (undecided size classes) is the Ibis version's alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from smecluster.analytics.discovery.file_columns import TITLE_KEYS
from smecluster.analytics.discovery.size_standard import (
    MEASURES,
    SizeStandard,
    size_standard_2011,
)

KEY = ["county_code", "division", "year"]


def read(path: Path, columns: list[str]) -> pd.DataFrame:
    """Only ``columns``, through pyarrow: integers stay int8/16/32/64 numpy columns (no nulls in the
    generated data), dictionary-encoded text becomes categoricals, so nothing is widened or copied twice."""
    return pq.read_table(path, columns=columns).to_pandas()


def _text_keys(cells: pd.DataFrame) -> pd.DataFrame:
    cells["county_code"] = cells["county_code"].astype("int64").map("{:06d}".format)
    cells["division"] = cells["division"].astype("int64").map("{:02d}".format)
    cells["year"] = cells["year"].astype("int32")
    return cells


def _with_location_quotient(cells: pd.DataFrame) -> pd.DataFrame:
    emp = cells["employees"].astype("int64")
    cells["county_employees"] = emp.groupby([cells["county_code"], cells["year"]]).transform("sum")
    by_industry = [cells["division"], cells["year"]]
    cells["industry_employees"] = emp.groupby(by_industry).transform("sum")
    cells["total_employees"] = emp.groupby(cells["year"]).transform("sum")
    cells["counties"] = emp.groupby(by_industry).transform("size")
    own = emp * cells["total_employees"]
    expected = cells["county_employees"] * cells["industry_employees"]
    cells["lq"] = own.astype("float64") / expected.astype("float64")
    cells["lq_at_least_one"] = own >= expected
    greater = cells["lq"].groupby(by_industry).rank(method="min", ascending=False) - 1
    fewer_employees = emp.groupby(by_industry).rank(method="min") - 1
    fewer_firms = cells["firms"].groupby(by_industry).rank(method="min") - 1
    n = cells["counties"]
    cells["top_quartile_lq"] = 4 * (n - greater) >= 3 * n
    cells["employment_above_q1"] = 4 * fewer_employees >= n
    cells["firms_above_q1"] = 4 * fewer_firms >= n
    cells["strong"] = (
        cells["top_quartile_lq"]
        & cells["lq_at_least_one"]
        & cells["employment_above_q1"]
        & cells["firms_above_q1"]
    )
    return cells


def location_quotients(path: Path) -> pd.DataFrame:
    frame = read(path, [*KEY, "employees", "output"])
    cells = (
        frame.groupby(KEY, observed=True, sort=False)
        .agg(employees=("employees", "sum"), firms=("employees", "size"), output=("output", "sum"))
        .reset_index()
    )
    return _with_location_quotient(_text_keys(cells))


def size_classes(frame: pd.DataFrame, standard: SizeStandard | None = None) -> np.ndarray:
    """The size class code of each row (as in the Ibis version: large 1, medium 2, small 3, micro 4),
    from the standard's table (numpy, no missing figures)."""
    standard = standard or size_standard_2011()
    division = frame["division"].to_numpy(dtype="int64")
    digits = (
        frame["industry_code"].astype(str).str.lstrip("ABCDEFGHIJKLMNOPQRST").to_numpy()
        if any(scope.digits > 2 for scope in standard.scope)
        else None
    )
    result = np.zeros(len(frame), dtype=np.int8)  # 0: undecided; large 1, medium 2, small 3, micro 4
    unassigned = np.ones(len(frame), dtype=bool)
    values = {m: frame[m].to_numpy(dtype="float64") for m in MEASURES}

    def classify(mask: np.ndarray, industry: str) -> None:
        row = standard.industry(industry)
        sme = np.logical_or.reduce([values[m] < float(v) for m, v in row.sme_ceilings.items()])
        medium = np.logical_and.reduce([values[m] >= float(v) for m, v in row.medium_floors.items()])
        small = np.logical_and.reduce([values[m] >= float(v) for m, v in row.small_floors.items()])
        labels = np.select([~sme, medium, small], [1, 2, 3], 4).astype(np.int8)
        result[mask] = labels[mask]

    for scope in standard.scope:
        if scope.digits == 2:
            covered = (division >= int(scope.first_code)) & (division <= int(scope.last_code))
        else:
            assert digits is not None
            prefix = np.array([code[: scope.digits] for code in digits], dtype=object)
            covered = (prefix >= scope.first_code) & (prefix <= scope.last_code)
        mask = covered & unassigned
        if mask.any():
            classify(mask, scope.industry)
        unassigned &= ~covered
    return result  # codes no range covers stay 0: the standard does not apply to them


def sme_shares(path: Path) -> pd.DataFrame:
    frame = read(path, [*KEY, "industry_code", "employees", "revenue", "assets", "output"])
    codes = size_classes(frame)
    is_sme = codes >= 2
    frame["is_sme"] = is_sme
    frame["unclassified"] = codes == 0
    frame["sme_output"] = frame["output"].where(is_sme, 0)
    cells = (
        frame.groupby(KEY, observed=True, sort=False)
        .agg(
            firms=("is_sme", "size"),
            smes=("is_sme", "sum"),
            unclassified=("unclassified", "sum"),
            output=("output", "sum"),
            sme_output=("sme_output", "sum"),
        )
        .reset_index()
    )
    cells = _text_keys(cells)
    cells["sme_firm_share"] = cells["smes"].astype("float64") * 100.0 / cells["firms"].astype("float64")
    cells["sme_output_share"] = (
        cells["sme_output"].astype("float64") * 100.0 / cells["output"].astype("float64")
    )
    return cells


def indicator_panel(path: Path) -> pd.DataFrame:
    columns = [*KEY, "industry_code", "employees", "revenue", "assets", "output", "rnd", "patents", "titles"]
    frame = read(path, columns)
    is_sme = size_classes(frame) >= 2
    frame["smes"] = is_sme
    frame["sme_output"] = frame["output"].where(is_sme, 0)
    frame["sme_rnd"] = frame["rnd"].where(is_sme, 0)
    titles = frame.pop("titles")
    categories = titles.cat.categories.astype(str)
    codes = titles.cat.codes.to_numpy()
    frame["titled_firms"] = codes >= 0
    for key in TITLE_KEYS:  # test each distinct title string once, then look the answer up per row
        holds = np.append(np.asarray([key in c for c in categories], dtype=bool), False)
        frame[f"{key}_firms"] = holds[codes]
    summed = [
        "smes",
        "employees",
        "output",
        "sme_output",
        "revenue",
        "rnd",
        "sme_rnd",
        "patents",
        "titled_firms",
    ]
    summed += [f"{key}_firms" for key in TITLE_KEYS]
    grouped = frame.groupby([*KEY, "industry_code"], observed=True, sort=False)
    classes = grouped[summed].sum()
    classes.insert(0, "firms", grouped.size())
    classes = classes.reset_index()
    classes["industry_code"] = classes["industry_code"].astype(str)
    classes = classes.sort_values(["output", "industry_code"], ascending=[False, True], kind="stable")
    cells_grouped = classes.groupby(KEY, sort=False)
    cells = cells_grouped[["firms", *summed]].sum()
    leading = cells_grouped.head(1).set_index(KEY)
    cells["leading_class"] = leading["industry_code"]
    cells["leading_output"] = leading["output"]
    cells = _text_keys(cells.reset_index())
    for name in ["firms", *summed, "leading_output"]:
        cells[name] = cells[name].astype("int64")
    cells["sme_output_share"] = (
        cells["sme_output"].astype("float64") * 100.0 / cells["output"].astype("float64")
    )
    cells["rnd_intensity"] = cells["rnd"].astype("float64") * 100.0 / cells["revenue"].astype("float64")
    cells["patents_per_10k_employees"] = (
        cells["patents"].astype("float64") * 10000.0 / cells["employees"].astype("float64")
    )
    return _with_location_quotient(cells)


def output_growth(path: Path, span: int = 2) -> pd.DataFrame:
    frame = read(path, [*KEY, "output"])
    cells = frame.groupby(KEY, observed=True, sort=False)["output"].sum().reset_index()
    cells = _text_keys(cells)
    cells["output"] = cells["output"].astype("int64")
    earlier = cells.rename(columns={"output": "earlier_output"})
    earlier["year"] = earlier["year"] + span
    joined = cells.merge(earlier, on=KEY, how="inner")
    ratio = joined["output"].astype("float64") / joined["earlier_output"].astype("float64")
    joined["cagr"] = (ratio ** (1.0 / span) - 1.0) * 100.0
    return joined


QUERIES = {
    "location_quotients": location_quotients,
    "sme_shares": sme_shares,
    "indicator_panel": indicator_panel,
    "output_growth": output_growth,
}
