"""Idea services: votes within a budget, statuses with public reasons, merging.

After every operation each idea's vote_count equals its Vote rows (`assert_counts`)."""

from __future__ import annotations

import pytest
from huey import signals
from huey.contrib.djhuey import HUEY

from community import ideas
from community.models import Idea, IdeaStatusChange, Vote
from community.services import start_topic
from conversations import services
from conversations.models import AuditEvent, Conversation, Kind, Moderation, Subscription
from conversations.services import PostingError
from moderation.trust import set_trust_level
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db


# --- Helpers shared by the other idea test modules -------------------------------------------


def make_idea(user, title: str, category=None) -> Conversation:
    """A visible idea by `user` (a held opening post is let through)."""
    conversation = start_topic(
        kind=Kind.IDEA,
        author=user.person,
        title=title,
        body_md=f"{title}, please.",
        category=category,
    )
    opening = conversation.messages.get(is_opening=True)
    if opening.moderation == Moderation.HELD:
        services.approve(opening, by=user)
    conversation.refresh_from_db()
    return conversation


def votes_of(conversation) -> int:
    return Idea.objects.get(pk=conversation.pk).vote_count


def assert_counts() -> None:
    """Every idea's counter equals its Vote rows."""
    for idea in Idea.objects.all():
        assert idea.vote_count == Vote.objects.filter(idea=idea).count(), idea


@pytest.fixture
def executed_tasks():
    """(task name, args) of every background job started, in order (jobs run inline in tests)."""
    seen = []

    def record(signal, task, *args, **kwargs):
        seen.append((task.name, task.args))

    HUEY.signal(signals.SIGNAL_EXECUTING)(record)
    yield seen
    HUEY.disconnect_signal(record, signals.SIGNAL_EXECUTING)


@pytest.fixture
def other_idea(sam, idea_statuses, deliveries):
    return make_idea(sam, "Deliver to parcel lockers", deliveries)


# --- The budget setting ------------------------------------------------------------------------


def test_the_default_budget_is_read():
    assert ideas.parse_budget("0=3,1=10,2=20,3=30,4=50") == {0: 3, 1: 10, 2: 20, 3: 30, 4: 50}
    assert ideas.parse_budget(" 4=1 , 3=1,2=1,1=1,0=0, ") == {0: 0, 1: 1, 2: 1, 3: 1, 4: 1}


@pytest.mark.parametrize(
    "spec, words",
    [
        ("0=3,1=x,2=20,3=30,4=50", "write each trust level as level=votes"),
        ("0=3,1=10,2=20,3=30,4", "write each trust level as level=votes"),
        ("0=3,1=10,2=20,3=30,4=-5", "write each trust level as level=votes"),
        ("0=3,1=10,2=20,3=30,5=50", "trust levels run from 0 to 4"),
        ("0=3,0=4,1=10,2=20,3=30,4=50", "trust level 0 is given twice"),
        ("0=3,1=10", "2, 3, 4 missing"),
        ("", "0, 1, 2, 3, 4 missing"),
    ],
)
def test_a_bad_budget_is_refused_with_the_reason(spec, words):
    with pytest.raises(ValueError, match=words):
        ideas.parse_budget(spec)


def test_a_bad_budget_stops_start_up(settings):
    assert ideas.check_vote_budget(None) == []
    settings.IDEA_VOTE_BUDGET = "0=3,1=lots"
    [problem] = ideas.check_vote_budget(None)
    assert problem.id == "community.E001"
    assert "OPENLINE_IDEA_VOTE_BUDGET" in problem.msg and "'1=lots'" in problem.msg


def test_the_budget_follows_the_trust_level(maria, alex, idea_statuses):
    assert ideas.budget(maria.person) == (0, 3)
    set_trust_level(maria.person, 2)
    assert ideas.budget(maria.person) == (0, 20)
    assert ideas.budget(alex.person) == (0, 50)  # staff are trusted fully


# --- Votes -----------------------------------------------------------------------------------


def test_a_vote_counts_once(idea, sam):
    ideas.vote(idea, sam.person)
    assert votes_of(idea) == 1
    assert ideas.budget(sam.person) == (1, 3)
    assert_counts()


