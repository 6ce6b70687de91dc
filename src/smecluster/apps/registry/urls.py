from django.urls import path

from smecluster.apps.registry import management_views as managed
from smecluster.apps.registry import views

app_name = "registry"
urlpatterns = [
    # the owner's pages (login)
    path("calls/<int:call_pk>/recognition/", views.recognition, name="recognition"),
    path("calls/<int:call_pk>/recognition.pdf", views.notice_pdf, name="notice_pdf"),
    path("clusters/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    # dynamic management (login): a cluster's record, plan targets, annual reports, re-reviews
    path("clusters/<int:pk>/", managed.cluster_record, name="cluster"),
    path("clusters/<int:pk>/targets/", managed.plan_target_add, name="plan_target_add"),
    path("plan-targets/<int:pk>/", managed.plan_target_edit, name="plan_target_edit"),
    path("plan-targets/<int:pk>/delete/", managed.plan_target_delete, name="plan_target_delete"),
    path("annual-reports/", managed.report_list_view, name="report_list"),
    path("annual-reports/<int:pk>/", managed.report_detail, name="report_detail"),
    path("annual-reports/<int:pk>/edit/<str:section>/", managed.report_edit, name="report_edit"),
    path("annual-reports/<int:pk>/evidence/", managed.report_evidence_upload, name="report_evidence_upload"),
    path("annual-reports/<int:pk>/do/<str:action>/", managed.report_act, name="report_act"),
    path("annual-reports/<int:pk>/workbook.xlsx", managed.report_workbook, name="report_workbook"),
    path(
        "annual-reports/<int:pk>/workbook/upload/",
        managed.report_workbook_upload,
        name="report_workbook_upload",
    ),
    path(
        "annual-report-evidence/<int:pk>/", managed.report_evidence_download, name="report_evidence_download"
    ),
    path(
        "annual-report-evidence/<int:pk>/delete/",
        managed.report_evidence_delete,
        name="report_evidence_delete",
    ),
    path("re-reviews/", managed.re_review_list, name="re_review_list"),
    path("re-reviews/<int:pk>/", managed.re_review_detail, name="re_review_detail"),
    path("re-reviews/<int:pk>/statement/", managed.re_review_save, name="re_review_save"),
    path("re-reviews/<int:pk>/do/<str:action>/", managed.re_review_act, name="re_review_act"),
    path(
        "re-reviews/<int:pk>/evidence/", managed.re_review_evidence_upload, name="re_review_evidence_upload"
    ),
    path(
        "re-review-evidence/<int:pk>/",
        managed.re_review_evidence_download,
        name="re_review_evidence_download",
    ),
    path(
        "re-review-evidence/<int:pk>/delete/",
        managed.re_review_evidence_delete,
        name="re_review_evidence_delete",
    ),
    # the public's pages (no login)
    path("public/clusters/", views.public_list, name="public_list"),
    path("public/clusters/<int:pk>/", views.public_detail, name="public_detail"),
]
