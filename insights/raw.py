"""The dashboard's figures straight from the raw tables, without rollups.

One function per widget of insights/figures.py, taking the same `Filters` and returning the
same Table or dict, computed by the aggregate SQL a report would run over
conversations_message, conversations_conversation and satisfaction_survey: one scan per
table a widget needs, grouped by what the widget shows. Durations come back as raw business
seconds and are bucketed here (rollups.bucket); percentiles are nearest-rank, so the answers
equal the rollups' to the bucket. `make bench` (scenario `insights`) times both paths and
checks that they agree; see docs/benchmarks.md.

Attribution follows docs/rollups.md: a customer message counts on its local day, under its
channel, for the staff member whose reply answered it; a case on the day it was resolved,
under the channel of its first message, for whoever resolved it; a rating on the day of the
resolution, for the survey's agent. Removed messages are left out.
"""

# ruff: noqa: S608 (SQL is built from this module's own fragments; values are parameters)
from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from accounts.models import Person, Team, User
from conversations.models import COMMUNITY_KINDS, Channel
from insights import rollups
from insights.figures import (
    ADVOCATE_WEIGHTS,
    SENTIMENTS,
    Filters,
    Table,
    _performance_columns,
    known_issues_table,
    sentiment_table,
    topics_table,
    volume_table,
    won_back_table,
)

CUSTOMER = "m.response_state <> 'na' AND m.moderation <> 'removed'"
FIRST_CHANNEL = (
    "coalesce((SELECT fm.channel FROM conversations_message AS fm"
    " WHERE fm.conversation_id = c.id ORDER BY fm.created_at, fm.id LIMIT 1), '')"
)
HAS_LABEL = (
    "EXISTS (SELECT 1 FROM conversations_conversation_labels AS cl"
    " WHERE cl.conversation_id = c.id AND cl.label_id = %s)"
)
# The staff member a customer message counts for: the user behind an official answer.
MESSAGE_AGENT = "CASE WHEN a.official THEN coalesce(ap.user_id, 0) ELSE 0 END"
ANSWER_JOIN = (
    " LEFT JOIN conversations_message AS a ON a.id = m.answered_by_id"
    " LEFT JOIN accounts_person AS ap ON ap.id = a.author_id"
)


# -- plumbing -------------------------------------------------------------------------------


def _adapt(moment):
    return connection.ops.adapt_datetimefield_value(moment)


def _span(f: Filters) -> tuple:
    """The UTC instants of the filters' local days, as the database compares them."""
    start, _ = rollups.day_bounds(f.start)
    _, end = rollups.day_bounds(f.end)
    return _adapt(start), _adapt(end)


def _day(column: str) -> tuple[str, list]:
    """SQL for the local date of a datetime column. Stored UTC text on SQLite starts with the
    date, which is the local date when TIME_ZONE is UTC; otherwise the database converts."""
    tzname = timezone.get_current_timezone_name()
    if connection.vendor == "sqlite" and tzname == "UTC":
        return f"substr({column}, 1, 10)", []
    sql, params = connection.ops.datetime_cast_date_sql(column, (), tzname)
    return sql, list(params)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _conversation_filters(f: Filters, where: list[str], params: list) -> None:
    if f.category:
        where.append("c.category_id = %s")
        params.append(f.category)
    if f.team:
        where.append("c.team_id = %s")
        params.append(f.team)
    if f.label:
        where.append(HAS_LABEL)
        params.append(f.label)


def _messages(f: Filters, *, start=None, end=None) -> tuple[str, list]:
    """FROM … WHERE … for the customer messages the filters select (aliases m, c, a, ap)."""
    lo, hi = _span(f)
    where = [CUSTOMER, "m.created_at >= %s", "m.created_at < %s"]
    params: list = [start or lo, end or hi]
    if f.channel:
        where.append("m.channel = %s")
        params.append(f.channel)
    _conversation_filters(f, where, params)
    if f.agent:
        where.append("a.official AND ap.user_id = %s")
        params.append(f.agent)
    sql = (
        " FROM conversations_message AS m"
        " JOIN conversations_conversation AS c ON c.id = m.conversation_id"
        f"{ANSWER_JOIN} WHERE {' AND '.join(where)}"
    )
    return sql, params


