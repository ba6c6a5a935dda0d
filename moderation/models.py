"""A member's standing in the community: trust earned from activity, and sanctions."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.models import Person


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
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.person} ({self.get_trust_level_display()})"
