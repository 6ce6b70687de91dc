from django.urls import path

from smecluster.apps.applications import views, workbook_views

app_name = "applications"
urlpatterns = [
    path("applications/", views.application_list_view, name="list"),
    path("applications/export.csv", views.application_export, name="export"),
    path("applications/new/", views.application_new, name="new"),
    path("applications/<int:pk>/", views.application_detail, name="detail"),
    path("applications/<int:pk>/operators/", views.application_operators, name="operators"),
    path("applications/<int:pk>/edit/<str:section>/", views.application_edit, name="edit"),
    path("applications/<int:pk>/eligibility/", views.application_eligibility, name="eligibility"),
    path("applications/<int:pk>/submit/", views.application_submit_view, name="submit"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw_view, name="withdraw"),
    path("applications/<int:pk>/pdf/", views.application_pdf, name="pdf"),
    path("applications/<int:pk>/form.xlsx", workbook_views.application_workbook, name="workbook"),
    path(
        "applications/<int:pk>/form/upload/",
        workbook_views.application_workbook_upload,
        name="workbook_upload",
    ),
    path("applications/<int:pk>/evidence/<str:section>/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
]
