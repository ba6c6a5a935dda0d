"""Daily rollups: what the dashboard reads instead of scanning a million messages.

`aggregate` computes rollup rows from the raw tables for any span and any grains; the
refresh stores one local day's rows for every grain in GRAINS, and the dashboard's readers
(insights/figures.py) use those rows, or `aggregate` itself for a combination of filters no
stored grain covers. Both paths run the same code, so they always agree.

Attribution: a message is counted on the local day it was written, under the channel it came
in on; its agent is the staff member whose reply answered it. A case counts on the day it
was resolved, under the channel of its first message, for whoever resolved it; a rating on
the day of the resolution it rates, for the survey's agent. Removed messages are left out.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from community.models import Question
from conversations.models import (
    COMMUNITY_KINDS,
    Conversation,
    Kind,
    Message,
    Moderation,
    ResponseState,
    Sentiment,
    Stance,
)
from insights.models import DirtyHour, PersonDay, Rollup, WonBack
from satisfaction.models import Survey

DIMENSIONS = ("agent", "category", "label", "team", "issue", "topic")
# The groupings stored for every day: the whole day, each dimension alone, and an agent's
# figures within a category, a label, a known issue or a topic (what an agent's own
# dashboard asks).
GRAINS: dict[str, tuple[str, ...]] = {
    "": (),
    "agent": ("agent",),
    "category": ("category",),
    "label": ("label",),
    "team": ("team",),
    "issue": ("issue",),
    "topic": ("topic",),
    "agent+category": ("agent", "category"),
    "agent+label": ("agent", "label"),
    "agent+issue": ("agent", "issue"),
    "agent+topic": ("agent", "topic"),
}
# Every row exists for its channel and, summed, for all channels: an unfiltered dashboard
# reads one row per day instead of one per channel.
ALL_CHANNELS = "*"
COUNTERS = (
    "messages", "negative", "neutral", "positive", "answered", "no_reply", "within_target",
    "answered_late", "resolved", "conceded", "held", "rated", "score_sum",
)  # fmt: skip
HISTOGRAMS = ("first_response", "first_response_clock", "resolution", "scores")


def grain_name(dims: Iterable[str]) -> str:
    wanted = set(dims)
    unknown = wanted - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown dimensions: {sorted(unknown)}")
    return "+".join(d for d in DIMENSIONS if d in wanted)


# -- durations in buckets -------------------------------------------------------------------

# (up to, step) in seconds: whole minutes for two hours, then 5 minutes to 8 hours, half
# hours to three days, whole days after.
BUCKETS = ((2 * 3600, 60), (8 * 3600, 300), (72 * 3600, 1800), (math.inf, 86400))


def bucket(seconds: int) -> int:
    """The lower bound of the bucket a duration falls in. Monotonic, so the bucket of the
    k-th shortest duration is the k-th smallest bucket: percentiles from bucket counts are
    exactly the bucketed percentiles of the raw durations."""
    seconds = max(int(seconds), 0)
    step = next(step for limit, step in BUCKETS if seconds < limit)  # the last has no limit
    return seconds - seconds % step


def percentile(histogram: dict, p: float) -> int | None:
    """Nearest-rank percentile (p in 0..1) of a {bucket: count} histogram, or None if empty."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(math.ceil(p * total), 1)
    values = sorted(histogram, key=int)
    seen = list(itertools.accumulate(histogram[value] for value in values))
    return int(values[bisect.bisect_left(seen, rank)])


# Histograms are stored as little-endian uint32 (value, count) pairs: summing a month of them
# is one numpy pass over their concatenated bytes instead of a dict update per bucket.
_PAIRS = np.dtype("<u4")


def encode(histogram: dict) -> bytes:
    """A {value: count} histogram as stored: (value, count) pairs by value."""
    pairs = sorted((int(value), count) for value, count in histogram.items() if count)
    return np.array(pairs, dtype=_PAIRS).tobytes() if pairs else b""


def decode(data) -> dict[int, int]:
    pairs = np.frombuffer(bytes(data), dtype=_PAIRS).reshape(-1, 2)
    return {int(value): int(count) for value, count in pairs}


