"""Background jobs for conversations. They take ids and re-read the database."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def notify_status_update(update_id: int) -> int:
    """Followers hear of a known issue's status update through the notifications app."""
    from notifications import events

    return events.status_update_posted(update_id)


@db_task()
def notify_official_reply(message_id: int) -> int:
    """Nothing to do: followers hear of an official reply from notifications.tasks.message_posted,
    which conversations.services queues for every message that becomes visible in public. Kept
    so jobs already queued under this name still run, and send nobody a second e-mail."""
    return 0


@db_task(retries=2, retry_delay=30)
def analyse_messages(message_ids: list[int]) -> int:
    """Sentiment, intent and topic for new or edited messages (see conversations.scoring)."""
    from conversations import scoring

    return scoring.analyse_ids(message_ids)


@db_periodic_task(crontab(hour="3", minute="30"))
def refit_topics_nightly() -> int:
    """Incremental topics split finely as messages arrive; a nightly batch fit tidies them."""
    from conversations import scoring

    return scoring.refit_topics()
