"""`make bench` scenario "search": the site's search beside raw FTS5 on a million messages.

Builds (once; kept under var/bench/ and reused, keyed by size and a version) a SQLite
database with the real conversation and message tables and --search-messages messages of
short customer-service text in about a tenth as many conversations: each conversation keeps
to one topic (deliveries, refunds, the app …) with a Zipf-like vocabulary of everyday words
and a long tail of rare ones, generated from a fixed seed. Rows go in with plain SQL and the
search index is built once at the end, as the migration does for existing rows.

Then, in one process and interleaved over several rounds, the same queries (rare, medium
and common words, phrases, two-word queries) run through
  - the site's search (search.engine().search(): count, ranking, best message and snippets,
    filters off), as the /search/ page calls it;
  - raw FTS5 on the same table: SELECT rowid … WHERE search_index MATCH ? ORDER BY rank LIMIT 20;
  - raw FTS5 on a table with one row per message instead of per conversation, the layout the
    index did not take (docs/search.md says why);
  - raw PostgreSQL full-text search over the same conversations, when
    OPENLINE_BENCH_DATABASE_URL names a PostgreSQL database to use.
Goals from the community issue: the site's p95 within 1.3x of raw FTS5, common words under
40 ms at p95, and the same top results as raw FTS5.
"""

# ruff: noqa: S608 (SQL is built from this module's own table names; values are parameters)
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.servers import ROOT, BenchError, django_env

NAME = "search"
VERSION = 1  # bump when the generated data changes
GOAL_RATIO = 1.3
GOAL_COMMON_MS = 40.0
PG_ENV = "OPENLINE_BENCH_DATABASE_URL"
SEED = 20261201

GENERAL = (
    "i my the a to and is it was for of on in not have but you this with me be at "
    "that we your can are so do no just has been from an get as they all will would "
    "what there out now if up when one again any still had how or did our please thanks "
    "order help today week days hours yesterday update problem customer service team "
    "email reply waiting sorry great good bad love happy disappointed frustrated "
    "annoyed understand explain confirm check sent told asked called tried morning "
    "afternoon evening weekend month year minute manager agent chat call"
).split()

TOPICS = {
    "delivery": (
        "delivery parcel courier tracking driver van depot neighbour door safe place "
        "shipped dispatched transit arrived late address postcode signed collected",
        [
            "my order {n} has not arrived yet",
            "the tracking page still says in transit",
            "the courier left the parcel with a neighbour",
            "the driver did not even knock",
            "can I change the delivery address",
        ],
        [
            "Parcel {n} never arrived",
            "Courier left my parcel outside",
            "Late delivery again",
            "Tracking stuck in transit",
        ],
    ),
    "refund": (
        "refund money back return returned refunded label receipt days bank card "
        "credit store voucher policy processed",
        [
            "I would like my money back please",
            "where is my refund",
            "the refund for order {n} has not reached my bank",
            "I sent the return last week",
        ],
        ["Still waiting for my refund", "How long do refunds take", "Refund not received"],
    ),
    "app": (
        "app crash crashing crashed screen button login update version phone android "
        "iphone notification settings bug freeze logged",
        [
            "the app keeps crashing when I open my basket",
            "the app logs me out every day",
            "the new update broke the checkout button",
        ],
        ["App crashes on checkout", "Cannot log in to the app", "Notifications stopped working"],
    ),
    "payment": (
        "payment charged twice card paid invoice bank declined checkout price fee total "
        "billing transaction pending",
        [
            "I was charged twice for the same order",
            "my card was declined at checkout",
            "the invoice shows the wrong total",
        ],
        ["Charged twice for order {n}", "Card declined", "Wrong price on my invoice"],
    ),
    "account": (
        "account password reset login email address profile locked verify code link "
        "username security delete",
        [
            "how do I reset my password",
            "the reset link in the email does not work",
            "please delete my account",
        ],
        ["Locked out of my account", "Password reset link expired", "Change my email address"],
    ),
    "stock": (
        "stock size colour restock available sold out back waiting list item product "
        "sale offer bundle",
        [
            "when will the {w} be back in stock",
            "the {w} I ordered is the wrong size",
            "is the {w} available in another colour",
        ],
        ["When is the {w} back in stock", "Sizes for the {w}", "Restock dates"],
    ),
    "damaged": (
        "damaged broken item box packaging cracked scratched replacement photo glass "
        "missing part wrong",
        [
            "the item arrived damaged",
            "the box was crushed and the glass broken",
            "a part is missing from the box",
        ],
        ["Item arrived broken", "Damaged packaging", "Replacement for a cracked {w}"],
    ),
    "discount": (
        "discount code voucher coupon points rewards member offer sale promotion expired "
        "applied basket",
        [
            "the discount code does not work",
            "my reward points disappeared",
            "the voucher expired before I could use it",
        ],
        ["Discount code not accepted", "Where did my points go", "Voucher expired"],
    ),
    "subscription": (
        "subscription cancel renew monthly plan box skip pause billing renewal",
        [
            "please cancel my subscription",
            "how do I skip next month's box",
            "I was billed after cancelling my plan",
        ],
        ["Cancel my subscription", "Skip a month", "Billed after cancelling"],
    ),
    "praise": (
        "great fast quick excellent lovely amazing friendly helpful brilliant perfect "
        "recommend quality",
        [
            "thanks for the quick reply",
            "great service and fast delivery",
            "the team was really helpful",
        ],
        ["Thank you to the team", "Great service", "Lovely quality"],
    ),
}

