"""The one write of monitoring: the analyst's texts of a programme's yearly report on a scope."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from smecluster.apps.accounts.models import Jurisdiction, User
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.monitoring.models import ReportDraft
from smecluster.apps.monitoring.permissions import can_edit_report
from smecluster.apps.programmes.models import Programme
from smecluster.documents.evaluation_report import check_texts


def report_draft_save(
    *, actor: User, programme: Programme, scope: Jurisdiction, year: int, texts: Mapping[str, str]
) -> ReportDraft:
    """Keep the analyst's texts of ``programme``'s report on ``scope`` (an empty block means "print the
    draft"). Refused: PermissionDenied; an unknown block or an over-long text: UnusableInput naming the
    block; nothing is written then."""
    can_edit_report(actor, programme, scope).enforce()
    kept = {block.value: text for block, text in check_texts(texts).items() if text}
    with transaction.atomic():
        # the row is locked (or created) first, so two analysts saving at once are serialized, not lost
        draft, created = ReportDraft.objects.select_for_update().get_or_create(
            programme=programme, scope=scope, year=year, defaults={"updated_by": actor}
        )
        before = {} if created else dict(draft.texts)
        draft.texts = kept
        draft.updated_by = actor
        draft.save()
        changed = sorted(key for key in set(before) | set(kept) if before.get(key) != kept.get(key))
        audit_record(
            actor=actor,
            action=actions.MONITORING_REPORT_DRAFT_SAVE,
            target=draft,
            before={key: before.get(key, "") for key in changed},
            after={key: kept.get(key, "") for key in changed},
        )
    return draft
