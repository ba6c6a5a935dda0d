"""The connectors (feed, Mastodon, Bluesky, records) against recorded responses."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from analysis.batch import InputError
from listening import connectors
from listening.connectors import bluesky, feed, mastodon, records
from listening.connectors.records import item_from_record, items_from_payload, read_file
from listening.fetch import Fetcher, FetchError
from listening.items import Item, Poll, RecordError, SourceError
from tests.listening.server import (  # noqa: F401
    ACCOUNT_ID,
    APP_PASSWORD,
    IDENTIFIER,
    fixture_bytes,
    recorded_server_fixture,
)


def poll(kind: str, config: dict, cursor: dict | None = None) -> Poll:
    """Poll the way the poller does: validators in and out of the cursor."""
    cursor = cursor or {}
    fetcher = Fetcher(validators=cursor.get("validators"))
    result = connectors.poll(kind, config, cursor, fetcher)
    result.cursor["validators"] = fetcher.validators
    return result


# As in blog.rss, with its en dash and curly apostrophe.
BLOG_TITLE = "Review: <em>Larder</em> boxes \u2013 worth it? & what\u2019s inside"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Feeds ------------------------------------------------------------------------------------


def test_an_rss_blog_feed(recorded_server):
    result = poll("feed", {"url": recorded_server.url("/feeds/blog.rss")})
    assert result.warnings == []
    assert not result.not_modified
    first, second, third = result.items
    assert first == Item(
        external_id="https://pantrynotes.example/?p=2817",
        url="https://pantrynotes.example/2024/11/18/review-larder-boxes/",
        title=BLOG_TITLE,
        # content:encoded, with feedparser's sanitiser having removed the script
        body="<p>Three weeks of <strong>Larder</strong> boxes: the good, the soggy and the"
        " missing parsnips.</p>\n<p>Delivery was late twice &amp; support answered within the"
        " hour.</p>",
        body_is_html=True,
        author_name="Hannah Birch",
        published_at=utc(2024, 11, 18, 8, 41, 12),
        language="en",  # the channel's en-GB
        extra={"tags": ["Reviews", "Larder"]},
    )
    # An RSS description is HTML: its entities are left for the pipeline to decode.
    assert second.body == (
        "Fried rice is only the start. The Larder recipe card suggested arancini &#8212;"
        " here&#8217;s how."
    )
    assert second.body_is_html
    assert second.published_at == utc(2024, 11, 12, 16, 5)  # +0100 made UTC
    assert second.network == ""
    # No guid: the link is the id.
    assert third.external_id == third.url == "https://pantrynotes.example/2024/11/02/pumpkin-soup/"
    assert third.author_name == ""
    assert third.extra == {}


def test_a_reddit_search_feed(recorded_server):
    result = poll("feed", {"url": recorded_server.url("/search.rss")})
    first, second = result.items
    assert first == Item(
        # Reddit's ids are relative ("t3_…"); feedparser resolves them against the feed's URL.
        external_id=recorded_server.url("/t3_1gu4k2x"),
        url="https://www.reddit.com/r/mealkits/comments/1gu4k2x/larder_missing_items_again/",
        title="Larder missing items again?",
        body=first.body,
        body_is_html=True,
        author_name="parsnip_pete",
        author_handle="u/parsnip_pete",
        author_url="https://www.reddit.com/user/parsnip_pete",
        published_at=utc(2024, 11, 18, 10, 5, 17),
        network="reddit",
        extra={"tags": ["r/mealkits"]},
    )
    assert "Anyone else had issues with Larder lately?" in first.body
    assert second.title == "Cancelled my meal kit & saved £40/month"
    assert second.author_handle == "u/Crumble-and-Custard"


def test_an_atom_feed(recorded_server):
    first, second = poll("feed", {"url": recorded_server.url("/feeds/atom.xml")}).items
    assert (
        first
        == Item(
            external_id="tag:carnet.example,2024-11-17:/2024/11/larder-six-mois/",
            url="https://carnet.example/2024/11/larder-six-mois/",
            title="Larder &amp; moi : six mois d\u2019abonnement",  # type="html": still HTML
            body='<p>Six mois avec <a href="' + recorded_server.url("/tag/larder/") + '">Larder</a>'
            " : les livraisons sont <em>presque</em> toujours à l\u2019heure.</p>",
            body_is_html=True,
            author_name="Camille Roux",
            author_url="https://carnet.example/a-propos/",
            published_at=utc(2024, 11, 17, 20, 30),
            language="fr",
            extra={"tags": ["Abonnements"]},
        )
    )
    assert second.body == "Plain summary, no content element."
    assert not second.body_is_html
    assert second.language == "en"  # the entry's own xml:lang
    assert second.published_at == utc(2024, 11, 10, 9)  # only <updated>


def test_a_mastodon_tag_feed(recorded_server):
    first, second = poll("feed", {"url": recorded_server.url("/tags/larder.rss")}).items
    assert first.network == second.network == "mastodon"
    assert first.author_handle == "@jonah@mastodon.social"
    assert first.author_url == "https://mastodon.social/@jonah"
    assert first.author_name == "jonah"
    assert first.external_id == first.url == "https://mastodon.social/@jonah/113504229384756123"
    # A remote post: the handle's host is the post's own server.
    assert second.author_handle == "@mira@fosstodon.org"
    # The post, not the image description feedparser files under content.
    assert second.body.startswith("<p>Honestly the <a")
    assert second.body_is_html


def test_a_mastodon_user_feed_is_known_by_its_path(recorded_server):
    rss = fixture_bytes("mastodon-tag.rss").replace(b"<generator>Mastodon v4.3.1</generator>", b"")
    recorded_server.serve("/@larderhq.rss", rss, content_type="application/rss+xml")
    items = poll("feed", {"url": recorded_server.url("/@larderhq.rss")}).items
    assert [item.network for item in items] == ["mastodon", "mastodon"]


def test_an_unchanged_feed_is_not_modified(recorded_server):
    config = {"url": recorded_server.url("/feeds/blog.rss")}
    first = poll("feed", config, {"since": "kept"})
    assert first.cursor["validators"][config["url"]]["etag"]
    second = poll("feed", config, first.cursor)
    assert second.not_modified
    assert second.items == []
    assert second.cursor == first.cursor
    assert recorded_server.requests[1].headers["if-none-match"]


def test_a_truncated_feed_gives_what_it_has_and_a_warning(recorded_server):
    result = poll("feed", {"url": recorded_server.url("/truncated")})
    assert [item.title for item in result.items] == [
        BLOG_TITLE,
        "Five things to do with leftover rice",
    ]
    assert result.warnings == [
        "the feed is malformed (no element found); 2 entries were read anyway"
    ]


@pytest.mark.parametrize("path", ["/latin1", "/latin1-undeclared"])
def test_latin1_bytes_with_a_wrong_or_no_declaration(recorded_server, path):
    result = poll("feed", {"url": recorded_server.url(path)})
    (item,) = result.items
    assert item.title == "Larder-Box im Test: Käse, Brötchen und Crème fraîche"
    assert item.body == "Die Lieferung kam pünktlich, aber der Käse war zerdrückt. Schade!"
    assert item.language == "de"
    assert result.warnings == [
        "the feed's character encoding is wrong (document declared as utf-8, but parsed as"
        " windows-1252); 1 entry was read anyway"
    ]


def test_a_web_page_is_not_a_feed_but_may_name_one(recorded_server):
    with pytest.raises(SourceError) as caught:
        poll("feed", {"url": recorded_server.url("/page.html")})
    assert str(caught.value) == (
        f"not an RSS or Atom feed: {recorded_server.url('/page.html')} is a web page;"
        f" the page names its feed: {recorded_server.url('/feed/')}"
    )


def test_a_web_page_without_a_feed_link(recorded_server):
    recorded_server.serve("/about", "<!DOCTYPE html><html><p>Hi</p></html>", content_type="")
    with pytest.raises(SourceError) as caught:
        poll("feed", {"url": recorded_server.url("/about")})
    assert str(caught.value) == (
        f"not an RSS or Atom feed: {recorded_server.url('/about')} is a web page"
    )


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/not-a-feed.json", "sent application/json (not well-formed (invalid token))"),
        ("/broken", "sent application/xml (syntax error)"),
    ],
)
def test_what_is_not_a_feed(recorded_server, path, reason):
    with pytest.raises(SourceError) as caught:
        poll("feed", {"url": recorded_server.url(path)})
    assert str(caught.value) == f"not an RSS or Atom feed: {recorded_server.url(path)} {reason}"


def test_well_formed_xml_that_is_not_a_feed(recorded_server):
    recorded_server.serve("/note", "<note><to>Ann</to></note>", content_type="application/xml")
    with pytest.raises(SourceError) as caught:
        poll("feed", {"url": recorded_server.url("/note")})
    assert str(caught.value) == (
        f"not an RSS or Atom feed: {recorded_server.url('/note')} sent application/xml"
        " (no RSS or Atom elements found)"
    )


def test_a_feed_broken_before_its_first_entry(recorded_server):
    blog = fixture_bytes("blog.rss")
    recorded_server.serve("/cut", blog[: blog.index(b"<item>")], content_type="text/xml")
    with pytest.raises(SourceError) as caught:
        poll("feed", {"url": recorded_server.url("/cut")})
    assert str(caught.value) == (
        f"the feed at {recorded_server.url('/cut')} cannot be read: no element found"
    )


def test_an_empty_feed(recorded_server):
    empty = '<rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    recorded_server.serve("/empty", empty, content_type="application/rss+xml")
    result = poll("feed", {"url": recorded_server.url("/empty")})
    assert (result.items, result.warnings) == ([], [])


def test_entries_without_id_or_link_get_a_hash(recorded_server):
    long_id = "x" * 501
    rss = (
        '<rss version="2.0"><channel><title>t</title>'
        "<item><title>Same</title><description>one</description></item>"
        "<item><title>Same</title><description>two</description></item>"
        f"<item><guid>{long_id}</guid><title>Long</title></item>"
        "</channel></rss>"
    )
    recorded_server.serve("/ids", rss, content_type="application/rss+xml")
    one, two, long = poll("feed", {"url": recorded_server.url("/ids")}).items
    assert one.external_id.startswith("sha256:")
    assert len(one.external_id) == len("sha256:") + 64
    assert one.external_id != two.external_id
    assert long.external_id.startswith("sha256:")
    assert (one.body, two.body, long.body) == ("one", "two", "")


def test_networks_from_odd_links(recorded_server):
    rss = (
        '<rss version="2.0"><channel><title>t</title><generator>Mastodon v4.3.1</generator>'
        "<item><link>https://old.reddit.com/r/x/comments/1/</link><author>deleted</author></item>"
        "<item><link>https://mastodon.social/tags/larder</link><title>a tag page</title></item>"
        "</channel></rss>"
    )
    recorded_server.serve("/mixed.rss", rss, content_type="application/rss+xml")
    reddit, tag_page = poll("feed", {"url": recorded_server.url("/mixed.rss")}).items
    assert (reddit.network, reddit.author_name, reddit.author_handle) == ("reddit", "deleted", "")
    assert (tag_page.network, tag_page.author_handle) == ("mastodon", "")


def test_a_feed_that_fails_to_fetch(recorded_server):
    with pytest.raises(FetchError, match=r"^HTTP 500 \(Internal Server Error\)"):
        poll("feed", {"url": recorded_server.url("/status/500")})


def test_feed_config():
    assert feed.check_config({"url": " https://example.com/feed.xml "}) == {
        "url": "https://example.com/feed.xml"
    }


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "'url' is required"),
        ({"url": "  "}, "'url' is required"),
        ({"url": 42}, "'url' must be text"),
        (
            {"url": "ftp://example.com/feed"},
            "'url' must be an http(s) URL: 'ftp://example.com/feed'",
        ),
        ({"url": "example.com/feed"}, "'url' must be an http(s) URL: 'example.com/feed'"),
        (
            {"url": "http://example.com:port/"},
            "'url' is not a valid URL: 'http://example.com:port/'",
        ),
        ({"url": "https://example.com/", "tag": "x"}, "unknown field 'tag' (expected 'url')"),
        ("https://example.com/", "the configuration must be an object of fields"),
    ],
)
def test_feed_config_errors(config, message):
    with pytest.raises(ValueError) as caught:
        feed.check_config(config)
    assert str(caught.value) == message


# Mastodon ---------------------------------------------------------------------------------


def test_a_mastodon_tag_timeline(recorded_server):
    config = {"instance": recorded_server.url(""), "tag": "#larder", "token": "t0ken"}
    result = poll("mastodon", config)
    mira, jonah, german = result.items  # the followers-only status is skipped
    assert jonah == Item(
        external_id="https://mastodon.social/users/jonah/statuses/113504229384756123",
        url="https://mastodon.social/@jonah/113504229384756123",
        body=jonah.body,
        body_is_html=True,
        author_name="Jonah Park 🥕",
        author_handle="@jonah@127.0.0.1",  # a local account: the instance's host is added
        author_url="https://mastodon.social/@jonah",
        published_at=utc(2024, 11, 18, 9, 12, 44),
        language="en",
        network="mastodon",
        extra={"tags": ["larder"]},
    )
    assert jonah.body.startswith("<p>Ordered from <a href=")
    # The reblog is unwrapped: the original post and author, and who boosted it.
    assert mira.external_id == "https://fosstodon.org/users/mira/statuses/113503990012345678"
    assert mira.author_handle == "@mira@fosstodon.org"
    assert mira.author_name == "mira"  # no display name
    assert mira.extra == {
        "reblogged_by": "@larderhq@127.0.0.1",
        "tags": ["larder"],
        "media": [
            "https://files.mastodon.social/cache/media_attachments/files/113/503/990/original/a1b2c3.jpg"
        ],
    }
    assert german.title == "Essen / Werbung?"  # the content warning
    assert german.language == "de"
    assert result.cursor["since_id"] == "113504300000000004"
    request = recorded_server.requests[0]
    assert request.path == "/api/v1/timelines/tag/larder"
    assert request.query == {"limit": "40"}
    assert request.headers["authorization"] == "Bearer t0ken"


def test_the_next_mastodon_poll_asks_only_for_newer_statuses(recorded_server):
    config = {"instance": recorded_server.url(""), "tag": "larder"}
    cursor = poll("mastodon", config, {"since_id": "113504229384756123"}).cursor
    assert recorded_server.requests[0].query == {"limit": "40", "since_id": "113504229384756123"}
    assert cursor["since_id"] == "113504300000000004"
    again = poll("mastodon", config, cursor)
    assert recorded_server.requests[1].query["since_id"] == "113504300000000004"
    assert again.items == []
    assert again.cursor["since_id"] == "113504300000000004"
    assert again.cursor["validators"] == {}  # API calls are not conditional
    assert "authorization" not in recorded_server.requests[1].headers


def test_a_mastodon_account(recorded_server):
    config = {"instance": recorded_server.url(""), "account": "@larderhq"}
    result = poll("mastodon", config)
    assert [item.url for item in result.items] == [
        "https://mastodon.social/@larderhq/113504250000000003",
        "https://mastodon.social/@larderhq/113503000000000001",
    ]
    assert result.items[0].extra == {"in_reply_to_id": "113504229384756123"}
    assert result.items[0].author_name == "Larder"
    assert result.cursor["account_id"] == ACCOUNT_ID
    assert result.cursor["account"] == "larderhq"
    lookup, statuses = recorded_server.requests
    assert (lookup.path, lookup.query) == ("/api/v1/accounts/lookup", {"acct": "larderhq"})
    assert statuses.path == f"/api/v1/accounts/{ACCOUNT_ID}/statuses"
    assert statuses.query == {"limit": "40", "exclude_reblogs": "true"}

    again = poll("mastodon", config, result.cursor)
    assert again.items == []
    # The id is remembered: no second lookup.
    assert [r.path for r in recorded_server.requests[2:]] == [statuses.path]
    assert recorded_server.requests[2].query["since_id"] == "113504250000000003"


def test_a_changed_account_is_looked_up_again(recorded_server):
    config = {"instance": recorded_server.url(""), "account": "larderhq@127.0.0.1"}
    cursor = {"account": "someoneelse", "account_id": "1", "since_id": "5"}
    result = poll("mastodon", config, cursor)
    assert result.cursor["account_id"] == ACCOUNT_ID
    assert recorded_server.requests[0].query == {"acct": "larderhq@127.0.0.1"}


def test_an_unknown_mastodon_account(recorded_server):
    with pytest.raises(SourceError) as caught:
        poll("mastodon", {"instance": recorded_server.url(""), "account": "nobody"})
    assert str(caught.value) == f"there is no account nobody on 127.0.0.1:{recorded_server.port}"


def test_a_lookup_without_an_id(recorded_server):
    recorded_server.serve("/api/v1/accounts/lookup", "{}", content_type="application/json")
    with pytest.raises(SourceError, match="sent no id for the account larderhq"):
        poll("mastodon", {"instance": recorded_server.url(""), "account": "larderhq"})


def test_a_mastodon_server_that_wants_a_token(recorded_server):
    recorded_server.serve(
        "/api/v1/timelines/tag/larder",
        json.dumps({"error": "This method requires an authenticated user"}),
        status=401,
        content_type="application/json",
    )
    with pytest.raises(FetchError) as caught:
        poll("mastodon", {"instance": recorded_server.url(""), "tag": "larder"})
    assert str(caught.value) == (
        "HTTP 401 (Unauthorized) from 127.0.0.1: This method requires an authenticated user;"
        " this server may only show it to signed-in users: add an access token"
    )
    assert caught.value.status == 401


def test_a_mastodon_server_error_passes_through(recorded_server):
    recorded_server.serve("/api/v1/accounts/lookup", "oops", status=500)
    with pytest.raises(FetchError, match=r"^HTTP 500 \(Internal Server Error\) from 127\.0\.0\.1$"):
        poll("mastodon", {"instance": recorded_server.url(""), "account": "larderhq"})


def test_odd_mastodon_answers(recorded_server):
    statuses = [
        "not a status",
        {"id": "9"},
        {"id": "10", "visibility": "direct", "uri": "u"},
        {"id": "11", "created_at": "yesterday", "reblog": None, "account": {}},
    ]
    recorded_server.serve("/api/v1/timelines/tag/odd", json.dumps(statuses))
    result = poll("mastodon", {"instance": recorded_server.url(""), "tag": "odd"})
    minimal, dateless = result.items
    assert minimal == Item(
        external_id="127.0.0.1:9", body_is_html=True, network="mastodon", published_at=None
    )
    assert (dateless.published_at, dateless.author_handle) == (None, "")
    assert result.cursor["since_id"] == "11"
    assert result.warnings == ["1 statuses from 127.0.0.1 were not understood"]


def test_a_mastodon_answer_that_is_not_a_list(recorded_server):
    recorded_server.serve("/api/v1/timelines/tag/larder", '{"error": "nope"}')
    with pytest.raises(SourceError, match=r"^127\.0\.0\.1 sent something other than a list"):
        poll("mastodon", {"instance": recorded_server.url(""), "tag": "larder"})


@pytest.mark.parametrize(
    ("config", "normalised"),
    [
        (
            {"instance": "Mastodon.Social/", "tag": "#Larder"},
            {"instance": "https://mastodon.social", "tag": "Larder"},
        ),
        (
            {
                "instance": "http://10.0.0.5:3000",
                "account": "@larder@mastodon.social",
                "token": " t ",
            },
            {"instance": "http://10.0.0.5:3000", "account": "larder@mastodon.social", "token": "t"},
        ),
        (
            {"instance": "https://fosstodon.org", "account": "larder", "tag": "", "token": None},
            {"instance": "https://fosstodon.org", "account": "larder"},
        ),
    ],
)
def test_mastodon_config(config, normalised):
    assert mastodon.check_config(config) == normalised


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"tag": "larder"}, "'instance' is required"),
        (
            {"instance": "mastodon.social"},
            "give either 'tag' (a hashtag) or 'account' (larder@mastodon.social)",
        ),
        (
            {"instance": "mastodon.social", "tag": "a", "account": "b"},
            "give either 'tag' (a hashtag) or 'account' (larder@mastodon.social)",
        ),
        (
            {"instance": "mastodon.social", "tag": "two words"},
            "'tag' must be one hashtag of letters, digits and _: 'two words'",
        ),
        (
            {"instance": "mastodon.social", "account": "la rder"},
            "'account' must look like larder or larder@mastodon.social: 'la rder'",
        ),
        (
            {"instance": "https://mastodon.social/@larder", "tag": "larder"},
            "'instance' must be the server's address only, like https://mastodon.social",
        ),
        (
            {"instance": "ftp://mastodon.social", "tag": "x"},
            "'instance' must be an http(s) URL: 'ftp://mastodon.social'",
        ),
    ],
)
def test_mastodon_config_errors(config, message):
    with pytest.raises(ValueError) as caught:
        mastodon.check_config(config)
    assert str(caught.value) == message


# Bluesky ----------------------------------------------------------------------------------


def test_a_bluesky_search(recorded_server):
    result = poll("bluesky", {"query": "larder", "service": recorded_server.url("")})
    maya, pantry, old = result.items
    assert maya == Item(
        external_id="at://did:plc:w4xbfzo7kqfes5zb7r6qv3rw/app.bsky.feed.post/3lbc2kx7vmk2f",
        url="https://bsky.app/profile/maya.bsky.social/post/3lbc2kx7vmk2f",
        body="Larder\u2019s delivery slot moved AGAIN 😤 third week running. Status page says"
        " nothing: larder.example/status… #larder",
        author_name="Maya Lund",
        author_handle="maya.bsky.social",
        author_url="https://bsky.app/profile/maya.bsky.social",
        published_at=utc(2024, 11, 18, 10, 1, 2, 345000),
        language="en",
        network="bluesky",
        extra={"links": ["https://larder.example/status/deliveries"], "tags": ["larder"]},
    )
    assert pantry.author_name == "pantrynotes.example"  # no display name: the handle
    assert pantry.language == ""
    assert pantry.extra == {}
    # A handle that no longer verifies: the profile is addressed by its DID.
    assert old.url == "https://bsky.app/profile/did:plc:zz9yy8xx7ww6vv5uu4tt3ss2/post/3lbbxyv5kpc2w"
    assert old.author_handle == "handle.invalid"
    assert old.language == "pt"
    assert result.cursor["since"] == "2024-11-18T10:01:03.112Z"
    assert result.cursor["seen"] == [maya.external_id]
    request = recorded_server.requests[0]
    assert request.path == "/xrpc/app.bsky.feed.searchPosts"
    assert request.query == {"q": "larder", "limit": "50", "sort": "latest"}
    assert "authorization" not in request.headers


def test_the_next_bluesky_poll_asks_since_the_newest_post(recorded_server):
    config = {"query": "larder", "service": recorded_server.url("")}
    first = poll("bluesky", config)
    second = poll("bluesky", config, first.cursor)
    assert recorded_server.requests[1].query["since"] == "2024-11-18T10:01:03.112Z"
    assert second.items == []  # the newest post again, already seen
    assert second.cursor["since"] == first.cursor["since"]


def test_a_bluesky_search_signed_in(recorded_server):
    config = {
        "query": "larder",
        "identifier": "@" + IDENTIFIER,
        "app_password": APP_PASSWORD,
        "pds": recorded_server.url(""),
        "service": "https://unused.example",
    }
    result = poll("bluesky", config)
    assert len(result.items) == 3
    login, search = recorded_server.requests
    assert (login.method, login.path) == ("POST", "/xrpc/com.atproto.server.createSession")
    assert json.loads(login.body) == {"identifier": IDENTIFIER, "password": APP_PASSWORD}
    assert search.headers["authorization"] == "Bearer ACCESS_JWT"
    assert "password" not in json.dumps(result.cursor)


def test_a_bluesky_login_that_fails(recorded_server):
    config = {
        "query": "larder",
        "identifier": IDENTIFIER,
        "app_password": "wrong",
        "pds": recorded_server.url(""),
    }
    with pytest.raises(SourceError) as caught:
        poll("bluesky", config)
    assert str(caught.value) == (
        f"Bluesky login as {IDENTIFIER} failed (HTTP 401 (Unauthorized) from 127.0.0.1:"
        " AuthenticationRequired: Invalid identifier or password); check the identifier and"
        " the app password"
    )


def test_a_bluesky_login_without_a_token(recorded_server):
    recorded_server.serve("/xrpc/com.atproto.server.createSession", "{}")
    config = {"query": "q", "identifier": IDENTIFIER, "app_password": "x"}
    config["pds"] = recorded_server.url("")
    with pytest.raises(SourceError, match="returned no access token"):
        poll("bluesky", config)


def test_a_bluesky_login_server_error_passes_through(recorded_server):
    recorded_server.serve("/xrpc/com.atproto.server.createSession", "", status=502)
    config = {"query": "q", "identifier": IDENTIFIER, "app_password": "x"}
    config["pds"] = recorded_server.url("")
    with pytest.raises(FetchError, match=r"^HTTP 502"):
        poll("bluesky", config)


def test_anonymous_bluesky_search_refused(recorded_server):
    recorded_server.bluesky_requires_login = True
    with pytest.raises(FetchError) as caught:
        poll("bluesky", {"query": "larder", "service": recorded_server.url("")})
    assert str(caught.value) == (
        "HTTP 403 (Forbidden) from 127.0.0.1: Forbidden: Search requires auth; Bluesky may not"
        " allow searching without signing in: add an 'identifier' and 'app_password'"
    )


def test_a_bluesky_error_when_signed_in_passes_through(recorded_server):
    recorded_server.serve("/xrpc/app.bsky.feed.searchPosts", "", status=403)
    config = {"query": "q", "identifier": IDENTIFIER, "app_password": APP_PASSWORD}
    config["pds"] = recorded_server.url("")
    with pytest.raises(FetchError, match=r"^HTTP 403 \(Forbidden\) from 127\.0\.0\.1$"):
        poll("bluesky", config)


def test_odd_bluesky_answers(recorded_server):
    posts = [
        {"uri": "not-at"},
        {
            "uri": "at://did:plc:a/app.bsky.feed.post/1",
            "indexedAt": "2024-11-18T10:00:00Z",
            "record": {"createdAt": "garbage", "facets": ["x", {"features": ["y", {}]}]},
        },
        {"uri": "at://did:plc:b/app.bsky.feed.post/2", "indexedAt": "junk", "author": None},
        {"uri": "at://did:plc:c/app.bsky.feed.post/3", "indexedAt": "2024-11-18T10:00:00Z"},
    ]
    recorded_server.serve("/xrpc/app.bsky.feed.searchPosts", json.dumps({"posts": posts}))
    result = poll("bluesky", {"query": "q", "service": recorded_server.url("")})
    first, second, _ = result.items
    assert first.published_at == utc(2024, 11, 18, 10)  # createdAt unreadable: indexedAt
    assert first.url == "https://bsky.app/profile/did:plc:a/post/1"
    assert second.published_at is None
    assert result.cursor["since"] == "2024-11-18T10:00:00Z"
    # Both posts of that instant, so that neither comes back next time.
    assert result.cursor["seen"] == [
        "at://did:plc:a/app.bsky.feed.post/1",
        "at://did:plc:c/app.bsky.feed.post/3",
    ]
    assert result.warnings == ["1 posts in the Bluesky answer were not understood"]


def test_a_bluesky_answer_without_posts(recorded_server):
    recorded_server.serve("/xrpc/app.bsky.feed.searchPosts", "[]")
    with pytest.raises(SourceError, match=r"^the Bluesky search answer has no list of posts$"):
        poll("bluesky", {"query": "q", "service": recorded_server.url("")})


def test_an_empty_bluesky_answer_keeps_the_cursor(recorded_server):
    recorded_server.serve("/xrpc/app.bsky.feed.searchPosts", '{"posts": []}')
    result = poll("bluesky", {"query": "q", "service": recorded_server.url("")}, {"x": 1})
    assert result.cursor == {"x": 1, "validators": {}}


@pytest.mark.parametrize(
    ("config", "normalised"),
    [
        ({"query": " larder "}, {"query": "larder", "service": "https://public.api.bsky.app"}),
        (
            {"query": "larder", "identifier": "@me.bsky.social", "app_password": "p"},
            {
                "query": "larder",
                "service": "https://public.api.bsky.app",
                "identifier": "me.bsky.social",
                "app_password": "p",
                "pds": "https://bsky.social",
            },
        ),
    ],
)
def test_bluesky_config(config, normalised):
    assert bluesky.check_config(config) == normalised


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "'query' is required"),
        ({"query": "q" * 501}, "'query' is longer than 500 characters"),
        (
            {"query": "q", "identifier": "me"},
            "give both 'identifier' and 'app_password', or neither",
        ),
        (
            {"query": "q", "pds": "bsky.social"},
            "'pds' is only used with 'identifier' and 'app_password'",
        ),
        (
            {"query": "q", "service": "bsky.app/search"},
            "'service' must be the server's address only, like https://bsky.app",
        ),
    ],
)
def test_bluesky_config_errors(config, message):
    with pytest.raises(ValueError) as caught:
        bluesky.check_config(config)
    assert str(caught.value) == message


# The registry -----------------------------------------------------------------------------


def test_connectors_by_kind():
    assert {"feed": feed, "mastodon": mastodon, "bluesky": bluesky} == connectors.CONNECTORS
    assert connectors.check_config("feed", {"url": "https://a.example/f"}) == {
        "url": "https://a.example/f"
    }
    assert connectors.check_config("webhook", {"network": " Reddit ", "x": 1}) == {
        "network": "reddit",
        "x": 1,
    }
    assert connectors.check_config("import", {}) == {}


@pytest.mark.parametrize(
    ("kind", "config", "message"),
    [
        ("gopher", {}, "unknown source kind 'gopher'"),
        ("webhook", {"network": "not a name"}, "'network' must be a short name like reddit"),
        ("import", {"network": 5}, "'network' must be a short name like reddit"),
        ("import", [], "the configuration must be an object of fields"),
    ],
)
def test_connector_config_errors(kind, config, message):
    with pytest.raises(ValueError) as caught:
        connectors.check_config(kind, config)
    assert str(caught.value) == message


def test_only_polled_kinds_are_polled():
    with pytest.raises(ValueError, match=r"^'webhook' sources are not polled$"):
        connectors.poll("webhook", {}, {}, Fetcher())


def test_a_saved_config_that_is_no_longer_valid_fails_the_poll():
    with pytest.raises(SourceError) as caught:
        connectors.poll("feed", {"url": "file:///etc/passwd"}, None, Fetcher())
    assert str(caught.value) == (
        "the source's configuration is not valid: 'url' must be an http(s) URL:"
        " 'file:///etc/passwd'"
    )


@pytest.mark.parametrize(
    ("kind", "config", "line"),
    [
        ("feed", {"url": "https://example.com/feed.xml"}, "https://example.com/feed.xml"),
        (
            "mastodon",
            {"instance": "https://mastodon.social", "tag": "larder"},
            "#larder on mastodon.social",
        ),
        (
            "mastodon",
            {"instance": "https://mastodon.social", "account": "larder"},
            "@larder@mastodon.social",
        ),
        (
            "mastodon",
            {"instance": "https://mastodon.social", "account": "larder@fosstodon.org"},
            "@larder@fosstodon.org via mastodon.social",
        ),
        ("bluesky", {"query": "larder OR #larder"}, '"larder OR #larder" on Bluesky'),
        ("webhook", {}, "inbound webhook"),
        ("import", {"network": "reddit"}, "file import (reddit)"),
        ("feed", None, ""),
    ],
)
def test_describe(kind, config, line):
    assert connectors.describe(kind, config) == line


# Records ----------------------------------------------------------------------------------


FULL_RECORD = {
    "id": "rev-881",
    "url": "https://reviews.example/larder/881",
    "title": "Late again",
    "text": "Third late box in a row.",
    "author": "Ann Example",
    "author_handle": "@ann",
    "author_url": "https://reviews.example/u/ann",
    "published_at": "2024-11-18T10:00:00+01:00",
    "lang": "en-GB",
    "network": "Trustpilot",
    "rating": 2,
    "tags": ["delivery", "late"],
}


def test_a_record_with_every_field():
    assert item_from_record(FULL_RECORD) == Item(
        external_id="rev-881",
        url="https://reviews.example/larder/881",
        title="Late again",
        body="Third late box in a row.",
        body_is_html=False,
        author_name="Ann Example",
        author_handle="@ann",
        author_url="https://reviews.example/u/ann",
        published_at=utc(2024, 11, 18, 9),
        language="en",
        network="trustpilot",
        extra={"rating": 2, "tags": ["delivery", "late"]},
    )


def test_a_record_with_the_other_names_and_html():
    item = item_from_record(
        {
            "external_id": 881,
            "html": "<p>Late <b>again</b></p>",
            "author_name": "Ann",
            "language": "pt_BR",
            "published_at": "2024-11-18 10:00",
        },
        default_network="reviews",
    )
    assert (item.external_id, item.body, item.body_is_html) == (
        "881",
        "<p>Late <b>again</b></p>",
        True,
    )
    assert (item.author_name, item.language, item.network) == ("Ann", "pt", "reviews")
    assert item.published_at == utc(2024, 11, 18, 10)  # naive means UTC


def test_text_wins_over_html_and_a_date_alone_is_midnight():
    item = item_from_record({"text": "plain", "html": "<p>rich</p>", "published_at": "2024-11-18"})
    assert (item.body, item.body_is_html) == ("plain", False)
    assert item.published_at == utc(2024, 11, 18)


def test_a_record_without_id_uses_its_url_or_a_hash():
    assert item_from_record({"text": "t", "url": "https://a.example/1"}).external_id == (
        "https://a.example/1"
    )
    one = item_from_record({"text": "same words", "author": "Ann"}).external_id
    assert one == item_from_record({"text": "same words", "author": "Ann"}).external_id
    assert one != item_from_record({"text": "same words", "author": "Bob"}).external_id
    assert one.startswith("sha256:")


def test_extra_is_kept_small_and_json_safe():
    record = {"text": "t", "big": "x" * 3000, "odd": object(), "nan": float("nan"), "empty": ""}
    record.update({f"k{n}": n for n in range(40)})
    extra = item_from_record(record).extra
    assert "big" not in extra
    assert "odd" not in extra
    assert "nan" not in extra
    assert "empty" not in extra
    assert len(extra) == records.MAX_EXTRA_KEYS
    json.dumps(extra)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"title": "no body"}, "'text' is missing (give 'text' or 'html')"),
        ({"text": "  ", "html": ""}, "'text' is missing (give 'text' or 'html')"),
        (
            {"text": "t", "published_at": "18/11/2024"},
            "'published_at' is not an ISO 8601 date: '18/11/2024'",
        ),
        (
            {"text": "t", "url": "ftp://a.example/x"},
            "'url' must be an http(s) URL: 'ftp://a.example/x'",
        ),
        (
            {"text": "t", "url": "javascript:alert(1)"},
            "'url' must be an http(s) URL: 'javascript:alert(1)'",
        ),
        (
            {"text": "t", "author_url": "//a.example"},
            "'author_url' must be an http(s) URL: '//a.example'",
        ),
        (
            {"text": "t", "url": "https://a.example/" + "x" * 1000},
            "'url' is longer than 1000 characters",
        ),
        ({"text": "t", "id": "x" * 501}, "'id' is longer than 500 characters"),
        (
            {"text": "t", "lang": "English"},
            "'lang' is not a language code like en or pt-BR: 'English'",
        ),
        (
            {"text": "t", "network": "the web!"},
            "'network' must be a short name like mastodon: 'the web!'",
        ),
        ({"text": ["a", "list"]}, "'text' must be text, not list"),
        ({"text": "t", "author": {"name": "Ann"}}, "'author' must be text, not dict"),
        ({"text": "t", "id": True}, "'id' must be text, not bool"),
        ("just a string", "the record is not an object"),
    ],
)
def test_record_errors(record, message):
    with pytest.raises(RecordError) as caught:
        item_from_record(record)
    assert str(caught.value) == message


def test_a_webhook_payload_of_one_record():
    (item,) = items_from_payload({"text": "hello", "id": "1"}, default_network="zapier")
    assert (item.external_id, item.network) == ("1", "zapier")


def test_a_webhook_payload_of_a_list_with_a_bad_record():
    good, bad, odd = items_from_payload([{"text": "a"}, {"title": "b"}, 3])
    assert good.body == "a"
    assert isinstance(bad, RecordError)
    assert str(bad) == "'text' is missing (give 'text' or 'html')"
    assert str(odd) == "the record is not an object"


def test_a_webhook_payload_with_items():
    items = items_from_payload({"items": [{"text": "a"}, {"text": "b"}], "source": "zap"})
    assert [item.body for item in items] == ["a", "b"]


def test_a_single_bad_record():
    (error,) = items_from_payload({"html": ""})
    assert str(error) == "'text' is missing (give 'text' or 'html')"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("text", 'the body must be an object, a list of objects or {"items": [...]}'),
        (None, 'the body must be an object, a list of objects or {"items": [...]}'),
        ({"items": {"text": "a"}}, "'items' must be a list of objects"),
    ],
)
def test_webhook_payloads_that_are_refused(payload, message):
    with pytest.raises(RecordError) as caught:
        items_from_payload(payload)
    assert str(caught.value) == message


def read_all(data: bytes, name: str, **kwargs) -> list[tuple[int, Item | RecordError]]:
    return list(read_file(io.BytesIO(data), name, **kwargs))


def test_a_jsonl_file_with_a_bad_line_in_the_middle():
    data = (
        b'{"id": "1", "text": "first"}\n'
        b"{not json\n"
        b"\n"
        b'["a", "list"]\n'
        b'{"id": "4", "title": "no text"}\n'
        b'{"id": "5", "text": "last", "network": "forum"}'  # no final newline
    )
    rows = read_all(data, "mentions.jsonl", default_network="import")
    assert [number for number, _ in rows] == [1, 2, 4, 5, 6]
    assert rows[0][1].external_id == "1"
    assert rows[0][1].network == "import"
    assert (
        str(rows[1][1])
        == "line 2 is not valid JSON: Expecting property name enclosed in double quotes"
    )
    assert str(rows[2][1]) == "line 4 is not a JSON object"
    assert str(rows[3][1]) == "'text' is missing (give 'text' or 'html')"
    assert (rows[4][1].body, rows[4][1].network) == ("last", "forum")


def test_jsonl_is_recognised_by_its_content():
    rows = read_all(b'\xef\xbb\xbf{"text": "with a BOM"}\n', "upload")
    assert rows[0][1].body == "with a BOM"


def test_a_csv_file_with_commas():
    data = (
        b"id,text,author,published_at,stars\r\n"
        b'1,"Late, again",Ann,2024-11-18T10:00:00Z,2\r\n'
        b",,,,\r\n"
        b'2,"Two\r\nlines",Bob,,5\r\n'
        b"3,,Cy,,1\r\n"
    )
    rows = read_all(data, "reviews.csv")
    assert [number for number, _ in rows] == [2, 4, 6]
    first = rows[0][1]
    assert (first.external_id, first.body, first.author_name) == ("1", "Late, again", "Ann")
    assert first.published_at == utc(2024, 11, 18, 10)
    assert first.extra == {"stars": "2"}
    assert rows[1][1].body == "Two\r\nlines"
    assert rows[1][1].published_at is None  # an empty cell is a missing value
    assert str(rows[2][1]) == "'text' is missing (give 'text' or 'html')"


def test_a_csv_file_with_semicolons_and_a_bom():
    data = "\ufeffhtml;url;lang\n<p>Très bien, merci</p>;https://a.example/1;fr\n".encode()
    ((number, item),) = read_all(data, "export.csv")
    assert number == 2
    assert (item.body, item.body_is_html, item.url, item.language) == (
        "<p>Très bien, merci</p>",
        True,
        "https://a.example/1",
        "fr",
    )


def test_a_tab_separated_file():
    ((_, item),) = read_all(b"text\tauthor\nhello\tAnn\n", "export.tsv")
    assert (item.body, item.author_name) == ("hello", "Ann")


def test_a_csv_file_without_a_text_column():
    with pytest.raises(InputError) as caught:
        read_file(io.BytesIO(b"id,body\n1,hello\n"), "export.csv")
    assert (
        str(caught.value)
        == "export.csv has no 'text' or 'html' column (columns found: 'id', 'body')"
    )


def test_an_empty_csv_file():
    with pytest.raises(InputError, match=r"\(columns found: none\)$"):
        read_file(io.BytesIO(b""), "empty.csv")


def test_a_json_array_file():
    data = b'[\n  {"text": "one"},\n  "two",\n  {"text": "three"}\n]\n'
    rows = read_all(data, "export.json")
    assert [(n, getattr(r, "body", str(r))) for n, r in rows] == [
        (1, "one"),
        (2, "record 2 is not a JSON object"),
        (3, "three"),
    ]


def test_a_broken_json_array_file():
    rows = read_all(b'[{"text": "one"},\n{"text": ]', "export.json")
    assert [(n, str(r)) for n, r in rows] == [(2, "line 2 is not valid JSON: Expecting value")]


def test_an_undecodable_file_is_refused_before_any_record():
    data = '{"text": "fine"}\n{"text": "Käse"}\n'.encode("latin-1")
    with pytest.raises(InputError) as caught:
        read_file(io.BytesIO(data), "export.jsonl")
    assert str(caught.value) == (
        "export.jsonl is not UTF-8: byte 0xe4 on line 2 cannot be decoded. Save it as UTF-8"
        " (e.g. `iconv -f latin1 -t utf-8`) and try again."
    )


def test_a_file_that_ends_inside_a_character():
    with pytest.raises(InputError, match="it ends in the middle of a character"):
        read_file(io.BytesIO('{"text": "€"}'.encode()[:-3]), "export.jsonl")


def test_reading_a_path_closes_the_file(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text('{"text": "a"}\n{"text": "b"}\n', encoding="utf-8")
    assert [item.body for _, item in read_file(path, path.name)] == ["a", "b"]
    rows = read_file(str(path), path.name)
    next(rows)
    rows.close()  # abandoned half-way: the file is still closed (else a ResourceWarning)
    (tmp_path / "bad.csv").write_bytes(b"nothing,useful\n")
    with pytest.raises(InputError):
        read_file(tmp_path / "bad.csv", "bad.csv")


def test_an_open_file_is_left_open():
    handle = io.BytesIO(b'{"text": "a"}\n')
    assert len(list(read_file(handle, "x.jsonl"))) == 1
    assert not handle.closed


class Pipe(io.RawIOBase):
    """A stream that cannot seek, like an upload read from a socket."""

    def __init__(self, data: bytes):
        self.data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk = self.data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_stream_that_cannot_seek():
    rows = list(read_file(Pipe(b"text\nfrom a pipe\n"), "x.csv"))
    assert rows[0][1].body == "from a pipe"


def test_a_large_jsonl_file_is_streamed(tmp_path):
    path = tmp_path / "big.jsonl"
    line = json.dumps({"text": "Larder was fine this week " * 4, "author": "Ann"}) + "\n"
    with path.open("w", encoding="utf-8") as out:
        for n in range(100_000):
            out.write(line.replace('"Ann"', f'"Ann {n}"'))
    size = path.stat().st_size
    assert size > 10_000_000
    with path.open("rb") as handle:
        rows = read_file(handle, path.name)
        first = [next(rows) for _ in range(10)]
        # Ten records in, the file has been read only a little way: it is streamed.
        assert handle.tell() < 100_000
        rest = sum(1 for _, item in rows if isinstance(item, Item))
    assert first[-1][0] == 10
    assert first[-1][1].author_name == "Ann 9"
    assert rest == 100_000 - 10
