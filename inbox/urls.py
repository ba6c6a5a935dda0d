from django.urls import path

from inbox import views

app_name = "inbox"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("topics/", views.topics, name="topics"),
    path("queue/messages/<int:pk>/reply/", views.reply, name="reply"),
    path("queue/messages/<int:pk>/no-reply/", views.no_reply, name="no_reply"),
    path("queue/messages/<int:pk>/approve/", views.approve, name="approve"),
    path("queue/messages/<int:pk>/remove/", views.remove, name="remove"),
]
