"""The daily tick: every duty of dynamic management, as of one day.

The registry's duties run first (they open annual reporting and re-review, remind, flag overdue reports
and expire clusters), then oversight's (they propose revocation from what the first ones flagged), each in
its own transaction: a duty that fails rolls back alone and the error stops the run, so the next run
starts again from the records.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from smecluster.apps.oversight import duties as oversight_duties
from smecluster.apps.registry.services import duties as registry_duties
from smecluster.apps.registry.services.duties import TickAction


def run_tick(as_of: date) -> list[TickAction]:
    actions: list[TickAction] = []
    for duty in [*registry_duties.DUTIES, *oversight_duties.DUTIES]:
        with transaction.atomic():
            actions += duty(as_of)
    return actions
