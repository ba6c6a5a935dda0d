"""The one way to look up notifications: a member sees their own, and nobody else's."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.access import PK_MAX
from accounts.models import Person, User
from conversations.models import Moderation
from notifications.models import Notification


def notifications_of(person: Person) -> QuerySet[Notification]:
    """A member's notifications page, newest first, with what each needs to be shown."""
    return (
        Notification.objects.filter(recipient=person, in_site=True)
        .select_related("message")
        .only(
            "pk",
            "kind",
            "summary",
            "excerpt",
            "read_at",
            "created_at",
            "message",
            "message__moderation",
            "message__internal",
        )
        .order_by("-created_at", "-pk")
    )


def excerpt_shown(notification: Notification) -> bool:
    """A message hidden or removed since is not quoted any more."""
    message = notification.message
    return message is None or (message.moderation == Moderation.VISIBLE and not message.internal)


def get_notification_for_user(user: User, pk: int) -> Notification:
    """One of the member's own notifications; anyone else's is a 404."""
    found = None
    if user.is_authenticated and 0 < pk <= PK_MAX:
        found = (
            Notification.objects.select_related(
                "recipient", "conversation", "message__conversation"
            )
            .filter(pk=pk, recipient__user=user, in_site=True)
            .first()
        )
    if found is None:
        raise Http404("No such notification")
    return found


def target(notification: Notification) -> str:
    """Where opening a notification leads: the message, else its conversation."""
    from notifications.events import location

    if notification.message is not None and excerpt_shown(notification):
        return location(notification.message)
    return notification.conversation.get_absolute_url()
