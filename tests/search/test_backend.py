"""The search backend the database in use gets: ranking, grouping, snippets and paging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from search.backends import Results
from search.backends import engine as pick_engine
from tests.search.conftest import comment, publish


def test_the_title_counts_more_than_the_text(lionel, ids):
    in_text = publish(lionel, "Winter opening hours", "Our couriers slow down when it snows.")
    in_title = publish(lionel, "Couriers in the snow", "What changes in winter.")
    assert ids("couriers") == [in_title.pk, in_text.pk]


def test_a_conversation_appears_once_with_its_best_message(lionel, maria, sam, engine):
    post = publish(lionel, "Packaging", "How we pack your things.")
    comment(post, maria, "The cardboard was wet.")
    best = comment(post, sam, "Wet cardboard, wet tape, a wet cardboard box.")
    comment(post, maria, "Cardboard again.")
    results = engine.search("cardboard wet")
    assert isinstance(results, Results)
    assert results.total == 1 and len(results.hits) == 1
    hit = results.hits[0]
    assert (hit.conversation_id, hit.message_id, hit.kind) == (post.pk, best.pk, "article")
    assert hit.url == f"{post.get_absolute_url()}#m{best.pk}"
    assert hit.snippet.count("<mark>") == 5
    assert "<mark>Wet</mark> <mark>cardboard</mark>," in hit.snippet
    assert hit.score > 0


def test_a_title_match_links_to_the_conversation(lionel, engine):
    post = publish(lionel, "Gift wrapping is back", "For every order over £20.")
    hit = engine.search("wrapping").hits[0]
    assert str(hit.title) == "Gift <mark>wrapping</mark> is back"
    assert hit.url == post.get_absolute_url()
    assert hit.message_id == post.messages.get(is_opening=True).pk
    assert str(hit.snippet) == "For every order over £20."


def test_phrases_exclusions_and_prefixes(lionel, ids):
    a = publish(lionel, "Refunds", "Your money back within five days.")
    b = publish(lionel, "Returns", "Money is sent back to the card.")
    c = publish(lionel, "Refunded twice", "A refund went out twice.")
    assert ids('"money back"') == [a.pk]
    assert set(ids("money back")) == {a.pk, b.pk}
    assert set(ids("money -card")) == {a.pk}
    assert set(ids("refund*")) == {a.pk, c.pk}
    assert ids("-money") == []


def test_snippets_and_titles_are_escaped(lionel, maria, engine):
    post = publish(lionel, "<b>Bold</b> claims & more", "Nothing here.")
    comment(post, maria, 'Try <script>alert("x")</script> and <img src=x onerror=alert(1)> now')
    hit = engine.search("alert").hits[0]
    assert "<script>" not in hit.snippet and "<img" not in hit.snippet
    assert "<mark>alert</mark>" in hit.snippet
    title = str(engine.search("bold").hits[0].title)
    assert "<b>" not in title and "<mark>Bold</mark>" in title and "claims &amp; more" in title
    if connection.vendor == "sqlite":  # PostgreSQL reads angle brackets as spaces
        assert "&lt;script&gt;" in hit.snippet
        assert title == "&lt;b&gt;<mark>Bold</mark>&lt;/b&gt; claims &amp; more"


def test_a_long_message_is_cut_around_the_first_match(lionel, maria, engine):
    post = publish(lionel, "Notes", "Short.")
    comment(post, maria, "filler " * 300 + "needle " + "after " * 300)
    snippet = str(engine.search("needle").hits[0].snippet)
    assert snippet.startswith("… filler") and snippet.endswith("after …")
    assert "<mark>needle</mark>" in snippet
    assert len(snippet) < 300


def test_paging(lionel, engine):
    for i in range(5):
        publish(lionel, f"Oven number {i}", "About ovens.")
    first = engine.search("oven", per_page=2)
    assert (first.total, len(first.hits), first.has_next, first.has_previous) == (5, 2, True, False)
    assert (first.first, first.last) == (1, 2)
    last = engine.search("oven", per_page=2, page=3)
    assert (len(last.hits), last.has_next, last.has_previous) == (1, False, True)
    assert (last.first, last.last) == (5, 5)
    seen = [
        h.conversation_id for p in (1, 2, 3) for h in engine.search("oven", per_page=2, page=p).hits
    ]
    assert len(set(seen)) == 5
    beyond = engine.search("oven", per_page=2, page=9)
    assert (beyond.total, beyond.hits, beyond.first) == (5, [], 0)


def test_an_empty_query_asks_nothing(engine, django_assert_num_queries):
    with django_assert_num_queries(0):
        results = engine.search("  -- ** ")
    assert not results.query and results.hits == [] and results.total == 0


BAD_INPUT = [
    '"', '"""', "'", "*", "**", "-", "--x", "(", ")", "((a", "a)", "a AND", "OR b", "NOT",
    "NEAR(a b)", "NEAR/2", "a:b", "title:x", "{title}: x", "^x", "x^", "a + b", "col:*",
    "😀", "👩‍👩‍👧 parcel", "x" * 10_000, "parcel " * 2_000, "par\x00cel", "\x00", "\ue000x\ue001",
    "%s %(x)s", "'; DROP TABLE search_index; --", "\\", "\\\"", "a\"b\"c\"", "-\"\"", "ab*c*",
]  # fmt: skip