def _resolutions(f: Filters) -> tuple[str, list]:
    lo, hi = _span(f)
    where = ["c.resolved_at >= %s", "c.resolved_at < %s"]
    params: list = [lo, hi]
    if f.channel:
        where.append(f"{FIRST_CHANNEL} = %s")
        params.append(f.channel)
    _conversation_filters(f, where, params)
    if f.agent:
        where.append("c.resolved_by_id = %s")
        params.append(f.agent)
    sql = (
        " FROM conversations_conversation AS c"
        " LEFT JOIN conversations_outcome AS o ON o.id = c.outcome_id"
        f" WHERE {' AND '.join(where)}"
    )
    return sql, params


def _ratings(f: Filters) -> tuple[str, list]:
    lo, hi = _span(f)
    where = ["s.score IS NOT NULL", "s.resolved_at >= %s", "s.resolved_at < %s"]
    params: list = [lo, hi]
    if f.channel:
        where.append(f"{FIRST_CHANNEL} = %s")
        params.append(f.channel)
    _conversation_filters(f, where, params)
    if f.agent:
        where.append("s.agent_id = %s")
        params.append(f.agent)
    sql = (
        " FROM satisfaction_survey AS s"
        " JOIN conversations_conversation AS c ON c.id = s.conversation_id"
        f" WHERE {' AND '.join(where)}"
    )
    return sql, params


def _nearest_rank(counts: dict[int, int], p: float) -> int | None:
    """The bucket of the nearest-rank p-th percentile (p in 0..1) of raw values given as
    {value: how many}."""
    total = sum(counts.values())
    if not total:
        return None
    rank = max(math.ceil(p * total), 1)
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return rollups.bucket(value)
    raise AssertionError("unreachable")  # seen reaches total


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# -- response figures, whole or per channel, agent or team ------------------------------------

# What a performance figure is grouped by, for messages, cases and ratings.
KEYS = {
    None: ("0", "0", "0"),
    "channel": ("m.channel", FIRST_CHANNEL, FIRST_CHANNEL),
    "agent": (MESSAGE_AGENT, "coalesce(c.resolved_by_id, 0)", "coalesce(s.agent_id, 0)"),
    "team": ("coalesce(c.team_id, 0)", "coalesce(c.team_id, 0)", "coalesce(c.team_id, 0)"),
}
MESSAGE_COUNTERS = (
    "messages", "negative", "neutral", "positive", "answered", "no_reply", "within_target",
    "answered_late",
)  # fmt: skip


def _performance(f: Filters, by: str | None = None) -> dict:
    """{key: response figures} over the span: one scan of the messages, one of the cases,
    one of the ratings, each grouped by the key and by the duration or score."""
    message_key, case_key, rating_key = KEYS[by]
    counters: dict = defaultdict(Counter)
    first: dict = defaultdict(Counter)
    clock: dict = defaultdict(Counter)
    resolution: dict = defaultdict(Counter)
    scores: dict = defaultdict(Counter)

    sql, params = _messages(f)
    for key, seconds, clock_seconds, *values in _fetch(
        f"SELECT {message_key},"
        " CASE WHEN m.response_state = 'answered' THEN m.first_response_business_seconds END,"
        " CASE WHEN m.response_state = 'answered' THEN m.first_response_seconds END,"
        " count(*),"
        " count(*) FILTER (WHERE m.sentiment = 'negative'),"
        " count(*) FILTER (WHERE m.sentiment = 'neutral'),"
        " count(*) FILTER (WHERE m.sentiment = 'positive'),"
        " count(*) FILTER (WHERE m.response_state = 'answered'),"
        " count(*) FILTER (WHERE m.response_state = 'no_reply'),"
        " count(*) FILTER (WHERE m.response_state = 'answered' AND m.due_at IS NOT NULL"
        "   AND m.answered_at IS NOT NULL AND m.answered_at <= m.due_at),"
        " count(*) FILTER (WHERE m.response_state = 'answered' AND m.due_at IS NOT NULL"
        "   AND m.answered_at IS NOT NULL AND m.answered_at > m.due_at)"
        f"{sql} GROUP BY 1, 2, 3",
        params,
    ):
        counters[key].update(dict(zip(MESSAGE_COUNTERS, values, strict=True)))
        if seconds is not None:
            first[key][seconds] += values[0]
        if clock_seconds is not None:
            clock[key][clock_seconds] += values[0]

    sql, params = _resolutions(f)
    for key, seconds, resolved, conceded, held in _fetch(
        f"SELECT {case_key}, c.resolution_business_seconds, count(*),"
        " count(*) FILTER (WHERE o.stance = 'conceded'),"
        " count(*) FILTER (WHERE o.stance = 'held')"
        f"{sql} GROUP BY 1, 2",
        params,
    ):
        counters[key].update({"resolved": resolved, "conceded": conceded, "held": held})
        if seconds is not None:
            resolution[key][seconds] += resolved

    sql, params = _ratings(f)
    for key, score, rated in _fetch(
        f"SELECT {rating_key}, s.score, count(*){sql} GROUP BY 1, 2", params
    ):
        counters[key].update({"rated": rated, "score_sum": score * rated})
        scores[key][score] += rated

    found = {}
    for key, c in counters.items():
        within, late, rated = c["within_target"], c["answered_late"], c["rated"]
        found[key] = {
            **{name: c[name] for name in MESSAGE_COUNTERS[:6]},
            "first_response_median": _nearest_rank(first[key], 0.5),
            "first_response_p90": _nearest_rank(first[key], 0.9),
            "first_response_clock_median": _nearest_rank(clock[key], 0.5),
            "first_response_clock_p90": _nearest_rank(clock[key], 0.9),
            "within_target": within,
            "answered_late": late,
            "within_share": _share(within, within + late),
            "resolved": c["resolved"],
            "conceded": c["conceded"],
            "held": c["held"],
            "resolution_median": _nearest_rank(resolution[key], 0.5),
            "resolution_p90": _nearest_rank(resolution[key], 0.9),
            "rated": rated,
            "satisfaction": _share(c["score_sum"], rated),
            "scores": {score: scores[key].get(score, 0) for score in range(1, 6)},
        }
    return found


