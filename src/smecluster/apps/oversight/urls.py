from django.urls import path

from smecluster.apps.oversight import views

app_name = "oversight"
urlpatterns = [
    path("oversight/clusters/", views.cluster_list, name="clusters"),
    path("oversight/incidents/", views.incident_list, name="incidents"),
    path("oversight/changes/", views.change_list, name="changes"),
    path("clusters/<int:pk>/timeline/", views.timeline, name="timeline"),
    path("clusters/<int:pk>/changes/new/", views.change_new, name="change_new"),
    path("clusters/<int:pk>/changes/found/", views.change_found, name="change_found"),
    path("changes/<int:pk>/", views.change_detail, name="change_detail"),
    path("clusters/<int:pk>/incidents/new/", views.incident_new, name="incident_new"),
    path("revocations/", views.revocation_list, name="revocations"),
    path("clusters/<int:pk>/revocations/new/", views.revocation_new, name="revocation_new"),
    path("revocations/<int:pk>/", views.revocation_detail, name="revocation_detail"),
    path("oversight/evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
