"""The demo imports a roster for each demo application; the first draft's falls short of its declared SME
output, so the demo shows the tolerance flag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from smecluster.apps.rosters.comparison import comparison_lines
from smecluster.apps.rosters.models import Roster
from smecluster.site.demo import DEMO_APPLICATIONS, build_demo

pytestmark = pytest.mark.django_db


def test_demo_rosters_match_their_applications_but_one(
    web_divisions: None, settings: Any, tmp_path: Path
) -> None:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    build_demo()
    rosters = {roster.application.name: roster for roster in Roster.objects.filter(application__isnull=False)}
    assert set(rosters) >= {spec.name for spec in DEMO_APPLICATIONS}
    for spec in DEMO_APPLICATIONS:
        roster = rosters[spec.name]
        version = roster.versions.get()
        flagged = [str(line.label) for line in comparison_lines(roster.application, version) if line.flagged]
        if spec is DEMO_APPLICATIONS[0]:
            assert "中小企业产值占比" in flagged
        else:
            assert flagged == [], spec.name
