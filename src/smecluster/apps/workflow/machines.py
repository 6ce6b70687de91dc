"""Every state machine of the platform, for the docs (``smecluster workflow-doc``) and the checks that
go over all of them (tests/web/test_audit_vocabulary.py). Adding a machine is one import and one line."""

from __future__ import annotations

from typing import Any

from smecluster.apps.applications.workflow import APPLICATION
from smecluster.apps.notices.workflow import NOTICE, OBJECTION
from smecluster.apps.oversight.workflow import MAJOR_CHANGE, REVOCATION_PROPOSAL
from smecluster.apps.registry.workflow import ANNUAL_REPORT, RE_REVIEW, RECOGNIZED_CLUSTER
from smecluster.apps.selection.workflow import SHORTLIST
from smecluster.apps.workflow.engine import Machine

# In the order of the programme: the call, its notice, the three years after recognition.
MACHINES: tuple[Machine[Any], ...] = (
    APPLICATION,
    SHORTLIST,
    NOTICE,
    OBJECTION,
    RECOGNIZED_CLUSTER,
    ANNUAL_REPORT,
    RE_REVIEW,
    MAJOR_CHANGE,
    REVOCATION_PROPOSAL,
)
