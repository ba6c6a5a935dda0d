"""Staff pages of the listening post, the inbound webhook and `openline ingest`."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from conversations.models import Message, ResponseState
from listening import pipeline
from listening.items import Item
from listening.models import Mention, Query, Source, SourceKind
from tests.test_query_counts import count_queries

pytestmark = pytest.mark.django_db


def mention(n: int, **fields) -> Item:
    return Item(
        **{
            "external_id": f"m{n}",
            "url": f"https://social.example/@ann/{n}",
            "body": f"Larder order {n} is late again. Awful service, really disappointed.",
            "author_name": f"Ann {n}",
            "author_handle": f"@ann{n}@social.example",
            "published_at": datetime.now(UTC) - timedelta(minutes=5),
            "network": "mastodon",
            **fields,
        }
    )


@pytest.fixture
def hook(db):
    return Source.objects.create(name="Reviews hook", kind=SourceKind.WEBHOOK, keep_all=True)


def post_signed(client, source, payload, *, secret=None, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    signature = hmac.new((secret or source.secret).encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        reverse("listening_webhook", args=[source.pk]),
        data=body,
        content_type="application/json",
        HTTP_X_OPENLINE_SIGNATURE=f"sha256={signature}",
    )


# --- pages and permissions ------------------------------------------------------------------

PAGES = ["listening:mentions", "listening:sources", "listening:queries"]
CONFIG_PAGES = ["listening:source_new", "listening:query_new"]


@pytest.mark.parametrize("name", PAGES + CONFIG_PAGES)
def test_strangers_and_customers_are_kept_out(client, maria_client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert maria_client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_agents_read_the_listening_pages(alex_client, name):
    assert alex_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", CONFIG_PAGES)
def test_only_admins_configure(alex_client, priya_client, ada_client, name):
    assert alex_client.get(reverse(name)).status_code == 403
    assert priya_client.get(reverse(name)).status_code == 403
    assert ada_client.get(reverse(name)).status_code == 200


def test_agents_cannot_pause_test_or_edit_a_source(alex_client, hook):
    for name in ("listening:source_pause", "listening:source_test"):
        assert alex_client.post(reverse(name, args=[hook.pk])).status_code == 403
    assert alex_client.post(reverse("listening:source_edit", args=[hook.pk]), {}).status_code == 403
    hook.refresh_from_db()
    assert hook.active


def test_the_mentions_page_lists_and_filters(alex_client):
    Query.objects.create(name="Larder", text="larder")
    pipeline.ingest([mention(1), mention(2, body="Larder opened a shop in Leeds, lovely staff.")])
    page = alex_client.get(reverse("listening:mentions")).content.decode()
    assert "late again" in page and "lovely staff" in page
    assert "Waiting</strong> (negative)" in page
    negative = alex_client.get(reverse("listening:mentions") + "?sentiment=negative")
    assert "late again" in negative.content.decode()
    assert "lovely staff" not in negative.content.decode()
    waiting = alex_client.get(reverse("listening:mentions") + "?state=awaiting").content.decode()
    assert "late again" in waiting and "lovely staff" not in waiting
    query_id = Query.objects.get().pk
    by_query = alex_client.get(reverse("listening:mentions") + f"?query={query_id}")
    assert "2 mentions." in by_query.content.decode()


def test_the_mentions_page_costs_the_same_queries_however_many_mentions(alex_client):
    Query.objects.create(name="Larder", text="larder")
    pipeline.ingest([mention(1)])
    url = reverse("listening:mentions")
    few = count_queries(alex_client, url)
    pipeline.ingest([mention(n) for n in range(2, 30)])
    many = count_queries(alex_client, url)
    assert few == many <= 8


def test_the_sources_page_costs_the_same_queries_however_many_sources(ada_client):
    Source.objects.create(name="A", kind=SourceKind.FEED, config={"url": "https://a.example/f"})
    url = reverse("listening:sources")
    few = count_queries(ada_client, url)
    for n in range(10):
        Source.objects.create(
            name=f"Feed {n}", kind=SourceKind.FEED, config={"url": f"https://{n}.example/f"}
        )
    assert count_queries(ada_client, url) == few <= 6


def test_the_queries_page_costs_the_same_queries_however_many_queries(alex_client):
    Query.objects.create(name="A", text="a")
    url = reverse("listening:queries")
    few = count_queries(alex_client, url)
    for n in range(10):
        Query.objects.create(name=f"Q{n}", text=f"word{n}")
    assert count_queries(alex_client, url) == few <= 6


# --- queries --------------------------------------------------------------------------------


def test_a_query_with_a_mistake_is_refused_with_a_pointer_to_it(ada_client):
    response = ada_client.post(
        reverse("listening:query_new"),
        {"name": "Broken", "text": "larder AND (late", "to_inbox": "rules", "active": "on"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "at character 12" in page
    assert "larder AND (late\n           ^" in page
    assert not Query.objects.exists()


def test_a_query_is_tried_on_recent_mentions_before_saving(ada_client):
    pipeline.ingest([mention(1), mention(2, body="Nothing to see here, just weather.")])
    response = ada_client.post(
        reverse("listening:query_new"),
        {"name": "Orders", "text": "late NEAR/3 order", "to_inbox": "rules", "preview": "1"},
    )
    assert response.status_code == 200
    assert "Matches 1 of the latest 2 mentions" in response.content.decode()
    assert not Query.objects.exists()


def test_an_admin_saves_and_edits_a_query(ada_client):
    response = ada_client.post(
        reverse("listening:query_new"),
        {"name": "Refunds", "text": "refund*", "to_inbox": "always", "active": "on"},
    )
    assert response.status_code == 302
    query = Query.objects.get()
    assert (query.text, query.to_inbox, query.active) == ("refund*", "always", True)
    edit = reverse("listening:query_edit", args=[query.pk])
    assert "refund*" in ada_client.get(edit).content.decode()
    ada_client.post(edit, {"name": "Refunds", "text": "refund* OR chargeback", "to_inbox": "rules"})
    query.refresh_from_db()
    assert (query.text, query.active) == ("refund* OR chargeback", False)
    other = ada_client.post(
        reverse("listening:query_new"), {"name": "Refunds", "text": "x", "to_inbox": "rules"}
    )
    assert "Another query has this name." in other.content.decode()


# --- sources --------------------------------------------------------------------------------


def test_an_admin_adds_a_feed_source_and_a_bad_address_is_refused(ada_client):
    bad = ada_client.post(
        reverse("listening:source_new"),
        {"name": "Blog", "kind": "feed", "url": "ftp://blog.example/feed", "poll_minutes": 15},
    )
    assert bad.status_code == 400 and not Source.objects.exists()
    good = ada_client.post(
        reverse("listening:source_new"),
        {"name": "Blog", "kind": "feed", "url": "https://blog.example/feed.xml",
         "poll_minutes": 30, "active": "on", "instance": "ignored for feeds"},
    )  # fmt: skip
    assert good.status_code == 302
    source = Source.objects.get()
    assert source.config == {"url": "https://blog.example/feed.xml"}
    assert (source.poll_minutes, source.active, source.keep_all) == (30, True, False)
    assert source.next_poll_at is not None


def test_pausing_and_resuming_a_source(ada_client, hook):
    ada_client.post(reverse("listening:source_pause", args=[hook.pk]))
    hook.refresh_from_db()
    assert not hook.active
    assert "Paused" in ada_client.get(reverse("listening:sources")).content.decode()
    ada_client.post(reverse("listening:source_resume", args=[hook.pk]))
    hook.refresh_from_db()
    assert hook.active


def test_the_sources_page_shows_a_webhook_address_and_secret_to_admins_only(
    ada_client, alex_client, hook
):
    address = reverse("listening_webhook", args=[hook.pk])
    assert address in ada_client.get(reverse("listening:sources")).content.decode()
    assert hook.secret in ada_client.get(reverse("listening:sources")).content.decode()
    assert hook.secret not in alex_client.get(reverse("listening:sources")).content.decode()


# --- answering from the conversation page ---------------------------------------------------


def test_an_agent_records_an_answer_given_on_the_original_site(alex_client):
    pipeline.ingest([mention(1)])
    message = Message.objects.get()
    response = alex_client.post(
        reverse("listening:answered", args=[message.pk]),
        {"url": "https://social.example/@larder/5", "body": "We replied there."},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.response_state == ResponseState.ANSWERED
    page = alex_client.get(reverse("inbox:conversation", args=[message.conversation_id]))
    assert "https://social.example/@larder/5" in page.content.decode()


def test_a_mention_cannot_be_answered_with_a_reply_on_openline(alex_client):
    pipeline.ingest([mention(1)])
    message = Message.objects.get()
    queue = alex_client.get(reverse("inbox:queue")).content.decode()
    assert "record your answer" in queue
    assert reverse("inbox:reply", args=[message.pk]) not in queue
    for url in (
        reverse("inbox:reply", args=[message.pk]),
        reverse("inbox:conversation_reply", args=[message.conversation_id]),
    ):
        response = alex_client.post(url, {"body": "Hi Ann", "reply_to": message.pk})
        assert response.status_code == 400
        assert "Answer a mention on its own site" in response.content.decode()
    assert Message.objects.count() == 1
    message.refresh_from_db()
    assert message.response_state == ResponseState.AWAITING


def test_a_customer_cannot_record_answers(maria_client):
    pipeline.ingest([mention(1)])
    message = Message.objects.get()
    response = maria_client.post(
        reverse("listening:answered", args=[message.pk]), {"url": "https://x.example/1"}
    )
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.response_state == ResponseState.AWAITING


# --- the inbound webhook --------------------------------------------------------------------


def test_a_signed_delivery_is_stored_and_a_second_delivery_is_not_doubled(client, hook):
    payload = {
        "items": [
            {"id": "r1", "url": "https://reviews.example/r/1", "text": "Late again, 1 star.",
             "author": "Pat", "published_at": "2026-11-23T08:00:00Z"},
            {"id": "r2", "url": "https://reviews.example/r/2", "text": "Lovely veg box!",
             "author": "Lee"},
        ]
    }  # fmt: skip
    first = post_signed(client, hook, payload)
    assert first.status_code == 200, first.content
    assert first.json() == {
        "received": 2, "stored": 2, "duplicates": 0, "unmatched": 0, "errors": []
    }  # fmt: skip
    again = post_signed(client, hook, payload)
    assert again.json()["duplicates"] == 2 and again.json()["stored"] == 0
    assert Mention.objects.count() == 2
    assert set(Message.objects.values_list("channel", flat=True)) == {"webhook"}


def test_a_delivery_with_a_wrong_or_missing_signature_is_refused(client, hook):
    payload = {"text": "hello", "url": "https://x.example/1"}
    assert post_signed(client, hook, payload, secret="not the secret").status_code == 401
    unsigned = client.post(
        reverse("listening_webhook", args=[hook.pk]),
        data=json.dumps(payload),
        content_type="application/json",
    )
    assert unsigned.status_code == 401
    assert not Mention.objects.exists()


def test_bad_deliveries_get_a_clear_error_and_change_nothing(client, hook):
    broken = post_signed(client, hook, None, raw=b'{"text": "unfinished')
    assert broken.status_code == 400 and "not JSON" in broken.json()["error"]
    no_text = post_signed(client, hook, {"url": "https://x.example/1"})
    assert no_text.status_code == 400
    assert "text" in no_text.json()["errors"][0]
    assert not Mention.objects.exists()


def test_a_paused_or_unknown_webhook_source_refuses_deliveries(client, hook):
    hook.active = False
    hook.save()
    assert post_signed(client, hook, {"text": "hi"}).status_code == 503
    feed = Source.objects.create(name="Feed", kind=SourceKind.FEED)
    assert post_signed(client, feed, {"text": "hi"}).status_code == 404
    assert not Mention.objects.exists()


def test_a_delivery_over_the_size_limit_is_refused(client, hook, settings):
    settings.LISTENING_MAX_BYTES = 100
    response = post_signed(client, hook, {"text": "x" * 200})
    assert response.status_code == 413
    settings.LISTENING_MAX_BYTES = 10_000_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100  # Django's own limit on a request body
    response = post_signed(client, hook, {"text": "x" * 200})
    assert response.status_code == 413
    assert response.json() == {"error": "The delivery is too large."}
    assert not Mention.objects.exists()


# --- openline ingest ------------------------------------------------------------------------


def test_ingest_stores_a_jsonl_file_once_and_reports_bad_lines(tmp_path, capsys):
    path = tmp_path / "mentions.jsonl"
    path.write_text(
        '{"id": "1", "url": "https://forum.example/t/1", "text": "Larder lost my parcel"}\n'
        "this line is not JSON\n"
        '{"id": "2", "url": "https://forum.example/t/2", "text": "Larder is great"}\n',
        encoding="utf-8",
    )
    call_command("ingest", str(path))
    out, err = capsys.readouterr()
    assert "3 received, 2 stored" in out and "1 unusable" in out
    assert "line 2:" in err
    call_command("ingest", str(path))
    out, _ = capsys.readouterr()
    assert "0 stored, 2 already stored" in out
    assert Mention.objects.count() == 2
    source = Source.objects.get()
    assert (source.name, source.kind, source.mentions_stored) == ("File imports", "import", 2)


def test_ingest_of_a_missing_file_fails_clearly(tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("ingest", str(tmp_path / "nope.jsonl"))


def test_the_admin_lists_sources_queries_mentions_and_alerts(ada_client, hook):
    pipeline.ingest([mention(1)], source=hook)
    for model in ("source", "query", "mention", "alert"):
        assert ada_client.get(f"/admin/listening/{model}/").status_code == 200, model
    page = ada_client.get(f"/admin/listening/source/{hook.pk}/change/").content.decode()
    assert "Reviews hook" in page
    assert ada_client.get("/admin/listening/mention/add/").status_code == 403


def test_web_processes_do_not_load_the_network_layer_at_start_up(tmp_path):
    import os
    import subprocess
    import sys

    code = (
        "import django, sys; django.setup(); import openline.urls; "
        "print(sorted(m for m in ('httpx', 'feedparser') if m in sys.modules))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "openline.settings"}
    env["OPENLINE_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
