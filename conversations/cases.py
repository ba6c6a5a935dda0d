"""Cases: conversations a customer starts (an e-mail, a question, a mention …).

A customer's message opens the case, with a resolution target; staff resolve it with an
outcome, which asks the customer how it went; the customer writing again reopens it.
Cases can be handed to a team and two cases about the same thing can be merged.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Team, User
from conversations import targets
from conversations.models import (
    CASE_KINDS,
    AuditEvent,
    Conversation,
    Message,
    Moderation,
    Outcome,
    ResponseState,
    Subscription,
)
from conversations.services import (
    PostingError,
    audit,
    locked_conversation,
    require_answerer,
    thread_changed,
)

OPEN_FIELDS = [
    "opened_at", "resolution_due_at", "resolution_warned_at", "resolution_escalated_at",
    "resolved_at", "resolved_by", "outcome", "resolution_business_seconds",
]  # fmt: skip


def _open(conversation: Conversation, at: datetime, channel: str) -> None:
    """Set the fields of an open case on `conversation` (not saved)."""
    conversation.opened_at = at
    conversation.resolution_due_at = targets.resolution_due_at(at, channel, conversation.priority)
    conversation.resolution_warned_at = conversation.resolution_escalated_at = None
    conversation.resolved_at = conversation.resolved_by = conversation.outcome = None
    conversation.resolution_business_seconds = None


def open_case(conversation: Conversation, message: Message, now: datetime) -> None:
    """A customer wrote: the case is open from now, or stays open if it already was.

    Called inside the transaction that stores the message."""
    if conversation.kind not in CASE_KINDS or message.response_state != ResponseState.AWAITING:
        return
    current = locked_conversation(conversation)
    if current.opened_at is not None or current.merged_into_id:
        return
    reopened = current.resolved_at is not None
    _open(current, now, message.channel)
    current.save(update_fields=OPEN_FIELDS)
    if reopened:
        audit(None, "reopened by the customer", conversation=current, message=message)
    for field in OPEN_FIELDS:
        setattr(conversation, field, getattr(current, field))


def resolve(conversation: Conversation, *, by: User, outcome: Outcome | None) -> Conversation:
    """Close the case with its outcome. Messages still waiting are closed without a reply,
    and the customer is asked for a rating."""
    from satisfaction import services as satisfaction

    require_answerer(by)
    if conversation.kind not in CASE_KINDS:
        raise PostingError("Comments on posts are answered one by one; only cases are resolved.")
    if outcome is None or not outcome.active:
        raise PostingError("Choose how the conversation ended.")
    with transaction.atomic():
        current = locked_conversation(conversation)
        if current.merged_into_id:
            raise PostingError("This conversation was merged into another one.")
        if current.resolved_at is not None and current.opened_at is None:
            raise PostingError("This conversation is already resolved.")
        now = timezone.now()
        closed = _close_waiting(current, by=by, reason=f"Resolved: {outcome.name}", now=now)
        started = current.opened_at or current.created_at
        current.resolution_business_seconds = targets.business_seconds(started, now)
        current.opened_at = None
        current.resolved_at = now
        current.resolved_by = by
        current.outcome = outcome
        current.snoozed_until = None
        current.save(update_fields=[*OPEN_FIELDS, "snoozed_until"])
        audit(by, "resolved", conversation=current, outcome=outcome.name, closed=closed)
        satisfaction.request_rating(current)
    for field in [*OPEN_FIELDS, "snoozed_until"]:
        setattr(conversation, field, getattr(current, field))
    return conversation


def _close_waiting(conversation: Conversation, *, by: User, reason: str, now: datetime) -> int:
    return conversation.messages.filter(response_state=ResponseState.AWAITING).update(
        response_state=ResponseState.NO_REPLY_NEEDED,
        no_reply_reason=reason[:200],
        closed_by=by,
        closed_at=now,
        updated_at=now,
    )


def reopen(conversation: Conversation, *, by: User) -> Conversation:
    """Staff take a resolved case up again: it gets a new resolution target from now."""
    require_answerer(by)
    with transaction.atomic():
        current = locked_conversation(conversation)
        if current.resolved_at is None or current.opened_at is not None:
            raise PostingError("Only a resolved conversation can be reopened.")
        channel = (
            current.messages.filter(official=False)
            .order_by("-created_at")
            .values_list("channel", flat=True)
            .first()
        )
        _open(current, timezone.now(), channel or "")
        current.save(update_fields=OPEN_FIELDS)
        audit(by, "reopened", conversation=current)
    for field in OPEN_FIELDS:
        setattr(conversation, field, getattr(current, field))
    return conversation


def set_team(conversation: Conversation, *, team: Team | None, by: User) -> Conversation:
    """Hand the conversation to a team (or to none); its members see it under "My teams"."""
    require_answerer(by)
    with transaction.atomic():
        current = locked_conversation(conversation)
        if current.team_id != (team.pk if team else None):
            current.team = team
            current.save(update_fields=["team"])
            audit(by, "handed to team", conversation=current, team=team.name if team else None)
    conversation.team = team
    return conversation


def merge_conversations(source: Conversation, into: Conversation, *, by: User) -> Conversation:
    """Move every message of `source` into `into`, which keeps its title and address.

    `source` stays as an empty record that points at `into`: its links and its e-mail reply
    token lead there. A private conversation is never merged into a public one."""
    require_answerer(by)
    if source.pk == into.pk:
        raise PostingError("Choose another conversation to merge with.")
    if source.kind not in CASE_KINDS or into.kind not in CASE_KINDS:
        raise PostingError("Only cases are merged: e-mails, questions, discussions, mentions.")
    if source.is_public != into.is_public:
        raise PostingError(
            "One conversation is private and the other public: merging would show private "
            "messages or hide public ones."
        )
    with transaction.atomic():
        # Lock both in a fixed order so two opposite merges cannot deadlock.
        locked = {
            c.pk: c
            for c in Conversation.objects.select_for_update()
            .filter(pk__in=[source.pk, into.pk])
            .order_by("pk")
        }
        src, dst = locked[source.pk], locked[into.pk]
        if src.merged_into_id or dst.merged_into_id:
            raise PostingError("One of them was already merged into another conversation.")
        moved = _move_contents(src, dst)
        _merge_desk(src, dst)
        src.merged_into = dst
        src.comments_open = False
        src.comment_count = 0
        src.opened_at = src.resolution_due_at = src.snoozed_until = None
        src.save(
            update_fields=[
                "merged_into", "comments_open", "comment_count", "opened_at",
                "resolution_due_at", "snoozed_until",
            ]
        )  # fmt: skip
        audit(by, "merged", conversation=dst, source=src.pk, title=src.title, messages=moved)
        thread_changed(dst.pk)
        thread_changed(src.pk)
    into.refresh_from_db()
    source.refresh_from_db()
    return into


def _move_contents(src: Conversation, dst: Conversation) -> int:
    moved = Message.objects.filter(conversation=src).update(conversation=dst, is_opening=False)
    # A follower of both keeps one subscription.
    followers = Subscription.objects.filter(conversation=dst).values("person_id")
    Subscription.objects.filter(conversation=src, person_id__in=followers).delete()
    Subscription.objects.filter(conversation=src).update(conversation=dst)
    AuditEvent.objects.filter(conversation=src).update(conversation=dst)
    Conversation.objects.filter(merged_into=src).update(merged_into=dst)
    dst.labels.add(*src.labels.all())
    # Whatever else belongs to a conversation (ratings, playbook runs …) follows it too.
    handled = {Message, Subscription, AuditEvent, Conversation}
    for relation in Conversation._meta.related_objects:
        if relation.one_to_many and relation.related_model not in handled:
            relation.related_model._base_manager.filter(**{relation.field.name: src}).update(
                **{relation.field.name: dst}
            )
    dst.comment_count = Message.objects.filter(
        conversation=dst, moderation=Moderation.VISIBLE, internal=False, is_opening=False
    ).count()
    return moved


def _merge_desk(src: Conversation, dst: Conversation) -> None:
    """The merged case is as urgent as the more urgent of the two, and open if either was."""
    dst.priority = max(src.priority, dst.priority)
    dst.assignee_id = dst.assignee_id or src.assignee_id
    dst.team_id = dst.team_id or src.team_id
    dst.last_activity_at = max(src.last_activity_at, dst.last_activity_at)
    if src.opened_at is not None:
        if dst.opened_at is None:
            dst.opened_at, dst.resolution_due_at = src.opened_at, src.resolution_due_at
            dst.resolved_at = dst.resolved_by = dst.outcome = None
            dst.resolution_business_seconds = None
        else:
            dst.opened_at = min(src.opened_at, dst.opened_at)
            dues = [d for d in (src.resolution_due_at, dst.resolution_due_at) if d is not None]
            dst.resolution_due_at = min(dues) if dues else None
    dst.save(
        update_fields=[
            "priority",
            "assignee",
            "team",
            "last_activity_at",
            "comment_count",
            *OPEN_FIELDS,
        ]
    )


def final(conversation: Conversation | None) -> Conversation | None:
    """Where a merged conversation's messages went (itself when it was never merged)."""
    seen = set()
    while conversation is not None and conversation.merged_into_id and conversation.pk not in seen:
        seen.add(conversation.pk)
        conversation = conversation.merged_into
    return conversation
