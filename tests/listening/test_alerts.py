"""The early warning: spikes found in the database, alerts, e-mail and webhook, staff pages."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import smtplib
import socket
import threading
from datetime import UTC, datetime, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Person
from conversations.models import Conversation, Kind, Message, Moderation, Topic
from listening import alert_tasks, alerts
from listening.alert_views import alert_chart, alert_windows
from listening.models import Alert, AlertMetric, Mention, MentionMatch, Query
from tests.test_query_counts import count_queries

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SITE = "https://openline.example"
SECRET = "alert-webhook-secret"


@pytest.fixture(autouse=True)
def spike_settings(settings):
    settings.SPIKE_WINDOW_MINUTES = 60
    settings.SPIKE_BASELINE_WINDOWS = 6
    settings.SPIKE_K = 3.0
    settings.SPIKE_MIN_COUNT = 10
    settings.SPIKE_COOLDOWN_MINUTES = 180
    settings.ALERT_WEBHOOK_URL = None
    settings.ALERT_WEBHOOK_SECRET = None
    settings.SITE_URL = SITE
    settings.PAGE_CACHE_SECONDS = 0
    return settings


# --- A small factory ---------------------------------------------------------------------


class Mentions:
    """Mentions stored the way the pipeline stores them: a private conversation of kind
    "mention" with one message, and the Mention beside it."""

    def __init__(self):
        self.n = 0
        self.author = Person.objects.create(display_name="Ann Poster")

    def add(self, at, *, sentiment="neutral", topic=None, queries=(), text=None, url=None):
        self.n += 1
        n = self.n
        text = text or f"Post number {n} about Larder"
        conversation = Conversation.objects.create(
            kind=Kind.MENTION,
            is_public=False,
            title=text[:60],
            slug=f"mention-{n}",
            author=self.author,
            published_at=at,
        )
        message = Message.objects.create(
            conversation=conversation,
            author=self.author,
            is_opening=True,
            body_md=text,
            body_html=f"<p>{escape(text)}</p>",
            sentiment=sentiment,
            topic=topic,
            created_at=at,
        )
        mention = Mention.objects.create(
            message=message,
            content_hash=f"{n:064x}",
            url=f"https://social.example/@ann/{n}" if url is None else url,
            author="@ann@social.example Ann",
            published_at=at,
            created_at=at,
        )
        for query in queries:
            MentionMatch.objects.create(mention=mention, query=query, created_at=at)
        return mention

    def spread(self, start, n, *, width=HOUR, negative=0, sentiment="neutral", **fields):
        """`n` mentions evenly inside [start, start + width), the first `negative` negative."""
        for i in range(n):
            mood = "negative" if i < negative else sentiment
            self.add(start + width * (i + 1) / (n + 1), sentiment=mood, **fields)

    def windows(self, counts, *, end=NOW, negatives=None, **fields):
        """One count per window of an hour, oldest first, the last window ending at `end`."""
        negatives = negatives or [0] * len(counts)
        for i, (n, negative) in enumerate(zip(counts, negatives, strict=True)):
            start = end - HOUR * (len(counts) - i)
            self.spread(start, n, negative=negative, **fields)


@pytest.fixture
def mentions(db):
    return Mentions()


def make_query(name="Larder", *, created=NOW - timedelta(days=2), active=True):
    return Query.objects.create(name=name, text=name.lower(), active=active, created_at=created)


def make_topic(number=1, name="Late deliveries"):
    return Topic.objects.create(number=number, name=name)


STEADY = [2, 3, 2, 3, 2, 3]  # mean 2.5, deviation 0.5; the floor sqrt(2.5) is the spread


# --- Detection ---------------------------------------------------------------------------


def test_a_burst_after_a_steady_baseline_raises_one_volume_alert(mentions):
    mentions.windows([*STEADY, 12])
    [alert] = alerts.check_spikes(NOW)
    assert alert.metric == AlertMetric.VOLUME
    assert (alert.query, alert.topic) == (None, None)
    assert (alert.window_start, alert.window_end) == (NOW - HOUR, NOW)
    assert (alert.count, alert.negative) == (12, 0)
    assert alert.observed == 12
    assert alert.baseline == 2.5
    assert alert.spread == pytest.approx(math.sqrt(2.5))
    assert alert.threshold == pytest.approx(2.5 + 3 * math.sqrt(2.5))
    assert [w["count"] for w in alert.series] == [*STEADY, 12]
    assert alert.mentions.count() == 12
    newest = alert.mentions.order_by("-created_at").first()
    assert newest.created_at > NOW - timedelta(minutes=5)
    assert Alert.objects.count() == 1


def test_windows_include_their_start_and_exclude_their_end(mentions):
    mentions.windows([*STEADY, 10])
    mentions.add(NOW - HOUR)  # the first instant of the current window
    mentions.add(NOW)  # the window ends just before now
    mentions.add(NOW - 7 * HOUR - timedelta(microseconds=1))  # before the first baseline window
    [alert] = alerts.check_spikes(NOW)
    assert alert.count == 11
    assert [w["count"] for w in alert.series] == [*STEADY, 11]


def test_nothing_below_the_minimum_count(mentions):
    mentions.windows([0, 0, 0, 0, 0, 0, 9], negatives=[0] * 6 + [9])
    assert alerts.check_spikes(NOW) == []
    assert not Alert.objects.exists()


def test_nothing_when_the_window_is_like_the_ones_before(mentions):
    mentions.windows([20, 18, 22, 19, 21, 20, 24], negatives=[2, 2, 2, 2, 2, 2, 3])
    assert alerts.check_spikes(NOW) == []


def test_a_rise_in_negative_share_at_flat_volume_raises_a_share_alert(mentions):
    mentions.windows([12] * 7, negatives=[1] * 6 + [8])
    # Mentions not scored yet count in the volume but not in the share.
    mentions.spread(NOW - HOUR, 5, sentiment="")
    [alert] = alerts.check_spikes(NOW)
    assert alert.metric == AlertMetric.NEGATIVE_SHARE
    assert (alert.count, alert.negative) == (17, 8)
    p = 7 / 74  # 6 negative of 72, smoothed
    assert alert.observed == pytest.approx(8 / 12)
    assert alert.baseline == pytest.approx(1 / 12)
    assert alert.spread == pytest.approx(math.sqrt(p * (1 - p) / 12))
    assert alert.threshold == pytest.approx(1 / 12 + 3 * math.sqrt(p * (1 - p) / 12))
    assert alert.series[-1] == {"count": 17, "negative": 8, "scored": 12}
    # The mentions behind a share alert are the negative ones.
    assert alert.mentions.count() == 8
    assert set(alert.mentions.values_list("message__sentiment", flat=True)) == {"negative"}


def test_removed_mentions_do_not_count(mentions):
    mentions.windows([*STEADY, 9])
    mentions.spread(NOW - HOUR, 5)
    removed = Message.objects.filter(created_at__gte=NOW - HOUR).order_by("created_at")[:5]
    Message.objects.filter(pk__in=[m.pk for m in removed]).update(moderation=Moderation.REMOVED)
    assert alerts.check_spikes(NOW) == []


def test_a_query_that_rises_alone_alerts_for_that_query(mentions):
    larder = make_query("Larder")
    make_query("Paused", active=False)
    young = make_query("New", created=NOW - 3 * HOUR)
    # 20 mentions an hour in all, and now 30: not a spike overall (threshold 20 + 3 * 4.47).
    # One an hour matched the query, and now 12 do.
    mentions.windows([19] * 6 + [18])
    mentions.windows([1] * 6 + [12], queries=[larder, young])
    for query in Query.objects.filter(active=False):
        MentionMatch.objects.bulk_create(
            MentionMatch(mention=m, query=query, created_at=m.created_at)
            for m in Mention.objects.all()
        )
    [alert] = alerts.check_spikes(NOW)
    assert (alert.metric, alert.query, alert.topic) == (AlertMetric.VOLUME, larder, None)
    assert alert.count == 12
    assert alert.baseline == 1
    assert alert.mentions.count() == 12
    assert not alert.mentions.exclude(matches__query=larder).exists()
    assert "matching “Larder”" in alerts.summary(alert)


def test_a_topic_that_rises_alone_alerts_for_that_topic(mentions):
    late, other = make_topic(1, "Late deliveries"), make_topic(2, "Refunds")
    mentions.windows([19] * 6 + [18], topic=other)
    mentions.windows([1] * 6 + [12], topic=late)
    [alert] = alerts.check_spikes(NOW)
    assert (alert.metric, alert.query, alert.topic) == (AlertMetric.VOLUME, None, late)
    assert alert.count == 12
    assert set(alert.mentions.values_list("message__topic", flat=True)) == {late.pk}
    assert alerts.summary(alert) == "12 mentions about “Late deliveries” in 1 hour, usually 1.0"


def test_a_negative_rise_in_a_query_alerts_for_the_query_and_all_mentions(mentions):
    larder = make_query()
    mentions.windows([12] * 7, negatives=[1] * 6 + [8], queries=[larder])
    found = alerts.check_spikes(NOW)
    assert [(a.metric, a.query_id) for a in found] == [
        (AlertMetric.NEGATIVE_SHARE, None),
        (AlertMetric.NEGATIVE_SHARE, larder.pk),
    ]


def test_counting_takes_the_same_queries_however_many_scopes(mentions):
    def queries_of_a_check():
        with CaptureQueriesContext(connection) as ctx:
            assert alerts.check_spikes(NOW) == []
        return len(ctx.captured_queries)

    mentions.windows([1] * 7, topic=make_topic(1), queries=[make_query("A")])
    few = queries_of_a_check()
    for i in range(2, 8):
        mentions.windows([1] * 7, topic=make_topic(i, f"T{i}"), queries=[make_query(f"Q{i}")])
    # a savepoint, the lock on PostgreSQL, the mentions, the matches, the savepoint's release
    assert queries_of_a_check() == few <= 5


# --- Cooldown and running twice ----------------------------------------------------------


def test_the_cooldown_holds_back_the_same_alert_until_it_passes(mentions):
    mentions.windows([*STEADY, 12])
    assert len(alerts.check_spikes(NOW)) == 1
    # The burst is still inside the window five minutes on: no second alert.
    assert alerts.check_spikes(NOW + timedelta(minutes=5)) == []
    mentions.spread(NOW + timedelta(minutes=150), 30, width=timedelta(minutes=10))
    assert alerts.check_spikes(NOW + timedelta(minutes=179)) == []
    [again] = alerts.check_spikes(NOW + timedelta(minutes=180))
    assert again.window_end == NOW + timedelta(minutes=180)
    assert again.count == 30
    assert Alert.objects.count() == 2


def test_the_cooldown_is_per_metric_and_scope(mentions):
    mentions.windows([*STEADY, 12])
    assert len(alerts.check_spikes(NOW)) == 1
    larder = make_query()
    mentions.spread(NOW, 20, width=timedelta(minutes=4), queries=[larder], sentiment="negative")
    later = alerts.check_spikes(NOW + timedelta(minutes=5))
    assert {(a.metric, a.query_id) for a in later} == {
        (AlertMetric.VOLUME, larder.pk),
        (AlertMetric.NEGATIVE_SHARE, None),
    }


@pytest.mark.parametrize("cooldown", [0, 180])
def test_a_second_run_for_the_same_moment_adds_nothing(mentions, settings, cooldown):
    settings.SPIKE_COOLDOWN_MINUTES = cooldown
    mentions.windows([*STEADY, 12])
    assert len(alerts.check_spikes(NOW)) == 1
    assert alerts.check_spikes(NOW) == []
    assert Alert.objects.count() == 1


def test_the_periodic_task_checks_the_window_ending_this_minute(mentions):
    mentions.windows([*STEADY, 12])
    with time_machine.travel(NOW + timedelta(seconds=40), tick=False):
        assert alert_tasks.check_spikes.call_local() == 1
        assert alert_tasks.check_spikes.call_local() == 0
    alert = Alert.objects.get()
    assert alert.window_end == NOW


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kathmandu", "America/St_Johns"])
def test_windows_are_the_same_in_any_time_zone(mentions, settings, zone):
    settings.TIME_ZONE = zone
    now = timezone.localtime(NOW)
    assert (now.utcoffset() == timedelta(0)) == (zone == "UTC")
    mentions.windows([*STEADY, 12], end=now)
    mentions.add(now - HOUR)
    [alert] = alerts.check_spikes(now)
    alert.refresh_from_db()
    assert (alert.window_start, alert.window_end) == (NOW - HOUR, NOW)
    assert [w["count"] for w in alert.series] == [*STEADY, 13]
    assert alert.baseline == 2.5


def test_a_window_keeps_the_newest_mentions_up_to_the_cap(mentions, monkeypatch):
    monkeypatch.setattr(alerts, "MENTIONS_ATTACHED", 5)
    mentions.windows([*STEADY, 12])
    [alert] = alerts.check_spikes(NOW)
    kept = list(alert.mentions.order_by("created_at").values_list("pk", flat=True))
    newest = Mention.objects.order_by("-created_at").values_list("pk", flat=True)[:5]
    assert sorted(kept) == sorted(newest)


# --- Notification ------------------------------------------------------------------------


@pytest.fixture
def managers(priya, ada, alex):
    return [ada.email, priya.email]


class Receiver(HTTPServer):
    """A webhook receiver on 127.0.0.1: records each request, answers with `status`."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.requests: list[tuple[str, dict, bytes]] = []
        self.statuses: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/openline"


class ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((self.path, dict(self.headers), body))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def receiver(settings):
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ALERT_WEBHOOK_URL = server.url
    settings.ALERT_WEBHOOK_SECRET = SECRET
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def alert(mentions):
    mentions.windows([*STEADY, 12])
    [alert] = alerts.check_spikes(NOW)  # on_commit never runs here: nothing sent yet
    return alert


def test_managers_are_emailed_the_figures_examples_and_a_link(
    mentions, managers, django_capture_on_commit_callbacks
):
    mentions.windows([*STEADY, 11])
    mentions.add(NOW - timedelta(minutes=1), text="My parcel from Larder is lost <again>")
    with django_capture_on_commit_callbacks(execute=True):
        [alert] = alerts.check_spikes(NOW)
    [sent] = mail.outbox
    assert sorted(sent.to) == managers
    assert sent.subject == "Spike: 12 mentions in 1 hour, usually 2.5"
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    body = sent.body
    assert "Volume spike in all mentions, in the 1 hour from 10 Mar 2026, 11:00 to" in body
    assert "10 Mar 2026, 12:00 UTC" in body
    assert "Mentions:   12 (0 negative)" in body
    assert "Observed:   12.0" in body
    assert "Usual:      2.5, the mean of the 6 windows before" in body
    assert "Threshold:  7.2" in body
    assert "- @ann@social.example Ann: “My parcel from Larder is lost <again>”" in body
    assert f"https://social.example/@ann/{mentions.n}" in body
    assert body.count("- @ann@social.example Ann:") == alerts.EXAMPLES_EMAILED
    assert f"{SITE}/staff/listening/alerts/{alert.pk}/" in body
    alert.refresh_from_db()
    assert alert.emailed_at is not None
    assert alert.webhook_sent_at is None  # no webhook configured


