"""Background jobs of the listening post: poll what is due, every minute."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from listening import services


@db_periodic_task(crontab(minute="*"))
def poll_due_sources() -> int:
    """Queue a poll of every active source whose time has come; returns how many."""
    from django.utils import timezone

    due = services.due_sources(timezone.now())
    for source_id in due:
        poll_source(source_id)
    return len(due)


@db_task()
def poll_source(source_id: int) -> int:
    """Poll one source. Two workers given the same source poll it once: the lease decides."""
    result = services.poll(source_id)
    return 0 if result is None else result.stored


# The early-warning jobs live beside the alerts; importing them here registers them with Huey.
from listening import alert_tasks  # noqa: E402, F401
