from django.urls import path

from smecluster.apps.programmes import views

app_name = "programmes"
urlpatterns = [
    path("programmes/", views.programme_list, name="list"),
    path("programmes/new/", views.programme_new, name="new"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="edit"),
    path("programmes/<int:pk>/calls/new/", views.call_new, name="call_new"),
    path("calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
    path("pool/", views.pool, name="pool"),
    path("pool/export.csv", views.pool_export, name="pool_export"),
    path("pool/add/", views.pool_add, name="pool_add"),
    path("pool/<int:pk>/remove/", views.pool_remove, name="pool_remove"),
    path("zones/", views.zone_list, name="zones"),
    path("zones/new/", views.zone_new, name="zone_new"),
    path("zones/<int:pk>/edit/", views.zone_edit, name="zone_edit"),
]
