"""Background jobs of the insights: rollups follow every change; the weekly digest."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task
from huey.exceptions import TaskLockedException

from insights import digest, rollups


@db_periodic_task(crontab(minute="*"))
def refresh_rollups() -> int:
    """Recompute the days whose messages, cases or ratings changed (marked by triggers).
    One run at a time, whichever consumer takes it."""
    try:
        with lock_task("insights-refresh"):
            return len(rollups.refresh_pending())
    except TaskLockedException:
        return 0


@db_periodic_task(crontab(day_of_week="1", hour=str(settings.INSIGHTS_DIGEST_HOUR), minute="0"))
def weekly_digest() -> int:
    """Monday morning: last week's figures to every manager and admin."""
    return digest.send_weekly_digest()
