"""Loading the platform's yearly data from the web: a preview first (what the file says, and how it
differs from what is in force), then the load (written whole to the data directory, recorded, audited).

The preview and the load read the same bytes: the page keeps the upload in the session between the two
steps and the load refuses bytes whose SHA-256 is not the one previewed.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from smecluster import workdays
from smecluster.apps.accounts.models import User
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.yearly_data.models import YearlyDataLoad
from smecluster.apps.yearly_data.permissions import can_load_yearly_data
from smecluster.errors import UnusableInput
from smecluster.policy.ruleset import RuleSet, install_rule_set, parse_rule_set_bytes, rule_set_text

MAX_FILE_BYTES = 1024 * 1024
"""A year's arrangement is a few kilobytes and a rule set some tens: anything bigger is not one."""


def _bounded(raw: bytes, source: str) -> bytes:
    if len(raw) > MAX_FILE_BYTES:
        raise UnusableInput.single(source, "", f"{len(raw)} bytes; a file of yearly data is at most 1 MB")
    return raw


def sha256_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class HolidayPreview:
    arrangement: workdays.YearArrangement
    lines: list[workdays.HolidayLine]
    current: workdays.YearArrangement | None
    days_added: list[tuple[date, str, str]]
    days_removed: list[tuple[date, str, str]]

    @property
    def unchanged(self) -> bool:
        return self.current is not None and not self.days_added and not self.days_removed


def _typed_days(arrangement: workdays.YearArrangement) -> dict[date, tuple[str, str]]:
    days = {day: ("放假", name) for day, name in arrangement.days_off.items()}
    days |= {day: ("上班", name) for day, name in arrangement.makeup_workdays.items()}
    return days


def holiday_preview(raw: bytes, source: str) -> HolidayPreview:
    arrangement = workdays.parse_year_bytes(_bounded(raw, source), source)
    calendar = workdays.holiday_calendar()
    current = next((each for each in calendar.years if each.year == arrangement.year), None)
    new, old = _typed_days(arrangement), _typed_days(current) if current else {}
    return HolidayPreview(
        arrangement,
        workdays.holiday_lines(arrangement),
        current,
        days_added=[(day, *new[day]) for day in sorted(new) if old.get(day) != new[day]],
        days_removed=[(day, *old[day]) for day in sorted(old) if new.get(day) != old[day]],
    )


def holiday_year_load(*, actor: User, raw: bytes, file_name: str) -> YearlyDataLoad:
    can_load_yearly_data(actor).enforce()
    preview = holiday_preview(raw, file_name)
    with transaction.atomic():
        loaded = YearlyDataLoad.objects.create(
            kind=YearlyDataLoad.Kind.HOLIDAYS,
            key=str(preview.arrangement.year),
            file_name=file_name[:255],
            sha256=sha256_of(raw),
            size=len(raw),
            summary={
                "days_off": len(preview.arrangement.days_off),
                "makeup_workdays": len(preview.arrangement.makeup_workdays),
                "replaced": preview.current.source if preview.current else None,
            },
            loaded_by=actor,
        )
        audit_record(
            actor=actor,
            action=actions.YEARLY_DATA_HOLIDAYS_LOAD,
            target=loaded,
            after={"year": preview.arrangement.year, "sha256": loaded.sha256, **loaded.summary},
        )
        # Last, inside the transaction: a failed write rolls the record back; the file appears whole.
        workdays.install_year_bytes(raw, file_name)
    return loaded


@dataclass(frozen=True)
class RuleSetPreview:
    rule_set: RuleSet
    current_source: str | None
    diff: list[str]

    @property
    def unchanged(self) -> bool:
        return self.current_source is not None and not self.diff


def rule_set_preview(raw: bytes, source: str) -> RuleSetPreview:
    rule_set = parse_rule_set_bytes(_bounded(raw, source), source)
    current = rule_set_text(rule_set.id)
    new_text = raw.decode("utf-8-sig")
    diff = []
    if current is not None:
        where, old_text = current
        diff = list(
            difflib.unified_diff(
                old_text.splitlines(), new_text.splitlines(), fromfile=where, tofile=source, lineterm="", n=2
            )
        )
    return RuleSetPreview(rule_set, current[0] if current else None, diff)


def rule_set_load(*, actor: User, raw: bytes, file_name: str) -> YearlyDataLoad:
    can_load_yearly_data(actor).enforce()
    preview = rule_set_preview(raw, file_name)
    rules = preview.rule_set
    with transaction.atomic():
        loaded = YearlyDataLoad.objects.create(
            kind=YearlyDataLoad.Kind.RULE_SET,
            key=rules.id,
            file_name=file_name[:255],
            sha256=sha256_of(raw),
            size=len(raw),
            summary={
                "title": rules.document.title,
                "issuer": rules.document.issuer,
                "status": str(rules.document.status),
                "replaced": preview.current_source,
                "changed_lines": sum(
                    1 for line in preview.diff if line[:1] in "+-" and line[:3] not in ("+++", "---")
                ),
            },
            loaded_by=actor,
        )
        audit_record(
            actor=actor,
            action=actions.YEARLY_DATA_RULE_SET_LOAD,
            target=loaded,
            after={"rule_set": rules.id, "sha256": loaded.sha256, **loaded.summary},
        )
        install_rule_set(raw, file_name)
    return loaded
