"""Moderation's background jobs: suspensions that end, and trust that days bring."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def end_suspensions() -> int:
    """Switch logins back on whose suspension ended (a suspended login is switched off)."""
    from moderation import services

    return services.end_suspensions()


@db_periodic_task(crontab(hour="4", minute="10"))
def recompute_trust_nightly() -> int:
    """Days since joining count towards trust, and days pass without anyone posting."""
    from moderation.trust import recompute_all

    return recompute_all()
