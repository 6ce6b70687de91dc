"""Notices and objections in the admin: read-only. They are published, filed and resolved only through the
services (``notices.services``), which check permission and the notice period and write the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from smecluster.apps.audit.admin import ReadOnlyModelAdmin
from smecluster.apps.notices.models import Notice, Objection, ObjectionFile


class ObjectionFileInline(admin.TabularInline[ObjectionFile, Objection]):
    model = ObjectionFile
    extra = 0
    can_delete = False
    fields = ("kind", "original_name", "content_type", "size", "sha256")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyModelAdmin):
    list_display = ["title", "starts_on", "ends_on", "working_days", "published_by", "published_at"]
    list_select_related = ["published_by"]
    search_fields = ["title"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyModelAdmin):
    list_display = ["reference", "notice", "application", "real_name", "status", "upheld", "filed_at"]
    list_filter = ["status", "upheld", "notice"]
    search_fields = ["reference", "real_name", "organization", "application__name"]
    list_select_related = ["notice", "application"]
    inlines = [ObjectionFileInline]
