"""A submitted version, frozen as JSON, and what changed between two of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from smecluster.apps.applications.models import Application, ApplicationYear, Incident, Section
from smecluster.apps.applications.profiles import YEAR_FIELDS
from smecluster.site.wording import listing

CONTENT_FIELDS = (
    "name", "other_counties", "places", "leading_industry", "leading_industry_code", "area_km2",
    "energy_intensive", "water_intensive", "energy_efficiency_better_than_benchmark",
    "water_efficiency_better_than_benchmark", "operating_agency", "contact_person", "contact_phone",
    "champion", "little_giant", "specialized", "innovative", "high_tech", "quality_holders", "supply_chain",
    "innovation", "digital", "green", "openness", "governance", "plan_summary",
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


def _labels(model: type) -> dict[str, str]:
    return {
        field.name: str(field.verbose_name)
        for field in model._meta.get_fields()  # type: ignore[attr-defined]
        if hasattr(field, "verbose_name")
    }


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return listing(_shown(item) for item in value) or "—"
    return str(value)


def _incident(entry: dict[str, Any]) -> str:
    kinds = dict(Incident._meta.get_field("kind").choices or [])
    shown = {**entry, "kind": str(kinds.get(entry.get("kind"), entry.get("kind") or ""))}
    return " ".join(_shown(shown.get(key)) for key in ("date", "kind", "level", "note") if shown.get(key))


def _target(entry: dict[str, Any]) -> str:
    return _("%(indicator)s：%(baseline)s → %(target)s %(unit)s（%(year)s年）") % {
        "indicator": entry.get("indicator"),
        "baseline": _shown(entry.get("baseline")),
        "target": _shown(entry.get("target_value")),
        "unit": entry.get("unit", ""),
        "year": entry.get("target_year"),
    }


def _evidence(entry: dict[str, Any]) -> str:
    section = entry.get("section")
    section_label = Section(section).label if section in Section.values else section
    return f"{entry.get('name')}（{section_label}）"


def _list_changes(title: str, old: list[Any], new: list[Any], describe: Any) -> list[Change]:
    """Entries removed (before, nothing after) and added (nothing before, after), in their words."""
    removed = [entry for entry in old if entry not in new]
    added = [entry for entry in new if entry not in old]
    return [Change(title, describe(entry), None) for entry in removed] + [
        Change(title, None, describe(entry)) for entry in added
    ]


def snapshot_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Field by field, year by year, entry by entry: what a reviewer needs to see of a resubmission.

    Labels are the form's (集群总产值（亿元）, so every amount names its unit); a list part (incidents, plan
    targets, evidence) shows each entry removed or added; values are shown as a person reads them.
    """
    label = _labels(Application)
    year_label = _labels(ApplicationYear)
    changes = [
        Change(
            label.get(field, field), _shown(before["fields"].get(field)), _shown(after["fields"].get(field))
        )
        for field in CONTENT_FIELDS
        if before["fields"].get(field) != after["fields"].get(field)
    ]
    for year in sorted(set(before["years"]) | set(after["years"])):
        old, new = before["years"].get(year, {}), after["years"].get(year, {})
        for field in YEAR_FIELDS:
            if old.get(field) != new.get(field):
                changes.append(
                    Change(
                        _("%(year)s年 %(field)s") % {"year": year, "field": year_label.get(field, field)},
                        _shown(old.get(field)),
                        _shown(new.get(field)),
                    )
                )
    for part, title, describe in (
        ("incidents", _("事故或失信事件"), _incident),
        ("targets", _("规划目标"), _target),
        ("evidence", _("佐证材料"), _evidence),
    ):
        changes += _list_changes(title, before.get(part, []), after.get(part, []), describe)
    return changes
