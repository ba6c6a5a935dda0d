"""The inbox is a query, not a copy: customer messages awaiting a response."""

from __future__ import annotations

from conversations.models import Message, ResponseState


def awaiting():
    """Oldest first: the customer who has waited longest is answered first."""
    return (
        Message.objects.filter(response_state=ResponseState.AWAITING)
        .select_related("author", "conversation", "reply_to__author")
        .order_by("created_at", "id")
    )
