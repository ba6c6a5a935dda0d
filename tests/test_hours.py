"""Business hours: hand-counted cases, both DST changes, parsing errors, and properties."""

import random
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from inbox import hours
from inbox.hours import END_OF_DAY, Schedule

LONDON = "Europe/London"
NEW_YORK = "America/New_York"
HOUR = 3600
OFFICE = "mon-fri 09:00-17:00"


def local(zone, *parts, fold=0):
    return datetime(*parts, tzinfo=ZoneInfo(zone), fold=fold)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def same_instant_and_wall(actual, expected):
    """Aware datetimes with one tzinfo compare by wall clock only; check the instant too."""
    return (
        actual.replace(tzinfo=None) == expected.replace(tzinfo=None)
        and actual.utcoffset() == expected.utcoffset()
        and actual.tzinfo is expected.tzinfo
    )


# Hand-computed cases (UTC unless said otherwise). 2026-01-09 is a Friday.


def test_friday_afternoon_plus_two_hours_is_monday_ten():
    office = Schedule()
    assert office.add(utc(2026, 1, 9, 16), 2 * HOUR) == utc(2026, 1, 12, 10)
    assert office.between(utc(2026, 1, 9, 16), utc(2026, 1, 12, 10)) == 2 * HOUR


def test_using_up_the_day_lands_on_closing_time_not_the_next_opening():
    office = Schedule()
    assert office.add(utc(2026, 1, 9, 16), HOUR) == utc(2026, 1, 9, 17)
    assert not office.is_open(utc(2026, 1, 9, 17))
    assert office.next_open(utc(2026, 1, 9, 17)) == utc(2026, 1, 12, 9)


def test_counting_from_saturday_starts_on_monday_morning():
    office = Schedule()
    saturday = utc(2026, 1, 10, 11, 30)
    assert not office.is_open(saturday)
    assert office.next_open(saturday) == utc(2026, 1, 12, 9)
    assert office.add(saturday, 0) == utc(2026, 1, 12, 9)
    assert office.add(saturday, 90 * 60) == utc(2026, 1, 12, 10, 30)


def test_inside_hours_next_open_and_zero_are_the_moment_itself():
    office = Schedule()
    moment = utc(2026, 1, 12, 9)
    assert office.is_open(moment)
    assert office.next_open(moment) is moment
    assert office.add(moment, 0) == moment
    assert not office.is_open(moment - timedelta(microseconds=1))


def test_a_holiday_monday_is_skipped():
    # 2026-05-04 is the UK early May bank holiday, a Monday.
    office = Schedule.from_spec(OFFICE, LONDON, holidays=["2026-05-04"])
    friday = local(LONDON, 2026, 5, 1, 16)
    assert not office.is_open(local(LONDON, 2026, 5, 4, 10))
    assert office.next_open(local(LONDON, 2026, 5, 2, 12)) == local(LONDON, 2026, 5, 5, 9)
    assert office.add(friday, 2 * HOUR) == local(LONDON, 2026, 5, 5, 10)


def test_split_days_pause_for_lunch():
    office = Schedule.from_spec("mon-fri 08:00-12:00,13:00-17:00")
    monday = utc(2026, 1, 12, 11)
    assert office.add(monday, HOUR) == utc(2026, 1, 12, 12)
    assert office.add(monday, 2 * HOUR) == utc(2026, 1, 12, 14)
    assert not office.is_open(utc(2026, 1, 12, 12, 30))
    assert office.next_open(utc(2026, 1, 12, 12)) == utc(2026, 1, 12, 13)
    assert office.between(monday, utc(2026, 1, 12, 14)) == 2 * HOUR
    # Full day: 8 hours, not 9.
    assert office.between(utc(2026, 1, 12), utc(2026, 1, 13)) == 8 * HOUR


def test_24_7_is_plain_clock_time():
    always = Schedule.from_spec("24/7")
    start = utc(2026, 1, 10, 3, 17, 5)
    assert always.is_open(start)
    assert always.add(start, 1_000_000.5) == start + timedelta(seconds=1_000_000.5)
    assert always.between(start, start + timedelta(days=40)) == 40 * 24 * HOUR


