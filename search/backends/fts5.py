"""Search on SQLite: the FTS5 table `search_index`, ranked by bm25 (search/schema.py)."""

# ruff: noqa: S608 (table names come from search.schema; every value is a parameter)
from __future__ import annotations

import itertools
import os
import queue
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from search import schema
from search.backends import START, STOP, Backend, Filters
from search.query import Query, Term

T = schema.SQLITE_TABLE
# The same weights as the table's configured `rank`, so `ORDER BY rank` agrees with us.
SCORE = f"bm25({T}, {schema.TITLE_WEIGHT}, 1.0)"
# A query matching this many conversations or more is ranked in parts of the index at once,
# on a connection and a core each (docs/search.md); fewer are quicker on one.
PARALLEL_FROM = 2_000
PARTS = max(1, min(4, os.cpu_count() or 1))


def _term(term: Term) -> str:
    # Terms hold only letters, digits and spaces (search.query): quoting makes each a string
    # FTS5 tokenizes itself, never an operator.
    return '"' + term.text.replace('"', '""') + '"' + ("*" if term.prefix else "")


def match_expression(query: Query) -> str:
    expression = " AND ".join(_term(t) for t in query.include)
    if query.exclude:
        excluded = " OR ".join(_term(t) for t in query.exclude)
        expression = f"({expression}) NOT ({excluded})"
    return expression


class Fts5Backend(Backend):
    name = "fts5"
    vendor = "sqlite"

    def count(self, query: Query, filters: Filters) -> int:
        scope, params = self.scope(filters, f"{T}.rowid")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {T} WHERE {T} MATCH %s{scope}",
                [match_expression(query), *params],
            )
            return cursor.fetchone()[0]

    def ranked(self, query: Query, filters: Filters, *, limit: int, offset: int = 0, total=0):
        # ORDER BY the score with a LIMIT keeps only the best rows while scoring, where
        # ORDER BY rank sorts every match first; the order is the same (docs/search.md).
        scope, params = self.scope(filters, f"{T}.rowid")
        sql = f"SELECT {T}.rowid, {SCORE} AS score FROM {T} WHERE {T} MATCH %s{{part}}{scope}"
        sql += f" ORDER BY score, {T}.rowid LIMIT %s"
        expression = match_expression(query)
        if total >= PARALLEL_FROM and PARTS > 1 and _parallel_ok():
            rows = _in_parts(sql, expression, params, limit + offset)
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql.format(part=""), [expression, *params, limit + offset])
                rows = cursor.fetchall()
        return [(rowid, -score) for rowid, score in rows[offset : offset + limit]]

    def documents(self, query: Query, ids: list[int]) -> dict[int, tuple]:
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {T}.rowid, highlight({T}, 0, %s, %s), highlight({T}, 1, %s, %s),"
                f" {T}.message_ids, c.kind, c.slug"
                f" FROM {T} JOIN conversations_conversation AS c ON c.id = {T}.rowid"
                f" WHERE {T} MATCH %s AND {T}.rowid IN ({marks})",
                [START, STOP, START, STOP, match_expression(query), *ids],
            )
            return {row[0]: row[1:] for row in cursor.fetchall()}


# --- ranking on several cores -------------------------------------------------------------------
#
# bm25 costs about a microsecond for every matching row, and a word found in half of all
# conversations is scored in each before the best twenty are known. The index is cut in
# PARTS ranges of ids; each is ranked on a read-only connection of its own, in a thread of
# its own (sqlite3 lets go of the GIL while it works), and the best of each merged. Scores
# do not depend on the part: bm25 reads its statistics from the whole table.


def _parallel_ok() -> bool:
    # Other connections do not see what this one has not committed.
    return connection.vendor == "sqlite" and not connection.in_atomic_block


class _Readers:
    """This process's read-only connections to the database, one per part, and threads."""

    def __init__(self, name: str):
        self.pid, self.name = os.getpid(), name
        self.free: queue.SimpleQueue = queue.SimpleQueue()
        for _ in range(PARTS):
            self.free.put(self._connect())
        self.threads = ThreadPoolExecutor(PARTS, thread_name_prefix="search")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.name, uri=self.name.startswith("file:"), check_same_thread=False, timeout=20
        )
        db.execute("PRAGMA query_only = 1")
        db.execute("PRAGMA mmap_size = 134217728")
        return db

    def run(self, sql: str, params: list) -> list:
        db = self.free.get()
        try:
            return db.execute(sql, params).fetchall()
        finally:
            self.free.put(db)


_readers: _Readers | None = None
_readers_lock = threading.Lock()


def _pool() -> _Readers:
    global _readers
    name = str(connection.settings_dict["NAME"])
    with _readers_lock:
        if _readers is None or _readers.pid != os.getpid() or _readers.name != name:
            _readers = _Readers(name)  # a forked worker opens its own
        return _readers


def _in_parts(sql: str, expression: str, params: list, limit: int) -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM conversations_conversation")
        top = cursor.fetchone()[0] or 0
    cuts = [round(top * i / PARTS) for i in range(PARTS + 1)]
    sql = sql.format(part=f" AND {T}.rowid > ? AND {T}.rowid <= ?").replace("%s", "?")
    pool = _pool()
    futures = [
        pool.threads.submit(pool.run, sql, [expression, lo, hi, *params, limit])
        for lo, hi in itertools.pairwise(cuts)
    ]
    rows = [row for future in futures for row in future.result()]
    return sorted(rows, key=lambda row: (row[1], row[0]))[:limit]
