"""Triggers that mark which hours' figures changed, so the rollups follow every change.

Whatever changes a customer message, a case or a rating (a form, a bulk update, a merge, a
rescoring, an import) the database itself inserts a mark into `insights_dirtyhour` in the
same transaction: the UTC hour of the message's creation, of the case's resolution, of the
rating's resolution. `insights.rollups.refresh_pending` turns marked hours into local days
and recomputes them. Plain SQL, no Django import: the migration runs it, and the benchmark
loads a large database with the triggers off.
"""

# ruff: noqa: S608 (constant SQL built from this module's own names)
from __future__ import annotations

TABLE = "insights_dirtyhour"

# Message columns whose change can change a figure.
MESSAGE_COLUMNS = (
    "created_at", "response_state", "answered_at", "answered_by_id", "sentiment", "topic_id",
    "channel", "conversation_id", "moderation", "due_at", "first_response_business_seconds",
    "author_id", "is_opening",
)  # fmt: skip
# Conversation columns that every message of the conversation is counted under.
CONVERSATION_COLUMNS = ("category_id", "team_id", "kind", "author_id")
# Conversation columns of its resolution.
RESOLUTION_COLUMNS = (
    "resolved_at", "resolved_by_id", "outcome_id", "resolution_business_seconds",
)  # fmt: skip
SURVEY_COLUMNS = ("resolved_at", "score", "agent_id", "conversation_id")


def _changed(columns, distinct: str) -> str:
    return " OR ".join(f"old.{c} {distinct} new.{c}" for c in columns)


# --- SQLite: datetimes are stored as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]" ---------------


def _sqlite_mark(expr: str) -> str:
    return f"INSERT INTO {TABLE} (hour) SELECT substr({expr}, 1, 13) WHERE {expr} IS NOT NULL;"


def _sqlite_mark_conversation(conversation: str) -> str:
    return (
        f"INSERT INTO {TABLE} (hour) SELECT DISTINCT substr(m.created_at, 1, 13)"
        f" FROM conversations_message AS m WHERE m.conversation_id = {conversation};"
        f" INSERT INTO {TABLE} (hour) SELECT substr(c.resolved_at, 1, 13)"
        f" FROM conversations_conversation AS c"
        f" WHERE c.id = {conversation} AND c.resolved_at IS NOT NULL;"
    )


def _sqlite_mark_message(message: str) -> str:
    return (
        f"INSERT INTO {TABLE} (hour) SELECT substr(m.created_at, 1, 13)"
        f" FROM conversations_message AS m WHERE m.id = {message};"
    )


SQLITE_TRIGGERS = {
    "insights_message_insert": f"""
        CREATE TRIGGER insights_message_insert AFTER INSERT ON conversations_message
        BEGIN {_sqlite_mark("new.created_at")} END""",
    "insights_message_update": f"""
        CREATE TRIGGER insights_message_update AFTER UPDATE ON conversations_message
        WHEN {_changed(MESSAGE_COLUMNS, "IS NOT")}
        BEGIN {_sqlite_mark("old.created_at")} {_sqlite_mark("new.created_at")} END""",
    "insights_message_delete": f"""
        CREATE TRIGGER insights_message_delete AFTER DELETE ON conversations_message
        BEGIN {_sqlite_mark("old.created_at")} END""",
    "insights_conversation_update": f"""
        CREATE TRIGGER insights_conversation_update AFTER UPDATE ON conversations_conversation
        WHEN {_changed(CONVERSATION_COLUMNS, "IS NOT")}
        BEGIN {_sqlite_mark_conversation("new.id")} END""",
    "insights_conversation_resolution": f"""
        CREATE TRIGGER insights_conversation_resolution
        AFTER UPDATE ON conversations_conversation
        WHEN {_changed(RESOLUTION_COLUMNS, "IS NOT")}
        BEGIN {_sqlite_mark("old.resolved_at")} {_sqlite_mark("new.resolved_at")} END""",
    "insights_label_insert": f"""
        CREATE TRIGGER insights_label_insert AFTER INSERT ON conversations_conversation_labels
        BEGIN {_sqlite_mark_conversation("new.conversation_id")} END""",
    "insights_label_delete": f"""
        CREATE TRIGGER insights_label_delete AFTER DELETE ON conversations_conversation_labels
        BEGIN {_sqlite_mark_conversation("old.conversation_id")} END""",
    "insights_survey_insert": f"""
        CREATE TRIGGER insights_survey_insert AFTER INSERT ON satisfaction_survey
        BEGIN {_sqlite_mark("new.resolved_at")} END""",
    "insights_survey_update": f"""
        CREATE TRIGGER insights_survey_update AFTER UPDATE ON satisfaction_survey
        WHEN {_changed(SURVEY_COLUMNS, "IS NOT")}
        BEGIN {_sqlite_mark("old.resolved_at")} {_sqlite_mark("new.resolved_at")} END""",
    "insights_survey_delete": f"""
        CREATE TRIGGER insights_survey_delete AFTER DELETE ON satisfaction_survey
        BEGIN {_sqlite_mark("old.resolved_at")} END""",
    "insights_question_update": f"""
        CREATE TRIGGER insights_question_update AFTER UPDATE ON community_question
        WHEN old.accepted_answer_id IS NOT new.accepted_answer_id
        BEGIN {_sqlite_mark_message("old.accepted_answer_id")}
        {_sqlite_mark_message("new.accepted_answer_id")} END""",
}

SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]

# After a bulk load with the triggers off, or triggers restored after a migration.
MARK_ALL = (
    f"INSERT INTO {TABLE} (hour) SELECT DISTINCT substr(created_at, 1, 13)"
    " FROM conversations_message"
)

# --- PostgreSQL ---------------------------------------------------------------------------

_PG_HOUR = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"

PG_CREATE = [
    f"""CREATE FUNCTION insights_mark(at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        IF at IS NOT NULL THEN
            INSERT INTO {TABLE} (hour) VALUES ({_PG_HOUR.format("at")});
        END IF;
    END $$""",
    f"""CREATE FUNCTION insights_mark_conversation(conversation bigint) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {TABLE} (hour)
        SELECT DISTINCT {_PG_HOUR.format("created_at")} FROM conversations_message
        WHERE conversation_id = conversation;
        PERFORM insights_mark(resolved_at) FROM conversations_conversation
        WHERE id = conversation;
    END $$""",
    """CREATE FUNCTION insights_message_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN PERFORM insights_mark(OLD.created_at); END IF;
        IF TG_OP <> 'DELETE' THEN PERFORM insights_mark(NEW.created_at); END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION insights_conversation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM insights_mark_conversation(NEW.id);
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION insights_resolution_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM insights_mark(OLD.resolved_at);
        PERFORM insights_mark(NEW.resolved_at);
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION insights_label_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            PERFORM insights_mark_conversation(OLD.conversation_id);
        ELSE
            PERFORM insights_mark_conversation(NEW.conversation_id);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION insights_survey_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN PERFORM insights_mark(OLD.resolved_at); END IF;
        IF TG_OP <> 'DELETE' THEN PERFORM insights_mark(NEW.resolved_at); END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION insights_question_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM insights_mark(created_at) FROM conversations_message
        WHERE id IN (OLD.accepted_answer_id, NEW.accepted_answer_id);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER insights_message_insert_delete
        AFTER INSERT OR DELETE ON conversations_message
        FOR EACH ROW EXECUTE FUNCTION insights_message_changed()""",
    f"""CREATE TRIGGER insights_message_update AFTER UPDATE ON conversations_message
        FOR EACH ROW WHEN ({_changed(MESSAGE_COLUMNS, "IS DISTINCT FROM")})
        EXECUTE FUNCTION insights_message_changed()""",
    f"""CREATE TRIGGER insights_conversation_update AFTER UPDATE ON conversations_conversation
        FOR EACH ROW WHEN ({_changed(CONVERSATION_COLUMNS, "IS DISTINCT FROM")})
        EXECUTE FUNCTION insights_conversation_changed()""",
    f"""CREATE TRIGGER insights_conversation_resolution
        AFTER UPDATE ON conversations_conversation
        FOR EACH ROW WHEN ({_changed(RESOLUTION_COLUMNS, "IS DISTINCT FROM")})
        EXECUTE FUNCTION insights_resolution_changed()""",
    """CREATE TRIGGER insights_label_changed
        AFTER INSERT OR DELETE ON conversations_conversation_labels
        FOR EACH ROW EXECUTE FUNCTION insights_label_changed()""",
    """CREATE TRIGGER insights_survey_insert_delete
        AFTER INSERT OR DELETE ON satisfaction_survey
        FOR EACH ROW EXECUTE FUNCTION insights_survey_changed()""",
    f"""CREATE TRIGGER insights_survey_update AFTER UPDATE ON satisfaction_survey
        FOR EACH ROW WHEN ({_changed(SURVEY_COLUMNS, "IS DISTINCT FROM")})
        EXECUTE FUNCTION insights_survey_changed()""",
    """CREATE TRIGGER insights_question_update AFTER UPDATE ON community_question
        FOR EACH ROW WHEN (OLD.accepted_answer_id IS DISTINCT FROM NEW.accepted_answer_id)
        EXECUTE FUNCTION insights_question_changed()""",
]

PG_TRIGGERS = {
    "insights_message_insert_delete": "conversations_message",
    "insights_message_update": "conversations_message",
    "insights_conversation_update": "conversations_conversation",
    "insights_conversation_resolution": "conversations_conversation",
    "insights_label_changed": "conversations_conversation_labels",
    "insights_survey_insert_delete": "satisfaction_survey",
    "insights_survey_update": "satisfaction_survey",
    "insights_question_update": "community_question",
}

PG_DROP = [
    *(f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in PG_TRIGGERS.items()),
    *(
        f"DROP FUNCTION IF EXISTS {name}"
        for name in (
            "insights_question_changed()", "insights_survey_changed()",
            "insights_label_changed()", "insights_resolution_changed()",
            "insights_conversation_changed()", "insights_message_changed()",
            "insights_mark_conversation(bigint)", "insights_mark(timestamptz)",
        )
    ),
]  # fmt: skip

PG_MARK_ALL = (
    f"INSERT INTO {TABLE} (hour) SELECT DISTINCT {_PG_HOUR.format('created_at')}"
    " FROM conversations_message"
)
