"""The staff topics report and title suggestions from existing conversations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Person
from conversations import scoring, services
from conversations.models import Kind, Message
from tests.test_query_counts import count_queries

THEMES = [
    "my parcel never arrived, the delivery is late",
    "refund still not paid for my returned blender",
    "cannot reset my password, the link has expired",
    "the sourdough loaf was stale and mouldy",
    "the app crashes at checkout when I pay",
    "the substitution for my oat milk was wrong",
]


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.PAGE_CACHE_SECONDS = 0


def add_messages(conversation, texts, *, days_ago=0):
    """Customer messages, scored straight away (the job runs after commit in production)."""
    at = timezone.now() - timedelta(days=days_ago)
    for i, text in enumerate(texts):
        person = Person.objects.create(display_name=f"Customer {i}")
        services.post_comment(conversation, author=person, body_md=text, at=at)
    scoring.analyse(list(Message.objects.filter(official=False, analysed_with="")))


def test_topics_page_is_for_staff(client, maria_client, alex_client):
    assert client.get("/staff/topics/").status_code == 302
    assert maria_client.get("/staff/topics/").status_code == 403
    assert alex_client.get("/staff/topics/").status_code == 200


def test_topics_page_lists_topics_with_their_negative_share(alex_client, known_issue):
    add_messages(known_issue, [THEMES[0], THEMES[0].replace("late", "very late"), THEMES[1]])
    html = alex_client.get("/staff/topics/").content.decode()
    delivery = next(t for t in scoring.Topic.objects.all() if "parcel" in t.terms)
    assert delivery.size == 2
    row = html[html.index(delivery.name) :]
    assert '<td class="num">2</td>' in row[:200]
    assert '<td class="num">100%</td>' in row[:300]  # both delivery complaints read negative


def test_rising_topics_are_shown(alex_client, known_issue):
    add_messages(known_issue, [THEMES[2]], days_ago=3)
    add_messages(known_issue, [THEMES[2]] * 4)
    html = alex_client.get("/staff/topics/").content.decode()
    today = html[html.index("Rising today") : html.index("Rising this week")]
    assert "password" in today
    assert "4 messages today, usually 0.1" in today


def test_topics_page_is_constant_in_topics(alex_client, known_issue):
    add_messages(known_issue, THEMES[:2])
    few = count_queries(alex_client, "/staff/topics/")
    add_messages(known_issue, THEMES[2:] * 2)
    assert scoring.Topic.objects.count() >= 6
    assert count_queries(alex_client, "/staff/topics/") == few <= 10


def test_similar_conversations_suggest_existing_titles(lionel, known_issue, article):
    hits = scoring.similar_conversations("are deliveries to the north late?")
    assert hits[0][0] == known_issue
    assert 0.3 <= hits[0][1] <= 1
    assert scoring.similar_conversations("how do you pack my order", kinds=[Kind.KNOWN_ISSUE]) == []
    assert scoring.similar_conversations("   ") == []
    # A new post is found without restarting: the index notices the change.
    newer = services.publish_post(
        author=lionel.person, kind=Kind.ARTICLE, title="Oat milk substitutions explained",
        body_md="Why we swap brands.",
    )  # fmt: skip
    assert scoring.similar_conversations("oat milk substitution")[0][0] == newer


def test_drafts_are_never_suggested(lionel):
    services.publish_post(
        author=lionel.person, kind=Kind.ARTICLE, title="Secret price rise next week",
        body_md="Draft.", draft=True,
    )  # fmt: skip
    assert scoring.similar_conversations("price rise next week") == []


def test_writing_a_post_suggests_published_ones_on_the_same_subject(
    lionel_client, known_issue, article
):
    form = lionel_client.get("/staff/posts/new/").content.decode()
    assert 'hx-get="/staff/posts/similar/"' in form
    assert 'id="similar-posts"' in form
    html = lionel_client.get("/staff/posts/similar/", {"title": "north deliveries late"}).content
    assert known_issue.title in html.decode()
    assert known_issue.get_absolute_url() in html.decode()
    unrelated = lionel_client.get("/staff/posts/similar/", {"title": "gift cards"}).content
    assert unrelated.strip() == b""


def test_suggestions_are_for_publishers(maria_client, alex_client, client, known_issue):
    url = "/staff/posts/similar/?title=deliveries"
    assert client.get(url).status_code == 302
    assert maria_client.get(url).status_code == 403
    assert alex_client.get(url).status_code == 403  # agents answer; bloggers publish
