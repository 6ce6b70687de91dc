from django.urls import path

from smecluster.apps.discovery import views

app_name = "discovery"
urlpatterns = [
    path("discovery/", views.index, name="index"),
    path("discovery/datasets/upload/", views.dataset_upload, name="dataset_upload"),
    path("discovery/datasets/template.csv", views.dataset_template, name="dataset_template"),
    path("discovery/datasets/register/", views.dataset_register, name="dataset_register"),
    path("discovery/datasets/<int:pk>/", views.dataset_detail, name="dataset"),
    path("discovery/datasets/<int:pk>/prepare/", views.dataset_prepare, name="dataset_prepare"),
    path(
        "discovery/datasets/<int:pk>/rejected-sample.csv",
        views.dataset_rejected_sample,
        name="dataset_rejected_sample",
    ),
    path("discovery/runs/new/", views.run_new, name="run_new"),
    path("discovery/runs/<int:pk>/", views.run_detail, name="run"),
    path("discovery/runs/<int:pk>/pool/", views.run_pool, name="run_pool"),
    path(
        "discovery/runs/<int:pk>/candidates/<int:rank>/firms/",
        views.candidate_firms,
        name="candidate_firms",
    ),
]
