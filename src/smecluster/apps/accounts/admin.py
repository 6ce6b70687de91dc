"""People and jurisdictions in the admin. Jurisdictions are reference data (GB/T 2260): read-only."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import Jurisdiction, User
from smecluster.apps.audit.admin import AuditedModelAdmin, ReadOnlyModelAdmin


@admin.register(Jurisdiction)
class JurisdictionAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin[User]):
    list_display = ["username", "get_full_name", "role", "jurisdiction", "organization", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "organization", "jurisdiction__name"]
    autocomplete_fields = ["jurisdiction"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("角色与辖区"), {"fields": ("role", "jurisdiction", "organization", "phone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("角色与辖区"), {"fields": ("role", "jurisdiction", "organization", "phone")}),
    )
