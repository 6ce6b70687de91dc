"""The cluster's record: its leading industry, spatial scope and operating agency as they stand now, and
the history of how each came to be (who, when, from → to).

The record starts from the recognized application (its counties, area and operating agency) and the
cluster's leading industry, and takes each major change in the order it reached the record: approved
filings and changes found without a filing (``MajorChange.applied_at``). The leading industry is also kept
on :class:`RecognizedCluster` itself, because the published list shows and filters by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import Jurisdiction
from smecluster.apps.oversight.models import ChangeKind, MajorChange
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.site.wording import listing

APPLIED = (MajorChange.Status.APPROVED, MajorChange.Status.FOUND_UNFILED)


@dataclass(frozen=True)
class ClusterFacts:
    leading_industry: str
    counties: list[str] = field(default_factory=list)  # GB/T 2260 codes, the declaring county first
    area_km2: Decimal | None = None
    operating_agency: str = ""

    def value_of(self, kind: str) -> dict[str, Any]:
        """The facts of one change kind, as a change's ``old_value`` holds them (JSON)."""
        if kind == ChangeKind.LEADING_INDUSTRY:
            return {"leading_industry": self.leading_industry}
        if kind == ChangeKind.SPATIAL_SCOPE:
            return {
                "counties": list(self.counties),
                "area_km2": None if self.area_km2 is None else format(self.area_km2.normalize(), "f"),
            }
        if kind == ChangeKind.OPERATING_AGENCY:
            return {"operating_agency": self.operating_agency}
        raise ValueError(kind)

    def with_value(self, kind: str, value: dict[str, Any]) -> ClusterFacts:
        if kind == ChangeKind.LEADING_INDUSTRY:
            return replace(self, leading_industry=value["leading_industry"])
        if kind == ChangeKind.SPATIAL_SCOPE:
            return replace(self, counties=list(value["counties"]), area_km2=_decimal(value.get("area_km2")))
        if kind == ChangeKind.OPERATING_AGENCY:
            return replace(self, operating_agency=value["operating_agency"])
        raise ValueError(kind)


def _decimal(text: Any) -> Decimal | None:
    if text in (None, ""):
        return None
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return None


def recognized_facts(cluster: RecognizedCluster) -> ClusterFacts:
    """The facts as recognized, before any change: the application's, or for a cluster imported from a
    past list what the list gave (its industry and county; area and operating agency unknown)."""
    application = cluster.application
    if application is None:
        return ClusterFacts(leading_industry=cluster.leading_industry, counties=[cluster.county_id])
    return ClusterFacts(
        leading_industry=application.leading_industry,
        counties=list(application.counties),
        area_km2=application.area_km2,
        operating_agency=application.operating_agency,
    )


def applied_changes(cluster: RecognizedCluster) -> list[MajorChange]:
    return list(
        MajorChange.objects.filter(cluster=cluster, status__in=APPLIED, applied_at__isnull=False)
        .select_related("decided_by", "found_by", "filed_by")
        .order_by("applied_at", "pk")
    )


def current_facts(cluster: RecognizedCluster) -> ClusterFacts:
    facts = recognized_facts(cluster)
    for change in applied_changes(cluster):
        facts = facts.with_value(change.kind, change.new_value)
    return facts


def describe_value(kind: str, value: dict[str, Any]) -> str:
    """One line for people: 家具；佛山市顺德区、佛山市南海区，35.5 平方公里；某某管委会."""
    if kind == ChangeKind.LEADING_INDUSTRY:
        return value.get("leading_industry") or "—"
    if kind == ChangeKind.SPATIAL_SCOPE:
        codes = list(value.get("counties") or [])
        names = {
            place.code: place.full_name()
            for place in Jurisdiction.objects.filter(code__in=codes).select_related("parent__parent")
        }
        places = listing(names.get(code, code) for code in codes) or "—"
        area = value.get("area_km2")
        if area in (None, ""):
            return _("%(places)s，面积未填报") % {"places": places}
        return _("%(places)s，%(area)s 平方公里") % {"places": places, "area": area}
    if kind == ChangeKind.OPERATING_AGENCY:
        return value.get("operating_agency") or "—"
    raise ValueError(kind)
