"""The public transparency page: off by default, aggregate figures only, local months, the
known issues with their promises, and the cache that keeps rollup reads off busy days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations import services
from conversations.models import Channel, Kind, KnownIssueStatus
from insights import rollups
from insights.public_views import duration, share
from tests.test_query_counts import count_queries

VISIT = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)  # a Tuesday; office hours Mon-Fri 09-17 UTC
PRIVATE = ["Maria Keller", "Sam Osei", "Alex R.", "Lionel M.", "maria@example.com"]


def at(moment):
    return time_machine.travel(moment, tick=False)


def email(person, body, moment):
    with at(moment):
        return services.receive_private_message(
            conversation=None, author=person, title=body[:20], body_md=body, channel=Channel.EMAIL
        )


def answer(message, alex, moment, body="On its way."):
    with at(moment):
        return services.answer(message, by=alex, body_md=body)


def november_and_december(maria, sam, alex):
    """November: 4 messages, 3 needing an answer, 2 answered (30 min, 2 h): 67%, median
    30 min. December to the 15th: 3 messages, all answered (42 min, 4 h 10 min, 2 h 10 min):
    100%, median 2 h 10 min."""

    def utc(month, day, hour, minute=0):
        return datetime(2026, month, day, hour, minute, tzinfo=UTC)

    first = email(maria.person, "Where is my order 1042?", utc(11, 9, 10))
    answer(first, alex, utc(11, 9, 10, 30), "Leaving the warehouse today, Maria.")
    second = email(sam.person, "My refund is late", utc(11, 10, 10))
    answer(second, alex, utc(11, 10, 12))
    thanks = email(maria.person, "Thanks a lot!", utc(11, 11, 10))
    with at(utc(11, 11, 11)):
        services.mark_no_reply_needed(thanks, by=alex, reason="Thanks only")
    email(sam.person, "Still waiting for the blender", utc(11, 12, 10))  # never answered

    december = [
        (email(maria.person, "The lid is cracked", utc(12, 1, 9)), utc(12, 1, 9, 42)),
        # Wednesday 14-17 and Thursday 09:00-10:10: 4 h 10 min in business hours.
        (email(sam.person, "Wrong oat milk", utc(12, 2, 14)), utc(12, 3, 10, 10)),
        # Friday 16-17 and Monday 09:00-10:10: 2 h 10 min.
        (email(maria.person, "Stale sourdough", utc(12, 4, 16)), utc(12, 7, 10, 10)),
    ]
    for message, moment in december:
        answer(message, alex, moment)
    rollups.refresh_pending()


def publish_issue(lionel, title, moment, next_update_due=None, **extra):
    with at(moment):
        return services.publish_post(
            author=lionel.person,
            kind=Kind.KNOWN_ISSUE,
            title=title,
            body_md="We are looking into it.",
            affected_area=extra.pop("area", "Deliveries to Scotland"),
            next_update_due=next_update_due,
            **extra,
        )


def row(html, row_id):
    start = html.index(f'id="{row_id}"')
    return html[start : html.index("</tr>", start)]


@pytest.fixture
def page_on(db, settings):
    settings.INSIGHTS_TRANSPARENCY_PAGE = True
    settings.PAGE_CACHE_SECONDS = 0  # these tests look at the figures cache, not the page cache


def test_durations_and_shares_read_as_people_write_them():
    assert duration(2520) == "42 min"
    assert duration(11_400) == "3 h 10 min"
    assert duration(7200) == "2 h"
    assert duration(59) == "under 1 min"
    assert duration(36 * 3600) == "36 h"
    assert duration(None) == "no data"
    assert share(2 / 3) == "67%"
    assert share(0.996) == "99%"  # never rounded up to everyone
    assert share(0.004) == "under 1%"
    assert (share(1.0), share(0.0), share(None)) == ("100%", "0%", "no data")


def test_the_page_is_off_unless_switched_on(settings, client, ada_client):
    settings.INSIGHTS_TRANSPARENCY_PAGE = False
    assert client.get("/transparency/").status_code == 404
    assert ada_client.get("/transparency/").status_code == 404


def test_everyone_sees_this_month_and_last_month_and_nothing_private(
    page_on, client, maria_client, alex_client, maria, sam, alex
):
    november_and_december(maria, sam, alex)
    with at(VISIT):
        response = client.get("/transparency/")
        assert maria_client.get("/transparency/").status_code == 200
        assert alex_client.get("/transparency/").status_code == 200
    assert response.status_code == 200
    html = response.content.decode()
    assert "December 2026 so far (1 to 15 Dec)" in html and "November 2026" in html
    messages = row(html, "figure-messages")
    assert messages.index(">3<") < messages.index(">4<")  # this month, then last month
    answered = row(html, "figure-answered")
    assert "100%" in answered and "3 of 3" in answered
    assert "67%" in answered and "2 of 3" in answered
    median = row(html, "figure-median")
    assert "in business hours" in median
    assert median.index("2 h 10 min") < median.index("30 min")
    # Around the clock, December waited 42 min, 20 h 10 min (bucket 20 h) and 66 h 10 min:
    # median 20 h; November 30 min and 2 h: median 30 min.
    clock = row(html, "figure-median-clock")
    assert "nights and weekends included" in clock
    assert clock.index("20 h") < clock.index("30 min")
    assert "How these figures are computed" in html and "mon-fri 09:00-17:00" in html
    # Aggregates only: no customer, no agent, no message text.
    for private in [
        *PRIVATE,
        "Where is my order",
        "Leaving the warehouse",
        "Stale sourdough",
        "Thanks only",
    ]:
        assert private not in html


def test_months_are_local(page_on, settings, client, maria, sam):
    settings.TIME_ZONE = "Europe/Berlin"
    # 23:30 UTC on 30 November is 00:30 on 1 December in Berlin; 22:30 UTC is still November.
    email(maria.person, "Late again", datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    email(sam.person, "Late too", datetime(2026, 11, 30, 22, 30, tzinfo=UTC))
    email(sam.person, "Early October", datetime(2026, 10, 31, 23, 30, tzinfo=UTC))  # 1 Nov
    rollups.refresh_pending()
    with at(datetime(2026, 12, 1, 10, 0, tzinfo=UTC)):
        html = client.get("/transparency/").content.decode()
    assert "December 2026 so far (1 Dec)" in html
    messages = row(html, "figure-messages")
    assert messages.index(">1<") < messages.index(">2<")
    assert "Europe/Berlin" in html


def test_known_issues_show_status_area_start_last_update_and_an_honest_promise(
    page_on, client, lionel
):
    started = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    late = publish_issue(
        lionel, "Deliveries to the north are running late", started,
        next_update_due=started + timedelta(hours=4),
    )  # fmt: skip
    with at(datetime(2026, 12, 2, 10, 0, tzinfo=UTC)):
        services.post_status_update(
            late, author=lionel.person, status=KnownIssueStatus.IDENTIFIED,
            body_md="A storm closed the motorway.",
            next_update_due=datetime(2026, 12, 14, 12, 0, tzinfo=UTC),
        )  # fmt: skip
    publish_issue(
        lionel, "The app logs some of you out", datetime(2026, 12, 10, 8, 0, tzinfo=UTC),
        next_update_due=datetime(2026, 12, 16, 9, 0, tzinfo=UTC), area="The iPhone app",
    )  # fmt: skip
    publish_issue(
        lionel, "Card payments failed", datetime(2026, 12, 3, 8, 0, tzinfo=UTC),
        status=KnownIssueStatus.RESOLVED,
    )  # fmt: skip
    publish_issue(lionel, "A draft nobody sees", started, draft=True)
    with at(VISIT):
        html = client.get("/transparency/").content.decode()

    assert "Card payments failed" not in html and "A draft nobody sees" not in html
    app, north = html.index("The app logs some of you out"), html.index("Deliveries to the north")
    assert app < north  # newest first
    first, second = html[app:north], html[north:]
    assert "affects The iPhone app" in html[:north]
    assert "Started <time" in first and "10 Dec 2026, 08:00 UTC" in first
    assert "No update posted since it started." in first
    assert "16 Dec 2026, 09:00 UTC" in first and "are late" not in first

    assert "Deliveries to Scotland" in html[html.index("Known issues open now") : north]
    assert "1 Dec 2026, 09:00 UTC" in second  # started
    assert "Last update <time" in second and "2 Dec 2026, 10:00 UTC" in second
    assert "Identified" in second
    assert "14 Dec 2026, 12:00 UTC" in second
    assert (
        "promise-overdue" in second and "We promised an update by this time and are late" in second
    )
    # The update's text and who wrote it stay on the post itself.
    assert "A storm closed the motorway" not in html and "Lionel M." not in html


def test_no_open_issues_says_so(page_on, client):
    with at(VISIT):
        html = client.get("/transparency/").content.decode()
    assert "No open issues." in html


def rollup_queries(client, url="/transparency/"):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries if "insights_rollup" in q["sql"]]


def test_figures_are_cached_for_the_configured_time(page_on, settings, client, maria, sam, alex):
    settings.INSIGHTS_TRANSPARENCY_CACHE_SECONDS = 600
    november_and_december(maria, sam, alex)
    with at(VISIT):
        response, queries = rollup_queries(client)
        assert len(queries) == 2  # this month and last month
        response, queries = rollup_queries(client)
        assert queries == []
    # A new message, counted by the rollups, shows only once the cached figures expire.
    email(sam.person, "One more question", VISIT - timedelta(hours=1))
    rollups.refresh_pending()
    with at(VISIT + timedelta(seconds=599)):
        response, queries = rollup_queries(client)
        assert queries == []
        assert ">3<" in row(response.content.decode(), "figure-messages")
    with at(VISIT + timedelta(seconds=601)):
        response, queries = rollup_queries(client)
        assert len(queries) == 2
        assert ">4<" in row(response.content.decode(), "figure-messages")


def test_no_cache_when_the_time_is_zero(page_on, settings, client):
    settings.INSIGHTS_TRANSPARENCY_CACHE_SECONDS = 0
    with at(VISIT):
        assert len(rollup_queries(client)[1]) == 2
        assert len(rollup_queries(client)[1]) == 2


def test_anonymous_visitors_get_the_cached_page(settings, client, maria_client):
    settings.INSIGHTS_TRANSPARENCY_PAGE = True
    settings.PAGE_CACHE_SECONDS = 60
    with at(VISIT):
        assert client.get("/transparency/")["X-Page-Cache"] == "miss"
        assert client.get("/transparency/")["X-Page-Cache"] == "hit"
        assert "X-Page-Cache" not in maria_client.get("/transparency/")


def test_only_safe_methods(page_on, client):
    assert client.post("/transparency/").status_code == 405


def test_query_count_is_constant_in_known_issues(page_on, client, lionel, maria, sam, alex):
    november_and_december(maria, sam, alex)
    moment = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    issue = publish_issue(lionel, "Issue 0", moment, next_update_due=VISIT + timedelta(hours=1))
    with at(VISIT):
        few = count_queries(client, "/transparency/")
    for n in range(1, 5):
        issue = publish_issue(lionel, f"Issue {n}", moment + timedelta(hours=n))
        for hours in (1, 2):
            with at(moment + timedelta(hours=n, minutes=hours)):
                services.post_status_update(
                    issue, author=lionel.person, status=KnownIssueStatus.MONITORING,
                    body_md="Still on it.",
                )  # fmt: skip
    with at(VISIT + timedelta(hours=1)):  # past the figures cache: computed afresh
        many = count_queries(client, "/transparency/")
        html = client.get("/transparency/").content.decode()
    assert all(f"Issue {n}" in html for n in range(5))
    assert many == few <= 6
