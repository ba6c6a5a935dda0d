"""Fixed-window rate limits kept in the shared cache ("5/m,30/h")."""

from __future__ import annotations

import time

from django.core.cache import cache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many posts. Please wait {retry_after} seconds and try again.")
        self.retry_after = retry_after


def parse(spec: str) -> list[tuple[int, int]]:
    """'5/m,30/h' -> [(5, 60), (30, 3600)]."""
    limits = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        count, _, period = part.partition("/")
        if not count.isdigit() or period not in PERIODS:
            raise ValueError(f"bad rate limit {part!r}: write it like 5/m or 30/h")
        limits.append((int(count), PERIODS[period]))
    return limits


def hit(scope: str, ident: str, spec: str) -> None:
    """Count one action by `ident`; raise RateLimited if any window is full."""
    now = int(time.time())
    for count, seconds in parse(spec):
        window = now // seconds
        key = f"openline:rl:{scope}:{ident}:{seconds}:{window}"
        cache.add(key, 0, timeout=seconds + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds + 1)
            used = 1
        if used > count:
            raise RateLimited(retry_after=seconds - now % seconds)
