"""Recognized clusters and their dynamic management in the admin: read-only. A cluster is created only by
recognition (``registry.services.recognition``); plan targets, annual reports and re-reviews only by their
services (``plan_targets``, ``annual_reports``, ``re_reviews``), which check permission and write the audit
trail."""

from __future__ import annotations

from django.contrib import admin

from smecluster.apps.audit.admin import ReadOnlyModelAdmin
from smecluster.apps.registry.models import AnnualReport, ClusterPlanTarget, RecognizedCluster, ReReview


@admin.register(RecognizedCluster)
class RecognizedClusterAdmin(ReadOnlyModelAdmin):
    list_display = ["number", "name", "county", "leading_industry", "year", "valid_until", "status"]
    list_filter = ["status", "year", "programme"]
    search_fields = ["number", "name", "leading_industry", "county__name"]
    list_select_related = ["county", "programme"]


@admin.register(ClusterPlanTarget)
class ClusterPlanTargetAdmin(ReadOnlyModelAdmin):
    list_display = ["cluster", "metric", "baseline_year", "baseline_value", "target_value", "target_year"]
    search_fields = ["cluster__number", "cluster__name"]
    list_select_related = ["cluster"]


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnlyModelAdmin):
    list_display = ["cluster", "year", "due_on", "status", "forwarded_at", "late", "overdue_flagged_on"]
    list_filter = ["status", "year", "late"]
    search_fields = ["cluster__number", "cluster__name"]
    list_select_related = ["cluster"]


@admin.register(ReReview)
class ReReviewAdmin(ReadOnlyModelAdmin):
    list_display = ["cluster", "period_valid_until", "status", "outcome", "decided_on", "new_valid_until"]
    list_filter = ["status", "outcome"]
    search_fields = ["cluster__number", "cluster__name"]
    list_select_related = ["cluster"]
