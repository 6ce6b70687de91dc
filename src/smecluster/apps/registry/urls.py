from django.urls import path

from smecluster.apps.registry import views

app_name = "registry"
urlpatterns = [
    # the owner's pages (login)
    path("calls/<int:call_pk>/recognition/", views.recognition, name="recognition"),
    path("calls/<int:call_pk>/recognition.pdf", views.notice_pdf, name="notice_pdf"),
    path("clusters/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    # the public's pages (no login)
    path("public/clusters/", views.public_list, name="public_list"),
    path("public/clusters/<int:pk>/", views.public_detail, name="public_detail"),
]
