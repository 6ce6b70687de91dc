from django.urls import path

from smecluster.apps.rosters import views

app_name = "rosters"
urlpatterns = [
    path("rosters/", views.roster_list_view, name="list"),
    path("rosters/template.xlsx", views.roster_template, name="template"),
    path("rosters/versions/<int:pk>/", views.version_detail, name="version"),
    path("applications/<int:pk>/roster/", views.application_roster, name="application"),
    path("clusters/<int:pk>/roster/", views.cluster_roster, name="cluster"),
]
