"""Programmes, calls and the cultivation pool in the admin: a back-up to the province's pages, audited."""

from __future__ import annotations

from django.contrib import admin

from smecluster.apps.audit.admin import AuditedModelAdmin
from smecluster.apps.programmes.models import PoolEntry, Programme, YearlyCall

CALL_COLUMNS = ("year", "opens_on", "closes_on", "city_deadline", "province_deadline", "quota")


class YearlyCallInline(admin.TabularInline[YearlyCall, Programme]):
    model = YearlyCall
    extra = 0
    show_change_link = True
    # Calls are edited on their own page so that each save is audited.
    fields = CALL_COLUMNS
    readonly_fields = CALL_COLUMNS

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Programme)
class ProgrammeAdmin(AuditedModelAdmin):
    list_display = ["name", "owner_level", "owner", "rule_set_id", "quota_per_unit", "pool_required"]
    list_filter = ["owner_level", "rule_set_id", "pool_required"]
    search_fields = ["name"]
    autocomplete_fields = ["owner"]
    inlines = [YearlyCallInline]


@admin.register(YearlyCall)
class YearlyCallAdmin(AuditedModelAdmin):
    list_display = ["programme", "year", "opens_on", "closes_on", "city_deadline", "quota"]
    list_filter = ["programme", "year"]
    list_select_related = ["programme"]


@admin.register(PoolEntry)
class PoolEntryAdmin(AuditedModelAdmin):
    list_display = ["name", "city", "county", "leading_industry", "added_on"]
    list_filter = ["city"]
    search_fields = ["name", "leading_industry"]
    autocomplete_fields = ["city", "county"]
