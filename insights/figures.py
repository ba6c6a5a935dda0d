"""The dashboard's figures, read from the daily rollups (see docs/insights.md).

Every function takes `Filters` (a span of local days and optional channel, category, label,
agent and team) and returns plain data: a `Table` (columns and rows, which is also its CSV)
or a dict of headline figures. Durations are business seconds, bucketed (rollups.bucket):
a median of 2,520 means the middle customer waited between 42 and 43 business minutes.

A filter combination with a stored grain reads a few hundred rollup rows; any other
combination computes the same rows from the raw tables for the span (slower, same answer).
Backlog figures are live: they read the waiting messages themselves.
"""

from __future__ import annotations

import calendar
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from accounts.models import Person, Team, User
from analysis import topics as topic_analysis
from conversations.models import (
    Category,
    Channel,
    Conversation,
    KnownIssue,
    Label,
    Message,
    Moderation,
    ResponseState,
    Topic,
)
from insights import rollups
from insights.models import PersonDay, Rollup, WonBack
from listening.models import Alert

MAX_DAYS = 366
EXAMPLES = 3


@dataclass(frozen=True)
class Filters:
    """What the dashboard looks at: local days `start`..`end` (both included) and, 0 or ""
    meaning any, one channel, category, label, agent (a User id) and team."""

    start: date
    end: date
    channel: str = ""
    category: int = 0
    label: int = 0
    agent: int = 0
    team: int = 0

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("The end date is before the start date.")
        if (self.end - self.start).days >= MAX_DAYS:
            raise ValueError(f"Choose at most {MAX_DAYS} days.")
        if self.channel and self.channel not in Channel.values:
            raise ValueError(f"Unknown channel: {self.channel}")

    @classmethod
    def last_days(cls, days: int = 30, today: date | None = None, **dims) -> Filters:
        today = today or timezone.localdate()
        return cls(start=today - timedelta(days=days - 1), end=today, **dims)

    @classmethod
    def month_to_date(cls, today: date | None = None, **dims) -> Filters:
        today = today or timezone.localdate()
        return cls(start=today.replace(day=1), end=today, **dims)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def previous(self) -> Filters:
        """The span of the same length just before."""
        length = self.end - self.start + timedelta(days=1)
        return replace(self, start=self.start - length, end=self.end - length)

    @property
    def dims(self) -> dict[str, int]:
        found = {"agent": self.agent, "category": self.category, "label": self.label}
        found["team"] = self.team
        return {k: v for k, v in found.items() if v}


@dataclass
class Table:
    """A table the dashboard shows and exports: `columns` are (key, heading) pairs; each row
    is a dict with those keys (and possibly a "url" for a link), plain values only."""

    slug: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict] = field(default_factory=list)


# -- reading rollups ------------------------------------------------------------------------


class NotStored(Exception):
    """No stored grain covers these filters: the widget asks the raw tables instead."""


def rows(
    f: Filters,
    by: tuple[str, ...] = (),
    fields: tuple[str, ...] = (),
    *,
    per_channel: bool = False,
    start: date | None = None,
) -> list[dict]:
    """Rollup rows for the filters, grouped by the dimensions in `by`, with the named fields:
    one row per day (and per channel with `per_channel` or a channel filter). `start`
    reaches back before the span. Raises NotStored when no stored grain covers them."""
    dims = {**f.dims}
    grain = rollups.grain_name([*dims, *by])
    if grain not in rollups.GRAINS:
        raise NotStored(grain)
    query = Rollup.objects.filter(grain=grain, day__gte=start or f.start, day__lte=f.end, **dims)
    if f.channel:
        query = query.filter(channel=f.channel)
    elif per_channel:
        query = query.exclude(channel=rollups.ALL_CHANNELS)
    else:
        query = query.filter(channel=rollups.ALL_CHANNELS)
    return list(query.values("day", "channel", *by, *fields))


