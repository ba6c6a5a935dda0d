"""Business hours: when a team is open, and how much open time lies between two moments.

Response targets ("first response within 4 business hours") are counted in the team's
opening hours, in its time zone, with its holidays. Plain Python on purpose: no Django,
so the arithmetic can be tested and reused anywhere.

How a day is turned into real time: every opening and closing happens the first time the
local clock reaches that time of day on that date. So a boundary inside a repeated hour
(clocks going back) uses its first occurrence, and a boundary inside a skipped hour (clocks
going forward) happens at the jump itself. Each local day therefore becomes a few intervals
in UTC that never overlap, and all arithmetic is done on those: a 09:00-17:00 day is 8 hours
on any date, and "00:00-24:00" is 23 or 25 hours on the days the clocks change.

An interval ending at 24:00 is written with `END_OF_DAY` (`time.max`): it means midnight
at the start of the next day, not one microsecond before it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

END_OF_DAY = time.max

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_ONE_DAY = timedelta(days=1)
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _office_hours() -> dict[int, list[tuple[time, time]]]:
    return {weekday: [(time(9), time(17))] for weekday in range(5)}


@dataclass(frozen=True)
class Schedule:
    """Opening hours per weekday (0 = Monday) in one time zone, minus whole-day holidays.

    The constructor copies and checks `hours` and `holidays`; build from a text spec with
    `Schedule.from_spec("mon-fri 09:00-17:00; sat 10:00-14:00", "Europe/London")`.
    """

    timezone: str = "UTC"
    hours: dict[int, list[tuple[time, time]]] = field(default_factory=_office_hours)
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        week = _check_hours(self.hours)
        if not any(week):
            raise ValueError("the schedule is never open: give at least one opening interval")
        holidays = frozenset(self.holidays)
        for day in holidays:
            # A datetime is a date too, but would never equal one: refuse it rather than
            # silently ignore the holiday.
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ValueError(f"holiday {day!r} is not a date")
        object.__setattr__(self, "hours", {d: list(ivs) for d, ivs in enumerate(week) if ivs})
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_week", week)

    def __hash__(self) -> int:
        # Explicit because `hours` is a dict; `_week` is its frozen twin.
        return hash((self.timezone, self._week, self.holidays))

    @classmethod
    def from_spec(
        cls, spec: str, timezone: str = "UTC", holidays: Iterable[date | str] = ()
    ) -> Schedule:
        """Parse "mon-fri 09:00-17:00; sat 10:00-14:00", "mon-fri 08:00-12:00,13:00-17:00"
        or "24/7". Days are mon..sun, single, ranges (which may wrap: "fri-mon") or comma
        lists; "24:00" closes at midnight. Raises ValueError naming the bad part."""
        return cls(timezone=timezone, hours=_parse_spec(spec), holidays=_parse_holidays(holidays))

    def is_open(self, moment: datetime) -> bool:
        instant = _to_utc(moment, "moment")
        local_day = instant.astimezone(self._zone).date()
        # The neighbours matter only when the clocks go back across midnight.
        for day in (local_day - _ONE_DAY, local_day, local_day + _ONE_DAY):
            for opens, closes in self._intervals(day):
                if opens <= instant < closes:
                    return True
        return False

    def next_open(self, moment: datetime) -> datetime:
        """`moment` itself if open then, else the next opening; in `moment`'s tzinfo."""
        instant = _to_utc(moment, "moment")
        opens, _ = next(self._intervals_from(instant))
        return moment if opens == instant else opens.astimezone(moment.tzinfo)

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment at which `seconds` of business time have passed since `start`.

        Counting begins at the next opening if `start` is outside hours. A target that
        uses up an interval exactly lands on its closing time, not on the next opening.
        The result is in `start`'s tzinfo.
        """
        instant = _to_utc(start, "start")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValueError(f"seconds must be a number, got {seconds!r}")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds must be finite and not negative, got {seconds!r}")
        remaining = timedelta(seconds=seconds)
        intervals = self._intervals_from(instant)  # endless: the loop ends by returning
        while True:
            opens, closes = next(intervals)
            if remaining <= closes - opens:
                return (opens + remaining).astimezone(start.tzinfo)
            remaining -= closes - opens

    def between(self, start: datetime, end: datetime) -> float:
        """Business seconds in [start, end); 0.0 if `end` is not after `start`."""
        first = _to_utc(start, "start")
        last = _to_utc(end, "end")
        total = timedelta()
        if last <= first:
            return 0.0
        for opens, closes in self._intervals_from(first):
            if opens >= last:
                break
            total += min(closes, last) - opens
        return total.total_seconds()

    def _intervals_from(self, instant: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals in UTC that end after `instant`, the first one clipped to start
        no earlier than it. Endless; finds an interval within days because `__post_init__`
        refuses a schedule that is never open and holidays are finite."""
        day = instant.astimezone(self._zone).date() - _ONE_DAY
        while True:
            for opens, closes in self._intervals(day):
                if closes > instant:
                    yield max(opens, instant), closes
            day += _ONE_DAY

    def _intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The local date's open intervals as UTC instants, empty ones left out."""
        if day in self.holidays:
            return []
        result = []
        for opens, closes in self._week[day.weekday()]:
            start = self._boundary(day, opens)
            end = self._boundary(day, closes)
            if end > start:
                result.append((start, end))
        return result

    def _boundary(self, day: date, at: time) -> datetime:
        """The first instant at which the local clock reads `at` or later on `day`."""
        if at == END_OF_DAY:
            wall = datetime.combine(day + _ONE_DAY, time())
        else:
            wall = datetime.combine(day, at)
        # fold=0 picks the first occurrence of a repeated wall time.
        instant = wall.replace(tzinfo=self._zone).astimezone(UTC)
        if instant.astimezone(self._zone).replace(tzinfo=None) == wall:
            return instant
        # Skipped by a jump forward: the boundary is the jump, found by bisection between
        # the two readings of the skipped time (fold=1 resolves to just before the jump,
        # fold=0 just after). Time zone transitions fall on whole seconds.
        before = math.floor(wall.replace(tzinfo=self._zone, fold=1).timestamp())
        after = math.ceil(instant.timestamp())
        while after - before > 1:
            middle = (before + after) // 2
            if datetime.fromtimestamp(middle, self._zone).replace(tzinfo=None) >= wall:
                after = middle
            else:
                before = middle
        return datetime.fromtimestamp(after, UTC)


