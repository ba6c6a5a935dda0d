"""The search index and the triggers that keep it in step with conversations and messages.

One row per searchable conversation: its title, and the text of its visible, public
messages joined by a record separator, with their ids in the same order so a hit can name
the message it came from. The database keeps the row current itself: every insert, update
or delete of a message or a conversation that could change what is searchable rewrites
the conversation's row inside the same transaction, so no application code has to
remember to.

Searchable: public, published, not merged conversations of the kinds below, and their
visible, non-internal messages. Private e-mail and mentions never enter the index.

Plain SQL strings, no Django import: the migration runs them, and the search benchmark
uses them to load a large database in bulk (triggers off, one rebuild at the end).
"""

# ruff: noqa: S608 (constant SQL built from this module's own names)
from __future__ import annotations

KINDS = ("article", "known_issue", "discussion", "question", "idea")
SEPARATOR = "\x1e"  # between two messages in `body`; no tokenizer keeps it in a word
BODY_LIMIT = 200_000  # characters of one conversation's text that are searchable
TITLE_WEIGHT = 10.0  # a word in the title counts ten times a word in the text

_KIND_LIST = ", ".join(f"'{k}'" for k in KINDS)
ELIGIBLE = (
    f"c.kind IN ({_KIND_LIST}) AND c.is_public AND c.published_at IS NOT NULL "
    "AND c.merged_into_id IS NULL"
)
VISIBLE = "m.moderation = 'visible' AND NOT m.internal"

# --- SQLite: an FTS5 table ----------------------------------------------------------------

