from django.urls import path

from smecluster.apps.reviews import views

app_name = "reviews"
urlpatterns = [
    path("applications/<int:pk>/accept/", views.accept, name="accept"),
    path("applications/<int:pk>/return/", views.return_, name="return"),
    path("applications/<int:pk>/initial-review/", views.initial_review, name="initial_review"),
    path("applications/<int:pk>/spot-check/", views.spot_check, name="spot_check"),
    path("applications/<int:pk>/recommend/", views.recommend, name="recommend"),
    path("applications/<int:pk>/history/", views.history, name="history"),
    path("applications/<int:pk>/versions/", views.versions, name="versions"),
]