def _to_utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise ValueError(f"{name} must be a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def _check_hours(
    hours: dict[int, list[tuple[time, time]]],
) -> tuple[tuple[tuple[time, time], ...], ...]:
    """Validate `hours` and return it as seven sorted tuples of intervals, Monday first."""
    if not isinstance(hours, dict):
        raise ValueError(f"hours must be a dict of weekday -> intervals, got {hours!r}")
    week: list[tuple[tuple[time, time], ...]] = [()] * 7
    for weekday, intervals in hours.items():
        if isinstance(weekday, bool) or weekday not in range(7):
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
        checked = []
        for interval in intervals:
            try:
                opens, closes = interval
            except (TypeError, ValueError):
                raise ValueError(
                    f"{DAY_NAMES[weekday]}: interval must be (start, end), got {interval!r}"
                ) from None
            for edge in (opens, closes):
                if not isinstance(edge, time) or edge.tzinfo is not None:
                    raise ValueError(f"{DAY_NAMES[weekday]}: {edge!r} is not a time without tzinfo")
            if closes <= opens:
                raise ValueError(
                    f"{DAY_NAMES[weekday]}: interval {_show(opens)}-{_show(closes)} must end "
                    "after it starts (use END_OF_DAY for 24:00)"
                )
            checked.append((opens, closes))
        checked.sort()
        for (_, earlier_end), (later_start, later_end) in pairwise(checked):
            if later_start < earlier_end:
                raise ValueError(
                    f"{DAY_NAMES[weekday]}: interval {_show(later_start)}-{_show(later_end)} "
                    f"overlaps one ending at {_show(earlier_end)}"
                )
        week[weekday] = tuple(checked)
    return tuple(week)


