"""Moderation's state changes: flags, moderators' decisions on posts and topics, sanctions,
and trust set by hand.

Every moderator action checks the `moderate` capability here as well as in the view, and is
recorded in the audit log (`conversations.services.audit`) with one of VERBS; the log page
lists those. A post hidden by flags is recorded with no actor.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.access import require
from accounts.models import Person, User
from accounts.services import person_for_user
from conversations import services as conversation_services
from conversations.markup import plain_text, render_markdown
from conversations.models import (
    BLOG_KINDS,
    COMMUNITY_KINDS,
    Category,
    Conversation,
    Message,
    MessageRevision,
    Moderation,
    ResponseState,
)
from conversations.services import PostingError, audit, thread_changed
from moderation import gate, spam
from moderation.models import (
    FLAG_NOTE_MAX,
    Flag,
    FlagReason,
    FlagState,
    Learned,
    Member,
    Screening,
    TrustLevel,
)
from moderation.trust import flag_weight, recompute_trust, set_trust_level, trust_level
from openline import ratelimit
from openline.text import written_text

REASON_MAX = 200

# The audit-log verbs of moderation (the log page shows these and no others).
VERBS = (
    "hidden", "hidden by flags", "restored", "flags agreed", "flags dismissed", "approved",
    "removed", "marked spam", "marked not spam", "edited", "moved", "closed", "reopened",
    "locked", "unlocked", "silenced", "suspended", "sanctions lifted", "suspension ended",
    "trust set", "trust unlocked",
)  # fmt: skip


def _require_moderator(user: User) -> None:
    require(user, "moderate", "Only moderators do that.")


def _locked(message: Message) -> Message:
    """The message as stored now, locked until the transaction ends."""
    return (
        Message.objects.select_for_update(of=("self",))
        .select_related("conversation", "author")
        .get(pk=message.pk)
    )


def _reason(text: str | None, *, required: str = "") -> str:
    text = " ".join((text or "").replace("\x00", "").split())
    if required and not text:
        raise PostingError(required)
    if len(text) > REASON_MAX:
        raise PostingError(
            f"That reason is {len(text):,} characters; the limit is {REASON_MAX}. "
            "Please shorten it."
        )
    return text


def _recompute(person_ids) -> None:
    for person in Person.objects.filter(pk__in=set(person_ids)):
        recompute_trust(person)


# --- Flags ------------------------------------------------------------------------------------


def flag_message(message: Message, *, by: User, reason: str, note: str = "") -> Flag:
    """A member asks moderators to look at a post. Once the pending flags on it weigh
    MODERATION_HIDE_AT (each flag weighs by its flagger's trust level), it is hidden until a
    moderator decides. Staff posts are never hidden by flags; they wait in the queue."""
    if not by.is_authenticated:
        raise PostingError("Sign in to flag a post.")
    if reason not in FlagReason.values:
        raise PostingError("Choose why: off-topic, inappropriate, spam or something else.")
    note = (note or "").replace("\x00", "").strip()
    if len(note) > FLAG_NOTE_MAX:
        raise PostingError(
            f"That note is {len(note):,} characters; the limit is {FLAG_NOTE_MAX}. "
            "Please shorten it."
        )
    if reason == FlagReason.OTHER and not note:
        raise PostingError("Say in the note what is wrong with the post.")
    person = person_for_user(by)
    now = timezone.now()
    try:
        with transaction.atomic():
            current = _locked(message)
            conversation = current.conversation
            if current.internal or not (conversation.is_public and conversation.is_published):
                raise PostingError("Only posts on public pages can be flagged.")
            if current.moderation == Moderation.HIDDEN:
                raise PostingError("This post is hidden already; a moderator will look at it.")
            if current.moderation != Moderation.VISIBLE:
                raise PostingError(
                    "This post is not shown to readers, so there is nothing to flag."
                )
            if conversation.locked:
                raise PostingError("This conversation is locked: its posts cannot be flagged.")
            if current.author_id == person.pk:
                raise PostingError("You cannot flag your own post.")
            gate.refuse_if_sanctioned(Member.objects.filter(person=person).first(), now)
            if Flag.objects.filter(message=current, flagger=person).exists():
                raise PostingError("You have already flagged this post.")
            ratelimit.hit("flag", f"user:{by.pk}", settings.MODERATION_FLAG_RATE_LIMIT)
            flag = Flag.objects.create(
                message=current,
                flagger=person,
                reason=reason,
                note=note,
                weight=flag_weight(trust_level(person)),
                created_at=now,
            )
            pending = (
                Flag.objects.filter(message=current, state=FlagState.PENDING).aggregate(
                    weight=Sum("weight")
                )["weight"]
                or 0
            )
            if pending >= settings.MODERATION_HIDE_AT and not current.official:
                _conceal(current, now)
                audit(
                    None,
                    "hidden by flags",
                    conversation=conversation,
                    message=current,
                    weight=pending,
                )
    except IntegrityError:
        raise PostingError("You have already flagged this post.") from None
    return flag


def _decide_flags(message: Message, by: User, state: str) -> list[int]:
    """Settle the pending flags on `message`; the flaggers' ids, for their standing."""
    pending = Flag.objects.filter(message=message, state=FlagState.PENDING)
    flaggers = list(pending.values_list("flagger_id", flat=True))
    pending.update(state=state, decided_at=timezone.now(), decided_by=by)
    return flaggers


def _conceal(message: Message, now) -> None:
    """Hide a visible message; a topic whose opening post is hidden leaves the lists and its
    page (staff still see it), as a held topic does."""
    was_visible = message.moderation == Moderation.VISIBLE
    message.moderation = Moderation.HIDDEN
    message.updated_at = now
    message.save(update_fields=["moderation", "updated_at"])
    conversation = message.conversation
    if message.is_opening:
        screening, _ = Screening.objects.get_or_create(message=message)
        if conversation.published_at is not None:
            screening.topic_published_at = conversation.published_at
            screening.save(update_fields=["topic_published_at"])
            Conversation.objects.filter(pk=conversation.pk).update(published_at=None)
        thread_changed(conversation.pk)
    else:
        counted = was_visible and not message.internal
        thread_changed(conversation.pk, count=-1 if counted else 0)


def _reveal(message: Message, now) -> None:
    message.moderation = Moderation.VISIBLE
    message.updated_at = now
    message.save(update_fields=["moderation", "updated_at"])
    conversation = message.conversation
    if message.is_opening:
        published = (
            Screening.objects.filter(message=message)
            .values_list("topic_published_at", flat=True)
            .first()
        )
        Conversation.objects.filter(pk=conversation.pk, published_at__isnull=True).update(
            published_at=published or now
        )
        Screening.objects.filter(message=message).update(topic_published_at=None)
        thread_changed(conversation.pk)
    else:
        thread_changed(conversation.pk, count=0 if message.internal else +1)


# --- Decisions on posts -----------------------------------------------------------------------


def hide_message(message: Message, *, by: User, reason: str = "") -> Message:
    """Hide a post (or keep one hidden by flags hidden), agreeing with its flags."""
    _require_moderator(by)
    reason = _reason(reason)
    now = timezone.now()
    with transaction.atomic():
        current = _locked(message)
        if current.internal:
            raise PostingError("Internal notes are never shown to customers.")
        if current.is_opening and current.conversation.kind in BLOG_KINDS:
            raise PostingError("Unpublish the post instead.")
        if current.moderation == Moderation.HELD:
            raise PostingError("This post is waiting for approval: approve or delete it.")
        if current.moderation == Moderation.REMOVED:
            raise PostingError("This post was removed already.")
        was_visible = current.moderation == Moderation.VISIBLE
        if was_visible:
            _conceal(current, now)
        elif not Flag.objects.filter(message=current, state=FlagState.PENDING).exists():
            raise PostingError("This post is hidden already.")
        flaggers = _decide_flags(current, by, FlagState.AGREED)
        audit(
            by,
            "hidden" if was_visible else "flags agreed",
            conversation=current.conversation,
            message=current,
            reason=reason,
            flags=len(flaggers),
        )
        _recompute([current.author_id, *flaggers])
    message.refresh_from_db()
    return message


def restore_message(message: Message, *, by: User) -> Message:
    """Show a hidden post again, or keep a flagged one: its pending flags are dismissed."""
    _require_moderator(by)
    now = timezone.now()
    with transaction.atomic():
        current = _locked(message)
        if current.moderation == Moderation.HIDDEN:
            _reveal(current, now)
            verb = "restored"
        elif current.moderation == Moderation.VISIBLE:
            if not Flag.objects.filter(message=current, state=FlagState.PENDING).exists():
                raise PostingError("This post is shown and has no flags waiting.")
            verb = "flags dismissed"
        else:
            raise PostingError("Only a hidden post is restored; a held post is approved.")
        flaggers = _decide_flags(current, by, FlagState.DISMISSED)
        audit(by, verb, conversation=current.conversation, message=current, flags=len(flaggers))
        _recompute([current.author_id, *flaggers])
    message.refresh_from_db()
    return message


def _teach(message: Message, *, as_spam: bool) -> None:
    """Teach the spam filter one post, once; a changed mind takes the old lesson back."""
    screening, _ = Screening.objects.get_or_create(message=message)
    target = Learned.SPAM if as_spam else Learned.HAM
    if screening.learned == target:
        return
    text = message.body_md
    if message.is_opening:
        text = f"{message.conversation.title}\n{text}"
    if screening.learned:
        spam.learn(text, spam=screening.learned == Learned.SPAM, undo=True)
    spam.learn(text, spam=as_spam)
    screening.learned = target
    screening.save(update_fields=["learned"])


def approve_post(message: Message, *, by: User, not_spam: bool = False) -> Message:
    """Let a held post through (a held topic is listed too); `not_spam` also teaches the
    spam filter that posts like it are fine."""
    _require_moderator(by)
    with transaction.atomic():
        current = _locked(message)
        if current.moderation != Moderation.HELD:
            raise PostingError("This post is not waiting for approval.")
        conversation_services.approve(current, by=by)
        if not_spam:
            _teach(current, as_spam=False)
            audit(by, "marked not spam", conversation=current.conversation, message=current)
        _recompute([current.author_id])
    message.refresh_from_db()
    return message


def _remove_opening(message: Message, *, by: User, reason: str, now) -> None:
    """A topic's opening post removed: the topic leaves the lists and its page for good."""
    if message.conversation.kind not in COMMUNITY_KINDS:
        raise PostingError("Unpublish the post instead.")
    was_published = message.conversation.published_at is not None
    message.moderation = Moderation.REMOVED
    fields = ["moderation", "updated_at"]
    if message.response_state == ResponseState.AWAITING:
        message.response_state = ResponseState.NO_REPLY_NEEDED
        message.no_reply_reason = (reason or "Removed by a moderator")[:200]
        message.closed_by, message.closed_at = by, now
        fields += ["response_state", "no_reply_reason", "closed_by", "closed_at"]
    message.updated_at = now
    message.save(update_fields=fields)
    if was_published:
        Conversation.objects.filter(pk=message.conversation_id).update(published_at=None)
    thread_changed(message.conversation_id)
    audit(by, "removed", conversation=message.conversation, message=message, reason=reason)


def delete_post(
    message: Message,
    *,
    by: User,
    reason: str = "",
    as_spam: bool = False,
    silence_until: datetime | None = None,
) -> Message:
    """Take a post off the site for good (`conversations.services.remove`), agreeing with its
    flags. `as_spam` teaches the spam filter; `silence_until` also silences the author."""
    _require_moderator(by)
    reason = _reason(reason) or ("Spam" if as_spam else "")
    now = timezone.now()
    with transaction.atomic():
        current = _locked(message)
        if current.internal:
            raise PostingError("Internal notes are never shown to customers.")
        if current.moderation == Moderation.REMOVED:
            raise PostingError("This post was removed already.")
        if current.is_opening:
            _remove_opening(current, by=by, reason=reason, now=now)
        else:
            conversation_services.remove(current, by=by, reason=reason)
        flaggers = _decide_flags(current, by, FlagState.AGREED)
        if as_spam:
            _teach(current, as_spam=True)
            audit(by, "marked spam", conversation=current.conversation, message=current)
        if silence_until is not None and not current.author.is_staff_member:
            silence(current.author, by=by, until=silence_until, reason=reason or "Spam")
        _recompute([current.author_id, *flaggers])
    message.refresh_from_db()
    return message


def edit_message(message: Message, *, by: User, body_md: str, reason: str) -> Message:
    """Change a post's text, keeping the old text as a revision the public can read."""
    _require_moderator(by)
    reason = _reason(reason, required="Say why you edit the post; readers see the reason.")
    now = timezone.now()
    with transaction.atomic():
        current = _locked(message)
        if current.internal:
            raise PostingError("Internal notes are edited on the staff desk.")
        limit = 200_000 if current.official else settings.COMMENT_MAX_LENGTH
        body_md = written_text(body_md, limit, PostingError)
        if body_md == current.body_md:
            raise PostingError("The text is unchanged.")
        MessageRevision.objects.create(
            message=current,
            body_md=current.body_md,
            body_html=current.body_html,
            edited_by=by,
            reason=reason,
            edited_at=now,
        )
        current.body_md = body_md
        current.body_html = render_markdown(body_md, trusted=current.official)
        current.edited_at = current.updated_at = now
        current.analysed_with = ""  # the new text is scored afresh
        current.save(
            update_fields=["body_md", "body_html", "edited_at", "updated_at", "analysed_with"]
        )
        if current.is_opening:
            Conversation.objects.filter(pk=current.conversation_id).update(
                summary=plain_text(current.body_html, 280)[:300], updated_at=now
            )
        conversation_services._score_later(current)
        thread_changed(current.conversation_id)
        audit(by, "edited", conversation=current.conversation, message=current, reason=reason)
    message.refresh_from_db()
    return message


# --- Topics -----------------------------------------------------------------------------------


def move_topic(conversation: Conversation, *, by: User, category: Category | None) -> Conversation:
    """Put a community topic in another category."""
    _require_moderator(by)
    if conversation.kind not in COMMUNITY_KINDS:
        raise PostingError("Only community topics are moved; edit a blog post to change it.")
    if category is None:
        raise PostingError("Choose the category to move the topic to.")
    with transaction.atomic():
        current = conversation_services.locked_conversation(conversation)
        if current.category_id == category.pk:
            raise PostingError(f"The topic is in {category.name} already.")
        before = current.category
        current.category = category
        current.updated_at = timezone.now()
        current.save(update_fields=["category", "updated_at"])
        thread_changed(current.pk)
        audit(
            by,
            "moved",
            conversation=current,
            before=before.name if before else None,
            after=category.name,
        )
    conversation.category = category
    return conversation


def _set_flag_field(conversation, by, field: str, value: bool, verbs: tuple[str, str], already):
    _require_moderator(by)
    with transaction.atomic():
        current = conversation_services.locked_conversation(conversation)
        if getattr(current, field) == value:
            raise PostingError(already)
        setattr(current, field, value)
        current.updated_at = timezone.now()
        current.save(update_fields=[field, "updated_at"])
        thread_changed(current.pk)
        audit(by, verbs[0] if value else verbs[1], conversation=current)
    setattr(conversation, field, value)
    return conversation


def close_topic(conversation: Conversation, *, by: User, close: bool = True) -> Conversation:
    """Closed: members no longer reply; staff still may. `close=False` reopens."""
    already = "The topic is closed already." if close else "The topic is open already."
    return _set_flag_field(
        conversation, by, "comments_open", not close, ("reopened", "closed"), already
    )


def lock_topic(conversation: Conversation, *, by: User, lock: bool = True) -> Conversation:
    """Locked: nobody replies, votes or flags. `lock=False` unlocks."""
    already = "The topic is locked already." if lock else "The topic is not locked."
    return _set_flag_field(conversation, by, "locked", lock, ("locked", "unlocked"), already)


# --- Members ----------------------------------------------------------------------------------


def _member_for_update(person: Person) -> Member:
    Member.objects.get_or_create(person=person)
    return Member.objects.select_for_update().get(person=person)


def _sanction(person: Person, *, by: User, until: datetime, reason: str, suspend: bool) -> Member:
    _require_moderator(by)
    if person.is_staff_member:
        raise PostingError("Staff are not silenced or suspended; an admin changes their role.")
    reason = _reason(reason, required="Give a reason; the member sees it.")
    now = timezone.now()
    if until is None or until <= now:
        raise PostingError("Choose a time in the future.")
    with transaction.atomic():
        member = _member_for_update(person)
        member.sanction_reason, member.updated_at = reason, now
        fields = ["sanction_reason", "updated_at"]
        if suspend:
            member.suspended_until = until
            fields.append("suspended_until")
            # Django refuses an inactive login's session on its next request; allauth refuses
            # its sign-in. The login is switched on again when the suspension ends.
            if person.user_id and User.objects.filter(pk=person.user_id, is_active=True).update(
                is_active=False
            ):
                member.login_paused = True
                fields.append("login_paused")
        else:
            member.silenced_until = until
            fields.append("silenced_until")
        member.save(update_fields=fields)
        audit(
            by,
            "suspended" if suspend else "silenced",
            person=person.pk,
            name=person.display_name,
            until=until.isoformat(),
            reason=reason,
        )
    return member


def silence(person: Person, *, by: User, until: datetime, reason: str) -> Member:
    """The member reads but cannot post or flag until `until`."""
    return _sanction(person, by=by, until=until, reason=reason, suspend=False)


def suspend(person: Person, *, by: User, until: datetime, reason: str) -> Member:
    """The member cannot sign in (their session ends) or post until `until`."""
    return _sanction(person, by=by, until=until, reason=reason, suspend=True)


def _resume_login(member: Member) -> None:
    if member.login_paused:
        if member.person.user_id:
            User.objects.filter(pk=member.person.user_id).update(is_active=True)
        member.login_paused = False


def lift_sanctions(person: Person, *, by: User) -> Member:
    """End a silence or a suspension now."""
    _require_moderator(by)
    now = timezone.now()
    with transaction.atomic():
        member = _member_for_update(person)
        if not (member.silenced(now) or member.suspended(now) or member.login_paused):
            raise PostingError(f"{person.display_name} is neither silenced nor suspended.")
        member.silenced_until = member.suspended_until = None
        member.sanction_reason = ""
        _resume_login(member)
        member.updated_at = now
        member.save(
            update_fields=[
                "silenced_until",
                "suspended_until",
                "sanction_reason",
                "login_paused",
                "updated_at",
            ]
        )
        audit(by, "sanctions lifted", person=person.pk, name=person.display_name)
    return member


def end_suspensions(now=None) -> int:
    """Switch logins back on whose suspension has ended (a job runs this every few minutes)."""
    now = now or timezone.now()
    ended = 0
    due = Member.objects.filter(login_paused=True, suspended_until__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            member = Member.objects.select_for_update().select_related("person").get(pk=pk)
            if not member.login_paused or member.suspended(now):
                continue
            _resume_login(member)
            member.updated_at = now
            member.save(update_fields=["login_paused", "updated_at"])
            audit(
                None,
                "suspension ended",
                person=member.person_id,
                name=member.person.display_name,
            )
            ended += 1
    return ended


def set_trust(person: Person, *, by: User, level: int | None) -> Member:
    """Set a member's trust level by hand (locked), or with None hand it back to activity."""
    _require_moderator(by)
    if person.is_staff_member:
        raise PostingError("Staff are trusted fully; their level is not set.")
    if level is not None and level not in TrustLevel.values:
        raise PostingError("Choose a trust level from 0 to 4.")
    with transaction.atomic():
        member = _member_for_update(person)
        before = member.trust_level
        if level is None:
            if not member.trust_locked:
                raise PostingError("The level already follows the member's activity.")
            member.trust_locked = False
            member.save(update_fields=["trust_locked"])
            after = recompute_trust(person)
            audit(
                by,
                "trust unlocked",
                person=person.pk,
                name=person.display_name,
                before=before,
                after=after,
            )
        else:
            member = set_trust_level(person, level, locked=True)
            audit(
                by,
                "trust set",
                person=person.pk,
                name=person.display_name,
                before=before,
                after=level,
            )
    return Member.objects.get(person=person)