def test_24_7_honours_holidays_only_when_given():
    always = Schedule.from_spec("24/7", holidays=[date(2026, 12, 25)])
    assert not always.is_open(utc(2026, 12, 25, 12))
    assert always.next_open(utc(2026, 12, 25, 12)) == utc(2026, 12, 26)
    assert always.between(utc(2026, 12, 24), utc(2026, 12, 27)) == 48 * HOUR


def test_between_across_a_weekend_and_a_holiday_matches_the_hand_count():
    shop = Schedule.from_spec("mon-fri 09:00-17:00; sat 10:00-14:00", LONDON, ["2026-05-04"])
    start = local(LONDON, 2026, 4, 30, 15)  # Thursday
    end = local(LONDON, 2026, 5, 5, 11)  # Tuesday, after the bank holiday
    # Thu 2 h + Fri 8 h + Sat 4 h + Sun 0 + Mon (holiday) 0 + Tue 2 h.
    assert shop.between(start, end) == 16 * HOUR
    assert shop.add(start, 16 * HOUR) == end
    assert shop.between(end, start) == 0.0
    assert shop.between(start, start) == 0.0


def test_moments_in_other_zones_are_converted_and_answered_in_their_own_tzinfo():
    office = Schedule.from_spec(OFFICE, NEW_YORK)
    # Friday 2026-01-09 16:00 in New York is 21:00 UTC and 22:00 in Paris.
    paris = timezone(timedelta(hours=1))
    due = office.add(datetime(2026, 1, 9, 22, tzinfo=paris), 2 * HOUR)
    assert due.tzinfo is paris
    assert due == datetime(2026, 1, 12, 16, tzinfo=paris)  # Monday 10:00 in New York


# Daylight saving time. UK: 2026-03-29 01:00 GMT -> 02:00 BST, 2026-10-25 02:00 BST -> 01:00 GMT.


def test_london_office_across_spring_forward():
    office = Schedule.from_spec(OFFICE, LONDON)
    friday = local(LONDON, 2026, 3, 27, 16)
    # 1 h on Friday, 3 h on Monday: 12:00, now in BST. Friday 16:00 + 2 h is Monday 10:00.
    assert same_instant_and_wall(office.add(friday, 4 * HOUR), local(LONDON, 2026, 3, 30, 12))
    assert office.add(friday, 4 * HOUR) == utc(2026, 3, 30, 11)
    assert same_instant_and_wall(office.add(friday, 2 * HOUR), local(LONDON, 2026, 3, 30, 10))
    assert office.between(friday, local(LONDON, 2026, 3, 30, 12)) == 4 * HOUR


def test_london_office_across_fall_back():
    office = Schedule.from_spec(OFFICE, LONDON)
    friday = local(LONDON, 2026, 10, 23, 16)
    assert same_instant_and_wall(office.add(friday, 4 * HOUR), local(LONDON, 2026, 10, 26, 12))
    assert office.add(friday, 4 * HOUR) == utc(2026, 10, 26, 12)


def test_a_nine_to_five_day_is_eight_hours_on_both_change_days():
    sundays = Schedule.from_spec("sun 09:00-17:00", LONDON)
    spring = local(LONDON, 2026, 3, 29)
    autumn = local(LONDON, 2026, 10, 25)
    for sunday in (spring, autumn):
        assert sundays.between(sunday, sunday + timedelta(days=1)) == 8 * HOUR


def test_24_7_counts_23_and_25_real_hours_on_the_change_days():
    always = Schedule.from_spec("24/7", LONDON)
    assert always.between(local(LONDON, 2026, 3, 29), local(LONDON, 2026, 3, 30)) == 23 * HOUR
    assert always.between(local(LONDON, 2026, 10, 25), local(LONDON, 2026, 10, 26)) == 25 * HOUR
    # Same answer with a whole Sunday as the only opening.
    sundays = Schedule.from_spec("sun 00:00-24:00", LONDON)
    week = (local(LONDON, 2026, 3, 23), local(LONDON, 2026, 3, 30))
    assert sundays.between(*week) == 23 * HOUR