def test_voting_twice_is_refused_and_changes_nothing(idea, sam):
    ideas.vote(idea, sam.person)
    with pytest.raises(PostingError, match="You have already voted for this idea"):
        ideas.vote(idea, sam.person)
    assert votes_of(idea) == 1 and Vote.objects.count() == 1
    assert_counts()


def test_members_may_vote_for_their_own_idea(idea, maria):
    ideas.vote(idea, maria.person)
    assert votes_of(idea) == 1


def test_voting_over_budget_is_refused_and_changes_nothing(idea, sam, maria, idea_statuses):
    more = [make_idea(maria, f"Idea number {i}") for i in range(3)]
    for conversation in more:
        ideas.vote(conversation, sam.person)
    with pytest.raises(PostingError) as refused:
        ideas.vote(idea, sam.person)
    assert str(refused.value) == (
        "You have used all 3 of your votes; take one back from another idea on your My votes "
        "page, or earn more by taking part."
    )
    assert votes_of(idea) == 0 and ideas.budget(sam.person) == (3, 3)
    # Over budget, a second vote for an idea already voted for says so.
    with pytest.raises(PostingError, match="already voted"):
        ideas.vote(more[0], sam.person)
    # A vote taken back can be given again; a higher trust level brings more.
    ideas.unvote(more[0], sam.person)
    ideas.vote(idea, sam.person)
    set_trust_level(sam.person, 1)
    ideas.vote(more[0], sam.person)
    assert ideas.budget(sam.person) == (4, 10)
    assert_counts()


def test_a_budget_of_one_or_none_is_worded_for_it(idea, other_idea, sam, settings):
    settings.IDEA_VOTE_BUDGET = "0=1,1=10,2=20,3=30,4=50"
    ideas.vote(idea, sam.person)
    with pytest.raises(PostingError, match="You have used your only vote; take one back"):
        ideas.vote(other_idea, sam.person)
    settings.IDEA_VOTE_BUDGET = "0=0,1=10,2=20,3=30,4=50"
    with pytest.raises(PostingError, match="New members vote once they have taken part"):
        ideas.vote(other_idea, sam.person)
    assert_counts()


def test_taking_a_vote_back(idea, sam):
    ideas.vote(idea, sam.person)
    ideas.unvote(idea, sam.person)
    assert votes_of(idea) == 0 and ideas.budget(sam.person) == (0, 3)
    with pytest.raises(PostingError, match="You have not voted for this idea"):
        ideas.unvote(idea, sam.person)
    assert_counts()


def test_closed_ideas_take_no_votes_and_give_votes_back(idea, sam, newbie, alex, idea_statuses):
    ideas.vote(idea, sam.person)
    ideas.set_status(idea, idea_statuses["done"], by=alex, reason_md="Shipped in the app today.")
    # The vote stays on record, and no longer counts against Sam's budget.
    assert votes_of(idea) == 1 and ideas.budget(sam.person) == (0, 3)
    with pytest.raises(PostingError, match="This idea is done: it takes no more votes"):
        ideas.vote(idea, newbie.person)
    with pytest.raises(PostingError, match="its votes stay on record"):
        ideas.unvote(idea, sam.person)
    assert votes_of(idea) == 1
    # Reopened, the vote counts again.
    ideas.set_status(idea, idea_statuses["planned"], by=alex, reason_md="It broke; back to it.")
    assert ideas.budget(sam.person) == (1, 3)
    assert_counts()


def test_locked_merged_held_and_other_topics_take_no_votes(
    idea, other_idea, question, sam, newbie, alex
):
    Conversation.objects.filter(pk=idea.pk).update(locked=True)
    idea.refresh_from_db()
    with pytest.raises(PostingError, match="This idea is locked"):
        ideas.vote(idea, sam.person)
    with pytest.raises(PostingError, match="Only ideas take votes"):
        ideas.vote(question, sam.person)
    ideas.merge_ideas(other_idea, idea, by=alex)
    with pytest.raises(PostingError, match="merged into another one; vote for that one"):
        ideas.vote(other_idea, sam.person)
    held = make_idea(newbie, "Gift wrapping")
    Conversation.objects.filter(pk=held.pk).update(published_at=None)
    held.refresh_from_db()
    with pytest.raises(PostingError, match="waiting for a moderator"):
        ideas.vote(held, sam.person)
    assert not Vote.objects.exists()
    assert_counts()


