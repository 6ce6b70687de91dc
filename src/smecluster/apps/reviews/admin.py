"""The city's review records in the admin: read-only, written only by ``reviews.services``."""

from __future__ import annotations

from django.contrib import admin

from smecluster.apps.audit.admin import ReadOnlyModelAdmin
from smecluster.apps.reviews.models import InitialReview, Recommendation, SpotCheck


@admin.register(InitialReview)
class InitialReviewAdmin(ReadOnlyModelAdmin):
    list_display = ["application", "reviewer", "version_number", "at"]
    list_select_related = ["application", "reviewer"]
    search_fields = ["application__number", "application__name"]


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnlyModelAdmin):
    list_display = ["application", "checked_on", "inspectors", "conclusion", "recorded_by"]
    list_filter = ["conclusion"]
    list_select_related = ["application", "recorded_by"]
    search_fields = ["application__number", "application__name", "inspectors"]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyModelAdmin):
    list_display = ["application", "recommended", "decided_by", "at"]
    list_filter = ["recommended"]
    list_select_related = ["application", "decided_by"]
    search_fields = ["application__number", "application__name"]
