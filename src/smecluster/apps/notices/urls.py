from django.urls import path

from smecluster.apps.notices import views

app_name = "notices"
urlpatterns = [
    # the owner's pages (login)
    path("notices/", views.owner_list, name="list"),
    path("calls/<int:call_pk>/notice/new/", views.publish, name="publish"),
    path("notices/<int:pk>/", views.manage, name="manage"),
    path("objections/<int:pk>/", views.objection, name="objection"),
    path("objections/files/<int:pk>/", views.objection_file_download, name="objection_file"),
    # the public's pages (no login)
    path("public/notices/", views.public_list, name="public_list"),
    path("public/notices/<int:pk>/", views.public_detail, name="public_detail"),
    path("public/notices/<int:pk>/notice.pdf", views.public_pdf, name="public_pdf"),
    path("public/objections/outcome/", views.objection_lookup, name="objection_lookup"),
    path("public/objections/finding-files/<str:token>/", views.finding_file_download, name="finding_file"),
    path("public/objections/<str:reference>/", views.objection_ack, name="objection_ack"),
]
