"""The audit history shown on an annual report's and a re-review's page, each event with its label
(``audit.actions.action_label``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from smecluster.apps.audit.actions import action_label
from smecluster.apps.audit.services import audit_trail
from smecluster.site.csv_export import local_time


def audit_history(target: Any) -> list[dict[str, Any]]:
    return [
        {
            "at": local_time(event.at),
            "who": str(event.actor) if event.actor else _("系统（每日任务）"),
            "what": action_label(event.action),
            "reason": event.reason,
        }
        for event in audit_trail(target).order_by("at", "pk")
    ]
