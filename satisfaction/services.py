"""Satisfaction follow-up after a conversation is resolved.

Resolving a case calls request_rating() inside its transaction; the e-mail goes out after
commit. The customer answers with one click (rate), may add a comment (add_comment), and
may ask never to be surveyed again (stop_surveys). See docs/satisfaction.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from accounts.models import IdentityKind, Person, User
from conversations.models import CASE_KINDS, Conversation, Kind
from conversations.services import audit
from openline import ratelimit
from openline.tasks import enqueue
from openline.text import written_text
from satisfaction.models import COMMENT_MAX, Score, Survey


class RatingError(ValueError):
    """The answer cannot be stored; the message says why, in words for the customer."""


class UnknownSurvey(RatingError):
    def __init__(self):
        super().__init__("This link is not one of ours, or it was mistyped.")


class SurveyClosed(RatingError):
    def __init__(self, survey: Survey):
        super().__init__(
            f"This survey closed on {survey.closes_at:%-d %B %Y}: answers are taken for "
            "14 days. Thank you all the same."
        )
        self.survey = survey


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: float | None


@dataclass(frozen=True)
class AgentRating:
    agent_id: int
    name: str
    count: int
    average: float


# --- Asking ----------------------------------------------------------------------------


def request_rating(conversation: Conversation) -> Survey | None:
    """Ask the customer of a just-resolved conversation for a 1-5 rating (after commit).

    Nothing is sent when surveys are switched off, for a conversation that is not a resolved
    case, to a customer without an e-mail address or who asked not to be surveyed, or for a
    resolution that already has its survey. Returns the survey, new or existing.
    """
    if not settings.SATISFACTION_SURVEYS:
        return None
    if conversation.kind not in CASE_KINDS or conversation.resolved_at is None:
        return None
    person = conversation.author
    if person.is_staff_member:
        return None
    email = _address(person, conversation.kind)
    if not email or _stopped(person, email):
        return None
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                conversation=conversation,
                person=person,
                agent_id=conversation.assignee_id or conversation.resolved_by_id,
                email=email,
                resolved_at=conversation.resolved_at,
            )
    except IntegrityError:
        # This resolution was asked about already (survey_once_per_resolution).
        return Survey.objects.get(conversation=conversation, resolved_at=conversation.resolved_at)
    from satisfaction import tasks

    enqueue(tasks.send_survey, survey.pk)
    return survey


def _address(person: Person, kind: str) -> str:
    """Where the customer hears from us: for an e-mail conversation the address they wrote
    from, otherwise their account's address first."""
    identity = (
        person.identities.filter(kind=IdentityKind.EMAIL)
        .order_by("-id")
        .values_list("value", flat=True)
        .first()
    )
    account = person.user.email if person.user_id else ""
    if kind == Kind.EMAIL:
        return identity or account or ""
    return account or identity or ""


def _stopped(person: Person, email: str) -> bool:
    return Survey.objects.filter(
        Q(person=person) | Q(email__iexact=email), stopped_at__isnull=False
    ).exists()


def mark_sent(survey: Survey) -> None:
    survey.sent_at = timezone.now()
    survey.save(update_fields=["sent_at"])


# --- Answering ---------------------------------------------------------------------------


def survey_for_token(token: str) -> Survey:
    """The survey a link belongs to, with what its pages show; UnknownSurvey otherwise."""
    survey = Survey.objects.select_related("conversation").filter(token=token).first()
    if survey is None:
        raise UnknownSurvey()
    return survey


def check_score(score: int) -> int:
    if score not in Score.values:
        raise RatingError(f"{score} is not a score we know: choose a number from 1 to 5.")
    return score


def _locked(token: str) -> Survey:
    """The survey as stored now, locked until the transaction ends (not its conversation,
    which staff may be working on)."""
    survey = (
        Survey.objects.select_for_update(of=("self",))
        .select_related("conversation")
        .filter(token=token)
        .first()
    )
    if survey is None:
        raise UnknownSurvey()
    return survey


def _check_open(survey: Survey, now: datetime) -> None:
    if not survey.is_open(now):
        raise SurveyClosed(survey)


def rate(token: str, score: int) -> Survey:
    """Record (or change) the customer's score; each change is in the conversation's log."""
    now = timezone.now()
    with transaction.atomic():
        survey = _locked(token)
        check_score(score)
        _check_open(survey, now)
        if survey.score != score:
            before = survey.score
            survey.score = score
            survey.answered_at = now
            survey.save(update_fields=["score", "answered_at"])
            audit(None, "rated", conversation=survey.conversation, score=score, before=before)
    return survey


def add_comment(token: str, comment: str, *, rate_limit_key: str | None = None) -> Survey:
    """The customer's words beside their score; a new comment replaces the old one."""
    now = timezone.now()
    with transaction.atomic():
        survey = _locked(token)
        comment = written_text(comment, COMMENT_MAX, RatingError)
        _check_open(survey, now)
        if survey.score is None:
            raise RatingError("Please choose a score from 1 to 5 first.")
        if rate_limit_key:
            ratelimit.hit("satisfaction-comment", rate_limit_key, settings.COMMENT_RATE_LIMIT)
        survey.comment = comment
        survey.answered_at = now
        survey.save(update_fields=["comment", "answered_at"])
    return survey


def stop_surveys(token: str) -> Survey:
    """The customer asks not to be surveyed again (from any survey, open or closed)."""
    survey = survey_for_token(token)
    if survey.stopped_at is None:
        survey.stopped_at = timezone.now()
        survey.save(update_fields=["stopped_at"])
    return survey


# --- Reading -----------------------------------------------------------------------------


def ratings_for_conversation(conversation: Conversation) -> list[Survey]:
    """Every survey about the conversation, newest first, answered or not."""
    return list(
        Survey.objects.filter(conversation=conversation).select_related(
            "agent__person", "conversation"
        )
    )


def ratings_for_person(person: Person, *, limit: int = 50) -> list[Survey]:
    """The customer's surveys across conversations, newest first."""
    return list(
        Survey.objects.filter(person=person).select_related("agent__person", "conversation")[:limit]
    )


def _summary(surveys) -> RatingSummary:
    result = surveys.filter(score__isnull=False).aggregate(count=Count("id"), average=Avg("score"))
    return RatingSummary(count=result["count"], average=result["average"])


def summary_for_conversation(conversation: Conversation) -> RatingSummary:
    return _summary(Survey.objects.filter(conversation=conversation))


def summary_for_agent(
    agent: User, *, since: datetime | None = None, until: datetime | None = None
) -> RatingSummary:
    return _summary(_in_period(Survey.objects.filter(agent=agent), since, until))


def agent_summary(
    *, since: datetime | None = None, until: datetime | None = None
) -> list[AgentRating]:
    """Count and average score per agent for resolutions in [since, until), by name."""
    rows = (
        _in_period(Survey.objects.filter(score__isnull=False, agent__isnull=False), since, until)
        .values("agent_id", "agent__person__display_name", "agent__email")
        .annotate(count=Count("id"), average=Avg("score"))
        .order_by("agent__person__display_name", "agent_id")
    )
    return [
        AgentRating(
            agent_id=row["agent_id"],
            name=row["agent__person__display_name"] or row["agent__email"],
            count=row["count"],
            average=row["average"],
        )
        for row in rows
    ]


def _in_period(surveys, since: datetime | None, until: datetime | None):
    if since is not None:
        surveys = surveys.filter(resolved_at__gte=since)
    if until is not None:
        surveys = surveys.filter(resolved_at__lt=until)
    return surveys
