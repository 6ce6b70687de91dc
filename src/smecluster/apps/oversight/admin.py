"""Dynamic management in the admin: read-only. Every record is written by ``oversight.services``, which
checks permission and writes the audit trail; the admin only looks."""

from __future__ import annotations

from django.contrib import admin

from smecluster.apps.audit.admin import ReadOnlyModelAdmin
from smecluster.apps.oversight.models import ClusterIncident, MajorChange, Revocation, RevocationProposal


@admin.register(MajorChange)
class MajorChangeAdmin(ReadOnlyModelAdmin):
    list_display = ["cluster", "kind", "effective_on", "status", "late", "filing_due_on"]
    list_filter = ["status", "kind", "late"]
    search_fields = ["cluster__number", "cluster__name"]
    list_select_related = ["cluster"]


@admin.register(ClusterIncident)
class ClusterIncidentAdmin(ReadOnlyModelAdmin):
    list_display = ["cluster", "occurred_on", "kind", "level", "meets_threshold"]
    list_filter = ["kind", "level", "meets_threshold"]
    search_fields = ["cluster__number", "cluster__name", "source"]
    list_select_related = ["cluster"]


@admin.register(RevocationProposal)
class RevocationProposalAdmin(ReadOnlyModelAdmin):
    list_display = ["cluster", "case", "article", "source", "status", "proposed_on", "decided_on"]
    list_filter = ["status", "case"]
    search_fields = ["cluster__number", "cluster__name", "source"]
    list_select_related = ["cluster"]


@admin.register(Revocation)
class RevocationAdmin(ReadOnlyModelAdmin):
    list_display = ["cluster", "revoked_on", "case", "article"]
    search_fields = ["cluster__number", "cluster__name"]
    list_select_related = ["cluster"]
