from django.urls import path

from smecluster.apps.jobs import views

app_name = "jobs"
urlpatterns = [
    path("jobs/start/", views.start, name="start"),
    path("jobs/<int:pk>/", views.detail, name="detail"),
    path("jobs/<int:pk>/result", views.result, name="result"),
]
