"""The gate every public post by a customer passes before it is stored.

`conversations.services.post_comment` and `community.services.start_topic` call
`check_post` for customers (never for staff) and `after_post` once the message exists.
"""

from __future__ import annotations

from accounts.models import Person
from conversations.models import Conversation, Message, Moderation


def check_post(
    author: Person,
    *,
    body_md: str,
    title: str = "",
    conversation: Conversation | None = None,
) -> str:
    """The moderation state a customer's new post starts in (visible or held).

    Raises `conversations.services.PostingError`, with words for the person, when the post is
    refused. `conversation` is None for the opening post of a new topic.
    """
    from conversations.models import Message

    first = not Message.objects.filter(
        author=author, moderation=Moderation.VISIBLE, is_opening=False
    ).exists()
    return Moderation.HELD if first else Moderation.VISIBLE


def after_post(message: Message) -> None:
    """Called inside the transaction that stored a customer's post."""
