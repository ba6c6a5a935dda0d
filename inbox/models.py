"""Canned replies and crisis playbooks for the staff inbox (see docs/canned-replies.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User
from conversations.models import Category, Conversation, KnownIssueStatus


class CannedReply(models.Model):
    """A saved answer with fields ({first_name}, {agent_name}, {link}) filled in per customer.

    No owner: shared with all staff (managers and admins keep those). An owner: that
    person's own, seen by nobody else.
    """

    title = models.CharField(max_length=120)
    body_md = models.TextField(
        "Text",
        help_text="Markdown. Fields: {first_name}, {agent_name}, {link}; {{ and }} for braces.",
    )
    link = models.URLField(
        max_length=500, blank=True, help_text="What {link} stands for, unless a playbook is running"
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="canned_replies",
        help_text="Offered first on conversations in this department",
    )
    owner = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
        help_text="Empty: shared with all staff. Set: only this person sees it.",
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    use_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["title", "id"]
        verbose_name_plural = "canned replies"
        indexes = [
            # The picker and the list page: the shared replies and one person's own, by title.
            models.Index(fields=["owner", "title"], name="canned_owner_title"),
        ]
        constraints = [
            # The picker lists replies by title: two shared ones of the same name would be
            # indistinguishable there, as would two of one person's own.
            models.UniqueConstraint(
                Lower("title"),
                condition=Q(owner__isnull=True),
                name="canned_unique_shared_title",
                violation_error_message="There is already a shared reply with this title.",
            ),
            models.UniqueConstraint(
                Lower("title"),
                "owner",
                condition=Q(owner__isnull=False),
                name="canned_unique_personal_title",
                violation_error_message="You already have a reply with this title.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None

    def clean(self) -> None:
        # Imported here: inbox.canned imports this module.
        from inbox.canned import check_fields

        super().clean()
        check_fields(self.body_md)


class Playbook(models.Model):
    """What staff do in a crisis: canned replies to use, and the known issue to publish."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, help_text="When to start it, for the staff")
    canned_replies = models.ManyToManyField(
        CannedReply,
        blank=True,
        related_name="playbooks",
        # A personal reply in a playbook would be offered to nobody but its owner.
        limit_choices_to={"owner__isnull": True},
        help_text="Shared replies; while a run is active their {link} is its known issue",
    )
    issue_title = models.CharField("Known issue title", max_length=200)
    issue_affected_area = models.CharField("Affected area", max_length=200)
    issue_body_md = models.TextField("Known issue text", help_text="Markdown, published as is")
    issue_category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Known issue department",
    )
    next_update_minutes = models.PositiveIntegerField(
        default=60, help_text="The first update is promised this many minutes after starting"
    )
    active = models.BooleanField(default=True, help_text="Offered on the playbooks page")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            # publish_post refuses a promise in the past; zero minutes would be one.
            models.CheckConstraint(
                condition=Q(next_update_minutes__gte=1), name="playbook_next_update_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlaybookRunQuerySet(models.QuerySet):
    def active(self):
        """Runs nobody ended whose known issue is not resolved yet: resolving it ends the run."""
        return self.filter(
            ended_at__isnull=True,
            known_issue__known_issue__status__in=[
                s for s in KnownIssueStatus.values if s != KnownIssueStatus.RESOLVED
            ],
        )


class PlaybookRun(models.Model):
    """One use of a playbook: the known issue it published, from start to end."""

    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="runs")
    known_issue = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="playbook_runs"
    )
    started_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PlaybookRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            # The playbooks page: the latest runs first.
            models.Index(fields=["-started_at"], name="playbookrun_started"),
        ]
        constraints = [
            # A playbook runs once at a time: starting it twice would publish two known
            # issues for one crisis. Its partial index also serves PlaybookRun.active().
            models.UniqueConstraint(
                fields=["playbook"],
                condition=Q(ended_at__isnull=True),
                name="playbookrun_one_open_per_playbook",
                violation_error_message="This playbook is already running.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.playbook} from {self.started_at:%Y-%m-%d %H:%M}"