@pytest.mark.parametrize("text", BAD_INPUT)
def test_any_input_gives_results_or_none(lionel, engine, text):
    publish(lionel, "Parcel tracking", "Where is my parcel?")
    results = engine.search(text)
    assert results.total >= len(results.hits) >= 0


def test_the_setting_picks_or_refuses_a_backend(settings, db):

    settings.SEARCH_BACKEND = "auto"
    assert pick_engine().vendor == connection.vendor
    other = "postgres" if connection.vendor == "sqlite" else "fts5"
    settings.SEARCH_BACKEND = other
    with pytest.raises(ImproperlyConfigured, match="OPENLINE_SEARCH_BACKEND"):
        pick_engine()


def test_a_scheduled_post_is_found_once_published(lionel, ids, engine):
    post = publish(lionel, "Spring sale", "Everything is cheaper.")
    later = timezone.now() + timedelta(days=2)
    type(post).objects.filter(pk=post.pk).update(published_at=later)
    assert ids("sale") == [] and engine.search("sale").total == 0
    assert ids("sale", kinds=["article"]) == []
    type(post).objects.filter(pk=post.pk).update(published_at=timezone.now())
    assert ids("sale") == [post.pk]


def test_kinds_outside_search_are_refused_as_filters(lionel, ids):
    post = publish(lionel, "Kettles", "Stainless steel.")
    assert ids("kettles", kinds=["email"]) == [post.pk]  # an unknown kind filters nothing
    assert ids("kettles", kinds=["question"]) == []


def test_comments_on_a_known_issue_are_found_under_its_title(known_issue, maria_comment, ids):
    assert ids("1042") == [known_issue.pk]


@pytest.mark.django_db(transaction=True)
def test_many_matches_ranked_in_parts_come_out_the_same(lionel, monkeypatch):
    from search.backends import fts5

    for i in range(30):
        publish(lionel, f"Oven {i}" if i % 7 else "Ovens", "oven " * (i % 5 + 1) + "more " * i)
    backend = pick_engine()

    def pages():
        return [
            [(h.conversation_id, h.score) for h in backend.search("oven", per_page=8, page=p).hits]
            for p in (1, 2, 4)
        ]

    one = pages()
    monkeypatch.setattr(fts5, "PARALLEL_FROM", 1)
    for parts in (2, 3):
        monkeypatch.setattr(fts5, "PARTS", parts)
        monkeypatch.setattr(fts5, "_readers", None)
        assert pages() == one
    assert [len(p) for p in one] == [8, 8, 6]


def test_a_conversation_without_visible_messages_is_found_by_its_title(lionel, engine):
    from conversations.models import Message

    post = publish(lionel, "Lighthouse tours", "Book a tour.")
    Message.objects.filter(conversation=post).update(moderation="hidden")
    hit = engine.search("lighthouse").hits[0]
    assert (hit.conversation_id, hit.message_id, str(hit.snippet)) == (post.pk, None, "")
    assert hit.url == post.get_absolute_url()
    assert engine.search("book").hits == []


def test_markdown_is_shown_as_plain_text(lionel, engine):
    publish(lionel, "Links", "See **our** [returns page](https://example.com/r) for `refunds`.")
    snippet = str(engine.search("returns").hits[0].snippet)
    assert snippet == "See our <mark>returns</mark> page for refunds."


def test_a_database_error_is_an_empty_result(lionel, engine, caplog):
    from search import schema

    publish(lionel, "Parcel tracking", "Where is my parcel?")
    table = schema.SQLITE_TABLE if connection.vendor == "sqlite" else schema.PG_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")  # rolled back with the test
    results = engine.search("parcel")
    assert (results.total, results.hits) == (0, [])
    assert "search failed for 'parcel'" in caplog.text


def test_the_package_hands_out_the_engine(db):
    import search

    assert type(search.engine()) is type(pick_engine())
