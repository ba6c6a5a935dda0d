"""Every state change of conversations and messages goes through a function here.

Each function owns its side effects: counters, the response state of customer
messages, subscriptions, notifications (queued after commit) and the page cache.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Person, User
from accounts.services import person_for_user
from conversations import targets
from conversations.markup import plain_text, render_markdown
from conversations.models import (
    AuditEvent,
    Category,
    Channel,
    Conversation,
    Kind,
    KnownIssue,
    KnownIssueStatus,
    Label,
    Message,
    Moderation,
    Priority,
    ResponseState,
    StatusUpdate,
    Subscription,
)
from openline import pagecache, ratelimit
from openline.tasks import enqueue
from openline.text import written_text

TITLE_MAX = 200
MESSAGE_MAX = 100_000  # a private message (an e-mail) is shortened past this, never refused


_WEB_ADDRESS = URLValidator(schemes=["http", "https"])


class PostingError(ValueError):
    """The input cannot be stored; the message says why, in words for the person."""


def _check_body(body_md: str, limit: int | None = None) -> str:
    return written_text(body_md, limit or settings.COMMENT_MAX_LENGTH, PostingError)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "post"
    slug, n = base, 2
    while Conversation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def labels_from_names(names: list[str]) -> list[Label]:
    labels = []
    for name in names:
        name = name.strip()[:60]
        if not name:
            continue
        slug = slugify(name)[:60] or "label"
        label, _ = Label.objects.get_or_create(slug=slug, defaults={"name": name})
        labels.append(label)
    return labels


# --- Publishing -------------------------------------------------------------------


def publish_post(
    *,
    author: Person,
    kind: str,
    title: str,
    body_md: str,
    category: Category | None = None,
    labels: list[Label] | tuple = (),
    summary: str = "",
    published_at: datetime | None = None,
    draft: bool = False,
    affected_area: str = "",
    status: str = KnownIssueStatus.INVESTIGATING,
    next_update_due: datetime | None = None,
    slug: str = "",
) -> Conversation:
    """An article or a known-issue post, with its body as the opening message."""
    if kind not in (Kind.ARTICLE, Kind.KNOWN_ISSUE):
        raise PostingError("Only articles and known issues are published on the blog.")
    title = (title or "").strip()
    if not title:
        raise PostingError("A post needs a title.")
    if len(title) > TITLE_MAX:
        raise PostingError(f"Titles are limited to {TITLE_MAX} characters.")
    body_md = _check_body(body_md, limit=200_000)
    if kind == Kind.KNOWN_ISSUE and not affected_area.strip():
        raise PostingError("Say what the known issue affects.")
    now = timezone.now()
    if status == KnownIssueStatus.RESOLVED:
        next_update_due = None
    body_html = render_markdown(body_md, trusted=True)
    with transaction.atomic():
        conversation = Conversation.objects.create(
            kind=kind,
            title=title,
            slug=slug or _unique_slug(title),
            summary=(summary.strip() or plain_text(body_html, 280))[:300],
            category=category,
            author=author,
            published_at=None if draft else (published_at or now),
            created_at=published_at or now,
            updated_at=published_at or now,
            last_activity_at=published_at or now,
        )
        if labels:
            conversation.labels.set(labels)
        opening = Message.objects.create(
            conversation=conversation,
            author=author,
            is_opening=True,
            body_md=body_md,
            body_html=body_html,
            official=True,
            created_at=published_at or now,
        )
        if kind == Kind.KNOWN_ISSUE:
            KnownIssue.objects.create(
                conversation=conversation,
                affected_area=affected_area.strip()[:200],
                status=status,
                next_update_due=next_update_due,
                started_at=published_at or now,
                resolved_at=(published_at or now) if status == KnownIssueStatus.RESOLVED else None,
            )
        _score_later(opening)
        pagecache.invalidate()
    return conversation


def edit_post(
    conversation: Conversation,
    *,
    editor: Person,
    title: str,
    body_md: str,
    summary: str = "",
    category: Category | None = None,
    labels: list[Label] | tuple = (),
    affected_area: str | None = None,
) -> Conversation:
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise PostingError(f"A title of 1 to {TITLE_MAX} characters, please.")
    body_md = _check_body(body_md, limit=200_000)
    body_html = render_markdown(body_md, trusted=True)
    now = timezone.now()
    with transaction.atomic():
        opening = conversation.messages.get(is_opening=True)
        opening.body_md, opening.body_html, opening.updated_at = body_md, body_html, now
        opening.analysed_with = ""  # the new text is scored afresh
        opening.save(update_fields=["body_md", "body_html", "updated_at", "analysed_with"])
        _score_later(opening)
        conversation.title = title
        conversation.summary = (summary.strip() or plain_text(body_html, 280))[:300]
        conversation.category = category
        conversation.updated_at = now
        conversation.save(update_fields=["title", "summary", "category", "updated_at"])
        conversation.labels.set(labels)
        if affected_area is not None and conversation.kind == Kind.KNOWN_ISSUE:
            conversation.known_issue.affected_area = affected_area.strip()[:200]
            conversation.known_issue.save(update_fields=["affected_area"])
        pagecache.invalidate()
    return conversation


def post_status_update(
    conversation: Conversation,
    *,
    author: Person,
    status: str,
    body_md: str,
    next_update_due: datetime | None = None,
    at: datetime | None = None,
) -> StatusUpdate:
    """A new entry on a known issue's timeline; subscribers get an e-mail."""
    if conversation.kind != Kind.KNOWN_ISSUE:
        raise PostingError("Status updates belong to known issues.")
    if status not in KnownIssueStatus.values:
        raise PostingError("Unknown status.")
    body_md = _check_body(body_md, limit=20_000)
    now = at or timezone.now()
    if next_update_due is not None and next_update_due <= now:
        raise PostingError("The next update must be promised for a time in the future.")
    if status == KnownIssueStatus.RESOLVED:
        next_update_due = None
    with transaction.atomic():
        issue = KnownIssue.objects.select_for_update().get(pk=conversation.pk)
        update = StatusUpdate.objects.create(
            known_issue=issue,
            status=status,
            body_md=body_md,
            body_html=render_markdown(body_md, trusted=True),
            author=author,
            next_update_due=next_update_due,
            created_at=now,
        )
        issue.status = status
        issue.next_update_due = next_update_due
        issue.resolved_at = now if status == KnownIssueStatus.RESOLVED else None
        issue.save(update_fields=["status", "next_update_due", "resolved_at"])
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=now, last_activity_at=now)
        from notifications import tasks as notification_tasks

        enqueue(notification_tasks.status_update_posted, update.pk, notification_tasks.queued())
        pagecache.invalidate()
    return update