def response(f: Filters) -> dict:
    """Headline figures (figures.response). Customers still waiting past their target count
    as missing it: `waiting_overdue`, live, with the agent filter meaning the assignee."""
    figures = _performance(f).get(0) or _performance_of_nothing()
    figures["answered_share"] = _share(
        figures["answered"], figures["messages"] - figures["no_reply"]
    )
    figures["waiting_overdue"] = overdue = _waiting_overdue(f)
    figures["within_share"] = _share(
        figures["within_target"], figures["within_target"] + figures["answered_late"] + overdue
    )
    return figures


def _waiting_overdue(f: Filters) -> int:
    lo, hi = _span(f)
    where = [
        "m.response_state = 'awaiting'", "m.moderation <> 'removed'", "m.due_at < %s",
        "m.created_at >= %s", "m.created_at < %s",
    ]  # fmt: skip
    params: list = [_adapt(timezone.now()), lo, hi]
    if f.channel:
        where.append("m.channel = %s")
        params.append(f.channel)
    _conversation_filters(f, where, params)
    if f.agent:
        where.append("c.assignee_id = %s")
        params.append(f.agent)
    sql = (
        "SELECT count(*) FROM conversations_message AS m"
        " JOIN conversations_conversation AS c ON c.id = m.conversation_id"
        f" WHERE {' AND '.join(where)}"
    )
    return _fetch(sql, params)[0][0]


def _performance_of_nothing() -> dict:
    return {
        **{name: 0 for name in MESSAGE_COUNTERS[:6]},
        "first_response_median": None, "first_response_p90": None,
        "first_response_clock_median": None, "first_response_clock_p90": None, "within_target": 0,
        "answered_late": 0, "within_share": None, "resolved": 0, "conceded": 0, "held": 0,
        "resolution_median": None, "resolution_p90": None, "rated": 0, "satisfaction": None,
        "scores": dict.fromkeys(range(1, 6), 0),
    }  # fmt: skip


PERFORMANCE_KEYS = (
    "messages", "answered", "first_response_median", "first_response_p90", "within_share",
    "resolved", "resolution_median", "rated", "satisfaction",
)  # fmt: skip


def _row(start: dict, figures: dict) -> dict:
    return {**start, **{k: figures[k] for k in PERFORMANCE_KEYS}}


def response_by_channel(f: Filters) -> Table:
    per = _performance(f, "channel")
    names = dict(Channel.choices)
    table = Table("channels", "Response by channel", _performance_columns("channel", "Channel"))
    for channel in Channel.values:
        if channel in per:
            table.rows.append(_row({"channel": names[channel]}, per[channel]))
    return table


