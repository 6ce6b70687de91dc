"""The selection records in the admin: read-only, written only by ``selection.services`` (a change made
here would bypass the audit trail, and a changed score would no longer match a frozen shortlist)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from smecluster.apps.audit.admin import ReadOnlyModelAdmin
from smecluster.apps.selection.models import (
    Assignment,
    DeclaredRelation,
    ExpertProfile,
    Indicator,
    IndicatorSystem,
    Score,
    Screening,
    Shortlist,
)


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyModelAdmin):
    list_display = ["application", "outcome", "flagged", "goes_on", "decided_by", "decided_at"]
    list_filter = ["outcome", "flagged", "goes_on"]
    list_select_related = ["application", "decided_by"]
    search_fields = ["application__number", "application__name"]


class IndicatorInline(admin.TabularInline[Indicator, IndicatorSystem]):
    model = Indicator
    extra = 0
    can_delete = False
    fields = ["order", "dimension", "code", "name", "max_points", "guidance"]
    readonly_fields = ["order", "dimension", "code", "name", "max_points", "guidance"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IndicatorSystem)
class IndicatorSystemAdmin(ReadOnlyModelAdmin):
    list_display = ["call", "version", "name", "is_default", "created_by", "created_at"]
    list_select_related = ["call__programme", "created_by"]
    inlines = [IndicatorInline]


@admin.register(ExpertProfile)
class ExpertProfileAdmin(ReadOnlyModelAdmin):
    list_display = ["user", "fields", "organization", "active"]
    list_filter = ["active"]
    list_select_related = ["user__jurisdiction"]
    search_fields = ["user__username", "user__last_name", "fields", "organization"]


@admin.register(DeclaredRelation)
class DeclaredRelationAdmin(ReadOnlyModelAdmin):
    list_display = ["expert", "county", "note", "declared_at"]
    list_select_related = ["expert__jurisdiction", "county"]
    search_fields = ["expert__username", "county__code", "county__name"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyModelAdmin):
    list_display = ["application", "expert", "due_on", "conflict_declared", "submitted_at", "reminded_at"]
    list_filter = ["conflict_declared"]
    list_select_related = ["application", "expert__jurisdiction"]
    search_fields = ["application__number", "expert__username"]


@admin.register(Score)
class ScoreAdmin(ReadOnlyModelAdmin):
    list_display = ["assignment", "indicator", "points"]
    list_select_related = ["assignment__application", "assignment__expert__jurisdiction", "indicator"]
    search_fields = ["assignment__application__number", "indicator__code"]


@admin.register(Shortlist)
class ShortlistAdmin(ReadOnlyModelAdmin):
    list_display = ["call", "content_hash", "confirmed_by", "confirmed_at"]
    list_select_related = ["call__programme", "confirmed_by"]