def test_boundaries_in_the_skipped_hour_happen_at_the_jump():
    # 00:30-01:30 and 01:30-03:00 on the night 01:00 GMT became 02:00 BST.
    night = Schedule.from_spec("sun 00:30-01:30,01:30-03:00", LONDON)
    jump = utc(2026, 3, 29, 1)
    assert night.is_open(jump - timedelta(microseconds=1))
    assert night.is_open(jump)
    assert not night.is_open(utc(2026, 3, 29, 2))  # 03:00 BST
    # 2.5 wall-clock hours minus the hour that never happened: nothing lost, nothing twice.
    assert night.between(utc(2026, 3, 28), utc(2026, 3, 30)) == 1.5 * HOUR
    assert night.add(utc(2026, 3, 29), 30 * 60) == jump
    assert night.add(utc(2026, 3, 29), 45 * 60) == utc(2026, 3, 29, 1, 15)
    # An interval lying wholly in the skipped hour is empty that night.
    skipped = Schedule.from_spec("sun 01:10-01:50; mon 09:00-10:00", LONDON)
    assert skipped.next_open(utc(2026, 3, 29)) == utc(2026, 3, 30, 8)
    assert skipped.next_open(utc(2026, 3, 22)) == utc(2026, 3, 22, 1, 10)


def test_boundaries_in_the_repeated_hour_use_its_first_occurrence():
    # 00:30-01:30 and 01:30-03:00 on the night 02:00 BST became 01:00 GMT.
    night = Schedule.from_spec("sun 00:30-01:30,01:30-03:00", LONDON)
    first_0115 = local(LONDON, 2026, 10, 25, 1, 15, fold=0)  # 00:15 UTC
    second_0115 = local(LONDON, 2026, 10, 25, 1, 15, fold=1)  # 01:15 UTC
    assert night.is_open(first_0115)
    assert night.is_open(second_0115)  # the shop opened at 01:30 BST and has not closed
    # 2.5 wall-clock hours plus the repeated hour.
    assert night.between(utc(2026, 10, 24), utc(2026, 10, 26)) == 3.5 * HOUR
    assert night.add(local(LONDON, 2026, 10, 25), 3.5 * HOUR) == utc(2026, 10, 25, 3)


def test_a_result_inside_the_repeated_hour_carries_the_right_fold():
    always = Schedule.from_spec("24/7", LONDON)
    due = always.add(local(LONDON, 2026, 10, 25, 0, 30), 90 * 60)
    # A fold=1 time never equals a moment in another zone (PEP 495), so compare in UTC.
    assert due.astimezone(UTC) == utc(2026, 10, 25, 1)
    assert (due.hour, due.minute, due.fold, due.utcoffset()) == (1, 0, 1, timedelta(0))


def test_new_york_across_both_changes():
    office = Schedule.from_spec(OFFICE, NEW_YORK)
    # 2026-03-08 02:00 EST -> 03:00 EDT; Friday 15:00 + 3 h -> Monday 10:00 EDT.
    due = office.add(local(NEW_YORK, 2026, 3, 6, 15), 3 * HOUR)
    assert same_instant_and_wall(due, local(NEW_YORK, 2026, 3, 9, 10))
    # The same start given in UTC is answered in UTC.
    assert office.add(utc(2026, 3, 6, 20), 3 * HOUR) == utc(2026, 3, 9, 14)
    # 2026-11-01 02:00 EDT -> 01:00 EST.
    due = office.add(local(NEW_YORK, 2026, 10, 30, 16), 2 * HOUR)
    assert same_instant_and_wall(due, local(NEW_YORK, 2026, 11, 2, 10))
    assert office.add(utc(2026, 10, 30, 20), 2 * HOUR) == utc(2026, 11, 2, 15)
    always = Schedule.from_spec("24/7", NEW_YORK)
    days = (local(NEW_YORK, 2026, 11, 1), local(NEW_YORK, 2026, 11, 2))
    assert always.between(*days) == 25 * HOUR


def test_a_local_day_that_never_happened_is_closed():
    # Samoa skipped Friday 2011-12-30 when it crossed the date line.
    always = Schedule.from_spec("24/7", "Pacific/Apia")
    thursday = local("Pacific/Apia", 2011, 12, 29)
    saturday = local("Pacific/Apia", 2011, 12, 31)
    assert always.between(thursday, saturday) == 24 * HOUR
    assert always.add(thursday, 24 * HOUR) == saturday


