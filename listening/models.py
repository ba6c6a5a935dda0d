"""The listening post: where mentions come from, what to look for, and what was found.

A **Source** is one place to read (a feed, a Mastodon tag, a Bluesky search, a webhook, a file
import) with its health. A **Query** is a Boolean keyword expression (`analysis.query`). Each
post found is stored once as a Conversation of kind "mention" with one Message; the **Mention**
row beside that Message holds what only mentions have (canonical URL, content hash, language,
the queries it matched). An **Alert** records a spike in volume or in negative share.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

from conversations.models import Message, Topic


class SourceKind(models.TextChoices):
    FEED = "feed", "RSS or Atom feed"
    MASTODON = "mastodon", "Mastodon API"
    BLUESKY = "bluesky", "Bluesky search"
    WEBHOOK = "webhook", "Inbound webhook"
    IMPORT = "import", "File import"


POLLED_KINDS = (SourceKind.FEED, SourceKind.MASTODON, SourceKind.BLUESKY)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Source(models.Model):
    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=SourceKind.choices)
    config = models.JSONField(
        default=dict, blank=True, help_text="What to read: a feed URL, an instance and tag …"
    )
    keep_all = models.BooleanField(
        default=False,
        help_text="Store every item, not only those that match an active query",
    )
    active = models.BooleanField(default=True, help_text="Paused sources are not polled")
    poll_minutes = models.PositiveIntegerField(default=15)
    secret = models.CharField(
        max_length=64, default=new_secret, help_text="Signs webhook deliveries (HMAC-SHA256)"
    )
    cursor = models.JSONField(
        default=dict, blank=True, help_text="ETags, Last-Modified dates and last ids seen"
    )
    # Health: what the admin sees, and what the poller needs to back off.
    next_poll_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(
        null=True, blank=True, help_text="A worker is polling it until then"
    )
    failures = models.PositiveIntegerField(default=0, help_text="Failed polls in a row")
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    items_seen = models.PositiveBigIntegerField(default=0)
    mentions_stored = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(
                fields=["next_poll_at"], condition=Q(active=True), name="source_active_next_poll"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_polled(self) -> bool:
        return self.kind in POLLED_KINDS


class ToInbox(models.TextChoices):
    RULES = "rules", "When the rules say it needs an answer"
    ALWAYS = "always", "Always"
    NEVER = "never", "Never"


class Query(models.Model):
    name = models.CharField(max_length=120, unique=True)
    text = models.TextField(
        max_length=2000,
        help_text='Keywords with AND, OR, NOT, "phrases", (groups), prefix*, NEAR/n, '
        "lang:, author:, site:",
    )
    active = models.BooleanField(default=True)
    to_inbox = models.CharField(max_length=8, choices=ToInbox.choices, default=ToInbox.RULES)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "queries"

    def __str__(self) -> str:
        return self.name


class Mention(models.Model):
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="mention")
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions"
    )
    external_id = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=1000, blank=True, help_text="Canonical URL")
    content_hash = models.CharField(
        max_length=64, unique=True, help_text="sha256 of the author and the normalised text"
    )
    site = models.CharField(max_length=200, blank=True)
    author = models.CharField(
        max_length=300, blank=True, help_text="Handle and name, as the source gave them"
    )
    language = models.CharField(max_length=8, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    needs_answer = models.BooleanField(default=False)
    inbox_reason = models.CharField(max_length=120, blank=True)
    queries = models.ManyToManyField(Query, through="MentionMatch", related_name="mentions")
    created_at = models.DateTimeField(default=timezone.now)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="mention_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=~Q(url=""), name="mention_unique_url"
            ),
        ]

    def __str__(self) -> str:
        return self.url or self.content_hash


class MentionMatch(models.Model):
    """A mention matched a query. `created_at` is the mention's, for per-query counts by time."""

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="matches")
    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="matches")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["query", "created_at"], name="match_query_created")]
        constraints = [
            models.UniqueConstraint(fields=["mention", "query"], name="match_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"mention {self.mention_id} matched query {self.query_id}"


class AlertMetric(models.TextChoices):
    VOLUME = "volume", "Volume"
    NEGATIVE_SHARE = "negative_share", "Negative share"


class Alert(models.Model):
    """A spike: the last window's figure rose above its rolling baseline plus k deviations."""

    metric = models.CharField(max_length=16, choices=AlertMetric.choices)
    query = models.ForeignKey(
        Query, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    count = models.PositiveIntegerField(help_text="Mentions in the window")
    negative = models.PositiveIntegerField(default=0, help_text="Negative mentions in it")
    observed = models.FloatField(help_text="The window's volume or negative share")
    baseline = models.FloatField(help_text="Mean over the baseline windows")
    spread = models.FloatField(help_text="Standard deviation over the baseline windows")
    threshold = models.FloatField()
    # What the detector saw, kept because late mentions change the counts afterwards: one
    # {"count", "negative", "scored"} per baseline window, oldest first, then the alert's window.
    series = models.JSONField(default=list, blank=True)
    mentions = models.ManyToManyField(Mention, blank=True, related_name="alerts")
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    webhook_sent_at = models.DateTimeField(null=True, blank=True)
    webhook_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["metric", "-created_at"], name="alert_metric_created")]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} spike in {self.scope_name}"

    @property
    def scope_name(self) -> str:
        if self.query_id:
            return f"query “{self.query}”"
        if self.topic_id:
            return f"topic “{self.topic}”"
        return "all mentions"
