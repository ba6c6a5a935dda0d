"""Who is told of what. Each function reads one event from the database, decides who hears
of it and in which kind, and hands that to `delivery.deliver`.

Nobody is told of their own action, nor of anything that is not on a public page: held,
hidden, removed and internal messages, private conversations and drafts tell nobody. One
person is told once per event, in the most specific kind that applies to them (a reply to
you in a topic you follow that also mentions you is a reply).
"""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Person
from community.models import IdeaStatusChange, Question, Vote
from conversations.markup import plain_text
from conversations.models import (
    BLOG_KINDS,
    Message,
    Moderation,
    StatusUpdate,
    Subscription,
)
from notifications import mentions
from notifications.delivery import Event, Recipient, deliver, is_public, is_stale
from notifications.models import Kind
from notifications.text import email_text

EXCERPT = 200
_RANK = {kind: n for n, kind in enumerate(Kind.values)}


def location(message: Message) -> str:
    """Where a reply is shown: its page of the thread, and its anchor."""
    conversation = message.conversation
    if message.is_opening:
        return f"{conversation.get_absolute_url()}#m{message.pk}"
    if conversation.kind in BLOG_KINDS:
        from blog.views import COMMENTS_PER_PAGE as per_page
    else:
        from community.views import REPLIES_PER_PAGE as per_page
    earlier = Q(created_at__lt=message.created_at) | Q(
        created_at=message.created_at, id__lt=message.pk
    )
    before = (
        Message.objects.filter(
            conversation_id=message.conversation_id,
            moderation=Moderation.VISIBLE,
            internal=False,
            is_opening=False,
        )
        .filter(earlier)
        .count()
    )
    page = before // per_page + 1
    url = conversation.get_absolute_url()
    return f"{url}?page={page}#m{message.pk}" if page > 1 else f"{url}#m{message.pk}"


def _shown(message: Message) -> bool:
    return (
        message.moderation == Moderation.VISIBLE
        and not message.internal
        and is_public(message.conversation)
    )


def _people(ids) -> dict[int, Person]:
    return Person.objects.select_related("user").in_bulk(list(ids))


def _person_of(user_id: int | None) -> int | None:
    if user_id is None:
        return None
    return Person.objects.filter(user_id=user_id).values_list("pk", flat=True).first()


def _followers(conversation) -> list[int]:
    return list(
        Subscription.objects.filter(conversation=conversation).values_list("person_id", flat=True)
    )


def message_posted(message_id: int, queued_at: str = "") -> int:
    """A message became visible on a public page: the person it replies to, the members it
    mentions, and the conversation's followers."""
    message = (
        Message.objects.select_related("conversation", "author", "reply_to")
        .filter(pk=message_id)
        .first()
    )
    # updated_at is when it became visible (posted, or let through by a moderator); a
    # message imported with its original time carries that time.
    if message is None or not _shown(message) or is_stale(message.updated_at, queued_at):
        return 0
    conversation = message.conversation
    kinds: dict[int, str] = {}

    def tell(person_id: int, kind: str) -> None:
        if person_id == message.author_id:
            return
        if person_id not in kinds or _RANK[kind] < _RANK[kinds[person_id]]:
            kinds[person_id] = kind

    if message.reply_to is not None and not message.reply_to.internal:
        tell(message.reply_to.author_id, Kind.REPLY)
    for person_id in mentions.resolve(mentions.handles_in(message.body_html)).values():
        tell(person_id, Kind.MENTION)
    following = Kind.OFFICIAL_REPLY if message.official else Kind.FOLLOWED_REPLY
    for person_id in _followers(conversation):
        tell(person_id, following)
    if not kinds:
        return 0
    author, title = message.author.display_name, conversation.title
    lines = {
        Kind.REPLY: (f"{author} replied to you on “{title}”", f"{author} replied to you: {title}"),
        Kind.MENTION: (f"{author} mentioned you on “{title}”", f"{author} mentioned you: {title}"),
        Kind.OFFICIAL_REPLY: (f"{author} replied on “{title}”", f"{author} replied: {title}"),
        Kind.FOLLOWED_REPLY: (f"{author} replied on “{title}”", f"New reply: {title}"),
    }
    people = _people(kinds)
    recipients = {
        pk: Recipient(people[pk], kind, *lines[kind]) for pk, kind in kinds.items() if pk in people
    }
    event = Event(
        key=f"message:{message.pk}",
        conversation=conversation,
        message=message,
        actor_id=message.author_id,
        at=message.updated_at,
        path=location(message),
        excerpt=plain_text(message.body_html, EXCERPT),
        template="message.txt",
        context={"message": message, "text": email_text(message.body_html)},
    )
    return deliver(event, recipients)


