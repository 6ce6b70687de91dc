from django.urls import path

from smecluster.apps.yearly_data import views

app_name = "yearly_data"
urlpatterns = [
    path("platform/yearly-data/", views.index, name="index"),
    path("platform/yearly-data/<str:kind>/preview/", views.preview, name="preview"),
    path("platform/yearly-data/<str:kind>/load/", views.load, name="load"),
]
