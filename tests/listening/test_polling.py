"""Polling sources against a real HTTP server on 127.0.0.1: health, back-off, leases, cursors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import Message
from listening import pipeline, services, tasks
from listening.models import Mention, Query, Source, SourceKind
from tests.listening.server import recorded_server_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def feed(server, path="/feeds/blog.rss", **fields) -> Source:
    fields.setdefault("keep_all", True)
    fields.setdefault("name", f"Feed {path}")
    return Source.objects.create(
        kind=SourceKind.FEED,
        config={"url": server.url(path)},
        next_poll_at=timezone.now() - timedelta(seconds=1),
        **fields,
    )


def test_a_poll_stores_the_feed_and_records_the_source_health(recorded_server):
    source = feed(recorded_server)
    now = timezone.now()
    result = services.poll(source.pk, now=now)

    assert result is not None and result.stored > 0
    source.refresh_from_db()
    assert source.mentions_stored == result.stored == Mention.objects.count()
    assert source.items_seen == result.received
    assert (source.failures, source.last_error, source.leased_until) == (0, "", None)
    assert source.last_success_at == source.last_polled_at == now
    assert source.next_poll_at == now + timedelta(minutes=15)
    assert source.cursor["validators"][recorded_server.url("/feeds/blog.rss")]["etag"]
    assert set(Mention.objects.values_list("source_id", flat=True)) == {source.pk}
    assert set(Message.objects.values_list("channel", flat=True)) == {"feed"}


def test_the_next_poll_is_a_conditional_get_and_a_304_stores_nothing(recorded_server):
    source = feed(recorded_server)
    services.poll(source.pk)
    Source.objects.filter(pk=source.pk).update(next_poll_at=timezone.now())
    stored = Mention.objects.count()

    result = services.poll(source.pk)

    assert result is not None and result.stored == 0
    assert recorded_server.requests[-1].headers.get("if-none-match")
    assert Mention.objects.count() == stored
    source.refresh_from_db()
    assert source.failures == 0


def test_a_failing_source_backs_off_exponentially_and_recovers(recorded_server, settings):
    settings.LISTENING_MAX_BACKOFF_MINUTES = 100
    source = feed(recorded_server, "/status/500", poll_minutes=10)
    now = timezone.now()
    waits = []
    for attempt in range(4):
        assert services.poll(source.pk, now=now) is None
        source.refresh_from_db()
        assert source.failures == attempt + 1
        assert "500" in source.last_error and source.last_error_at == now
        waits.append(source.next_poll_at - now)
        now = source.next_poll_at
    assert waits == [timedelta(minutes=m) for m in (20, 40, 80, 100)]
    assert source.last_success_at is None and not Mention.objects.exists()

    source.config = {"url": recorded_server.url("/feeds/blog.rss")}
    source.save()
    assert services.poll(source.pk, now=now).stored > 0
    source.refresh_from_db()
    assert (source.failures, source.last_error) == (0, "")
    assert source.next_poll_at == now + timedelta(minutes=10)


def test_a_feed_that_never_answers_fails_within_the_timeout(recorded_server, settings):
    settings.LISTENING_TIMEOUT_SECONDS = 0.3
    source = feed(recorded_server, "/slow")
    assert services.poll(source.pk) is None
    source.refresh_from_db()
    assert source.failures == 1
    assert "time" in source.last_error.lower()


def test_a_truncated_feed_stores_what_it_can_and_says_what_was_wrong(recorded_server):
    source = feed(recorded_server, "/truncated")
    result = services.poll(source.pk)
    assert result is not None and result.stored >= 1
    source.refresh_from_db()
    assert source.failures == 0 and source.last_success_at is not None
    assert source.last_error  # the warning about the malformed feed


@pytest.mark.parametrize("path", ["/broken", "/page.html", "/not-a-feed.json", "/garbage"])
def test_what_is_not_a_feed_is_an_error_and_stores_nothing(recorded_server, path):
    source = feed(recorded_server, path)
    assert services.poll(source.pk) is None
    source.refresh_from_db()
    assert source.failures == 1 and source.last_error
    assert "Traceback" not in source.last_error
    assert not Mention.objects.exists()


def test_private_addresses_are_refused_unless_allowed(recorded_server, settings):
    settings.LISTENING_ALLOW_PRIVATE_ADDRESSES = False
    source = feed(recorded_server)
    assert services.poll(source.pk) is None
    source.refresh_from_db()
    assert "127.0.0.1" in source.last_error
    assert recorded_server.requests == []


def test_a_leased_paused_or_not_due_source_is_not_polled(recorded_server):
    now = timezone.now()
    leased = feed(recorded_server, name="Leased", leased_until=now + timedelta(minutes=5))
    paused = feed(recorded_server, name="Paused", active=False)
    later = feed(recorded_server, name="Later")
    Source.objects.filter(pk=later.pk).update(next_poll_at=now + timedelta(minutes=5))
    hook = Source.objects.create(name="Hook", kind=SourceKind.WEBHOOK)
    for source in (leased, paused, later, hook):
        assert services.poll(source.pk, now=now) is None
    assert services.due_sources(now) == []
    assert recorded_server.requests == []
    # A lease left by a worker that died runs out, and the source is polled again.
    assert sorted(services.due_sources(now + timedelta(minutes=6))) == [leased.pk, later.pk]


def test_the_periodic_job_polls_every_due_source(recorded_server):
    first = feed(recorded_server, "/feeds/blog.rss")
    second = feed(recorded_server, "/feeds/atom.xml")
    feed(recorded_server, "/search.rss", name="Paused", active=False)

    assert tasks.poll_due_sources.call_local() == 2

    assert set(Mention.objects.values_list("source_id", flat=True)) == {first.pk, second.pk}
    assert tasks.poll_due_sources.call_local() == 0  # both are done until their next time


def test_a_poll_killed_half_way_is_read_again_and_nothing_is_doubled(recorded_server, monkeypatch):
    source = feed(recorded_server)
    real = pipeline.ingest

    def die(items, **kwargs):
        real(list(items)[:1], **kwargs)  # stored one, then the worker goes
        raise SystemExit("killed")

    monkeypatch.setattr(pipeline, "ingest", die)
    with pytest.raises(SystemExit):
        services.poll(source.pk)
    source.refresh_from_db()
    assert source.cursor == {}  # the cursor did not move on
    assert Mention.objects.count() == 1

    monkeypatch.setattr(pipeline, "ingest", real)
    Source.objects.filter(pk=source.pk).update(leased_until=None)  # the lease runs out
    result = services.poll(source.pk)
    assert result.duplicates == 1
    assert Mention.objects.count() == 1 + result.stored
    assert Mention.objects.values("url").distinct().count() == Mention.objects.count()


def test_an_unexpected_error_is_recorded_and_the_source_backs_off(recorded_server, monkeypatch):
    source = feed(recorded_server)

    def broken(items, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "ingest", broken)
    assert services.poll(source.pk) is None
    source.refresh_from_db()
    assert source.last_error == "RuntimeError: disk full"
    assert source.failures == 1 and source.leased_until is None


def test_mastodon_polls_send_the_last_id_seen(recorded_server):
    source = Source.objects.create(
        name="Mastodon #larder",
        kind=SourceKind.MASTODON,
        config={"instance": recorded_server.url(""), "tag": "larder"},
        keep_all=True,
    )
    first = services.poll(source.pk)
    assert first.stored >= 1
    source.refresh_from_db()
    assert source.cursor["since_id"]
    Source.objects.filter(pk=source.pk).update(next_poll_at=timezone.now())
    services.poll(source.pk)
    assert recorded_server.requests[-1].query.get("since_id") == source.cursor["since_id"]
    assert set(Message.objects.values_list("channel", flat=True)) == {"mastodon"}


# --- trying a source from the sources page --------------------------------------------------


def test_trying_a_source_shows_what_would_come_in_and_stores_nothing(recorded_server, ada_client):
    Query.objects.create(name="Everything", text="NOT zzzzunlikely")
    source = feed(recorded_server, keep_all=False)
    response = ada_client.post(reverse("listening:source_test", args=[source.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Read " in page and "Matches: Everything" in page and "Nothing was stored" in page
    assert not Mention.objects.exists()
    source.refresh_from_db()
    assert source.cursor == {} and source.last_polled_at is None


def test_trying_a_broken_source_shows_the_error(recorded_server, ada_client):
    source = feed(recorded_server, "/status/404")
    page = ada_client.post(reverse("listening:source_test", args=[source.pk])).content.decode()
    assert "404" in page and "notice-error" in page
