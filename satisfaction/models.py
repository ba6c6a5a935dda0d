"""A customer's rating of how a resolved conversation went (see docs/satisfaction.md)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Person, User
from conversations.models import Conversation

# How long after it is sent a survey takes a score or a comment (and a change of either).
OPEN_FOR = timedelta(days=14)
COMMENT_MAX = 2000


class Score(models.IntegerChoices):
    VERY_POOR = 1, "Very poor"
    POOR = 2, "Poor"
    OKAY = 3, "Okay"
    GOOD = 4, "Good"
    EXCELLENT = 5, "Excellent"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Survey(models.Model):
    """One question to one customer about one resolution of a conversation.

    The agent is whoever the conversation was assigned to when it was resolved (else whoever
    resolved it), so a later reassignment does not move the rating to someone else.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="surveys")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="surveys")
    agent = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="rated_surveys"
    )
    email = models.EmailField(max_length=320, help_text="Where the survey was sent")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    resolved_at = models.DateTimeField(help_text="The resolution this survey asks about")
    sent_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(choices=Score.choices, null=True, blank=True)
    comment = models.CharField(max_length=COMMENT_MAX, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True, help_text="Last score or comment")
    stopped_at = models.DateTimeField(
        null=True, blank=True, help_text="The customer asked not to be surveyed again"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Average and count per agent over a period of resolutions (agent_summary).
            models.Index(
                fields=["agent", "resolved_at"],
                condition=Q(score__isnull=False),
                name="survey_agent_rated",
            ),
        ]
        constraints = [
            # One survey per resolution: a case resolved, reopened and resolved again is
            # asked about again, the same resolution never twice. Also serves a
            # conversation's ratings on its staff page.
            models.UniqueConstraint(
                fields=["conversation", "resolved_at"], name="survey_once_per_resolution"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="survey_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} on {self.conversation_id}: {self.score or 'no answer'}"

    @property
    def closes_at(self) -> datetime:
        return self.created_at + OPEN_FOR

    def is_open(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) < self.closes_at

    @property
    def stars(self) -> str:
        return "★" * (self.score or 0) + "☆" * (5 - (self.score or 0))
