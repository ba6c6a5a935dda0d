"""One shape for every channel: a Conversation of Messages.

An article, a known issue, a forum topic, an e-mail thread and a mention found on
another site are all Conversations; every contribution to them is a Message. The
staff queue, search and analytics all read the same Message table.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Person, Team, User
from openline.routing import cached_reverse


class Kind(models.TextChoices):
    ARTICLE = "article", "Article"
    KNOWN_ISSUE = "known_issue", "Known issue"
    DISCUSSION = "discussion", "Discussion"
    QUESTION = "question", "Question"
    IDEA = "idea", "Idea"
    EMAIL = "email", "E-mail"
    MENTION = "mention", "Mention"


BLOG_KINDS = (Kind.ARTICLE, Kind.KNOWN_ISSUE)
# Conversations a customer starts: each is a case that gets resolved, with an outcome and a
# resolution target. Comments under a blog post are answered one by one instead.
# Conversations customers start in public, on the community pages.
COMMUNITY_KINDS = (Kind.DISCUSSION, Kind.QUESTION, Kind.IDEA)
CASE_KINDS = (Kind.DISCUSSION, Kind.QUESTION, Kind.IDEA, Kind.EMAIL, Kind.MENTION)


class Category(models.Model):
    """A department or product area: Deliveries, Billing, the app …"""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("blog:category", self.slug)


class Label(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("blog:label", self.slug)


class Stance(models.TextChoices):
    CONCEDED = "conceded", "The company gave way"
    HELD = "held", "The company held its ground"
    NEUTRAL = "neutral", "Neither"


# What a new installation offers (migration 0007 writes them; admins edit them after).
DEFAULT_OUTCOMES = [
    ("Answered", Stance.NEUTRAL, "The customer had a question and got the answer"),
    ("Fixed", Stance.CONCEDED, "Something was wrong on our side and is now put right"),
    ("Refunded", Stance.CONCEDED, "Money went back to the customer"),
    ("Replaced", Stance.CONCEDED, "A new item or service instead of the faulty one"),
    ("Goodwill gesture", Stance.CONCEDED, "More than policy asks: a voucher, a credit, a gift"),
    ("Policy upheld", Stance.HELD, "We explained the policy and kept to it"),
    ("Not our fault", Stance.HELD, "The cause lay elsewhere, and we said so"),
    ("No action needed", Stance.NEUTRAL, "Thanks, feedback or a duplicate"),
]


class Outcome(models.Model):
    """How a resolved conversation ended, as the company's admins name the endings."""

    name = models.CharField(max_length=80, unique=True)
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.NEUTRAL)
    description = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the list")
    active = models.BooleanField(default=True, help_text="Offered when resolving")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ConversationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(
            is_public=True, published_at__isnull=False, published_at__lte=timezone.now()
        )

    def blog(self):
        return self.filter(kind__in=BLOG_KINDS)


class Priority(models.IntegerChoices):
    LOW = 0, "Low"
    NORMAL = 1, "Normal"
    HIGH = 2, "High"
    URGENT = 3, "Urgent"