SYLLABLES = (
    "ka lo mi ne ru ta ve xo bri dal fen gor hul jin kep lum mor nix pol quan ris sut "
    "tev urm vol wex yar zel ab ec id ob ul"
).split()


def _cum(n, s=1.0, q=2.0):
    acc, out = 0.0, []
    for r in range(n):
        acc += 1.0 / (r + 1 + q) ** s
        out.append(acc)
    return out


def _tail(count, seed):
    rng = random.Random(seed)
    seen, out = set(), []
    while len(out) < count:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4))))
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def corpus(messages, conversations, seed=20261201):
    """Yield (conversation_no, title, [bodies])."""
    rng = random.Random(seed)
    tail = _tail(40_000, seed)
    general = list(dict.fromkeys(GENERAL))
    gcum = _cum(len(general), s=1.0, q=2.0)
    tcum_tail = _cum(len(tail), s=1.0, q=10.0)
    names = list(TOPICS)
    tcum = _cum(len(names), s=0.7, q=1.0)
    topic_words = {k: v[0].split() for k, v in TOPICS.items()}
    twcum = {k: _cum(len(w), s=0.8, q=1.0) for k, w in topic_words.items()}
    # Thread lengths: mostly short, a few long (exponential, mean messages / conversations).
    mean = messages / conversations
    sizes = [1 + int(rng.expovariate(1 / max(mean - 0.5, 0.01))) for _ in range(conversations)]
    surplus = sum(sizes) - messages
    while surplus:
        i = rng.randrange(conversations)
        if surplus < 0:
            sizes[i], surplus = sizes[i] + 1, surplus + 1
        elif sizes[i] > 1:
            sizes[i], surplus = sizes[i] - 1, surplus - 1
    for c, n in enumerate(sizes):
        topic = rng.choices(names, cum_weights=tcum)[0]
        words, temps, titles = topic_words[topic], TOPICS[topic][1], TOPICS[topic][2]
        fill = {"n": 100_000 + (c * 7919) % 900_000, "w": rng.choice(tail[:2000])}
        title = rng.choice(titles).format(**fill)
        bodies = []
        for _ in range(n):
            length = rng.choice((3, 5, 7, 9, 12, 15, 20))
            k_topic = length // 3
            k_tail = sum(1 for _ in range(length) if rng.random() < 0.1)
            parts = rng.choices(general, cum_weights=gcum, k=max(0, length - k_topic - k_tail))
            parts += rng.choices(tail, cum_weights=tcum_tail, k=k_tail)
            parts += rng.choices(words, cum_weights=twcum[topic], k=k_topic)
            rng.shuffle(parts)
            if rng.random() < 0.6:
                cut = rng.randrange(len(parts) + 1)
                parts[cut:cut] = [rng.choice(temps).format(**fill)]
            bodies.append(" ".join(parts))
        yield c + 1, title, bodies


