"""Notices and objections in the admin: read-only. They are published, filed and resolved only through the
services (``notices.services``), which check permission and the notice period and write the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from smecluster.apps.audit.admin import ReadOnlyModelAdmin
from smecluster.apps.notices.models import Notice, Objection, ObjectionFile

if TYPE_CHECKING:  # the admin's classes are generic in the stubs only (no django_stubs_ext.monkeypatch)
    _FileInline = admin.TabularInline[ObjectionFile, Objection]
else:
    _FileInline = admin.TabularInline


class ObjectionFileInline(_FileInline):
    model = ObjectionFile
    extra = 0
    can_delete = False
    fields = ("original_name", "content_type", "size", "sha256")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
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
