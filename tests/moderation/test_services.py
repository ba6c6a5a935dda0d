"""Moderators' actions on posts, topics and members: what changes, and the audit entry each
leaves."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import User
from community.services import start_topic
from conversations import services
from conversations.models import (
    AuditEvent,
    Category,
    Conversation,
    Kind,
    MessageRevision,
    Moderation,
    ResponseState,
)
from moderation import services as moderation
from moderation.models import Flag, FlagState, Learned, Member, Screening, SpamCorpus, TrustLevel
from moderation.tasks import end_suspensions
from moderation.trust import recompute_trust, set_trust_level, trust_level

pytestmark = pytest.mark.django_db


def flagged(message, flaggers, n=3):
    for user in flaggers[:n]:
        moderation.flag_message(message, by=user, reason="inappropriate")
    message.refresh_from_db()
    return message


def last_event():
    return AuditEvent.objects.order_by("-pk").first()


# --- Hide and restore -------------------------------------------------------------------------


def test_restoring_a_post_hidden_by_flags_shows_it_and_dismisses_the_flags(
    known_issue, maria_comment, flaggers, mona
):
    flagged(maria_comment, flaggers)
    assert maria_comment.moderation == Moderation.HIDDEN
    moderation.restore_message(maria_comment, by=mona)
    assert maria_comment.moderation == Moderation.VISIBLE
    known_issue.refresh_from_db()
    assert known_issue.comment_count == 1
    assert set(Flag.objects.values_list("state", flat=True)) == {FlagState.DISMISSED}
    assert Flag.objects.filter(decided_by=mona).count() == 3
    event = last_event()
    assert (event.verb, event.actor, event.message, event.detail) == (
        "restored",
        mona,
        maria_comment,
        {"flags": 3},
    )


def test_agreeing_keeps_a_post_hidden_and_gives_the_flaggers_standing(
    settings, maria_comment, flaggers, mona
):
    settings.MODERATION_AGREED_FLAGS_FOR_STANDING = 1
    flagged(maria_comment, flaggers)
    moderation.hide_message(maria_comment, by=mona, reason="Rude")
    assert maria_comment.moderation == Moderation.HIDDEN
    assert set(Flag.objects.values_list("state", flat=True)) == {FlagState.AGREED}
    assert last_event().verb == "flags agreed"
    assert last_event().detail == {"reason": "Rude", "flags": 3}
    # the flaggers' levels were set by hand (locked); unlocked, their standing counts
    set_trust_level(flaggers[0].person, TrustLevel.NEW, locked=False)
    assert recompute_trust(flaggers[0].person) == TrustLevel.BASIC  # no posts, one agreed flag


def test_a_moderator_hides_a_visible_post_and_restores_it(known_issue, maria_comment, mona):
    moderation.hide_message(maria_comment, by=mona)
    assert maria_comment.moderation == Moderation.HIDDEN
    assert last_event().verb == "hidden"
    known_issue.refresh_from_db()
    assert known_issue.comment_count == 0
    moderation.restore_message(maria_comment, by=mona)
    known_issue.refresh_from_db()
    assert known_issue.comment_count == 1
    assert last_event().verb == "restored"


def test_dismissing_flags_on_a_visible_post(maria_comment, flaggers, mona):
    flagged(maria_comment, flaggers, n=1)
    moderation.restore_message(maria_comment, by=mona)
    assert last_event().verb == "flags dismissed"
    with pytest.raises(services.PostingError, match="no flags waiting"):
        moderation.restore_message(maria_comment, by=mona)


def test_restoring_a_hidden_opening_lists_the_topic_at_its_old_time(discussion, flaggers, mona):
    opening = discussion.messages.get(is_opening=True)
    published = discussion.published_at
    flagged(opening, flaggers)
    moderation.restore_message(opening, by=mona)
    discussion.refresh_from_db()
    assert discussion.published_at == published
    assert discussion.comment_count == 0


def test_hiding_and_restoring_refuse_what_does_not_fit(known_issue, maria_comment, newbie, mona):
    held = services.post_comment(known_issue, author=newbie.person, body_md="First")
    with pytest.raises(services.PostingError, match="waiting for approval"):
        moderation.hide_message(held, by=mona)
    with pytest.raises(services.PostingError, match="held post is approved"):
        moderation.restore_message(held, by=mona)
    opening = known_issue.messages.get(is_opening=True)
    with pytest.raises(services.PostingError, match="Unpublish the post instead"):
        moderation.hide_message(opening, by=mona)
    moderation.hide_message(maria_comment, by=mona)
    with pytest.raises(services.PostingError, match="hidden already"):
        moderation.hide_message(maria_comment, by=mona)
    moderation.delete_post(maria_comment, by=mona)
    with pytest.raises(services.PostingError, match="removed already"):
        moderation.hide_message(maria_comment, by=mona)
    with pytest.raises(services.PostingError, match="the limit is 200"):
        moderation.hide_message(held, by=mona, reason="x" * 201)


# --- Held posts and spam ---------------------------------------------------------------------


def test_approving_a_held_post(known_issue, newbie, mona):
    held = services.post_comment(known_issue, author=newbie.person, body_md="First post!")
    moderation.approve_post(held, by=mona)
    assert held.moderation == Moderation.VISIBLE
    assert last_event().verb == "approved"
    assert trust_level(newbie.person) == TrustLevel.BASIC
    assert not SpamCorpus.objects.exists()  # plain approval teaches nothing
    with pytest.raises(services.PostingError, match="not waiting for approval"):
        moderation.approve_post(held, by=mona)


def test_approving_a_held_topic_lists_it(maria, deliveries, mona):
    topic = start_topic(kind=Kind.QUESTION, author=maria.person, title="Sunday delivery?",
                        body_md="Do you?")  # fmt: skip
    moderation.approve_post(topic.messages.get(), by=mona)
    topic.refresh_from_db()
    assert topic.published_at is not None


def test_not_spam_releases_the_post_and_lowers_the_next_score(known_issue, sam, spammy, mona):
    set_trust_level(sam.person, TrustLevel.REGULAR)
    held = services.post_comment(known_issue, author=sam.person, body_md=spammy)
    first_score = held.screening.spam_score
    moderation.approve_post(held, by=mona, not_spam=True)
    assert held.moderation == Moderation.VISIBLE
    assert Screening.objects.get(message=held).learned == Learned.HAM
    assert [e.verb for e in AuditEvent.objects.order_by("pk")][-2:] == [
        "approved",
        "marked not spam",
    ]
    again = services.post_comment(known_issue, author=sam.person, body_md=spammy)
    assert again.moderation == Moderation.VISIBLE
    assert again.screening.spam_score < first_score / 2


def test_spam_removes_teaches_and_may_silence(known_issue, maria_comment, maria, flaggers, mona):
    moderation.delete_post(
        maria_comment, by=mona, as_spam=True, silence_until=timezone.now() + timedelta(days=7)
    )
    assert maria_comment.moderation == Moderation.REMOVED
    assert maria_comment.response_state == ResponseState.NO_REPLY_NEEDED
    assert Screening.objects.get(message=maria_comment).learned == Learned.SPAM
    assert SpamCorpus.objects.get().spam_docs == 1
    assert Member.objects.get(person=maria.person).silenced()
    verbs = [e.verb for e in AuditEvent.objects.order_by("pk")]
    assert verbs[-3:] == ["removed", "marked spam", "silenced"]
    with pytest.raises(services.PostingError, match="removed already"):
        moderation.delete_post(maria_comment, by=mona)


def test_changing_ones_mind_takes_the_old_lesson_back(known_issue, sam, spammy, mona):
    set_trust_level(sam.person, TrustLevel.REGULAR)
    held = services.post_comment(known_issue, author=sam.person, body_md=spammy)
    moderation._teach(held, as_spam=False)
    moderation._teach(held, as_spam=False)  # once only
    moderation._teach(held, as_spam=True)
    corpus = SpamCorpus.objects.get()
    assert (corpus.spam_docs, corpus.ham_docs) == (1, 0)


def test_deleting_a_topics_opening_unlists_it(discussion, mona):
    opening = discussion.messages.get(is_opening=True)
    moderation.delete_post(opening, by=mona, reason="Duplicate")
    discussion.refresh_from_db()
    assert discussion.published_at is None
    opening.refresh_from_db()
    assert opening.moderation == Moderation.REMOVED
    assert opening.no_reply_reason == "Duplicate"
    assert last_event().detail == {"reason": "Duplicate"}


def test_a_blog_posts_opening_is_not_deleted_here(known_issue, mona):
    with pytest.raises(services.PostingError, match="Unpublish"):
        moderation.delete_post(known_issue.messages.get(is_opening=True), by=mona)


def test_internal_notes_are_not_moderated_here(known_issue, alex, mona):
    note = services.add_internal_note(known_issue, by=alex, body_md="Depot called")
    for action in (moderation.hide_message, moderation.delete_post):
        with pytest.raises(services.PostingError, match="Internal notes"):
            action(note, by=mona)


# --- Editing ---------------------------------------------------------------------------------


def test_editing_keeps_the_old_text_as_a_revision(known_issue, maria_comment, mona):
    old_html = maria_comment.body_html
    moderation.edit_message(
        maria_comment, by=mona, body_md="Where is my parcel? Order [removed].",
        reason="Removed an order number",
    )  # fmt: skip
    assert maria_comment.body_md == "Where is my parcel? Order [removed]."
    assert "[removed]" in maria_comment.body_html and maria_comment.edited_at is not None
    revision = MessageRevision.objects.get()
    assert (revision.body_html, revision.edited_by, revision.reason) == (
        old_html,
        mona,
        "Removed an order number",
    )
    event = last_event()
    assert (event.verb, event.detail) == ("edited", {"reason": "Removed an order number"})


def test_editing_an_opening_updates_the_summary(discussion, mona):
    opening = discussion.messages.get(is_opening=True)
    moderation.edit_message(opening, by=mona, body_md="Post your photos here.", reason="Tidy")
    discussion.refresh_from_db()
    assert discussion.summary == "Post your photos here."


def test_edits_need_a_reason_and_a_change(maria_comment, mona):
    with pytest.raises(services.PostingError, match="Say why"):
        moderation.edit_message(maria_comment, by=mona, body_md="New", reason=" ")
    with pytest.raises(services.PostingError, match="unchanged"):
        moderation.edit_message(maria_comment, by=mona, body_md=maria_comment.body_md, reason="x")
    with pytest.raises(services.PostingError, match="the limit is 10,000"):
        moderation.edit_message(maria_comment, by=mona, body_md="x" * 10_001, reason="x")
    assert not MessageRevision.objects.exists()


# --- Topics ----------------------------------------------------------------------------------


def test_moving_closing_and_locking_a_topic(discussion, mona, deliveries):
    billing = Category.objects.create(name="Billing", slug="billing")
    moderation.move_topic(discussion, by=mona, category=billing)
    discussion.refresh_from_db()
    assert discussion.category == billing
    assert last_event().detail == {"before": "Deliveries", "after": "Billing"}
    with pytest.raises(services.PostingError, match="in Billing already"):
        moderation.move_topic(discussion, by=mona, category=billing)
    with pytest.raises(services.PostingError, match="Choose the category"):
        moderation.move_topic(discussion, by=mona, category=None)

    moderation.close_topic(discussion, by=mona)
    assert not Conversation.objects.get(pk=discussion.pk).comments_open
    with pytest.raises(services.PostingError, match="closed already"):
        moderation.close_topic(discussion, by=mona)
    moderation.close_topic(discussion, by=mona, close=False)
    moderation.lock_topic(discussion, by=mona)
    assert Conversation.objects.get(pk=discussion.pk).locked
    with pytest.raises(services.PostingError, match="locked already"):
        moderation.lock_topic(discussion, by=mona)
    moderation.lock_topic(discussion, by=mona, lock=False)
    with pytest.raises(services.PostingError, match="not locked"):
        moderation.lock_topic(discussion, by=mona, lock=False)
    verbs = list(
        AuditEvent.objects.filter(conversation=discussion)
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs[-5:] == ["moved", "closed", "reopened", "locked", "unlocked"]


def test_closed_and_locked_topics_refuse_replies(discussion, sam, alex, mona):
    moderation.close_topic(discussion, by=mona)
    with pytest.raises(services.PostingError, match="closed"):
        services.post_comment(discussion, author=sam.person, body_md="Me too")
    services.post_comment(discussion, author=alex.person, body_md="Staff still may")
    moderation.lock_topic(discussion, by=mona)
    with pytest.raises(services.PostingError, match="locked"):
        services.post_comment(discussion, author=alex.person, body_md="Nobody may")


def test_blog_posts_are_not_moved_here(known_issue, deliveries, mona):
    with pytest.raises(services.PostingError, match="Only community topics"):
        moderation.move_topic(known_issue, by=mona, category=deliveries)


# --- Members ---------------------------------------------------------------------------------


def test_silencing_and_lifting(known_issue, maria_comment, maria, mona):
    until = timezone.now() + timedelta(days=1)
    moderation.silence(maria.person, by=mona, until=until, reason="Cooling off")
    with pytest.raises(services.PostingError, match=r"You cannot post until .* Cooling off"):
        services.post_comment(known_issue, author=maria.person, body_md="Hi")
    event = last_event()
    assert event.verb == "silenced"
    assert event.detail == {
        "person": maria.person.pk, "name": "Maria Keller", "until": until.isoformat(),
        "reason": "Cooling off",
    }  # fmt: skip
    moderation.lift_sanctions(maria.person, by=mona)
    services.post_comment(known_issue, author=maria.person, body_md="Hi again")
    assert last_event().verb == "sanctions lifted"
    with pytest.raises(services.PostingError, match="neither silenced nor suspended"):
        moderation.lift_sanctions(maria.person, by=mona)


def test_suspending_switches_the_login_off_until_it_ends(maria, mona):
    until = timezone.now() + timedelta(hours=1)
    moderation.suspend(maria.person, by=mona, until=until, reason="Threats")
    assert not User.objects.get(pk=maria.pk).is_active
    assert Member.objects.get(person=maria.person).login_paused
    assert end_suspensions.call_local() == 0  # not over yet
    Member.objects.filter(person=maria.person).update(suspended_until=timezone.now())
    assert end_suspensions.call_local() == 1
    assert User.objects.get(pk=maria.pk).is_active
    assert last_event().verb == "suspension ended"


def test_lifting_a_suspension_switches_the_login_on_at_once(maria, mona):
    moderation.suspend(maria.person, by=mona, until=timezone.now() + timedelta(days=3),
                       reason="Threats")  # fmt: skip
    moderation.lift_sanctions(maria.person, by=mona)
    assert User.objects.get(pk=maria.pk).is_active
    assert not Member.objects.get(person=maria.person).login_paused


def test_sanctions_need_a_reason_a_future_time_and_a_customer(maria, alex, mona):
    later = timezone.now() + timedelta(days=1)
    with pytest.raises(services.PostingError, match="Give a reason"):
        moderation.silence(maria.person, by=mona, until=later, reason="")
    with pytest.raises(services.PostingError, match="future"):
        moderation.suspend(maria.person, by=mona, until=timezone.now(), reason="x")
    with pytest.raises(services.PostingError, match="Staff are not silenced"):
        moderation.suspend(alex.person, by=mona, until=later, reason="x")
    assert not AuditEvent.objects.exists()
    assert User.objects.get(pk=maria.pk).is_active


def test_setting_trust_by_hand_and_handing_it_back(maria_comment, maria, alex, mona):
    moderation.set_trust(maria.person, by=mona, level=TrustLevel.REGULAR)
    member = Member.objects.get(person=maria.person)
    assert (member.trust_level, member.trust_locked) == (TrustLevel.REGULAR, True)
    assert last_event().detail["after"] == TrustLevel.REGULAR
    moderation.set_trust(maria.person, by=mona, level=None)
    assert trust_level(maria.person) == TrustLevel.BASIC
    assert last_event().verb == "trust unlocked"
    with pytest.raises(services.PostingError, match="already follows"):
        moderation.set_trust(maria.person, by=mona, level=None)
    with pytest.raises(services.PostingError, match="0 to 4"):
        moderation.set_trust(maria.person, by=mona, level=9)
    with pytest.raises(services.PostingError, match="Staff are trusted"):
        moderation.set_trust(alex.person, by=mona, level=1)


# --- Only moderators -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["maria", "alex", "lionel", "priya"])
def test_only_moderators_act(request, persona, discussion, maria_comment, sam):
    user = request.getfixturevalue(persona)
    later = timezone.now() + timedelta(days=1)
    opening = discussion.messages.get(is_opening=True)
    events = AuditEvent.objects.count()
    for action in (
        lambda: moderation.hide_message(maria_comment, by=user),
        lambda: moderation.restore_message(maria_comment, by=user),
        lambda: moderation.approve_post(maria_comment, by=user),
        lambda: moderation.delete_post(maria_comment, by=user),
        lambda: moderation.edit_message(opening, by=user, body_md="x", reason="x"),
        lambda: moderation.move_topic(discussion, by=user, category=None),
        lambda: moderation.close_topic(discussion, by=user),
        lambda: moderation.lock_topic(discussion, by=user),
        lambda: moderation.silence(sam.person, by=user, until=later, reason="x"),
        lambda: moderation.suspend(sam.person, by=user, until=later, reason="x"),
        lambda: moderation.lift_sanctions(sam.person, by=user),
        lambda: moderation.set_trust(sam.person, by=user, level=2),
    ):
        with pytest.raises(PermissionDenied):
            action()
    assert AuditEvent.objects.count() == events


def test_admins_moderate_too(maria_comment, ada):
    moderation.hide_message(maria_comment, by=ada)
    assert last_event().actor == ada


def test_every_moderation_verb_is_listed():
    assert len(set(moderation.VERBS)) == len(moderation.VERBS)
    assert all(len(v) <= 32 for v in moderation.VERBS)


def test_spam_in_a_held_topic_teaches_its_title_too(maria, deliveries, mona):
    topic = start_topic(kind=Kind.DISCUSSION, author=maria.person, title="Marble pestles sale",
                        body_md="Cheap!")  # fmt: skip
    opening = topic.messages.get()
    moderation.delete_post(opening, by=mona, as_spam=True)
    assert Screening.objects.get(message=opening).learned == Learned.SPAM
    from moderation.models import SpamToken

    assert SpamToken.objects.filter(token="pestles", spam=1).exists()
    opening.refresh_from_db()
    assert opening.moderation == Moderation.REMOVED and opening.no_reply_reason == "Spam"


def test_internal_notes_are_not_edited_here(known_issue, alex, mona):
    note = services.add_internal_note(known_issue, by=alex, body_md="Depot called")
    with pytest.raises(services.PostingError, match="staff desk"):
        moderation.edit_message(note, by=mona, body_md="x", reason="x")


def test_suspending_a_person_without_a_login_refuses_their_posts(known_issue, mona):
    from accounts.models import Person

    person = Person.objects.create(display_name="Imported Ivan")
    member = moderation.suspend(person, by=mona, until=timezone.now() + timedelta(days=1),
                                reason="Spam")  # fmt: skip
    assert not member.login_paused
    with pytest.raises(services.PostingError, match="suspended"):
        services.post_comment(known_issue, author=person, body_md="Hi")
    moderation.lift_sanctions(person, by=mona)
