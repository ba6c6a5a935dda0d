"""The inbox is a query, not a copy: customer messages awaiting a response."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from conversations import targets
from conversations.models import Message, ResponseState, Sentiment, Topic

VIEWS = {
    "all": "All waiting",
    "mine": "Mine",
    "unassigned": "Unassigned",
    "due": "Due soon",
    "negative": "Negative",
    "snoozed": "Snoozed",
}


def awaiting(view: str = "all", *, user=None, channel: str = ""):
    """Customer messages waiting for a response: most urgent first, then the longest-waiting.

    Snoozed conversations stay out of every view but "snoozed" until their time comes.
    """
    now = timezone.now()
    queryset = Message.objects.filter(response_state=ResponseState.AWAITING)
    awake = Q(conversation__snoozed_until__isnull=True) | Q(conversation__snoozed_until__lte=now)
    if view == "snoozed":
        queryset = queryset.filter(conversation__snoozed_until__gt=now)
    else:
        queryset = queryset.filter(awake)
    if view == "mine" and user is not None:
        queryset = queryset.filter(conversation__assignee=user)
    elif view == "unassigned":
        queryset = queryset.filter(conversation__assignee__isnull=True)
    elif view == "negative":
        queryset = queryset.filter(sentiment=Sentiment.NEGATIVE)
    elif view == "due":
        horizon = now + timedelta(seconds=targets.warning_seconds())
        queryset = queryset.filter(due_at__lte=horizon).order_by("due_at", "id")
    if channel:
        queryset = queryset.filter(channel=channel)
    if view != "due":
        queryset = queryset.order_by("-conversation__priority", "created_at", "id")
    return queryset.select_related("author", "conversation__assignee__person", "reply_to__author")


def topic_table():
    """Largest topics first, each with its negative share and latest message, in one query."""
    return (
        Topic.objects.filter(size__gt=0)
        .annotate(
            negative=Count("messages", filter=Q(messages__sentiment=Sentiment.NEGATIVE)),
            scored=Count("messages", filter=~Q(messages__sentiment="")),
            latest=Max("messages__created_at"),
        )
        .order_by("-size", "number")
    )
