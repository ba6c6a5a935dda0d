"""Scoring stored messages with the models in `analysis/`.

Every message gets a sentiment, a score and an intent; a customer's message also joins a topic.
Scoring runs in a background job queued after the message commits (`tasks.analyse_messages`),
and `openline rescore` runs the same code in batches over everything an older model scored.
Each result records the models that made it (`Message.analysed_with`), so a job that runs twice
or a rescore that is stopped half way leaves nothing doubled and picks up where it stopped.

The topic model is one shared, growing state (`TopicModelState`). Assigning messages to topics
changes it, so assignments take a row lock on it; each process keeps the last state it read in
memory and reloads it only when the stored revision has moved on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils import timezone

import analysis
from analysis import similarity
from analysis import topics as topic_analysis
from conversations.markup import plain_text
from conversations.models import Conversation, Kind, Message, Topic, TopicModelState

ANALYSED_FIELDS = ["sentiment", "sentiment_score", "intent", "topic", "analysed_with"]
STATE_PK = 1

_lock = threading.Lock()
_cached: tuple[int, topic_analysis.TopicModel] | None = None


def message_text(message: Message) -> str:
    return plain_text(message.body_html, 5000)


def _joins_topics(message: Message) -> bool:
    """Customer messages form the topics; staff replies and articles would only blur them."""
    return not message.official and not message.internal


def _locked_state() -> TopicModelState:
    """The state row, locked until the transaction ends; its JSON is read only when needed."""
    TopicModelState.objects.get_or_create(pk=STATE_PK)
    return TopicModelState.objects.select_for_update().only("revision").get(pk=STATE_PK)


def _topic_model(state: TopicModelState) -> topic_analysis.TopicModel:
    global _cached
    with _lock:
        if _cached is None or _cached[0] != state.revision:
            data = TopicModelState.objects.values_list("state", flat=True).get(pk=state.pk)
            model = (
                topic_analysis.TopicModel.from_dict(data) if data else topic_analysis.TopicModel()
            )
            _cached = (state.revision, model)
        return _cached[1]


def _save_topic_model(state: TopicModelState, model, touched: set[int]) -> dict[int, Topic]:
    """Store the model and bring the Topic rows it touched up to date; returns them by number."""
    global _cached
    now = timezone.now()
    state.state = model.to_dict()
    state.revision += 1
    state.updated_at = now
    state.save(update_fields=["state", "revision", "updated_at"])
    with _lock:
        _cached = (state.revision, model)
    info = {t.id: t for t in model.topics() if t.id in touched}
    existing = {t.number: t for t in Topic.objects.filter(number__in=touched)}
    for number, topic in info.items():
        row = existing.get(number) or Topic(number=number, created_at=now)
        row.name, row.terms, row.size, row.updated_at = topic.name, topic.terms, topic.size, now
        existing[number] = row
    Topic.objects.bulk_create(
        [row for row in existing.values() if row.pk is None],
    )
    Topic.objects.bulk_update(
        [row for row in existing.values() if row.pk is not None and row.number in info],
        ["name", "terms", "size", "updated_at"],
    )
    return existing


def analyse(messages: list[Message], *, model: str = analysis.DEFAULT_MODEL) -> int:
    """Score `messages` (already loaded) and save the results; returns how many were saved."""
    if not messages:
        return 0
    version = analysis.version(model)
    texts = [message_text(m) for m in messages]
    results = analysis.analyse_many(texts, model)
    for message, result in zip(messages, results, strict=True):
        message.sentiment = result.sentiment
        message.sentiment_score = result.sentiment_score
        message.intent = result.intent
        message.analysed_with = version
    with transaction.atomic():
        joining = [
            (m, text)
            for m, text in zip(messages, texts, strict=True)
            if _joins_topics(m) and m.topic_id is None
        ]
        if joining:
            join_topics(joining)
        Message.objects.bulk_update(messages, ANALYSED_FIELDS)
    return len(messages)


def join_topics(joining: list[tuple[Message, str]]) -> None:
    """Assign saved messages to topics, inside the caller's transaction (sets `message.topic`;
    the caller saves it)."""
    if not joining:
        return
    try:
        _assign_topics(joining)
    except BaseException:
        _forget_topic_model()  # the copy in memory may hold assignments never saved
        raise


def _assign_topics(joining: list[tuple[Message, str]]) -> None:
    state = _locked_state()
    topic_model = _topic_model(state)
    numbers = {}
    for message, text in joining:
        numbers[message.pk] = topic_model.assign(text).topic_id
    touched = {n for n in numbers.values() if n is not None}
    rows = _save_topic_model(state, topic_model, touched) if touched else {}
    for message, _text in joining:
        # A full model may drop a one-message topic in the same batch that opened it.
        message.topic = rows.get(numbers[message.pk])


def _forget_topic_model() -> None:
    global _cached
    with _lock:
        _cached = None


def analyse_ids(ids: Iterable[int]) -> int:
    """The background job's body: score these messages unless the current models already did."""
    version = analysis.version()
    messages = list(Message.objects.filter(pk__in=list(ids)).exclude(analysed_with=version))
    return analyse(messages)


