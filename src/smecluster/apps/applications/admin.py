"""Applications in the admin: read-only. Their content and state change only through the services
(``applications.services``), which check permission, keep versions and write the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from smecluster.apps.applications.models import (
    Application,
    ApplicationVersion,
    ApplicationYear,
    DeclaredPlanTarget,
    EvidenceFile,
    Incident,
)
from smecluster.apps.audit.admin import ReadOnlyModelAdmin


class _ReadOnlyInline(admin.TabularInline[Any, Any]):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class YearInline(_ReadOnlyInline):
    model = ApplicationYear


class IncidentInline(_ReadOnlyInline):
    model = Incident


class TargetInline(_ReadOnlyInline):
    model = DeclaredPlanTarget


class EvidenceInline(_ReadOnlyInline):
    model = EvidenceFile
    fields = ("section", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(ReadOnlyModelAdmin):
    list_display = ["number", "name", "county", "call", "status", "updated_at"]
    list_filter = ["status", "call"]
    search_fields = ["number", "name", "leading_industry", "county__name"]
    list_select_related = ["county", "call__programme"]
    inlines = [YearInline, IncidentInline, TargetInline, EvidenceInline]


@admin.register(ApplicationVersion)
class ApplicationVersionAdmin(ReadOnlyModelAdmin):
    list_display = ["application", "number", "submitted_by", "submitted_at"]
    list_select_related = ["application", "submitted_by"]
    search_fields = ["application__number", "application__name"]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnlyModelAdmin):
    list_display = ["original_name", "application", "section", "content_type", "size", "uploaded_at"]
    list_filter = ["section", "content_type"]
    list_select_related = ["application"]
    search_fields = ["original_name", "sha256", "application__number"]
