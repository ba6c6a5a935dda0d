"""`make bench` scenario "insights": the dashboard on daily rollups beside raw aggregates.

Builds (once; kept under var/bench/ and reused, keyed by size and a version) a migrated
SQLite data folder with --insights-messages customer messages over 13 months, ending the day
before the build, generated from a fixed seed: nine channels, ten categories, six labels (some
conversations with two), fifteen agents in three teams, forty topics, a sentiment mix; 85% of
messages answered by a staff reply (itself a message) with first-response business seconds
and a due time, a few late, some "no reply needed", some still waiting; cases resolved with an
outcome and resolution business seconds, ratings, known issues with comments, community topics
with replies from other customers and accepted answers. Rows go in with plain SQL in large
transactions with the triggers off; the triggers are put back and `insights.rollups.rebuild()`
computes every day's rollups (timed).

Then, in one process, for each widget and five filter sets (30 days, 90 days, 30 days of one
channel, of one category, of one agent):
  - the widget's figures function (insights/figures.py, on the rollups), as the dashboard
    calls it;
  - the same widget from the raw tables (insights/raw.py);
checking that both give the same answer, timing both over several interleaved rounds.
Finally messages arrive: a batch of 1,000 inserted with the triggers on, then
`rollups.refresh_pending()` (timed), then ten single messages each followed by a refresh;
the figures must count them. The arrivals are deleted and refreshed away afterwards, so the
stored database stays as built.

Goals from the insights issue: every widget under 20 ms at p95 on the rollups, and at least
100 times faster than the raw aggregate.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.servers import ROOT, BenchError, django_env

NAME = "insights"
VERSION = 1  # bump when the generated data changes
GOAL_P95_MS = 20.0
GOAL_RATIO = 100.0
SEED = 20261208
DAYS = 396  # 13 months
ARRIVALS = 1_000
SINGLE_ARRIVALS = 10
# A cell whose rollup path is slow (a filter no stored grain covers) stops being timed once it
# has spent this long and has as many samples as the raw path: it misses the goal either way.
BUDGET_MS = 20_000

CHANNELS = [
    ("email", 30), ("web", 28), ("api", 8), ("mastodon", 7), ("bluesky", 6), ("reddit", 6),
    ("feed", 5), ("webhook", 5), ("import", 5),
]  # fmt: skip
SOCIAL = {"mastodon", "bluesky", "reddit", "feed"}
WEB_KINDS = [("question", 30), ("discussion", 30), ("idea", 10), ("known_issue", 17),
             ("article", 13)]  # fmt: skip
CATEGORIES = [
    "Deliveries", "Returns", "Billing", "Account", "The app", "Stock", "Damaged items",
    "Discounts", "Subscriptions", "Stores",
]  # fmt: skip
LABELS = ["Urgent", "VIP", "Follow-up", "Bug", "Feedback", "Press"]
TEAMS = ["Deliveries", "Billing", "Social"]
AGENTS = 15
TOPICS = 40
KNOWN_ISSUES = 24
ARTICLES = 30
OUTCOME_WEIGHTS = [30, 12, 14, 8, 6, 12, 8, 10]  # the eight outcomes migration 0007 writes
SCORE_WEIGHTS = {1: 12, 2: 8, 3: 15, 4: 25, 5: 40}
FIRST_SENTIMENT = [("negative", 38), ("neutral", 35), ("positive", 20), ("", 7)]
LATER_SENTIMENT = [("negative", 22), ("neutral", 35), ("positive", 36), ("", 7)]
HOURS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 12, 13, 13, 12, 11, 10, 9, 8, 7, 5, 3, 2]
TARGET_SECONDS = 4 * 3600  # first-response target, business seconds


def _cum(weights):
    return list(itertools.accumulate(weights))


def _pick(rng, pairs):
    return rng.choices([k for k, _ in pairs], weights=[w for _, w in pairs])[0]


# --- the data ---------------------------------------------------------------------------------


class Generator:
    """Rows for the tables, as tuples in the column order of the INSERTs below. Times are
    whole seconds from the first day's midnight, UTC."""

    def __init__(self, messages: int, end_day: date, seed: int = SEED):
        self.rng = random.Random(seed)
        self.n = messages
        self.first_day = end_day - timedelta(days=DAYS - 1)
        self.base = datetime(self.first_day.year, self.first_day.month, self.first_day.day)
        self.end = DAYS * 86400
        self.customers = max(50, messages // 15)
        rng = self.rng
        # A few customers write a lot: a Zipf-like weight per customer.
        self.customer_cum = _cum(1 / (r + 10) for r in range(self.customers))
        self.topic_cum = _cum(1 / (r + 2) ** 0.9 for r in range(TOPICS))
        self.category_cum = _cum(1 / (r + 2) for r in range(len(CATEGORIES)))
        self.hour_cum = _cum(HOURS)
        self.message_id = 0
        self.conversation_id = 0
        self.survey_id = 0
        self.staff_person = {u: u for u in range(1, AGENTS + 2)}  # person id = user id for staff
        self.team_agents = {t + 1: [a for a in range(1, AGENTS + 1) if (a - 1) % 3 == t]
                            for t in range(len(TEAMS))}  # fmt: skip
        # Posts the web comments go to: known issues a few weeks each, articles all along.
        self.issues = []
        for i in range(KNOWN_ISSUES):
            started = int((i + 0.3) * self.end / KNOWN_ISSUES)
            resolved = started + 25 * 86400 + rng.randrange(86400)
            self.issues.append((started, resolved if resolved < self.end else None))
        self.articles = [int((i + 0.1) * self.end / ARTICLES) for i in range(ARTICLES)]
        self.conversations: list = []
        self.messages: list = []
        self.labels: list = []
        self.surveys: list = []
        self.questions: list = []
        self.known_issues: list = []

    def at(self, seconds: int) -> str:
        return (self.base + timedelta(seconds=seconds)).isoformat(" ")

    def customer(self) -> int:
        return (
            AGENTS + 2 + self.rng.choices(range(self.customers), cum_weights=self.customer_cum)[0]
        )

    def day_budgets(self) -> list[int]:
        weights = []
        for d in range(DAYS):
            weekend = (self.first_day + timedelta(days=d)).weekday() >= 5
            weights.append((0.75 + 0.5 * d / DAYS) * (0.55 if weekend else 1.0))
        total, acc, out, given = sum(weights), 0.0, [], 0
        for w in weights:
            acc += w
            upto = round(self.n * acc / total)
            out.append(upto - given)
            given = upto
        return out

    # -- posts -----------------------------------------------------------------------------

    def posts(self) -> dict[str, list[int]]:
        """Known issues and articles, each with a staff opening message."""
        found: dict[str, list[int]] = {"known_issue": [], "article": []}
        blogger = AGENTS + 1
        for kind, starts in (
            ("known_issue", [s for s, _ in self.issues]),
            ("article", self.articles),
        ):
            for i, started in enumerate(starts):
                self.conversation_id += 1
                cid = self.conversation_id
                title = f"{'Known issue' if kind == 'known_issue' else 'Article'} {i + 1}"
                self.conversations.append(
                    self._conversation(cid, kind, 1, title, started, started, blogger,
                                       None, None, None, None, None, None, None)
                )  # fmt: skip
                self._message(cid, blogger, 1, 1, "web", "na", started, body=title)
                if kind == "known_issue":
                    resolved = self.issues[i][1]
                    self.known_issues.append(
                        (cid, f"Area {i + 1}", "resolved" if resolved else "investigating",
                         self.at(started), None if resolved is None else self.at(resolved))
                    )  # fmt: skip
                found[kind].append(cid)
        return found

    # -- rows ------------------------------------------------------------------------------

    def _conversation(self, cid, kind, public, title, created, last, author, category, team,
                      assignee, resolved, resolved_by, outcome, seconds):  # fmt: skip
        published = self.at(created) if public else None
        return (
            cid, kind, public, title, f"c{cid}", published, self.at(created), self.at(last),
            self.at(last), author, category, assignee, None if resolved else self.at(created),
            seconds, None if resolved is None else self.at(resolved), resolved_by, team, outcome,
        )  # fmt: skip

    def _message(self, cid, author, opening, official, channel, state, at, *, body="",
                 sentiment="", topic=None, moderation="visible", answered_at=None,
                 answered_by=None, wall=None, business=None, due=None):  # fmt: skip
        self.message_id += 1
        mid = self.message_id
        closed = answered_at if state == "answered" else (at if state == "no_reply" else None)
        reason = "thanks" if state == "no_reply" else ""
        self.messages.append(
            (
                mid, cid, author, opening, body or f"message {mid}", official, channel,
                moderation, state, None if answered_at is None else self.at(answered_at),
                answered_by, wall, business, None if due is None else self.at(due), reason,
                None if closed is None else self.at(closed), self.at(at), self.at(at), sentiment,
                topic,
            )
        )  # fmt: skip
        return mid

    def customer_message(self, cid, author, opening, channel, at, later, agent, agents):
        """A customer message and, if it gets one, the staff reply answering it; returns (its
        id, when the thread moves on)."""
        rng = self.rng
        sentiment = _pick(rng, LATER_SENTIMENT if later else FIRST_SENTIMENT)
        topic = (rng.choices(range(TOPICS), cum_weights=self.topic_cum)[0] + 1
                 if rng.random() < 0.92 else None)  # fmt: skip
        r = rng.random()
        moderation = "removed" if r < 0.01 else ("hidden" if r < 0.02 else "visible")
        r = rng.random()
        state = "answered" if r < 0.85 else ("no_reply" if r < 0.97 else "awaiting")
        if state == "answered":
            business = min(int(rng.lognormvariate(math.log(2400), 1.3)), 10 * 86400)
            wall = int(business * rng.uniform(1.0, 2.5))
            if at + wall < self.end:
                due = at + (int(wall * TARGET_SECONDS / business) if business else TARGET_SECONDS)
                by = agent if rng.random() < 0.8 else rng.choice(agents)
                mid = self._message(
                    cid, author, opening, 0, channel, "answered", at, sentiment=sentiment,
                    topic=topic, moderation=moderation, answered_at=at + wall,
                    answered_by=self.message_id + 2, wall=wall, business=business, due=due,
                )  # fmt: skip
                self._message(cid, self.staff_person[by], 0, 1, channel, "na", at + wall)
                return mid, at + wall
            state = "awaiting"  # the answer would come after the last day
        due = at + TARGET_SECONDS * 2 if state == "awaiting" else None
        mid = self._message(cid, author, opening, 0, channel, state, at, sentiment=sentiment,
                            topic=topic, moderation=moderation, due=due)  # fmt: skip
        return mid, at

    def generate(self):
        """Yield after every few thousand messages so the caller can write the rows."""
        rng = self.rng
        posts = self.posts()
        left = 0
        for d, budget in enumerate(self.day_budgets()):
            left += budget
            while left > 0:
                start = d * 86400 + rng.choices(range(24), cum_weights=self.hour_cum)[0] * 3600
                start += rng.randrange(3600)
                left -= self.thread(start, left, posts)
                if len(self.messages) >= 20_000:
                    yield
        yield

    def thread(self, start: int, left: int, posts) -> int:
        """One conversation, or one comment on a post; returns the customer messages written."""
        rng = self.rng
        channel = _pick(rng, CHANNELS)
        if channel == "web":
            kind = _pick(rng, WEB_KINDS)
        else:
            kind = "mention" if channel in SOCIAL else "email"
        category = (rng.choices(range(len(CATEGORIES)), cum_weights=self.category_cum)[0] + 1
                    if rng.random() < 0.92 else None)  # fmt: skip
        team = (category - 1) % len(TEAMS) + 1 if category and rng.random() < 0.9 else None
        agents = self.team_agents[team] if team else list(range(1, AGENTS + 1))
        agent = rng.choice(agents)
        author = self.customer()
        if kind in ("known_issue", "article"):
            if kind == "known_issue":
                open_issues = [i for i, (s, _) in enumerate(self.issues) if s <= start]
                if not open_issues:
                    kind = "article"
            if kind == "known_issue":
                cid = posts["known_issue"][open_issues[-1]]
            else:
                cid = posts["article"][max(0, sum(1 for s in self.articles if s <= start) - 1)]
            self.customer_message(cid, author, 0, "web", start, False, agent, agents)
            return 1
        self.conversation_id += 1
        cid = self.conversation_id
        count = min(left, 1 + int(rng.expovariate(1 / 0.9)))
        at, written, last, replies = start, 0, start, []
        for i in range(count):
            if at >= self.end:
                break
            who = author
            if kind in ("question", "discussion", "idea") and i and rng.random() < 0.5:
                who = self.customer()
            mid, moved = self.customer_message(
                cid, who, int(i == 0), channel, at, i > 0, agent, agents
            )
            if who != author:
                replies.append(mid)
            written += 1
            last = moved
            at = moved + 600 + int(rng.expovariate(1 / (8 * 3600)))
        resolved = resolved_by = outcome = seconds = None
        if rng.random() < 0.8:
            when = last + int(rng.expovariate(1 / 86400))
            if when < self.end:
                resolved = when
                resolved_by = agent if rng.random() < 0.85 else rng.choice(agents)
                outcome = rng.choices(range(1, 9), weights=OUTCOME_WEIGHTS)[0]
                seconds = int(rng.lognormvariate(math.log(6 * 3600), 1.0))
        labels = rng.choices([0, 1, 2], weights=[45, 40, 15])[0]
        for label in rng.sample(range(1, len(LABELS) + 1), labels):
            self.labels.append((cid, label))
        public = int(kind in ("question", "discussion", "idea"))
        self.conversations.append(
            self._conversation(cid, kind, public, f"Conversation {cid}", start, max(last, start),
                               author, category, team, agent, resolved, resolved_by, outcome,
                               seconds)
        )  # fmt: skip
        if resolved is not None and kind != "idea" and rng.random() < 0.5:
            self.survey_id += 1
            score = None
            if rng.random() < 0.55:
                score = rng.choices(list(SCORE_WEIGHTS), weights=list(SCORE_WEIGHTS.values()))[0]
            self.surveys.append(
                (self.survey_id, cid, author, agent, f"c{author}@bench.invalid",
                 f"s{self.survey_id}", self.at(resolved), self.at(resolved), score,
                 None if score is None else self.at(resolved), self.at(resolved))
            )  # fmt: skip
        if kind == "question":
            accepted = replies[0] if replies and rng.random() < 0.6 else None
            self.questions.append(
                (cid, accepted, None if accepted is None else self.at(last), None)
            )
        return written

    def take(self):
        out = (self.conversations, self.messages, self.labels, self.surveys, self.questions)
        self.conversations, self.messages, self.labels = [], [], []
        self.surveys, self.questions = [], []
        return out


CONVERSATION_SQL = (
    "INSERT INTO conversations_conversation (id, kind, is_public, title, slug, published_at,"
    " created_at, updated_at, last_activity_at, author_id, category_id, assignee_id, opened_at,"
    " resolution_business_seconds, resolved_at, resolved_by_id, team_id, outcome_id, summary,"
    " comment_count, comments_open, thread_version, reply_token, priority, locked)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, 1, 0, '', 1, 0)"
)
MESSAGE_SQL = (
    "INSERT INTO conversations_message (id, conversation_id, author_id, is_opening, body_md,"
    " official, channel, moderation, response_state, answered_at, answered_by_id,"
    " first_response_seconds, first_response_business_seconds, due_at, no_reply_reason,"
    " closed_at, created_at, updated_at, sentiment, topic_id, body_html, internal, external_id,"
    " external_url, idempotency_key, analysed_with, intent)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, '', '', '', '',"
    " '')"
)
LABEL_SQL = (
    "INSERT INTO conversations_conversation_labels (conversation_id, label_id) VALUES (?, ?)"
)
SURVEY_SQL = (
    "INSERT INTO satisfaction_survey (id, conversation_id, person_id, agent_id, email, token,"
    " resolved_at, sent_at, score, answered_at, created_at, comment)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')"
)
QUESTION_SQL = (
    "INSERT INTO community_question (conversation_id, accepted_answer_id, accepted_at,"
    " accepted_by_id) VALUES (?, ?, ?, ?)"
)
KNOWN_ISSUE_SQL = (
    "INSERT INTO conversations_knownissue (conversation_id, affected_area, status, started_at,"
    " resolved_at) VALUES (?, ?, ?, ?, ?)"
)


def _people(raw, gen: Generator, stamp: str) -> None:
    users, persons = [], []
    for u in range(1, AGENTS + 2):
        role = "agent" if u <= AGENTS else "blogger"
        users.append((u, f"staff{u}@bench.invalid", f"staff{u}@bench.invalid", role, stamp))
        persons.append((u, f"Agent {u:02d}" if u <= AGENTS else "Blog Team", u, 1, stamp))
    raw.executemany(
        "INSERT INTO accounts_user (id, username, email, role, date_joined, password,"
        " is_superuser, first_name, last_name, is_staff, is_active)"
        " VALUES (?, ?, ?, ?, ?, '!', 0, '', '', 0, 1)",
        users,
    )
    for c in range(gen.customers):
        persons.append((AGENTS + 2 + c, f"Customer {c + 1:06d}", None, 0, stamp))
    raw.executemany(
        "INSERT INTO accounts_person (id, display_name, user_id, is_staff_member, created_at,"
        " title, bio, is_guest_author) VALUES (?, ?, ?, ?, ?, '', '', 0)",
        persons,
    )
    raw.executemany(
        "INSERT INTO accounts_team (id, name, email) VALUES (?, ?, '')",
        [(i + 1, name) for i, name in enumerate(TEAMS)],
    )
    raw.executemany(
        "INSERT INTO accounts_team_members (team_id, user_id) VALUES (?, ?)",
        [(t, a) for t, agents in gen.team_agents.items() for a in agents],
    )
    raw.executemany(
        "INSERT INTO conversations_category (id, name, slug, description) VALUES (?, ?, ?, '')",
        [(i + 1, n, f"category-{i + 1}") for i, n in enumerate(CATEGORIES)],
    )
    raw.executemany(
        "INSERT INTO conversations_label (id, name, slug) VALUES (?, ?, ?)",
        [(i + 1, n, f"label-{i + 1}") for i, n in enumerate(LABELS)],
    )
    raw.executemany(
        "INSERT INTO conversations_topic (id, number, name, terms, size, created_at, updated_at)"
        " VALUES (?, ?, ?, '[]', 0, ?, ?)",
        [(t, t, f"Topic {t:02d}", stamp, stamp) for t in range(1, TOPICS + 1)],
    )


def rollups_key() -> str:
    """The code the stored rollups were computed with: a change rebuilds them."""
    text = "".join(
        (ROOT / "insights" / name).read_text() for name in ("rollups.py", "models.py", "schema.py")
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _rebuild_rollups(folder: Path, key: str) -> dict:
    """Recreate the insights tables (they hold only what the rollups compute, and their
    columns may have changed with the code) and compute every day."""
    from django.apps import apps
    from django.db import connection

    from insights import rollups
    from insights.models import PersonDay, Rollup, WonBack

    tables = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in apps.get_app_config("insights").get_models():
            if model._meta.db_table in tables:
                editor.delete_model(model)
            editor.create_model(model)
    started = time.perf_counter()
    days = rollups.rebuild()
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM conversations_message WHERE response_state <> 'na'"
            " AND moderation <> 'removed'"
        )
        counted = cursor.fetchone()[0]
    info = {
        "key": key,
        "seconds": round(seconds, 1),
        "days": days,
        "rollup_rows": Rollup.objects.count(),
        "person_days": PersonDay.objects.count(),
        "won_back": WonBack.objects.count(),
        "messages_per_second": round(counted / seconds) if seconds else None,
    }
    (folder / "rollups.json").write_text(json.dumps(info) + "\n")
    return info


def build(folder: Path, messages: int, key: str) -> dict:
    """Run inside a process whose Django settings point at `folder` (see _worker)."""
    from django.core.management import call_command
    from django.db import connection

    from insights import schema as insights_schema
    from search import schema as search_schema

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    end_day = date.today() - timedelta(days=1)
    gen = Generator(messages, end_day)
    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        for sql in [*insights_schema.SQLITE_DROP, *search_schema.SQLITE_DROP_TRIGGERS]:
            cursor.execute(sql)
    raw.execute("PRAGMA foreign_keys=OFF")
    raw.execute("PRAGMA synchronous=OFF")
    raw.execute("PRAGMA cache_size=-500000")
    raw.execute("BEGIN")
    _people(raw, gen, gen.at(0))
    for _ in gen.generate():
        conversations, msgs, labels, surveys, questions = gen.take()
        raw.executemany(CONVERSATION_SQL, conversations)
        raw.executemany(MESSAGE_SQL, msgs)
        raw.executemany(LABEL_SQL, labels)
        raw.executemany(SURVEY_SQL, surveys)
        raw.executemany(QUESTION_SQL, questions)
    raw.executemany(KNOWN_ISSUE_SQL, gen.known_issues)
    raw.execute("COMMIT")
    with connection.cursor() as cursor:
        for sql in [*insights_schema.SQLITE_TRIGGERS.values(),
                    *search_schema.SQLITE_TRIGGERS.values()]:  # fmt: skip
            cursor.execute(sql)
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*), max(id) FROM conversations_message")
        all_messages, max_message = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM conversations_message WHERE response_state <> 'na'")
        customer = cursor.fetchone()[0]
        cursor.execute("SELECT count(*), max(id) FROM conversations_conversation")
        conversations, max_conversation = cursor.fetchone()
        cursor.execute("SELECT count(*), count(score) FROM satisfaction_survey")
        surveys, rated = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM conversations_conversation WHERE resolved_at IS NOT NULL"
        )
        resolved = cursor.fetchone()[0]
    loaded = time.perf_counter()
    rolled = _rebuild_rollups(folder, key)
    size = sum(p.stat().st_size for p in folder.glob("openline.sqlite3*"))
    return {
        "messages": customer,
        "all_messages": all_messages,
        "staff_replies": all_messages - customer,
        "conversations": conversations,
        "resolved": resolved,
        "surveys": surveys,
        "ratings": rated,
        "customers": gen.customers,
        "first_day": gen.first_day.isoformat(),
        "end_day": end_day.isoformat(),
        "max_message_id": max_message,
        "max_conversation_id": max_conversation,
        "load_seconds": round(loaded - started, 1),
        "database_mb": round(size / 1e6),
        "rollups": rolled,
    }