SQLITE_TABLE = "search_index"

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5(
        title, body, message_ids UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
    )""",
    # `ORDER BY rank` ranks exactly as the application does.
    f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rank)"
    f" VALUES ('rank', 'bm25({TITLE_WEIGHT}, 1.0)')",
]


def _sqlite_document(where_messages: str, where_conversations: str) -> str:
    return f"""
    INSERT INTO {SQLITE_TABLE}(rowid, title, body, message_ids)
    SELECT c.id, c.title,
           substr(coalesce(group_concat(m.body_md, char(30)), ''), 1, {BODY_LIMIT}),
           coalesce(group_concat(m.id, ' '), '')
    FROM conversations_conversation AS c
    LEFT JOIN (
        SELECT m.id, m.conversation_id, m.body_md FROM conversations_message AS m
        WHERE {where_messages} AND {VISIBLE} ORDER BY m.conversation_id, m.id
    ) AS m ON m.conversation_id = c.id
    WHERE {where_conversations} AND {ELIGIBLE}
    GROUP BY c.id"""


def _sqlite_refresh(conversation: str, when: str = "1") -> str:
    return (
        f"DELETE FROM {SQLITE_TABLE} WHERE rowid = {conversation} AND {when};"
        + _sqlite_document(
            f"m.conversation_id = {conversation}", f"c.id = {conversation} AND {when}"
        )
        + ";"
    )


SQLITE_TRIGGERS = {
    "search_message_insert": f"""
        CREATE TRIGGER search_message_insert AFTER INSERT ON conversations_message
        BEGIN {_sqlite_refresh("new.conversation_id")} END""",
    "search_message_update": f"""
        CREATE TRIGGER search_message_update AFTER UPDATE ON conversations_message
        WHEN old.body_md IS NOT new.body_md OR old.moderation IS NOT new.moderation
          OR old.internal IS NOT new.internal OR old.conversation_id IS NOT new.conversation_id
        BEGIN {_sqlite_refresh("old.conversation_id")}
        {_sqlite_refresh("new.conversation_id", "new.conversation_id <> old.conversation_id")}
        END""",
    "search_message_delete": f"""
        CREATE TRIGGER search_message_delete AFTER DELETE ON conversations_message
        BEGIN {_sqlite_refresh("old.conversation_id")} END""",
    "search_conversation_insert": f"""
        CREATE TRIGGER search_conversation_insert AFTER INSERT ON conversations_conversation
        BEGIN {_sqlite_refresh("new.id")} END""",
    "search_conversation_update": f"""
        CREATE TRIGGER search_conversation_update AFTER UPDATE ON conversations_conversation
        WHEN old.title IS NOT new.title OR old.kind IS NOT new.kind
          OR old.is_public IS NOT new.is_public OR old.published_at IS NOT new.published_at
          OR old.merged_into_id IS NOT new.merged_into_id
        BEGIN {_sqlite_refresh("new.id")} END""",
    "search_conversation_delete": f"""
        CREATE TRIGGER search_conversation_delete AFTER DELETE ON conversations_conversation
        BEGIN DELETE FROM {SQLITE_TABLE} WHERE rowid = old.id; END""",
}

SQLITE_DROP_TRIGGERS = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]

# Everything at once: used by the migration for existing rows and by the benchmark after a
# bulk load. 'optimize' merges the index into one segment, as a long-running index
# approaches by itself through FTS5's automatic merges.
SQLITE_REBUILD = [
    f"DROP TABLE IF EXISTS {SQLITE_TABLE}",
    *SQLITE_CREATE,
    _sqlite_document("1", "1"),
    f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('optimize')",
]

SQLITE_DROP = [*SQLITE_DROP_TRIGGERS, f"DROP TABLE IF EXISTS {SQLITE_TABLE}"]

# --- PostgreSQL: a table with a GIN-indexed tsvector --------------------------------------

PG_TABLE = "search_document"
PG_CONFIG = "simple"  # no stemming and no stop words, like FTS5's unicode61 tokenizer


def pg_text(column: str) -> str:
    """The text PostgreSQL's parser reads: it skips what looks like an HTML tag, words and
    all, where FTS5 indexes every word, so angle brackets become spaces."""
    return f"translate({column}, '<>', '  ')"


_PG_DOCUMENT = f"""
    SELECT c.id, c.title,
           left(coalesce(string_agg(m.body_md, chr(30) ORDER BY m.id), ''), {{limit}}) AS body,
           coalesce(string_agg(m.id::text, ' ' ORDER BY m.id), '') AS ids
    FROM conversations_conversation AS c
    LEFT JOIN conversations_message AS m ON m.conversation_id = c.id AND {VISIBLE}
    WHERE {{where}} AND {ELIGIBLE}
    GROUP BY c.id, c.title"""


def _pg_insert(where: str, limit: int) -> str:
    return f"""
    INSERT INTO {PG_TABLE} (conversation_id, title, body, message_ids, document)
    SELECT d.id, d.title, d.body, d.ids,
           setweight(to_tsvector('{PG_CONFIG}', {pg_text("d.title")}), 'A')
           || setweight(to_tsvector('{PG_CONFIG}', {pg_text("d.body")}), 'D')
    FROM ({_PG_DOCUMENT.format(where=where, limit=limit)}) AS d"""


PG_CREATE = [
    f"""CREATE TABLE {PG_TABLE} (
        conversation_id bigint PRIMARY KEY,
        title text NOT NULL,
        body text NOT NULL,
        message_ids text NOT NULL,
        document tsvector NOT NULL
    )""",
    f"CREATE INDEX search_document_gin ON {PG_TABLE} USING gin (document)",
    # Two writers on one conversation take turns (the lock), and the second, reading after
    # the first committed, writes a row with both messages.
    f"""CREATE FUNCTION search_refresh(conversation bigint) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM conversations_conversation WHERE id = conversation FOR NO KEY UPDATE;
        DELETE FROM {PG_TABLE} WHERE conversation_id = conversation;
        BEGIN
            {_pg_insert("c.id = conversation", BODY_LIMIT)};
        EXCEPTION WHEN program_limit_exceeded THEN  -- a tsvector is at most 1 MB
            {_pg_insert("c.id = conversation", BODY_LIMIT // 10)};
        END;
    END $$""",
    """CREATE FUNCTION search_message_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM search_refresh(OLD.conversation_id);
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.conversation_id <> OLD.conversation_id)
        THEN
            PERFORM search_refresh(NEW.conversation_id);
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION search_conversation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM {PG_TABLE} WHERE conversation_id = OLD.id;
        ELSIF TG_OP = 'TRUNCATE' THEN
            DELETE FROM {PG_TABLE};
        ELSE
            PERFORM search_refresh(NEW.id);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_message_insert_delete
        AFTER INSERT OR DELETE ON conversations_message
        FOR EACH ROW EXECUTE FUNCTION search_message_changed()""",
    """CREATE TRIGGER search_message_update AFTER UPDATE ON conversations_message
        FOR EACH ROW WHEN (
            OLD.body_md IS DISTINCT FROM NEW.body_md
            OR OLD.moderation IS DISTINCT FROM NEW.moderation
            OR OLD.internal IS DISTINCT FROM NEW.internal
            OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id
        ) EXECUTE FUNCTION search_message_changed()""",
    """CREATE TRIGGER search_conversation_insert_delete
        AFTER INSERT OR DELETE ON conversations_conversation
        FOR EACH ROW EXECUTE FUNCTION search_conversation_changed()""",
    """CREATE TRIGGER search_conversation_update AFTER UPDATE ON conversations_conversation
        FOR EACH ROW WHEN (
            OLD.title IS DISTINCT FROM NEW.title
            OR OLD.kind IS DISTINCT FROM NEW.kind
            OR OLD.is_public IS DISTINCT FROM NEW.is_public
            OR OLD.published_at IS DISTINCT FROM NEW.published_at
            OR OLD.merged_into_id IS DISTINCT FROM NEW.merged_into_id
        ) EXECUTE FUNCTION search_conversation_changed()""",
    # Emptying the conversations (as a test database is between tests) empties the index.
    """CREATE TRIGGER search_conversation_truncate AFTER TRUNCATE ON conversations_conversation
        FOR EACH STATEMENT EXECUTE FUNCTION search_conversation_changed()""",
]

PG_REBUILD = [
    f"DELETE FROM {PG_TABLE}",
    f"SELECT search_refresh(c.id) FROM conversations_conversation AS c WHERE {ELIGIBLE}",
]

PG_DROP = [
    "DROP TRIGGER IF EXISTS search_message_insert_delete ON conversations_message",
    "DROP TRIGGER IF EXISTS search_message_update ON conversations_message",
    "DROP TRIGGER IF EXISTS search_conversation_insert_delete ON conversations_conversation",
    "DROP TRIGGER IF EXISTS search_conversation_update ON conversations_conversation",
    "DROP TRIGGER IF EXISTS search_conversation_truncate ON conversations_conversation",
    "DROP FUNCTION IF EXISTS search_message_changed()",
    "DROP FUNCTION IF EXISTS search_conversation_changed()",
    "DROP FUNCTION IF EXISTS search_refresh(bigint)",
    f"DROP TABLE IF EXISTS {PG_TABLE}",
]