# --- Conversation ------------------------------------------------------------------


def post_comment(
    conversation: Conversation,
    *,
    author: Person,
    body_md: str,
    reply_to: Message | None = None,
    idempotency_key: str = "",
    channel: str = Channel.WEB,
    rate_limit_key: str | None = None,
    at: datetime | None = None,
) -> Message:
    """A reply on a public conversation by a customer or by staff.

    A customer's message waits for a response; a new member's first one is held for
    moderation. A staff reply is official and answers what it replies to. Sending
    the same form twice (same idempotency key) returns the first message. `at` keeps
    the original time of a message imported from elsewhere.
    """
    official = author.is_staff_member
    if not conversation.is_published:
        raise PostingError("Comments are closed on this post.")
    if conversation.locked:
        raise PostingError("This conversation is locked: no more replies.")
    if not conversation.comments_open and not official:
        raise PostingError("Comments are closed on this post.")
    if reply_to is not None and reply_to.conversation_id != conversation.pk:
        raise PostingError("That reply belongs to another conversation.")
    body_md = _check_body(body_md)
    if idempotency_key:
        existing = Message.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if not official and rate_limit_key:
        ratelimit.hit("comment", rate_limit_key, settings.COMMENT_RATE_LIMIT)
    now = at or timezone.now()
    moderation = Moderation.VISIBLE
    if not official:
        from moderation import gate

        moderation = gate.check_post(author, body_md=body_md, conversation=conversation)
    due = None if official else targets.due_at(now, channel, conversation.priority)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                author=author,
                body_md=body_md,
                body_html=render_markdown(body_md, trusted=official),
                official=official,
                reply_to=reply_to,
                channel=channel,
                moderation=moderation,
                idempotency_key=idempotency_key[:64],
                response_state=ResponseState.NOT_APPLICABLE if official else ResponseState.AWAITING,
                due_at=due,
                created_at=now,
                updated_at=now,
            )
            if not official:
                gate.after_post(message)
            _after_new_message(message, conversation, author, now)
    except IntegrityError:
        if idempotency_key:
            return Message.objects.get(author=author, idempotency_key=idempotency_key)
        raise
    return message


