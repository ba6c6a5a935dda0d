"""State changes of discussions and questions: starting a topic, accepting an answer.

Replies go through `conversations.services.post_comment` like every public reply; ideas
have their own verbs in `community.ideas`, the FAQ in `community.faq`.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Person, User
from community.models import DEFAULT_IDEA_STATUS, Idea, IdeaStatus, Question
from conversations import targets
from conversations.markup import plain_text, render_markdown
from conversations.models import (
    COMMUNITY_KINDS,
    Category,
    Channel,
    Conversation,
    Kind,
    Label,
    Message,
    Moderation,
    ResponseState,
)
from conversations.services import (
    TITLE_MAX,
    PostingError,
    _announce,
    _check_body,
    _score_later,
    _unique_slug,
    audit,
    subscribe,
    thread_changed,
)
from openline import pagecache, ratelimit
from openline.tasks import enqueue

TITLE_MIN = 5


def clean_title(title: str | None) -> str:
    """A title as stored: one line, spaces collapsed, between TITLE_MIN and TITLE_MAX long."""
    title = " ".join((title or "").replace("\x00", "").split())
    if len(title) < TITLE_MIN:
        raise PostingError(f"A title of at least {TITLE_MIN} characters, please.")
    if len(title) > TITLE_MAX:
        raise PostingError(
            f"That title is {len(title):,} characters; the limit is {TITLE_MAX}. Please shorten it."
        )
    return title


def start_topic(
    *,
    kind: str,
    author: Person,
    title: str,
    body_md: str,
    category: Category | None = None,
    labels: list[Label] | tuple = (),
    idempotency_key: str = "",
    rate_limit_key: str | None = None,
    at: datetime | None = None,
) -> Conversation:
    """A discussion, question or idea, with the author's post as its opening message.

    A customer's post waits for a response like every customer message, and passes the
    moderation gate: a new member's first post is held until a moderator lets it through
    (the topic is unlisted until then). Sending the form twice returns the first topic.
    """
    if kind not in COMMUNITY_KINDS:
        raise PostingError("Start a discussion, a question or an idea.")
    title = clean_title(title)
    body_md = _check_body(body_md)
    if idempotency_key:
        existing = (
            Message.objects.filter(author=author, idempotency_key=idempotency_key[:64])
            .select_related("conversation")
            .first()
        )
        if existing is not None:
            return existing.conversation
    official = author.is_staff_member
    moderation = Moderation.VISIBLE
    if not official:
        if rate_limit_key:
            ratelimit.hit("topic", rate_limit_key, settings.COMMUNITY_TOPIC_RATE_LIMIT)
        from moderation import gate

        moderation = gate.check_post(author, body_md=body_md, title=title)
    now = at or timezone.now()
    body_html = render_markdown(body_md, trusted=official)
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                kind=kind,
                is_public=True,
                title=title,
                slug=_unique_slug(title),
                summary=plain_text(body_html, 280)[:300],
                category=category,
                author=author,
                # A held topic is listed once a moderator lets its opening post through.
                published_at=now if moderation == Moderation.VISIBLE else None,
                created_at=now,
                updated_at=now,
                last_activity_at=now,
            )
            if labels:
                conversation.labels.set(labels)
            opening = Message.objects.create(
                conversation=conversation,
                author=author,
                is_opening=True,
                body_md=body_md,
                body_html=body_html,
                official=official,
                channel=Channel.WEB,
                moderation=moderation,
                idempotency_key=idempotency_key[:64],
                response_state=ResponseState.NOT_APPLICABLE if official else ResponseState.AWAITING,
                due_at=None
                if official
                else targets.due_at(now, Channel.WEB, conversation.priority),
                created_at=now,
                updated_at=now,
            )
            if kind == Kind.QUESTION:
                Question.objects.create(conversation=conversation)
            elif kind == Kind.IDEA:
                Idea.objects.create(
                    conversation=conversation,
                    status=IdeaStatus.objects.get(slug=DEFAULT_IDEA_STATUS),
                    status_changed_at=now,
                )
            if not official:
                gate.after_post(opening)
            _after_new_topic(conversation, opening, now)
    except IntegrityError:
        if idempotency_key:
            return Message.objects.get(
                author=author, idempotency_key=idempotency_key[:64]
            ).conversation
        raise
    return conversation


def _after_new_topic(conversation: Conversation, opening: Message, now) -> None:
    from conversations import cases

    _score_later(opening)
    cases.open_case(conversation, opening, now)
    subscribe(conversation, opening.author)
    if opening.moderation == Moderation.VISIBLE:
        _announce(opening)
    pagecache.invalidate()


def publish_held_topic(opening: Message) -> None:
    """A moderator let a held opening post through: its topic is listed, dated when written."""
    conversation = opening.conversation
    if conversation.kind in COMMUNITY_KINDS and conversation.published_at is None:
        Conversation.objects.filter(pk=conversation.pk, published_at__isnull=True).update(
            published_at=opening.created_at
        )
        pagecache.invalidate()


# --- Questions ---------------------------------------------------------------------------


def can_accept(user: User, conversation: Conversation) -> bool:
    """The asker and staff who answer customers accept answers."""
    if not user.is_authenticated or conversation.kind != Kind.QUESTION:
        return False
    if user.can("answer"):
        return True
    person = getattr(user, "person", None)
    return person is not None and person.pk == conversation.author_id


def accept_answer(conversation: Conversation, message: Message, *, by: User) -> Question:
    """Mark `message` as the answer to the question `conversation`.

    An official reply makes it the official answer, which answers the asker's waiting
    messages in the staff queue; a customer's makes it answered by the community, which does
    the same if the COMMUNITY_ACCEPTED_ANSWER_COUNTS setting is on. Accepting another answer
    replaces it.
    """
    if conversation.kind != Kind.QUESTION:
        raise PostingError("Only questions have accepted answers.")
    if not can_accept(by, conversation):
        raise PostingError("Only the person who asked, or staff, accept an answer.")
    if conversation.locked:
        raise PostingError("This question is locked.")
    if (
        message.conversation_id != conversation.pk
        or message.is_opening
        or message.internal
        or message.moderation != Moderation.VISIBLE
    ):
        raise PostingError("Choose a visible reply to this question.")
    if message.author_id == conversation.author_id:
        raise PostingError("The answer has to come from someone other than the person who asked.")
    now = timezone.now()
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=conversation.pk)
        if question.accepted_answer_id == message.pk:
            return question
        question.accepted_answer = message
        question.accepted_by = by
        question.accepted_at = now
        question.save(update_fields=["accepted_answer", "accepted_by", "accepted_at"])
        if message.official or settings.COMMUNITY_ACCEPTED_ANSWER_COUNTS:
            _answered_by(conversation, message, by=by, now=now)
        if by.is_staff_member:
            audit(by, "accepted answer", conversation=conversation, message=message)
        thread_changed(conversation.pk)
        from notifications import tasks as notification_tasks

        enqueue(notification_tasks.answer_accepted, conversation.pk, notification_tasks.queued())
    return question


def _answered_by(conversation: Conversation, answer: Message, *, by: User, now) -> None:
    """The asker's waiting messages are answered by the accepted reply, and a customer's reply
    itself needs no response of its own."""
    waiting = Message.objects.filter(
        conversation=conversation,
        author_id=conversation.author_id,
        response_state=ResponseState.AWAITING,
        created_at__lte=answer.created_at,
    )
    for message in waiting:
        message.response_state = ResponseState.ANSWERED
        message.answered_at = message.closed_at = now
        message.answered_by = answer
        message.first_response_seconds = max(0, int((now - message.created_at).total_seconds()))
        message.first_response_business_seconds = targets.business_seconds(message.created_at, now)
        message.save(
            update_fields=[
                "response_state", "answered_at", "answered_by", "closed_at",
                "first_response_seconds", "first_response_business_seconds",
            ]
        )  # fmt: skip
    Message.objects.filter(pk=answer.pk, response_state=ResponseState.AWAITING).update(
        response_state=ResponseState.NO_REPLY_NEEDED,
        no_reply_reason="Accepted as the answer",
        closed_by=by,
        closed_at=now,
    )


def unaccept_answer(conversation: Conversation, *, by: User) -> Question:
    """Take the accepted answer back; what it answered in the queue stays answered."""
    if not can_accept(by, conversation):
        raise PostingError("Only the person who asked, or staff, change the accepted answer.")
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=conversation.pk)
        if question.accepted_answer_id is None:
            return question
        question.accepted_answer = question.accepted_by = question.accepted_at = None
        question.save(update_fields=["accepted_answer", "accepted_by", "accepted_at"])
        if by.is_staff_member:
            audit(by, "unaccepted answer", conversation=conversation)
        thread_changed(conversation.pk)
    return question