# --- Statuses --------------------------------------------------------------------------------


def test_a_status_change_is_recorded_with_its_public_reason(
    idea, sam, alex, idea_statuses, executed_tasks, django_capture_on_commit_callbacks
):
    ideas.vote(idea, sam.person)
    with django_capture_on_commit_callbacks(execute=True):
        change = ideas.set_status(
            idea,
            "planned",
            by=alex,
            reason_md="We will build it **this spring**. <script>alert(1)</script>",
        )
    stored = Idea.objects.get(pk=idea.pk)
    assert stored.status.slug == "planned" and stored.status_changed_at == change.at
    assert change.from_status.slug == "under-review" and change.to_status.slug == "planned"
    assert change.by == alex
    assert "<strong>this spring</strong>" in change.reason_html
    assert "<script>" not in change.reason_html
    assert ("idea_status_changed", change.pk) in [(name, args[0]) for name, args in executed_tasks]
    event = AuditEvent.objects.get(verb="changed idea status")
    assert event.actor == alex and event.detail == {"before": "under-review", "after": "planned"}
    assert votes_of(idea) == 1


@pytest.mark.parametrize(
    "status, reason, words",
    [
        ("planned", "   ", "Give a public reason for the change"),
        ("planned", "x" * 5001, "That reason is 5,001 characters; the limit is 5,000."),
        ("no-such-status", "Because", "Choose one of the statuses."),
        ("under-review", "Because", "This idea is already under review."),
    ],
)
def test_a_bad_status_change_is_refused_and_changes_nothing(
    idea, alex, idea_statuses, status, reason, words
):
    with pytest.raises(PostingError, match=words):
        ideas.set_status(idea, status, by=alex, reason_md=reason)
    assert Idea.objects.get(pk=idea.pk).status.slug == "under-review"
    assert not IdeaStatusChange.objects.exists()


def test_only_staff_who_answer_change_a_status(idea, maria, idea_statuses):
    with pytest.raises(PostingError, match="Only staff who answer customers"):
        ideas.set_status(idea, "planned", by=maria, reason_md="I want it")
    assert not IdeaStatusChange.objects.exists()


def test_a_status_an_admin_defined_works_like_the_others(idea, sam, alex, idea_statuses):
    from community.models import IdeaStatus

    parked = IdeaStatus.objects.create(slug="parked", name="Parked", is_open=False, position=99)
    ideas.vote(idea, sam.person)
    ideas.set_status(idea, parked, by=alex, reason_md="Not this year.")
    assert ideas.budget(sam.person) == (0, 3)
    with pytest.raises(PostingError, match="This idea is parked"):
        ideas.vote(idea, make_customer("kai@example.com", "Kai").person)


# --- Merging ---------------------------------------------------------------------------------


