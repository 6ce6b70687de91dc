"""Recognized clusters in the admin: read-only. A cluster is created only by recognition
(``registry.services``), which takes the workflow transition, numbers it and writes the audit trail."""

from __future__ import annotations

from django.contrib import admin

from smecluster.apps.audit.admin import ReadOnlyModelAdmin
from smecluster.apps.registry.models import RecognizedCluster


@admin.register(RecognizedCluster)
class RecognizedClusterAdmin(ReadOnlyModelAdmin):
    list_display = ["number", "name", "county", "leading_industry", "year", "valid_until", "status"]
    list_filter = ["status", "year", "programme"]
    search_fields = ["number", "name", "leading_industry", "county__name"]
    list_select_related = ["county", "programme"]