# Properties, deterministic.

PROPERTY_CASES = [
    (Schedule(), [date(2026, 1, 9)]),
    (
        Schedule.from_spec(
            "mon-fri 08:00-12:00,13:00-17:30; sat 10:00-14:00", LONDON, ["2026-04-03"]
        ),
        [date(2026, 3, 29), date(2026, 10, 25)],
    ),
    (
        Schedule.from_spec("sun 00:30-01:30,01:30-03:00; wed 09:00-10:00", LONDON),
        [date(2026, 3, 29), date(2026, 10, 25)],
    ),
    (Schedule.from_spec("mon-sat 07:00-19:00", NEW_YORK), [date(2026, 3, 8), date(2026, 11, 1)]),
    (Schedule.from_spec("24/7", NEW_YORK, ["2026-07-04"]), [date(2026, 3, 8), date(2026, 7, 4)]),
    # Santiago changes its clocks at midnight: back into the previous date in April.
    (
        Schedule.from_spec("mon-sun 00:00-01:00,23:00-24:00; wed 09:00-17:00", "America/Santiago"),
        [date(2026, 4, 5), date(2026, 9, 6)],
    ),
]


def random_starts(rng, schedule, anchors, count):
    """Moments spread over a few days either side of each anchor (a DST change or a
    holiday), half of them at odd microseconds, some exactly on boundaries."""
    zone = ZoneInfo(schedule.timezone)
    for _ in range(count):
        anchor = datetime.combine(rng.choice(anchors), time(), zone)
        moment = anchor.astimezone(UTC) + timedelta(minutes=rng.randrange(-4 * 1440, 4 * 1440))
        if rng.random() < 0.5:
            moment += timedelta(microseconds=rng.randrange(60_000_000))
        yield moment.astimezone(rng.choice([UTC, zone]))


@pytest.mark.parametrize(("schedule", "anchors"), PROPERTY_CASES)
def test_add_and_between_are_inverse(schedule, anchors):
    rng = random.Random(20260327)
    for start in random_starts(rng, schedule, anchors, 60):
        seconds = rng.choice(
            [0, 1, 30 * 60, HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR, rng.randrange(60 * HOUR)]
        )
        if rng.random() < 0.3:
            seconds += rng.randrange(1_000_000) / 1_000_000
        due = schedule.add(start, seconds)
        assert due.tzinfo is start.tzinfo
        assert schedule.between(start, due) == pytest.approx(seconds, abs=1e-6)
        # Arithmetic on aware datetimes in one zone is wall-clock arithmetic: use UTC.
        due = due.astimezone(UTC)
        if seconds:
            # The earliest such moment: open just before it, not enough time a tick earlier.
            tick = timedelta(microseconds=1)
            assert schedule.is_open(due - tick)
            assert schedule.between(start, due - tick) < seconds
        else:
            assert due == schedule.next_open(start).astimezone(UTC)
            assert schedule.is_open(due)
        # between is additive over any split point.
        middle = start.astimezone(UTC) + (due - start.astimezone(UTC)) * rng.random()
        assert schedule.between(start, middle) + schedule.between(middle, due) == pytest.approx(
            seconds, abs=1e-5
        )


@pytest.mark.parametrize(("schedule", "anchors"), PROPERTY_CASES)
def test_is_open_agrees_with_between_and_next_open(schedule, anchors):
    rng = random.Random(7)
    tick = timedelta(microseconds=1)
    for moment in random_starts(rng, schedule, anchors, 120):
        is_open = schedule.is_open(moment)
        after = moment.astimezone(UTC) + tick
        assert is_open == (schedule.between(moment, after) > 0)
        assert is_open == (schedule.next_open(moment) == moment)


def wall_clock_minutes(schedule, start, end):
    """Reference count: walk UTC minute by minute and look at the local clock."""
    zone = ZoneInfo(schedule.timezone)
    minutes = 0
    moment = start.astimezone(UTC)
    while moment < end:
        wall = moment.astimezone(zone)
        if wall.date() not in schedule.holidays:
            for opens, closes in schedule.hours.get(wall.weekday(), []):
                if opens <= wall.time() and (closes == END_OF_DAY or wall.time() < closes):
                    minutes += 1
        moment += timedelta(minutes=1)
    return minutes


