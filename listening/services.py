"""Listening verbs: save, pause and test sources; poll them with back-off; record answers.

The network layer (`listening.fetch`, `listening.connectors`: httpx, feedparser) is imported
where a source is read, not with this module, so web processes do not load it at start-up.

Polling claims a source with a lease (an UPDATE that only one worker wins), fetches through
`listening.fetch.Fetcher`, stores through `listening.pipeline.ingest` and only then saves the
source's cursor, so a run that dies half way is simply read again next time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from analysis import query as query_language
from conversations.models import Kind, Message
from conversations.services import PostingError, audit, record_external_answer
from listening import pipeline
from listening.items import SourceError
from listening.models import POLLED_KINDS, Query, Source

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
ERROR_MAX = 2000


class ListeningError(ValueError):
    """A request the listening post refuses; the message says why."""


def require_configure(user: User) -> None:
    if not user.can("configure"):
        raise ListeningError("Only admins configure the listening post.")


def backoff(source: Source, failures: int) -> timedelta:
    """After n failures in a row, wait the poll interval times 2^n, up to the ceiling."""
    minutes = source.poll_minutes * (2 ** min(failures, 16))
    return timedelta(minutes=min(minutes, settings.LISTENING_MAX_BACKOFF_MINUTES))


def save_source(source: Source, *, by: User) -> Source:
    """Create or change a source after checking its configuration with its connector."""
    require_configure(by)
    if source.kind in POLLED_KINDS:
        from listening import connectors

        try:
            source.config = connectors.check_config(source.kind, source.config)
        except ValueError as exc:
            raise ListeningError(str(exc)) from None
    else:
        source.config = {}
    creating = source.pk is None
    with transaction.atomic():
        if creating or source.next_poll_at is None:
            source.next_poll_at = timezone.now()
        source.save()
        audit(by, "added a listening source" if creating else "changed a listening source",
              source=source.pk, name=source.name)  # fmt: skip
    return source


def save_query(query: Query, *, by: User) -> Query:
    """Create or change a keyword query; its text must parse (analysis.query)."""
    require_configure(by)
    try:
        query_language.compile(query.text)
    except query_language.QueryError as exc:
        raise ListeningError(str(exc)) from None
    creating = query.pk is None
    with transaction.atomic():
        query.save()
        audit(by, "added a listening query" if creating else "changed a listening query",
              query=query.pk, name=query.name)  # fmt: skip
    return query


def set_active(source: Source, *, active: bool, by: User) -> Source:
    require_configure(by)
    with transaction.atomic():
        Source.objects.filter(pk=source.pk).update(
            active=active, next_poll_at=timezone.now() if active else source.next_poll_at,
            failures=0 if active else source.failures,
        )  # fmt: skip
        audit(by, "resumed a listening source" if active else "paused a listening source",
              source=source.pk, name=source.name)  # fmt: skip
    source.refresh_from_db()
    return source


@dataclass
class TestRun:
    ok: bool
    message: str
    items: list = field(default_factory=list)
    matches: dict[int, list[str]] = field(default_factory=dict)  # item index → query names
    warnings: list[str] = field(default_factory=list)


def try_source(source: Source, *, by: User, limit: int = 10) -> TestRun:
    """Read the source once without storing anything or moving its cursor: what would come in."""
    require_configure(by)
    if source.kind not in POLLED_KINDS:
        return TestRun(False, "Only feeds, Mastodon and Bluesky sources are read by Openline.")
    from listening import connectors
    from listening.fetch import Fetcher

    try:
        poll = connectors.poll(source.kind, source.config, {}, Fetcher())
    except SourceError as exc:
        return TestRun(False, str(exc))
    queries = pipeline.active_queries()
    now = timezone.now()
    run = TestRun(True, f"Read {len(poll.items)} items.", warnings=list(poll.warnings))
    for item in poll.items[:limit]:
        try:
            prepared = pipeline.prepare(item, source, now)
        except ValueError:
            continue
        pipeline.match(prepared, queries)
        run.items.append(prepared)
        run.matches[len(run.items) - 1] = [q.name for q in queries if q.pk in prepared.query_ids]
    return run


def claim(source_id: int, now: datetime) -> Source | None:
    """Take the source for one poll, unless another worker holds it or it is not due."""
    won = Source.objects.filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now),
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now),
        pk=source_id,
        active=True,
        kind__in=POLLED_KINDS,
    ).update(leased_until=now + LEASE)
    return Source.objects.get(pk=source_id) if won else None


def poll(source_id: int, *, now: datetime | None = None) -> pipeline.Result | None:
    """Poll one source if it is due; returns what was stored, or None when not polled."""
    now = now or timezone.now()
    source = claim(source_id, now)
    if source is None:
        return None
    from listening import connectors
    from listening.fetch import Fetcher

    fetcher = Fetcher(validators=dict(source.cursor.get("validators") or {}))
    try:
        result_poll = connectors.poll(source.kind, source.config, dict(source.cursor), fetcher)
        result = pipeline.ingest(result_poll.items, source=source, now=now)
    except Exception as exc:
        _failed(source, exc, now)
        if not isinstance(exc, SourceError):
            log.exception("polling source %s failed", source.pk)
        return None
    cursor = {**result_poll.cursor, "validators": fetcher.validators}
    warning = "; ".join(result_poll.warnings + result.errors[:3])
    Source.objects.filter(pk=source.pk).update(
        cursor=cursor,
        leased_until=None,
        failures=0,
        last_polled_at=now,
        last_success_at=now,
        last_error=warning[:ERROR_MAX],
        last_error_at=now if warning else source.last_error_at,
        next_poll_at=now + timedelta(minutes=source.poll_minutes),
    )
    return result


def _failed(source: Source, exc: BaseException, now: datetime) -> None:
    failures = source.failures + 1
    message = str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}"
    Source.objects.filter(pk=source.pk).update(
        leased_until=None,
        failures=failures,
        last_polled_at=now,
        last_error=message[:ERROR_MAX],
        last_error_at=now,
        next_poll_at=now + backoff(source, failures),
    )


def due_sources(now: datetime) -> list[int]:
    return list(
        Source.objects.filter(
            Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now),
            Q(leased_until__isnull=True) | Q(leased_until__lt=now),
            active=True,
            kind__in=POLLED_KINDS,
        ).values_list("pk", flat=True)
    )


def record_answer(message: Message, *, by: User, url: str, body_md: str = "") -> Message:
    """Staff answered a mention on the site where it was posted: keep the answer and its link;
    the mention counts as answered from now."""
    if message.conversation.kind != Kind.MENTION:
        raise PostingError("Only mentions are answered on another site.")
    return record_external_answer(message, by=by, url=url, body_md=body_md)
