"""Members flag posts: weights by trust, hiding at the threshold, and every refusal."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations import services
from conversations.models import AuditEvent, Conversation, Moderation
from moderation.models import Flag, FlagState, Member
from moderation.services import flag_message
from moderation.trust import set_trust_level
from openline.ratelimit import RateLimited
from tests.moderation.conftest import comment

pytestmark = pytest.mark.django_db


def test_a_flag_weighs_by_the_flaggers_trust_level(maria_comment, sam, newbie, alex):
    set_trust_level(sam.person, 2)
    assert flag_message(maria_comment, by=newbie, reason="spam").weight == 0.5
    assert flag_message(maria_comment, by=sam, reason="off_topic").weight == 1.5
    assert flag_message(maria_comment, by=alex, reason="inappropriate", note="Rude").weight == 3
    maria_comment.refresh_from_db()
    assert maria_comment.moderation == Moderation.HIDDEN  # 0.5 + 1.5 + 3 >= 3


def test_three_basic_members_hide_a_reply(known_issue, maria_comment, flaggers):
    known_issue.refresh_from_db()
    count, version = known_issue.comment_count, known_issue.thread_version
    for user in flaggers[:2]:
        flag_message(maria_comment, by=user, reason="inappropriate")
    maria_comment.refresh_from_db()
    assert maria_comment.moderation == Moderation.VISIBLE
    flag_message(maria_comment, by=flaggers[2], reason="off_topic", note="Not about deliveries")
    maria_comment.refresh_from_db()
    assert maria_comment.moderation == Moderation.HIDDEN
    known_issue.refresh_from_db()
    assert known_issue.comment_count == count - 1
    assert known_issue.thread_version > version
    event = AuditEvent.objects.get(verb="hidden by flags")
    assert event.actor is None and event.message == maria_comment
    assert event.detail == {"weight": 3.0}
    assert Flag.objects.filter(state=FlagState.PENDING).count() == 3


def test_the_threshold_is_a_setting(settings, maria_comment, flaggers):
    settings.MODERATION_HIDE_AT = 1
    flag_message(maria_comment, by=flaggers[0], reason="spam")
    maria_comment.refresh_from_db()
    assert maria_comment.moderation == Moderation.HIDDEN


def test_staff_posts_wait_for_a_moderator_instead_of_hiding(maria_comment, alex, flaggers):
    reply = services.answer(maria_comment, by=alex, body_md="Tomorrow, we hope.")
    for user in flaggers:
        flag_message(reply, by=user, reason="inappropriate")
    reply.refresh_from_db()
    assert reply.moderation == Moderation.VISIBLE
    assert Flag.objects.filter(message=reply, state=FlagState.PENDING).count() == 3


def test_a_flagged_opening_post_hides_its_topic(discussion, flaggers):
    opening = discussion.messages.get(is_opening=True)
    published = discussion.published_at
    for user in flaggers:
        flag_message(opening, by=user, reason="inappropriate")
    discussion.refresh_from_db()
    assert discussion.published_at is None
    assert discussion not in Conversation.objects.published()
    assert opening.screening.topic_published_at == published


# --- Refusals: a clear sentence, and nothing changes ------------------------------------------


def _refused(message, user, words, **kwargs):
    kwargs.setdefault("reason", "spam")
    before = (Flag.objects.count(), AuditEvent.objects.count())
    with pytest.raises(services.PostingError, match=words):
        flag_message(message, by=user, **kwargs)
    message.refresh_from_db()
    assert (Flag.objects.count(), AuditEvent.objects.count()) == before


def test_members_cannot_flag_their_own_post(maria_comment, maria):
    _refused(maria_comment, maria, "You cannot flag your own post.")


def test_a_post_is_flagged_once_per_member(maria_comment, sam):
    flag_message(maria_comment, by=sam, reason="spam")
    _refused(maria_comment, sam, "You have already flagged this post.", reason="off_topic")


def test_a_hidden_or_held_post_is_not_flagged(known_issue, maria_comment, newbie, sam):
    held = services.post_comment(known_issue, author=newbie.person, body_md="First!")
    _refused(held, sam, "not shown to readers")
    maria_comment.moderation = Moderation.HIDDEN
    maria_comment.save()
    _refused(maria_comment, sam, "hidden already")


def test_posts_in_a_locked_conversation_are_not_flagged(known_issue, maria_comment, sam):
    Conversation.objects.filter(pk=known_issue.pk).update(locked=True)
    _refused(maria_comment, sam, "locked")


def test_internal_notes_and_private_posts_are_not_flagged(known_issue, alex, sam):
    note = services.add_internal_note(known_issue, by=alex, body_md="Call the depot")
    _refused(note, sam, "Only posts on public pages")


def test_a_huge_note_is_refused_with_its_length(maria_comment, sam):
    _refused(
        maria_comment, sam, "That note is 5,000 characters; the limit is 500.", note="x" * 5000
    )


def test_an_unknown_reason_is_refused(maria_comment, sam):
    _refused(maria_comment, sam, "Choose why", reason="boring")
    _refused(maria_comment, sam, "Choose why", reason="")


def test_something_else_needs_a_note(maria_comment, sam):
    _refused(maria_comment, sam, "Say in the note", reason="other", note="   ")
    assert flag_message(maria_comment, by=sam, reason="other", note="Wrong order number").note


def test_silenced_members_do_not_flag(maria_comment, sam):
    from datetime import timedelta

    from django.utils import timezone

    Member.objects.create(person=sam.person, silenced_until=timezone.now() + timedelta(hours=1))
    _refused(maria_comment, sam, "You cannot post until")


def test_anonymous_visitors_do_not_flag(maria_comment):
    from django.contrib.auth.models import AnonymousUser

    _refused(maria_comment, AnonymousUser(), "Sign in")


def test_flags_are_rate_limited(settings, known_issue, maria, sam):
    settings.MODERATION_FLAG_RATE_LIMIT = "2/m"
    posts = [comment(known_issue, maria, f"Post {i}") for i in range(3)]
    flag_message(posts[0], by=sam, reason="spam")
    flag_message(posts[1], by=sam, reason="spam")
    with pytest.raises(RateLimited):
        flag_message(posts[2], by=sam, reason="spam")
    assert Flag.objects.count() == 2


def test_flagging_costs_a_handful_of_queries(maria_comment, sam):
    with CaptureQueriesContext(connection) as ctx:
        flag_message(maria_comment, by=sam, reason="spam")
    assert len(ctx.captured_queries) <= 12
