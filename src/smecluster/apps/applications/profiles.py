"""An application as a cluster profile (design/cluster-profile.md), for the rule engine and for export."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

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
    if application.places:  # optional in the format, like the zone below
        document["places"] = [dict(place) for place in application.places]
    if (zone := application.development_zone) is not None:
        document["development_zone"] = {
            "name": zone.name,
            "level": zone.level,
            "counties": sorted(county.code for county in zone.counties.all()),
        }
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


def review_date(application: Application) -> date:
    """The date an application is judged at: the day of its latest submission, in Beijing time."""
    if application.submitted_at is not None:
        return timezone.localdate(application.submitted_at)
    return timezone.localdate()


def binding_refusal(application: Application) -> str | None:
    """Why the application may not be recommended nor pass screening, or None when nothing bars it.

    The evaluation is the panel's (the programme's rule set, as of the latest submission, on the call's
    years). A computed criterion that fails or lacks its data bars it: the measures recommend only
    "在符合认定条件的基础上" (GD 15(二), SX 15), and an unchecked criterion is not shown to be met. The
    refusal cites the rule set's recommendation clause and each criterion that bars, with its article.
    """
    rules = rule_set(application.call.programme.rule_set_id)
    verdict, problems = eligibility(application, review_date(application))
    if verdict is None:
        reasons = [str(problem) for problem in problems.problems] if problems else []
    else:
        reasons = [
            f"{result.criterion.article.cite()}“{result.criterion.clause}”：{result.explanation}"
            for result in verdict.binding_shortfalls()
        ]
        if not reasons:
            return None
    basis = rules.recommendation_basis
    grounds = (
        _("依据%(article)s“%(clause)s”") % {"article": basis.article.cite(), "clause": basis.clause}
        if basis
        else _("依据%(title)s") % {"title": rules.title}
    )
    if verdict is None:
        return _("%(grounds)s，申报数据尚不能判断是否符合认定条件，不能推荐或通过审核：%(reasons)s") % {
            "grounds": grounds,
            "reasons": "；".join(reasons),
        }
    return _("%(grounds)s，不符合认定条件或缺少数据的申报不能推荐或通过审核：%(reasons)s") % {
        "grounds": grounds,
        "reasons": "；".join(reasons),
    }


def onsite_check_title(application: Application) -> str:
    """What the recommending level's on-site record is called: 实地核查 where the programme verifies every
    application on site (Guizhou: "市（州）… 负责对集群申报进行受理、初审和实地核查"), else 实地抽查 (a
    sample, GD 第十五条（二）)."""
    if application.call.programme.onsite_check_every_application:
        return _("实地核查")
    return _("实地抽查")


def onsite_check_refusal(application: Application) -> str | None:
    """Why the recommending level may not recommend yet under a programme that has it verify every
    application on site (Guizhou: "市（州）工业和信息化主管部门负责对集群申报进行受理、初审和实地核查"), or
    None: the on-site record (the spot check's) must exist before 推荐."""
    if not application.call.programme.onsite_check_every_application or application.spot_checks.exists():
        return None
    basis = rule_set(application.call.programme.rule_set_id).recommendation_basis
    grounds = (
        _("依据%(article)s“%(clause)s”，") % {"article": basis.article.cite(), "clause": basis.clause}
        if basis
        else ""
    )
    return _("%(grounds)s本项目要求推荐单位对每件申报实地核查：请先记录对本申报的实地核查，再推荐") % {
        "grounds": grounds
    }
