"""The unread count in the header, without a query on every page.

The count is kept in the shared cache for a few minutes. A page shows it from there, or, when
the cache does not have it (after a change, or when it expired), shows the plain link and
fetches the count after the page has loaded (htmx), which also puts it back in the cache.
Changes forget the count once their transaction commits: new notifications, reading them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from accounts.models import User
from notifications.models import Notification

SHOWN = 99  # the header says "99+" past this
TTL = 300
_KEY = "openline:notifications:unread:{}"


def cached(user: User) -> int | None:
    """The count if the cache has it; None if it must be fetched."""
    return cache.get(_KEY.format(user.pk))


def count(user: User) -> int:
    """Unread notifications of a member, counted up to SHOWN + 1, and cached."""
    found = (
        Notification.objects.filter(recipient__user=user, in_site=True, read_at__isnull=True)
        .values("pk")[: SHOWN + 1]
        .count()
    )
    cache.set(_KEY.format(user.pk), found, TTL)
    return found


def forget(user_ids: Iterable[int | None]) -> None:
    """Forget the counts now, and again after commit: a page rendered in between may have
    cached the count from before the change."""
    keys = [_KEY.format(pk) for pk in set(user_ids) if pk is not None]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))
