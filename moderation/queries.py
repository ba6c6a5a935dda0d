"""What the moderation pages list: the review queue, the log, the members."""

from __future__ import annotations

from django.db.models import (
    Count,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Person
from conversations.models import AuditEvent, Message, Moderation
from moderation.models import Flag, FlagState, Member, TrustLevel
from moderation.services import VERBS
from moderation.trust import activity


def flagged_messages() -> QuerySet[Message]:
    """Posts with flags waiting for a moderator, heaviest first; each has its pending flags
    in `pending_flags`, flaggers loaded. (The filter before the annotations makes these count
    pending flags only.)"""
    pending = Flag.objects.filter(state=FlagState.PENDING).select_related("flagger")
    return (
        Message.objects.filter(flags__state=FlagState.PENDING)
        .annotate(
            pending_weight=Sum("flags__weight"),
            pending_count=Count("flags"),
            first_flagged=Min("flags__created_at"),
        )
        .select_related("conversation", "author", "screening")
        .prefetch_related(Prefetch("flags", queryset=pending, to_attr="pending_flags"))
        .order_by("-pending_weight", "first_flagged", "pk")
    )


def held_messages() -> QuerySet[Message]:
    """Posts the gate held (first posts, suspected spam), oldest first."""
    return (
        Message.objects.filter(moderation=Moderation.HELD, internal=False)
        .select_related("conversation", "author", "screening")
        .order_by("created_at", "pk")
    )


def queue_counts() -> dict[str, int]:
    """How many posts wait in each tab of the queue."""
    return {
        "flagged": Message.objects.filter(flags__state=FlagState.PENDING).distinct().count(),
        "held": held_messages().count(),
    }


def moderation_log(verb: str = "") -> QuerySet[AuditEvent]:
    """Moderation's audit events, newest first."""
    events = AuditEvent.objects.filter(verb__in=[verb] if verb in VERBS else VERBS)
    return events.select_related("actor__person", "conversation").order_by("-at", "-pk")


def _count(queryset, by: str):
    return Coalesce(
        Subquery(
            queryset.order_by().values(by).annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


MEMBER_FILTERS = {
    "": "Everyone",
    "flagged": "With flags waiting",
    "sanctioned": "Silenced or suspended",
    "new": "New members",
}


def members(query: str = "", show: str = "") -> QuerySet[Person]:
    """Members with a login (not staff), with their posts, hidden posts and pending flags."""
    people = Person.objects.filter(
        user__isnull=False, is_staff_member=False, merged_into__isnull=True
    )
    query = query.strip()
    if query:
        people = people.filter(Q(display_name__icontains=query) | Q(user__email__icontains=query))
    people = people.annotate(
        visible_posts=_count(
            Message.objects.filter(
                author=OuterRef("pk"), internal=False, moderation=Moderation.VISIBLE
            ),
            "author",
        ),
        hidden_posts=_count(
            Message.objects.filter(
                author=OuterRef("pk"), moderation__in=[Moderation.HIDDEN, Moderation.REMOVED]
            ),
            "author",
        ),
        flags_waiting=_count(
            Flag.objects.filter(message__author=OuterRef("pk"), state=FlagState.PENDING),
            "message__author",
        ),
    )
    now = timezone.now()
    if show == "flagged":
        people = people.filter(flags_waiting__gt=0)
    elif show == "sanctioned":
        people = people.filter(
            Q(member__silenced_until__gt=now) | Q(member__suspended_until__gt=now)
        )
    elif show == "new":
        people = people.filter(Q(member__isnull=True) | Q(member__trust_level=TrustLevel.NEW))
    return people.select_related("user", "member").order_by("display_name", "pk")


def member_history(person: Person) -> QuerySet[AuditEvent]:
    """Moderation of a member and of their posts, newest first."""
    return (
        AuditEvent.objects.filter(verb__in=VERBS)
        .filter(Q(detail__person=person.pk) | Q(message__author=person))
        .select_related("actor__person", "conversation")
        .order_by("-at", "-pk")
    )


def member_overview(person: Person) -> dict:
    """What the member page shows besides the forms."""
    return {
        "member": Member.objects.filter(person=person).first(),
        "activity": activity(person),
        "flags_against": list(
            Flag.objects.filter(message__author=person)
            .select_related("flagger", "message__conversation")
            .order_by("-created_at", "-pk")[:20]
        ),
        "flags_raised": list(
            Flag.objects.filter(flagger=person)
            .select_related("message__conversation")
            .order_by("-created_at", "-pk")[:20]
        ),
        "history": list(member_history(person)[:30]),
    }
