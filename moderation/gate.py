"""The gate every public post by a customer passes before it is stored.

`conversations.services.post_comment` and `community.services.start_topic` call
`check_post` for customers (never for staff) and `after_post` once the message exists.

In order: a silenced or suspended member is refused; the member's trust level is worked out
afresh; a post with more links than the level allows, or past the level's posts per day, is
refused; a new member's first posts, and a post whose spam score reaches
MODERATION_SPAM_HOLD_AT, are held for a moderator. What the gate found is kept with the
message (`Screening`) for the review queue.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import Person
from conversations.markup import render_markdown
from conversations.models import Conversation, Message, Moderation
from moderation import conf, spam
from moderation.models import HeldBecause, Member, Screening, TrustLevel
from moderation.trust import recompute_trust


@dataclass
class Verdict:
    moderation: str
    held_because: str
    spam: spam.Score


# check_post's verdict, for after_post in the same request to store without scoring twice.
_last = threading.local()


def until(moment) -> str:
    """A time as refusals word it: "3 Dec 2026, 14:05 UTC"."""
    return moment.astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC")


def refuse_if_sanctioned(member: Member | None, now=None) -> None:
    from conversations.services import PostingError

    if member is None:
        return
    reason = f" Reason: {member.sanction_reason}" if member.sanction_reason else ""
    if member.suspended(now):
        raise PostingError(
            f"Your account is suspended until {until(member.suspended_until)}.{reason}"
        )
    if member.silenced(now):
        raise PostingError(f"You cannot post until {until(member.silenced_until)}.{reason}")


def count_links(body_md: str) -> int:
    """Links as readers will see them: Markdown links, and addresses made into links."""
    return len(spam._LINK.findall(render_markdown(body_md, trusted=False)))


def _refuse_too_many_links(links: int, level: int) -> None:
    from conversations.services import PostingError

    allowed = conf.limit("MODERATION_LINKS_PER_POST", level)
    if allowed is not None and links > allowed:
        allowed = int(allowed)
        some = "no links" if allowed == 0 else f"at most {allowed} link{'s' * (allowed != 1)}"
        raise PostingError(
            f"At your trust level ({TrustLevel(level).label}) a post may have {some}; "
            f"this one has {links}. Please take some out."
        )


def _refuse_past_daily_limit(author: Person, level: int, now) -> None:
    from conversations.services import PostingError

    allowed = conf.limit("MODERATION_POSTS_PER_DAY", level)
    if allowed is None:
        return
    allowed = int(allowed)
    day_ago = now - timedelta(days=1)
    # The oldest of the last `allowed` posts: once it is a day old, there is room again.
    oldest = (
        Message.objects.filter(author=author, internal=False, created_at__gt=day_ago)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[max(allowed - 1, 0) : allowed]
    )
    oldest = next(iter(oldest), None)
    if allowed == 0 or oldest is not None:
        again = (oldest or now) + timedelta(days=1)
        raise PostingError(
            f"At your trust level ({TrustLevel(level).label}) you may post {allowed} times a "
            f"day; you can post again after {until(again)}."
        )


def check_post(
    author: Person,
    *,
    body_md: str,
    title: str = "",
    conversation: Conversation | None = None,
) -> str:
    """The moderation state a customer's new post starts in (visible or held).

    Raises `conversations.services.PostingError`, with words for the person, when the post is
    refused. `conversation` is None for the opening post of a new topic.
    """
    now = timezone.now()
    refuse_if_sanctioned(Member.objects.filter(person=author).first(), now)
    level = recompute_trust(author, now)
    links = count_links(body_md)
    _refuse_too_many_links(links, level)
    _refuse_past_daily_limit(author, level, now)
    score = spam.score(f"{title}\n{body_md}" if title else body_md, links)
    held_because = HeldBecause.NOT_HELD
    if level == TrustLevel.NEW and settings.MODERATION_HOLD_FIRST_POSTS:
        approved = Message.objects.filter(
            author=author, internal=False, moderation=Moderation.VISIBLE
        ).count()
        if approved < settings.MODERATION_HOLD_FIRST_POSTS:
            held_because = HeldBecause.FIRST_POSTS
    if score.score >= settings.MODERATION_SPAM_HOLD_AT:
        held_because = HeldBecause.SPAM
    moderation = Moderation.HELD if held_because else Moderation.VISIBLE
    _last.verdict = (author.pk, body_md, Verdict(moderation, held_because, score))
    return moderation


def after_post(message: Message) -> None:
    """Called inside the transaction that stored a customer's post: keep what the gate
    found when there is something to show moderators."""
    last = getattr(_last, "verdict", None)
    _last.verdict = None
    if last is not None and last[:2] == (message.author_id, message.body_md):
        verdict = last[2]
    else:
        score = spam.score(message.body_md, count_links(message.body_md))
        verdict = Verdict(message.moderation, HeldBecause.NOT_HELD, score)
    if message.moderation != Moderation.HELD and not verdict.spam.reasons:
        return
    Screening.objects.update_or_create(
        message=message,
        defaults={
            "held_because": verdict.held_because if message.moderation == Moderation.HELD else "",
            "spam_score": round(verdict.spam.score, 3),
            "spam_reasons": verdict.spam.reasons,
        },
    )