def test_a_share_alert_email_speaks_in_percent(mentions, managers):
    mentions.windows([12] * 7, negatives=[1] * 6 + [8])
    [alert] = alerts.check_spikes(NOW)
    alerts.notify(alert.pk)
    [sent] = mail.outbox
    assert sent.subject == "Spike: 67% of mentions negative in 1 hour (8 of 12), usually 8%"
    assert "Observed:   67%" in sent.body
    assert "The latest negative mentions in the window:" in sent.body


def test_the_webhook_is_signed_and_carries_the_alert(alert, managers, receiver):
    alerts.notify(alert.pk)
    [(path, headers, body)] = receiver.requests
    assert path == "/hooks/openline"
    assert headers["Content-Type"] == "application/json"
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Openline-Signature"], expected)
    payload = json.loads(body)
    assert payload["event"] == "openline.alert"
    sent = payload["alert"]
    assert sent["id"] == alert.pk
    assert sent["metric"] == "volume"
    assert sent["scope"] == {"kind": "all", "id": None, "name": "all mentions"}
    assert (sent["count"], sent["negative"], sent["observed"]) == (12, 0, 12.0)
    assert sent["baseline"] == 2.5
    assert sent["threshold"] == pytest.approx(alert.threshold)
    assert sent["spread"] == pytest.approx(alert.spread)
    assert sent["window_start"] == "2026-03-10T11:00:00+00:00"
    assert sent["window_end"] == "2026-03-10T12:00:00+00:00"
    assert sent["url"] == f"{SITE}/staff/listening/alerts/{alert.pk}/"
    assert sent["summary"] == "12 mentions in 1 hour, usually 2.5"
    assert len(sent["mentions"]) == alerts.EXAMPLES_POSTED
    first = sent["mentions"][0]
    assert set(first) == {"url", "text", "author", "sentiment", "published_at"}
    assert first["url"] == f"https://social.example/@ann/{Mention.objects.count()}"  # newest
    assert first["sentiment"] == "neutral"
    assert datetime.fromisoformat(first["published_at"]) > NOW - timedelta(minutes=5)
    alert.refresh_from_db()
    assert alert.webhook_sent_at is not None and alert.emailed_at is not None
    assert alert.webhook_error == ""
    assert len(mail.outbox) == 1


