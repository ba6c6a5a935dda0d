"""One small interface over the database's own full-text search.

    results = search.engine().search("refund late", kinds=("question",), page=1)

`engine()` picks the backend for the database in use (settings.SEARCH_BACKEND "auto"), or
the one the setting forces: SQLite FTS5 or PostgreSQL full-text search. Both read one index
row per searchable conversation (search/schema.py), rank conversations by relevance with the
title counting ten times the text, and say which message matched best, with a snippet.
"""

# ruff: noqa: S608 (table names come from the models and schema; every value is a parameter)
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection
from django.utils import timezone
from markupsafe import Markup, escape

from openline.routing import cached_reverse
from search import schema
from search.query import Query, parse

log = logging.getLogger(__name__)

PER_PAGE = 20
MAX_PAGE = 50  # deeper pages say nothing a better query would not
COMMUNITY_KINDS = ("discussion", "question", "idea")
START, STOP = "\ue000", "\ue001"  # highlight markers; the parser strips them from input
SNIPPET_CHARS = 220
QUESTION_STATUSES = ("solved", "unsolved")


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    category: str | None = None  # a category's slug
    status: str | None = None  # solved/unsolved, a known issue's status, an idea status slug
    label: str | None = None  # a label's slug

    def __bool__(self) -> bool:
        return bool(self.kinds or self.category or self.status or self.label)


@dataclass
class Hit:
    conversation_id: int
    message_id: int | None  # the message that matched best (the first when only the title
    # did); None when the conversation shows no message at all
    kind: str
    title: Markup  # highlighted, escaped
    snippet: Markup  # highlighted, escaped
    url: str
    score: float  # higher is more relevant; comparable within one result list only


@dataclass
class Results:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # matching conversations, all pages
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total and self.page < MAX_PAGE

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.hits else 0

    @property
    def last(self) -> int:
        return self.first + len(self.hits) - 1 if self.hits else 0


class Backend:
    """What both backends share: filters, paging, snippets. Subclasses run the SQL:

    count(query, filters) -> int: matching conversations;
    ranked(query, filters, *, limit, offset, total) -> [(conversation id, score)], best
        first, ties by id; `total` is what count() said;
    documents(query, ids) -> {id: (highlighted title, highlighted body, message ids, kind,
        slug)}.
    """

    name = ""
    vendor = ""

    def search(
        self,
        query: str | Query,
        *,
        kinds: tuple[str, ...] | list[str] = (),
        category: str | None = None,
        status: str | None = None,
        label: str | None = None,
        page: int = 1,
        per_page: int = PER_PAGE,
    ) -> Results:
        parsed = query if isinstance(query, Query) else parse(query)
        page = min(max(1, int(page)), MAX_PAGE)
        results = Results(parsed, page=page, per_page=per_page)
        kinds = tuple(k for k in kinds if k in schema.KINDS)
        filters = Filters(kinds, category or None, status or None, label or None)
        if not parsed:
            return results
        try:
            results.total = self.count(parsed, filters)
            if results.total > (page - 1) * per_page:
                ranked = self.ranked(
                    parsed,
                    filters,
                    limit=per_page,
                    offset=(page - 1) * per_page,
                    total=results.total,
                )
                results.hits = self.hits(parsed, ranked) if ranked else []
        except DatabaseError:
            # The parser hands the database only quoted words; should one still be refused,
            # the person sees no results rather than an error page.
            log.exception("search failed for %r", parsed.raw[:200])
            results.hits, results.total = [], 0
        return results

    # --- shared ----------------------------------------------------------------------------

    def hits(self, query: Query, ranked: list[tuple[int, float]]) -> list[Hit]:
        docs = self.documents(query, [cid for cid, _ in ranked])
        out = []
        for cid, score in ranked:
            if cid not in docs:  # gone between the two statements
                continue
            title, body, message_ids, kind, slug = docs[cid]
            message_id, snippet = best_message(body, message_ids)
            base = cached_reverse(
                "community:topic" if kind in COMMUNITY_KINDS else "blog:post", slug
            )
            first = message_ids.split(" ", 1)[0]
            url = (
                base if message_id is None or str(message_id) == first else f"{base}#m{message_id}"
            )
            out.append(Hit(cid, message_id, kind, marked(title), snippet, url, score))
        return out

    def scope(self, filters: Filters, id_column: str) -> tuple[str, list]:
        """SQL restricting the index rows to published conversations that pass the filters.

        The index holds conversations with a publication time; those scheduled for later
        are left out here. The id test is written `+id` on SQLite so the database filters
        the matches rather than looking each allowed id up in the index."""
        from community.models import Idea, IdeaStatus, Question
        from conversations.models import Category, Conversation, KnownIssue, Label

        conv = Conversation._meta.db_table
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        kinds = ", ".join(f"'{k}'" for k in schema.KINDS)
        column = f"+{id_column}" if self.vendor == "sqlite" else id_column
        if not filters:
            return (
                f" AND {column} NOT IN (SELECT c.id FROM {conv} AS c"
                f" WHERE c.kind IN ({kinds}) AND c.published_at > %s)",
                [now],
            )
        where, params = [f"c.kind IN ({kinds})", "c.published_at <= %s"], [now]
        if filters.kinds:
            where.append(f"c.kind IN ({', '.join(['%s'] * len(filters.kinds))})")
            params += list(filters.kinds)
        if filters.category:
            where.append(
                f"c.category_id IN (SELECT id FROM {Category._meta.db_table} WHERE slug = %s)"
            )
            params.append(filters.category)
        if filters.label:
            through = Conversation.labels.through._meta.db_table
            where.append(
                f"c.id IN (SELECT cl.conversation_id FROM {through} AS cl"
                f" JOIN {Label._meta.db_table} AS l ON l.id = cl.label_id WHERE l.slug = %s)"
            )
            params.append(filters.label)
        if filters.status:
            either = [
                f"c.id IN (SELECT conversation_id FROM {KnownIssue._meta.db_table}"
                " WHERE status = %s)",
                f"c.id IN (SELECT i.conversation_id FROM {Idea._meta.db_table} AS i"
                f" JOIN {IdeaStatus._meta.db_table} AS s ON s.id = i.status_id WHERE s.slug = %s)",
            ]
            params += [filters.status, filters.status]
            if filters.status in QUESTION_STATUSES:
                empty = "NOT NULL" if filters.status == "solved" else "NULL"
                either.append(
                    f"c.id IN (SELECT conversation_id FROM {Question._meta.db_table}"
                    f" WHERE accepted_answer_id IS {empty})"
                )
            where.append(f"({' OR '.join(either)})")
        return (
            f" AND {column} IN (SELECT c.id FROM {conv} AS c WHERE {' AND '.join(where)})",
            params,
        )


