"""Moderation fixtures: three trusted members who flag, and helpers for visible posts."""

from __future__ import annotations

import pytest

from conversations import services
from conversations.models import Moderation
from moderation.trust import set_trust_level
from tests.conftest import make_customer


def visible(message):
    """A post as members see it: held first posts let through."""
    if message.moderation == Moderation.HELD:
        message.moderation = Moderation.VISIBLE
        message.save(update_fields=["moderation"])
        services.thread_changed(message.conversation_id, count=0 if message.is_opening else 1)
    message.refresh_from_db()
    return message


def comment(conversation, user, body="A comment."):
    return visible(services.post_comment(conversation, author=user.person, body_md=body))


@pytest.fixture
def flaggers(db):
    """Three Basic members: each flag weighs 1, so together they hide a post (threshold 3)."""
    users = [
        make_customer(f"flagger{i}@example.com", f"Flagger {name}")
        for i, name in enumerate(["Ann", "Ben", "Cleo"])
    ]
    for user in users:
        set_trust_level(user.person, 1)
    return users


@pytest.fixture
def spammy():
    return (
        "BUY NOW!!! Cheap watches, 100% free shipping, click here https://a.example "
        "and https://b.example"
    )
