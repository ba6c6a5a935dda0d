"""The raw aggregate queries (insights/raw.py) give the rollups' answers (insights/figures.py)
for every widget and filter, on a small hand-built week; and `make bench` scenario "insights"
runs end to end on a tiny database."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role, Team
from bench import insights as bench
from community.models import Question
from conversations.models import (
    Category,
    Channel,
    Conversation,
    Kind,
    Label,
    Message,
    Moderation,
    ResponseState,
    Sentiment,
    Topic,
)
from insights import figures, raw, rollups
from insights.figures import Filters
from satisfaction.models import Survey
from tests.conftest import make_staff

WEEK = Filters(start=date(2026, 11, 2), end=date(2026, 11, 6))  # Monday to Friday


def t(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


class Week:
    """Five days of customer messages, staff replies, cases and ratings (see test data below)."""

    def __init__(self, maria, sam, newbie, alex, known_issue, outcomes):
        self.alex, self.bob = alex, make_staff("bob@example.com", "Bob D.", "Billing", Role.AGENT)
        deliveries_team = Team.objects.create(name="Deliveries")
        deliveries_team.members.add(alex)
        self.billing_team = Team.objects.create(name="Billing")
        self.billing_team.members.add(self.bob)
        self.deliveries = Category.objects.create(name="Deliveries", slug="deliveries")
        billing = Category.objects.create(name="Billing", slug="billing")
        self.urgent = Label.objects.create(name="Urgent", slug="urgent")
        self.vip = Label.objects.create(name="VIP", slug="vip")
        late, refund, login = (
            Topic.objects.create(number=n, name=name, terms=[name])
            for n, name in enumerate(["late parcel", "refund", "app login"])
        )
        self.maria, self.sam, self.newbie = maria.person, sam.person, newbie.person

        def case(kind, author, category, team, assignee, labels=(), **resolution):
            n = Conversation.objects.count()
            c = Conversation.objects.create(
                kind=kind, is_public=kind == Kind.QUESTION, title=f"Case {n}", slug=f"case-{n}",
                author=author, category=category, team=team, assignee=assignee, **resolution,
            )  # fmt: skip
            c.labels.set(labels)
            return c

        def says(c, author, at, channel, state, sentiment="", topic=None, **more):
            return Message.objects.create(
                conversation=c, author=author, body_md=f"Message at {at:%d %H:%M}",
                body_html="", channel=channel, response_state=state, sentiment=sentiment,
                topic=topic, created_at=at, updated_at=at, **more,
            )  # fmt: skip

        def answer(message, by, at, business, clock, due, *, official=True):
            reply = says(message.conversation, by, at, message.channel,
                         ResponseState.NOT_APPLICABLE, official=official)  # fmt: skip
            Message.objects.filter(pk=message.pk).update(
                response_state=ResponseState.ANSWERED, answered_by=reply, answered_at=at,
                first_response_business_seconds=business, first_response_seconds=clock, due_at=due,
            )  # fmt: skip
            return reply

        a, b = alex.person, self.bob.person
        email, web, mastodon = Channel.EMAIL, Channel.WEB, Channel.MASTODON
        awaiting, no_reply = ResponseState.AWAITING, ResponseState.NO_REPLY_NEEDED
        neg, neu, pos = Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE

        # The week before: Sam's refund, answered by Bob, resolved on Wednesday (no ratings).
        c6 = case(Kind.EMAIL, self.sam, billing, self.billing_team, self.bob,
                  resolved_at=t(4, 12), resolved_by=self.bob, outcome=outcomes["Answered"],
                  resolution_business_seconds=90_000)  # fmt: skip
        m0 = says(c6, self.sam, t(10, 10) - timedelta(days=11), email, awaiting, neg, refund)
        answer(m0, b, t(10, 11) - timedelta(days=11), 3000, 3600, t(10, 14) - timedelta(days=11))
        Survey.objects.create(conversation=c6, person=self.sam, agent=self.bob, email="s@x.test",
                              resolved_at=t(4, 12))  # no score  # fmt: skip

        # Maria's late parcel: within target, then late; conceded, rated 5.
        c1 = case(Kind.EMAIL, self.maria, self.deliveries, deliveries_team, alex,
                  [self.urgent, self.vip], resolved_at=t(3, 17), resolved_by=alex,
                  outcome=outcomes["Refunded"], resolution_business_seconds=7200)  # fmt: skip
        self.m1 = says(c1, self.maria, t(2, 9), email, awaiting, neg, late, is_opening=True)
        self.a1 = answer(self.m1, a, t(2, 9, 30), 1830, 1830, t(2, 13))
        self.m2 = says(c1, self.maria, t(3, 10), email, awaiting, pos, late)
        answer(self.m2, a, t(3, 16), 21_650, 25_000, t(3, 14))
        Survey.objects.create(conversation=c1, person=self.maria, agent=alex, email="m@x.test",
                              resolved_at=t(3, 17), score=5)  # fmt: skip

        # Sam on Mastodon about a refund: answered by Bob, a "thanks", a removed message; held,
        # rated 2.
        c2 = case(Kind.MENTION, self.sam, billing, self.billing_team, self.bob, [self.urgent],
                  resolved_at=t(4, 10), resolved_by=self.bob, outcome=outcomes["Policy upheld"],
                  resolution_business_seconds=3600)  # fmt: skip
        self.m3 = says(c2, self.sam, t(2, 12), mastodon, awaiting, neg, refund, is_opening=True)
        self.b1 = answer(self.m3, b, t(2, 12, 10), 610, 610, t(2, 16))
        says(c2, self.sam, t(5, 3), mastodon, no_reply, neu, refund)  # Wednesday evening in NY
        says(c2, self.sam, t(4, 9), mastodon, awaiting, neg, moderation=Moderation.REMOVED)
        Survey.objects.create(conversation=c2, person=self.sam, agent=self.bob, email="s@x.test",
                              resolved_at=t(4, 10), score=2)  # fmt: skip

        # Newbie's community question, answered by Sam (not staff), whose answer is accepted.
        c3 = case(Kind.QUESTION, self.newbie, None, None, None)
        m6 = says(c3, self.newbie, t(5, 9), web, awaiting, neu, login, is_opening=True)
        self.m7 = answer(m6, self.sam, t(5, 9, 20), 1250, 1250, t(5, 13), official=False)
        Message.objects.filter(pk=self.m7.pk).update(
            response_state=no_reply, sentiment=pos, topic=login
        )
        Question.objects.create(conversation=c3, accepted_answer=self.m7, accepted_at=t(5, 10))

        # Maria still waiting since Friday afternoon, past her target.
        c4 = case(Kind.EMAIL, self.maria, self.deliveries, deliveries_team, alex)
        says(c4, self.maria, t(6, 15), email, awaiting, neg, late, is_opening=True,
             due_at=t(6, 19))  # fmt: skip

        # Comments on the known issue: Sam's answered by Alex, Maria's needs no reply.
        m9 = says(known_issue, self.sam, t(5, 14), web, awaiting, neg, late)
        answer(m9, a, t(5, 14, 30), 1799, 1799, t(5, 18))
        says(known_issue, self.maria, t(6, 10), web, no_reply, "", login)
        self.known_issue = known_issue

        rollups.refresh_pending()


@pytest.fixture
def week(maria, sam, newbie, alex, known_issue, outcomes):
    return Week(maria, sam, newbie, alex, known_issue, outcomes)


def test_headline_figures_by_hand(week):
    got = raw.response(WEEK)
    assert got == figures.response(WEEK)
    # 9 customer messages (the removed one left out): 4 negative, 2 neutral, 2 positive.
    assert (got["messages"], got["negative"], got["neutral"], got["positive"]) == (9, 4, 2, 2)
    assert (got["answered"], got["no_reply"], got["answered_share"]) == (5, 3, 5 / 6)
    # Business seconds 610, 1250, 1799, 1830, 21650: the median is 1799, in the 29th minute.
    assert (got["first_response_median"], got["first_response_p90"]) == (1740, 21_600)
    assert (got["first_response_clock_median"], got["first_response_clock_p90"]) == (1740, 24_900)
    # 4 within target, 1 late, 1 still waiting past its target.
    assert (got["within_target"], got["answered_late"], got["waiting_overdue"]) == (4, 1, 1)
    assert got["within_share"] == 4 / 6
    # Cases: conceded, held, and last week's resolved on Wednesday (90,000 s, 25 hours).
    assert (got["resolved"], got["conceded"], got["held"]) == (3, 1, 1)
    assert (got["resolution_median"], got["resolution_p90"]) == (7200, 90_000)
    assert (got["rated"], got["satisfaction"]) == (2, 3.5)
    assert got["scores"] == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}


def test_tables_by_hand(week):
    volume = raw.volume(WEEK)
    assert [c for c, _ in volume.columns] == ["day", "web", "email", "mastodon", "total"]
    assert [r["total"] for r in volume.rows] == [2, 1, 0, 4, 2]
    assert volume.rows[3] == {
        "day": date(2026, 11, 5), "web": 3, "email": 0, "mastodon": 1, "total": 4,
    }  # fmt: skip
    agents = [(r["agent"], r["messages"], r["resolved"], r["rated"]) for r in raw.agents(WEEK).rows]
    assert agents == [("Alex R.", 3, 1, 1), ("Bob D.", 1, 2, 1)]
    teams = [(r["team"], r["messages"], r["resolved"], r["satisfaction"])
             for r in raw.teams(WEEK).rows]  # fmt: skip
    assert teams == [("Billing", 2, 2, 2.0), ("Deliveries", 3, 1, 5.0)]
    topics = [(r["topic"], r["messages"], r["negative_share"], r["previous"])
              for r in raw.topics(WEEK).rows]  # fmt: skip
    assert topics == [("late parcel", 4, 0.75, 0), ("app login", 3, 0.0, 0), ("refund", 2, 0.5, 1)]
    (issue,) = raw.known_issues(WEEK).rows
    assert (issue["messages"], issue["negative"], issue["positive"]) == (2, 1, 0)
    won = raw.won_back(WEEK).rows
    assert [(r["person"], r["negative"], r["answered_by"]) for r in won] == [
        ("Sam Osei", "Message at 02 12:00", "Bob D."),
        ("Maria Keller", "Message at 02 09:00", "Alex R."),
    ]
    assert [(r["person"], r["accepted"], r["helped"], r["positive"], r["score"])
            for r in raw.advocates(WEEK).rows] == [("Sam Osei", 1, 1, 1, 5),
                                                   ("Maria Keller", 0, 0, 1, 1)]  # fmt: skip
    assert [r["ratings"] for r in raw.satisfaction(WEEK).rows] == [1, 0, 0, 1, 0]


def _filter_sets(week):
    return {
        "none": WEEK,
        "email": replace(WEEK, channel=Channel.EMAIL),
        "mastodon": replace(WEEK, channel=Channel.MASTODON),
        "category": replace(WEEK, category=week.deliveries.pk),
        "label with two": replace(WEEK, label=week.vip.pk),
        "label": replace(WEEK, label=week.urgent.pk),
        "agent": replace(WEEK, agent=week.alex.pk),
        "other agent": replace(WEEK, agent=week.bob.pk),
        "team": replace(WEEK, team=week.billing_team.pk),
        "agent and category": replace(WEEK, agent=week.alex.pk, category=week.deliveries.pk),
        "label and team": replace(WEEK, label=week.urgent.pk, team=week.billing_team.pk),
        "one day": replace(WEEK, start=date(2026, 11, 5), end=date(2026, 11, 5)),
        "nothing": Filters(start=date(2026, 1, 1), end=date(2026, 1, 31)),
    }


@pytest.mark.parametrize("widget", bench.WIDGETS)
def test_every_widget_agrees_with_the_rollups_under_every_filter(week, widget):
    for name, f in _filter_sets(week).items():
        # Top topics with equal counts may come in either order (bench.same_topics).
        assert bench.same(widget, getattr(raw, widget)(f), getattr(figures, widget)(f)), name


def test_filters_narrow_the_raw_figures(week):
    sets = _filter_sets(week)
    assert raw.response(sets["email"])["messages"] == 3  # Maria's
    assert raw.response(sets["agent"])["messages"] == 3  # those Alex answered
    assert raw.response(sets["label with two"])["messages"] == 2
    assert raw.response(sets["label and team"])["resolved"] == 1
    assert raw.response(sets["nothing"])["messages"] == 0


def test_local_days_follow_the_time_zone(week):
    with timezone.override("America/New_York"):
        rollups.rebuild()
        for widget in ("volume", "sentiment", "topics", "won_back", "advocates", "response"):
            assert getattr(raw, widget)(WEEK) == getattr(figures, widget)(WEEK), widget
        # Sam's "thanks" at 03:00 UTC on Thursday was written on Wednesday evening in New York.
        assert [r["total"] for r in raw.volume(WEEK).rows] == [2, 1, 1, 3, 2]


def test_the_insights_scenario_runs_and_reports(tmp_path):
    args = argparse.Namespace(
        insights_messages=2000, insights_rounds=2, insights_raw_rounds=1, insights_dir=tmp_path
    )
    results = bench.run(args)
    assert results["built_now"] is True
    assert results["data"]["messages"] == 2000
    assert results["data"]["staff_replies"] > 1000
    assert results["errors"] == []
    assert len(results["cells"]) == len(bench.WIDGETS) * 5
    for cell in results["cells"].values():
        assert cell["same"], cell
        assert (cell["rollups"]["n"], cell["raw"]["n"]) == (2, 1)
        assert 0 < cell["rollups"]["p50_ms"] <= cell["rollups"]["p95_ms"]
    arrivals = results["arrivals"]
    assert (arrivals["counted"], arrivals["counted_single"]) == (1000, 10)
    assert arrivals["days_refreshed"] == [results["data"]["end_day"]]
    assert arrivals["restored"] and arrivals["raw_agrees"]
    assert set(results["goals"]) == {"rollups_p95_ms", "ratio", "same_results"}
    assert results["goals"]["same_results"]["met"]
    text = bench.report(results)
    assert "Insights: 2,000 customer messages" in text
    assert text.count("PASS") + text.count("MISS") == 2 * len(results["cells"])
    assert "the same answers on both paths for 55 of 55" in text

    again = bench.run(args)  # the database is kept and reused, the arrivals gone again
    assert again["built_now"] is False and again["rollups_rebuilt_now"] is False
    assert again["data"] == results["data"]
    assert again["errors"] == []


def test_top_topics_compare_up_to_the_order_of_ties():
    def table(*rows):
        return figures.Table("topics", "Top topics", [("topic", "Topic")],
                             [{"topic_id": pk, "messages": n} for pk, n in rows])  # fmt: skip

    ours = table((1, 5), (2, 3), (3, 3))
    assert bench.same_topics(ours, table((1, 5), (3, 3), (2, 3)))
    assert not bench.same_topics(ours, table((2, 5), (1, 3), (3, 3)))
    assert not bench.same_topics(ours, table((1, 5), (2, 3)))
    # Where the limit cuts through a tie, any of the tied may fill the last places.
    assert bench.same_topics(table((1, 5), (2, 3)), table((1, 5), (9, 3)))
    assert not bench.same_topics(table((1, 5), (2, 3)), table((1, 5), (9, 2)))
