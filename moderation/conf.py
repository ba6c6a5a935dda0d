"""The moderation settings, read from their strings once and checked at start-up.

Per-level limits are written `0=1,1=5,2=20` (trust level = number); a level left out has no
limit. Trust thresholds are written `1: posts 1; 2: posts 10, topics 1, days 7`.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

LEVELS = range(5)
CRITERIA = ("posts", "topics", "answers", "days")


@lru_cache(maxsize=32)
def _levels(name: str, spec: str) -> dict[int, float]:
    values: dict[int, float] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        level, sep, value = part.partition("=")
        try:
            level_number, number = int(level), float(value)
        except ValueError:
            raise ValueError(f"OPENLINE_{name}: write each level like 0=1, not {part!r}") from None
        if not sep or level_number not in LEVELS or number < 0:
            raise ValueError(
                f"OPENLINE_{name}: levels run from 0 to 4 and values are not negative, not {part!r}"
            )
        values[level_number] = number
    return values


def per_level(name: str) -> dict[int, float]:
    """The setting `name` (e.g. "MODERATION_LINKS_PER_POST") as {level: value}."""
    return _levels(name, getattr(settings, name))


def limit(name: str, level: int) -> float | None:
    """The limit for `level`, or None when it has none."""
    return per_level(name).get(level)


@lru_cache(maxsize=8)
def _thresholds(spec: str) -> dict[int, dict[str, int]]:
    levels: dict[int, dict[str, int]] = {}
    for part in spec.split(";"):
        part = part.strip()
        if not part:
            continue
        level, sep, rest = part.partition(":")
        if not sep or not level.strip().isdigit() or int(level) not in range(1, 5):
            raise ValueError(
                f"OPENLINE_MODERATION_TRUST_LEVELS: start each level with 1: to 4:, not {part!r}"
            )
        needs: dict[str, int] = {}
        for item in rest.split(","):
            words = item.split()
            if not words:
                continue
            if len(words) != 2 or words[0] not in CRITERIA or not words[1].isdigit():
                raise ValueError(
                    "OPENLINE_MODERATION_TRUST_LEVELS: write what a level needs like "
                    f"'posts 10', with one of {', '.join(CRITERIA)}; not {item.strip()!r}"
                )
            needs[words[0]] = int(words[1])
        levels[int(level)] = needs
    return levels


def trust_thresholds() -> dict[int, dict[str, int]]:
    """What each level from 1 to 4 needs: {level: {criterion: minimum}}."""
    return _thresholds(settings.MODERATION_TRUST_LEVELS)


def check() -> None:
    """Raise ValueError, naming the variable, if a moderation setting cannot be read."""
    for name in ("MODERATION_LINKS_PER_POST", "MODERATION_POSTS_PER_DAY"):
        per_level(name)
    weights = per_level("MODERATION_FLAG_WEIGHTS")
    if set(weights) != set(LEVELS):
        raise ValueError("OPENLINE_MODERATION_FLAG_WEIGHTS: give a weight for every level, 0 to 4")
    trust_thresholds()
    if not 0 < settings.MODERATION_SPAM_HOLD_AT <= 1:
        raise ValueError("OPENLINE_MODERATION_SPAM_HOLD_AT: a spam score between 0 and 1")
    from openline import ratelimit

    try:
        ratelimit.parse(settings.MODERATION_FLAG_RATE_LIMIT)
    except ValueError as exc:
        raise ValueError(f"OPENLINE_MODERATION_FLAG_RATE_LIMIT: {exc}") from None
