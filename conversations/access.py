"""The one way views look up conversations and messages: 404 when absent or unseen,
403 when seen but not allowed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from conversations.models import Attachment, Conversation, Message, Moderation


def can_view_conversation(user, conversation: Conversation) -> bool:
    if conversation.is_public and conversation.is_published:
        return True
    if not user.is_authenticated:
        return False
    if user.can("answer"):
        return True
    person = getattr(user, "person", None)
    return person is not None and conversation.author_id == person.pk


def get_conversation_for_user(user, slug: str, *, write: bool = False) -> Conversation:
    conversation = (
        Conversation.objects.select_related("author", "category", "known_issue")
        .filter(slug=slug)
        .first()
    )
    if conversation is None or not can_view_conversation(user, conversation):
        raise Http404("No such post")
    if write and not (user.is_authenticated and user.can("publish")):
        raise PermissionDenied("Only bloggers edit posts.")
    return conversation


def get_message_for_staff(user, pk: int, *, capability: str = "answer") -> Message:
    """A message for the staff queue: staff only."""
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404("No such message")
    message = Message.objects.select_related("conversation", "author").filter(pk=pk).first()
    if message is None:
        raise Http404("No such message")
    if not user.can(capability):
        raise PermissionDenied("Your role does not allow this.")
    return message


def get_reply_target(user, conversation: Conversation, pk) -> Message | None:
    """The message a reply form refers to, if the person may see it."""
    if not pk:
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such message") from None
    message = Message.objects.filter(pk=pk, conversation=conversation, internal=False).first()
    if message is None:
        raise Http404("No such message")
    if message.moderation != Moderation.VISIBLE and not (
        user.is_authenticated and user.is_staff_member
    ):
        raise Http404("No such message")
    return message


def get_conversation_for_staff(user, pk: int) -> Conversation:
    """Any conversation, public or private, for staff who answer customers."""
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404("No such conversation")
    conversation = (
        Conversation.objects.select_related("author", "team", "outcome").filter(pk=pk).first()
    )
    if conversation is None:
        raise Http404("No such conversation")
    if not user.can("answer"):
        raise PermissionDenied("Your role does not allow this.")
    return conversation


def get_attachment_for_staff(user, pk: int) -> Attachment:
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404("No such file")
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404("No such file")
    if not user.can("answer"):
        raise PermissionDenied("Your role does not allow this.")
    return attachment