def or_raw(widget):
    """The widget, or its raw-table twin (insights.raw) when no stored grain covers the
    filters: the same figures, slower."""

    @functools.wraps(widget)
    def answer(f: Filters, *args, **kwargs):
        try:
            return widget(f, *args, **kwargs)
        except NotStored:
            from insights import raw

            return getattr(raw, widget.__name__)(f, *args, **kwargs)

    return answer


def _sum(found: list[dict], name: str) -> int:
    return sum(r[name] for r in found)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# -- widgets --------------------------------------------------------------------------------


@or_raw
def volume(f: Filters) -> Table:
    """Customer messages by day and channel."""
    per: Counter = Counter()
    for r in rows(f, fields=("messages",), per_channel=True):
        per[(r["day"], r["channel"])] += r["messages"]
    return volume_table(f, per)


def volume_table(f: Filters, per: Counter) -> Table:
    """The volume table from message counts per (day, channel); channels with none left out."""
    names = dict(Channel.choices)
    order = [c for c in Channel.values if any(n and ch == c for (_, ch), n in per.items())]
    table = Table(
        "volume",
        "Customer messages by day and channel",
        [("day", "Day"), *((c, names[c]) for c in order), ("total", "Total")],
    )
    for day in f.days:
        row = {"day": day, **{c: per[(day, c)] for c in order}}
        row["total"] = sum(per[(day, c)] for c in order)
        table.rows.append(row)
    return table


@or_raw
def sentiment(f: Filters) -> Table:
    """The sentiment mix of customer messages by day."""
    per: dict[date, Counter] = defaultdict(Counter)
    for r in rows(f, fields=SENTIMENTS):
        for name in SENTIMENTS:
            per[r["day"]][name] += r[name]
    return sentiment_table(f, per)


SENTIMENTS = ("messages", "negative", "neutral", "positive")


def sentiment_table(f: Filters, per: dict[date, Counter]) -> Table:
    """The sentiment table from counts per day of `SENTIMENTS`."""
    table = Table(
        "sentiment",
        "Sentiment of customer messages by day",
        [
            ("day", "Day"), ("negative", "Negative"), ("neutral", "Neutral"),
            ("positive", "Positive"), ("unscored", "Not scored"), ("messages", "Messages"),
        ],
    )  # fmt: skip
    for day in f.days:
        c = per.get(day, Counter())
        unscored = c["messages"] - c["negative"] - c["neutral"] - c["positive"]
        table.rows.append(
            {"day": day, "negative": c["negative"], "neutral": c["neutral"],
             "positive": c["positive"], "unscored": unscored, "messages": c["messages"]}
        )  # fmt: skip
    return table


RESPONSE_FIELDS = (
    "messages", "negative", "neutral", "positive", "answered", "no_reply", "within_target",
    "answered_late", "first_response", "first_response_clock", "resolved", "conceded", "held",
    "resolution", "rated", "score_sum", "scores",
)  # fmt: skip


# What the tables per channel, agent and team show needs fewer histograms than the headline.
PERFORMANCE_FIELDS = tuple(
    f for f in RESPONSE_FIELDS if f not in ("first_response_clock", "scores")
)


def _response_figures(found: list[dict]) -> dict:
    def histogram(name: str) -> dict:
        return rollups.merge(r[name] for r in found) if found and name in found[0] else {}

    first = histogram("first_response")
    clock = histogram("first_response_clock")
    resolution = histogram("resolution")
    scores = histogram("scores")
    rated = _sum(found, "rated")
    within = _sum(found, "within_target")
    late = _sum(found, "answered_late")
    return {
        "messages": _sum(found, "messages"),
        "negative": _sum(found, "negative"),
        "neutral": _sum(found, "neutral"),
        "positive": _sum(found, "positive"),
        "answered": _sum(found, "answered"),
        "no_reply": _sum(found, "no_reply"),
        "first_response_median": rollups.percentile(first, 0.5),
        "first_response_p90": rollups.percentile(first, 0.9),
        "first_response_clock_median": rollups.percentile(clock, 0.5),
        "first_response_clock_p90": rollups.percentile(clock, 0.9),
        "within_target": within,
        "answered_late": late,
        "within_share": _share(within, within + late),
        "resolved": _sum(found, "resolved"),
        "conceded": _sum(found, "conceded"),
        "held": _sum(found, "held"),
        "resolution_median": rollups.percentile(resolution, 0.5),
        "resolution_p90": rollups.percentile(resolution, 0.9),
        "rated": rated,
        "satisfaction": _share(_sum(found, "score_sum"), rated),
        "scores": {score: scores.get(score, 0) for score in range(1, 6)},
    }