def receive_private_message(
    *,
    conversation: Conversation | None,
    author: Person,
    title: str,
    body_md: str,
    channel: str,
    external_id: str = "",
    reply_to: Message | None = None,
    kind: str = Kind.EMAIL,
    at: datetime | None = None,
) -> Message:
    """A customer's message on a private channel (an e-mail), opening a conversation if needed.

    It waits in the inbox like every customer message; nothing is held for moderation, since
    only staff see it. A body over the limit is shortened, never refused: the original stays
    with the delivery it came in.
    """
    now = at or timezone.now()
    if len(body_md) > MESSAGE_MAX:
        shortened = f"\n\n*(Shortened from {len(body_md):,} characters.)*"
        body_md = body_md[: MESSAGE_MAX - len(shortened)] + shortened
    body_md = body_md.strip() or "*(No text.)*"
    with transaction.atomic():
        if conversation is None:
            token = secrets.token_hex(8)
            conversation = Conversation.objects.create(
                kind=kind,
                is_public=False,
                title=(title.strip() or "(no subject)")[:TITLE_MAX],
                slug=f"private-{token}",
                summary=plain_text(render_markdown(body_md, trusted=False), 280)[:300],
                author=author,
                published_at=now,
                created_at=now,
                updated_at=now,
                last_activity_at=now,
                reply_token=token,
            )
        message = Message.objects.create(
            conversation=conversation,
            author=author,
            is_opening=not conversation.messages.exists(),
            body_md=body_md,
            body_html=render_markdown(body_md, trusted=False),
            reply_to=reply_to,
            channel=channel,
            external_id=external_id[:500],
            response_state=ResponseState.AWAITING,
            due_at=targets.due_at(now, channel, conversation.priority),
            created_at=now,
            updated_at=now,
        )
        _after_new_message(message, conversation, author, now)
    return message


def add_internal_note(conversation: Conversation, *, by: User, body_md: str) -> Message:
    """A note for colleagues on a conversation: never shown to the customer, never sent."""
    staff = person_for_user(by)
    if not staff.is_staff_member:
        raise PostingError("Only staff write internal notes.")
    body_md = _check_body(body_md)
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation,
            author=staff,
            body_md=body_md,
            body_html=render_markdown(body_md, trusted=True),
            official=True,
            internal=True,
            created_at=now,
            updated_at=now,
        )
        _after_new_message(message, conversation, staff, now)
        audit(by, "noted", conversation=conversation, message=message)
    return message


def _score_later(message: Message) -> None:
    """Sentiment, intent and topic are worked out by a background job after commit."""
    from conversations import tasks

    enqueue(tasks.analyse_messages, [message.pk])


def _after_new_message(message: Message, conversation: Conversation, author: Person, now) -> None:
    from conversations import cases

    _score_later(message)
    cases.open_case(conversation, message, now)
    visible = message.moderation == Moderation.VISIBLE and not message.internal
    if visible:
        thread_changed(conversation.pk, count=+1)
        if conversation.is_public:
            _announce(message)
    # A message imported with an older timestamp never moves the activity time back.
    Conversation.objects.filter(pk=conversation.pk, last_activity_at__lt=now).update(
        last_activity_at=now
    )
    if message.official and not message.internal:
        _mark_answered(message, now)
        if conversation.kind == Kind.EMAIL:
            from mail import tasks as mail_tasks

            # The answer goes to the customer as an e-mail in their thread.
            enqueue(mail_tasks.send_reply, message.pk)
    elif not message.official and conversation.is_public:
        subscribe(conversation, author)


def _announce(message: Message) -> None:
    """A message became visible on a public page: tell the members it concerns."""
    from notifications import tasks as notification_tasks

    enqueue(notification_tasks.message_posted, message.pk, notification_tasks.queued())


def thread_changed(conversation_id: int, *, count: int = 0) -> None:
    """What readers see of a thread changed: new version for cached fragments, new
    generation for cached pages, and the visible-reply counter moved by `count`."""
    Conversation.objects.filter(pk=conversation_id).update(
        thread_version=F("thread_version") + 1, comment_count=F("comment_count") + count
    )
    pagecache.invalidate()