@pytest.mark.parametrize(("schedule", "anchors"), [PROPERTY_CASES[1], PROPERTY_CASES[3]])
def test_between_matches_a_minute_by_minute_count_of_the_wall_clock(schedule, anchors):
    # These schedules have no boundary inside a changing hour, where the wall clock is
    # ambiguous; there a plain look at the clock is an independent reference.
    rng = random.Random(11)
    for start in random_starts(rng, schedule, anchors, 6):
        start = start.replace(second=0, microsecond=0)
        end = start + timedelta(minutes=rng.randrange(2 * 1440))
        assert schedule.between(start, end) == 60 * wall_clock_minutes(schedule, start, end)


def test_long_spans_step_by_day_not_by_minute(monkeypatch):
    office = Schedule.from_spec(OFFICE, LONDON)
    calls = 0
    real_boundary = Schedule._boundary

    def counting(self, day, at):
        nonlocal calls
        calls += 1
        return real_boundary(self, day, at)

    monkeypatch.setattr(Schedule, "_boundary", counting)
    start, end = local(LONDON, 2024, 1, 1), local(LONDON, 2034, 1, 1)
    weekdays = sum(
        (date(2024, 1, 1) + timedelta(days=n)).weekday() < 5
        for n in range((date(2034, 1, 1) - date(2024, 1, 1)).days)
    )
    assert office.between(start, end) == weekdays * 8 * HOUR
    assert calls <= 2 * weekdays + 10
    calls = 0
    assert office.add(start, 10 * 8 * HOUR) == local(LONDON, 2024, 1, 12, 17)
    assert calls < 40


# Building a schedule.


def test_spec_forms():
    assert Schedule.from_spec(OFFICE) == Schedule()
    mixed = Schedule.from_spec(" Mon - Wed , FRI  8:00 - 12:00 , 13:00-24:00 ;sat 10:00-14:00;")
    assert mixed.hours == {
        day: [(time(8), time(12)), (time(13), END_OF_DAY)] for day in (0, 1, 2, 4)
    } | {5: [(time(10), time(14))]}
    weekend = Schedule.from_spec("fri-mon 10:00-16:00")
    assert sorted(weekend.hours) == [0, 4, 5, 6]
    # Clauses for the same day add up, in time order.
    assert Schedule.from_spec("tue 14:00-15:00; tue 09:00-10:00").hours == {
        1: [(time(9), time(10)), (time(14), time(15))]
    }
    assert Schedule.from_spec("24/7").hours == {day: [(time(), END_OF_DAY)] for day in range(7)}
    holidays = Schedule.from_spec(OFFICE, LONDON, ["2026-12-25", date(2026, 12, 26)]).holidays
    assert holidays == {date(2026, 12, 25), date(2026, 12, 26)}


def test_schedules_are_values():
    one = Schedule.from_spec(OFFICE, LONDON, ["2026-12-25"])
    two = Schedule(
        LONDON,
        {4: [(time(9), time(17))], 0: [(time(9), time(17))]}
        | {day: [(time(9), time(17))] for day in (1, 2, 3)},
        frozenset({date(2026, 12, 25)}),
    )
    assert one == two
    assert hash(one) == hash(two)
    assert len({one, two, Schedule()}) == 2


