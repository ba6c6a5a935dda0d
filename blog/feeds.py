"""Atom and RSS feeds: the whole blog, one label, and one post's comments."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from conversations.access import get_conversation_for_user
from conversations.models import Conversation, Label, Message, Moderation

FEED_SIZE = 30


def _posts():
    opening = Message.objects.filter(conversation=OuterRef("pk"), is_opening=True)
    return (
        Conversation.objects.published()
        .blog()
        .select_related("author")
        .prefetch_related("labels")
        .annotate(body_html=Subquery(opening.values("body_html")[:1]))
        .order_by("-published_at", "-id")
    )


class PostFeed(Feed):
    feed_type = Rss201rev2Feed

    def title(self, obj=None):
        return settings.SITE_NAME if obj is None else f"{settings.SITE_NAME}: {obj.name}"

    def link(self, obj=None):
        return "/" if obj is None else obj.get_absolute_url()

    def description(self, obj=None):
        return f"News, known issues and updates from {settings.SITE_NAME}"

    def items(self, obj=None):
        posts = _posts()
        if obj is not None:
            posts = posts.filter(labels=obj)
        return posts[:FEED_SIZE]

    def item_title(self, item):
        prefix = "Known issue: " if item.kind == "known_issue" else ""
        return prefix + item.title

    def item_description(self, item):
        return item.body_html

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author.display_name

    def item_categories(self, item):
        return [label.name for label in item.labels.all()]


class AtomPostFeed(PostFeed):
    feed_type = Atom1Feed
    subtitle = PostFeed.description


class LabelFeed(PostFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Label, slug=slug)


class AtomLabelFeed(LabelFeed):
    feed_type = Atom1Feed
    subtitle = PostFeed.description


class CommentFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, slug):
        return get_conversation_for_user(request.user, slug)

    def title(self, obj):
        return f"Comments on {obj.title}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"Comments on “{obj.title}” at {settings.SITE_NAME}"

    def items(self, obj):
        return (
            obj.messages.filter(moderation=Moderation.VISIBLE, internal=False, is_opening=False)
            .select_related("author", "conversation")
            .order_by("-created_at", "-id")[:FEED_SIZE]
        )

    def item_title(self, item):
        return f"{item.author.display_name} on {item.conversation.title}"

    def item_description(self, item):
        return item.body_html

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return item.author.display_name


class AtomCommentFeed(CommentFeed):
    feed_type = Atom1Feed
    subtitle = CommentFeed.description
