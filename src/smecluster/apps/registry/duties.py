"""What the daily `smecluster tick` job does for dynamic management, as a list of duties.

A duty is a function of the day it runs as of; it does what is due that day and returns one `TickAction` per
thing it did. A duty is idempotent: run twice as of the same day, the second run finds nothing left to do
and returns an empty list (each action leaves a record that says it was done). `smecluster tick` runs the
duties of this module and of `oversight.duties` in order (see `oversight.tick.run_tick`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

ActionKind = Literal["opened", "reminded", "flagged", "proposed", "expired"]


@dataclass(frozen=True)
class TickAction:
    """One thing a tick run did: what kind, about what, for which cluster, in one Chinese sentence."""

    action: ActionKind
    subject: str  # "annual_report", "re_review", "major_change", "incident", "revocation", ...
    cluster: str  # the recognition number, e.g. 粤中小特色集群〔2024〕001
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"action": self.action, "subject": self.subject, "cluster": self.cluster, "detail": self.detail}


Duty = Callable[[date], list[TickAction]]

DUTIES: list[Duty] = []
"""The registry's duties in the order they run; each is appended where it is defined."""
