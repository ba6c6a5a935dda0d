"""Early warning: spikes in mention volume and in negative share, their alerts, and the news.

`check_spikes(now)` counts the mentions of the SPIKE_BASELINE_WINDOWS windows of
SPIKE_WINDOW_MINUTES before `now`, and of the current window [now - W, now), for all mentions,
each topic and each active query, in two grouped queries (mentions, with their topics; query
matches). `analysis.spikes` decides what is a spike (docs/listening-alerts.md). Each spike
not cooling down becomes an Alert with the window's mentions attached, and `notify_alert` is
queued once the alert is committed. `notify(alert_id)` e-mails the managers and posts to the
alert webhook, each at most once. Staff read alerts through `alerts_for_staff` and
`get_alert_for_staff`.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.access import PK_MAX, require, staff_addresses
from analysis import spikes
from conversations.markup import plain_text
from conversations.models import Moderation, Sentiment
from listening.models import Alert, AlertMetric, Mention, MentionMatch
from openline import signing
from openline.routing import cached_reverse
from openline.tasks import enqueue

log = logging.getLogger(__name__)

MENTIONS_ATTACHED = 500  # the newest of a window's mentions kept with its alert
EXAMPLES_EMAILED = 5
EXAMPLES_POSTED = 10
EXCERPT_CHARS = 280
WEBHOOK_TIMEOUT_SECONDS = 10.0
ERROR_MAX = 2000
# Any fixed number will do: on PostgreSQL, runs of check_spikes queue for this advisory lock.
LOCK_KEY = zlib.crc32(b"openline.listening.check_spikes")

# (query id, topic id): (None, None) is all mentions, (q, None) a query, (None, t) a topic.
Scope = tuple[int | None, int | None]
ALL: Scope = (None, None)


# --- Counting ----------------------------------------------------------------------------


def window_bounds(now: datetime) -> list[datetime]:
    """The edges of the baseline windows and the current one, oldest first: B + 2 instants,
    the last being `now`. Window i is [bounds[i], bounds[i + 1])."""
    width = timedelta(minutes=settings.SPIKE_WINDOW_MINUTES)
    windows = settings.SPIKE_BASELINE_WINDOWS + 1
    return [now - width * (windows - i) for i in range(windows + 1)]


def _window_of(field: str, bounds: Sequence[datetime]) -> Case:
    """The window a row falls in, computed by the database. Plain comparisons of aware
    datetimes, so the same on SQLite and PostgreSQL and whatever the site's time zone."""
    inner = bounds[1:-1]
    return Case(
        *(When(**{f"{field}__lt": edge}, then=Value(i)) for i, edge in enumerate(inner)),
        default=Value(len(inner)),
        output_field=IntegerField(),
    )


@dataclass
class Series:
    """A scope's figures per window, oldest first; the last is the current window."""

    count: list[int]
    negative: list[int]
    scored: list[int]  # mentions with a sentiment: the denominator of the negative share

    @classmethod
    def empty(cls, windows: int) -> Series:
        return cls([0] * windows, [0] * windows, [0] * windows)

    def add(self, window: int, sentiment: str, n: int) -> None:
        self.count[window] += n
        if sentiment:
            self.scored[window] += n
        if sentiment == Sentiment.NEGATIVE:
            self.negative[window] += n

    def as_json(self) -> list[dict[str, int]]:
        return [
            {"count": c, "negative": n, "scored": s}
            for c, n, s in zip(self.count, self.negative, self.scored, strict=True)
        ]