@dataclass
class RescoreProgress:
    done: int
    remaining: int


def rescore(*, batch_size: int = 500, everything: bool = False) -> Iterator[RescoreProgress]:
    """Score, batch by batch, every message the current models have not scored.

    Each batch commits on its own, so an interrupted run loses at most one batch of work and
    the next run continues from there. `everything` scores all messages again once, in id order.
    """
    version = analysis.version()
    pending = (
        Message.objects.all() if everything else Message.objects.exclude(analysed_with=version)
    )
    remaining = pending.count()
    last_id = 0
    done = 0
    while True:
        batch = list(pending.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch:
            return
        analyse(batch)
        last_id = batch[-1].pk
        done += len(batch)
        yield RescoreProgress(done=done, remaining=max(remaining - done, 0))


def refit_topics(*, limit: int = 50_000) -> int:
    """Cluster the latest customer messages afresh and reassign them; returns the topic count.

    The incremental model keeps growing as messages arrive; a refit now and then (after an
    import, or when topics have drifted) gives cleaner, better-named clusters.
    """
    messages = list(
        Message.objects.filter(official=False, internal=False).order_by("-created_at")[:limit]
    )
    texts = [message_text(m) for m in messages]
    topic_model = topic_analysis.TopicModel()
    numbers = topic_model.fit(texts)
    with transaction.atomic():
        state = _locked_state()
        Message.objects.filter(topic__isnull=False).update(topic=None)
        Topic.objects.all().delete()
        touched = {n for n in numbers if n is not None}
        rows = _save_topic_model(state, topic_model, touched)
        for message, number in zip(messages, numbers, strict=True):
            message.topic = rows.get(number) if number is not None else None
        Message.objects.bulk_update(messages, ["topic"], batch_size=1000)
    return len(touched)


def trending_topics(period: str = "day", today: date | None = None, limit: int = 10):
    """Topics that stand out today or this week against their own recent past.

    Returns (Topic, Trend) pairs, strongest first.
    """
    today = today or timezone.localdate()
    window = 7 if period == "day" else 4
    days_back = window + 1 if period == "day" else 7 * (window + 1)
    since = today - timedelta(days=days_back)
    rows = (
        Message.objects.filter(topic__isnull=False, created_at__date__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("topic_id", "day")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[date, int]] = {}
    for row in rows:
        counts.setdefault(row["topic_id"], {})[row["day"]] = row["n"]
    trends = topic_analysis.trending(counts, today, period)[:limit]
    topics = Topic.objects.in_bulk([t.topic_id for t in trends])
    return [(topics[t.topic_id], t) for t in trends if t.topic_id in topics]


_index_lock = threading.Lock()
_index: tuple[tuple, similarity.SimilarityIndex] | None = None


def _public_conversations():
    return Conversation.objects.filter(is_public=True, published_at__isnull=False).exclude(
        kind__in=[Kind.EMAIL, Kind.MENTION]
    )


def similar_conversations(
    text: str,
    *,
    kinds: Iterable[str] | None = None,
    limit: int = 5,
    threshold: float = similarity.SUGGEST_THRESHOLD,
) -> list[tuple[Conversation, float]]:
    """Published public conversations whose title is like `text`, best first.

    For suggest-while-typing ("is your question one of these?") and merge suggestions. The
    title index is built once per process and rebuilt when a conversation is added, retitled
    or removed (one aggregate query tells).
    """
    global _index
    if not text or not text.strip():
        return []
    conversations = _public_conversations()
    key = tuple(
        conversations.aggregate(n=Count("id"), last=Max("id"), changed=Max("updated_at")).values()
    )
    with _index_lock:
        if _index is None or _index[0] != key:
            _index = (key, similarity.SimilarityIndex(conversations.values_list("id", "title")))
        index = _index[1]
    wanted = set(kinds) if kinds else None
    hits = index.search(text, limit=limit * 4 if wanted else limit, threshold=threshold)
    found = conversations.in_bulk([pk for pk, _score in hits])
    results = [
        (found[pk], score)
        for pk, score in hits
        if pk in found and (wanted is None or found[pk].kind in wanted)
    ]
    return results[:limit]