# --- snippets ---------------------------------------------------------------------------------

_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_PUNCT = re.compile(r"[*_`#~]+")


def _plain(text: str) -> str:
    if "](" in text:
        text = _MARKDOWN_LINK.sub(r"\1", text)
    return _MARKDOWN_PUNCT.sub("", text)


_MARKERS = re.compile(f"([{START}{STOP}])")


def marked(highlighted: str, *, limit: int | None = None) -> Markup:
    """Escaped text with <mark> around the words between START and STOP markers; past
    `limit` characters, a window of about that many around the first match."""
    highlighted = _plain(highlighted)
    text, before, after = highlighted, "", ""
    if limit is not None and len(text) > limit:
        first = max(0, text.find(START))
        start = max(0, first - limit // 3)
        if start:
            start = text.find(" ", start, first + 1) + 1 or first
        end = min(len(text), start + limit)
        if end < len(text):
            end = text.rfind(" ", first + 1, end) if text.rfind(" ", first + 1, end) > 0 else end
        open_mark = text.rfind(START, 0, start) > text.rfind(STOP, 0, start)
        text = (START if open_mark else "") + text[start:end]
        before, after = ("… " if start else ""), (" …" if end < len(highlighted) else "")
    html, on = [], False
    for piece in _MARKERS.split(text):
        if piece in (START, STOP):
            on = piece == START
        elif piece:
            piece = str(escape(piece))
            html.append(f"<mark>{piece}</mark>" if on and piece.strip() else piece)
    return Markup(before + " ".join("".join(html).split()) + after)  # noqa: S704 (escaped)


def best_message(body: str, message_ids: str) -> tuple[int | None, Markup]:
    """The message with the most matched words, and a snippet of it around the first."""
    parts = body.split(schema.SEPARATOR)
    ids = message_ids.split()
    counts = [part.count(START) for part in parts]
    best = max(range(len(parts)), key=lambda i: (counts[i], -i)) if parts else 0
    if best >= len(ids):
        return None, Markup("")
    return int(ids[best]), marked(parts[best], limit=SNIPPET_CHARS)


# --- choosing a backend ---------------------------------------------------------------------


def engine(vendor: str | None = None) -> Backend:
    from search.backends.fts5 import Fts5Backend
    from search.backends.postgres import PostgresBackend

    vendor = vendor or connection.vendor
    choice = settings.SEARCH_BACKEND
    if choice == "auto":
        choice = {"sqlite": "fts5", "postgresql": "postgres"}.get(vendor, "")
    backend = {"fts5": Fts5Backend, "postgres": PostgresBackend}.get(choice)
    if backend is None or backend.vendor != vendor:
        raise ImproperlyConfigured(
            f"OPENLINE_SEARCH_BACKEND={settings.SEARCH_BACKEND!r} does not work on a "
            f"{vendor} database: use auto, fts5 (SQLite) or postgres (PostgreSQL)."
        )
    return backend()
