from django.urls import path

from smecluster.apps.registry.views import (
    annual_reports,
    assessments,
    clusters,
    plan_targets,
    public,
    re_reviews,
    recognition,
    register,
)

app_name = "registry"
urlpatterns = [
    # the owner's pages (login)
    path("calls/<int:call_pk>/recognition/", recognition.recognition, name="recognition"),
    path("calls/<int:call_pk>/recognition.pdf", recognition.notice_pdf, name="notice_pdf"),
    path("clusters/<int:pk>/certificate.pdf", recognition.certificate, name="certificate"),
    # the register of past recognitions (login; the programme owner's office)
    path("register/", register.register_home, name="register_home"),
    path("register/template.xlsx", register.register_template, name="register_template"),
    path("register/programmes/<int:pk>/", register.register_programme, name="register_programme"),
    path("register/imports/<int:pk>/", register.register_import_detail, name="register_import_detail"),
    path("register/imports/<int:pk>/file/", register.register_import_file, name="register_import_file"),
    # dynamic management (login): a cluster's record, plan targets, annual reports, re-reviews
    path("clusters/<int:pk>/", clusters.cluster_record, name="cluster"),
    path("clusters/<int:pk>/operators/", clusters.cluster_operators, name="cluster_operators"),
    path("clusters/<int:pk>/targets/", plan_targets.plan_target_add, name="plan_target_add"),
    path("plan-targets/<int:pk>/", plan_targets.plan_target_edit, name="plan_target_edit"),
    path("plan-targets/<int:pk>/delete/", plan_targets.plan_target_delete, name="plan_target_delete"),
    path("annual-reports/", annual_reports.report_list_view, name="report_list"),
    path("annual-reports/<int:pk>/", annual_reports.report_detail, name="report_detail"),
    path("annual-reports/<int:pk>/edit/<str:section>/", annual_reports.report_edit, name="report_edit"),
    path(
        "annual-reports/<int:pk>/evidence/",
        annual_reports.report_evidence_upload,
        name="report_evidence_upload",
    ),
    path("annual-reports/<int:pk>/do/<str:action>/", annual_reports.report_act, name="report_act"),
    path("annual-reports/<int:pk>/workbook.xlsx", annual_reports.report_workbook, name="report_workbook"),
    path(
        "annual-reports/<int:pk>/workbook/upload/",
        annual_reports.report_workbook_upload,
        name="report_workbook_upload",
    ),
    path(
        "annual-report-evidence/<int:pk>/",
        annual_reports.report_evidence_download,
        name="report_evidence_download",
    ),
    path(
        "annual-report-evidence/<int:pk>/delete/",
        annual_reports.report_evidence_delete,
        name="report_evidence_delete",
    ),
    path("assessments/", assessments.assessment_list_view, name="assessment_list"),
    path("clusters/<int:pk>/assessments/<int:year>/", assessments.assessment_page, name="assessment"),
    path("re-reviews/", re_reviews.re_review_list, name="re_review_list"),
    path("re-reviews/<int:pk>/", re_reviews.re_review_detail, name="re_review_detail"),
    path("re-reviews/<int:pk>/statement/", re_reviews.re_review_save, name="re_review_save"),
    path("re-reviews/<int:pk>/do/<str:action>/", re_reviews.re_review_act, name="re_review_act"),
    path(
        "re-reviews/<int:pk>/evidence/",
        re_reviews.re_review_evidence_upload,
        name="re_review_evidence_upload",
    ),
    path(
        "re-review-evidence/<int:pk>/",
        re_reviews.re_review_evidence_download,
        name="re_review_evidence_download",
    ),
    path(
        "re-review-evidence/<int:pk>/delete/",
        re_reviews.re_review_evidence_delete,
        name="re_review_evidence_delete",
    ),
    # the public's pages (no login)
    path("public/clusters/", public.public_list, name="public_list"),
    path("public/clusters/<int:pk>/", public.public_detail, name="public_detail"),
]