def merge(histograms: Iterable) -> dict[int, int]:
    """The sum of histograms, each as stored (bytes) or a {value: count} dict."""
    total: Counter = Counter()
    chunks = []
    for histogram in histograms:
        if isinstance(histogram, dict):
            total.update({int(value): count for value, count in histogram.items()})
        elif histogram:
            chunks.append(histogram)
    if chunks:
        pairs = np.frombuffer(b"".join(chunks), dtype=_PAIRS).reshape(-1, 2)
        values, where = np.unique(pairs[:, 0], return_inverse=True)
        counts = np.bincount(where, weights=pairs[:, 1])
        for value, count in zip(values.tolist(), counts.tolist(), strict=True):
            total[value] += int(count)
    return dict(total)


# -- local days -----------------------------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a local day (TIME_ZONE) starts and ends; 23 or 25 hours long on the
    days the clocks change."""
    tz = timezone.get_current_timezone()
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    end = start + timedelta(days=1)
    following = datetime(end.year, end.month, end.day, tzinfo=tz)
    return start.astimezone(UTC), following.astimezone(UTC)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def days_of_hour(hour: str) -> set[date]:
    """The local days a UTC hour ("YYYY-MM-DD HH") touches."""
    start = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC)
    return {local_day(start), local_day(start + timedelta(minutes=59, seconds=59))}


# -- aggregation ----------------------------------------------------------------------------


class Acc:
    __slots__ = (*COUNTERS, *HISTOGRAMS)

    def __init__(self):
        for name in COUNTERS:
            setattr(self, name, 0)
        for name in HISTOGRAMS:
            setattr(self, name, Counter())


def _first_channel():
    return Subquery(
        Message.objects.filter(conversation=OuterRef("pk"))
        .order_by("created_at", "id")
        .values("channel")[:1]
    )


def _labels(conversation_ids) -> dict[int, list[int]]:
    through = Conversation.labels.through
    found: dict[int, list[int]] = defaultdict(list)
    ids = list(set(conversation_ids))
    for start in range(0, len(ids), 500):
        for conversation_id, label_id in through.objects.filter(
            conversation_id__in=ids[start : start + 500]
        ).values_list("conversation_id", "label_id"):
            found[conversation_id].append(label_id)
    return found


def _keys(grains, channel: str, values: dict, labels: list[int]):
    """Every rollup key an item counts under: one per grain, one per label in label grains,
    each under its own channel and under all channels."""
    for key in _channel_keys(grains, values, labels):
        yield (key[0], channel, *key[1:])
        yield (key[0], ALL_CHANNELS, *key[1:])


def _channel_keys(grains, values: dict, labels: list[int]):
    for grain in grains:
        dims = (GRAINS.get(grain) or tuple(grain.split("+"))) if grain else ()
        if any(values.get(d) is None for d in dims if d != "label"):
            continue  # not counted in this grain (a message outside known issues, …)
        choices = [(labels or [0]) if d == "label" else [values[d]] for d in dims]
        for combo in itertools.product(*choices):
            key = {"category": 0, "label": 0, "agent": 0, "team": 0, "issue": 0, "topic": 0}
            key.update(zip(dims, combo, strict=True))
            yield (grain, *(key[d] for d in DIMENSIONS))


def aggregate(start: datetime, end: datetime, grains: Iterable[str]) -> dict[tuple, Acc]:
    """Rollup figures for [start, end) from the raw tables, keyed by
    (local day, grain, channel, agent, category, label, team, issue, topic)."""
    grains = list(grains)
    found: dict[tuple, Acc] = defaultdict(Acc)

    messages = list(
        Message.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(response_state=ResponseState.NOT_APPLICABLE)
        .exclude(moderation=Moderation.REMOVED)
        .values_list(
            "created_at", "channel", "conversation_id", "conversation__category_id",
            "conversation__team_id", "conversation__kind", "sentiment", "response_state",
            "answered_at", "due_at", "first_response_business_seconds", "first_response_seconds",
            "answered_by__official", "answered_by__author__user_id", "topic_id",
        )
    )  # fmt: skip
    resolutions = list(
        Conversation.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
        .annotate(first_channel=_first_channel())
        .values_list(
            "resolved_at", "first_channel", "id", "category_id", "team_id", "resolved_by_id",
            "outcome__stance", "resolution_business_seconds",
        )
    )  # fmt: skip
    surveys = list(
        Survey.objects.filter(resolved_at__gte=start, resolved_at__lt=end, score__isnull=False)
        .annotate(first_channel=_first_channel_of_survey())
        .values_list(
            "resolved_at", "first_channel", "conversation_id", "conversation__category_id",
            "conversation__team_id", "agent_id", "score",
        )
    )  # fmt: skip
    labels = _labels(
        [m[2] for m in messages] + [r[2] for r in resolutions] + [s[2] for s in surveys]
    )

    for (
        at, channel, conversation, category, team, kind, sentiment, state, answered_at, due_at,
        business_seconds, clock_seconds, official, agent, topic,
    ) in messages:  # fmt: skip
        values = {
            "category": category or 0,
            "team": team or 0,
            "agent": (agent or 0) if official else 0,
            "issue": conversation if kind == Kind.KNOWN_ISSUE else None,
            "topic": topic,
        }
        day = local_day(at)
        for key in _keys(grains, channel, values, labels.get(conversation, [])):
            acc = found[(day, *key)]
            acc.messages += 1
            if sentiment == Sentiment.NEGATIVE:
                acc.negative += 1
            elif sentiment == Sentiment.NEUTRAL:
                acc.neutral += 1
            elif sentiment == Sentiment.POSITIVE:
                acc.positive += 1
            if state == ResponseState.ANSWERED:
                acc.answered += 1
                if business_seconds is not None:
                    acc.first_response[bucket(business_seconds)] += 1
                if clock_seconds is not None:
                    acc.first_response_clock[bucket(clock_seconds)] += 1
                if due_at is not None and answered_at is not None:
                    if answered_at <= due_at:
                        acc.within_target += 1
                    else:
                        acc.answered_late += 1
            elif state == ResponseState.NO_REPLY_NEEDED:
                acc.no_reply += 1

    for at, channel, conversation, category, team, agent, stance, seconds in resolutions:
        values = {
            "category": category or 0, "team": team or 0, "agent": agent or 0,
            "issue": None, "topic": None,
        }  # fmt: skip
        day = local_day(at)
        for key in _keys(grains, channel or "", values, labels.get(conversation, [])):
            acc = found[(day, *key)]
            acc.resolved += 1
            acc.conceded += stance == Stance.CONCEDED
            acc.held += stance == Stance.HELD
            if seconds is not None:
                acc.resolution[bucket(seconds)] += 1

    for at, channel, conversation, category, team, agent, score in surveys:
        values = {
            "category": category or 0, "team": team or 0, "agent": agent or 0,
            "issue": None, "topic": None,
        }  # fmt: skip
        day = local_day(at)
        for key in _keys(grains, channel or "", values, labels.get(conversation, [])):
            acc = found[(day, *key)]
            acc.rated += 1
            acc.score_sum += score
            acc.scores[score] += 1
    return found


def _first_channel_of_survey():
    return Subquery(
        Message.objects.filter(conversation=OuterRef("conversation_id"))
        .order_by("created_at", "id")
        .values("channel")[:1]
    )


def as_rows(found: dict[tuple, Acc]) -> list[Rollup]:
    rows = []
    for (day, grain, channel, *ids), acc in found.items():
        row = Rollup(
            day=day, grain=grain, channel=channel, **dict(zip(DIMENSIONS, ids, strict=True))
        )
        for name in COUNTERS:
            setattr(row, name, getattr(acc, name))
        for name in HISTOGRAMS:
            setattr(row, name, encode(getattr(acc, name)))
        rows.append(row)
    return rows


# -- advocates and customers won back -------------------------------------------------------


SCORED = (
    "id", "author_id", "created_at", "sentiment", "answered_at", "answered_by_id",
    "answered_by__official", "answered_by__author__user_id",
)  # fmt: skip


def _scored_history(customer, authors: set[int], start: datetime, end: datetime):
    """Per author, in order: their last negative or positive message before the day, then
    the day's own. Only the message just before each positive one matters."""
    polar = customer.filter(
        author_id__in=authors, sentiment__in=[Sentiment.NEGATIVE, Sentiment.POSITIVE]
    )
    history: dict[int, list] = defaultdict(list)
    latest = dict(
        polar.filter(created_at__lt=start)
        .values("author_id")
        .annotate(at=Max("created_at"))
        .values_list("author_id", "at")
    )
    if latest:
        before: dict[int, tuple] = {}
        moments = customer.filter(
            created_at__in=set(latest.values()),
            sentiment__in=[Sentiment.NEGATIVE, Sentiment.POSITIVE],
        )  # by the created_at index; the author is checked here
        for row in moments.values_list(*SCORED):
            if row[2] == latest.get(row[1]) and row[0] > before.get(row[1], (0,))[0]:
                before[row[1]] = row
        for author, row in before.items():
            history[author].append(row)
    for row in (
        customer.filter(
            created_at__gte=start,
            created_at__lt=end,
            sentiment__in=[Sentiment.NEGATIVE, Sentiment.POSITIVE],
        )
        .order_by("created_at", "id")
        .values_list(*SCORED)
    ):
        if row[1] in authors:
            history[row[1]].append(row)
    return history