def _show(at: time) -> str:
    if at == END_OF_DAY:
        return "24:00"
    return at.isoformat(timespec="minutes" if not (at.second or at.microsecond) else "auto")


def _parse_spec(spec: str) -> dict[int, list[tuple[time, time]]]:
    if not isinstance(spec, str):
        raise ValueError(f"schedule spec must be text, got {spec!r}")
    if not spec.strip():
        raise ValueError("empty schedule spec; write e.g. 'mon-fri 09:00-17:00'")
    if spec.strip().lower() == "24/7":
        return {weekday: [(time(), END_OF_DAY)] for weekday in range(7)}
    hours: dict[int, list[tuple[time, time]]] = {}
    for clause in spec.split(";"):
        if not clause.strip():
            continue  # tolerate "a; b;" and "a;; b"
        if clause.strip().lower() == "24/7":
            raise ValueError("'24/7' cannot be combined with other clauses")
        digit = re.search(r"\d", clause)
        days_text = clause[: digit.start()] if digit else clause
        times_text = clause[digit.start() :] if digit else ""
        if not days_text.strip():
            raise ValueError(f"missing days before the times in {clause.strip()!r}")
        if not times_text.strip():
            raise ValueError(f"missing times after the days in {clause.strip()!r}")
        intervals = [_parse_interval(part, clause) for part in times_text.split(",")]
        for weekday in _parse_days(days_text, clause):
            hours.setdefault(weekday, []).extend(intervals)
    # Overlaps, possibly between clauses ("mon-fri 09:00-17:00; wed 16:00-18:00").
    _check_hours(hours)
    return hours


def _parse_days(text: str, clause: str) -> list[int]:
    weekdays: list[int] = []
    for part in re.sub(r"\s+", "", text.lower()).split(","):
        first, dash, last = part.partition("-")
        start = _parse_day(first, clause)
        if not dash:
            weekdays.append(start)
            continue
        stop = _parse_day(last, clause)
        weekdays.extend((start + offset) % 7 for offset in range((stop - start) % 7 + 1))
    return weekdays


def _parse_day(name: str, clause: str) -> int:
    if name not in DAY_NAMES:
        raise ValueError(f"unknown day {name!r} in {clause.strip()!r}; use {', '.join(DAY_NAMES)}")
    return DAY_NAMES.index(name)


def _parse_interval(text: str, clause: str) -> tuple[time, time]:
    part = re.sub(r"\s+", "", text)
    opens_text, dash, closes_text = part.partition("-")
    if not dash:
        raise ValueError(f"interval {part!r} in {clause.strip()!r} is not HH:MM-HH:MM")
    opens = _parse_time(opens_text, clause, closing=False)
    closes = _parse_time(closes_text, clause, closing=True)
    if closes <= opens:
        raise ValueError(f"interval {part!r} in {clause.strip()!r} must end after it starts")
    return opens, closes


def _parse_time(text: str, clause: str, *, closing: bool) -> time:
    match = _TIME.fullmatch(text)
    hour, minute = (int(match[1]), int(match[2])) if match else (-1, -1)
    if closing and (hour, minute) == (24, 0):
        return END_OF_DAY
    if not 0 <= hour <= 23 or not 0 <= minute <= 59:
        allowed = "00:00 to 24:00" if closing else "00:00 to 23:59"
        raise ValueError(f"bad time {text!r} in {clause.strip()!r}; use HH:MM, {allowed}")
    return time(hour, minute)


def _parse_holidays(holidays: Iterable[date | str]) -> frozenset[date]:
    if isinstance(holidays, str | date):
        raise ValueError(f"holidays must be a collection of dates, got {holidays!r}")
    days = set()
    for holiday in holidays:
        if isinstance(holiday, str):
            try:
                if not _ISO_DATE.fullmatch(holiday.strip()):
                    raise ValueError
                holiday = date.fromisoformat(holiday.strip())
            except ValueError:
                raise ValueError(f"bad holiday date {holiday!r}; use YYYY-MM-DD") from None
        days.add(holiday)
    return frozenset(days)