# --- the queries ------------------------------------------------------------------------------

TAIL = _tail(40_000, SEED)
QUERIES = {
    "rare word": [TAIL[i] for i in (2000, 5000, 10_000, 20_000, 35_000)],
    "medium word": ["voucher", "depot", "renewal", "cracked", "declined", "restock"],
    "common word": ["order", "please", "delivery", "refund", "waiting", "thanks"],
    "phrase": [
        '"money back"',
        '"charged twice"',
        '"tracking page"',
        '"reset link"',
        '"in transit"',
    ],
    "two words": ["refund bank", "app crash", "courier late", "voucher expired", "password reset"],
}
COMMON = "common word"
KIND_SHARES = [
    ("question", 40),
    ("discussion", 38),
    ("idea", 17),
    ("article", 3),
    ("known_issue", 2),
]
TOP = 20


# --- building the database --------------------------------------------------------------------


def data_key(messages: int) -> str:
    """Size, version and the SQL that builds the index: a change to any builds afresh."""
    from search import schema

    sql = json.dumps([schema.SQLITE_CREATE, schema.SQLITE_REBUILD])
    return f"search-{messages}-v{VERSION}-{hashlib.sha256(sql.encode()).hexdigest()[:8]}"


def build(folder: Path, messages: int) -> dict:
    """Run inside a process whose Django settings point at `folder` (see _worker)."""
    from django.db import connection

    from conversations.models import Conversation, Message
    from search import schema

    started = time.perf_counter()
    with connection.schema_editor() as editor:
        editor.create_model(Conversation)
        editor.create_model(Message)
    conversations = max(1, messages // 10)
    rng = random.Random(SEED)
    kinds = rng.choices(
        [k for k, _ in KIND_SHARES], weights=[w for _, w in KIND_SHARES], k=conversations
    )
    stamp = "2026-11-01 09:00:00"
    raw = connection.connection  # the sqlite3 connection underneath: executemany in bulk
    # Only two of the site's tables exist here: their foreign keys point at nothing.
    raw.execute("PRAGMA foreign_keys=OFF")
    raw.execute("PRAGMA synchronous=OFF")
    raw.execute("PRAGMA cache_size=-500000")  # the message table's indexes stay in memory
    conv_sql = (
        "INSERT INTO conversations_conversation (id, kind, is_public, title, slug, summary,"
        " published_at, created_at, updated_at, last_activity_at, comment_count, comments_open,"
        " locked, thread_version, author_id, reply_token, priority)"
        " VALUES (?, ?, 1, ?, ?, '', ?, ?, ?, ?, ?, 1, 0, 0, 1, '', 1)"
    )
    msg_sql = (
        "INSERT INTO conversations_message (id, conversation_id, is_opening, body_md, body_html,"
        " official, internal, channel, external_id, external_url, moderation, idempotency_key,"
        " response_state, no_reply_reason, created_at, updated_at, author_id, analysed_with,"
        " intent, sentiment) VALUES (?, ?, ?, ?, '', 0, 0, 'web', '', '', 'visible', '',"
        " 'na', '', ?, ?, 1, '', '', '')"
    )
    with connection.cursor() as cursor:
        for name in schema.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    message_id = 0
    convs, msgs = [], []
    for number, title, bodies in corpus(messages, conversations, SEED):
        convs.append((number, kinds[number - 1], title, f"c{number}", stamp, stamp, stamp, stamp,
                      len(bodies) - 1))  # fmt: skip
        for i, body in enumerate(bodies):
            message_id += 1
            msgs.append((message_id, number, int(i == 0), body, stamp, stamp))
        if len(msgs) >= 50_000:
            raw.executemany(conv_sql, convs)
            raw.executemany(msg_sql, msgs)
            convs, msgs = [], []
    raw.executemany(conv_sql, convs)
    raw.executemany(msg_sql, msgs)
    raw.commit()
    loaded = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in schema.SQLITE_REBUILD:
            cursor.execute(sql)
        for sql in schema.SQLITE_TRIGGERS.values():
            cursor.execute(sql)
    raw.commit()
    indexed = time.perf_counter()
    # The layout the index did not take: one row per message, the title on the opening one.
    raw.executescript(f"""
        CREATE VIRTUAL TABLE bench_message_index USING fts5(
            title, body, tokenize = 'unicode61 remove_diacritics 2');
        INSERT INTO bench_message_index(bench_message_index, rank)
            VALUES ('rank', 'bm25({schema.TITLE_WEIGHT}, 1.0)');
        INSERT INTO bench_message_index(rowid, title, body)
            SELECT m.id, CASE WHEN m.is_opening THEN c.title ELSE '' END, m.body_md
            FROM conversations_message AS m
            JOIN conversations_conversation AS c ON c.id = m.conversation_id;
        INSERT INTO bench_message_index(bench_message_index) VALUES ('optimize');
    """)
    raw.commit()
    return {
        "messages": message_id,
        "conversations": conversations,
        "load_seconds": round(loaded - started, 1),
        "index_seconds": round(indexed - loaded, 1),
        "message_index_seconds": round(time.perf_counter() - indexed, 1),
    }


# --- measuring --------------------------------------------------------------------------------


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def _runs(runs: list[tuple[int, float]]) -> list[tuple[float, set[int]]]:
    """Consecutive ids of equal score, as (score, ids): the order inside a tie is arbitrary."""
    out: list[tuple[float, set[int]]] = []
    for rowid, score in runs:
        if out and abs(out[-1][0] - score) <= 1e-9 * max(1.0, abs(score)):
            out[-1][1].add(rowid)
        else:
            out.append((score, {rowid}))
    return out


def same_top(app: list[tuple[int, float]], raw: list[tuple[int, float]]) -> bool:
    """The same conversations in the same order, up to the order of equal scores; in a tie
    cut by the limit, any of the tied conversations may fill the last places."""
    a, r = _runs(app), _runs(raw)
    if len(app) != len(raw) or len(a) != len(r):
        return False
    for i, ((sa, ia), (sr, ir)) in enumerate(zip(a, r, strict=True)):
        if abs(sa - sr) > 1e-9 * max(1.0, abs(sa)) or len(ia) != len(ir):
            return False
        if i < len(a) - 1 and ia != ir:
            return False
    return True


def _timed(fn, text: str) -> tuple[float, float]:
    """Milliseconds of wall time and of CPU time (all this process's threads)."""
    cpu, started = time.process_time(), time.perf_counter()
    fn(text)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def measure(rounds: int, pg_url: str | None) -> dict:
    """Run inside a process whose Django settings point at the benchmark database."""
    from django.db import connection

    from search.backends import engine
    from search.backends.fts5 import match_expression
    from search.query import parse

    backend = engine()
    T = "search_index"
    queries = [(cls, text) for cls, texts in QUERIES.items() for text in texts]

    def app(text):
        return backend.search(text, per_page=TOP)

    def raw(text, table=T):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {table} WHERE {table} MATCH %s ORDER BY rank LIMIT {TOP}",
                [match_expression(parse(text))],
            )
            return cursor.fetchall()

    pg = _Postgres(pg_url) if pg_url else None
    info = {}
    with connection.cursor() as cursor:
        for cls, text in queries:
            expression = match_expression(parse(text))
            cursor.execute(
                f"SELECT rowid, rank FROM {T} WHERE {T} MATCH %s ORDER BY rank LIMIT {TOP}",
                [expression],
            )
            raw_top = [(rowid, -rank) for rowid, rank in cursor.fetchall()]
            app_top = [(h.conversation_id, h.score) for h in app(text).hits]
            cursor.execute(f"SELECT count(*) FROM {T} WHERE {T} MATCH %s", [expression])
            rows = cursor.fetchone()[0]
            cursor.execute(
                "SELECT count(*) FROM bench_message_index WHERE bench_message_index MATCH %s",
                [expression],
            )
            info[text] = {
                "class": cls,
                "conversations": rows,
                "messages": cursor.fetchone()[0],
                "same_top": same_top(app_top, raw_top),
                "identical_order": [i for i, _ in app_top] == [i for i, _ in raw_top],
                "results": len(app_top),
            }
    if pg:
        pg.load(connection)
    timings = {
        text: {"app": [], "raw": [], "per_message": [], "postgres": []} for _, text in queries
    }
    cpu_times = {
        text: {"app": [], "raw": [], "per_message": [], "postgres": []} for _, text in queries
    }
    order = list(queries)
    shuffle = random.Random(SEED)
    load_before = os.getloadavg()[0]
    for round_no in range(rounds + 1):  # round 0 warms the caches and is not counted
        shuffle.shuffle(order)
        for _, text in order:
            steps = [
                ("app", app),
                ("raw", raw),
                ("per_message", lambda t: raw(t, "bench_message_index")),
            ]
            if pg:
                steps.append(("postgres", pg.query))
            if round_no % 2:
                steps.reverse()
            for name, fn in steps:
                ms, cpu = _timed(fn, text)
                if round_no:
                    timings[text][name].append(ms)
                    cpu_times[text][name].append(cpu)
    if pg:
        pg.close()
    return {
        "queries": info,
        "timings": timings,
        "cpu": cpu_times,
        "postgres": bool(pg),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cores": os.cpu_count(),
    }


