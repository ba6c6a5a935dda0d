from django.urls import path

from community import faq_views, idea_views, views

app_name = "community"

urlpatterns = [
    path("", views.home, name="home"),
    path("discussions/", views.discussions, name="discussions"),
    path("questions/", views.questions, name="questions"),
    path("new/<str:kind>/", views.new_topic, name="new_topic"),
    path("suggest/", views.suggest, name="suggest"),
    path("t/<slug:slug>/", views.topic, name="topic"),
    path("t/<slug:slug>/reply/", views.reply, name="reply"),
    path("t/<slug:slug>/updates/", views.updates, name="updates"),
    path("t/<slug:slug>/accept/", views.accept, name="accept"),
    path("t/<slug:slug>/follow/", views.follow, name="follow"),
    # Ideas: votes, statuses, merging, the roadmap (docs/ideas.md).
    path("ideas/", idea_views.ideas, name="ideas"),
    path("ideas/my-votes/", idea_views.my_votes, name="my_votes"),
    path("roadmap/", idea_views.roadmap, name="roadmap"),
    path("t/<slug:slug>/vote/", idea_views.vote, name="vote"),
    path("t/<slug:slug>/status/", idea_views.set_status, name="idea_status"),
    path("t/<slug:slug>/merge/", idea_views.merge, name="idea_merge"),
    # The FAQ (docs/faq.md).
    path("faq/", faq_views.faq, name="faq"),
    path("faq/new/", faq_views.new_entry, name="faq_new"),
    path("faq/<slug:slug>/", faq_views.entry, name="faq_entry"),
    path("faq/<slug:slug>/edit/", faq_views.edit_entry, name="faq_edit"),
    path("t/<slug:slug>/promote/", faq_views.promote, name="faq_promote"),
]
