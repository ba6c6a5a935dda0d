"""The inbox is a query, not a copy: customer messages awaiting a response."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from accounts.models import Identity
from conversations import targets
from conversations.models import Conversation, Message, ResponseState, Sentiment, Topic

VIEWS = {
    "all": "All waiting",
    "mine": "Mine",
    "teams": "My teams",
    "unassigned": "Unassigned",
    "due": "Due soon",
    "negative": "Negative",
    "snoozed": "Snoozed",
}


@dataclass(frozen=True)
class Filters:
    """What the queue is narrowed to, besides its view. Empty values filter nothing."""

    channel: str = ""
    category: str = ""  # slug
    label: str = ""  # slug
    team: int | None = None
    q: str = ""

    def apply(self, queryset):
        if self.channel:
            queryset = queryset.filter(channel=self.channel)
        if self.category:
            queryset = queryset.filter(conversation__category__slug=self.category)
        if self.label:
            queryset = queryset.filter(conversation__labels__slug=self.label)
        if self.team is not None:
            queryset = queryset.filter(conversation__team_id=self.team)
        for word in self.q.split()[:8]:
            by_address = Identity.objects.filter(
                person_id=OuterRef("author_id"), value__icontains=word
            )
            queryset = queryset.filter(
                Q(body_md__icontains=word)
                | Q(conversation__title__icontains=word)
                | Q(author__display_name__icontains=word)
                | Exists(by_address)
            )
        return queryset


def awaiting(view: str = "all", *, user=None, channel: str = "", filters: Filters | None = None):
    """Customer messages waiting for a response: most urgent first, then the longest-waiting.

    Snoozed conversations stay out of every view but "snoozed" until their time comes.
    "Due soon" holds messages near or past their first-response target and those whose case
    is near or past its resolution target.
    """
    filters = filters or Filters(channel=channel)
    now = timezone.now()
    queryset = Message.objects.filter(response_state=ResponseState.AWAITING)
    awake = Q(conversation__snoozed_until__isnull=True) | Q(conversation__snoozed_until__lte=now)
    if view == "snoozed":
        queryset = queryset.filter(conversation__snoozed_until__gt=now)
    else:
        queryset = queryset.filter(awake)
    if view == "mine" and user is not None:
        queryset = queryset.filter(conversation__assignee=user)
    elif view == "teams" and user is not None:
        queryset = queryset.filter(conversation__team__members=user)
    elif view == "unassigned":
        queryset = queryset.filter(conversation__assignee__isnull=True)
    elif view == "negative":
        queryset = queryset.filter(sentiment=Sentiment.NEGATIVE)
    elif view == "due":
        horizon = now + timedelta(seconds=targets.warning_seconds())
        queryset = queryset.filter(
            Q(due_at__lte=horizon) | Q(conversation__resolution_due_at__lte=horizon)
        ).order_by("due_at", "id")
    queryset = filters.apply(queryset)
    if view != "due":
        queryset = queryset.order_by("-conversation__priority", "created_at", "id")
    return queryset.select_related(
        "author", "conversation__assignee__person", "conversation__team", "reply_to__author"
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


def conversations_of(person_id: int):
    """Conversations a person started or wrote in, on any channel (their timeline)."""
    return Conversation.objects.filter(
        Q(author_id=person_id)
        | Q(pk__in=Message.objects.filter(author_id=person_id).order_by().values("conversation_id"))
    )