def test_a_webhook_without_a_secret_is_not_signed(alert, receiver, settings):
    settings.ALERT_WEBHOOK_SECRET = None
    alerts.notify(alert.pk)
    [(_, headers, body)] = receiver.requests
    assert "X-Openline-Signature" not in headers
    assert json.loads(body)["alert"]["scope"]["kind"] == "all"


def test_a_query_and_a_topic_are_named_in_the_webhook(mentions, receiver):
    larder, late = make_query(), make_topic()
    mentions.windows([*STEADY, 12], queries=[larder], topic=late)
    found = alerts.check_spikes(NOW)
    assert [(a.query_id, a.topic_id) for a in found] == [
        (None, None),
        (larder.pk, None),
        (None, late.pk),
    ]
    for alert in found:
        alerts.notify(alert.pk)
    scopes = [json.loads(body)["alert"]["scope"] for _, _, body in receiver.requests]
    assert scopes == [
        {"kind": "all", "id": None, "name": "all mentions"},
        {"kind": "query", "id": larder.pk, "name": "Larder"},
        {"kind": "topic", "id": late.pk, "name": "Late deliveries"},
    ]


def test_notifying_twice_sends_nothing_twice(
    mentions, managers, receiver, django_capture_on_commit_callbacks
):
    mentions.windows([*STEADY, 12])
    with django_capture_on_commit_callbacks(execute=True):
        [alert] = alerts.check_spikes(NOW)
    alert_tasks.notify_alert.call_local(alert.pk)
    alerts.notify(alert.pk)
    assert len(mail.outbox) == 1
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [(500, "HTTP 500 Internal Server Error"), (302, "HTTP 302 Found: redirects are not followed")],
)
def test_a_failing_webhook_is_recorded_and_the_email_still_goes(
    alert, managers, receiver, status, error
):
    receiver.statuses = [status]
    with pytest.raises(alerts.DeliveryError, match="webhook failed"):
        alerts.notify(alert.pk)
    assert len(receiver.requests) == 1  # a redirect is not followed
    assert len(mail.outbox) == 1
    alert.refresh_from_db()
    assert alert.webhook_error == error
    assert alert.webhook_sent_at is None
    assert alert.emailed_at is not None
    # The retry sends the webhook only, and forgets the error.
    alerts.notify(alert.pk)
    assert len(receiver.requests) == 2
    assert len(mail.outbox) == 1
    alert.refresh_from_db()
    assert alert.webhook_error == "" and alert.webhook_sent_at is not None