@or_raw
def response(f: Filters) -> dict:
    """Headline figures for the span: messages, answered, no reply needed; first response
    median and 90th percentile in business seconds (`first_response_*`, what targets count)
    and in wall-clock seconds (`first_response_clock_*`, what the customer lived), and the
    share answered within target;
    cases resolved, how (conceded, held), resolution median and 90th percentile; ratings,
    their average (1-5) and their spread. Also `answered_share`: the share of messages that
    needed an answer (all but "no reply needed") which got one."""
    figures = _response_figures(rows(f, fields=RESPONSE_FIELDS))
    needing = figures["messages"] - figures["no_reply"]
    figures["answered_share"] = _share(figures["answered"], needing)
    # Customers still waiting past their target have missed it too (live: it changes with
    # the clock, not with the data).
    figures["waiting_overdue"] = overdue = _waiting_overdue(f)
    figures["within_share"] = _share(
        figures["within_target"], figures["within_target"] + figures["answered_late"] + overdue
    )
    return figures


def _waiting_overdue(f: Filters) -> int:
    start, _ = rollups.day_bounds(f.start)
    _, end = rollups.day_bounds(f.end)
    query = _filtered(
        Message.objects.filter(
            response_state=ResponseState.AWAITING, due_at__lt=timezone.now()
        ).exclude(moderation=Moderation.REMOVED),
        f,
        agent="conversation__assignee_id",
    )
    return query.filter(created_at__gte=start, created_at__lt=end).count()


def _filtered(query, f: Filters, *, agent: str):
    """Raw messages narrowed by the filters; `agent` names the field the agent filter
    means (who answered, or who the conversation is assigned to)."""
    if f.channel:
        query = query.filter(channel=f.channel)
    if f.category:
        query = query.filter(conversation__category_id=f.category)
    if f.label:
        query = query.filter(conversation__labels=f.label)
    if f.agent:
        query = query.filter(**{agent: f.agent})
    if f.team:
        query = query.filter(conversation__team_id=f.team)
    return query


@or_raw
def response_by_channel(f: Filters) -> Table:
    found = rows(f, fields=PERFORMANCE_FIELDS, per_channel=True)
    per: dict[str, list] = defaultdict(list)
    for r in found:
        per[r["channel"]].append(r)
    names = dict(Channel.choices)
    table = Table("channels", "Response by channel", _performance_columns("channel", "Channel"))
    for channel in Channel.values:
        if channel in per:
            table.rows.append(_performance_row({"channel": names[channel]}, per[channel]))
    return table


def _performance_columns(key: str, heading: str) -> list[tuple[str, str]]:
    return [
        (key, heading), ("messages", "Messages"), ("answered", "Answered"),
        ("first_response_median", "First response, median (s)"),
        ("first_response_p90", "First response, 90th percentile (s)"),
        ("within_share", "Within target"), ("resolved", "Cases resolved"),
        ("resolution_median", "Resolution, median (s)"), ("rated", "Ratings"),
        ("satisfaction", "Average rating"),
    ]  # fmt: skip


def _performance_row(start: dict, found: list[dict]) -> dict:
    figures = _response_figures(found)
    return {
        **start,
        **{
            k: figures[k]
            for k in (
                "messages", "answered", "first_response_median", "first_response_p90",
                "within_share", "resolved", "resolution_median", "rated", "satisfaction",
            )
        },
    }  # fmt: skip


