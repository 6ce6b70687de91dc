from django.urls import path

from smecluster.apps.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.notification_read_all, name="read_all"),
]
