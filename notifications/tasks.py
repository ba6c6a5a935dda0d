"""Background jobs that tell members what happened. They take ids and re-read the database;
who is told of what is in notifications.events, how in notifications.delivery."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from notifications import events

# A failed connection to the mail server raises after the in-site notifications are stored;
# the retry sends only the e-mails still waiting.
RETRIES, RETRY_DELAY = 3, 120


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY)
def message_posted(message_id: int) -> int:
    """A message became visible on a public conversation: replies, @mentions, followers."""
    return events.message_posted(message_id)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY)
def answer_accepted(conversation_id: int) -> int:
    """A question's answer was accepted."""
    return events.answer_accepted(conversation_id)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY)
def idea_status_changed(change_id: int) -> int:
    """An idea moved to a new status (community.models.IdeaStatusChange)."""
    return events.idea_status_changed(change_id)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY)
def status_update_posted(update_id: int) -> int:
    """A known issue got a new status update."""
    return events.status_update_posted(update_id)
