from django.urls import include, path

from inbox import views

app_name = "inbox"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("topics/", views.topics, name="topics"),
    path("conversations/<int:pk>/", views.conversation, name="conversation"),
    path("conversations/<int:pk>/reply/", views.conversation_reply, name="conversation_reply"),
    path("conversations/<int:pk>/note/", views.conversation_note, name="conversation_note"),
    path("conversations/<int:pk>/desk/", views.conversation_desk, name="conversation_desk"),
    path(
        "conversations/<int:pk>/resolve/", views.conversation_resolve, name="conversation_resolve"
    ),
    path("conversations/<int:pk>/reopen/", views.conversation_reopen, name="conversation_reopen"),
    path("conversations/<int:pk>/merge/", views.conversation_merge, name="conversation_merge"),
    path("queue/bulk/", views.bulk, name="bulk"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("", include("inbox.canned_urls")),
    path("", include("inbox.people_urls")),
    path("queue/messages/<int:pk>/reply/", views.reply, name="reply"),
    path("queue/messages/<int:pk>/no-reply/", views.no_reply, name="no_reply"),
    path("queue/messages/<int:pk>/approve/", views.approve, name="approve"),
    path("queue/messages/<int:pk>/remove/", views.remove, name="remove"),
]