def test_merging_moves_votes_without_double_votes(
    idea, other_idea, maria, sam, newbie, alex, idea_statuses, executed_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    ideas.vote(idea, maria.person)
    ideas.vote(idea, sam.person)
    ideas.vote(other_idea, sam.person)
    ideas.vote(other_idea, newbie.person)
    assert ideas.budget(sam.person) == (2, 3)
    with django_capture_on_commit_callbacks(execute=True):
        change = ideas.merge_ideas(other_idea, idea, by=alex, reason_md="Same wish.")
    assert votes_of(idea) == 3 and votes_of(other_idea) == 0
    voters = Vote.objects.filter(idea_id=idea.pk).values_list("person__display_name", flat=True)
    assert set(voters) == {"Maria Keller", "Sam Osei", "Nina Novak"}
    assert ideas.budget(sam.person) == (1, 3)  # one vote, for the idea kept
    other_idea.refresh_from_db()
    assert other_idea.merged_into_id == idea.pk
    # Followers came along (Sam started the duplicate, so he followed it).
    assert Subscription.objects.filter(conversation=idea, person=sam.person).exists()
    assert not Subscription.objects.filter(conversation=other_idea).exists()
    # The duplicate says where it went, with a link.
    assert change.idea_id == other_idea.pk and change.from_status == change.to_status
    assert idea.get_absolute_url() in change.reason_html and "Same wish." in change.reason_html
    assert ("idea_status_changed", change.pk) in [(name, args[0]) for name, args in executed_tasks]
    event = AuditEvent.objects.get(verb="merged idea")
    assert event.detail == {"source": other_idea.pk, "votes_moved": 1, "double_votes": 1}
    assert_counts()


def test_merging_into_a_done_idea_gives_the_votes_back(idea, other_idea, sam, alex, idea_statuses):
    ideas.vote(other_idea, sam.person)
    ideas.set_status(idea, "done", by=alex, reason_md="Shipped.")
    ideas.merge_ideas(other_idea, idea, by=alex)
    assert votes_of(idea) == 1 and ideas.budget(sam.person) == (0, 3)
    assert_counts()


def test_a_title_cannot_break_the_merge_link(sam, alex, idea_statuses, settings):
    target = make_idea(sam, "Sizes [S](javascript:alert(1)) *bold*")
    source = make_idea(sam, "Another one about sizes")
    change = ideas.merge_ideas(source, target, by=alex)
    link = settings.SITE_URL + target.get_absolute_url()
    assert f'<a href="{link}" rel="nofollow ugc noopener">' in change.reason_html
    assert "Sizes [S](javascript:alert(1)) *bold*</a>" in change.reason_html
    assert change.reason_html.count("<a ") == 1


def test_bad_merges_are_refused_and_change_nothing(
    idea, other_idea, question, maria, sam, alex, idea_statuses
):
    ideas.vote(other_idea, sam.person)
    attempts = [
        (dict(source=other_idea, into=idea, by=maria), "Only staff who answer customers"),
        (dict(source=other_idea, into=other_idea, by=alex), "Choose another idea"),
        (dict(source=other_idea, into=question, by=alex), "Merge an idea into another idea."),
        (dict(source=question, into=idea, by=alex), "Merge an idea into another idea."),
        (
            dict(source=other_idea, into=idea, by=alex, reason_md="x" * 5001),
            "the limit is 5,000",
        ),
    ]
    for kwargs, words in attempts:
        with pytest.raises(PostingError, match=words):
            ideas.merge_ideas(**kwargs)
    assert votes_of(other_idea) == 1 and not IdeaStatusChange.objects.exists()
    third = make_idea(maria, "Deliver on Sundays")
    ideas.merge_ideas(other_idea, idea, by=alex)
    with pytest.raises(PostingError, match="already merged"):
        ideas.merge_ideas(other_idea, third, by=alex)
    with pytest.raises(PostingError, match="was itself merged into another idea"):
        ideas.merge_ideas(third, other_idea, by=alex)
    with pytest.raises(PostingError, match="change that one instead"):
        ideas.set_status(other_idea, "planned", by=alex, reason_md="Hm")
    assert votes_of(idea) == 1
    assert_counts()


def test_a_conversation_of_kind_idea_without_its_idea_row_is_refused(idea, maria, alex):
    stray = Conversation.objects.create(
        kind=Kind.IDEA, title="Stray", slug="stray", author=maria.person
    )
    with pytest.raises(PostingError, match="Merge an idea into another idea"):
        ideas.merge_ideas(stray, idea, by=alex)
    assert votes_of(idea) == 0


def test_merge_targets_are_found_by_address_slug_or_number(idea, question, alex, maria):
    for text in [
        idea.slug,
        f"http://x.test/community/t/{idea.slug}/",
        str(idea.pk),
        f"/t/{idea.slug}",
    ]:
        assert ideas.find_merge_target(alex, text) == idea
    for text in ["", "  ", question.slug, "no-such-idea", "99999999999999999999999"]:
        assert ideas.find_merge_target(alex, text) is None
    unpublished = make_idea(maria, "Not published any more")
    Conversation.objects.filter(pk=unpublished.pk).update(published_at=None)
    assert ideas.find_merge_target(alex, unpublished.slug) == unpublished
    assert ideas.find_merge_target(make_customer("x@example.com", "X"), unpublished.slug) is None