@or_raw
def agents(f: Filters) -> Table:
    """Per agent: messages they answered, how fast, within target; cases they resolved;
    ratings of their resolutions."""
    found = rows(f, by=("agent",), fields=PERFORMANCE_FIELDS)
    per: dict[int, list] = defaultdict(list)
    for r in found:
        if r["agent"]:
            per[r["agent"]].append(r)
    users = User.objects.in_bulk(list(per))
    people = dict(
        Person.objects.filter(user_id__in=list(per)).values_list("user_id", "display_name")
    )
    table = Table("agents", "Agents", _performance_columns("agent", "Agent"))
    for pk in sorted(per, key=lambda pk: (people.get(pk) or str(users.get(pk) or pk)).lower()):
        name = people.get(pk) or (users[pk].get_username() if pk in users else f"#{pk}")
        table.rows.append(_performance_row({"agent": name, "agent_id": pk}, per[pk]))
    return table


@or_raw
def teams(f: Filters) -> Table:
    found = rows(f, by=("team",), fields=PERFORMANCE_FIELDS)
    per: dict[int, list] = defaultdict(list)
    for r in found:
        if r["team"]:
            per[r["team"]].append(r)
    names = dict(Team.objects.filter(pk__in=list(per)).values_list("pk", "name"))
    table = Table("teams", "Teams", _performance_columns("team", "Team"))
    for pk in sorted(per, key=lambda pk: names.get(pk, "").lower()):
        table.rows.append(
            _performance_row({"team": names.get(pk, f"#{pk}"), "team_id": pk}, per[pk])
        )
    return table


@or_raw
def satisfaction(f: Filters) -> Table:
    found = rows(f, fields=("scores",))
    scores = rollups.merge(r["scores"] for r in found)
    table = Table("satisfaction", "Ratings", [("score", "Score"), ("ratings", "Ratings")])
    for score in range(5, 0, -1):
        table.rows.append({"score": score, "ratings": scores.get(score, 0)})
    return table


