"""A submitted version, frozen as JSON, and what changed between two of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smecluster.apps.applications.models import Application

CONTENT_FIELDS = (
    "name", "other_counties", "leading_industry", "leading_industry_code", "area_km2", "energy_intensive",
    "water_intensive", "energy_efficiency_better_than_benchmark", "water_efficiency_better_than_benchmark",
    "operating_agency", "contact_person", "contact_phone", "champion", "little_giant", "specialized",
    "innovative", "high_tech", "supply_chain", "innovation", "digital", "green", "openness", "governance",
    "plan_summary",
)  # fmt: skip
YEAR_FIELDS = (
    "output", "sme_output", "leading_output", "sme_rnd", "invention_patents", "employees",
    "iip_penetration", "co2_intensity", "non_fossil_share",
)  # fmt: skip


def _plain(value: Any) -> Any:
    # Decimals become strings so 48.40 stays 48.40 in JSON; dates become ISO strings.
    if value is None or isinstance(value, bool | int | str | list):
        return value
    return str(value)


def application_snapshot(application: Application) -> dict[str, Any]:
    return {
        "fields": {field: _plain(getattr(application, field)) for field in CONTENT_FIELDS},
        "years": {
            str(row.year): {field: _plain(getattr(row, field)) for field in YEAR_FIELDS}
            for row in application.years.all()
        },
        "incidents": [
            {"date": _plain(i.date), "kind": i.kind, "level": i.level, "note": i.note}
            for i in application.incidents.all()
        ],
        "targets": [
            {
                "indicator": t.indicator,
                "unit": t.unit,
                "baseline": _plain(t.baseline),
                "target_value": _plain(t.target_value),
                "target_year": t.target_year,
            }
            for t in application.targets.all()
        ],
        "evidence": [
            {"section": e.section, "name": e.original_name, "sha256": e.sha256}
            for e in application.evidence.all()
        ],
    }


@dataclass(frozen=True)
class Change:
    label: str
    before: Any
    after: Any


def snapshot_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Field by field, year by year: what a reviewer needs to see of a resubmission."""
    label = {
        field.name: str(field.verbose_name)
        for field in Application._meta.get_fields()
        if hasattr(field, "verbose_name")
    }
    changes = [
        Change(label.get(field, field), before["fields"].get(field), after["fields"].get(field))
        for field in CONTENT_FIELDS
        if before["fields"].get(field) != after["fields"].get(field)
    ]
    for year in sorted(set(before["years"]) | set(after["years"])):
        old, new = before["years"].get(year, {}), after["years"].get(year, {})
        for field in YEAR_FIELDS:
            if old.get(field) != new.get(field):
                changes.append(Change(f"{year}年 {field}", old.get(field), new.get(field)))
    for part, title in (("incidents", "事故或失信事件"), ("targets", "规划目标"), ("evidence", "佐证材料")):
        if before[part] != after[part]:
            changes.append(Change(title, len(before[part]), len(after[part])))
    return changes
