"""A member's standing in the community: trust earned from activity, and sanctions; flags
members raise on posts; what the gate found when a post arrived; the spam filter's counts."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Person, User
from conversations.models import Message


class TrustLevel(models.IntegerChoices):
    NEW = 0, "New member"
    BASIC = 1, "Basic"
    MEMBER = 2, "Member"
    REGULAR = 3, "Regular"
    LEADER = 4, "Leader"


class Member(models.Model):
    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="member"
    )
    trust_level = models.PositiveSmallIntegerField(
        choices=TrustLevel.choices, default=TrustLevel.NEW
    )
    trust_locked = models.BooleanField(
        default=False, help_text="Set by a moderator; activity no longer moves it"
    )
    silenced_until = models.DateTimeField(
        null=True, blank=True, help_text="Reads, but cannot post, until then"
    )
    suspended_until = models.DateTimeField(
        null=True, blank=True, help_text="Cannot sign in or post until then"
    )
    sanction_reason = models.CharField(max_length=200, blank=True)
    login_paused = models.BooleanField(
        default=False,
        help_text="The suspension switched the login off; it is switched on again when it ends",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The job that ends suspensions: logins switched off, by end time.
            models.Index(
                fields=["suspended_until"], condition=Q(login_paused=True), name="member_paused"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_trust_level_display()})"

    def silenced(self, now=None) -> bool:
        return self.silenced_until is not None and self.silenced_until > (now or timezone.now())

    def suspended(self, now=None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or timezone.now())


class FlagReason(models.TextChoices):
    OFF_TOPIC = "off_topic", "Off-topic"
    INAPPROPRIATE = "inappropriate", "Inappropriate"
    SPAM = "spam", "Spam"
    OTHER = "other", "Something else"


class FlagState(models.TextChoices):
    PENDING = "pending", "Waiting for a moderator"
    AGREED = "agreed", "Agreed: the post was hidden or removed"
    DISMISSED = "dismissed", "Dismissed: the post stays"


FLAG_NOTE_MAX = 500


class Flag(models.Model):
    """A member's report that a post needs a moderator's eye; `weight` comes from the
    flagger's trust level when the flag was raised."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="flags")
    flagger = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="flags_raised")
    reason = models.CharField(max_length=16, choices=FlagReason.choices)
    note = models.CharField(max_length=FLAG_NOTE_MAX, blank=True)
    weight = models.FloatField()
    state = models.CharField(max_length=10, choices=FlagState.choices, default=FlagState.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "flagger"], name="flag_one_per_member"),
        ]
        indexes = [
            # The review queue: messages with pending flags.
            models.Index(
                fields=["message", "created_at"],
                condition=Q(state="pending"),
                name="flag_pending_message",
            ),
            # A member's standing: their flags by outcome.
            models.Index(fields=["flagger", "state"], name="flag_flagger_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} flag on message {self.message_id}"


class HeldBecause(models.TextChoices):
    NOT_HELD = "", "Not held"
    FIRST_POSTS = "first_posts", "First posts of a new member"
    SPAM = "spam", "Looks like spam"


class Learned(models.TextChoices):
    NOTHING = "", "Not taught"
    SPAM = "spam", "Taught as spam"
    HAM = "ham", "Taught as not spam"


class Screening(models.Model):
    """What moderation knows about one message: why the gate held it, its spam score and the
    reasons, what the spam filter was taught from it, and, while a topic's opening post is
    hidden, when the topic had been published (restoring it lists it at that time again)."""

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, primary_key=True, related_name="screening"
    )
    held_because = models.CharField(
        max_length=16, choices=HeldBecause.choices, blank=True, default=HeldBecause.NOT_HELD
    )
    spam_score = models.FloatField(null=True, blank=True, help_text="0 clean .. 1 spam")
    spam_reasons = models.JSONField(default=list, blank=True)
    learned = models.CharField(
        max_length=4, choices=Learned.choices, blank=True, default=Learned.NOTHING
    )
    topic_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Screening of message {self.message_id}"


class SpamToken(models.Model):
    """How many posts taught as spam, and as not spam, contained this word."""

    token = models.CharField(max_length=40, unique=True)
    spam = models.PositiveIntegerField(default=0)
    ham = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.token}: {self.spam} spam, {self.ham} not spam"


class SpamCorpus(models.Model):
    """How many posts the spam filter was taught from, of each kind (one row)."""

    spam_docs = models.PositiveIntegerField(default=0)
    ham_docs = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "spam corpus"

    def __str__(self) -> str:
        return f"{self.spam_docs} spam, {self.ham_docs} not spam"