def _mark_answered(reply: Message, now) -> int:
    """A staff reply answers the message it replies to and that customer's earlier
    waiting messages in the same conversation."""
    if reply.reply_to_id is None:
        return 0
    customer_id = Message.objects.values_list("author_id", flat=True).get(pk=reply.reply_to_id)
    waiting = Message.objects.filter(
        conversation_id=reply.conversation_id,
        author_id=customer_id,
        response_state=ResponseState.AWAITING,
        created_at__lte=now,
    )
    count = 0
    for message in waiting:
        message.response_state = ResponseState.ANSWERED
        message.answered_at = message.closed_at = now
        message.answered_by = reply
        message.first_response_seconds = max(0, int((now - message.created_at).total_seconds()))
        message.first_response_business_seconds = targets.business_seconds(message.created_at, now)
        if message.moderation == Moderation.HELD:
            # A staff member answering in public vouches for the message.
            message.moderation = Moderation.VISIBLE
            thread_changed(message.conversation_id, count=+1)
        message.save(
            update_fields=[
                "response_state", "answered_at", "answered_by", "first_response_seconds",
                "first_response_business_seconds", "moderation", "closed_at",
            ]
        )  # fmt: skip
        count += 1
    return count


def answer(
    message: Message,
    *,
    by: User,
    body_md: str,
    idempotency_key: str = "",
    at: datetime | None = None,
) -> Message:
    """An official public reply to a customer message, which marks it answered."""
    staff = person_for_user(by)
    if not staff.is_staff_member:
        raise PostingError("Only staff answer for the company.")
    if message.conversation.kind == Kind.MENTION:
        raise PostingError("Answer a mention on its own site, then record the link here.")
    reply = post_comment(
        message.conversation,
        author=staff,
        body_md=body_md,
        reply_to=message,
        idempotency_key=idempotency_key,
        at=at,
    )
    audit(by, "answered", conversation=message.conversation, message=message, reply=reply.pk)
    return reply


def record_external_answer(message: Message, *, by: User, url: str, body_md: str = "") -> Message:
    """Staff answered a customer on another site (a Mastodon reply, a Reddit comment): keep the
    answer with its link, so the message counts as answered like any other."""
    require_answerer(by)
    staff = person_for_user(by)
    url = url.strip()
    try:
        if len(url) > 1000:
            raise ValidationError("too long")
        _WEB_ADDRESS(url)
    except ValidationError:
        raise PostingError(
            "Give the address of your answer: a link starting with https://."
        ) from None
    body_md = _check_body(body_md) if body_md.strip() else f"Answered at <{url}>."
    now = timezone.now()
    with transaction.atomic():
        reply = Message.objects.create(
            conversation=message.conversation,
            author=staff,
            body_md=body_md,
            body_html=render_markdown(body_md, trusted=True),
            official=True,
            reply_to=message,
            channel=message.channel,
            external_url=url,
            created_at=now,
            updated_at=now,
        )
        _after_new_message(reply, message.conversation, staff, now)
        audit(by, "answered elsewhere", conversation=message.conversation, message=message, url=url)
    return reply


def audit(actor: User | None, verb: str, *, conversation=None, message=None, **detail) -> None:
    """Record what a staff member did (the audit log of agent actions)."""
    AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        conversation=conversation,
        message=message,
        detail=detail,
    )


def require_answerer(user: User) -> None:
    if not (user.is_authenticated and user.can("answer")):
        raise PostingError("Only staff who answer customers do that.")


