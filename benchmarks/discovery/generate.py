"""Seeded generator of realistic enterprise-year data for the discovery benchmarks.

    .venv/bin/python benchmarks/discovery/generate.py --rows 1000000 --years 2022-2024 --seed 7 \
        --output /work/bench-data/discovery-1m

writes ``DIR/enterprise_year.parquet``: one row per firm and year (``rows / years`` firms, each present
every year), the columns ``smecluster discover`` reads, plus pre-computed ``division`` and ``county_division``
columns.

What makes it realistic enough to exercise the queries:

* **Places**: the real county-level divisions of GB/T 2260 (``smecluster.reference.divisions``), each with
  a log-normal economic weight, so a few counties hold many firms and many hold few.
* **Specialisation**: every county has 1-3 specialised manufacturing divisions (C13-C43) that take 55 % of
  its firms; the rest follow a national mix. This is what location quotients should find. Within a
  specialised division 80 % of the firms share one class (the would-be cluster's leading industry).
* **Firm sizes**: employees log-normal (median 12 persons, long tail to tens of thousands); output per
  person log-normal around 60 万元 with a division-specific level; revenue, assets and R&D follow output.
  Money is whole 万元 (int64) so that sums are exact on every engine.
* **Growth**: each county x division has its own trend (some clusters grow > 10 % a year, most do not),
  each firm a noisy path around it over the years.
* **Titles** (``champion;little_giant;...`` semicolon-separated, empty for most firms): frequencies of the
  order of China's real counts (about 1 in 500 manufacturing firms a 小巨人, 1 in 5,000 a 单项冠军,
  a few percent 高新技术企业), more likely for larger firms.
* **Codes**: 18-character unified social credit codes (GB 32100: ``91`` + county + 9-digit serial + check
  character, computed) and 4-digit industry classes ``C`` + division + two synthetic digits: discovery uses
  only the division (the first two digits), so the class digits need not be real GB/T 4754 classes.

Layout for fast scans: the file is written year by year (so a filter on year skips whole row groups),
within a year in credit-code order, which is county order (registry extracts come sorted by code), and
within each row group the firms of one county × division together (a stable sort on the key below: the
aggregation meets each group's rows in runs, and the key columns compress to runs), in row groups of
``--row-group-size`` rows (default 1 M: 100 row groups at 100 M rows, enough to keep two threads busy),
LZ4-compressed (decoding is ~25 % cheaper than ZSTD for these integer columns; the file is ~1.5×
larger). Column types chosen for the engines, all accepted by ``smecluster discover``: the county code
as int32 (the six GB/T 2260 digits as a number; the queries print it as six digits after aggregating),
the pre-computed GB/T 4754 division as int8, ``county_division`` = county code × 100 + division as int32
(the one key the queries group on; derived by ``smecluster.analytics.discovery.source`` for files
without it), the year as int16; ``industry_code`` and ``titles`` dictionary-encoded text, ``titles`` NULL
for the ~94 % of firms with none. The same seed gives the same file.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from smecluster.reference.divisions import divisions

MANUFACTURING_DIVISIONS = np.arange(13, 44, dtype=np.int16)  # GB/T 4754-2017 section C: divisions 13-43
TITLES = ("champion", "little_giant", "specialized", "innovative", "high_tech")
# Base probability of each title for a firm of median size; scaled up with size below.
TITLE_BASE_RATE = {
    "champion": 0.00004,
    "little_giant": 0.0012,
    "specialized": 0.008,
    "innovative": 0.015,
    "high_tech": 0.03,
}
SPECIALISED_SHARE = 0.55
CREDIT_ALPHABET = np.frombuffer(b"0123456789ABCDEFGHJKLMNPQRTUWXY", dtype=np.uint8)
CREDIT_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)

SCHEMA = pa.schema(
    [
        ("credit_code", pa.string()),
        ("county_code", pa.int32()),
        ("industry_code", pa.dictionary(pa.int16(), pa.string())),
        ("division", pa.int8()),
        ("county_division", pa.int32()),
        ("year", pa.int16()),
        ("employees", pa.int32()),
        ("output", pa.int64()),
        ("revenue", pa.int64()),
        ("assets", pa.int64()),
        ("rnd", pa.int64()),
        ("patents", pa.int32()),
        ("titles", pa.dictionary(pa.int8(), pa.string())),
    ]
)


@dataclass(frozen=True)
class Geography:
    county_codes: np.ndarray  # the six-digit codes as strings
    county_weights: np.ndarray  # probability of a firm being in each county
    specialised: np.ndarray  # (counties, 3) division indexes, -1 where none
    specialised_weights: np.ndarray  # (counties, 3)
    national_mix: np.ndarray  # probability of each division outside specialisation
    trend: np.ndarray  # (counties, divisions) yearly growth of the county x division
    productivity: np.ndarray  # (divisions,) log output per person


def build_geography(seed: int) -> Geography:
    rng = np.random.default_rng([seed, 0])
    codes = np.array(sorted(d.code for d in divisions("county")))
    n_counties, n_div = len(codes), len(MANUFACTURING_DIVISIONS)
    weights = rng.lognormal(0.0, 1.1, n_counties)
    national = rng.dirichlet(np.full(n_div, 2.0))
    specialised = np.full((n_counties, 3), -1, dtype=np.int64)
    spec_weights = np.zeros((n_counties, 3))
    for county in range(n_counties):
        count = rng.integers(1, 4)
        picked = rng.choice(n_div, size=count, replace=False, p=national)
        specialised[county, :count] = picked
        w = rng.dirichlet(np.full(count, 1.5))
        spec_weights[county, :count] = w
    trend = rng.normal(0.05, 0.06, (n_counties, n_div))
    productivity = np.log(60.0) + rng.normal(0.0, 0.35, n_div)
    return Geography(codes, weights / weights.sum(), specialised, spec_weights, national, trend, productivity)


def credit_codes(county_codes: np.ndarray, serials: np.ndarray) -> pa.Array:
    """GB 32100 codes: "91" (工商 / enterprise), the county, a 9-digit serial, and the check character."""
    n = len(serials)
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, 0] = ord("9")
    chars[:, 1] = ord("1")
    chars[:, 2:8] = np.frombuffer("".join(county_codes).encode(), dtype=np.uint8).reshape(n, 6)
    digits = serials.copy()
    for position in range(16, 7, -1):
        chars[:, position] = ord("0") + digits % 10
        digits //= 10
    values = (chars[:, :17] - ord("0")).astype(np.int64)  # every character here is a digit
    check = (31 - (values @ CREDIT_WEIGHTS) % 31) % 31
    chars[:, 17] = CREDIT_ALPHABET[check]
    return pa.array(chars.view("S18").ravel()).cast(pa.string())


TITLE_COMBINATIONS = np.array(
    [";".join(t for bit, t in enumerate(TITLES) if mask >> bit & 1) for mask in range(2 ** len(TITLES))],
    dtype=object,
)


def _titles(rng: np.random.Generator, employees: np.ndarray) -> np.ndarray:
    size_factor = np.clip(employees / 12.0, 0.2, 40.0) ** 0.7
    mask = np.zeros(len(employees), dtype=np.int64)
    for bit, rate in enumerate(TITLE_BASE_RATE.values()):
        mask |= (rng.random(len(employees)) < np.minimum(rate * size_factor, 0.9)).astype(np.int64) << bit
    return TITLE_COMBINATIONS[mask]


def firm_counties(geo: Geography, seed: int, n_firms: int) -> np.ndarray:
    """Every firm's county, in county-code order: firm ``i`` has serial ``i``, so the rows come out in
    credit-code order (``91`` + county + serial), as a registry extract does."""
    rng = np.random.default_rng([seed, 4])
    return np.sort(rng.choice(len(geo.county_codes), size=n_firms, p=geo.county_weights))


def firm_chunk(
    geo: Geography, seed: int, chunk: int, first_serial: int, county: np.ndarray
) -> dict[str, np.ndarray]:
    """The time-invariant attributes of the firms in ``county`` (one chunk), the same for every year."""
    rng = np.random.default_rng([seed, 1, chunk])
    n = len(county)
    specialised_pick = rng.random(n) < SPECIALISED_SHARE
    slot = (rng.random(n)[:, None] > np.cumsum(geo.specialised_weights[county], axis=1)).sum(axis=1)
    slot = np.minimum(slot, 2)
    spec_div = geo.specialised[county, slot]
    national_div = rng.choice(len(MANUFACTURING_DIVISIONS), size=n, p=geo.national_mix)
    division = np.where(specialised_pick & (spec_div >= 0), spec_div, national_div)
    employees0 = np.maximum(1, np.round(rng.lognormal(np.log(12.0), 1.3, n))).astype(np.int64)
    productivity = np.exp(geo.productivity[division] + rng.normal(0.0, 0.6, n))
    # Synthetic class C + division + "1" + 1..3. A county's specialised firms mostly share one class
    # (its 主导产业: which one is fixed per county and division), the others spread evenly.
    dominant = 1 + (county * 7 + division * 3) % 3
    class_digits = np.where(specialised_pick & (rng.random(n) < 0.8), dominant, rng.integers(1, 4, n))
    return {
        "county": county,
        "division": division,
        "employees0": employees0,
        "productivity": productivity,
        "class": class_digits,
        "serial": np.arange(first_serial, first_serial + n, dtype=np.int64),
        "drift": rng.normal(0.0, 0.08, n),
        "rnd_rate": np.where(rng.random(n) < 0.45, 0.0, rng.lognormal(np.log(0.015), 0.6, n)),
        "asset_ratio": rng.lognormal(np.log(0.8), 0.4, n),
        "revenue_ratio": rng.uniform(0.85, 1.05, n),
    }


def year_rows(
    geo: Geography, seed: int, chunk: int, firms: dict[str, np.ndarray], step: int, year: int
) -> pa.Table:
    """The firms' rows for one year (``step`` years after the first)."""
    rng = np.random.default_rng([seed, 2, chunk, step])
    n = len(firms["serial"])
    growth = geo.trend[firms["county"], firms["division"]] + firms["drift"]
    scale = np.exp(growth * step + rng.normal(0.0, 0.05, n))
    employees = np.maximum(1, np.round(firms["employees0"] * scale**0.5)).astype(np.int32)
    output = np.maximum(1, np.round(employees * firms["productivity"] * scale**0.5)).astype(np.int64)
    revenue = np.maximum(1, np.round(output * firms["revenue_ratio"])).astype(np.int64)
    assets = np.maximum(1, np.round(output * firms["asset_ratio"])).astype(np.int64)
    rnd = np.round(revenue * firms["rnd_rate"]).astype(np.int64)
    patents = rng.poisson(0.004 * employees * (firms["rnd_rate"] > 0)).astype(np.int32)
    county_codes = geo.county_codes[firms["county"]]
    division_codes = MANUFACTURING_DIVISIONS[firms["division"]]
    division_text = np.char.mod("%02d", division_codes)
    industry = np.char.add(np.char.add("C", division_text), np.char.mod("1%d", firms["class"]))
    titles = _titles(np.random.default_rng([seed, 3, chunk]), firms["employees0"])  # titles stay
    arrays = [
        credit_codes(county_codes, firms["serial"]),
        pa.array(county_codes.astype(np.int32)),
        pa.array(industry).dictionary_encode().cast(SCHEMA.field("industry_code").type),
        pa.array(division_codes.astype(np.int8)),
        pa.array(county_codes.astype(np.int32) * 100 + division_codes.astype(np.int32)),
        pa.array(np.full(n, year, dtype=np.int16)),
        pa.array(employees),
        pa.array(output),
        pa.array(revenue),
        pa.array(assets),
        pa.array(rnd),
        pa.array(patents),
        pa.array(np.where(titles == "", None, titles), type=pa.string())
        .dictionary_encode()
        .cast(SCHEMA.field("titles").type),
    ]
    table = pa.Table.from_arrays(arrays, schema=SCHEMA)
    # Within the chunk (already in county order) the firms of one county × division come together: the
    # aggregation then meets each group's rows in runs, and the key columns compress to long runs.
    # A stable sort, so the same firms keep the same relative order in every year.
    return table.take(pc.sort_indices(table, [("county_division", "ascending")]))


