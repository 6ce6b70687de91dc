"""An application as a cluster profile (design/cluster-profile.md), for the rule engine and for export."""

from __future__ import annotations

from datetime import date
from typing import Any

from smecluster.apps.applications.models import Application
from smecluster.errors import UnusableInput
from smecluster.policy.evaluator import evaluate
from smecluster.policy.ruleset import rule_set
from smecluster.policy.verdict import Verdict
from smecluster.profile import QUALITY_TITLES, ClusterProfile, Year, parse_profile

# The profile format names the figures; the form, the snapshot and the profile document follow it.
YEAR_FIELDS = tuple(name for name in Year.model_fields if name != "year")
QUALITY_FIELDS: tuple[str, ...] = QUALITY_TITLES


def profile_document(application: Application, application_date: date) -> dict[str, Any]:
    """The profile document, with absent figures left out (absent is ``missing``, not zero)."""
    years = []
    for row in application.years.all():
        entry: dict[str, Any] = {"year": row.year}
        for field in YEAR_FIELDS:
            value = getattr(row, field)
            if value is not None:
                entry[field] = value
        years.append(entry)
    document: dict[str, Any] = {
        "schema": 1,
        "name": application.name,
        "province": _province_name(application),
        "counties": application.counties,
        "leading_industry": application.leading_industry,
        "application_date": application_date.isoformat(),
        # The call fixes the years judged for all its applicants, whatever the day (issue 13, finding 2).
        "last_complete_year": application.call.judged_years[-1],
        "energy_intensive": application.energy_intensive,
        "water_intensive": application.water_intensive,
        "years": years,
        "quality_firms": {
            field: getattr(application, field)
            for field in QUALITY_FIELDS
            if getattr(application, field) is not None
        },
        "incidents": [
            _incident_entry(incident.date, incident.kind, incident.level, incident.note)
            for incident in application.incidents.all()
        ],
    }
    if application.quality_holders:  # optional in the format: left out when nobody stated it
        document["quality_firms"]["holding_any"] = [dict(entry) for entry in application.quality_holders]
    if application.area_km2 is not None:
        document["area_km2"] = application.area_km2
    if application.leading_industry_code:
        document["leading_industry_code"] = application.leading_industry_code
    for flag in ("energy_efficiency_better_than_benchmark", "water_efficiency_better_than_benchmark"):
        if getattr(application, flag) is not None:
            document[flag] = getattr(application, flag)
    return document


def _incident_entry(day: date, kind: str, level: str, note: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"date": day.isoformat(), "kind": kind}
    if level:
        entry["level"] = level
    if note:
        entry["note"] = note
    return entry


def _province_name(application: Application) -> str:
    node = application.county
    while node.parent is not None:
        node = node.parent
    return node.name


def application_profile(application: Application, application_date: date) -> ClusterProfile:
    """Raises :class:`UnusableInput` listing every field that makes the application's data impossible."""
    return parse_profile(profile_document(application, application_date), source=application.number)


def eligibility(
    application: Application, application_date: date, *, document: dict[str, Any] | None = None
) -> tuple[Verdict | None, UnusableInput | None]:
    """The live pre-check: a verdict under the programme's rule set, or the problems that prevent one.

    ``document`` replaces the profile built from the declared data (the roster basis substitutes the
    figures computed from the enterprise roster)."""
    try:
        if document is None:
            profile = application_profile(application, application_date)
        else:
            profile = parse_profile(document, source=application.number)
    except UnusableInput as problems:
        return None, problems
    return evaluate(profile, rule_set(application.call.programme.rule_set_id)), None
