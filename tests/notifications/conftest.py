"""Fixtures for the notification tests: visible replies, handles, and (from tests/browser)
what the browser test needs."""

from __future__ import annotations

import pytest

from conversations import services
from conversations.models import Moderation
from notifications.mentions import assign_missing_handles
from tests.browser.conftest import (  # noqa: F401 (Chromium and live-server fixtures for test_browser)
    browser_context_args,
    browser_type_launch_args,
    context,
    sign_in,
    site,
)


def visible(message, moderator):
    """The message as the public sees it: let through if the gate held it."""
    if message.moderation == Moderation.HELD:
        services.approve(message, by=moderator)
    message.refresh_from_db()
    return message


@pytest.fixture
def reply(ada):
    """reply(conversation, user, body, reply_to=None): a visible public reply by `user`."""

    def _reply(conversation, user, body, reply_to=None):
        message = services.post_comment(
            conversation, author=user.person, body_md=body, reply_to=reply_to
        )
        return visible(message, ada)

    return _reply


@pytest.fixture
def handles(maria, sam, newbie, alex, lionel):
    """Everyone's handle made: @maria, @sam, @nina, @alex, @lionel."""
    assign_missing_handles()
