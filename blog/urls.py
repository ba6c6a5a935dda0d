from django.urls import path

from blog import feeds, staff, views

app_name = "blog"

urlpatterns = [
    path("", views.home, name="home"),
    path("known-issues/", views.known_issues, name="known_issues"),
    path("posts/<slug:slug>/", views.post, name="post"),
    path("posts/<slug:slug>/comment/", views.comment, name="comment"),
    path("posts/<slug:slug>/subscribe/", views.subscribe, name="subscribe"),
    path("posts/<slug:slug>/comments/atom/", feeds.AtomCommentFeed(), name="comments_atom"),
    path("posts/<slug:slug>/comments/rss/", feeds.CommentFeed(), name="comments_rss"),
    path("m/<int:pk>/", views.message_permalink, name="message"),
    path("labels/<slug:slug>/", views.label, name="label"),
    path("labels/<slug:slug>/feed/atom/", feeds.AtomLabelFeed(), name="label_atom"),
    path("labels/<slug:slug>/feed/rss/", feeds.LabelFeed(), name="label_rss"),
    path("departments/<slug:slug>/", views.category, name="category"),
    path("feed/atom/", feeds.AtomPostFeed(), name="atom"),
    path("feed/rss/", feeds.PostFeed(), name="rss"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("staff/posts/new/", staff.new_post, name="new_post"),
    path("staff/posts/similar/", staff.similar_posts, name="similar_posts"),
    path("staff/posts/<slug:slug>/edit/", staff.edit_post, name="edit_post"),
    path("staff/posts/<slug:slug>/update/", staff.add_update, name="add_update"),
]
