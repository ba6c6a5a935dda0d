"""What the community kinds add to their conversations.

A discussion, a question and an idea are Conversations whose opening message is the
customer's post; the side tables here hold what only that kind has: a question's accepted
answer, an idea's status, votes and status history. FAQ entries stand on their own.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Person, User
from conversations.models import Category, Conversation, Message


class Question(models.Model):
    """A question and the answer its asker (or staff) accepted."""

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, primary_key=True, related_name="question"
    )
    accepted_answer = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The "unsolved" list: questions without an accepted answer.
            models.Index(
                fields=["accepted_at"],
                condition=Q(accepted_answer__isnull=True),
                name="question_unsolved",
            ),
        ]

    def __str__(self) -> str:
        return f"Question {self.conversation_id}"

    @property
    def is_solved(self) -> bool:
        return self.accepted_answer_id is not None


class IdeaStatus(models.Model):
    """Where an idea stands. Five come built in; admins add their own."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60, unique=True)
    description = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the roadmap")
    is_open = models.BooleanField(
        default=True,
        help_text="Open ideas take votes; votes on closed ones (done, declined) go back to voters",
    )
    on_roadmap = models.BooleanField(default=True, help_text="Shown as a column on the roadmap")
    builtin = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "idea statuses"

    def __str__(self) -> str:
        return self.name


# What a new installation offers (migration 0002 writes them).
DEFAULT_IDEA_STATUSES = [
    # slug, name, description, is_open, on_roadmap
    ("under-review", "Under review", "We are reading it and weighing it up", True, True),
    ("planned", "Planned", "We mean to do it", True, True),
    ("in-progress", "In progress", "We are working on it", True, True),
    ("done", "Done", "It has shipped", False, True),
    ("declined", "Declined", "We will not do it, and say why", False, False),
]
DEFAULT_IDEA_STATUS = "under-review"


class Idea(models.Model):
    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, primary_key=True, related_name="idea"
    )
    status = models.ForeignKey(IdeaStatus, on_delete=models.PROTECT, related_name="ideas")
    vote_count = models.PositiveIntegerField(default=0)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The idea list and the roadmap: ideas of a status, most votes first.
            models.Index(fields=["status", "-vote_count"], name="idea_status_votes"),
        ]

    def __str__(self) -> str:
        return f"Idea {self.conversation_id} ({self.status})"


class IdeaStatusChange(models.Model):
    """One step in an idea's public history, with the reason given for it."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="changes")
    from_status = models.ForeignKey(
        IdeaStatus, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_status = models.ForeignKey(IdeaStatus, on_delete=models.PROTECT, related_name="+")
    reason_md = models.TextField()
    reason_html = models.TextField()
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.from_status_id} -> {self.to_status_id}"


class Vote(models.Model):
    """One member's vote for one idea."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="idea_votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "person"], name="vote_one_per_member"),
        ]
        indexes = [models.Index(fields=["person", "idea"], name="vote_person_idea")]

    def __str__(self) -> str:
        return f"{self.person_id} votes for {self.idea_id}"


class FaqEntry(models.Model):
    """A frequently asked question with its answer, written by staff or promoted from a
    community question."""

    question = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    answer_md = models.TextField()
    answer_html = models.TextField()
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="faq_entries"
    )
    source = models.ForeignKey(
        Conversation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="faq_entries",
        help_text="The community question it was promoted from",
    )
    position = models.PositiveSmallIntegerField(default=0)
    published = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "question"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"

    def __str__(self) -> str:
        return self.question