def people_rows(day: date, start: datetime, end: datetime):
    """PersonDay and WonBack rows for one local day."""
    customer = Message.objects.exclude(response_state=ResponseState.NOT_APPLICABLE).exclude(
        moderation=Moderation.REMOVED
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    todays = list(
        customer.filter(created_at__gte=start, created_at__lt=end).values_list(
            "id", "author_id", "created_at", "channel", "sentiment", "is_opening",
            "conversation__kind", "conversation__author_id",
        )
    )  # fmt: skip
    for _, author, _, _, sentiment, opening, kind, starter in todays:
        if sentiment == Sentiment.POSITIVE:
            counts[author]["positive"] += 1
        if kind in COMMUNITY_KINDS and not opening and starter != author:
            counts[author]["helped"] += 1
    for (author,) in Question.objects.filter(
        accepted_answer__created_at__gte=start,
        accepted_answer__created_at__lt=end,
        accepted_answer__official=False,
    ).values_list("accepted_answer__author_id"):
        counts[author]["accepted"] += 1
    person_days = [
        PersonDay(day=day, person=person, **dict(c)) for person, c in sorted(counts.items())
    ]

    positives = [m for m in todays if m[4] == Sentiment.POSITIVE]
    won = []
    if positives:
        history = _scored_history(customer, {m[1] for m in positives}, start, end)
        for pk, author, at, channel, *_ in positives:
            earlier = [h for h in history[author] if (h[2], h[0]) < (at, pk)]
            if not earlier:
                continue
            last = earlier[-1]
            if last[3] == Sentiment.NEGATIVE and last[6] and last[4] is not None and last[4] <= at:
                won.append(
                    WonBack(
                        day=day, person=author, negative_message=last[0],
                        answer_message=last[5], agent=last[7] or 0, positive_message=pk,
                        channel=channel,
                    )
                )  # fmt: skip
    return person_days, won


# -- storing --------------------------------------------------------------------------------


def refresh_day(day: date) -> int:
    """Recompute and store one local day's rows; returns how many rollup rows it has."""
    start, end = day_bounds(day)
    rows = as_rows(aggregate(start, end, GRAINS))
    person_days, won = people_rows(day, start, end)
    with transaction.atomic():
        Rollup.objects.filter(day=day).delete()
        PersonDay.objects.filter(day=day).delete()
        WonBack.objects.filter(day=day).delete()
        WonBack.objects.filter(positive_message__in=[w.positive_message for w in won]).delete()
        Rollup.objects.bulk_create(rows, batch_size=500)
        PersonDay.objects.bulk_create(person_days, batch_size=500)
        WonBack.objects.bulk_create(won, batch_size=500)
    return len(rows)


def refresh_pending(batch: int = 50_000) -> list[date]:
    """Recompute the days whose hours were marked as changed; returns those days.

    Reads up to `batch` marks, refreshes their days, then deletes exactly the marks it read:
    a change marked meanwhile stays for the next run."""
    marks = list(DirtyHour.objects.order_by("id").values_list("id", "hour")[:batch])
    if not marks:
        return []
    days: set[date] = set()
    for hour in {hour for _, hour in marks}:
        days |= days_of_hour(hour)
    for day in sorted(days):
        refresh_day(day)
    ids = [pk for pk, _ in marks]
    for start in range(0, len(ids), 500):
        DirtyHour.objects.filter(id__in=ids[start : start + 500]).delete()
    return sorted(days)


def pending() -> int:
    """How many change marks wait for a refresh."""
    return DirtyHour.objects.count()


def rebuild() -> int:
    """Recompute every day that has messages, cases or ratings; returns how many days."""
    first = [
        Message.objects.order_by("created_at").values_list("created_at", flat=True).first(),
        Conversation.objects.exclude(resolved_at=None)
        .order_by("resolved_at")
        .values_list("resolved_at", flat=True)
        .first(),
    ]
    first = [f for f in first if f is not None]
    if not first:
        Rollup.objects.all().delete()
        return 0
    day, last = local_day(min(first)), timezone.localdate()
    count = 0
    with transaction.atomic():
        Rollup.objects.filter(day__lt=day).delete()
        Rollup.objects.filter(day__gt=last).delete()
    while day <= last:
        refresh_day(day)
        day += timedelta(days=1)
        count += 1
    return count
