"""The ideas list, my votes, the roadmap and the idea panel: what they show, to whom, at what
cost in queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from community import ideas
from community.models import IdeaStatus
from conversations.models import Category, Conversation
from tests.community.test_ideas import make_idea
from tests.conftest import make_customer
from tests.test_query_counts import count_queries

pytestmark = pytest.mark.django_db

IDEAS = reverse("community:ideas")
MY_VOTES = reverse("community:my_votes")
ROADMAP = reverse("community:roadmap")


@pytest.fixture(autouse=True)
def _uncached(settings):
    """Count what rendering costs, not what the anonymous page cache saves."""
    settings.PAGE_CACHE_SECONDS = 0


def titles(response) -> list[str]:
    return re.findall(
        r'<h[23]><a href="/community/t/[^"]+/">([^<]+)</a>', response.content.decode()
    )


def add_ideas(user, n, start=0, **kwargs):
    return [make_idea(user, f"Numbered idea {i}", **kwargs) for i in range(start, start + n)]


# --- The ideas list --------------------------------------------------------------------------


def test_visitors_see_ideas_by_votes_and_are_asked_to_sign_in(client, idea, sam, maria):
    [low, high] = add_ideas(sam, 2)
    ideas.vote(high, maria.person)
    ideas.vote(high, sam.person)
    ideas.vote(low, sam.person)
    response = client.get(IDEAS)
    assert response.status_code == 200
    assert titles(response) == ["Numbered idea 1", "Numbered idea 0", idea.title]
    body = response.content.decode()
    assert "3 ideas." in body and "Sign in</a> to vote" in body
    assert "Vote<span" not in body and "You have used" not in body


def test_ideas_sort_by_newest_and_by_latest_status_change(client, idea, sam, alex):
    first, second = add_ideas(sam, 2)
    assert titles(client.get(IDEAS + "?sort=new")) == [second.title, first.title, idea.title]
    ideas.set_status(first, "planned", by=alex, reason_md="Yes.")
    assert titles(client.get(IDEAS + "?sort=changed"))[0] == first.title


def test_ideas_filter_by_status_and_category(client, idea, sam, alex, deliveries):
    billing = Category.objects.create(name="Billing", slug="billing")
    [bill] = add_ideas(sam, 1, category=billing)
    ideas.set_status(bill, "planned", by=alex, reason_md="Soon.")
    assert titles(client.get(IDEAS + "?status=planned")) == [bill.title]
    assert titles(client.get(IDEAS + "?category=deliveries")) == [idea.title]
    assert titles(client.get(IDEAS + "?category=billing&status=under-review")) == []
    # Unknown values are ignored rather than refused.
    assert len(titles(client.get(IDEAS + "?status=nope&category=nope&sort=nope"))) == 2


def test_the_list_leaves_out_merged_and_unpublished_ideas(client, idea, sam, alex):
    [merged, hidden] = add_ideas(sam, 2)
    ideas.merge_ideas(merged, idea, by=alex)
    Conversation.objects.filter(pk=hidden.pk).update(published_at=None)
    assert titles(client.get(IDEAS)) == [idea.title]


def test_members_get_a_vote_button_on_each_idea_and_see_their_budget(sam_client, sam, idea):
    [other] = add_ideas(sam, 1)
    ideas.vote(other, sam.person)
    body = sam_client.get(IDEAS).content.decode()
    assert f'Vote<span class="visually-hidden"> for {idea.title}</span>' in body
    assert f'Take back<span class="visually-hidden"> my vote for {other.title}</span>' in body
    assert "You have used <strong>1</strong> of your 3 votes" in body


def test_the_list_is_paginated(client, sam, idea_statuses):
    add_ideas(sam, 21)
    assert len(titles(client.get(IDEAS))) == 20
    second = client.get(IDEAS + "?sort=new&page=2")
    assert titles(second) == ["Numbered idea 0"]
    assert client.get(IDEAS + "?page=3").status_code == 404
    assert client.get(IDEAS + "?page=x").status_code == 404


def test_lists_are_pages_to_read(client, sam_client):
    assert client.post(IDEAS).status_code == 405
    assert client.post(ROADMAP).status_code == 405
    assert sam_client.post(MY_VOTES).status_code == 405


# --- My votes --------------------------------------------------------------------------------


def test_my_votes_lists_my_ideas_with_take_back_buttons(sam_client, sam, idea, alex):
    [done] = add_ideas(sam, 1)
    ideas.vote(idea, sam.person)
    ideas.vote(done, sam.person)
    ideas.set_status(done, "done", by=alex, reason_md="Shipped.")
    body = sam_client.get(MY_VOTES).content.decode()
    assert f"my vote for {idea.title}" in body
    assert "no longer counts against your votes" in body
    assert "You have used <strong>1</strong> of your 3 votes" in body
    assert body.index(idea.title) < body.index(done.title)  # open ideas first


def test_my_votes_is_for_members(client):
    response = client.get(MY_VOTES)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_votes_says_how_to_start(sam_client):
    assert "You have not voted yet." in sam_client.get(MY_VOTES).content.decode()


# --- The roadmap -----------------------------------------------------------------------------


def test_the_roadmap_has_a_column_per_roadmap_status(client, idea, sam, maria, alex):
    [planned, declined] = add_ideas(sam, 2)
    ideas.set_status(planned, "planned", by=alex, reason_md="Coming in **May**.")
    ideas.set_status(declined, "declined", by=alex, reason_md="Not for us.")
    ideas.vote(planned, maria.person)
    body = client.get(ROADMAP).content.decode()
    headings = re.findall(r'<h2 id="col-[^"]+">([^<]+) <span', body)
    assert headings == ["Under review", "Planned", "In progress", "Done"]  # declined: not shown
    assert idea.title in body and planned.title in body and declined.title not in body
    assert "Coming in <strong>May</strong>." in body and "Not for us." not in body


def test_roadmap_columns_follow_position_and_votes_and_show_the_latest_reason(
    client, sam, maria, alex, ada, idea_statuses
):
    IdeaStatus.objects.create(slug="beta", name="In beta", position=15, on_roadmap=True)
    first, second = add_ideas(sam, 2)
    ideas.set_status(first, "beta", by=alex, reason_md="Older reason.")
    ideas.set_status(first, "planned", by=alex, reason_md="Planned reason.")
    ideas.set_status(first, "beta", by=alex, reason_md="Newest reason.")
    ideas.set_status(second, "beta", by=alex, reason_md="Second.")
    ideas.vote(second, maria.person)
    body = client.get(ROADMAP).content.decode()
    headings = re.findall(r'<h2 id="col-[^"]+">([^<]+) <span', body)
    assert headings == ["Under review", "Planned", "In beta", "In progress", "Done"]
    column = body[body.index('id="col-beta"') : body.index('id="col-in-progress"')]
    assert column.index(second.title) < column.index(first.title)
    assert "Newest reason." in column and "Older reason." not in column


def test_a_long_roadmap_column_links_to_the_whole_list(client, sam, idea_statuses):
    from community import idea_views

    add_ideas(sam, idea_views.ROADMAP_PER_COLUMN + 1)
    body = client.get(ROADMAP).content.decode()
    assert body.count('class="card roadmap-idea"') == idea_views.ROADMAP_PER_COLUMN
    assert f'href="{IDEAS}?status=under-review">All 13 ideas: Under review</a>' in body


@pytest.mark.django_db(transaction=True)
def test_the_roadmap_is_cached_for_visitors_until_votes_or_statuses_change(
    client, settings, tmp_path, idea_statuses, maria, sam, alex
):
    settings.PAGE_CACHE_SECONDS = 60
    # A generation of its own: test runs elsewhere on this machine cannot turn a hit to a miss.
    settings.PAGE_CACHE_GENERATION_FILE = str(tmp_path / "pagegen")
    idea = make_idea(maria, "Let us pick a delivery time slot")
    assert client.get(ROADMAP)["X-Page-Cache"] == "miss"
    assert client.get(ROADMAP)["X-Page-Cache"] == "hit"
    ideas.vote(idea, sam.person)
    fresh = client.get(ROADMAP)
    assert fresh["X-Page-Cache"] == "miss" and "<strong>1</strong> vote" in fresh.content.decode()
    ideas.set_status(idea, "planned", by=alex, reason_md="Yes.")
    assert client.get(ROADMAP)["X-Page-Cache"] == "miss"
    assert client.get(IDEAS)["X-Page-Cache"] == "miss"
    assert client.get(IDEAS)["X-Page-Cache"] == "hit"
    ideas.unvote(idea, sam.person)
    assert client.get(IDEAS)["X-Page-Cache"] == "miss"


# --- The panel on the idea's page ------------------------------------------------------------


def test_the_panel_shows_status_votes_and_the_timeline(client, sam_client, sam, idea, alex):
    ideas.vote(idea, sam.person)
    ideas.set_status(idea, "planned", by=alex, reason_md="We **will**.")
    body = client.get(idea.get_absolute_url()).content.decode()
    assert 'id="idea-panel"' in body and "Planned</span>" in body
    assert '<strong class="vote-count" id="idea-vote-count">1</strong> vote' in body
    assert "We <strong>will</strong>." in body and "Alex R." in body
    assert "Sign in</a> to vote for this idea." in body
    assert "Change the status" not in body
    member = sam_client.get(idea.get_absolute_url()).content.decode()
    assert "Take my vote back" in member and "Change the status" not in member


def test_staff_see_the_status_and_merge_forms(alex_client, idea):
    body = alex_client.get(idea.get_absolute_url()).content.decode()
    assert 'action="/community/t/let-us-pick-a-delivery-time-slot/status/"' in body
    assert 'action="/community/t/let-us-pick-a-delivery-time-slot/merge/"' in body
    assert '<label for="idea-reason">Public reason' in body


def test_the_panel_says_why_an_idea_takes_no_votes(sam_client, idea, alex):
    ideas.set_status(idea, "declined", by=alex, reason_md="Not for us.")
    body = sam_client.get(idea.get_absolute_url()).content.decode()
    assert "This idea is declined: it takes no more votes." in body
    assert "Vote for this idea" not in body


# --- Queries ---------------------------------------------------------------------------------


def _voters(n):
    return [make_customer(f"voter{i}@example.com", f"Voter {i}") for i in range(n)]


@pytest.mark.parametrize("url", [IDEAS, IDEAS + "?sort=new&status=under-review", ROADMAP])
def test_lists_cost_the_same_whatever_their_length(
    client, sam_client, sam, alex, idea_statuses, url
):
    def grow(n, start):
        for conversation in add_ideas(alex, n, start=start):
            if start == 0:
                ideas.vote(conversation, sam.person)
            ideas.set_status(conversation, "planned", by=alex, reason_md="Yes.")
            ideas.set_status(conversation, "under-review", by=alex, reason_md="Back.")

    grow(2, 0)
    few_anon, few_member = count_queries(client, url), count_queries(sam_client, url)
    grow(10, 2)
    assert count_queries(client, url) == few_anon <= 5
    assert count_queries(sam_client, url) == few_member <= 12


def test_my_votes_costs_the_same_whatever_its_length(sam_client, sam, alex, idea_statuses):
    from moderation.trust import set_trust_level

    set_trust_level(sam.person, 2)
    for conversation in add_ideas(alex, 2):
        ideas.vote(conversation, sam.person)
    few = count_queries(sam_client, MY_VOTES)
    for conversation in add_ideas(alex, 10, start=2):
        ideas.vote(conversation, sam.person)
    assert count_queries(sam_client, MY_VOTES) == few <= 10


def test_the_panel_costs_the_same_whatever_the_history(client, alex_client, sam, idea, alex):
    url = idea.get_absolute_url()
    ideas.set_status(idea, "planned", by=alex, reason_md="One.")
    few_anon, few_staff = count_queries(client, url), count_queries(alex_client, url)
    for voter in _voters(5):
        ideas.vote(idea, voter.person)
    for i in range(5):
        ideas.set_status(idea, "in-progress", by=alex, reason_md=f"Step {i}.")
        ideas.set_status(idea, "planned", by=alex, reason_md=f"Back {i}.")
    assert count_queries(client, url) == few_anon
    assert count_queries(alex_client, url) == few_staff
