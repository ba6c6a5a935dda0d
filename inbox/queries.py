"""The inbox is a query, not a copy: customer messages awaiting a response."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from conversations.models import Message, ResponseState, Sentiment, Topic


def awaiting():
    """Oldest first: the customer who has waited longest is answered first."""
    return (
        Message.objects.filter(response_state=ResponseState.AWAITING)
        .select_related("author", "conversation", "reply_to__author")
        .order_by("created_at", "id")
    )


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