class _Postgres:
    """The same conversations in a PostgreSQL table shaped like search_document, queried
    raw: WHERE document @@ q ORDER BY ts_rank(…) DESC LIMIT 20."""

    TABLE = "bench_search_document"

    def __init__(self, url: str):
        import psycopg

        self.db = psycopg.connect(url, autocommit=True)

    def load(self, sqlite_connection) -> None:
        from search import schema

        count = self.db.execute(
            "SELECT count(*) FROM pg_tables WHERE tablename = %s", [self.TABLE]
        ).fetchone()[0]
        with sqlite_connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_index")
            rows = cursor.fetchone()[0]
        if count:
            have = self.db.execute(f"SELECT count(*) FROM {self.TABLE}").fetchone()[0]
            if have == rows:
                return
            self.db.execute(f"DROP TABLE {self.TABLE}")
        self.db.execute(
            f"CREATE TABLE {self.TABLE} (conversation_id bigint PRIMARY KEY, title text,"
            " body text, document tsvector)"
        )
        with sqlite_connection.cursor() as cursor:
            cursor.execute("SELECT rowid, title, body FROM search_index")
            with self.db.cursor().copy(
                f"COPY {self.TABLE} (conversation_id, title, body) FROM STDIN"
            ) as copy:
                for row in cursor.fetchall():
                    copy.write_row(row)
        config = schema.PG_CONFIG
        self.db.execute(
            f"UPDATE {self.TABLE} SET document = setweight(to_tsvector('{config}', title), 'A')"
            f" || setweight(to_tsvector('{config}', body), 'D')"
        )
        self.db.execute(f"CREATE INDEX ON {self.TABLE} USING gin (document)")
        self.db.execute(f"VACUUM ANALYZE {self.TABLE}")

    def query(self, text: str):
        from search.backends.postgres import WEIGHTS, tsquery
        from search.query import parse

        q, params = tsquery(parse(text))
        return self.db.execute(
            f"SELECT conversation_id FROM {self.TABLE}, (SELECT {q} AS q) AS q"
            f" WHERE document @@ q.q ORDER BY ts_rank({WEIGHTS}, document, q.q) DESC LIMIT {TOP}",
            params,
        ).fetchall()

    def close(self) -> None:
        self.db.close()


