"""The one way moderation views look up what they act on: 404 when it is absent or not for
the viewer's eyes, 403 when a member who is no moderator asks for a moderator's action."""

from __future__ import annotations

from django.http import Http404

from accounts.access import PK_MAX, require
from accounts.models import Person
from conversations.access import can_view_conversation
from conversations.models import Conversation, Message, Moderation


def _message(pk: int) -> Message | None:
    if not 0 < pk <= PK_MAX:
        return None
    return Message.objects.select_related("conversation", "author").filter(pk=pk).first()


def can_see_message(user, message: Message) -> bool:
    """Readers see visible public posts of conversations they may see; staff who answer
    customers see every post; an author sees their own held post."""
    if message.internal:
        return user.is_authenticated and user.can("answer")
    if not can_view_conversation(user, message.conversation):
        return False
    if message.moderation == Moderation.VISIBLE:
        return True
    if not user.is_authenticated:
        return False
    if user.can("answer"):
        return True
    person = getattr(user, "person", None)
    return (
        person is not None
        and message.author_id == person.pk
        and message.moderation == Moderation.HELD
    )


def get_message_for_viewer(user, pk: int) -> Message:
    """A post the viewer may read (to flag it, or to read its history)."""
    message = _message(pk)
    if message is None or not can_see_message(user, message):
        raise Http404("No such post")
    return message


def get_message_for_moderator(user, pk: int) -> Message:
    """Any post on a public page (published or not), for moderators."""
    require(user, "moderate", "Only moderators do that.")
    message = _message(pk)
    if message is None or message.internal or not message.conversation.is_public:
        raise Http404("No such post")
    return message


def get_conversation_for_moderator(user, pk: int) -> Conversation:
    require(user, "moderate", "Only moderators do that.")
    conversation = None
    if 0 < pk <= PK_MAX:
        conversation = Conversation.objects.select_related("category").filter(pk=pk).first()
    if conversation is None or not conversation.is_public:
        raise Http404("No such topic")
    return conversation


def get_person_for_moderator(user, pk: int) -> Person:
    require(user, "moderate", "Only moderators do that.")
    person = None
    if 0 < pk <= PK_MAX:
        person = Person.objects.select_related("user", "member").filter(pk=pk).first()
    if person is None:
        raise Http404("No such member")
    return person