def backlog(f: Filters) -> dict:
    """Live: customer messages waiting now (whatever the dates), how many are past their
    target, and since when the oldest waits. The agent filter means conversations assigned
    to that agent."""
    query = _filtered(
        Message.objects.filter(response_state=ResponseState.AWAITING),
        f,
        agent="conversation__assignee_id",
    )
    now = timezone.now()
    figures = query.aggregate(awaiting=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
    figures["oldest"] = query.order_by("created_at").values_list("created_at", flat=True).first()
    return figures


@or_raw
def topics(f: Filters, limit: int = 10) -> Table:
    """The topics most written about in the span, with the share negative, the count in
    the span before, whether the topic is trending in the span's last week (against the four
    weeks before: analysis.topics.trending) and a few example messages."""
    before = f.previous()
    history_start = f.end - timedelta(days=34)  # the span's last week and the 4 before
    counts: Counter = Counter()
    negative: Counter = Counter()
    previous: Counter = Counter()
    per_day: dict[tuple, int] = Counter()
    for r in rows(
        f, by=("topic",), fields=("messages", "negative"), start=min(before.start, history_start)
    ):
        if r["day"] >= f.start:
            counts[r["topic"]] += r["messages"]
            negative[r["topic"]] += r["negative"]
        elif r["day"] >= before.start:
            previous[r["topic"]] += r["messages"]
        if r["day"] >= history_start:
            per_day[(r["topic"], r["day"])] += r["messages"]
    return topics_table(f, counts, negative, previous, per_day, limit)


def topics_table(
    f: Filters, counts: Counter, negative: Counter, previous: Counter, per_day, limit: int
) -> Table:
    """The top topics table from counts per topic (in the span, negative, in the span before)
    and per (topic, day) over the trend history; ties by topic id."""
    top = sorted((t for t, n in counts.items() if n), key=lambda t: (-counts[t], t))[:limit]
    trends = {t.topic_id for t in topic_analysis.trending(per_day, f.end, "week")}
    names = Topic.objects.in_bulk(top)
    samples = examples_for(f, top)
    table = Table(
        "topics",
        "Top topics",
        [
            ("topic", "Topic"), ("messages", "Messages"), ("negative_share", "Negative"),
            ("previous", "Span before"), ("trending", "Trending"),
        ],
    )  # fmt: skip
    for pk in top:
        table.rows.append(
            {
                "topic": names[pk].name if pk in names else f"#{pk}",
                "topic_id": pk,
                "messages": counts[pk],
                "negative_share": _share(negative[pk], counts[pk]),
                "previous": previous[pk],
                "trending": pk in trends,
                "examples": samples.get(pk, []),
            }
        )
    return table


def examples(f: Filters, topic: int, limit: int = EXAMPLES) -> list[dict]:
    """The latest customer messages on a topic in the span: text, author, link."""
    return examples_for(f, [topic], limit).get(topic, [])


def examples_for(f: Filters, topics: list[int], limit: int = EXAMPLES) -> dict[int, list[dict]]:
    """The latest customer messages on each topic in the span: one short query per topic
    (at most `topics()`' limit), each reading a few rows of the (topic, created_at) index."""
    start, _ = rollups.day_bounds(f.start)
    _, end = rollups.day_bounds(f.end)
    found: dict[int, list[dict]] = {}
    for topic in topics:
        query = (
            _customer_messages(f)
            .filter(topic_id=topic, created_at__gte=start, created_at__lt=end)
            .order_by("-created_at", "-id")
            .values("id", "conversation_id", "body_md", "created_at", "sentiment",
                    "author__display_name")[:limit]
        )  # fmt: skip
        found[topic] = [
            {"text": m["body_md"][:280], "author": m["author__display_name"],
             "at": m["created_at"], "sentiment": m["sentiment"],
             "url": f"/staff/conversations/{m['conversation_id']}/#m{m['id']}"}
            for m in query
        ]  # fmt: skip
    return found


def _customer_messages(f: Filters):
    customer = Message.objects.exclude(response_state=ResponseState.NOT_APPLICABLE).exclude(
        moderation=Moderation.REMOVED
    )
    return _filtered(customer, f, agent="answered_by__author__user_id")


@or_raw
def known_issues(f: Filters) -> Table:
    """Known issues open now or with comments in the span: status, last update, comments in
    the span and their sentiment."""
    found = rows(f, by=("issue",), fields=("messages", "negative", "neutral", "positive"))
    per: dict[int, Counter] = defaultdict(Counter)
    for r in found:
        for name in ("messages", "negative", "neutral", "positive"):
            per[r["issue"]][name] += r[name]
    return known_issues_table(per)


def known_issues_table(per: dict[int, dict]) -> Table:
    """The known issues table from comment counts per issue ("messages", "negative",
    "neutral", "positive"): every issue with comments, and every open one."""
    issues = (
        KnownIssue.objects.filter(Q(conversation_id__in=list(per)) | Q(resolved_at=None))
        .select_related("conversation")
        .order_by("-started_at")
    )
    table = Table(
        "known_issues",
        "Known issues",
        [
            ("issue", "Known issue"), ("status", "Status"), ("started", "Started"),
            ("last_update", "Last update"), ("messages", "Comments"), ("negative", "Negative"),
            ("neutral", "Neutral"), ("positive", "Positive"),
        ],
    )  # fmt: skip
    for issue in issues:
        c = per.get(issue.conversation_id, {})
        table.rows.append(
            {
                "issue": issue.conversation.title,
                "url": issue.conversation.get_absolute_url(),
                "status": issue.get_status_display(),
                "started": issue.started_at,
                "last_update": issue.conversation.updated_at,
                **{n: c.get(n, 0) for n in ("messages", "negative", "neutral", "positive")},
            }
        )
    return table


def alerts(f: Filters) -> Table:
    """Early-warning alerts raised in the span (listening.alerts)."""
    start, _ = rollups.day_bounds(f.start)
    _, end = rollups.day_bounds(f.end)
    table = Table(
        "alerts",
        "Alerts",
        [
            ("created_at", "Raised"), ("metric", "Metric"), ("scope", "Where"),
            ("count", "Mentions"), ("observed", "Observed"), ("baseline", "Baseline"),
        ],
    )  # fmt: skip
    for alert in (
        Alert.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("query", "topic")
        .order_by("-created_at", "-id")[:100]
    ):
        table.rows.append(
            {
                "created_at": alert.created_at, "metric": alert.get_metric_display(),
                "scope": alert.scope_name, "count": alert.count,
                "observed": round(alert.observed, 3), "baseline": round(alert.baseline, 3),
                "url": f"/staff/listening/alerts/{alert.pk}/",
            }
        )  # fmt: skip
    return table


def won_back(f: Filters, limit: int = 50) -> Table:
    """Customers whose message turned positive after an answer to their negative one, in the
    span, latest first (one row per positive message). Filters: the channel of the positive
    message, and the agent whose answer it was."""
    query = WonBack.objects.filter(day__gte=f.start, day__lte=f.end)
    if f.channel:
        query = query.filter(channel=f.channel)
    if f.agent:
        query = query.filter(agent=f.agent)  # whose answer won them back
    found = query.order_by("-day", "-positive_message")[:limit]
    return won_back_table(
        [(w.negative_message, w.answer_message, w.positive_message, w.person) for w in found]
    )


def won_back_table(found: list[tuple[int, int, int, int]]) -> Table:
    """The won-back table from (negative message, answer, positive message, person) ids."""
    ids = {pk for row in found for pk in row[:3]}
    messages = Message.objects.select_related("author").in_bulk(list(ids))
    table = Table(
        "won_back",
        "Won back",
        [
            ("person", "Customer"), ("negative_at", "Unhappy on"), ("negative", "They wrote"),
            ("answered_by", "Answered by"), ("positive_at", "Happy on"),
            ("positive", "Then wrote"),
        ],
    )  # fmt: skip
    for negative, answer, positive, person in found:
        neg, pos, reply = messages.get(negative), messages.get(positive), messages.get(answer)
        if neg is None or pos is None:
            continue  # deleted since the rollup
        table.rows.append(
            {
                "person": pos.author.display_name, "person_id": person,
                "negative_at": neg.created_at, "negative": neg.body_md[:200],
                "answered_by": reply.author.display_name if reply else "",
                "positive_at": pos.created_at, "positive": pos.body_md[:200],
                "url": f"/staff/conversations/{pos.conversation_id}/#m{pos.pk}",
            }
        )  # fmt: skip
    return table


ADVOCATE_WEIGHTS = {"accepted": 3, "helped": 1, "positive": 1}


def advocates(f: Filters, limit: int = 20) -> Table:
    """Customers who help: answers of theirs accepted (worth 3), replies in others' community
    topics (1 each) and messages that speak well of the company (1 each), in the span."""
    score = sum(F(name) * weight for name, weight in ADVOCATE_WEIGHTS.items())
    found = [
        {"person": r["person"], "accepted": r["a"], "helped": r["h"], "positive": r["p"],
         "score": r["score"]}
        for r in PersonDay.objects.filter(day__gte=f.start, day__lte=f.end)
        .values("person")
        .annotate(a=Sum("accepted"), h=Sum("helped"), p=Sum("positive"), score=Sum(score))
        .order_by("-score", "person")[:limit]
    ]  # fmt: skip
    names = dict(
        Person.objects.filter(pk__in=[r["person"] for r in found]).values_list("pk", "display_name")
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
    for r in found:
        table.rows.append({**r, "person_id": r["person"], "person": names.get(r["person"], "")})
    return table


def choices() -> dict:
    """What the filter form offers."""
    return {
        "channels": Channel.choices,
        "categories": list(Category.objects.values_list("pk", "name")),
        "labels": list(Label.objects.values_list("pk", "name")),
        "teams": list(Team.objects.values_list("pk", "name")),
        "agents": [
            (u.pk, getattr(getattr(u, "person", None), "display_name", "") or u.get_username())
            for u in User.objects.exclude(role="customer").select_related("person")
        ],
    }


def month_bounds(today: date) -> tuple[date, date]:
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1), today.replace(day=last)


def open_known_issues() -> list[Conversation]:
    return list(
        Conversation.objects.published()
        .filter(known_issue__resolved_at=None, known_issue__isnull=False)
        .select_related("known_issue")
        .order_by("-known_issue__started_at")
    )