def agents(f: Filters) -> Table:
    per = {pk: v for pk, v in _performance(f, "agent").items() if pk}
    users = User.objects.in_bulk(list(per))
    people = dict(
        Person.objects.filter(user_id__in=list(per)).values_list("user_id", "display_name")
    )
    table = Table("agents", "Agents", _performance_columns("agent", "Agent"))
    for pk in sorted(per, key=lambda pk: (people.get(pk) or str(users.get(pk) or pk)).lower()):
        name = people.get(pk) or (users[pk].get_username() if pk in users else f"#{pk}")
        table.rows.append(_row({"agent": name, "agent_id": pk}, per[pk]))
    return table


def teams(f: Filters) -> Table:
    per = {pk: v for pk, v in _performance(f, "team").items() if pk}
    names = dict(Team.objects.filter(pk__in=list(per)).values_list("pk", "name"))
    table = Table("teams", "Teams", _performance_columns("team", "Team"))
    for pk in sorted(per, key=lambda pk: names.get(pk, "").lower()):
        table.rows.append(_row({"team": names.get(pk, f"#{pk}"), "team_id": pk}, per[pk]))
    return table


def satisfaction(f: Filters) -> Table:
    sql, params = _ratings(f)
    scores = dict(_fetch(f"SELECT s.score, count(*){sql} GROUP BY 1", params))
    table = Table("satisfaction", "Ratings", [("score", "Score"), ("ratings", "Ratings")])
    for score in range(5, 0, -1):
        table.rows.append({"score": score, "ratings": scores.get(score, 0)})
    return table


# -- by day ---------------------------------------------------------------------------------


def volume(f: Filters) -> Table:
    """Customer messages by day and channel."""
    day, day_params = _day("m.created_at")
    sql, params = _messages(f)
    per: Counter = Counter()
    for d, channel, n in _fetch(
        f"SELECT {day}, m.channel, count(*){sql} GROUP BY 1, 2", [*day_params, *params]
    ):
        per[(_as_date(d), channel)] += n
    return volume_table(f, per)


def sentiment(f: Filters) -> Table:
    day, day_params = _day("m.created_at")
    sql, params = _messages(f)
    per = {
        _as_date(d): Counter(dict(zip(SENTIMENTS, counts, strict=True)))
        for d, *counts in _fetch(
            f"SELECT {day}, count(*),"
            " count(*) FILTER (WHERE m.sentiment = 'negative'),"
            " count(*) FILTER (WHERE m.sentiment = 'neutral'),"
            " count(*) FILTER (WHERE m.sentiment = 'positive')"
            f"{sql} GROUP BY 1",
            [*day_params, *params],
        )
    }
    return sentiment_table(f, per)


# -- topics and known issues ----------------------------------------------------------------


def topics(f: Filters, limit: int = 10) -> Table:
    """figures.topics: one scan over the span before and the span, by topic and day. Topics
    with equal counts are listed by id."""
    before = f.previous()
    history_start = f.end - timedelta(days=34)  # the last week and the four before
    day, day_params = _day("m.created_at")
    first = min(before.start, history_start)
    sql, params = _messages(f, start=_adapt(rollups.day_bounds(first)[0]))
    counts: Counter = Counter()
    negative: Counter = Counter()
    previous: Counter = Counter()
    per_day: Counter = Counter()
    for topic, d, n, neg in _fetch(
        f"SELECT m.topic_id, {day}, count(*), count(*) FILTER (WHERE m.sentiment = 'negative')"
        f"{sql} AND m.topic_id IS NOT NULL GROUP BY 1, 2",
        [*day_params, *params],
    ):
        d = _as_date(d)
        if d >= f.start:
            counts[topic] += n
            negative[topic] += neg
        elif d >= before.start:
            previous[topic] += n
        if d >= history_start:
            per_day[(topic, d)] += n
    return topics_table(f, counts, negative, previous, per_day, limit)


def known_issues(f: Filters) -> Table:
    sql, params = _messages(f)
    per = {
        issue: dict(zip(("messages", "negative", "neutral", "positive"), c, strict=True))
        for issue, *c in _fetch(
            "SELECT m.conversation_id, count(*),"
            " count(*) FILTER (WHERE m.sentiment = 'negative'),"
            " count(*) FILTER (WHERE m.sentiment = 'neutral'),"
            " count(*) FILTER (WHERE m.sentiment = 'positive')"
            f"{sql} AND c.kind = 'known_issue' GROUP BY 1",
            params,
        )
    }
    return known_issues_table(per)


# -- people ---------------------------------------------------------------------------------