def test_a_webhook_that_refuses_connections_is_recorded(
    mentions, managers, settings, django_capture_on_commit_callbacks
):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.ALERT_WEBHOOK_URL = f"http://127.0.0.1:{port}/hook"
    mentions.windows([*STEADY, 12])
    with django_capture_on_commit_callbacks(execute=True):
        [alert] = alerts.check_spikes(NOW)  # the task's error goes to huey's log
    alert.refresh_from_db()
    assert alert.webhook_error.startswith("ConnectError")
    assert alert.webhook_sent_at is None
    assert len(mail.outbox) == 1 and alert.emailed_at is not None


def test_a_failing_email_is_given_back_and_the_webhook_still_goes(
    alert, managers, receiver, monkeypatch
):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(mail.EmailMessage, "send", refuse)
    with pytest.raises(alerts.DeliveryError, match="e-mail failed"):
        alerts.notify(alert.pk)
    alert.refresh_from_db()
    assert alert.emailed_at is None
    assert alert.webhook_sent_at is not None
    monkeypatch.undo()
    alerts.notify(alert.pk)
    assert len(mail.outbox) == 1
    assert len(receiver.requests) == 1


def test_without_managers_or_webhook_nothing_is_sent_or_recorded(alert, alex):
    alerts.notify(alert.pk)
    assert mail.outbox == []
    alert.refresh_from_db()
    assert alert.emailed_at is None and alert.webhook_sent_at is None


