from django.urls import path

from listening import alert_urls, views

app_name = "listening"

urlpatterns = [
    path("", views.mentions, name="mentions"),
    path("sources/", views.sources, name="sources"),
    path("sources/new/", views.source_form, name="source_new"),
    path("sources/<int:pk>/", views.source_form, name="source_edit"),
    path("sources/<int:pk>/pause/", views.source_active, {"active": False}, name="source_pause"),
    path("sources/<int:pk>/resume/", views.source_active, {"active": True}, name="source_resume"),
    path("sources/<int:pk>/test/", views.source_test, name="source_test"),
    path("queries/", views.queries, name="queries"),
    path("queries/new/", views.query_form, name="query_new"),
    path("queries/<int:pk>/", views.query_form, name="query_edit"),
    path("messages/<int:pk>/answered/", views.answered, name="answered"),
    *alert_urls.urlpatterns,
]
