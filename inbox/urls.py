from django.urls import path

from inbox import views

app_name = "inbox"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("messages/<int:pk>/reply/", views.reply, name="reply"),
    path("messages/<int:pk>/no-reply/", views.no_reply, name="no_reply"),
    path("messages/<int:pk>/approve/", views.approve, name="approve"),
    path("messages/<int:pk>/remove/", views.remove, name="remove"),
]
