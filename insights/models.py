"""Daily rollups behind the manager dashboard (see docs/insights.md).

A `Rollup` row holds one local day's figures for one channel and one value of a grouping
("grain"): the whole day, or one category, label, agent, team, known issue or topic, or an
agent within a category or label. Ids are plain integers, 0 meaning "none" (a message with
no category, not yet answered by anyone …), so rows need no joins and outlive what they
count. Database triggers (insights/schema.py) mark the hours whose messages, cases or
ratings changed in `DirtyHour`; `insights.rollups.refresh_pending` recomputes those days.
"""

from __future__ import annotations

from django.db import models


class Rollup(models.Model):
    day = models.DateField(help_text="Local date, in TIME_ZONE")
    grain = models.CharField(max_length=20, help_text="Which grouping: see rollups.GRAINS")
    channel = models.CharField(max_length=16)
    category = models.IntegerField(default=0)
    label = models.IntegerField(default=0)
    agent = models.IntegerField(default=0)
    team = models.IntegerField(default=0)
    issue = models.IntegerField(default=0, help_text="A known issue's conversation id")
    topic = models.IntegerField(default=0)

    # Customer messages written that day (removed ones left out).
    messages = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)
    neutral = models.PositiveIntegerField(default=0)
    positive = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    no_reply = models.PositiveIntegerField(default=0)
    within_target = models.PositiveIntegerField(default=0, help_text="Answered by the due time")
    answered_late = models.PositiveIntegerField(default=0)
    # Histograms (rollups.encode): first response in business seconds, as (bucket lower bound
    # in seconds, count) pairs; the same wait in wall-clock seconds, nights and weekends too.
    first_response = models.BinaryField(default=b"")
    first_response_clock = models.BinaryField(default=b"")
    # Cases resolved that day.
    resolved = models.PositiveIntegerField(default=0)
    conceded = models.PositiveIntegerField(default=0, help_text="Outcome: the company gave way")
    held = models.PositiveIntegerField(default=0, help_text="Outcome: the company held its ground")
    resolution = models.BinaryField(default=b"", help_text="Business seconds, bucketed")
    # Ratings of resolutions made that day.
    rated = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveIntegerField(default=0)
    scores = models.BinaryField(default=b"", help_text="(score, count) pairs")

    class Meta:
        # What every read asks: one grain, all channels or one, a span of days.
        indexes = [
            models.Index(fields=["grain", "channel", "day"], name="rollup_grain_channel_day")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day", "grain", "channel", "category", "label", "agent", "team", "issue",
                    "topic",
                ],
                name="rollup_unique_key",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.day} {self.grain or 'all'} {self.channel}"


class PersonDay(models.Model):
    """What one customer did on one local day that makes an advocate."""

    day = models.DateField()
    person = models.IntegerField()
    accepted = models.PositiveIntegerField(default=0, help_text="Their answers accepted")
    helped = models.PositiveIntegerField(
        default=0, help_text="Replies in community topics others started"
    )
    positive = models.PositiveIntegerField(default=0, help_text="Messages scored positive")

    class Meta:
        indexes = [models.Index(fields=["day", "person"], name="personday_day_person")]
        constraints = [
            models.UniqueConstraint(fields=["day", "person"], name="personday_unique"),
        ]

    def __str__(self) -> str:
        return f"person {self.person} on {self.day}"


class WonBack(models.Model):
    """A customer's positive message whose previous scored message was negative and got an
    answer before it: someone the company won back. Belongs to the positive message's day."""

    day = models.DateField()
    person = models.IntegerField()
    negative_message = models.IntegerField()
    answer_message = models.IntegerField()
    agent = models.IntegerField(default=0, help_text="The user whose answer it was")
    positive_message = models.IntegerField(unique=True)
    channel = models.CharField(max_length=16, help_text="The positive message's channel")

    class Meta:
        indexes = [models.Index(fields=["day"], name="wonback_day")]

    def __str__(self) -> str:
        return f"person {self.person} won back on {self.day}"


class DirtyHour(models.Model):
    """A mark that something counted in an hour (UTC, "YYYY-MM-DD HH") changed. Triggers only
    insert, so concurrent writers never wait on one another here; a refresh deletes exactly
    the marks it read."""

    hour = models.CharField(max_length=13)

    def __str__(self) -> str:
        return self.hour


class DigestSent(models.Model):
    """One weekly digest e-mailed to one address: sending the same week again skips it."""

    week = models.DateField(help_text="The Monday of the week the digest covers")
    email = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["week", "email"], name="digest_once_per_week"),
        ]

    def __str__(self) -> str:
        return f"digest of the week of {self.week} to {self.email}"
