from django.urls import path

from smecluster.apps.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("monitoring/", views.dashboard, name="dashboard"),
    path("monitoring/report/", views.report, name="report"),
    path("monitoring/report.<str:format>", views.report_file, name="report_file"),
]
