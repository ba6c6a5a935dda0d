from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("log/", views.log, name="log"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/", views.member, name="member"),
    path("members/<int:pk>/sanction/", views.sanction, name="sanction"),
    path("members/<int:pk>/trust/", views.trust, name="trust"),
    path("m/<int:pk>/flag/", views.flag, name="flag"),
    path("m/<int:pk>/decide/", views.decide, name="decide"),
    path("m/<int:pk>/edit/", views.edit, name="edit"),
    path("m/<int:pk>/history/", views.history, name="history"),
    path("t/<int:pk>/move/", views.move, name="move"),
    path("t/<int:pk>/state/", views.topic_state, name="topic_state"),
]