# --- measuring --------------------------------------------------------------------------------

WIDGETS = (
    "volume", "sentiment", "response", "response_by_channel", "agents", "teams",
    "satisfaction", "topics", "known_issues", "won_back", "advocates",
)  # fmt: skip


def filter_sets(end_day: date) -> dict:
    from insights.figures import Filters

    return {
        "30 days": Filters.last_days(30, today=end_day),
        "90 days": Filters.last_days(90, today=end_day),
        "30 days, channel": Filters.last_days(30, today=end_day, channel="email"),
        "30 days, category": Filters.last_days(30, today=end_day, category=1),
        "30 days, agent": Filters.last_days(30, today=end_day, agent=1),
    }


def same_topics(a, b) -> bool:
    """Top topics are the same up to the order of topics with equal counts; where the limit
    cuts through a tie, any of the tied topics may fill the last places."""
    if a == b:
        return True
    if a.columns != b.columns or len(a.rows) != len(b.rows):
        return False
    if [r["messages"] for r in a.rows] != [r["messages"] for r in b.rows]:
        return False
    ours = {r["topic_id"]: r for r in a.rows}
    theirs = {r["topic_id"]: r for r in b.rows}
    lowest = a.rows[-1]["messages"] if a.rows else 0
    for pk in ours.keys() | theirs.keys():
        if pk in ours and pk in theirs:
            if ours[pk] != theirs[pk]:
                return False
        elif (ours.get(pk) or theirs.get(pk))["messages"] != lowest:
            return False
    return True