def count_windows(bounds: Sequence[datetime]) -> dict[Scope, Series]:
    """Every scope's series over the windows between `bounds`, in two queries.

    A query is watched once it is older than the whole span: matching starts when a query
    is saved, so a new query's empty past would make its first busy window look like a spike.
    """
    windows = len(bounds) - 1
    series: dict[Scope, Series] = {ALL: Series.empty(windows)}

    def of(scope: Scope) -> Series:
        return series.setdefault(scope, Series.empty(windows))

    mentions = (
        Mention.objects.filter(created_at__gte=bounds[0], created_at__lt=bounds[-1])
        .exclude(message__moderation=Moderation.REMOVED)
        .annotate(window=_window_of("created_at", bounds))
        .values("window", "message__sentiment", "message__topic_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in mentions:
        window, sentiment, n = row["window"], row["message__sentiment"], row["n"]
        series[ALL].add(window, sentiment, n)
        if row["message__topic_id"] is not None:
            of((None, row["message__topic_id"])).add(window, sentiment, n)

    matches = (
        MentionMatch.objects.filter(
            query__active=True,
            query__created_at__lte=bounds[0],
            created_at__gte=bounds[0],
            created_at__lt=bounds[-1],
        )
        .exclude(mention__message__moderation=Moderation.REMOVED)
        .annotate(window=_window_of("created_at", bounds))
        .values("window", "mention__message__sentiment", "query_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in matches:
        of((row["query_id"], None)).add(row["window"], row["mention__message__sentiment"], row["n"])
    return series


# --- Deciding ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    metric: str
    scope: Scope
    spike: spikes.Spike
    series: Series


def _scope_order(scope: Scope) -> tuple:
    query_id, topic_id = scope
    if query_id is not None:
        return (1, query_id)
    return (0, 0) if topic_id is None else (2, topic_id)


def find_spikes(series: dict[Scope, Series]) -> list[Found]:
    """The spikes in the current (last) window of each scope: all mentions, then queries,
    then topics; volume before negative share."""
    k, min_count = settings.SPIKE_K, settings.SPIKE_MIN_COUNT
    found = []
    for scope in sorted(series, key=_scope_order):
        s = series[scope]
        volume = spikes.detect_volume(s.count[-1], s.count[:-1], k=k, min_count=min_count)
        if volume:
            found.append(Found(AlertMetric.VOLUME, scope, volume, s))
        history = list(zip(s.negative[:-1], s.scored[:-1], strict=True))
        share = spikes.detect_share(s.negative[-1], s.scored[-1], history, k=k, min_count=min_count)
        if share:
            found.append(Found(AlertMetric.NEGATIVE_SHARE, scope, share, s))
    return found


def _cooling_down(now: datetime) -> set[tuple[str, int | None, int | None]]:
    """(metric, query, topic) of alerts whose window ended less than the cooldown ago, or
    ends at `now` or later: a second run for the same moment adds nothing, even with no
    cooldown."""
    since = now - timedelta(minutes=settings.SPIKE_COOLDOWN_MINUTES)
    recent = Alert.objects.filter(Q(window_end__gt=since) | Q(window_end__gte=now))
    return set(recent.values_list("metric", "query_id", "topic_id"))


def _one_run_at_a_time() -> None:
    """Two workers checking at once would both see no recent alert and both raise one.
    SQLite already runs one writing transaction at a time ("IMMEDIATE" mode, settings.py);
    PostgreSQL needs a lock, held until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def check_spikes(now: datetime | None = None) -> list[Alert]:
    """Raise an alert for each spike in the window ending at `now` (the current minute when
    not given), unless the same metric and scope alerted within the cooldown."""
    from listening.alert_tasks import notify_alert

    if now is None:
        now = timezone.now().replace(second=0, microsecond=0)
    bounds = window_bounds(now)
    raised = []
    with transaction.atomic():
        _one_run_at_a_time()
        found = find_spikes(count_windows(bounds))
        quiet = _cooling_down(now) if found else set()
        for candidate in found:
            if (candidate.metric, *candidate.scope) in quiet:
                continue
            alert = _raise_alert(candidate, bounds[-2], bounds[-1])
            raised.append(alert)
            enqueue(notify_alert, alert.pk)
    for alert in raised:
        log.info("Alert %s: %s", alert.pk, summary(alert))
    return raised


def _raise_alert(found: Found, start: datetime, end: datetime) -> Alert:
    query_id, topic_id = found.scope
    s = found.series
    alert = Alert.objects.create(
        metric=found.metric,
        query_id=query_id,
        topic_id=topic_id,
        window_start=start,
        window_end=end,
        count=s.count[-1],
        negative=s.negative[-1],
        observed=found.spike.observed,
        baseline=found.spike.baseline,
        spread=found.spike.spread,
        threshold=found.spike.threshold,
        series=s.as_json(),
    )
    ids = list(
        _causes(found, start, end)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[:MENTIONS_ATTACHED]
    )
    through = Alert.mentions.through
    through.objects.bulk_create([through(alert_id=alert.pk, mention_id=pk) for pk in ids])
    return alert


def _causes(found: Found, start: datetime, end: datetime) -> QuerySet[Mention]:
    """The window's mentions in the scope; for a negative-share spike, the negative ones."""
    query_id, topic_id = found.scope
    if query_id is not None:
        mentions = Mention.objects.filter(
            matches__query_id=query_id, matches__created_at__gte=start, matches__created_at__lt=end
        )
    else:
        mentions = Mention.objects.filter(created_at__gte=start, created_at__lt=end)
    if topic_id is not None:
        mentions = mentions.filter(message__topic_id=topic_id)
    if found.metric == AlertMetric.NEGATIVE_SHARE:
        mentions = mentions.filter(message__sentiment=Sentiment.NEGATIVE)
    return mentions.exclude(message__moderation=Moderation.REMOVED)


# --- Describing --------------------------------------------------------------------------


def duration(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{minutes} minutes"


def window_minutes(alert: Alert) -> int:
    return round((alert.window_end - alert.window_start).total_seconds() / 60)


def percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def figure(alert: Alert, value: float) -> str:
    """A figure of the alert as people read it: a share in percent, a count with a decimal."""
    if alert.metric == AlertMetric.NEGATIVE_SHARE:
        return percent(value)
    return f"{value:.1f}"


def summary(alert: Alert) -> str:
    """One line: what rose, where, how far, against what is usual."""
    if alert.query_id:
        where = f" matching “{alert.query}”"
    elif alert.topic_id:
        where = f" about “{alert.topic}”"
    else:
        where = ""
    window = duration(window_minutes(alert))
    if alert.metric == AlertMetric.NEGATIVE_SHARE:
        return (
            f"{percent(alert.observed)} of mentions{where} negative in {window} "
            f"({alert.negative} of {scored(alert)}), usually {percent(alert.baseline)}"
        )
    return f"{alert.count} mentions{where} in {window}, usually {alert.baseline:.1f}"


def scored(alert: Alert) -> int:
    """The mentions of the alert's window with a sentiment: what its negative share is of."""
    return alert.series[-1]["scored"] if alert.series else alert.count


def alert_url(alert: Alert) -> str:
    return settings.SITE_URL + cached_reverse("listening:alert", alert.pk)


@dataclass(frozen=True)
class Example:
    url: str
    text: str
    author: str
    sentiment: str
    published_at: datetime | None


def examples(alert: Alert, limit: int) -> list[Example]:
    """The newest mentions behind the alert, as the e-mail and the webhook show them."""
    mentions = alert.mentions.select_related("message__author").order_by("-created_at", "-pk")
    return [
        Example(
            url=m.url or m.message.external_url,
            text=plain_text(m.message.body_html, EXCERPT_CHARS),
            author=m.author or m.message.author.display_name,
            sentiment=m.message.sentiment,
            published_at=m.published_at,
        )
        for m in mentions[:limit]
    ]


# --- Telling -----------------------------------------------------------------------------


class DeliveryError(Exception):
    """The e-mail or the webhook failed; what failed is recorded on the alert, and a retry
    sends only what was not sent."""


def notify(alert_id: int) -> None:
    """E-mail the managers and post to ALERT_WEBHOOK_URL, each once per alert.

    Each channel is claimed by setting its timestamp under a row lock before anything is
    sent, so two workers never both send; the lock is not held while sending. A failed
    channel gives its claim back (a failed webhook also records why) and the other channel
    goes ahead; then DeliveryError lets the task retry.
    """
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update(of=("self",))
            .select_related("query", "topic")
            .filter(pk=alert_id)
            .first()
        )
        if alert is None:
            return
        now = timezone.now()
        managers = staff_addresses("report") if alert.emailed_at is None else []
        post = bool(settings.ALERT_WEBHOOK_URL) and alert.webhook_sent_at is None
        claimed = []
        if managers:
            alert.emailed_at = now
            claimed.append("emailed_at")
        if post:
            alert.webhook_sent_at = now
            claimed.append("webhook_sent_at")
        if not claimed:
            return
        alert.save(update_fields=claimed)

    shown = examples(alert, max(EXAMPLES_EMAILED, EXAMPLES_POSTED))
    failed = []
    if managers:
        try:
            email(alert, managers, shown[:EXAMPLES_EMAILED])
        except Exception:
            log.exception("Alert %s: the e-mail to managers failed", alert.pk)
            Alert.objects.filter(pk=alert.pk).update(emailed_at=None)
            failed.append("e-mail")
    if post:
        error = post_webhook(alert, shown[:EXAMPLES_POSTED])
        if error:
            log.warning("Alert %s: the webhook failed: %s", alert.pk, error)
            Alert.objects.filter(pk=alert.pk).update(webhook_sent_at=None, webhook_error=error)
            failed.append("webhook")
        elif alert.webhook_error:
            Alert.objects.filter(pk=alert.pk).update(webhook_error="")
    if failed:
        raise DeliveryError(f"Alert {alert.pk}: {' and '.join(failed)} failed")


def email(alert: Alert, to: list[str], shown: list[Example]) -> None:
    body = render_to_string(
        "listening/alert_email.txt",
        {
            "alert": alert,
            "summary": summary(alert),
            "figure": lambda value: figure(alert, value),
            "window": duration(window_minutes(alert)),
            "start": alert.window_start.astimezone(UTC),
            "end": alert.window_end.astimezone(UTC),
            "baseline_windows": max(len(alert.series) - 1, 0),
            "examples": shown,
            "alert_url": alert_url(alert),
            "site_name": settings.SITE_NAME,
        },
    )
    headers = {"Auto-Submitted": "auto-generated", "X-Openline-Loop": settings.SUPPORT_EMAIL_DOMAIN}
    EmailMessage(subject=f"Spike: {summary(alert)}", body=body, to=to, headers=headers).send()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def webhook_payload(alert: Alert, shown: list[Example]) -> dict:
    if alert.query_id:
        scope = {"kind": "query", "id": alert.query_id, "name": alert.query.name}
    elif alert.topic_id:
        scope = {"kind": "topic", "id": alert.topic_id, "name": alert.topic.name}
    else:
        scope = {"kind": "all", "id": None, "name": "all mentions"}
    return {
        "event": "openline.alert",
        "alert": {
            "id": alert.pk,
            "metric": alert.metric,
            "scope": scope,
            "summary": summary(alert),
            "window_start": _iso(alert.window_start),
            "window_end": _iso(alert.window_end),
            "count": alert.count,
            "negative": alert.negative,
            "observed": alert.observed,
            "baseline": alert.baseline,
            "spread": alert.spread,
            "threshold": alert.threshold,
            "created_at": _iso(alert.created_at),
            "url": alert_url(alert),
            "mentions": [
                {
                    "url": e.url,
                    "text": e.text,
                    "author": e.author,
                    "sentiment": e.sentiment,
                    "published_at": _iso(e.published_at),
                }
                for e in shown
            ],
        },
    }


def post_webhook(alert: Alert, shown: list[Example]) -> str:
    """POST the alert as JSON; returns "" when the receiver took it, else what went wrong.
    Redirects are not followed: a webhook that moved is a configuration to fix."""
    import httpx  # only here: web processes that show alerts never load it

    body = json.dumps(webhook_payload(alert, shown), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "Openline-alerts/1"}
    if settings.ALERT_WEBHOOK_SECRET:
        headers[signing.HEADER] = signing.signature(settings.ALERT_WEBHOOK_SECRET, body)
    try:
        with (
            httpx.Client(timeout=WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False) as client,
            client.stream("POST", settings.ALERT_WEBHOOK_URL, content=body, headers=headers) as r,
        ):
            status, reason = r.status_code, r.reason_phrase
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
    if 300 <= status < 400:
        return f"HTTP {status} {reason}: redirects are not followed"
    if status >= 400:
        return f"HTTP {status} {reason}"
    return ""


# --- Access ------------------------------------------------------------------------------


ALERTS_ARE_FOR = "Alerts are for staff who answer customers."


def alerts_for_staff(user) -> QuerySet[Alert]:
    """Every alert, newest first, with its query and topic."""
    require(user, "answer", ALERTS_ARE_FOR)
    return Alert.objects.select_related("query", "topic").order_by("-created_at", "-pk")


def get_alert_for_staff(user, pk: int) -> Alert:
    require(user, "answer", ALERTS_ARE_FOR)
    alert = None
    if 0 < pk <= PK_MAX:
        alert = Alert.objects.select_related("query", "topic").filter(pk=pk).first()
    if alert is None:
        raise Http404("No such alert")
    return alert
