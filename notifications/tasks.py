"""Background jobs that tell members what happened. They take ids and re-read the database;
who is told of what is in notifications.events, how in notifications.delivery."""

from __future__ import annotations

from django.utils import timezone
from huey.contrib.djhuey import db_task

from notifications import events


def queued() -> str:
    """The moment a job is queued, as its `queued_at` argument."""
    return timezone.now().isoformat()


# Each job is queued with the time it was queued (`queued`), so news older than
# NOTIFICATIONS_MAX_AGE_HOURS at that moment (an import) tells nobody, while a job that waits
# for a worker that was down is still delivered.
#
# A failed connection to the mail server raises after the in-site notifications are stored;
# the retry sends only the e-mails still waiting.
RETRIES, RETRY_DELAY = 3, 120


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY)
def message_posted(message_id: int, queued_at: str = "") -> int:
    """A message became visible on a public conversation: replies, @mentions, followers."""
    return events.message_posted(message_id, queued_at)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY)
def answer_accepted(conversation_id: int, queued_at: str = "") -> int:
    """A question's answer was accepted."""
    return events.answer_accepted(conversation_id, queued_at)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY)
def idea_status_changed(change_id: int, queued_at: str = "") -> int:
    """An idea moved to a new status (community.models.IdeaStatusChange)."""
    return events.idea_status_changed(change_id, queued_at)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY)
def status_update_posted(update_id: int, queued_at: str = "") -> int:
    """A known issue got a new status update."""
    return events.status_update_posted(update_id, queued_at)
