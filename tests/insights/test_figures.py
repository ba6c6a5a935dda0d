"""Topics, known issues, alerts, backlog and the refresh job, against hand-computed figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from conversations import services
from conversations.models import Channel, Message, Sentiment, Topic
from insights import figures, rollups
from insights.figures import Filters
from insights.models import DirtyHour
from insights.tasks import refresh_rollups
from listening.models import Alert, AlertMetric

SUNDAY = date(2026, 11, 29)


def at(moment):
    return time_machine.travel(moment, tick=False)


def email(person, body, moment, topic=None, sentiment=""):
    with at(moment):
        message = services.receive_private_message(
            conversation=None, author=person, title=body[:20], body_md=body, channel=Channel.EMAIL
        )
    Message.objects.filter(pk=message.pk).update(topic=topic, sentiment=sentiment)
    return message


@pytest.fixture
def topics(db):
    return {
        name: Topic.objects.create(number=n, name=name, terms=[name])
        for n, name in enumerate(["late delivery", "refunds", "app login"])
    }


def test_top_topics_with_negative_share_span_before_trend_and_examples(maria, sam, topics):
    late, refunds, login = topics["late delivery"], topics["refunds"], topics["app login"]
    noon = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # the Monday of the last week
    # Late delivery: 5 messages in the last week (2 negative), none in the 4 weeks before.
    for n in range(5):
        email(maria.person, f"Late {n}", noon + timedelta(hours=n), late,
              Sentiment.NEGATIVE if n < 2 else Sentiment.NEUTRAL)  # fmt: skip
    # Refunds: one a week for five weeks: steady, not trending (and under the minimum of 3).
    for week in range(5):
        email(sam.person, f"Refund {week}", noon - timedelta(weeks=week), refunds)
    # App login: 2 messages in the span before the last week's span only.
    for n in range(2):
        email(sam.person, f"Login {n}", noon - timedelta(days=8, hours=n), login)
    rollups.refresh_pending()

    week = Filters(start=date(2026, 11, 23), end=SUNDAY)
    table = figures.topics(week)
    assert [(r["topic"], r["messages"], r["previous"], r["trending"]) for r in table.rows] == [
        ("late delivery", 5, 0, True),
        ("refunds", 1, 1, False),
    ]
    assert table.rows[0]["negative_share"] == 0.4
    assert [e["text"] for e in table.rows[0]["examples"]] == ["Late 4", "Late 3", "Late 2"]
    assert table.rows[0]["examples"][0]["author"] == "Maria Keller"
    # Over four weeks: late deliveries (5), refunds (4), app login (2).
    month = Filters(start=date(2026, 11, 2), end=SUNDAY)
    assert [(r["topic"], r["messages"]) for r in figures.topics(month).rows] == [
        ("late delivery", 5), ("refunds", 4), ("app login", 2),
    ]  # fmt: skip
    assert figures.topics(month, limit=1).rows[0]["topic"] == "late delivery"


def test_known_issues_with_their_comments_and_sentiment(maria, sam, known_issue):
    today = timezone.localdate()
    for person, sentiment in [(maria, Sentiment.NEGATIVE), (sam, Sentiment.NEGATIVE),
                              (sam, Sentiment.POSITIVE)]:  # fmt: skip
        comment = services.post_comment(known_issue, author=person.person, body_md="Any news?")
        Message.objects.filter(pk=comment.pk).update(sentiment=sentiment)
    rollups.refresh_pending()
    (row,) = figures.known_issues(Filters(start=today, end=today)).rows
    assert row["issue"] == known_issue.title and row["status"] == "Investigating"
    assert (row["messages"], row["negative"], row["neutral"], row["positive"]) == (3, 2, 0, 1)
    assert row["url"] == known_issue.get_absolute_url()
    # Open issues are listed even in a span without comments.
    (row,) = figures.known_issues(Filters(start=date(2026, 1, 1), end=date(2026, 1, 2))).rows
    assert row["messages"] == 0


def test_alerts_raised_in_the_span(db):
    def alert(moment, observed):
        return Alert.objects.create(
            metric=AlertMetric.VOLUME, window_start=moment - timedelta(hours=1),
            window_end=moment, count=40, observed=observed, baseline=10.0, spread=3.0,
            threshold=19.0, created_at=moment,
        )  # fmt: skip

    alert(datetime(2026, 11, 20, 9, tzinfo=UTC), 40.0)
    alert(datetime(2026, 11, 24, 9, tzinfo=UTC), 41.5)
    (row,) = figures.alerts(Filters(start=date(2026, 11, 23), end=SUNDAY)).rows
    assert (row["metric"], row["scope"], row["count"], row["observed"]) == (
        "Volume", "all mentions", 40, 41.5,
    )  # fmt: skip


def test_backlog_is_live_and_filtered(maria, sam, alex):
    waiting = email(maria.person, "Still waiting", datetime(2026, 11, 2, 9, tzinfo=UTC))
    email(sam.person, "Also waiting", timezone.now() - timedelta(minutes=5))
    answered = email(sam.person, "Answered", timezone.now() - timedelta(minutes=5))
    services.answer(answered, by=alex, body_md="Done")
    got = figures.backlog(Filters.last_days(30))
    assert (got["awaiting"], got["overdue"]) == (2, 1)
    assert got["oldest"] == waiting.created_at
    services.assign(waiting.conversation, to=alex, by=alex)
    mine = figures.backlog(Filters.last_days(30, agent=alex.pk))
    assert (mine["awaiting"], mine["overdue"]) == (1, 1)
    assert figures.backlog(Filters.last_days(30, channel=Channel.WEB))["awaiting"] == 0
    # Still waiting past the target counts against the share answered within target.
    rollups.refresh_pending()
    got = figures.response(Filters(start=date(2026, 11, 2), end=date(2026, 11, 2)))
    assert (got["messages"], got["waiting_overdue"], got["within_share"]) == (1, 1, 0.0)
    today = figures.response(Filters.last_days(2))  # today, or yesterday just before midnight
    assert (today["messages"], today["waiting_overdue"], today["within_share"]) == (2, 0, 1.0)


def test_volume_and_sentiment_by_day_with_zero_days(maria, sam):
    email(maria.person, "One", datetime(2026, 11, 24, 9, tzinfo=UTC), sentiment=Sentiment.POSITIVE)
    email(sam.person, "Two", datetime(2026, 11, 24, 10, tzinfo=UTC), sentiment=Sentiment.NEGATIVE)
    email(sam.person, "Three", datetime(2026, 11, 26, 10, tzinfo=UTC))
    with at(datetime(2026, 11, 26, 11, tzinfo=UTC)):
        services.post_comment(
            services.publish_post(
                author=_staff_person(), kind="article", title="Hello", body_md="Hi"
            ),
            author=maria.person, body_md="Nice post",
        )  # fmt: skip
    rollups.refresh_pending()
    f = Filters(start=date(2026, 11, 24), end=date(2026, 11, 26))
    volume = figures.volume(f)
    assert volume.columns == [("day", "Day"), ("web", "Website"), ("email", "E-mail"),
                              ("total", "Total")]  # fmt: skip
    assert [(r["web"], r["email"], r["total"]) for r in volume.rows] == [
        (0, 2, 2), (0, 0, 0), (1, 1, 2),
    ]  # fmt: skip
    sentiment = figures.sentiment(f)
    assert [(r["negative"], r["positive"], r["unscored"]) for r in sentiment.rows] == [
        (1, 1, 0), (0, 0, 0), (0, 0, 2),
    ]  # fmt: skip
    email_only = figures.volume(Filters(start=f.start, end=f.end, channel=Channel.EMAIL))
    assert [r["total"] for r in email_only.rows] == [2, 0, 1]


def _staff_person():
    from accounts.models import Person

    return Person.objects.create(display_name="Editor", is_staff_member=True)


def test_the_job_and_the_command_refresh_what_changed(maria):
    email(maria.person, "One", datetime(2026, 11, 24, 9, tzinfo=UTC))
    assert refresh_rollups.call_local() == 1  # one day recomputed
    assert not DirtyHour.objects.exists()
    assert refresh_rollups.call_local() == 0
    email(maria.person, "Two", datetime(2026, 11, 25, 9, tzinfo=UTC))
    out = _call("rollups")
    assert out == "Recomputed 1 day in" + out.split("in", 1)[1]
    with at(datetime(2026, 11, 26, 12, tzinfo=UTC)):
        out = _call("rollups", "--rebuild")
    assert out.startswith("Recomputed 3 days")  # 24, 25, 26 November
    f = Filters(start=date(2026, 11, 24), end=date(2026, 11, 25))
    assert [r["total"] for r in figures.volume(f).rows] == [1, 1]


def _call(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def test_a_steady_topic_is_not_trending_in_a_one_week_span(maria):
    steady = Topic.objects.create(number=9, name="steady", terms=["steady"])
    noon = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    for week in range(5):
        for n in range(3):
            email(maria.person, f"Steady {week} {n}", noon - timedelta(weeks=week, hours=n), steady)
    rollups.refresh_pending()
    (row,) = figures.topics(Filters(start=date(2026, 11, 23), end=SUNDAY)).rows
    assert (row["messages"], row["previous"], row["trending"]) == (3, 3, False)
