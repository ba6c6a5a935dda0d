"""Every e-mail received, kept as it came before anything is done with it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from conversations.models import Message


class InboundEmail(models.Model):
    """One delivery of one e-mail, whatever door it came through.

    The raw bytes are stored first, in the same transaction nothing else touches, and processed
    afterwards by a job: a crash, a bug or a locked database in processing loses nothing, and
    the same bytes delivered twice are stored once (sha256).
    """

    class Source(models.TextChoices):
        SMTP = "smtp", "SMTP listener"
        IMAP = "imap", "IMAP mailbox"
        WEBHOOK = "webhook", "Inbound webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be processed"
        STORED = "stored", "Stored as a message"
        IGNORED = "ignored", "Not a customer message"
        FAILED = "failed", "Failed; kept to retry"

    source = models.CharField(max_length=8, choices=Source.choices)
    received_at = models.DateTimeField(default=timezone.now)
    envelope_from = models.CharField(max_length=320, blank=True)
    envelope_to = models.JSONField(default=list, blank=True)
    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, unique=True)
    header_message_id = models.CharField(
        "Message-ID", max_length=500, blank=True, db_index=True, help_text="Without <>"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    kind = models.CharField(
        max_length=12, blank=True, help_text="customer, auto_reply, bounce or loop"
    )
    note = models.TextField(blank=True, help_text="Why it was ignored, what failed, what was odd")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_emails"
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # The retry sweep: deliveries still waiting or failed, oldest first.
            models.Index(fields=["status", "received_at"], name="inbound_status_received"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} e-mail {self.header_message_id or self.pk}"


class MailboxState(models.Model):
    """Where IMAP polling of one mailbox got to, and how it last went."""

    key = models.CharField(max_length=500, unique=True, help_text="imap(s)://user@host:port/folder")
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    messages_seen = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.key
