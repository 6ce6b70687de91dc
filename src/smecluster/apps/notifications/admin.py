"""Notifications in the admin: read-only (they are written by the services that change records)."""

from __future__ import annotations

from django.contrib import admin

from smecluster.apps.audit.admin import ReadOnlyModelAdmin
from smecluster.apps.notifications.models import MailDelivery, Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyModelAdmin):
    list_display = ["recipient", "text", "created_at", "read_at"]
    list_filter = ["read_at"]
    list_select_related = ["recipient"]
    search_fields = ["text", "recipient__username"]


@admin.register(MailDelivery)
class MailDeliveryAdmin(ReadOnlyModelAdmin):
    """Every mail the platform sent or failed to send, with the server's reason: the platform admin looks
    here when someone says a reminder never came. Failed ones are tried again by ``smecluster tick``."""

    list_display = ["created_at", "address", "subject", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["recipient"]
    search_fields = ["address", "subject", "recipient__username"]
    date_hierarchy = "created_at"