def _worker(folder: Path, *args: str, timeout: float = 3600, **extra_env: str) -> dict:
    env = django_env(folder, **extra_env)
    done = subprocess.run(
        [sys.executable, "-m", "bench.search", *args],
        env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"bench.search {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the scenario -----------------------------------------------------------------------------


def run(args) -> dict:
    messages = args.search_messages
    base = Path(args.search_dir)
    folder = base / data_key(messages)
    built = None
    if not (folder / "ready.json").exists():
        for old in base.glob(f"search-{messages}-*"):
            shutil.rmtree(old, ignore_errors=True)  # an older version of the same size
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        built = _worker(partial, "build", str(messages))
        (partial / "ready.json").write_text(json.dumps(built) + "\n")
        partial.rename(folder)
    data = json.loads((folder / "ready.json").read_text())
    pg_url = os.environ.get(PG_ENV) or ""
    measured = _worker(folder, "measure", str(args.search_rounds), **{PG_ENV: pg_url})
    return summarise(data, measured, rounds=args.search_rounds, built_now=built is not None,
                     folder=folder)  # fmt: skip


def _stats(values: list[float]) -> dict:
    if not values:
        return {"p50_ms": None, "p95_ms": None, "n": 0}
    return {
        "p50_ms": round(statistics.median(values), 2),
        "p95_ms": round(_percentile(values, 95), 2),
        "n": len(values),
    }


def summarise(data: dict, measured: dict, *, rounds: int, built_now: bool, folder: Path) -> dict:
    info, timings, cpu = measured["queries"], measured["timings"], measured["cpu"]
    paths = ("app", "raw", "per_message", "postgres")
    classes = {}
    for cls in QUERIES:
        texts = [t for t in QUERIES[cls] if t in info]
        row = {
            "queries": texts,
            "conversations_matched": [info[t]["conversations"] for t in texts],
            "messages_matched": [info[t]["messages"] for t in texts],
        }
        for path in paths:
            row[path] = _stats([ms for t in texts for ms in timings[t][path]])
            row[path]["cpu_p50_ms"] = _stats([ms for t in texts for ms in cpu[t][path]])["p50_ms"]
        row["ratio_p95"] = _ratio(row["app"]["p95_ms"], row["raw"]["p95_ms"])
        classes[cls] = row
    for text, row in info.items():
        for path in paths:
            values = timings[text][path]
            row[f"{path}_p50_ms"] = round(statistics.median(values), 2) if values else None
    overall = {p: _stats([ms for t in timings for ms in timings[t][p]]) for p in paths}
    ratio = _ratio(overall["app"]["p95_ms"], overall["raw"]["p95_ms"])
    common = classes[COMMON]["app"]["p95_ms"]
    mismatched = [t for t, i in info.items() if not i["same_top"]]
    goals = {
        "app_vs_raw_p95": {"goal": GOAL_RATIO, "measured": ratio,
                           "met": ratio is not None and ratio <= GOAL_RATIO},
        "common_word_p95_ms": {"goal": GOAL_COMMON_MS, "measured": common,
                               "met": common is not None and common < GOAL_COMMON_MS},
        "same_top_results": {"goal": len(info), "measured": len(info) - len(mismatched),
                             "met": not mismatched},
    }  # fmt: skip
    return {
        "scenario": NAME,
        "database": str(folder),
        "built_now": built_now,
        "data": data,
        "rounds": rounds,
        "load_average": measured["load_average"],
        "cores": measured["cores"],
        "postgres": "run" if measured["postgres"] else f"not run (set {PG_ENV})",
        "classes": classes,
        "overall": overall,
        "ratio_p95": ratio,
        "queries": info,
        "mismatched": mismatched,
        "goals": goals,
        # A rare word may be missing from a small database; anything else means a broken index.
        "errors": [
            f"no results for {t!r}"
            for t, i in info.items()
            if not i["results"] and i["class"] != "rare word"
        ],
    }


def _ratio(a, b):
    return round(a / b, 2) if a is not None and b else None


def report(results: dict) -> str:
    data = results["data"]
    lines = [
        f"Search: {data['messages']:,} messages in {data['conversations']:,} conversations, "
        f"{results['rounds']} rounds, interleaved"
        + (" (database built in this run)" if results["built_now"] else ""),
        "",
        f"  {'query class':<12} {'rows':>15} {'site p50/p95':>16} {'raw FTS5':>16} {'ratio':>6}"
        f" {'per message':>16} {'PostgreSQL':>16}",
    ]

    def pair(s):
        return "-" if s["p50_ms"] is None else f"{s['p50_ms']:.1f}/{s['p95_ms']:.1f} ms"

    def span(values):
        return f"{min(values):,}-{max(values):,}" if values else "-"

    everything = {
        **results["overall"],
        "conversations_matched": [],
        "ratio_p95": results["ratio_p95"],
    }
    for cls, row in [*results["classes"].items(), ("all", everything)]:
        ratio = "-" if row["ratio_p95"] is None else f"{row['ratio_p95']:.2f}"
        lines.append(
            f"  {cls:<12} {span(row['conversations_matched']):>15} {pair(row['app']):>16}"
            f" {pair(row['raw']):>16} {ratio:>6} {pair(row['per_message']):>16}"
            f" {pair(row['postgres']):>16}"
        )
    cpu = results["classes"][COMMON]
    lines += [
        "",
        f"  common words, CPU time at p50: site {cpu['app']['cpu_p50_ms']} ms (both threads),"
        f" raw FTS5 {cpu['raw']['cpu_p50_ms']} ms; load average {results['load_average'][0]}"
        f" then {results['load_average'][1]} on {results['cores']} cores.",
        "  rows: conversations the query matches (the index has one row per conversation);",
        "  per message: raw FTS5 on the same text with one row per message instead.",
        f"  PostgreSQL: {results['postgres']}.",
        "",
    ]
    g = results["goals"]
    lines.append(
        f"  {'met' if g['app_vs_raw_p95']['met'] else 'NOT met'}: site p95 within "
        f"{GOAL_RATIO}x of raw FTS5 (measured {g['app_vs_raw_p95']['measured']})"
    )
    lines.append(
        f"  {'met' if g['common_word_p95_ms']['met'] else 'NOT met'}: common words under "
        f"{GOAL_COMMON_MS:.0f} ms at p95 (measured {g['common_word_p95_ms']['measured']} ms)"
    )
    lines.append(
        f"  {'met' if g['same_top_results']['met'] else 'NOT met'}: same top {TOP} as raw FTS5 "
        f"for {g['same_top_results']['measured']} of {g['same_top_results']['goal']} queries"
        + (f" (differ: {', '.join(results['mismatched'])})" if results["mismatched"] else "")
    )
    return "\n".join(lines)


def _main(argv: list[str]) -> None:
    import django

    django.setup()
    command = argv[0]
    if command == "build":
        result = build(Path(os.environ["OPENLINE_DATA_DIR"]), int(argv[1]))
    elif command == "measure":
        result = measure(int(argv[1]), os.environ.get(PG_ENV) or None)
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    _main(sys.argv[1:])
