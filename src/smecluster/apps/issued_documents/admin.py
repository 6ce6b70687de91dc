"""Issued documents in the admin: read-only (the worker writes them). The platform admin looks here when a
download keeps showing 正在生成 (is the worker running?) or failed (the reason is in the log)."""

from __future__ import annotations

from django.contrib import admin

from smecluster.apps.audit.admin import ReadOnlyModelAdmin
from smecluster.apps.issued_documents.models import IssuedDocument


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyModelAdmin):
    list_display = ["key", "file_name", "requested_at", "rendered_at", "size", "sha256", "error"]
    list_filter = ["kind"]
    search_fields = ["key", "file_name", "sha256"]
    date_hierarchy = "requested_at"
