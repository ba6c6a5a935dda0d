"""Background jobs that tell members what happened. They take ids and re-read the database."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def message_posted(message_id: int) -> int:
    """A message became visible on a public conversation: replies, quotes and @mentions."""
    return 0


@db_task()
def answer_accepted(conversation_id: int) -> int:
    """A question's answer was accepted."""
    return 0


@db_task()
def idea_status_changed(change_id: int) -> int:
    """An idea moved to a new status (community.models.IdeaStatusChange)."""
    return 0


@db_task()
def status_update_posted(update_id: int) -> int:
    """A known issue got a new status update."""
    from conversations.tasks import notify_status_update

    return notify_status_update.call_local(update_id)
