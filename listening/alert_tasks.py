"""Background jobs of the early warning: look for spikes every five minutes, then tell people.

listening/tasks.py imports this module so that the consumer registers them.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from listening import alerts


@db_periodic_task(crontab(minute="*/5"))
def check_spikes() -> int:
    """Raise alerts for the window ending this minute; returns how many."""
    return len(alerts.check_spikes())


# A receiver that is down for a moment gets two more tries; what was sent is not sent again.
@db_task(retries=2, retry_delay=300)
def notify_alert(alert_id: int) -> None:
    alerts.notify(alert_id)
