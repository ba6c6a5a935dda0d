"""The idea endpoints: voting, changing a status and merging, for each kind of visitor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community import ideas
from community.models import Idea, IdeaStatusChange, Vote
from conversations.models import Subscription
from tests.community.test_ideas import assert_counts, make_idea, votes_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def other_idea(sam, idea_statuses, deliveries):
    return make_idea(sam, "Deliver to parcel lockers", deliveries)


def vote_url(conversation):
    return reverse("community:vote", args=[conversation.slug])


def status_url(conversation):
    return reverse("community:idea_status", args=[conversation.slug])


def merge_url(conversation):
    return reverse("community:idea_merge", args=[conversation.slug])


HTMX = {"HTTP_HX_REQUEST": "true"}


# --- Voting ----------------------------------------------------------------------------------


def test_a_member_votes_and_takes_the_vote_back(sam_client, idea, sam):
    response = sam_client.post(vote_url(idea), {"action": "vote"})
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    assert votes_of(idea) == 1
    page = sam_client.get(reverse("community:my_votes"))
    assert "Thanks for your vote. You have used 1 of your 3 votes." in page.content.decode()
    response = sam_client.post(vote_url(idea), {"action": "unvote"})
    assert response.status_code == 302 and votes_of(idea) == 0
    assert_counts()


def test_a_vote_returns_to_the_page_it_came_from_on_this_site_only(sam_client, idea):
    back = reverse("community:ideas") + "?sort=new"
    response = sam_client.post(vote_url(idea), {"action": "vote", "next": back})
    assert response["Location"] == back
    response = sam_client.post(
        vote_url(idea), {"action": "unvote", "next": "https://elsewhere.example/"}
    )
    assert response["Location"] == idea.get_absolute_url()


def test_visitors_are_sent_to_sign_in(client, idea):
    response = client.post(vote_url(idea), {"action": "vote"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert response["Location"].endswith("?next=" + idea.get_absolute_url())
    response = client.post(vote_url(idea), {"action": "vote"}, **HTMX)
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/accounts/login/")
    assert not Vote.objects.exists()


def test_voting_is_a_post(sam_client, idea):
    assert sam_client.get(vote_url(idea)).status_code == 405
    assert not Vote.objects.exists()


def test_only_ideas_are_voted_for(sam_client, question):
    assert sam_client.post(vote_url(question), {"action": "vote"}).status_code == 404
    assert sam_client.post("/community/t/no-such-idea/vote/").status_code == 404


def test_voting_twice_gets_a_clear_error_and_changes_nothing(sam_client, idea):
    sam_client.post(vote_url(idea), {"action": "vote"})
    response = sam_client.post(vote_url(idea), {"action": "vote"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "You have already voted for this idea." in body
    assert "Take my vote back" in body  # the page offers what can be done instead
    assert votes_of(idea) == 1
    assert_counts()


def test_voting_over_budget_names_the_way_out(sam_client, sam, maria, idea, idea_statuses):
    for i in range(3):
        ideas.vote(make_idea(maria, f"Idea number {i}"), sam.person)
    response = sam_client.post(vote_url(idea), {"action": "vote"}, **HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert "You have used all 3 of your votes; take one back from another idea" in body
    assert reverse("community:my_votes") in body
    assert votes_of(idea) == 0
    assert_counts()


def test_an_unknown_action_is_refused(sam_client, idea):
    response = sam_client.post(vote_url(idea), {"action": "double"})
    assert response.status_code == 400
    assert "Choose to vote, or to take your vote back." in response.content.decode()
    assert not Vote.objects.exists()


def test_votes_are_rate_limited(sam_client, idea, monkeypatch):
    from community import idea_views

    monkeypatch.setattr(idea_views, "VOTE_RATE_LIMIT", "2/m")
    sam_client.post(vote_url(idea), {"action": "vote"})
    sam_client.post(vote_url(idea), {"action": "unvote"})
    response = sam_client.post(vote_url(idea), {"action": "vote"})
    assert response.status_code == 429
    assert "That is a lot of votes at once. Please wait" in response.content.decode()
    assert votes_of(idea) == 0


def test_htmx_swaps_the_panel(sam_client, idea):
    response = sam_client.post(vote_url(idea), {"action": "vote", "view": "panel"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="idea-panel"')
    assert "Take my vote back" in body and "You have used <strong>1</strong> of your 3" in body


def test_htmx_swaps_a_row_and_the_budget_line(sam_client, idea):
    response = sam_client.post(vote_url(idea), {"action": "vote", "view": "row"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="vote-{idea.pk}"' in body and "Take back" in body
    assert 'id="idea-budget" class="budget" hx-swap-oob="true"' in body
    response = sam_client.post(vote_url(idea), {"action": "vote", "view": "row"}, **HTMX)
    assert response.status_code == 400 and "already voted" in response.content.decode()


# --- Statuses --------------------------------------------------------------------------------


def test_staff_change_a_status_with_a_reason(alex_client, idea, idea_statuses):
    response = alex_client.post(status_url(idea), {"status": "planned", "reason": "On the list."})
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    change = IdeaStatusChange.objects.get()
    assert change.to_status.slug == "planned" and change.reason_md == "On the list."
    assert Idea.objects.get(pk=idea.pk).status.slug == "planned"


def test_a_status_change_by_htmx_returns_the_panel_with_the_timeline(alex_client, idea):
    response = alex_client.post(
        status_url(idea), {"status": "in-progress", "reason": "Building it now."}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Status history" in body and "Building it now." in body and "from Under review" in body


@pytest.mark.parametrize(
    "data, words",
    [
        ({"status": "planned", "reason": ""}, "Give a public reason for the change"),
        ({"status": "planned", "reason": "x" * 5001}, "the limit is 5,000"),
        ({"status": "nope", "reason": "Because"}, "Choose one of the statuses."),
        ({"reason": "Because"}, "Choose a status."),
        ({"status": "under-review", "reason": "Because"}, "already under review"),
    ],
)
def test_a_bad_status_change_shows_the_form_again(alex_client, idea, data, words):
    response = alex_client.post(status_url(idea), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert words in body
    if data.get("reason"):
        assert data["reason"][:100] in body  # what was typed is kept
    assert not IdeaStatusChange.objects.exists()


def test_only_staff_change_statuses(client, maria_client, idea):
    data = {"status": "planned", "reason": "Yes"}
    assert maria_client.post(status_url(idea), data).status_code == 403
    response = client.post(status_url(idea), data)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not IdeaStatusChange.objects.exists()


def test_status_changes_are_posts(alex_client, idea):
    assert alex_client.get(status_url(idea)).status_code == 405


# --- Merging ---------------------------------------------------------------------------------


def test_staff_merge_a_duplicate_and_its_address_leads_to_the_target(
    alex_client, client, idea, other_idea, maria, sam
):
    ideas.vote(idea, sam.person)
    ideas.vote(other_idea, sam.person)
    ideas.vote(other_idea, maria.person)
    response = alex_client.post(merge_url(other_idea), {"into": idea.slug, "reason": "Same."})
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    assert votes_of(idea) == 2 and votes_of(other_idea) == 0
    assert Subscription.objects.filter(conversation=idea, person=sam.person).exists()
    followed = client.get(other_idea.get_absolute_url())
    assert followed.status_code == 301 and followed["Location"] == idea.get_absolute_url()
    assert_counts()


@pytest.mark.parametrize("how", ["address", "number"])
def test_the_target_is_given_by_address_or_number(alex_client, idea, other_idea, how):
    into = f"http://testserver{idea.get_absolute_url()}" if how == "address" else str(idea.pk)
    response = alex_client.post(merge_url(other_idea), {"into": into}, **HTMX)
    assert response.status_code == 204 and response["HX-Redirect"] == idea.get_absolute_url()
    other_idea.refresh_from_db()
    assert other_idea.merged_into_id == idea.pk


@pytest.mark.parametrize(
    "into, words",
    [
        ("", "Say which idea to merge this one into"),
        ("no-such-idea", "No idea has that address or number."),
        ("SELF", "Choose another idea to merge this one into."),
        ("QUESTION", "No idea has that address or number."),
        ("x" * 1001, "Give the address of the idea, or its number."),
    ],
)
def test_a_bad_merge_gets_a_clear_error_and_changes_nothing(
    alex_client, sam, idea, other_idea, question, into, words
):
    ideas.vote(other_idea, sam.person)
    into = {"SELF": other_idea.slug, "QUESTION": question.slug}.get(into, into)
    response = alex_client.post(merge_url(other_idea), {"into": into})
    assert response.status_code == 400
    assert words in response.content.decode()
    other_idea.refresh_from_db()
    assert other_idea.merged_into_id is None and votes_of(other_idea) == 1


def test_only_staff_merge(client, maria_client, alex_client, idea, other_idea):
    assert maria_client.post(merge_url(other_idea), {"into": idea.slug}).status_code == 403
    assert client.post(merge_url(other_idea), {"into": idea.slug}).status_code == 302
    assert alex_client.get(merge_url(other_idea)).status_code == 405
    other_idea.refresh_from_db()
    assert other_idea.merged_into_id is None
