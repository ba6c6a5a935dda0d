"""Search on PostgreSQL: the table `search_document` with a GIN-indexed tsvector, ranked by
ts_rank with the title (weight A) counting ten times the text (weight D)."""

# ruff: noqa: S608 (table names come from search.schema; every value is a parameter)
from __future__ import annotations

from django.db import connection

from search import schema
from search.backends import START, STOP, Backend, Filters
from search.query import Query, Term

T = schema.PG_TABLE
CONFIG = schema.PG_CONFIG
# ts_rank's weights for D, C, B, A.
WEIGHTS = f"'{{{1 / schema.TITLE_WEIGHT}, 0.2, 0.4, 1.0}}'"
HEADLINE = f"HighlightAll=true, StartSel={START}, StopSel={STOP}"


def _term(term: Term) -> tuple[str, str]:
    if term.prefix:
        # Only letters, digits and spaces reach here (search.query), so the quoting is safe.
        lexemes = " <-> ".join(f"'{w}'" for w in term.text.split())
        return f"to_tsquery('{CONFIG}', %s)", lexemes + ":*"
    function = "phraseto_tsquery" if term.phrase else "plainto_tsquery"
    return f"{function}('{CONFIG}', %s)", term.text


def tsquery(query: Query) -> tuple[str, list[str]]:
    parts, params = [], []
    for negative, terms in ((False, query.include), (True, query.exclude)):
        for term in terms:
            sql, param = _term(term)
            parts.append(f"!!{sql}" if negative else sql)
            params.append(param)
    return "(" + " && ".join(parts) + ")", params


class PostgresBackend(Backend):
    name = "postgres"
    vendor = "postgresql"

    def count(self, query: Query, filters: Filters) -> int:
        q, q_params = tsquery(query)
        scope, params = self.scope(filters, "d.conversation_id")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {T} AS d WHERE d.document @@ {q}{scope}",
                [*q_params, *params],
            )
            return cursor.fetchone()[0]

    def ranked(self, query: Query, filters: Filters, *, limit: int, offset: int = 0, total=0):
        q, q_params = tsquery(query)
        scope, params = self.scope(filters, "d.conversation_id")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.conversation_id, ts_rank({WEIGHTS}, d.document, q.q) AS score"
                f" FROM {T} AS d, (SELECT {q} AS q) AS q WHERE d.document @@ q.q{scope}"
                " ORDER BY score DESC, d.conversation_id LIMIT %s OFFSET %s",
                [*q_params, *params, limit, offset],
            )
            return [(cid, float(score)) for cid, score in cursor.fetchall()]

    def documents(self, query: Query, ids: list[int]) -> dict[int, tuple]:
        q, q_params = tsquery(query)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.conversation_id,"
                f" ts_headline('{CONFIG}', {schema.pg_text('d.title')}, q.q, %s),"
                f" ts_headline('{CONFIG}', {schema.pg_text('d.body')}, q.q, %s),"
                " d.message_ids, c.kind, c.slug"
                f" FROM {T} AS d JOIN conversations_conversation AS c ON c.id = d.conversation_id,"
                f" (SELECT {q} AS q) AS q WHERE d.conversation_id = ANY(%s)",
                [HEADLINE, HEADLINE, *q_params, list(ids)],
            )
            return {row[0]: row[1:] for row in cursor.fetchall()}
