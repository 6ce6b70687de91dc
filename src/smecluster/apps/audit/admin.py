"""Audit events in the admin: readable and searchable, never added, changed or deleted (append-only).

:class:`AuditedModelAdmin` is the base of every admin that may change records: an edit made in the admin
is a change like any other and writes its audit event in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest

from smecluster.apps.audit import actions
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.audit.services import audit_record


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, models.QuerySet):
        return [str(item.pk) for item in value]
    return str(value)


class AuditedModelAdmin(admin.ModelAdmin[Any]):
    """Saves and deletions made in the admin write an ``admin.add|change|delete`` audit event (the row's
    model is the event's target type)."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm[Any], change: bool) -> None:
        # Never a password, not even hashed: the event says that it changed, not what to.
        changed = [field for field in form.changed_data if "password" not in field]
        before = {field: _plain(form.initial.get(field)) for field in changed} if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action=actions.ADMIN_CHANGE if change else actions.ADMIN_ADD,
                target=obj,
                before=before,
                after={field: _plain(form.cleaned_data.get(field)) for field in changed},
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action=actions.ADMIN_DELETE,
                target=obj,
                before={"repr": str(obj)},
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        # One event per row, like deleting them one by one.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


class ReadOnlyModelAdmin(admin.ModelAdmin[Any]):
    """Records that only a service may write (workflow state, review records): the admin shows them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "actor", "role", "jurisdiction", "action", "target_type", "target_id", "reason"]
    list_filter = ["action", "role", "target_type"]
    search_fields = ["target_id", "request_id", "reason", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
