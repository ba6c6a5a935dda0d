"""Conversations to search, written through the services like everything else."""

from __future__ import annotations

import pytest

from conversations import services
from conversations.models import Kind, Moderation


def comment(conversation, user, body):
    """A visible comment by `user` (approved when the gate holds it)."""
    message = services.post_comment(conversation, author=user.person, body_md=body)
    if message.moderation == Moderation.HELD:
        Message = type(message)
        Message.objects.filter(pk=message.pk).update(moderation=Moderation.VISIBLE)
        message.refresh_from_db()
    return message


def publish(lionel, title, body, *, kind=Kind.ARTICLE, **extra):
    if kind == Kind.KNOWN_ISSUE:
        extra.setdefault("affected_area", "Everywhere")
    return services.publish_post(
        author=lionel.person, kind=kind, title=title, body_md=body, **extra
    )


@pytest.fixture
def engine(db):
    from search.backends import engine

    return engine()


@pytest.fixture
def ids(engine):
    """The ids of the conversations a search finds, best first."""

    def found(text, **filters):
        return [hit.conversation_id for hit in engine.search(text, **filters).hits]

    return found