@pytest.mark.parametrize(
    ("spec", "bad_part"),
    [
        ("", "empty schedule spec"),
        ("   ", "empty schedule spec"),
        ("mon-fry 09:00-17:00", "unknown day 'fry'"),
        ("monday 09:00-17:00", "unknown day 'monday'"),
        ("mon-fri 9am-5pm", "bad time '9am' in 'mon-fri 9am-5pm'; use HH:MM"),
        ("mon-fri 09:00", "interval '09:00' in 'mon-fri 09:00' is not HH:MM-HH:MM"),
        ("mon-fri 09:00-25:00", "bad time '25:00' in 'mon-fri 09:00-25:00'"),
        ("mon-fri 09:60-17:00", "bad time '09:60'"),
        ("mon-fri 09-17:00", "bad time '09'"),
        ("mon 24:00-24:00", "bad time '24:00'"),
        ("mon-fri 17:00-09:00", "interval '17:00-09:00' in 'mon-fri 17:00-09:00' must end after"),
        ("mon-fri 09:00-09:00", "interval '09:00-09:00'"),
        ("mon 09:00-12:00,11:00-13:00", "mon: interval 11:00-13:00 overlaps one ending at 12:00"),
        ("mon-fri 09:00-17:00; wed 16:00-18:00", "wed: interval 16:00-18:00 overlaps"),
        ("mon-fri", "missing times after the days in 'mon-fri'"),
        ("09:00-17:00", "missing days before the times in '09:00-17:00'"),
        ("mon-fri 09:00-17:00,", "interval '' in 'mon-fri 09:00-17:00,' is not HH:MM-HH:MM"),
        ("24/7; sat 10:00-11:00", "'24/7' cannot be combined with other clauses"),
    ],
)
def test_spec_errors_name_the_bad_part(spec, bad_part):
    with pytest.raises(ValueError, match=re.escape(bad_part)):
        Schedule.from_spec(spec)


def test_unknown_time_zone_and_bad_holidays_are_rejected():
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Londres'"):
        Schedule.from_spec(OFFICE, "Europe/Londres")
    with pytest.raises(ValueError, match=re.escape("unknown time zone '../etc/passwd'")):
        Schedule(timezone="../etc/passwd")
    with pytest.raises(ValueError, match=re.escape("bad holiday date '2026-02-30'; use YYYY-MM")):
        Schedule.from_spec(OFFICE, holidays=["2026-02-30"])
    with pytest.raises(ValueError, match="bad holiday date '25/12/2026'"):
        Schedule.from_spec(OFFICE, holidays=["25/12/2026"])
    with pytest.raises(ValueError, match="holidays must be a collection"):
        Schedule.from_spec(OFFICE, holidays="2026-12-25")
    with pytest.raises(ValueError, match="is not a date"):
        Schedule(holidays=frozenset({datetime(2026, 12, 25)}))


@pytest.mark.parametrize("closed", [{}, {0: []}, {day: [] for day in range(7)}])
def test_a_schedule_that_is_never_open_is_rejected(closed):
    with pytest.raises(ValueError, match="the schedule is never open"):
        Schedule(hours=closed)


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ({7: [(time(9), time(17))]}, "weekday must be 0 (Monday) to 6 (Sunday), got 7"),
        ({0: [(time(17), time(9))]}, "mon: interval 17:00-09:00 must end after it starts"),
        ({0: [(time(9), time(0))]}, "use END_OF_DAY for 24:00"),
        ({0: [(time(9), time(12)), (time(8), time(10))]}, "mon: interval 09:00-12:00 overlaps"),
        ({0: [("09:00", "17:00")]}, "mon: '09:00' is not a time"),
        ({0: [(time(9),)]}, "mon: interval must be (start, end)"),
    ],
)
def test_hours_given_directly_are_checked(week, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Schedule(hours=week)


def test_unsorted_hours_are_sorted_and_empty_days_dropped():
    schedule = Schedule(hours={0: [(time(13), time(17)), (time(9), time(12))], 1: []})
    assert schedule.hours == {0: [(time(9), time(12)), (time(13), time(17))]}


def test_naive_datetimes_are_rejected():
    office = Schedule()
    naive, aware = datetime(2026, 1, 12, 10), utc(2026, 1, 12, 10)
    for call in (
        lambda: office.is_open(naive),
        lambda: office.next_open(naive),
        lambda: office.add(naive, 60),
        lambda: office.between(naive, aware),
        lambda: office.between(aware, naive),
    ):
        with pytest.raises(ValueError, match="must be timezone-aware, got naive 2026-01-12T10"):
            call()
    with pytest.raises(ValueError, match="must be a datetime"):
        office.is_open(date(2026, 1, 12))


@pytest.mark.parametrize("seconds", [-1, float("nan"), float("inf"), "60", None])
def test_add_refuses_odd_durations(seconds):
    with pytest.raises(ValueError, match="seconds must be"):
        Schedule().add(utc(2026, 1, 12, 10), seconds)


def test_module_has_no_django_dependency():
    assert "django" not in hours.__dict__
    source = Path(hours.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+django", source, re.MULTILINE)
