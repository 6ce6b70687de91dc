"""What an application still lacks before it may be submitted (issue 15, finding 2: a draft with 8 of its 11
sections empty used to go).

The quality firms, the six qualitative aspects and the development plan are what the initial review and
the experts judge (the rule set's qualitative criteria name the aspects, ``views.ASPECT_WORDS``), so a
submission without them leaves the review nothing to judge: ``application_submit`` refuses while any is
empty. The basics (name and leading industry are asked at creation) and the figures (the profile's own
checks) are guarded elsewhere; "安全与信用" may rightly stay empty (no incident to declare).

Evidence is asked for, not required: a missing file is shown on the pre-submission check, and the city's
initial review judges whether what was uploaded suffices.
"""

from __future__ import annotations

from dataclasses import dataclass

from smecluster.apps.applications.models import COUNTY_SECTIONS, Application, Section

# The text field each qualitative tab fills.
_TEXT_SECTIONS = {
    Section.SUPPLY_CHAIN: "supply_chain",
    Section.INNOVATION: "innovation",
    Section.DIGITAL: "digital",
    Section.GREEN: "green",
    Section.OPENNESS: "openness",
    Section.GOVERNANCE: "governance",
}
_QUALITY_COUNTS = ("champion", "little_giant", "specialized", "innovative", "high_tech")

REQUIRED_FOR_SUBMISSION = (Section.QUALITY, *_TEXT_SECTIONS, Section.PLAN)
"""The tabs that must hold something before the application can be submitted."""

# The tabs for which the rule set asks for supporting files (the figures' statistical report, the titles'
# certificates, the aspects' documents); the plan and the incident declaration are statements.
EVIDENCE_EXPECTED = (Section.BASICS, Section.FIGURES, Section.QUALITY, *_TEXT_SECTIONS)


def _is_empty(application: Application, section: Section) -> bool:
    if section in _TEXT_SECTIONS:
        return not str(getattr(application, _TEXT_SECTIONS[section])).strip()
    if section == Section.QUALITY:
        counts = (getattr(application, name) for name in _QUALITY_COUNTS)
        return all(count is None for count in counts) and not application.quality_holders
    if section == Section.PLAN:
        return not application.plan_summary.strip() and not application.targets.exists()
    return False


def empty_required_sections(application: Application) -> list[Section]:
    """The required tabs with nothing filled in, in the form's order."""
    return [section for section in REQUIRED_FOR_SUBMISSION if _is_empty(application, section)]


@dataclass(frozen=True)
class Completeness:
    """The pre-submission check shown above the pledge: what blocks the submission and what is only
    missing."""

    empty_sections: list[Section]
    sections_without_evidence: list[Section]

    @property
    def blocked(self) -> bool:
        return bool(self.empty_sections)


def completeness(application: Application) -> Completeness:
    with_files = set(application.evidence.values_list("section", flat=True))
    return Completeness(
        empty_sections=empty_required_sections(application),
        sections_without_evidence=[
            section
            for section in COUNTY_SECTIONS
            if section in EVIDENCE_EXPECTED and section.value not in with_files
        ],
    )
