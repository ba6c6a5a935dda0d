"""Daily rollups against hand-computed figures: local days, business hours, percentiles,
and rollups that follow every change (triggers mark the hours, a refresh recomputes)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from community import services as community
from conversations import cases, services
from conversations.models import (
    Category,
    Channel,
    Conversation,
    Kind,
    Message,
    Moderation,
    Sentiment,
)
from insights import figures, rollups
from insights.apps import restore_triggers
from insights.figures import Filters
from insights.models import DirtyHour, PersonDay, Rollup, WonBack
from satisfaction import services as satisfaction
from tests.conftest import _visible_topic

FRIDAY_4PM = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # office hours Mon-Fri 09-17 UTC
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TUESDAY_10AM = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
NOVEMBER = Filters(start=date(2026, 11, 1), end=date(2026, 11, 30))
WEEK = Filters(start=date(2026, 11, 23), end=date(2026, 12, 6))


def at(moment):
    return time_machine.travel(moment, tick=False)


def email(person, title, body, moment, channel=Channel.EMAIL):
    with at(moment):
        return services.receive_private_message(
            conversation=None, author=person, title=title, body_md=body, channel=channel
        )


def score(message, sentiment):
    # A bulk update, as the scorer makes: the triggers see it all the same.
    Message.objects.filter(pk=message.pk).update(sentiment=sentiment)


@pytest.fixture
def billing(db):
    return Category.objects.create(name="Billing", slug="billing")


# -- buckets and percentiles ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, 0), (59, 0), (61, 60), (7199, 7140), (7200, 7200), (7499, 7200), (28_799, 28_500),
        (28_800, 28_800), (30_000, 28_800), (259_199, 257_400), (259_200, 259_200),
        (400_000, 345_600), (-5, 0),
    ],
)  # fmt: skip
def test_buckets_are_minutes_then_five_minutes_then_half_hours_then_days(seconds, expected):
    assert rollups.bucket(seconds) == expected


def test_percentiles_are_nearest_rank():
    # Ten values 60..600 s: median = 5th = 300, 90th percentile = 9th = 540.
    histogram = {str(60 * n): 1 for n in range(1, 11)}
    assert rollups.percentile(histogram, 0.5) == 300
    assert rollups.percentile(histogram, 0.9) == 540
    assert rollups.percentile({"120": 3, "60": 1}, 0.5) == 120  # keys sorted as numbers
    assert rollups.percentile({}, 0.5) is None
    assert rollups.merge([{"60": 1}, {"60": 2, "120": 1}]) == {60: 3, 120: 1}
    # As stored: (value, count) pairs in bytes, summed together with any dicts.
    stored = rollups.encode({120: 2, 60: 1, 300: 0})
    assert len(stored) == 16 and rollups.decode(stored) == {60: 1, 120: 2}
    assert rollups.merge([stored, memoryview(stored), {"60": 1}, b""]) == {60: 3, 120: 4}
    assert rollups.encode({}) == b"" and rollups.decode(b"") == {}


# -- local days -----------------------------------------------------------------------------


def test_local_days_follow_the_time_zone_and_its_clock_changes(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    start, end = rollups.day_bounds(date(2026, 7, 1))
    assert (start, end) == (
        datetime(2026, 6, 30, 22, 0, tzinfo=UTC),
        datetime(2026, 7, 1, 22, 0, tzinfo=UTC),
    )
    start, end = rollups.day_bounds(date(2026, 10, 25))  # clocks go back: 25 hours
    assert end - start == timedelta(hours=25)
    start, end = rollups.day_bounds(date(2026, 3, 29))  # clocks go forward: 23 hours
    assert end - start == timedelta(hours=23)
    # 22:00 UTC on 1 July is 00:00 on 2 July in Berlin: the hour touches one local day.
    assert rollups.days_of_hour("2026-07-01 22") == {date(2026, 7, 2)}
    settings.TIME_ZONE = "Asia/Kolkata"  # UTC+5:30: one UTC hour spans two local days
    assert rollups.days_of_hour("2026-07-01 18") == {date(2026, 7, 1), date(2026, 7, 2)}


def test_a_message_counts_on_its_local_day(settings, maria):
    settings.TIME_ZONE = "Europe/Berlin"
    email(maria.person, "Late", "Still no parcel", datetime(2026, 11, 9, 23, 30, tzinfo=UTC))
    rollups.refresh_pending()
    table = figures.volume(Filters(start=date(2026, 11, 9), end=date(2026, 11, 10)))
    assert [(r["day"], r["total"]) for r in table.rows] == [
        (date(2026, 11, 9), 0),
        (date(2026, 11, 10), 1),  # 00:30 in Berlin
    ]
    settings.TIME_ZONE = "UTC"
    rollups.rebuild()
    table = figures.volume(Filters(start=date(2026, 11, 9), end=date(2026, 11, 10)))
    assert [r["total"] for r in table.rows] == [1, 0]


# -- response times in business hours -------------------------------------------------------


def test_first_response_in_business_hours_and_share_within_target(maria, sam, alex):
    # Friday 16:00, normal priority: 8 business hours, due Monday 16:00.
    on_time = email(maria.person, "Refund", "Where is my refund?", FRIDAY_4PM)
    late = email(sam.person, "Parcel", "Where is my parcel?", FRIDAY_4PM)
    third = email(sam.person, "Invoice", "Wrong invoice", FRIDAY_4PM)
    with at(MONDAY_10AM):  # 1 h on Friday + 1 h on Monday = 7,200 business seconds
        services.answer(on_time, by=alex, body_md="Sent today.")
    with at(TUESDAY_10AM):  # 1 + 8 + 1 = 10 h = 36,000 s; past Monday 16:00
        services.answer(late, by=alex, body_md="Found it.")
    with at(TUESDAY_10AM):
        services.mark_no_reply_needed(third, by=alex, reason="Duplicate")
    rollups.refresh_pending()

    f = Filters(start=date(2026, 11, 27), end=date(2026, 11, 27))
    got = figures.response(f)
    assert got["messages"] == 3
    assert got["answered"] == 2 and got["no_reply"] == 1
    assert got["answered_share"] == 1.0  # both messages that needed an answer got one
    # Nearest rank of [7200, 36000]: median = 1st = 7200; p90 = 2nd = 36000 (bucket 36000).
    assert got["first_response_median"] == 7200
    assert got["first_response_p90"] == 36_000
    # Wall clock, weekend included: 66 h (bucket 66 h) and 90 h (bucket: 3 days and more).
    assert got["first_response_clock_median"] == 66 * 3600
    assert got["first_response_clock_p90"] == 3 * 86400
    assert (got["within_target"], got["answered_late"]) == (1, 1)
    assert got["within_share"] == 0.5
    # The agent who answered is credited; the per-channel table agrees.
    (row,) = figures.agents(f).rows
    assert (row["agent"], row["answered"], row["first_response_median"]) == ("Alex R.", 2, 7200)
    (row,) = figures.response_by_channel(f).rows
    assert (row["channel"], row["messages"], row["within_share"]) == ("E-mail", 3, 0.5)


def test_resolution_time_outcomes_and_ratings(maria, alex, outcomes):
    message = email(maria.person, "Broken", "The lid is broken", FRIDAY_4PM)
    with at(MONDAY_10AM):  # 2 business hours after it opened
        cases.resolve(message.conversation, by=alex, outcome=outcomes["Replaced"])
    survey = message.conversation.surveys.get()
    with at(MONDAY_10AM + timedelta(hours=1)):
        satisfaction.rate(survey.token, 4)
    rollups.refresh_pending()

    got = figures.response(Filters(start=date(2026, 11, 30), end=date(2026, 11, 30)))
    assert (got["resolved"], got["conceded"], got["held"]) == (1, 1, 0)
    assert got["resolution_median"] == 7200
    assert (got["rated"], got["satisfaction"]) == (1, 4.0)
    assert got["scores"] == {1: 0, 2: 0, 3: 0, 4: 1, 5: 0}
    # The message itself counts on Friday, the resolution and rating on Monday.
    assert (
        figures.response(Filters(start=date(2026, 11, 27), end=date(2026, 11, 27)))["resolved"] == 0
    )
    (row,) = figures.agents(Filters(start=date(2026, 11, 30), end=date(2026, 11, 30))).rows
    assert (row["resolved"], row["rated"], row["satisfaction"]) == (1, 1, 4.0)
    satisfaction.rate(survey.token, 2)  # a changed score moves the figures
    rollups.refresh_pending()
    got = figures.response(Filters(start=date(2026, 11, 30), end=date(2026, 11, 30)))
    assert got["satisfaction"] == 2.0


# -- rollups follow changes -----------------------------------------------------------------


def test_rollups_follow_answers_rescoring_categories_and_labels(maria, alex, billing):
    message = email(maria.person, "Refund", "Where is my refund?", FRIDAY_4PM)
    assert DirtyHour.objects.filter(hour="2026-11-27 16").exists()
    rollups.refresh_pending()
    assert not DirtyHour.objects.exists()
    f = Filters(start=date(2026, 11, 27), end=date(2026, 11, 27))
    assert figures.response(f)["answered"] == 0

    with at(MONDAY_10AM):
        services.answer(message, by=alex, body_md="Sent today.")
    score(message, Sentiment.NEGATIVE)
    rollups.refresh_pending()
    got = figures.response(f)
    assert (got["answered"], got["negative"]) == (1, 1)

    # Moving the conversation to a category moves its messages in the category figures.
    conversation = message.conversation
    Conversation.objects.filter(pk=conversation.pk).update(category=billing)
    conversation.labels.add(*services.labels_from_names(["Refunds"]))
    rollups.refresh_pending()
    assert figures.response(Filters(**{**f.__dict__, "category": billing.pk}))["messages"] == 1
    refunds = conversation.labels.get().pk
    assert figures.response(Filters(**{**f.__dict__, "label": refunds}))["messages"] == 1
    other = Category.objects.create(name="Deliveries", slug="deliveries")
    assert figures.response(Filters(**{**f.__dict__, "category": other.pk}))["messages"] == 0

    conversation.labels.clear()
    Message.objects.filter(pk=message.pk).delete()
    rollups.refresh_pending()
    assert figures.response(f)["messages"] == 0
    assert figures.response(Filters(**{**f.__dict__, "label": refunds}))["messages"] == 0


def test_a_refresh_keeps_marks_made_while_it_ran(maria, monkeypatch):
    email(maria.person, "One", "First", FRIDAY_4PM)
    real = rollups.refresh_day

    def refresh_and_meanwhile_a_message_arrives(day):
        real(day)
        if not Message.objects.filter(body_md="Second").exists():
            email(maria.person, "Two", "Second", FRIDAY_4PM)

    monkeypatch.setattr(rollups, "refresh_day", refresh_and_meanwhile_a_message_arrives)
    assert rollups.refresh_pending() == [date(2026, 11, 27)]
    assert DirtyHour.objects.count() == 1  # the second message's mark waits
    monkeypatch.setattr(rollups, "refresh_day", real)
    rollups.refresh_pending()
    assert (
        figures.response(Filters(start=date(2026, 11, 27), end=date(2026, 11, 27)))["messages"] == 2
    )


def test_filters_without_a_stored_grain_compute_the_same_figures(maria, sam, alex, billing):
    from accounts.models import Team

    team = Team.objects.create(name="Care")
    first = email(maria.person, "A", "First", FRIDAY_4PM)
    second = email(sam.person, "B", "Second", FRIDAY_4PM, channel=Channel.WEB)
    Conversation.objects.filter(pk__in=[first.conversation_id, second.conversation_id]).update(
        category=billing, team=team
    )
    with at(MONDAY_10AM):
        services.answer(first, by=alex, body_md="Done.")
    rollups.refresh_pending()
    # team + category is no stored grain: computed from the raw tables.
    f = Filters(start=date(2026, 11, 27), end=date(2026, 11, 27), category=billing.pk, team=team.pk)
    assert rollups.grain_name(f.dims) not in rollups.GRAINS
    got = figures.response(f)
    assert (got["messages"], got["answered"], got["first_response_median"]) == (2, 1, 7200)
    stored = figures.response(Filters(start=f.start, end=f.end, team=team.pk))
    assert {k: stored[k] for k in got} == got
    only_web = figures.response(Filters(**{**f.__dict__, "channel": Channel.WEB}))
    assert only_web["messages"] == 1


def test_rebuild_matches_the_incremental_rollups(maria, sam, alex, outcomes):
    a = email(maria.person, "A", "First", FRIDAY_4PM)
    email(sam.person, "B", "Second", FRIDAY_4PM + timedelta(hours=1))
    with at(MONDAY_10AM):
        services.answer(a, by=alex, body_md="Done.")
        cases.resolve(a.conversation, by=alex, outcome=outcomes["Answered"])
    rollups.refresh_pending()

    def snapshot():
        fields = [f.name for f in Rollup._meta.fields if f.name != "id"]
        return sorted(tuple(str(v) for v in row) for row in Rollup.objects.values_list(*fields))

    incremental = snapshot()
    with at(TUESDAY_10AM):
        assert rollups.rebuild() == 5  # Friday to Tuesday
    assert snapshot() == incremental


def test_triggers_come_back_after_a_migration_drops_them(maria):
    if connection.vendor != "sqlite":
        assert restore_triggers() == []  # PostgreSQL keeps triggers through ALTER TABLE
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER insights_message_insert")
    email(maria.person, "Unseen", "Not marked", FRIDAY_4PM)
    assert not DirtyHour.objects.exists()
    assert restore_triggers() == ["insights_message_insert"]
    assert DirtyHour.objects.filter(hour="2026-11-27 16").exists()  # everything re-marked
    rollups.refresh_pending()
    assert (
        figures.response(Filters(start=date(2026, 11, 27), end=date(2026, 11, 27)))["messages"] == 1
    )


# -- won back and advocates -----------------------------------------------------------------


def test_a_customer_is_won_back_when_an_answer_turns_them_positive(maria, sam, alex):
    unhappy = email(maria.person, "Late", "Third time late, I am furious", FRIDAY_4PM)
    score(unhappy, Sentiment.NEGATIVE)
    early = email(sam.person, "Late", "Useless", FRIDAY_4PM)
    score(early, Sentiment.NEGATIVE)
    with at(FRIDAY_4PM + timedelta(minutes=30)):
        # Sam cheers up before anyone answered: not won back by an answer.
        cheer = services.receive_private_message(
            conversation=early.conversation, author=sam.person, title="", body_md="Oh it came!",
            channel=Channel.EMAIL,
        )  # fmt: skip
    score(cheer, Sentiment.POSITIVE)
    with at(MONDAY_10AM):
        reply = services.answer(unhappy, by=alex, body_md="So sorry: a new box is on its way.")
        services.answer(early, by=alex, body_md="Glad it arrived.")
    with at(MONDAY_10AM + timedelta(hours=2)):
        meh = services.receive_private_message(
            conversation=unhappy.conversation, author=maria.person, title="", body_md="ok",
            channel=Channel.EMAIL,
        )  # fmt: skip
    score(meh, Sentiment.NEUTRAL)  # neutral messages in between do not count
    with at(TUESDAY_10AM):
        happy = services.receive_private_message(
            conversation=unhappy.conversation, author=maria.person, title="",
            body_md="It came and it is perfect, thank you!", channel=Channel.EMAIL,
        )  # fmt: skip
    score(happy, Sentiment.POSITIVE)
    rollups.refresh_pending()

    won = WonBack.objects.get()
    assert (won.person, won.negative_message, won.answer_message, won.positive_message) == (
        maria.person.pk, unhappy.pk, reply.pk, happy.pk,
    )  # fmt: skip
    assert won.day == date(2026, 12, 1)
    (row,) = figures.won_back(WEEK).rows
    assert row["person"] == "Maria Keller" and row["answered_by"] == "Alex R."
    assert row["negative"].startswith("Third time late") and row["positive"].startswith("It came")
    assert figures.won_back(NOVEMBER).rows == []  # the positive message was in December
    # An agent's own view: the customers their answers won back.
    assert won.agent == alex.pk
    assert len(figures.won_back(Filters(start=WEEK.start, end=WEEK.end, agent=alex.pk)).rows) == 1
    assert figures.won_back(Filters(start=WEEK.start, end=WEEK.end, agent=sam.pk)).rows == []


def test_advocates_are_counted_from_accepted_answers_help_and_praise(maria, sam, mona):
    with at(FRIDAY_4PM):
        question = _visible_topic(
            Kind.QUESTION, maria, "How do I pause deliveries?", "I am away for two weeks."
        )
    with at(FRIDAY_4PM + timedelta(minutes=5)):
        answer = services.post_comment(
            question, author=sam.person, body_md="Account, then Deliveries, then Pause."
        )
        if answer.moderation == Moderation.HELD:  # a new member's first post
            services.approve(answer, by=mona)
        services.post_comment(question, author=maria.person, body_md="Where is Account?")
    score(answer, Sentiment.POSITIVE)
    with at(FRIDAY_4PM + timedelta(minutes=10)):
        community.accept_answer(question, answer, by=maria)
    rollups.refresh_pending()

    day = PersonDay.objects.get(person=sam.person.pk)
    assert (day.accepted, day.helped, day.positive) == (1, 1, 1)
    # Maria's own reply in her own question is not helping others.
    assert not PersonDay.objects.filter(person=maria.person.pk).exists()
    (row,) = figures.advocates(WEEK).rows
    assert (row["person"], row["accepted"], row["helped"], row["positive"], row["score"]) == (
        "Sam Osei", 1, 1, 1, 5,
    )  # fmt: skip
    community.unaccept_answer(question, by=maria)
    rollups.refresh_pending()
    assert PersonDay.objects.get(person=sam.person.pk).accepted == 0


# -- topics, known issues, filters ----------------------------------------------------------


def test_filters_reject_bad_spans():
    with pytest.raises(ValueError, match="before the start"):
        Filters(start=date(2026, 11, 2), end=date(2026, 11, 1))
    with pytest.raises(ValueError, match="at most"):
        Filters(start=date(2025, 1, 1), end=date(2026, 11, 1))
    with pytest.raises(ValueError, match="Unknown channel"):
        Filters(start=date(2026, 11, 1), end=date(2026, 11, 1), channel="fax")
    assert Filters.last_days(7, today=date(2026, 11, 30)).start == date(2026, 11, 24)
    assert NOVEMBER.previous() == Filters(start=date(2026, 10, 2), end=date(2026, 10, 31))
    assert Filters.month_to_date(today=date(2026, 11, 17)).start == date(2026, 11, 1)
