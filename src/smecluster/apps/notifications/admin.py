"""Notifications in the admin: read-only (they are written by the services that change records)."""

from __future__ import annotations

from django.contrib import admin

from smecluster.apps.audit.admin import ReadOnlyModelAdmin
from smecluster.apps.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyModelAdmin):
    list_display = ["recipient", "text", "created_at", "read_at"]
    list_filter = ["read_at"]
    list_select_related = ["recipient"]
    search_fields = ["text", "recipient__username"]
