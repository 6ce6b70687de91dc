from django.urls import path

from smecluster.apps.selection import views

app_name = "selection"
urlpatterns = [
    path("selection/", views.calls, name="calls"),
    path("calls/<int:call_pk>/selection-settings/", views.call_settings, name="settings"),
    path("calls/<int:call_pk>/screening/", views.screening, name="screening"),
    path("calls/<int:call_pk>/screening/pass-unflagged/", views.screen_batch, name="screen_batch"),
    path("applications/<int:pk>/screen/", views.screen, name="screen"),
    path("calls/<int:call_pk>/indicators/", views.indicators, name="indicators"),
    path("calls/<int:call_pk>/indicators/create/", views.indicators_create, name="indicators_create"),
    path("experts/", views.experts, name="experts"),
    path("experts/relations/", views.relations, name="relations"),
    path("experts/<int:user_pk>/edit/", views.expert_edit, name="expert_edit"),
    path("calls/<int:call_pk>/assignments/", views.assignments, name="assignments"),
    path("calls/<int:call_pk>/assignments/suggested/", views.assign_suggested, name="assign_suggested"),
    path("applications/<int:pk>/assign/", views.assign, name="assign"),
    path("assignments/<int:pk>/remove/", views.unassign, name="unassign"),
    path("reviews/mine/", views.my_reviews, name="my_reviews"),
    path("assignments/<int:pk>/score/", views.score, name="score"),
    path("applications/<int:pk>/scores/", views.application_scores, name="application_scores"),
    path("calls/<int:call_pk>/ranking/", views.ranking, name="ranking"),
    path("calls/<int:call_pk>/ranking/confirm/", views.confirm, name="shortlist_confirm"),
    path("calls/<int:call_pk>/shortlist/", views.shortlist, name="shortlist"),
]
