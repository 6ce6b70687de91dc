"""Every state machine of the platform, for the docs (``smecluster workflow-doc``) and the checks that
go over all of them (tests/web/test_audit_vocabulary.py). Adding a machine is one import and one line."""

from __future__ import annotations

from typing import Any

from smecluster.apps.applications.workflow import APPLICATION
from smecluster.apps.registry.workflow import RECOGNIZED_CLUSTER
from smecluster.apps.workflow.engine import Machine

MACHINES: tuple[Machine[Any], ...] = (
    APPLICATION,
    RECOGNIZED_CLUSTER,
)
