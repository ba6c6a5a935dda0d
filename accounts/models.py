"""People as the company knows them, with their logins and their identities elsewhere."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    AGENT = "agent", "Agent"
    BLOGGER = "blogger", "Blogger"
    MODERATOR = "moderator", "Moderator"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


# What each role may do. Views ask for a capability, never for a role by name.
CAPABILITIES: dict[str, frozenset[str]] = {
    "answer": frozenset({Role.AGENT, Role.BLOGGER, Role.MODERATOR, Role.MANAGER, Role.ADMIN}),
    "publish": frozenset({Role.BLOGGER, Role.ADMIN}),
    "moderate": frozenset({Role.MODERATOR, Role.ADMIN}),
    "report": frozenset({Role.MANAGER, Role.ADMIN}),
    "configure": frozenset({Role.ADMIN}),
}


class OpenlineUserManager(UserManager):
    def create_superuser(self, username=None, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username or email, email, password, **extra_fields)


class User(AbstractUser):
    """A login. Who the user is to the company (name, title, identities) lives on Person."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER)

    objects = OpenlineUserManager()

    def can(self, capability: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return self.role in CAPABILITIES[capability]

    @property
    def is_staff_member(self) -> bool:
        return self.is_active and (self.is_superuser or self.role != Role.CUSTOMER)


class Person(models.Model):
    """A customer or a member of staff, with or without a login."""

    display_name = models.CharField(max_length=120)
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    title = models.CharField(
        max_length=120, blank=True, help_text="Staff title, e.g. Chief Blogger"
    )
    bio = models.TextField(blank=True, help_text="Shown under the byline of a guest author")
    is_staff_member = models.BooleanField(
        default=False, help_text="Written by the company: replies count as official"
    )
    is_guest_author = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def first_name(self) -> str:
        return self.display_name.split()[0] if self.display_name.strip() else ""

    @property
    def byline(self) -> str:
        """How staff sign: "Lionel M., Chief Blogger"."""
        return f"{self.display_name}, {self.title}" if self.title else self.display_name


class IdentityKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    FORUM = "forum", "Forum account"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    REDDIT = "reddit", "Reddit"
    OTHER = "other", "Other"


class Identity(models.Model):
    """One way to reach a Person: an e-mail address or a handle on another network."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=16, choices=IdentityKind.choices)
    value = models.CharField(max_length=320)
    verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            # Incoming messages are matched to a Person by (kind, value), case-insensitively.
            models.UniqueConstraint("kind", Lower("value"), name="identity_unique_kind_value_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Team(models.Model):
    """A group of staff who share conversations: Deliveries, Billing, Social …"""

    name = models.CharField(max_length=80, unique=True)
    members = models.ManyToManyField(User, blank=True, related_name="teams")
    email = models.EmailField(
        blank=True, help_text="Where warnings about the team's conversations go, besides members"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


NOTE_MAX = 2000


class PersonNote(models.Model):
    """What staff want colleagues to know about a person. Never shown to the person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="person_notes"
    )
    body = models.TextField(max_length=NOTE_MAX, help_text="Plain text, for staff only")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The notes on a person's profile, newest first.
            models.Index(fields=["person", "-created_at"], name="personnote_person_created"),
        ]

    def __str__(self) -> str:
        return f"Note on {self.person_id} at {self.created_at:%Y-%m-%d %H:%M}"
