"""How fast the domain core checks profiles: the application form's live pre-check runs on every save.

Run: .venv/bin/python benchmarks/evaluate.py [--profiles N]

Generates N varied profiles from the example (seeded, so runs compare), then times loading the rule sets,
validating the profiles and evaluating each under all four rule sets. Not run by CI: figures go in
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from decimal import Decimal
from pathlib import Path

from smecluster.policy.evaluator import evaluate
from smecluster.policy.ruleset import rule_sets
from smecluster.profile import parse_profile

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "profile-example.json"


def varied_profiles(count: int, seed: int = 20261122) -> list[dict[str, object]]:
    rng = random.Random(seed)
    base = json.loads(EXAMPLE.read_text(encoding="utf-8"), parse_float=Decimal)
    documents = []
    for _ in range(count):
        document = json.loads(json.dumps(base, default=str), parse_float=Decimal)
        for year in document["years"]:
            output = Decimal(rng.randint(2_000, 9_000)) / 100
            year["output"] = output
            year["sme_output"] = (output * Decimal(rng.randint(55, 95)) / 100).quantize(Decimal("0.01"))
            year["leading_output"] = (output * Decimal(rng.randint(55, 95)) / 100).quantize(Decimal("0.01"))
            year["sme_rnd"] = Decimal(rng.randint(50, 300)) / 100
            year["invention_patents"] = rng.randint(100, 900)
            year["iip_penetration"] = Decimal(rng.randint(50, 300)) / 10
            year["co2_intensity"] = Decimal(rng.randint(50, 120)) / 100
        document["area_km2"] = Decimal(rng.randint(10, 140))
        documents.append(document)
    return documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=2_000)
    arguments = parser.parse_args()

    started = time.perf_counter()
    loaded = list(rule_sets().values())
    load_ms = (time.perf_counter() - started) * 1000

    documents = varied_profiles(arguments.profiles)
    started = time.perf_counter()
    profiles = [parse_profile(document, source="benchmark") for document in documents]
    validate_s = time.perf_counter() - started

    per_check: list[float] = []
    outcomes: dict[str, int] = {}
    for profile in profiles:
        for each in loaded:
            tick = time.perf_counter()
            verdict = evaluate(profile, each)
            per_check.append(time.perf_counter() - tick)
            outcomes[verdict.outcome.value] = outcomes.get(verdict.outcome.value, 0) + 1

    per_check.sort()
    print(f"rule sets loaded and validated: {load_ms:.1f} ms ({len(loaded)} files)")
    print(
        f"profiles validated: {len(profiles)} in {validate_s:.3f} s "
        f"({validate_s / len(profiles) * 1e6:.0f} µs each)"
    )
    print(
        f"checks: {len(per_check)}; median {statistics.median(per_check) * 1e6:.0f} µs, "
        f"p99 {per_check[int(len(per_check) * 0.99)] * 1e6:.0f} µs, "
        f"throughput {len(per_check) / sum(per_check):,.0f} checks/s"
    )
    print(f"outcomes: {dict(sorted(outcomes.items()))}")


if __name__ == "__main__":
    main()