def won_back(f: Filters, limit: int = 50) -> Table:
    """Positive messages in the span whose author's previous scored message was negative and
    had an official answer before it. Filters (as figures.won_back): the positive message's
    channel, and the agent whose answer it was."""
    lo, hi = _span(f)
    day, day_params = _day("s.created_at")
    narrow, narrow_params = "", []
    if f.channel:
        narrow += " AND s.channel = %s"
        narrow_params.append(f.channel)
    if f.agent:
        narrow += " AND ap.user_id = %s"
        narrow_params.append(f.agent)
    found = _fetch(
        "WITH scored AS ("
        " SELECT m.id, m.author_id, m.created_at, m.channel, m.sentiment,"
        "  lag(m.id) OVER w AS prev_id, lag(m.sentiment) OVER w AS prev_sentiment,"
        "  lag(m.answered_at) OVER w AS prev_answered_at,"
        "  lag(m.answered_by_id) OVER w AS prev_answer"
        f" FROM conversations_message AS m WHERE {CUSTOMER}"
        "  AND m.sentiment IN ('negative', 'positive') AND m.created_at < %s"
        " WINDOW w AS (PARTITION BY m.author_id ORDER BY m.created_at, m.id))"
        f" SELECT s.prev_id, s.prev_answer, s.id, s.author_id, {day} AS day"
        " FROM scored AS s JOIN conversations_message AS a ON a.id = s.prev_answer"
        " LEFT JOIN accounts_person AS ap ON ap.id = a.author_id"
        " WHERE s.sentiment = 'positive' AND s.created_at >= %s AND s.prev_sentiment = 'negative'"
        f"  AND a.official AND s.prev_answered_at <= s.created_at{narrow}"
        " ORDER BY day DESC, s.id DESC LIMIT %s",
        [hi, *day_params, lo, *narrow_params, limit],
    )
    return won_back_table(
        [(negative, answer, positive, person) for negative, answer, positive, person, _ in found]
    )


def advocates(f: Filters, limit: int = 20) -> Table:
    """figures.advocates (the span only, whatever the other filters): accepted answers worth
    3, replies in community topics others started and positive messages worth 1 each."""
    lo, hi = _span(f)
    kinds = ", ".join(f"'{k}'" for k in COMMUNITY_KINDS)
    w = ADVOCATE_WEIGHTS
    found = _fetch(
        "SELECT person, sum(accepted), sum(helped), sum(positive),"
        f" sum(accepted) * {w['accepted']} + sum(helped) * {w['helped']}"
        f"  + sum(positive) * {w['positive']} AS score"
        " FROM ("
        "  SELECT m.author_id AS person, 0 AS accepted,"
        f"   CASE WHEN c.kind IN ({kinds}) AND NOT m.is_opening AND c.author_id <> m.author_id"
        "    THEN 1 ELSE 0 END AS helped,"
        "   CASE WHEN m.sentiment = 'positive' THEN 1 ELSE 0 END AS positive"
        "  FROM conversations_message AS m"
        "  JOIN conversations_conversation AS c ON c.id = m.conversation_id"
        f"  WHERE {CUSTOMER} AND m.created_at >= %s AND m.created_at < %s"
        "  UNION ALL"
        "  SELECT a.author_id, 1, 0, 0 FROM community_question AS q"
        "  JOIN conversations_message AS a ON a.id = q.accepted_answer_id"
        "  WHERE a.created_at >= %s AND a.created_at < %s AND NOT a.official"
        " ) AS counted GROUP BY person"
        " HAVING sum(accepted) + sum(helped) + sum(positive) > 0"
        " ORDER BY score DESC, person LIMIT %s",
        [lo, hi, lo, hi, limit],
    )
    names = dict(
        Person.objects.filter(pk__in=[r[0] for r in found]).values_list("pk", "display_name")
    )
    table = Table(
        "advocates",
        "Advocates",
        [
            ("person", "Customer"), ("accepted", "Answers accepted"),
            ("helped", "Replies helping others"), ("positive", "Positive messages"),
            ("score", "Score"),
        ],
    )  # fmt: skip
    for person, accepted, helped, positive, score in found:
        table.rows.append(
            {"person": names.get(person, ""), "accepted": accepted, "helped": helped,
             "positive": positive, "score": score, "person_id": person}
        )  # fmt: skip
    return table


WIDGETS = {
    "volume": volume,
    "sentiment": sentiment,
    "response": response,
    "response_by_channel": response_by_channel,
    "agents": agents,
    "teams": teams,
    "satisfaction": satisfaction,
    "topics": topics,
    "known_issues": known_issues,
    "won_back": won_back,
    "advocates": advocates,
}