def locked_conversation(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


def assign(conversation: Conversation, *, to: User | None, by: User) -> Conversation:
    """Give the conversation to an agent (`to`), or to nobody."""
    require_answerer(by)
    if to is not None and not to.can("answer"):
        raise PostingError(f"{to.person.display_name} does not answer customers.")
    with transaction.atomic():
        current = locked_conversation(conversation)
        if current.assignee_id != (to.pk if to else None):
            current.assignee = to
            current.save(update_fields=["assignee"])
            audit(by, "assigned", conversation=current, to=to.pk if to else None)
    conversation.assignee = to
    return conversation


def set_priority(conversation: Conversation, *, priority: int, by: User) -> Conversation:
    require_answerer(by)
    if priority not in Priority.values:
        raise PostingError("Choose a priority: low, normal, high or urgent.")
    with transaction.atomic():
        current = locked_conversation(conversation)
        if current.priority != priority:
            audit(by, "prioritised", conversation=current, before=current.priority, after=priority)
            current.priority = priority
            current.save(update_fields=["priority"])
            # Waiting messages take the new priority's target, counted from when they arrived.
            waiting = list(current.messages.filter(response_state=ResponseState.AWAITING))
            for message in waiting:
                message.due_at = targets.due_at(message.created_at, message.channel, priority)
            Message.objects.bulk_update(waiting, ["due_at"])
            if current.opened_at is not None:
                channel = waiting[0].channel if waiting else ""
                current.resolution_due_at = targets.resolution_due_at(
                    current.opened_at, channel, priority
                )
                current.save(update_fields=["resolution_due_at"])
    conversation.priority = priority
    return conversation


def snooze(conversation: Conversation, *, until: datetime | None, by: User) -> Conversation:
    """Put the conversation aside until a time (out of the queue until then); None wakes it."""
    require_answerer(by)
    if until is not None and until <= timezone.now():
        raise PostingError("Snooze until a time in the future.")
    with transaction.atomic():
        current = locked_conversation(conversation)
        current.snoozed_until = until
        current.save(update_fields=["snoozed_until"])
        audit(
            by, "snoozed" if until else "woken", conversation=current,
            until=until.isoformat() if until else None,
        )  # fmt: skip
    conversation.snoozed_until = until
    return conversation


def _locked(message: Message) -> Message:
    """The message as it is now, locked until the transaction ends: decisions are made
    on the stored state, not on a copy a view or a concurrent request left behind."""
    return Message.objects.select_for_update().get(pk=message.pk)


def mark_no_reply_needed(message: Message, *, by: User, reason: str) -> Message:
    reason = (reason or "").strip()[:200]
    if not reason:
        raise PostingError("Say why no reply is needed.")
    with transaction.atomic():
        current = _locked(message)
        if current.response_state != ResponseState.AWAITING:
            raise PostingError("This message is not waiting for a response.")
        current.response_state = ResponseState.NO_REPLY_NEEDED
        current.no_reply_reason = reason
        current.closed_by = by
        current.closed_at = current.updated_at = timezone.now()
        current.save(
            update_fields=[
                "response_state", "no_reply_reason", "closed_by", "closed_at", "updated_at"
            ]
        )  # fmt: skip
        audit(by, "closed without reply", conversation=current.conversation, message=current,
              reason=reason)  # fmt: skip
    message.refresh_from_db()
    return message


def approve(message: Message, *, by: User) -> Message:
    with transaction.atomic():
        current = _locked(message)
        if current.moderation != Moderation.VISIBLE:
            current.moderation = Moderation.VISIBLE
            current.updated_at = timezone.now()
            current.save(update_fields=["moderation", "updated_at"])
            counted = not (current.internal or current.is_opening)
            thread_changed(current.conversation_id, count=+1 if counted else 0)
            if current.is_opening:
                from community.services import publish_held_topic

                publish_held_topic(current)
            if not current.internal and current.conversation.is_public:
                _announce(current)
            audit(by, "approved", conversation=current.conversation, message=current)
    message.refresh_from_db()
    return message


def remove(message: Message, *, by: User, reason: str = "") -> Message:
    """Take a message off public pages; it is kept, and needs no reply."""
    if message.is_opening:
        raise PostingError("Unpublish the post instead.")
    with transaction.atomic():
        current = _locked(message)
        was_visible = current.moderation == Moderation.VISIBLE
        current.moderation = Moderation.REMOVED
        fields = ["moderation", "updated_at"]
        if current.response_state == ResponseState.AWAITING:
            current.response_state = ResponseState.NO_REPLY_NEEDED
            current.no_reply_reason = (reason or "Removed by a moderator")[:200]
            current.closed_by = by
            current.closed_at = timezone.now()
            fields += ["response_state", "no_reply_reason", "closed_by", "closed_at"]
        current.updated_at = timezone.now()
        current.save(update_fields=fields)
        thread_changed(current.conversation_id, count=-1 if was_visible else 0)
        audit(by, "removed", conversation=current.conversation, message=current, reason=reason)
    message.refresh_from_db()
    return message


# --- Subscriptions -------------------------------------------------------------------


def subscribe(conversation: Conversation, person: Person) -> Subscription | None:
    """Follow a conversation by e-mail; a person without an address cannot."""
    existing = Subscription.objects.filter(conversation=conversation, person=person).first()
    if existing is not None:
        return existing
    if person.user_id and person.user.email:
        email = person.user.email
    else:
        email = person.identities.filter(kind="email").values_list("value", flat=True).first()
    if not email:
        return None
    try:
        with transaction.atomic():
            return Subscription.objects.create(
                conversation=conversation, person=person, email=email
            )
    except IntegrityError:
        return Subscription.objects.get(conversation=conversation, person=person)


def stop_following(conversation: Conversation, person: Person) -> None:
    Subscription.objects.filter(conversation=conversation, person=person).delete()


def unsubscribe(token: str) -> Subscription | None:
    subscription = Subscription.objects.filter(token=token).select_related("conversation").first()
    if subscription is not None:
        subscription.delete()
    return subscription