class Conversation(models.Model):
    kind = models.CharField(max_length=16, choices=Kind.choices)
    is_public = models.BooleanField(default=True)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(
        max_length=300, blank=True, help_text="Plain-text teaser for lists, feeds and previews"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    labels = models.ManyToManyField(Label, blank=True, related_name="conversations")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="conversations")
    published_at = models.DateTimeField(null=True, blank=True, help_text="Empty while a draft")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    comment_count = models.PositiveIntegerField(default=0, help_text="Visible public replies")
    comments_open = models.BooleanField(
        default=True, help_text="Closed: members no longer reply; staff still may"
    )
    locked = models.BooleanField(
        default=False, help_text="Locked by a moderator: no replies, edits, votes or flags"
    )
    thread_version = models.PositiveIntegerField(
        default=0, help_text="Moves on every change readers see in the replies; keys cached HTML"
    )
    # The staff desk: who handles it, how urgent it is, and until when it is put aside.
    assignee = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    # A case's life: opened by a customer, resolved by staff with an outcome.
    opened_at = models.DateTimeField(
        null=True, blank=True, help_text="When the customer (re)opened it; None once resolved"
    )
    resolution_due_at = models.DateTimeField(
        null=True, blank=True, help_text="Resolution target, in business hours"
    )
    resolution_warned_at = models.DateTimeField(null=True, blank=True)
    resolution_escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.PROTECT, related_name="conversations"
    )
    resolution_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        help_text="Its messages moved there; its addresses lead there",
    )
    reply_token = models.CharField(
        max_length=24,
        blank=True,
        help_text="In the Reply-To of mail we send, so the answer finds its conversation",
    )

    objects = ConversationQuerySet.as_manager()

    class Meta:
        indexes = [
            # The home page and feeds: newest published blog posts.
            models.Index(fields=["kind", "-published_at"], name="conv_kind_published"),
            # Resolution warnings and escalation: open cases by their target time.
            models.Index(
                fields=["resolution_due_at"],
                condition=Q(opened_at__isnull=False),
                name="conv_open_resolution_due",
            ),
        ]
        constraints = [
            # An inbound e-mail's token finds exactly one conversation.
            models.UniqueConstraint(
                fields=["reply_token"], condition=~Q(reply_token=""), name="conv_unique_reply_token"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.kind in COMMUNITY_KINDS:
            return cached_reverse("community:topic", self.slug)
        return cached_reverse("blog:post", self.slug)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()

    @property
    def is_case(self) -> bool:
        return self.kind in CASE_KINDS


class Channel(models.TextChoices):
    WEB = "web", "Website"
    EMAIL = "email", "E-mail"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    REDDIT = "reddit", "Reddit"
    FEED = "feed", "Feed"
    WEBHOOK = "webhook", "Webhook"
    IMPORT = "import", "Import"
    API = "api", "API"


class ResponseState(models.TextChoices):
    NOT_APPLICABLE = "na", "Not a customer message"
    AWAITING = "awaiting", "Awaiting response"
    ANSWERED = "answered", "Answered"
    NO_REPLY_NEEDED = "no_reply", "No reply needed"


class Moderation(models.TextChoices):
    VISIBLE = "visible", "Visible"
    HELD = "held", "Held for moderation"
    HIDDEN = "hidden", "Hidden after flags or by a moderator"
    REMOVED = "removed", "Removed"


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    NEUTRAL = "neutral", "Neutral"
    POSITIVE = "positive", "Positive"


class Intent(models.TextChoices):
    QUESTION = "question", "Question"
    COMPLAINT = "complaint", "Complaint"
    PRAISE = "praise", "Praise"
    SUGGESTION = "suggestion", "Suggestion"
    OTHER = "other", "Other"


class Topic(models.Model):
    """A theme customers write about, found by clustering their messages (analysis.topics).

    `number` is the topic's id inside the clustering model, kept in TopicModelState.
    """

    number = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    terms = models.JSONField(default=list, help_text="Top terms, most characteristic first")
    size = models.PositiveIntegerField(default=0, help_text="Messages assigned so far")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-size", "number"]

    def __str__(self) -> str:
        return self.name


class TopicModelState(models.Model):
    """The one clustering model, serialised; `revision` moves on every save so workers
    know when the copy they hold in memory is stale."""

    state = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"topic model, revision {self.revision}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="messages")
    is_opening = models.BooleanField(
        default=False,
        help_text="The body of the conversation: an article's text, a topic's first post",
    )
    body_md = models.TextField("Markdown source")
    body_html = models.TextField("Sanitised HTML, rendered once when written")
    official = models.BooleanField(default=False, help_text="Written by staff for the company")
    internal = models.BooleanField(
        default=False, help_text="Staff-only note, never shown to customers"
    )
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    external_id = models.CharField(max_length=500, blank=True)
    external_url = models.URLField(max_length=1000, blank=True)
    moderation = models.CharField(
        max_length=16, choices=Moderation.choices, default=Moderation.VISIBLE
    )
    idempotency_key = models.CharField(
        max_length=64, blank=True, help_text="Set by the form so a double submit stores one message"
    )

    response_state = models.CharField(
        max_length=16, choices=ResponseState.choices, default=ResponseState.NOT_APPLICABLE
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    first_response_business_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="The same wait, counted in business hours"
    )
    due_at = models.DateTimeField(
        null=True, blank=True, help_text="First-response target, in business hours"
    )
    escalated_at = models.DateTimeField(
        null=True, blank=True, help_text="When managers were told the target was missed"
    )
    warned_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff were warned the target was near"
    )
    no_reply_reason = models.CharField(max_length=200, blank=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was answered or marked as needing no reply"
    )
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Filled in after commit by conversations.scoring (see docs/analysis.md).
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(
        null=True, blank=True, help_text="-1 negative .. 1 positive"
    )
    intent = models.CharField(max_length=10, choices=Intent.choices, blank=True)
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    analysed_with = models.CharField(
        max_length=60, blank=True, help_text="Models that scored it; rescoring picks the others"
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(
        null=True, blank=True, help_text="Last change to the text after posting; see revisions"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The staff queue: customer messages awaiting a response, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(response_state="awaiting"),
                name="msg_awaiting_created",
            ),
            # A conversation's thread in order.
            models.Index(fields=["conversation", "created_at"], name="msg_conversation_created"),
            # "Due soon" and escalation: waiting messages by their target time.
            models.Index(
                fields=["due_at"], condition=Q(response_state="awaiting"), name="msg_awaiting_due"
            ),
            # Trending topics: a topic's messages by day.
            models.Index(fields=["topic", "created_at"], name="msg_topic_created"),
            # A day's messages, as the insights rollups recompute it, and reports by date.
            models.Index(fields=["created_at"], name="msg_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"],
                condition=Q(is_opening=True),
                name="msg_one_opening_per_conversation",
            ),
            # A double-submitted form stores one message.
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="msg_unique_author_idempotency_key",
            ),
            # A message delivered twice from another site is stored once.
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="msg_unique_channel_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} in {self.conversation}"

    def get_absolute_url(self) -> str:
        return f"{self.conversation.get_absolute_url()}#m{self.pk}"

    @property
    def is_customer_message(self) -> bool:
        return self.response_state != ResponseState.NOT_APPLICABLE


