"""Trust levels from activity, the moderation settings' parsers and the start-up check."""

from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.utils import timezone

from accounts.models import Person
from community.services import accept_answer
from conversations.models import Moderation
from moderation import conf
from moderation.models import Flag, FlagState, Member, TrustLevel
from moderation.tasks import recompute_trust_nightly
from moderation.trust import (
    Activity,
    activity,
    earned_level,
    flag_weight,
    recompute_all,
    recompute_trust,
    set_trust_level,
    trust_level,
)
from tests.moderation.conftest import comment

# --- Levels from activity (no database) ------------------------------------------------------


@pytest.mark.parametrize(
    ("done", "level"),
    [
        (Activity(), TrustLevel.NEW),
        (Activity(posts=1), TrustLevel.BASIC),
        (Activity(posts=10, topics=1, days=6), TrustLevel.BASIC),
        (Activity(posts=10, topics=1, days=7), TrustLevel.MEMBER),
        (Activity(posts=40, topics=1, days=30, answers=3), TrustLevel.REGULAR),
        (Activity(posts=150, topics=5, days=120, answers=10), TrustLevel.LEADER),
        # a level's needs are checked only once the ones below it are met
        (Activity(posts=150, topics=0, days=120, answers=10), TrustLevel.BASIC),
    ],
)
def test_levels_are_earned_by_activity(done, level):
    assert earned_level(done) == level


def test_hidden_posts_cost_levels_and_agreed_flags_earn_one():
    assert earned_level(Activity(posts=10, topics=1, days=7, hidden=1)) == TrustLevel.MEMBER
    assert earned_level(Activity(posts=10, topics=1, days=7, hidden=2)) == TrustLevel.BASIC
    assert earned_level(Activity(posts=1, hidden=9)) == TrustLevel.NEW
    assert earned_level(Activity(posts=1, flags_agreed=5)) == TrustLevel.MEMBER
    assert earned_level(Activity(posts=1, flags_agreed=5, flags_dismissed=1)) == TrustLevel.BASIC
    # standing alone never reaches Leader
    busy = Activity(posts=40, topics=1, days=30, answers=3, flags_agreed=50)
    assert earned_level(busy) == TrustLevel.REGULAR


def test_thresholds_come_from_the_settings(settings):
    settings.MODERATION_TRUST_LEVELS = "1: days 2; 2: posts 3"
    assert earned_level(Activity(days=1, posts=5)) == TrustLevel.NEW
    assert earned_level(Activity(days=2, posts=5)) == TrustLevel.MEMBER


# --- Settings parsers and the start-up check -------------------------------------------------


def test_per_level_settings_are_read():
    assert conf.per_level("MODERATION_LINKS_PER_POST") == {0: 1, 1: 5, 2: 20}
    assert conf.limit("MODERATION_LINKS_PER_POST", 0) == 1
    assert conf.limit("MODERATION_LINKS_PER_POST", 3) is None
    assert conf.trust_thresholds()[2] == {"posts": 10, "topics": 1, "days": 7}


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("MODERATION_LINKS_PER_POST", "0=one", "write each level like 0=1"),
        ("MODERATION_POSTS_PER_DAY", "7=3", "levels run from 0 to 4"),
        ("MODERATION_POSTS_PER_DAY", "1", "write each level like 0=1"),
        ("MODERATION_POSTS_PER_DAY", "1=-2", "values are not negative"),
        ("MODERATION_FLAG_WEIGHTS", "0=1,1=1", "give a weight for every level"),
        ("MODERATION_TRUST_LEVELS", "5: posts 1", "start each level with 1: to 4:"),
        ("MODERATION_TRUST_LEVELS", "1: likes 3", "with one of posts, topics, answers, days"),
        ("MODERATION_SPAM_HOLD_AT", 1.5, "a spam score between 0 and 1"),
        ("MODERATION_FLAG_RATE_LIMIT", "ten a minute", "bad rate limit"),
    ],
)
def test_a_setting_that_cannot_be_read_stops_start_up(settings, name, value, words):
    setattr(settings, name, value)
    errors = [e for e in run_checks() if e.id == "moderation.E001"]
    assert len(errors) == 1 and words in errors[0].msg
    assert ("OPENLINE_" + name) in errors[0].msg


def test_the_default_settings_pass_the_check():
    assert not [e for e in run_checks() if e.id.startswith("moderation.")]


def test_flag_weights_by_level():
    assert [flag_weight(level) for level in range(5)] == [0.5, 1, 1.5, 2, 3]


# --- Levels kept in the database -------------------------------------------------------------


@pytest.mark.django_db
def test_staff_are_leaders_and_nobody_else_without_a_record(alex, newbie):
    assert trust_level(alex.person) == TrustLevel.LEADER
    assert recompute_trust(alex.person) == TrustLevel.LEADER
    assert trust_level(newbie.person) == TrustLevel.NEW
    with pytest.raises(ValueError, match="0 to 4"):
        set_trust_level(newbie.person, 7)


@pytest.mark.django_db
def test_activity_counts_posts_topics_answers_hidden_and_flags(question, sam, maria, flaggers):
    reply = comment(question, sam, "Yes, on the account page.")
    accept_answer(question, reply, by=maria)
    hidden = comment(question, sam, "Meh")
    hidden.moderation = Moderation.HIDDEN
    hidden.save()
    Flag.objects.create(
        message=question.messages.get(is_opening=True), flagger=sam.person, reason="spam",
        weight=1, state=FlagState.DISMISSED,
    )  # fmt: skip
    done = activity(sam.person)
    assert (done.posts, done.topics, done.answers, done.hidden) == (1, 0, 1, 1)
    assert (done.flags_agreed, done.flags_dismissed) == (0, 1)
    asker = activity(maria.person)
    assert (asker.posts, asker.topics, asker.answers) == (1, 1, 0)


@pytest.mark.django_db
def test_a_locked_level_stays_until_handed_back(maria_comment, maria):
    set_trust_level(maria.person, TrustLevel.REGULAR)
    assert recompute_trust(maria.person) == TrustLevel.REGULAR
    set_trust_level(maria.person, TrustLevel.REGULAR, locked=False)
    assert recompute_trust(maria.person) == TrustLevel.BASIC


@pytest.mark.django_db
def test_days_bring_trust_in_the_nightly_job(settings, known_issue, maria_comment, maria, sam):
    settings.MODERATION_TRUST_LEVELS = "1: posts 1; 2: posts 1, days 30"
    assert recompute_trust(maria.person) == TrustLevel.BASIC
    set_trust_level(sam.person, TrustLevel.NEW)  # locked: the job leaves it alone
    Person.objects.filter(pk=maria.person.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert recompute_trust_nightly.call_local() == 1
    assert Member.objects.get(person=maria.person).trust_level == TrustLevel.MEMBER
    assert Member.objects.get(person=sam.person).trust_level == TrustLevel.NEW
    assert recompute_all() == 0


def test_empty_parts_of_a_setting_are_skipped(settings):
    settings.MODERATION_TRUST_LEVELS = "1: posts 1, ; ;2: posts 5"
    assert conf.trust_thresholds() == {1: {"posts": 1}, 2: {"posts": 5}}
    settings.MODERATION_LINKS_PER_POST = "0=1,,1=2,"
    assert conf.per_level("MODERATION_LINKS_PER_POST") == {0: 1, 1: 2}
