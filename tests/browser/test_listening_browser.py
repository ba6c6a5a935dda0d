"""In Chromium: an admin adds a feed served on 127.0.0.1, tests it and writes a query (mistake
first); the worker's poll brings the posts in; an agent finds the unhappy one in the queue,
answers on the original site and records the link."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from conversations.models import Message, ResponseState
from listening import services
from listening.models import Mention, Query, Source
from tests.browser.helpers import snap
from tests.browser.test_accessibility import assert_accessible
from tests.listening.server import recorded_server_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Food talk</title><link>https://food.example/</link>
<description>Posts about food shops</description>
<item><title>Larder lost my parcel again</title><link>https://food.example/p/1</link>
<guid>p1</guid><author>ann@food.example (Ann)</author>
<description>Larder lost my parcel again. Awful service, really disappointed.</description>
<pubDate>{datetime.now(UTC):%a, %d %b %Y %H:%M:%S +0000}</pubDate></item>
<item><title>Bread recipes</title><link>https://food.example/p/2</link><guid>p2</guid>
<description>Sourdough tips for the weekend.</description></item>
</channel></rss>"""


def test_admin_adds_a_feed_and_an_agent_answers_a_mention(
    sign_in, site, ada, alex, recorded_server
):
    recorded_server.serve("/food.rss", FEED, content_type="application/rss+xml")
    admin = sign_in(ada).new_page()
    admin.goto(f"{site}/staff/listening/sources/")
    admin.get_by_role("link", name="Add a source").click()
    admin.get_by_label("Name").fill("Food talk")
    admin.get_by_label("Kind").select_option("feed")
    admin.get_by_label("Feed address").fill(recorded_server.url("/food.rss"))
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Saved Food talk.")).to_be_visible()

    # A query with a mistake is refused with a pointer; the fixed one is saved.
    admin.goto(f"{site}/staff/listening/queries/new/")
    admin.get_by_label("Name").fill("Larder")
    admin.get_by_label("Query").fill("larder AND (parcel OR box")
    admin.get_by_role("button", name="Save").click()
    expect(admin.locator(".query-pointer")).to_contain_text("^")
    expect(admin.get_by_role("alert").first).to_contain_text("never closed")
    admin.get_by_label("Query").fill("larder AND (parcel OR box)")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Saved Larder.")).to_be_visible()
    assert Query.objects.get().text == "larder AND (parcel OR box)"

    # Testing the source shows what would come in and stores nothing.
    admin.goto(f"{site}/staff/listening/sources/")
    admin.get_by_role("button", name="Test Food talk").click()
    expect(admin.get_by_text("Read 2 items.")).to_be_visible()
    expect(admin.locator(".test-result")).to_contain_text("Matches: Larder")
    expect(admin.locator(".test-result")).to_contain_text("it would not be stored")
    assert_accessible(admin, "listening-sources")
    assert not Mention.objects.exists()

    # The worker's poll: only the matching post is kept, and it needs an answer.
    services.poll(Source.objects.get().pk)
    assert Mention.objects.count() == 1
    admin.goto(f"{site}/staff/listening/sources/")
    expect(admin.locator("table.sources")).to_contain_text("Every 15 min")

    agent = sign_in(alex).new_page()
    agent.goto(f"{site}/staff/listening/?state=awaiting")
    expect(agent.get_by_text("1 mention.")).to_be_visible()
    assert_accessible(agent, "listening-mentions")
    agent.get_by_role("link", name="Larder lost my parcel again").click()
    expect(agent.get_by_role("link", name="answer there")).to_have_attribute(
        "href", "https://food.example/p/1"
    )
    agent.get_by_label("Link to your answer").fill("https://food.example/p/1#comment-9")
    agent.get_by_label("What you wrote (optional)").fill("So sorry Ann, we are on it.")
    agent.get_by_role("button", name="Record the answer").click()
    expect(agent.get_by_text("Answer recorded; the mention counts as answered.")).to_be_visible()
    snap(agent, "listening-answered")
    mention = Message.objects.get(mention__isnull=False)
    assert mention.response_state == ResponseState.ANSWERED
    assert mention.answered_by.external_url == "https://food.example/p/1#comment-9"