class MessageRevision(models.Model):
    """The text a message had before an edit: the public sees that, and how, it changed."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    body_md = models.TextField()
    body_html = models.TextField()
    edited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-edited_at", "-id"]

    def __str__(self) -> str:
        return f"Revision of message {self.message_id} at {self.edited_at:%Y-%m-%d %H:%M}"


class KnownIssueStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"


class KnownIssue(models.Model):
    """What a known-issue post adds to its conversation: where, how far along, when next."""

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, primary_key=True, related_name="known_issue"
    )
    affected_area = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=KnownIssueStatus.choices, default=KnownIssueStatus.INVESTIGATING
    )
    next_update_due = models.DateTimeField(
        null=True, blank=True, help_text="Our public promise of the next update"
    )
    started_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.conversation.title} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status != KnownIssueStatus.RESOLVED

    def update_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_open and self.next_update_due is not None and self.next_update_due < now


class StatusUpdate(models.Model):
    """One timestamped entry on a known issue's public timeline."""

    known_issue = models.ForeignKey(KnownIssue, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=16, choices=KnownIssueStatus.choices)
    body_md = models.TextField()
    body_html = models.TextField()
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="status_updates")
    next_update_due = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.created_at:%Y-%m-%d %H:%M}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Subscription(models.Model):
    """A person follows a conversation: an e-mail on each status update or official reply."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="subscriptions"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "person"], name="subscription_unique_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} follows {self.conversation_id}"


def _attachment_path(attachment: Attachment, filename: str) -> str:
    # A random folder per file: names from strangers never collide or guess each other.
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(8)}/{filename}"


class Attachment(models.Model):
    """A file that came with a message (an e-mail attachment), kept under the data folder."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    file = models.FileField(upload_to=_attachment_path, max_length=400)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.filename


class AuditEvent(models.Model):
    """One thing a staff member did: answered, closed, assigned, moderated, noted …"""

    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=32)
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit"
    )
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # A conversation's history on its staff page.
            models.Index(fields=["conversation", "-at"], name="audit_conversation_at"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.verb} at {self.at:%Y-%m-%d %H:%M}"
