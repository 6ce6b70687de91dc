from django.urls import path

from smecluster.apps.accounts import single_sign_on_views

app_name = "single_sign_on"
urlpatterns = [
    path("start/", single_sign_on_views.SignOnStart.as_view(), name="start"),
    path("callback/", single_sign_on_views.SignOnReturn.as_view(), name="callback"),
]