def parse_years(text: str) -> list[int]:
    first, _, last = text.partition("-")
    start, end = int(first), int(last or first)
    if end < start:
        raise argparse.ArgumentTypeError(f"--years {text}: the last year comes before the first")
    return list(range(start, end + 1))


def generate(rows: int, years: list[int], seed: int, output: Path, row_group_size: int) -> Path:
    geo = build_geography(seed)
    n_firms = rows // len(years)
    counties = firm_counties(geo, seed, n_firms)
    chunk_size = row_group_size
    output.mkdir(parents=True, exist_ok=True)
    path = output / "enterprise_year.parquet"
    partial = path.with_suffix(".parquet.partial")
    with pq.ParquetWriter(partial, SCHEMA, compression="lz4", use_dictionary=True) as writer:
        for step, year in enumerate(years):
            for chunk, first in enumerate(range(0, n_firms, chunk_size)):
                n = min(chunk_size, n_firms - first)
                firms = firm_chunk(geo, seed, chunk, first, counties[first : first + n])
                writer.write_table(
                    year_rows(geo, seed, chunk, firms, step, year), row_group_size=row_group_size
                )
            print(f"  {year}: {n_firms:,} firms written", file=sys.stderr)
    partial.rename(path)  # a file that exists is complete
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True, help="firm-year rows in total")
    parser.add_argument("--years", type=parse_years, default=parse_years("2022-2024"), help="e.g. 2022-2024")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, required=True, help="directory for enterprise_year.parquet")
    parser.add_argument("--row-group-size", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    path = generate(args.rows, args.years, args.seed, args.output, args.row_group_size)
    print(f"{path}: {pq.ParquetFile(path).metadata.num_rows:,} rows in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