def same(widget: str, a, b) -> bool:
    return same_topics(a, b) if widget == "topics" else a == b


def _timed(fn, f) -> float:
    started = time.perf_counter()
    fn(f)
    return (time.perf_counter() - started) * 1000


def _cleanup(data: dict) -> int:
    """Delete the messages that arrived after the build (an interrupted run leaves some)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM conversations_message WHERE id > %s", [data["max_message_id"]])
        removed = cursor.rowcount
        cursor.execute(
            "DELETE FROM conversations_conversation WHERE id > %s", [data["max_conversation_id"]]
        )
    return removed


def _arrive(count: int, first_id: int, first_conversation: int, at: datetime, rng) -> None:
    """`count` new customer e-mails in conversations of their own, written with plain SQL
    in one transaction (the triggers on), as an import or a mail fetch would."""
    from django.db import connection, transaction

    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(at)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO conversations_conversation (id, kind, is_public, title, slug,"
            " created_at, updated_at, last_activity_at, author_id, category_id, team_id,"
            " opened_at, summary, comment_count, comments_open, thread_version, reply_token,"
            " priority, locked) VALUES (%s, 'email', FALSE, %s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, '', 0, TRUE, 0, '', 1, FALSE)",
            [
                (first_conversation + i, f"New {i}", f"new-{first_conversation + i}", stamp,
                 stamp, stamp, AGENTS + 2 + rng.randrange(50), 1 + i % len(CATEGORIES),
                 1 + i % len(TEAMS), stamp)
                for i in range(count)
            ],
        )  # fmt: skip
        cursor.executemany(
            "INSERT INTO conversations_message (id, conversation_id, author_id, is_opening,"
            " body_md, body_html, official, internal, channel, external_id, external_url,"
            " moderation, idempotency_key, response_state, no_reply_reason, created_at,"
            " updated_at, analysed_with, intent, sentiment, topic_id, due_at)"
            " VALUES (%s, %s, %s, TRUE, %s, '', FALSE, FALSE, 'email', '', '', 'visible', '',"
            " 'awaiting', '', %s, %s, '', '', %s, %s, %s)",
            [
                (first_id + i, first_conversation + i, AGENTS + 2 + rng.randrange(50),
                 f"arrived {i}", stamp, stamp, rng.choice(["negative", "neutral", "positive"]),
                 1 + rng.randrange(TOPICS), adapt(at + timedelta(hours=8)))
                for i in range(count)
            ],
        )  # fmt: skip


def arrivals(data: dict) -> dict:
    """Messages arrive on the last day; the refresh brings the rollups up to date."""
    from django.utils import timezone

    from insights import figures, raw, rollups

    end_day = date.fromisoformat(data["end_day"])
    one_day = figures.Filters(start=end_day, end=end_day)
    before = figures.volume(one_day).rows[0]["total"]
    at = timezone.make_aware(datetime.combine(end_day, datetime.min.time())) + timedelta(
        hours=23, minutes=30
    )
    rng = random.Random(SEED)
    next_id, next_conversation = data["max_message_id"] + 1, data["max_conversation_id"] + 1
    started = time.perf_counter()
    _arrive(ARRIVALS, next_id, next_conversation, at, rng)
    insert_ms = (time.perf_counter() - started) * 1000
    marks = rollups.pending()
    started = time.perf_counter()
    days = rollups.refresh_pending()
    batch_ms = (time.perf_counter() - started) * 1000
    after = figures.volume(one_day)
    counted = after.rows[0]["total"] - before
    agrees = after == raw.volume(one_day)
    single = []
    for i in range(SINGLE_ARRIVALS):
        _arrive(1, next_id + ARRIVALS + i, next_conversation + ARRIVALS + i,
                at + timedelta(seconds=i + 1), rng)  # fmt: skip
        started = time.perf_counter()
        rollups.refresh_pending()
        single.append((time.perf_counter() - started) * 1000)
    counted_single = figures.volume(one_day).rows[0]["total"] - before - counted
    _cleanup(data)
    rollups.refresh_pending()
    restored = figures.volume(one_day).rows[0]["total"]
    return {
        "batch": ARRIVALS,
        "insert_ms": round(insert_ms, 1),
        "marks": marks,
        "days_refreshed": [d.isoformat() for d in days],
        "batch_refresh_ms": round(batch_ms, 1),
        "counted": counted,
        "raw_agrees": agrees,
        "single": SINGLE_ARRIVALS,
        "single_refresh_ms": {
            "p50": round(statistics.median(single), 1),
            "max": round(max(single), 1),
        },
        "counted_single": counted_single,
        "restored": restored == before,
    }


def measure(rounds: int, raw_rounds: int, key: str) -> dict:
    """Run inside a process whose Django settings point at the benchmark database."""
    from django.core.management import call_command

    from insights import figures, raw, rollups

    folder = Path(os.environ["OPENLINE_DATA_DIR"])
    data = json.loads((folder / "ready.json").read_text())
    call_command("migrate", interactive=False, verbosity=0)  # a new index, say
    leftovers = _cleanup(data)
    stored = folder / "rollups.json"
    rebuilt = None
    if json.loads(stored.read_text())["key"] != key:
        rebuilt = _rebuild_rollups(folder, key)  # the rollup code changed since they were built
    while rollups.refresh_pending():  # what the leftovers or a migration marked
        pass
    end_day = date.fromisoformat(data["end_day"])
    sets = filter_sets(end_day)
    cells = [(w, s) for w in WIDGETS for s in sets]
    checks = {}
    for widget, name in cells:  # also warms both paths
        a = getattr(figures, widget)(sets[name])
        b = getattr(raw, widget)(sets[name])
        checks[f"{widget}|{name}"] = {
            "same": same(widget, a, b),
            "identical": a == b,
            "rows": len(a.rows) if hasattr(a, "rows") else len(a),
        }
    timings = {f"{w}|{s}": {"rollups": [], "raw": []} for w, s in cells}
    order = list(cells)
    shuffle = random.Random(SEED)
    load_before = os.getloadavg()[0]
    for round_no in range(1, rounds + 1):
        shuffle.shuffle(order)
        for widget, name in order:
            spent = timings[f"{widget}|{name}"]["rollups"]
            steps = []
            if round_no <= raw_rounds or sum(spent) < BUDGET_MS:
                steps.append(("rollups", getattr(figures, widget)))
            if round_no <= raw_rounds:
                steps.append(("raw", getattr(raw, widget)))
            if round_no % 2:
                steps.reverse()
            for path, fn in steps:
                timings[f"{widget}|{name}"][path].append(_timed(fn, sets[name]))
    load_after = os.getloadavg()[0]
    return {
        "checks": checks,
        "timings": timings,
        "arrivals": arrivals(data),
        "rollups": json.loads(stored.read_text()),
        "rebuilt_now": rebuilt is not None,
        "leftovers": leftovers,
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "cores": os.cpu_count(),
    }


def _worker(folder: Path, *args: str, timeout: float = 6 * 3600) -> dict:
    env = django_env(folder)
    done = subprocess.run(
        [sys.executable, "-m", "bench.insights", *args],
        env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"bench.insights {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the scenario -----------------------------------------------------------------------------


def data_key(messages: int) -> str:
    return f"insights-{messages}-v{VERSION}"


def run(args) -> dict:
    messages = args.insights_messages
    base = Path(args.insights_dir)
    folder = base / data_key(messages)
    built = None
    if not (folder / "ready.json").exists():
        for old in base.glob(f"insights-{messages}-*"):
            shutil.rmtree(old, ignore_errors=True)  # an older version of the same size
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        built = _worker(partial, "build", str(messages))
        (partial / "ready.json").write_text(json.dumps(built) + "\n")
        partial.rename(folder)
    data = json.loads((folder / "ready.json").read_text())
    measured = _worker(folder, "measure", str(args.insights_rounds), str(args.insights_raw_rounds))
    return summarise(data, measured, rounds=args.insights_rounds,
                     raw_rounds=args.insights_raw_rounds, built_now=built is not None,
                     folder=folder)  # fmt: skip


def _percentile(values: list[float], p: float) -> float:
    """Nearest rank, p in 0..100."""
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1]


def _stats(values: list[float]) -> dict:
    if not values:
        return {"p50_ms": None, "p95_ms": None, "n": 0}
    return {
        "p50_ms": round(statistics.median(values), 2),
        "p95_ms": round(_percentile(values, 95), 2),
        "n": len(values),
    }


def summarise(data: dict, measured: dict, *, rounds: int, raw_rounds: int, built_now: bool,
              folder: Path) -> dict:  # fmt: skip
    cells = {}
    for key, times in measured["timings"].items():
        widget, name = key.split("|")
        rolled, rawly = _stats(times["rollups"]), _stats(times["raw"])
        ratio = (
            round(rawly["p50_ms"] / rolled["p50_ms"], 1)
            if rolled["p50_ms"] and rawly["p50_ms"] is not None
            else None
        )
        check = measured["checks"][key]
        cells[key] = {
            "widget": widget,
            "filters": name,
            "rollups": rolled,
            "raw": rawly,
            "ratio_p50": ratio,
            "same": check["same"],
            "identical": check["identical"],
            "fast": rolled["p95_ms"] is not None and rolled["p95_ms"] < GOAL_P95_MS,
            "faster": ratio is not None and ratio >= GOAL_RATIO,
        }
    widgets = {}
    for widget in WIDGETS:
        mine = [c for c in cells.values() if c["widget"] == widget]
        widgets[widget] = {
            "worst_p95_ms": max(c["rollups"]["p95_ms"] for c in mine),
            "lowest_ratio": min(c["ratio_p50"] for c in mine if c["ratio_p50"] is not None),
            "all_same": all(c["same"] for c in mine),
        }
    slow = [k for k, c in cells.items() if not c["fast"]]
    short = [k for k, c in cells.items() if not c["faster"]]
    differ = [k for k, c in cells.items() if not c["same"]]
    arrivals = measured["arrivals"]
    goals = {
        "rollups_p95_ms": {"goal": GOAL_P95_MS, "misses": slow, "met": not slow},
        "ratio": {"goal": GOAL_RATIO, "misses": short, "met": not short},
        "same_results": {"goal": len(cells), "measured": len(cells) - len(differ),
                         "met": not differ},
    }  # fmt: skip
    errors = [f"rollups and raw differ: {k}" for k in differ]
    if arrivals["counted"] != arrivals["batch"] or not arrivals["raw_agrees"]:
        errors.append(f"the refresh counted {arrivals['counted']} of {arrivals['batch']} arrivals")
    if arrivals["counted_single"] != arrivals["single"] or not arrivals["restored"]:
        errors.append("single arrivals not counted, or not removed again")
    return {
        "scenario": NAME,
        "database": str(folder),
        "built_now": built_now,
        "data": data,
        "rollups": measured["rollups"],
        "rollups_rebuilt_now": measured["rebuilt_now"],
        "rounds": rounds,
        "raw_rounds": raw_rounds,
        "load_average": measured["load_average"],
        "cores": measured["cores"],
        "postgres": "not run (SQLite only)",
        "cells": cells,
        "widgets": widgets,
        "arrivals": arrivals,
        "goals": goals,
        "errors": errors,
    }


def report(results: dict) -> str:
    data, rolled = results["data"], results["rollups"]
    lines = [
        f"Insights: {data['messages']:,} customer messages ({data['all_messages']:,} with staff"
        f" replies) in {data['conversations']:,} conversations, {data['first_day']} to"
        f" {data['end_day']}; {results['rounds']} rounds on the rollups, {results['raw_rounds']}"
        " on the raw tables, interleaved"
        + (" (database built in this run)" if results["built_now"] else ""),
        f"  rollups: {rolled['days']} days, {rolled['rollup_rows']:,} rows, rebuilt in"
        f" {rolled['seconds']:,} s ({rolled['messages_per_second']:,} messages/s)"
        + (" in this run" if results["built_now"] or results["rollups_rebuilt_now"] else ""),
        "",
        f"  {'widget':<20} {'filters':<18} {'rollups p50/p95':>17} {'raw p50/p95':>19}"
        f" {'runs':>5} {'ratio':>8}  same  p95<{GOAL_P95_MS:.0f}ms  x{GOAL_RATIO:.0f}",
    ]

    def pair(s):
        return "-" if s["p50_ms"] is None else f"{s['p50_ms']:.1f}/{s['p95_ms']:.1f} ms"

    for c in results["cells"].values():
        r = c["ratio_p50"]
        ratio = "-" if r is None else (f"{r:,.0f}" if r >= 10 else f"{r:.1f}")
        runs = f"{c['rollups']['n']}/{c['raw']['n']}"
        lines.append(
            f"  {c['widget']:<20} {c['filters']:<18} {pair(c['rollups']):>17}"
            f" {pair(c['raw']):>19} {runs:>5} {ratio:>8}  {'yes' if c['same'] else 'NO':<4}"
            f"  {'PASS' if c['fast'] else 'MISS':<8}  {'PASS' if c['faster'] else 'MISS'}"
        )
    a = results["arrivals"]
    lines += [
        "",
        f"  arrivals: {a['batch']:,} messages inserted in {a['insert_ms']:.0f} ms ({a['marks']}"
        f" marks), refresh_pending {a['batch_refresh_ms']:.0f} ms for"
        f" {len(a['days_refreshed'])} day(s); counted {a['counted']:,}"
        f"{'' if a['raw_agrees'] else ' (raw differs)'}",
        f"  then {a['single']} single messages, refresh each: p50"
        f" {a['single_refresh_ms']['p50']:.0f} ms, max {a['single_refresh_ms']['max']:.0f} ms;"
        f" counted {a['counted_single']}; removed again: {'yes' if a['restored'] else 'NO'}",
        f"  load average {results['load_average'][0]} then {results['load_average'][1]} on"
        f" {results['cores']} cores. PostgreSQL: {results['postgres']}.",
        "  runs: timed calls on the rollups / on the raw tables; ratio: raw p50 / rollups p50;",
        "  same: equal answers on both paths (top topics up to the order of ties).",
        "",
    ]
    g = results["goals"]
    lines.append(
        f"  {'met' if g['rollups_p95_ms']['met'] else 'NOT met'}: every widget under"
        f" {GOAL_P95_MS:.0f} ms at p95 on the rollups"
        + (
            f" (missed: {len(g['rollups_p95_ms']['misses'])} of {len(results['cells'])})"
            if g["rollups_p95_ms"]["misses"]
            else ""
        )
    )
    lines.append(
        f"  {'met' if g['ratio']['met'] else 'NOT met'}: every widget at least"
        f" {GOAL_RATIO:.0f}x faster than the raw aggregate"
        + (
            f" (missed: {len(g['ratio']['misses'])} of {len(results['cells'])})"
            if g["ratio"]["misses"]
            else ""
        )
    )
    lines.append(
        f"  {'met' if g['same_results']['met'] else 'NOT met'}: the same answers on both paths"
        f" for {g['same_results']['measured']} of {g['same_results']['goal']}"
    )
    return "\n".join(lines)


def _main(argv: list[str]) -> None:
    key = rollups_key()  # of the code this process imports next
    import django

    django.setup()
    import insights.rollups  # noqa: F401

    command = argv[0]
    if command == "build":
        result = build(Path(os.environ["OPENLINE_DATA_DIR"]), int(argv[1]), key)
    elif command == "measure":
        result = measure(int(argv[1]), int(argv[2]), key)
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    _main(sys.argv[1:])
