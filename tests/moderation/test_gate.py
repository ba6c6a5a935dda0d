"""The gate: sanctions, link and daily limits by trust level, held first posts, spam."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from community import services as community_services
from conversations import services
from conversations.models import Kind, Message, Moderation
from moderation import gate
from moderation.models import HeldBecause, Member, Screening, TrustLevel
from moderation.trust import set_trust_level, trust_level
from tests.moderation.conftest import comment

pytestmark = pytest.mark.django_db


def post(conversation, user, body):
    return services.post_comment(conversation, author=user.person, body_md=body)


# --- First posts -----------------------------------------------------------------------------


def test_a_new_members_first_post_is_held_and_the_next_one_is_not(known_issue, newbie, mona):
    first = post(known_issue, newbie, "Hello, is there news?")
    assert first.moderation == Moderation.HELD
    assert first.screening.held_because == HeldBecause.FIRST_POSTS
    services.approve(first, by=mona)
    second = post(known_issue, newbie, "Thanks for the update.")
    assert second.moderation == Moderation.VISIBLE
    # The approved post earned the member the first level.
    assert trust_level(newbie.person) == TrustLevel.BASIC


def test_hold_first_posts_setting_holds_more(settings, known_issue, newbie, mona):
    settings.MODERATION_HOLD_FIRST_POSTS = 2
    settings.MODERATION_TRUST_LEVELS = "1: posts 2"
    services.approve(post(known_issue, newbie, "One"), by=mona)
    assert post(known_issue, newbie, "Two").moderation == Moderation.HELD


def test_no_post_is_held_when_the_setting_is_zero(settings, known_issue, newbie):
    settings.MODERATION_HOLD_FIRST_POSTS = 0
    assert post(known_issue, newbie, "Straight through").moderation == Moderation.VISIBLE


def test_a_member_set_to_a_higher_level_is_not_held(known_issue, newbie):
    set_trust_level(newbie.person, TrustLevel.BASIC)
    assert post(known_issue, newbie, "Hello").moderation == Moderation.VISIBLE


def test_a_new_members_first_topic_is_held_and_unlisted(maria, deliveries):
    conversation = community_services.start_topic(
        kind=Kind.DISCUSSION, author=maria.person, title="Favourite packaging", body_md="Mine!"
    )
    opening = conversation.messages.get()
    assert opening.moderation == Moderation.HELD
    assert conversation.published_at is None


# --- Links and posts per day -----------------------------------------------------------------


def test_a_new_member_may_post_one_link_but_not_two(known_issue, newbie):
    assert post(known_issue, newbie, "See https://a.example").moderation == Moderation.HELD
    with pytest.raises(services.PostingError, match=r"at most 1 link; this one has 2"):
        post(known_issue, newbie, "See https://a.example and www.shop.com")
    assert Message.objects.filter(author=newbie.person).count() == 1


def test_links_allowed_grow_with_the_level(settings, known_issue, newbie):
    settings.MODERATION_LINKS_PER_POST = "0=0,1=2"
    with pytest.raises(services.PostingError, match="may have no links"):
        post(known_issue, newbie, "[here](https://a.example)")
    set_trust_level(newbie.person, TrustLevel.BASIC)
    post(known_issue, newbie, "https://a.example https://b.example")
    with pytest.raises(services.PostingError, match="at most 2 links"):
        post(known_issue, newbie, "https://a.example https://b.example https://c.example")
    set_trust_level(newbie.person, TrustLevel.MEMBER)  # no limit at level 2 here
    post(known_issue, newbie, "https://a.example https://b.example https://c.example")


def test_posts_per_day_by_level_say_when_posting_is_possible_again(settings, known_issue, sam):
    settings.MODERATION_POSTS_PER_DAY = "1=2"
    set_trust_level(sam.person, TrustLevel.BASIC)
    start = timezone.now().replace(microsecond=0) + timedelta(seconds=1)
    with time_machine.travel(start, tick=False):
        post(known_issue, sam, "One")
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        post(known_issue, sam, "Two")
    with (
        time_machine.travel(start + timedelta(hours=2), tick=False),
        pytest.raises(services.PostingError) as refused,
    ):
        post(known_issue, sam, "Three")
    again = gate.until(start + timedelta(days=1))
    assert str(refused.value) == (
        f"At your trust level (Basic) you may post 2 times a day; you can post again after {again}."
    )
    with time_machine.travel(start + timedelta(days=1, seconds=1), tick=False):
        assert post(known_issue, sam, "Three").moderation == Moderation.VISIBLE


def test_staff_are_never_limited(settings, known_issue, alex):
    settings.MODERATION_POSTS_PER_DAY = "0=0,1=0,2=0,3=0,4=0"
    settings.MODERATION_LINKS_PER_POST = "0=0,1=0,2=0,3=0,4=0"
    reply = services.post_comment(
        known_issue, author=alex.person, body_md="BUY NOW https://a.example https://b.example"
    )
    assert reply.moderation == Moderation.VISIBLE
    assert not Screening.objects.exists()


# --- Sanctions -------------------------------------------------------------------------------


def test_a_silenced_member_is_told_until_when(known_issue, maria_comment, maria):
    until = timezone.now() + timedelta(days=2)
    Member.objects.filter(person=maria.person).update(
        silenced_until=until, sanction_reason="Rude to others"
    )
    with pytest.raises(services.PostingError) as refused:
        post(known_issue, maria, "Let me speak")
    assert (
        str(refused.value) == f"You cannot post until {gate.until(until)}. Reason: Rude to others"
    )
    assert Message.objects.filter(author=maria.person).count() == 1


def test_a_suspended_member_cannot_post_or_start_a_topic(maria, known_issue, deliveries):
    until = timezone.now() + timedelta(days=2)
    Member.objects.create(person=maria.person, suspended_until=until)
    with pytest.raises(services.PostingError, match="suspended until"):
        post(known_issue, maria, "Hello")
    with pytest.raises(services.PostingError, match="suspended until"):
        community_services.start_topic(
            kind=Kind.QUESTION, author=maria.person, title="Any news here?", body_md="Well?"
        )


def test_a_sanction_that_ended_no_longer_refuses(known_issue, maria_comment, maria):
    Member.objects.filter(person=maria.person).update(
        silenced_until=timezone.now() - timedelta(minutes=1)
    )
    assert post(known_issue, maria, "Back again").moderation == Moderation.VISIBLE


# --- Spam ------------------------------------------------------------------------------------


def test_a_spammy_post_is_held_with_its_score_and_reasons(known_issue, sam, spammy):
    set_trust_level(sam.person, TrustLevel.REGULAR)
    message = post(known_issue, sam, spammy)
    assert message.moderation == Moderation.HELD
    screening = message.screening
    assert screening.held_because == HeldBecause.SPAM
    assert screening.spam_score >= 0.6
    assert "written in capitals" not in screening.spam_reasons  # mixed case
    assert "“buy now”" in screening.spam_reasons and "2 links" in screening.spam_reasons


def test_a_clean_post_keeps_no_screening(known_issue, maria_comment, maria):
    message = post(known_issue, maria, "Thanks, the parcel arrived today.")
    assert message.moderation == Moderation.VISIBLE
    assert not Screening.objects.filter(message=message).exists()


def test_a_shown_post_with_some_spam_signs_keeps_its_score(known_issue, maria_comment, maria):
    message = post(known_issue, maria, "Is the loan of a trolley possible?")
    assert message.moderation == Moderation.VISIBLE
    assert message.screening.held_because == ""
    assert message.screening.spam_reasons == ["“loan”"]


def test_after_post_scores_a_message_the_gate_did_not_see(known_issue, maria_comment, maria):
    message = comment(known_issue, maria, "Cheap loan, whatsapp me")
    Screening.objects.all().delete()
    gate.after_post(message)
    screening = Screening.objects.get()
    assert screening.spam_score == pytest.approx(1 - 0.75**3, abs=0.001)
