"""The ingest pipeline: each mention once, normalised, scored, matched, in the inbox when due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import Identity, IdentityKind, Person
from conversations.models import Kind, Message, ResponseState
from conversations.services import PostingError
from inbox import queries as inbox_queries
from listening import pipeline, services
from listening.items import Item
from listening.models import Mention, MentionMatch, Query, Source, SourceKind, ToInbox

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def item(n: int = 1, **fields) -> Item:
    defaults = {
        "external_id": f"https://social.example/@ann/{n}",
        "url": f"https://social.example/@ann/{n}",
        "body": f"My Larder order {n} never arrived and nobody answers. Really disappointed.",
        "author_name": "Ann Example",
        "author_handle": "@ann@social.example",
        "author_url": "https://social.example/@ann",
        "published_at": NOW - timedelta(minutes=30),
        "network": "mastodon",
    }
    return Item(**{**defaults, **fields})


@pytest.fixture
def feed_source(db):
    return Source.objects.create(name="Mastodon #larder", kind=SourceKind.MASTODON, keep_all=True)


@pytest.fixture
def larder_query(db):
    return Query.objects.create(name="Larder", text="larder OR @larder")


def test_a_mention_is_stored_as_a_private_conversation_with_one_message(feed_source):
    result = pipeline.ingest([item()], source=feed_source, now=NOW)

    assert (result.received, result.stored, result.duplicates) == (1, 1, 0)
    mention = Mention.objects.select_related("message__conversation", "message__author").get()
    message = mention.message
    conversation = message.conversation
    assert conversation.kind == Kind.MENTION and conversation.is_public is False
    assert conversation.messages.count() == 1 and message.is_opening
    assert message.channel == "mastodon"
    assert message.created_at == NOW - timedelta(minutes=30)
    assert message.body_md.startswith("My Larder order 1 never arrived")
    assert message.sentiment == "negative" and message.analysed_with.startswith("vader")
    assert mention.url == "https://social.example/@ann/1"
    assert mention.site == "social.example"
    assert mention.language == "en"
    assert mention.author == "@ann@social.example Ann Example"
    assert mention.source == feed_source
    identity = Identity.objects.get(kind=IdentityKind.MASTODON)
    assert identity.value == "@ann@social.example"
    assert identity.person == message.author
    assert message.author.display_name == "Ann Example"
    feed_source.refresh_from_db()
    assert (feed_source.items_seen, feed_source.mentions_stored) == (1, 1)


def test_the_same_post_delivered_again_is_stored_once(feed_source):
    copies = [
        item(1),
        item(1),  # the same delivery twice in one batch
        item(1, url="https://SOCIAL.example:443/@ann/1?utm_source=rss#top", external_id="x"),
        item(1, url="https://social.example/@ann/1-copy"),  # same words, same author
    ]
    first = pipeline.ingest(copies, source=feed_source, now=NOW)
    again = pipeline.ingest([item(1)], source=feed_source, now=NOW)

    assert (first.stored, first.duplicates) == (1, 3)
    assert (again.stored, again.duplicates) == (0, 1)
    assert Mention.objects.count() == Message.objects.count() == 1
    feed_source.refresh_from_db()
    assert (feed_source.items_seen, feed_source.mentions_stored) == (5, 1)


def test_the_same_words_by_two_people_are_two_mentions(feed_source):
    pipeline.ingest(
        [
            item(1, url="", external_id="a"),
            item(
                2, url="", external_id="b", author_handle="@bob@social.example", body=item(1).body
            ),
        ],
        source=feed_source,
        now=NOW,
    )
    assert Mention.objects.count() == 2
    assert Person.objects.filter(messages__isnull=False).distinct().count() == 2


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://Example.COM:443/a?b=2&a=1&utm_medium=x#frag", "https://example.com/a?a=1&b=2"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://old.reddit.com/r/food/comments/abc/late", "https://www.reddit.com/r/food/comments/abc/late/"),
        ("https://reddit.com/r/food/comments/abc/late/?fbclid=1", "https://www.reddit.com/r/food/comments/abc/late/"),
        ("ftp://example.com/file", ""),
        ("javascript:alert(1)", ""),
        ("https://[::1/broken", ""),
    ],
)  # fmt: skip
def test_urls_are_canonicalised(url, canonical):
    assert pipeline.canonical_url(url) == canonical


def test_html_in_titles_and_bodies_becomes_plain_text_and_is_never_rendered(feed_source):
    pipeline.ingest(
        [
            item(
                title="Larder &amp; <b>friends</b> &#8211; a review",
                body='<p>Great <script>alert("x")</script>shop</p><p>Second&nbsp;para<br>line</p>',
                body_is_html=True,
            )
        ],
        source=feed_source,
        now=NOW,
    )
    message = Message.objects.select_related("conversation").get()
    assert message.conversation.title == "Larder & friends \u2013 a review"
    assert message.body_md == "Great shop\n\nSecond para\nline"
    assert "<script" not in message.body_html
    assert message.body_html == "<p>Great shop</p><p>Second para<br>line</p>"


def test_plain_text_that_looks_like_html_is_shown_as_written(feed_source):
    pipeline.ingest(
        [item(body='Try <img src=x onerror="alert(1)"> in the Larder search box')],
        source=feed_source,
        now=NOW,
    )
    message = Message.objects.get()
    assert message.body_md == 'Try <img src=x onerror="alert(1)"> in the Larder search box'
    assert "<img" not in message.body_html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in message.body_html


def test_an_item_without_text_is_reported_and_the_rest_are_stored(feed_source):
    result = pipeline.ingest([item(1, body="", title="  "), item(2)], source=feed_source, now=NOW)
    assert result.received == 2 and result.stored == 1
    assert result.errors == ["item https://social.example/@ann/1 has no text"]


def test_a_source_that_keeps_only_matches_drops_the_rest(larder_query):
    source = Source.objects.create(name="Blog feed", kind=SourceKind.FEED, keep_all=False)
    Query.objects.create(name="Paused", text="weather", active=False)
    result = pipeline.ingest(
        [item(1), item(2, body="Nice weather today, nothing about shops.")],
        source=source,
        now=NOW,
    )
    assert (result.stored, result.unmatched) == (1, 1)
    match = MentionMatch.objects.get()
    assert match.query == larder_query
    assert match.created_at == NOW - timedelta(minutes=30)


def test_negative_mentions_wait_in_the_inbox_and_neutral_ones_do_not(feed_source):
    pipeline.ingest(
        [
            item(1),
            item(2, body="Larder has opened a new warehouse in Leeds this week."),
        ],
        source=feed_source,
        now=NOW,
    )
    waiting = Message.objects.get(response_state=ResponseState.AWAITING)
    assert waiting.mention.inbox_reason == "negative"
    assert waiting.due_at is not None and waiting.due_at > NOW
    assert waiting.conversation.opened_at == NOW
    assert waiting.conversation.resolution_due_at > NOW
    quiet = Message.objects.get(response_state=ResponseState.NO_REPLY_NEEDED)
    assert quiet.no_reply_reason == "Listening: no rule asks for an answer"
    assert quiet.conversation.opened_at is None
    assert list(inbox_queries.awaiting()) == [waiting]


def test_questions_and_posts_addressed_to_the_brand_need_an_answer(feed_source, settings):
    settings.LISTENING_BRAND_HANDLES = ["@larder@mastodon.social"]
    result = pipeline.ingest(
        [
            item(1, body="Does Larder deliver to Cork on Sundays?"),
            item(2, body="Thanks @Larder@mastodon.social, the new app looks fine."),
            item(3, body="Larder opened a shop in Leeds."),
        ],
        source=feed_source,
        now=NOW,
    )
    reasons = dict(Mention.objects.values_list("external_id", "inbox_reason"))
    assert reasons == {
        "https://social.example/@ann/1": "a question",
        "https://social.example/@ann/2": "addressed to @larder@mastodon.social",
        "https://social.example/@ann/3": "no rule asks for an answer",
    }
    assert result.to_inbox == 2


def test_queries_can_send_every_match_or_none_to_the_inbox(feed_source):
    Query.objects.create(name="Recall", text='"product recall"', to_inbox=ToInbox.ALWAYS)
    Query.objects.create(name="Jobs", text="hiring", to_inbox=ToInbox.NEVER)
    pipeline.ingest(
        [
            item(1, body="Heard about the product recall at Larder, fine by me."),
            item(2, body="Larder is hiring and the pay is terrible, awful place."),
            item(3, body="Larder is hiring to handle the product recall, it seems."),
        ],
        source=feed_source,
        now=NOW,
    )
    states = dict(Mention.objects.values_list("external_id", "message__response_state"))
    assert states == {
        "https://social.example/@ann/1": ResponseState.AWAITING,
        "https://social.example/@ann/2": ResponseState.NO_REPLY_NEEDED,  # never, though negative
        "https://social.example/@ann/3": ResponseState.AWAITING,  # always beats never
    }


def test_old_posts_are_kept_for_the_record_but_not_sent_to_the_inbox(feed_source):
    pipeline.ingest([item(1, published_at=NOW - timedelta(days=30))], source=feed_source, now=NOW)
    message = Message.objects.get()
    assert message.response_state == ResponseState.NO_REPLY_NEEDED
    assert message.mention.inbox_reason == "older than 7 days"


def test_a_date_in_the_future_is_taken_as_now(feed_source):
    pipeline.ingest([item(1, published_at=NOW + timedelta(days=3))], source=feed_source, now=NOW)
    assert Message.objects.get().created_at == NOW


def test_the_same_author_is_one_person_across_mentions(feed_source):
    pipeline.ingest([item(1)], source=feed_source, now=NOW)
    pipeline.ingest(
        [item(2, author_handle="@ANN@social.example", body="Second try, still no order.")],
        source=feed_source,
        now=NOW,
    )
    assert Person.objects.filter(messages__isnull=False).distinct().count() == 1


def test_authors_without_a_handle_are_known_by_their_page_or_name_and_site(db):
    pipeline.ingest(
        [
            item(1, author_handle="", author_url="https://blog.example/about", network=""),
            item(
                2,
                author_handle="",
                author_url="",
                author_name="",
                network="",
                url="https://forum.example/t/2",
            ),
        ],
        now=NOW,
    )
    values = set(Identity.objects.values_list("kind", "value"))
    assert values == {
        (IdentityKind.OTHER, "https://blog.example/about"),
        (IdentityKind.OTHER, "someone on forum.example"),
    }
    assert set(Message.objects.values_list("channel", flat=True)) == {"import"}


def test_a_chunk_that_fails_half_way_is_stored_by_the_next_run(feed_source, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK", 3)
    real_store = pipeline._store
    calls = []

    def store_then_die(prepared, source, now):
        calls.append(len(prepared))
        if len(calls) == 2:
            real_store(prepared, source, now)
            raise KeyboardInterrupt  # the worker is killed after writing, before commit
        return real_store(prepared, source, now)

    monkeypatch.setattr(pipeline, "_store", store_then_die)
    items = [item(n) for n in range(1, 8)]
    with pytest.raises(KeyboardInterrupt):
        pipeline.ingest(items, source=feed_source, now=NOW)
    assert Mention.objects.count() == 3  # the first chunk committed, the second rolled back

    monkeypatch.setattr(pipeline, "_store", real_store)
    result = pipeline.ingest(items, source=feed_source, now=NOW)
    assert (result.stored, result.duplicates) == (4, 3)
    assert Mention.objects.count() == Message.objects.count() == 7


def test_a_collision_with_another_worker_is_retried_and_counted_as_a_duplicate(
    feed_source, monkeypatch
):
    pipeline.ingest([item(1)], source=feed_source, now=NOW)
    real_new_only = pipeline._new_only
    blind = [True]

    def new_only(prepared, result):
        if blind.pop() if blind else False:
            return list(prepared)  # as if the other worker's row were not committed yet
        return real_new_only(prepared, result)

    monkeypatch.setattr(pipeline, "_new_only", new_only)
    result = pipeline.ingest([item(1), item(2)], source=feed_source, now=NOW)
    assert (result.stored, result.duplicates) == (1, 1)
    assert Mention.objects.count() == 2


def test_a_collision_that_keeps_happening_is_raised(feed_source, monkeypatch):
    pipeline.ingest([item(1)], source=feed_source, now=NOW)
    monkeypatch.setattr(pipeline, "_new_only", lambda prepared, result: list(prepared))
    with pytest.raises(IntegrityError):
        pipeline.ingest([item(1)], source=feed_source, now=NOW)
    assert Mention.objects.count() == 1


def test_topics_and_the_finer_sentiment_follow_in_the_background(
    feed_source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pipeline.ingest([item(n) for n in range(1, 4)], source=feed_source, now=NOW)
    assert len(callbacks) == 1  # one job for the chunk
    assert Message.objects.filter(topic__isnull=False).count() == 3
    assert not Message.objects.filter(analysed_with__startswith="vader").exists()


# --- answering on the original site ---------------------------------------------------------


def test_staff_record_an_answer_given_elsewhere_and_the_mention_counts_as_answered(
    feed_source, alex
):
    pipeline.ingest(
        [item(1, published_at=timezone.now() - timedelta(minutes=30))],
        source=feed_source,
        now=timezone.now(),
    )
    mention = Message.objects.get()
    reply = services.record_answer(
        mention, by=alex, url="https://social.example/@larder/99", body_md="Sorry Ann, on it!"
    )
    mention.refresh_from_db()
    assert mention.response_state == ResponseState.ANSWERED
    assert mention.answered_by == reply
    assert mention.first_response_seconds is not None
    assert reply.official and reply.external_url == "https://social.example/@larder/99"
    assert reply.channel == "mastodon" and reply.reply_to == mention
    assert list(inbox_queries.awaiting()) == []


def test_an_answer_without_text_says_where_it_was_given(feed_source, alex):
    pipeline.ingest(
        [item(1, published_at=timezone.now() - timedelta(minutes=30))],
        source=feed_source,
        now=timezone.now(),
    )
    reply = services.record_answer(
        Message.objects.get(), by=alex, url="https://social.example/@larder/99"
    )
    assert reply.body_md == "Answered at <https://social.example/@larder/99>."
    assert 'href="https://social.example/@larder/99"' in reply.body_html


@pytest.mark.parametrize("url", ["", "javascript:alert(1)", "social.example/x", "https://a b"])
def test_an_answer_needs_a_web_address(feed_source, alex, url):
    pipeline.ingest(
        [item(1, published_at=timezone.now() - timedelta(minutes=30))],
        source=feed_source,
        now=timezone.now(),
    )
    mention = Message.objects.get()
    with pytest.raises(PostingError, match="https://"):
        services.record_answer(mention, by=alex, url=url)
    assert Message.objects.count() == 1
    mention.refresh_from_db()
    assert mention.response_state == ResponseState.AWAITING


def test_only_staff_record_answers_and_only_on_mentions(feed_source, maria, alex):
    pipeline.ingest(
        [item(1, published_at=timezone.now() - timedelta(minutes=30))],
        source=feed_source,
        now=timezone.now(),
    )
    mention = Message.objects.get()
    with pytest.raises(PostingError):
        services.record_answer(mention, by=maria, url="https://social.example/x")
    mention.conversation.kind = Kind.EMAIL
    with pytest.raises(PostingError, match="Only mentions"):
        services.record_answer(mention, by=alex, url="https://social.example/x")
    assert Message.objects.count() == 1


def test_queries_see_the_author_site_and_language(feed_source):
    Query.objects.create(name="Ann", text="author:@ann@social.example")
    Query.objects.create(name="By name", text='author:"Ann Example"')
    Query.objects.create(name="Site", text="site:social.example lang:en")
    Query.objects.create(name="French", text="lang:fr")
    pipeline.ingest([item(1)], source=feed_source, now=NOW)
    names = set(MentionMatch.objects.values_list("query__name", flat=True))
    assert names == {"Ann", "By name", "Site"}