def test_notifying_an_alert_that_is_gone_does_nothing(alert, managers):
    pk = alert.pk
    alert.delete()
    alerts.notify(pk)
    assert mail.outbox == []


def test_descriptions():
    assert alerts.duration(60) == "1 hour"
    assert alerts.duration(180) == "3 hours"
    assert alerts.duration(90) == "90 minutes"
    assert alerts.duration(5) == "5 minutes"


# --- Staff pages -------------------------------------------------------------------------


def make_alert(**fields) -> Alert:
    defaults = {
        "metric": AlertMetric.VOLUME,
        "window_start": NOW - HOUR,
        "window_end": NOW,
        "count": 12,
        "negative": 1,
        "observed": 12.0,
        "baseline": 2.5,
        "spread": math.sqrt(2.5),
        "threshold": 2.5 + 3 * math.sqrt(2.5),
        "series": [{"count": c, "negative": 0, "scored": c} for c in [*STEADY, 12]],
    }
    return Alert.objects.create(**{**defaults, **fields})


LIST = "/staff/listening/alerts/"


def page_of(alert):
    return f"/staff/listening/alerts/{alert.pk}/"


def test_anonymous_visitors_are_sent_to_log_in(client, alert):
    for url in (LIST, page_of(alert)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_customers_may_not_see_alerts(maria_client, alert):
    assert maria_client.get(LIST).status_code == 403
    assert maria_client.get(page_of(alert)).status_code == 403


@pytest.mark.parametrize("persona", ["alex_client", "priya_client"])
def test_staff_see_the_alerts(request, persona, alert):
    client = request.getfixturevalue(persona)
    html = client.get(LIST).content.decode()
    assert f'href="{page_of(alert)}"' in html
    assert "Volume spike in all mentions" in html
    assert "12 mentions in 1 hour, usually 2.5" in html
    assert client.get(page_of(alert)).status_code == 200


def test_pages_take_only_get(alex_client, alert):
    assert alex_client.post(LIST).status_code == 405
    assert alex_client.post(page_of(alert)).status_code == 405


def test_bad_pages_and_alerts_are_not_found(alex_client, alert):
    assert alex_client.get(LIST + "?page=9").status_code == 404
    assert alex_client.get(LIST + "?page=x").status_code == 404
    assert alex_client.get(page_of(alert) + "?page=9").status_code == 404
    assert alex_client.get(f"/staff/listening/alerts/{alert.pk + 1}/").status_code == 404
    assert alex_client.get(f"/staff/listening/alerts/{2**63}/").status_code == 404
    assert alex_client.get("/staff/listening/alerts/0/").status_code == 404


def test_an_empty_list_says_so(alex_client):
    assert "No alerts yet" in alex_client.get(LIST).content.decode()


def test_the_alert_page_charts_the_windows_and_lists_the_mentions(alex_client, mentions):
    mentions.windows([*STEADY, 11])
    odd = mentions.add(
        NOW - timedelta(minutes=1), url="javascript:alert(1)", text="Odd <b>link</b>"
    )
    [alert] = alerts.check_spikes(NOW)
    html = alex_client.get(page_of(alert)).content.decode()
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in html
    assert "Mentions per window of 1 hour" in html
    assert html.count("<rect x=") == 7
    assert "Alert window from 10 Mar 2026, 11:00 UTC: 12" in html
    assert "Window from 10 Mar 2026, 05:00 UTC: 2" in html
    # the numbers as a table too, newest window first
    assert html.index(">10 Mar 2026, 11:00</time>") < html.index(">10 Mar 2026, 05:00</time>")
    assert "12 mentions from the alert's window" in html
    assert f'href="/staff/conversations/{odd.message.conversation_id}/"' in html
    assert f'href="https://social.example/@ann/{mentions.n - 1}"' in html
    assert "javascript:" not in html
    assert "Odd &lt;b&gt;link&lt;/b&gt;" in html
    assert "Ann Poster" in html


def test_the_alert_page_of_a_share_alert(alex_client, mentions, receiver):
    receiver.statuses = [500]
    mentions.windows([0, 12, 12, 12, 12, 12, 12], negatives=[0, 1, 1, 1, 1, 1, 8])
    [alert] = alerts.check_spikes(NOW)
    with pytest.raises(alerts.DeliveryError):
        alerts.notify(alert.pk)
    html = alex_client.get(page_of(alert)).content.decode()
    assert "Negative share spike in all mentions" in html
    assert "Negative share per window of 1 hour" in html
    assert "no sentiment known" in html  # the first window had no mentions
    assert "8 mentions, the negative ones from the alert's window" in html
    assert "HTTP 500 Internal Server Error" in html
    assert "give or take" in html and "points" in html


def test_an_alert_without_figures_or_mentions(alex_client):
    alert = make_alert(series=[])
    html = alex_client.get(page_of(alert)).content.decode()
    assert "<svg viewBox" not in html
    assert "No mentions are kept with this alert" in html


def test_windows_of_a_day_are_labelled_by_date():
    alert = Alert(
        metric=AlertMetric.VOLUME,
        window_start=NOW - timedelta(days=1),
        window_end=NOW,
        observed=0,
        baseline=0,
        spread=1,
        threshold=3,
        series=[{"count": 0, "negative": 0, "scored": 0}] * 3,
    )
    windows = alert_windows(alert)
    assert [w.start for w in windows] == [NOW - timedelta(days=d) for d in (3, 2, 1)]
    chart = alert_chart(alert, windows)
    assert [b.label for b in chart["bars"]] == ["7 Mar", "8 Mar", "9 Mar"]
    assert chart["peak"] == "3"
    assert chart["window"] == "24 hours"


def test_the_list_costs_the_same_however_many_alerts(alex_client, mentions):
    larder, late = make_query(), make_topic()
    make_alert(query=larder)
    make_alert(topic=late, metric=AlertMetric.NEGATIVE_SHARE, observed=0.6, baseline=0.1)
    few = count_queries(alex_client, LIST)
    for i in range(30):
        make_alert(query=make_query(f"Q{i}") if i % 2 else None)
    # session, user, count, page with its queries and topics, the header's person
    assert count_queries(alex_client, LIST) == few <= 5
    assert count_queries(alex_client, LIST + "?page=2") == few


def test_the_alert_page_costs_the_same_however_many_mentions(alex_client, mentions):
    alert = make_alert()
    mentions.windows([3])
    alert.mentions.set(Mention.objects.all())
    few = count_queries(alex_client, page_of(alert))
    mentions.windows([40], end=NOW - HOUR)
    alert.mentions.set(Mention.objects.all())
    # session, user, alert, count, page of mentions with their messages and authors, and
    # the header's person
    assert count_queries(alex_client, page_of(alert)) == few <= 6
