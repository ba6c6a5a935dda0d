"""Response targets: by when a customer's message should have its first answer, and by
when a case (a conversation a customer started) should be resolved.

Targets are set per priority, and optionally per channel and priority, in business hours
(`OPENLINE_RESPONSE_TARGETS`, e.g. "urgent=1h,high=4h,normal=8h,low=24h,email:normal=4h";
`OPENLINE_RESOLUTION_TARGETS` in the same form), and
counted on the company's schedule with its holidays (`OPENLINE_BUSINESS_HOURS`,
`OPENLINE_HOLIDAYS`, `TIME_ZONE`; see inbox/hours.py).
"""

from __future__ import annotations

import functools
import re
from datetime import datetime

from django.conf import settings

from inbox.hours import Schedule

PRIORITY_NAMES = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hm])\s*$")


def parse_duration(text: str) -> float:
    """Seconds in "90m" or "4h" (business time)."""
    match = DURATION_RE.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a duration such as 30m or 4h")
    number, unit = float(match.group(1)), match.group(2)
    return number * (3600 if unit == "h" else 60)


@functools.cache
def _targets(spec: str, what: str = "response") -> dict[tuple[str, int], float]:
    targets: dict[tuple[str, int], float] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, value = part.partition("=")
        channel, _, priority = key.strip().lower().rpartition(":")
        if not sep or priority not in PRIORITY_NAMES:
            raise ValueError(
                f"{part!r} in the {what} targets: write priority=duration, e.g. high=4h"
            )
        targets[(channel, PRIORITY_NAMES[priority])] = parse_duration(value)
    missing = [name for name, rank in PRIORITY_NAMES.items() if ("", rank) not in targets]
    if missing:
        raise ValueError(f"the {what} targets name no time for: {', '.join(missing)}")
    return targets


@functools.cache
def _schedule(spec: str, zone: str, holidays: tuple[str, ...]) -> Schedule:
    return Schedule.from_spec(spec, timezone=zone, holidays=holidays)


def schedule() -> Schedule:
    return _schedule(settings.BUSINESS_HOURS, settings.TIME_ZONE, tuple(settings.HOLIDAYS))


def target_seconds(channel: str, priority: int) -> float:
    targets = _targets(settings.RESPONSE_TARGETS)
    return targets.get((channel, priority), targets[("", priority)])


def due_at(created_at: datetime, channel: str, priority: int) -> datetime:
    return schedule().add(created_at, target_seconds(channel, priority))


def resolution_seconds(channel: str, priority: int) -> float:
    targets = _targets(settings.RESOLUTION_TARGETS, "resolution")
    return targets.get((channel, priority), targets[("", priority)])


def resolution_due_at(opened_at: datetime, channel: str, priority: int) -> datetime:
    return schedule().add(opened_at, resolution_seconds(channel, priority))


def business_seconds(start: datetime, end: datetime) -> int:
    return int(schedule().between(start, end))


def warning_seconds() -> float:
    return parse_duration(settings.RESPONSE_WARNING)


def check() -> None:
    """Raise ValueError when a setting cannot be read (used by the system checks)."""
    schedule()
    _targets(settings.RESPONSE_TARGETS)
    _targets(settings.RESOLUTION_TARGETS, "resolution")
    warning_seconds()
