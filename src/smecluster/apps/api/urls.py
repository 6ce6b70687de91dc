from django.urls import path

from smecluster.apps.api import views

app_name = "tokens"
urlpatterns = [
    path("accounts/security/tokens/", views.tokens, name="list"),
    path("accounts/security/tokens/<int:pk>/revoke/", views.token_revoke_view, name="revoke"),
    path("collection/", views.collection_receipts, name="collection"),
]