def answer_accepted(conversation_id: int, queued_at: str = "") -> int:
    """A question's answer was accepted: its author is told, and the asker when staff chose."""
    question = (
        Question.objects.select_related(
            "conversation", "accepted_answer__author", "accepted_answer__conversation"
        )
        .filter(pk=conversation_id)
        .first()
    )
    answer = question.accepted_answer if question is not None else None
    if answer is None or not _shown(answer) or is_stale(question.accepted_at, queued_at):
        return 0
    conversation = question.conversation
    actor_id = _person_of(question.accepted_by_id)
    people = _people({answer.author_id, conversation.author_id, actor_id} - {None})
    actor = people.get(actor_id)
    who = actor.display_name if actor is not None else "Someone"
    title = conversation.title
    recipients = {
        answer.author_id: Recipient(
            people[answer.author_id],
            Kind.ANSWER_ACCEPTED,
            f"{who} accepted your answer to “{title}”",
            f"Your answer was accepted: {title}",
        )
    }
    if conversation.author_id != answer.author_id:
        recipients[conversation.author_id] = Recipient(
            people[conversation.author_id],
            Kind.ANSWER_ACCEPTED,
            f"{who} accepted an answer to your question “{title}”",
            f"An answer to your question was accepted: {title}",
        )
    event = Event(
        key=f"accepted:{answer.pk}",
        conversation=conversation,
        message=answer,
        actor_id=actor_id,
        at=question.accepted_at,
        path=location(answer),
        excerpt=plain_text(answer.body_html, EXCERPT),
        template="answer_accepted.txt",
        context={"answer": answer, "text": email_text(answer.body_html)},
    )
    return deliver(event, recipients)


def idea_status_changed(change_id: int, queued_at: str = "") -> int:
    """An idea has a new status: its voters and followers are told, with the reason.

    A merge is recorded as a change to the same status on the idea merged away; its votes
    and followers have moved by then, so the voters and followers of the idea it was merged
    into are told (theirs now include the moved ones)."""
    change = (
        IdeaStatusChange.objects.select_related(
            "idea__conversation__merged_into", "from_status", "to_status"
        )
        .filter(pk=change_id)
        .first()
    )
    if change is None:
        return 0
    idea = change.idea.conversation
    merged_into = idea.merged_into if change.from_status_id == change.to_status_id else None
    conversation = merged_into or idea
    if not is_public(conversation) or is_stale(change.at, queued_at):
        return 0
    voters = Vote.objects.filter(idea_id=conversation.pk).values_list("person_id", flat=True)
    people = _people({*voters, *_followers(conversation)})
    if merged_into is not None:
        summary = f"“{idea.title}” was merged into “{merged_into.title}”"
        subject = f"[Merged] {idea.title}"
    else:
        status = change.to_status.name
        summary, subject = f"“{idea.title}” is now {status}", f"[{status}] {idea.title}"
    recipients = {
        pk: Recipient(person, Kind.IDEA_STATUS, summary, subject) for pk, person in people.items()
    }
    event = Event(
        key=f"idea-status:{change.pk}",
        conversation=conversation,
        message=None,
        actor_id=_person_of(change.by_id),
        at=change.at,
        path=conversation.get_absolute_url(),
        excerpt=plain_text(change.reason_html, EXCERPT),
        template="idea_status.txt",
        context={
            "change": change,
            "idea": idea,
            "merged_into": merged_into,
            "text": email_text(change.reason_html),
        },
    )
    return deliver(event, recipients)


def status_update_posted(update_id: int, queued_at: str = "") -> int:
    """A known issue has a new entry on its timeline: its followers are told."""
    update = (
        StatusUpdate.objects.select_related("known_issue__conversation", "author")
        .filter(pk=update_id)
        .first()
    )
    if update is None:
        return 0
    conversation = update.known_issue.conversation
    if not is_public(conversation) or is_stale(update.created_at, queued_at):
        return 0
    title, status = conversation.title, update.get_status_display()
    recipients = {
        pk: Recipient(
            person, Kind.STATUS_UPDATE, f"“{title}” is now {status}", f"[{status}] {title}"
        )
        for pk, person in _people(_followers(conversation)).items()
    }
    event = Event(
        key=f"status-update:{update.pk}",
        conversation=conversation,
        message=None,
        actor_id=update.author_id,
        at=update.created_at,
        path=conversation.get_absolute_url(),
        excerpt=plain_text(update.body_html, EXCERPT),
        template="status_update.txt",
        context={"update": update, "text": email_text(update.body_html)},
    )
    return deliver(event, recipients)
