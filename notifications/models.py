"""What members are told about, and how they want to be told.

A Notification is one person's note of one event (a reply, an @mention, an accepted answer,
an idea's new status, a known issue's update): shown on their notifications page when they
have a login and want it there, e-mailed when they want that. Preferences are per person and
per kind; the member's handle for @mentions and the "no e-mail at all" switch live in
MemberSettings.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Person
from conversations.models import Conversation, Message


class Kind(models.TextChoices):
    # Listed from the most to the least specific: when several reasons to tell a person
    # about one message apply, the first one here is the one they are told.
    REPLY = "reply", "Replies to your messages"
    MENTION = "mention", "@mentions of you"
    OFFICIAL_REPLY = "official_reply", "Official replies in conversations you follow"
    FOLLOWED_REPLY = "followed_reply", "Other new replies in conversations you follow"
    ANSWER_ACCEPTED = "answer_accepted", "Accepted answers to your questions and from you"
    IDEA_STATUS = "idea_status", "Status changes of ideas you voted for or follow"
    STATUS_UPDATE = "status_update", "Updates on known issues you follow"


# Told because the person follows the conversation: their e-mails' unsubscribe link stops
# following it (the subscription's own link), as it always has.
FOLLOWING_KINDS = frozenset(
    {Kind.OFFICIAL_REPLY, Kind.FOLLOWED_REPLY, Kind.IDEA_STATUS, Kind.STATUS_UPDATE}
)


class EmailState(models.TextChoices):
    NONE = "", "Not e-mailed"
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Refused or failed"


class Notification(models.Model):
    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    event = models.CharField(
        max_length=64, help_text="What happened, e.g. message:42; one notification per event"
    )
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(max_length=300, help_text="One line: who did what, where")
    excerpt = models.CharField(max_length=300, blank=True)
    in_site = models.BooleanField(default=True, help_text="Shown on the notifications page")
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.EmailField(blank=True, help_text="Where it is e-mailed; empty if it is not")
    email_state = models.CharField(
        max_length=8, choices=EmailState.choices, blank=True, default=EmailState.NONE
    )
    email_error = models.CharField(max_length=300, blank=True)
    email_claim = models.CharField(
        max_length=32, blank=True, help_text="The job run that took it to send"
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A job that runs twice, or rules that overlap, tell a person once per event.
            models.UniqueConstraint(
                fields=["recipient", "event"], name="notification_once_per_event"
            ),
        ]
        indexes = [
            # A member's notifications page, newest first.
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(in_site=True),
                name="notification_page",
            ),
            # The unread count in the header.
            models.Index(
                fields=["recipient"],
                condition=Q(in_site=True, read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient_id}: {self.event}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Preference(models.Model):
    """How one person wants to hear of one kind of event; no row means the defaults."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    in_site = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="preference_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}: site={self.in_site} email={self.email}"


class MemberSettings(models.Model):
    """A member's handle for @mentions, and whether they want any e-mail at all."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="notification_settings"
    )
    handle = models.CharField(
        max_length=30, unique=True, help_text="Lower case; others write @handle to mention them"
    )
    no_email = models.BooleanField(default=False, help_text="No notification e-mail at all")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "member settings"

    def __str__(self) -> str:
        return f"@{self.handle}"
